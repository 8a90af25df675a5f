//! Passwords: argon2id with m = 19 MiB, t = 2, p = 1 (the OWASP minimum,
//! RFC 9106 §4's memory-constrained choice), PHC strings in the database.
//! Hashing is deliberately slow: callers run it on a bounded blocking pool.

use std::sync::LazyLock;

use argon2::password_hash::PasswordHasher as _;
use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Block, Params, Version};

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
        Some(phc) => verify_reusing_memory(password.as_bytes(), phc),
        None => {
            if let Some(dummy) = DUMMY_HASH.as_deref() {
                let _ = verify_reusing_memory(password.as_bytes(), dummy);
            }
            false
        }
    }
}

thread_local! {
    /// argon2's working memory (19 MiB), kept per thread and reused: one
    /// allocation per thread instead of one per sign-in, which the allocator
    /// would otherwise hoard per arena.
    static MEMORY: std::cell::RefCell<Vec<Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Recomputes the hash of a PHC string with its own parameters and salt,
/// and compares in constant time.
fn verify_reusing_memory(password: &[u8], phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else { return false };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else { return false };
    let Ok(version) = Version::try_from(parsed.version.unwrap_or(0x13)) else { return false };
    let Ok(params) = Params::try_from(&parsed) else { return false };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else { return false };
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let mut computed = vec![0u8; expected.len()];
    let hashed = MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        memory.resize(params.block_count(), Block::default());
        argon2.hash_password_into_with_memory(password, salt.as_ref(), &mut computed, &mut memory[..]).is_ok()
    });
    hashed && aws_lc_rs::constant_time::verify_slices_are_equal(&computed, expected.as_bytes()).is_ok()
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
        // Other parameters in the stored string are honoured (memory is resized).
        let light = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8, 1, 1, None).unwrap());
        let light_hash = light.hash_password(b"pw").unwrap().to_string();
        assert!(verify_password("pw", Some(&light_hash)));
        assert!(!verify_password("pW", Some(&light_hash)));
        assert!(verify_password("correct horse battery staple", Some(&hash)), "after a smaller hash");
    }
}
