//! The key-encryption key (KEK): 256 bits that seal every private signing
//! key with AES-256-GCM (random 96-bit nonce per seal, the key id as
//! associated data, so a sealed key cannot be moved to another row).

use std::fmt;
use std::io::Write as _;
use std::path::Path;

use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, RandomizedNonceKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::KeyError;

/// The key-encryption key. Never printed, never serialised.
pub struct Kek {
    key: RandomizedNonceKey,
}

impl fmt::Debug for Kek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Kek([redacted])")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KekError {
    #[error("must be 32 bytes in base64 (generate one with: openssl rand -base64 32)")]
    Malformed,
    #[error("cannot read or create the key file {path}: {source}")]
    File { path: String, source: std::io::Error },
}

impl Kek {
    pub const LEN: usize = 32;

    /// From the base64 text of 32 random bytes (the configuration value).
    pub fn from_base64(text: &str) -> Result<Self, KekError> {
        let bytes = STANDARD.decode(text.trim()).map_err(|_| KekError::Malformed)?;
        Self::from_bytes(&bytes)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self, KekError> {
        if bytes.len() != Self::LEN {
            return Err(KekError::Malformed);
        }
        let key = RandomizedNonceKey::new(&AES_256_GCM, bytes).map_err(|_| KekError::Malformed)?;
        Ok(Self { key })
    }

    /// A fresh random KEK and its base64 text.
    pub fn generate() -> Result<(Self, String), KekError> {
        let bytes = crate::random::bytes::<{ Self::LEN }>();
        let text = STANDARD.encode(bytes);
        Ok((Self::from_bytes(&bytes)?, text))
    }

    /// Reads the KEK from `path`, or creates the file (mode 0600) with a new
    /// one when it does not exist. For the embedded single-instance default.
    pub fn load_or_create(path: &Path) -> Result<Self, KekError> {
        let file_error = |source| KekError::File { path: path.display().to_string(), source };
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_base64(&text),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let (kek, text) = Self::generate()?;
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(path).map_err(file_error)?;
                file.write_all(format!("{text}\n").as_bytes()).map_err(file_error)?;
                file.sync_all().map_err(file_error)?;
                tracing::info!(path = %path.display(), "generated a new key-encryption key");
                Ok(kek)
            }
            Err(error) => Err(file_error(error)),
        }
    }

    /// Seals `plaintext` for the row `kid`: base64(nonce ‖ ciphertext ‖ tag).
    pub fn seal(&self, kid: &str, plaintext: &[u8]) -> Result<String, KeyError> {
        let mut in_out = plaintext.to_vec();
        let nonce = self
            .key
            .seal_in_place_append_tag(Aad::from(kid.as_bytes()), &mut in_out)
            .map_err(|_| KeyError::Crypto("seal a private key"))?;
        let mut sealed = nonce.as_ref().to_vec();
        sealed.extend_from_slice(&in_out);
        Ok(STANDARD.encode(sealed))
    }

    /// Opens what [`Kek::seal`] sealed for the same `kid`.
    pub fn open(&self, kid: &str, sealed: &str) -> Result<Vec<u8>, KeyError> {
        let corrupt = |reason: &str| KeyError::Corrupt { kid: kid.to_string(), reason: reason.to_string() };
        let bytes = STANDARD.decode(sealed).map_err(|_| corrupt("sealed key is not base64"))?;
        if bytes.len() < NONCE_LEN {
            return Err(corrupt("sealed key is too short"));
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce = aws_lc_rs::aead::Nonce::try_assume_unique_for_key(nonce).map_err(|_| corrupt("bad nonce"))?;
        let mut in_out = ciphertext.to_vec();
        let plaintext = self
            .key
            .open_in_place(nonce, Aad::from(kid.as_bytes()), &mut in_out)
            .map_err(|_| KeyError::WrongKek { kid: kid.to_string() })?;
        Ok(plaintext.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_keys_open_only_with_the_same_kek_and_kid() {
        let (kek, _) = Kek::generate().unwrap();
        let sealed = kek.seal("kid-1", b"private material").unwrap();
        assert!(!sealed.contains("private"));
        assert_eq!(kek.open("kid-1", &sealed).unwrap(), b"private material");
        assert!(matches!(kek.open("kid-2", &sealed), Err(KeyError::WrongKek { .. })));
        let (other, _) = Kek::generate().unwrap();
        assert!(matches!(other.open("kid-1", &sealed), Err(KeyError::WrongKek { .. })));
        assert_ne!(kek.seal("kid-1", b"x").unwrap(), kek.seal("kid-1", b"x").unwrap(), "fresh nonce");
    }

    #[test]
    fn kek_text_must_be_32_bytes_of_base64() {
        assert!(Kek::from_base64(&STANDARD.encode([7u8; 32])).is_ok());
        assert!(matches!(Kek::from_base64(&STANDARD.encode([7u8; 16])), Err(KekError::Malformed)));
        assert!(matches!(Kek::from_base64("not base64!"), Err(KekError::Malformed)));
        assert_eq!(format!("{:?}", Kek::generate().unwrap().0), "Kek([redacted])");
    }

    #[test]
    fn key_file_is_created_once_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kek");
        let first = Kek::load_or_create(&path).unwrap();
        let sealed = first.seal("k", b"secret").unwrap();
        let again = Kek::load_or_create(&path).unwrap();
        assert_eq!(again.open("k", &sealed).unwrap(), b"secret");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
