//! Passwords: argon2id with m = 19 MiB, t = 2, p = 1 (the OWASP minimum,
//! RFC 9106 §4's memory-constrained choice), PHC strings in the database.
//! Hashing is deliberately slow: callers run it on a bounded blocking pool.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};

#[derive(Debug, thiserror::Error)]
#[error("the password could not be hashed")]
pub struct PasswordError;

fn argon2() -> Argon2<'static> {
    // Argon2::default() is argon2id v19 with m=19456 KiB, t=2, p=1.
    Argon2::default()
}

/// A new PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) with a random salt.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    argon2().hash_password(password.as_bytes()).map(|hash| hash.to_string()).map_err(|_| PasswordError)
}

/// Stands in for the hash of an account that does not exist, so that an
/// unknown e-mail costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<Option<String>> = LazyLock::new(|| hash_password("sanus-dummy-password").ok());

/// Whether `password` matches `stored`. With no stored hash (unknown user,
/// or no password set) it still does the full work and answers `false`.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    match stored {
        Some(phc) => argon2().verify_password(password.as_bytes(), phc).is_ok(),
        None => {
            if let Some(dummy) = DUMMY_HASH.as_deref() {
                let _ = argon2().verify_password(password.as_bytes(), dummy);
            }
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_their_password() {
        let hash = hash_password("correct horse battery staple").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify_password("correct horse battery staple", Some(&hash)));
        assert!(!verify_password("correct horse battery stapl", Some(&hash)));
        assert!(!verify_password("anything", None));
        assert!(!verify_password("anything", Some("not a phc string")));
        assert_ne!(hash, hash_password("correct horse battery staple").unwrap(), "random salt");
    }
}
