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
    SignIn { login_hint: Option<String>, error: Option<SignInError> },
    Consent { email: String, scopes: Vec<String> },
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
