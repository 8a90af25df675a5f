//! Random identifiers and secrets from the operating system's CSPRNG
//! (through `rand`'s thread-local generator, reseeded from the OS).

use base64::Engine as _;
use rand::RngCore as _;

/// `bytes` random bytes as unpadded base64url: 16 bytes give a 22-character
/// id (128 bits), 32 bytes a 43-character secret (256 bits).
pub fn url_safe(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buffer);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buffer)
}

/// A value as it may come back in a link or form when `url_safe` made it
/// (ids and tokens): base64url characters, 1 to 64 of them.
pub fn looks_url_safe(value: &str) -> bool {
    (1..=64).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `N` random bytes.
pub fn bytes<const N: usize>() -> [u8; N] {
    let mut buffer = [0u8; N];
    rand::rng().fill_bytes(&mut buffer);
    buffer
}

#[cfg(test)]
mod tests {
    #[test]
    fn lengths_and_uniqueness() {
        assert_eq!(super::url_safe(16).len(), 22);
        assert_eq!(super::url_safe(32).len(), 43);
        assert_ne!(super::url_safe(16), super::url_safe(16));
        assert_ne!(super::bytes::<32>(), [0u8; 32]);
        assert!(super::looks_url_safe(&super::url_safe(32)));
        for bad in ["", "a b", "a/b", "ä", &"a".repeat(65)] {
            assert!(!super::looks_url_safe(bad), "{bad:?}");
        }
    }
}
