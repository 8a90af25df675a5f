//! Client secrets: 256 random bits, shown once, stored as SHA-256. A hash
//! is enough (no password hash): the secret has full entropy, so checking
//! costs microseconds and guessing stays hopeless.

use std::fmt;

use aws_lc_rs::digest::{SHA256, digest};

/// A secret in clear: exists only between generation and the one response
/// that shows it, or while a request is being authenticated.
pub struct ClientSecret(String);

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret([redacted])")
    }
}

impl ClientSecret {
    pub fn generate() -> Self {
        Self(crate::random::url_safe(32))
    }

    pub fn from_presented(value: &str) -> Self {
        Self(value.to_string())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> SecretHash {
        SecretHash::of(self.0.as_bytes())
    }
}

/// SHA-256 of a secret, hex-encoded, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretHash(String);

impl SecretHash {
    pub fn of(bytes: &[u8]) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let hash = digest(&SHA256, bytes);
        let mut hex = String::with_capacity(64);
        for byte in hash.as_ref() {
            hex.push(char::from(HEX[usize::from(byte >> 4)]));
            hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        Self(hex)
    }

    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Constant-time comparison.
    pub fn matches(&self, other: &SecretHash) -> bool {
        aws_lc_rs::constant_time::verify_slices_are_equal(self.0.as_bytes(), other.0.as_bytes()).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_hidden() {
        let (a, b) = (ClientSecret::generate(), ClientSecret::generate());
        assert_eq!(a.expose().len(), 43, "256 bits in base64url");
        assert_ne!(a.expose(), b.expose());
        assert_eq!(format!("{a:?}"), "ClientSecret([redacted])");
    }

    #[test]
    fn hashes_match_only_the_same_secret() {
        let secret = ClientSecret::generate();
        let stored = secret.hash();
        assert_eq!(stored.as_str().len(), 64);
        assert!(stored.matches(&ClientSecret::from_presented(secret.expose()).hash()));
        assert!(!stored.matches(&ClientSecret::from_presented("guess").hash()));
        assert_eq!(SecretHash::of(b"abc").as_str(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
