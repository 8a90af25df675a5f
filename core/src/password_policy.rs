//! What a new password must be (NIST SP 800-63B §3.1.1.2): long enough,
//! not too long to hash, not one of the passwords everybody tries, and not
//! the account's own e-mail address. No composition rules; never truncated.

use std::collections::HashSet;
use std::sync::LazyLock;

/// Characters at least.
pub const MIN_CHARS: usize = 12;
/// Characters at most: longer ones are refused, never cut short.
pub const MAX_CHARS: usize = 1024;

/// The common passwords shipped with Sanus (`core/data/common-passwords.txt`).
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/common-passwords.txt")
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRuleError {
    #[error("the password needs at least {MIN_CHARS} characters")]
    TooShort,
    #[error("the password may have at most {MAX_CHARS} characters")]
    TooLong,
    #[error("the password is one of the most common ones")]
    Common,
    #[error("the password must not be the e-mail address")]
    SameAsEmail,
}

/// Checks a new password for the account with this e-mail address.
pub fn check_new_password(password: &str, email: &str) -> Result<(), PasswordRuleError> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(PasswordRuleError::TooShort);
    }
    if chars > MAX_CHARS {
        return Err(PasswordRuleError::TooLong);
    }
    let lowered = password.to_lowercase();
    let email = email.trim().to_lowercase();
    let local_part = email.split('@').next().unwrap_or_default();
    if lowered == email || (local_part.chars().count() >= MIN_CHARS && lowered.contains(local_part)) {
        return Err(PasswordRuleError::SameAsEmail);
    }
    // "qwertyuiop123!" is "qwertyuiop" with a tail everybody adds.
    let stem = lowered.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    if COMMON.contains(lowered.as_str()) || (stem.chars().count() >= 8 && COMMON.contains(stem)) {
        return Err(PasswordRuleError::Common);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_counts_characters_not_bytes() {
        assert_eq!(check_new_password("short-pw-11", "a@example.org"), Err(PasswordRuleError::TooShort));
        assert_eq!(
            check_new_password("äöüäöüäöüäö", "a@example.org"),
            Err(PasswordRuleError::TooShort),
            "11 chars, 22 bytes"
        );
        assert_eq!(check_new_password("äöüäöüäöüäöß", "a@example.org"), Ok(()));
        assert_eq!(check_new_password(&"x".repeat(MAX_CHARS + 1), "a@example.org"), Err(PasswordRuleError::TooLong));
        assert_eq!(check_new_password(&"correct horse ".repeat(73), "a@example.org"), Ok(()), "1022 chars are fine");
    }

    #[test]
    fn common_passwords_and_their_usual_tails_are_refused() {
        assert!(COMMON.len() > 17_000, "the list is loaded");
        for common in ["1Qaz2wsx3edc", "QwertyUiop123", "qwertyuiop123!", "baseball2024!!", "password1234"] {
            assert_eq!(check_new_password(common, "a@example.org"), Err(PasswordRuleError::Common), "{common}");
        }
        assert_eq!(check_new_password("tram-harbour-violet-42", "a@example.org"), Ok(()));
    }

    #[test]
    fn the_email_address_is_not_a_password() {
        let email = "jane.doe.example@example.org";
        assert_eq!(check_new_password("Jane.Doe.Example@example.org", email), Err(PasswordRuleError::SameAsEmail));
        assert_eq!(check_new_password("jane.doe.example2024", email), Err(PasswordRuleError::SameAsEmail));
    }
}
