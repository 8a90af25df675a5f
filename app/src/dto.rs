//! Wire types shared by the server and the browser build.

use serde::{Deserialize, Serialize};

/// What loading an interaction yields.
pub type InteractionResult = Result<InteractionView, InteractionUnavailable>;

/// What the interaction page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InteractionView {
    pub id: String,
    /// The request's `ui_locales`, as the client sent it.
    pub ui_locales: Option<String>,
    pub client: ClientView,
    pub step: InteractionStep,
}

/// The client as people see it on the sign-in and consent screens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientView {
    pub name: String,
    pub logo_uri: Option<String>,
    pub client_uri: Option<String>,
    pub policy_uri: Option<String>,
    pub tos_uri: Option<String>,
    /// Where the browser ends up: the page's `form-action` must allow it.
    pub redirect_uri: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InteractionStep {
    SignIn {
        login_hint: Option<String>,
        error: Option<SignInError>,
        /// Whether the page offers to create an account.
        registration_open: bool,
    },
    Consent {
        email: String,
        scopes: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInError {
    /// Wrong e-mail or password; deliberately not saying which.
    InvalidCredentials,
    /// Too many failed attempts: the next one must wait this long.
    Throttled { retry_after_seconds: i64 },
}

/// Why there is nothing to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InteractionUnavailable {
    /// Unknown, expired, used, or started in another browser.
    Expired,
    /// The server failed; the cause is in its log.
    Failed,
}

/// What the page for choosing a new password shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordResetView {
    /// The token of the link, for the form's action.
    pub token: String,
    /// Unknown, used or expired links show a way to ask for a new one.
    pub usable: bool,
    pub error: Option<NewPasswordError>,
    /// The password rule's bounds, from the server's rule (characters).
    pub min_chars: usize,
    pub max_chars: usize,
}

/// Why a new password was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NewPasswordError {
    TooShort,
    TooLong,
    Common,
    SameAsEmail,
    Mismatch,
}

impl NewPasswordError {
    /// As it travels in the page's query string after a refused attempt.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TooShort => "too_short",
            Self::TooLong => "too_long",
            Self::Common => "common",
            Self::SameAsEmail => "same_as_email",
            Self::Mismatch => "mismatch",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Self::TooShort, Self::TooLong, Self::Common, Self::SameAsEmail, Self::Mismatch]
            .into_iter()
            .find(|e| e.as_str() == code)
    }
}

/// What the registration page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationView {
    /// Closed registration shows only a note.
    pub open: bool,
    /// The authorization request to return to afterwards.
    pub interaction: Option<String>,
    /// Addresses must be at one of these domains; empty: any.
    pub allowed_domains: Vec<String>,
    /// Terms to accept (the box is required) and the privacy notice.
    pub terms_url: Option<String>,
    pub privacy_url: Option<String>,
    /// The password rule's bounds and the longest name (characters).
    pub min_chars: usize,
    pub max_chars: usize,
    pub max_name_chars: usize,
    /// What was typed before a refusal (never the password).
    pub values: RegistrationValues,
    pub errors: Vec<RegistrationError>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationValues {
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    pub locale: Option<String>,
}

/// Why a registration was refused, per field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegistrationError {
    EmailEmpty,
    EmailMalformed,
    EmailTooLong,
    EmailDomain,
    Password(NewPasswordError),
    GivenNameTooLong,
    FamilyNameTooLong,
    TermsNotAccepted,
    /// Too many registrations from this network: the form as a whole waits.
    Throttled {
        retry_after_seconds: i64,
    },
}

impl RegistrationError {
    /// The id of the field the error belongs to.
    pub fn field(self) -> &'static str {
        match self {
            Self::EmailEmpty | Self::EmailMalformed | Self::EmailTooLong | Self::EmailDomain => "email",
            Self::Password(NewPasswordError::Mismatch) => "confirm-password",
            Self::Password(_) => "new-password",
            Self::GivenNameTooLong => "given-name",
            Self::FamilyNameTooLong => "family-name",
            Self::TermsNotAccepted => "terms",
            Self::Throttled { .. } => "register",
        }
    }
}

/// What the page for typing an e-mail code shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyEmailView {
    pub id: String,
    /// The authorization request this came from.
    pub interaction: Option<String>,
    /// Whether the person may go on without confirming now.
    pub skip_allowed: bool,
    pub notice: Option<VerifyNotice>,
}

/// The outcome of the last action on the code page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VerifyNotice {
    Wrong { tries_left: i64 },
    Unusable,
    Throttled { retry_after_seconds: i64 },
    Resent,
    TooSoon,
    DailyLimit,
}

impl VerifyNotice {
    /// As it travels in the page's query string: `notice=wrong-3`.
    pub fn to_query(self) -> String {
        match self {
            Self::Wrong { tries_left } => format!("wrong-{tries_left}"),
            Self::Unusable => "unusable".into(),
            Self::Throttled { retry_after_seconds } => format!("throttled-{retry_after_seconds}"),
            Self::Resent => "resent".into(),
            Self::TooSoon => "too-soon".into(),
            Self::DailyLimit => "daily-limit".into(),
        }
    }

    pub fn parse(query: &str) -> Option<Self> {
        let number = |prefix: &str| query.strip_prefix(prefix).and_then(|n| n.parse::<i64>().ok()).filter(|n| *n > 0);
        match query {
            "unusable" => Some(Self::Unusable),
            "resent" => Some(Self::Resent),
            "too-soon" => Some(Self::TooSoon),
            "daily-limit" => Some(Self::DailyLimit),
            _ => number("wrong-")
                .map(|tries_left| Self::Wrong { tries_left })
                .or_else(|| number("throttled-").map(|retry_after_seconds| Self::Throttled { retry_after_seconds })),
        }
    }
}

/// What the page behind a mailed confirmation link shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmEmailView {
    pub token: String,
    /// The address to confirm; `None` when the link no longer works.
    pub email: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_notices_survive_the_query_string() {
        let all = [
            VerifyNotice::Wrong { tries_left: 3 },
            VerifyNotice::Unusable,
            VerifyNotice::Throttled { retry_after_seconds: 8 },
            VerifyNotice::Resent,
            VerifyNotice::TooSoon,
            VerifyNotice::DailyLimit,
        ];
        for notice in all {
            assert_eq!(VerifyNotice::parse(&notice.to_query()), Some(notice));
        }
        for junk in ["", "wrong-", "wrong--1", "wrong-x", "throttled-0", "resent "] {
            assert_eq!(VerifyNotice::parse(junk), None, "{junk:?}");
        }
    }
}
