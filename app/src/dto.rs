//! Wire types shared by the server and the browser build.

use serde::{Deserialize, Serialize};

/// An enum that travels in a query string (`?notice=saved`): its values
/// and their words.
macro_rules! query_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),* }
            }

            pub fn parse(value: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|item| item.as_str() == value)
            }
        }
    };
}

mod admin;
mod api_docs;
mod organizations;
mod portal;
mod professions;
pub use admin::*;
pub use api_docs::*;
pub use organizations::*;
pub use portal::*;
pub use professions::*;

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
        /// Whether "Sign in with a passkey" is offered.
        passkeys: bool,
    },
    Consent {
        email: String,
        scopes: Vec<String>,
        /// The professional profile fields the app would receive, each
        /// with a box (ticked unless the person withheld it before).
        profile_fields: Vec<OfferedField>,
    },
    /// The app asks in which tenant the person works now.
    ChooseTenant {
        email: String,
        /// The tenants they can access, each labelled with its path.
        tenants: Vec<TenantRef>,
    },
}

/// A professional profile field offered on the consent screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferedField {
    pub id: String,
    pub value: String,
    pub shared: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInError {
    /// Wrong e-mail or password; deliberately not saying which.
    InvalidCredentials,
    /// Too many failed attempts: the next one must wait this long.
    Throttled { retry_after_seconds: i64 },
    /// The password was right, but an operator locked the account.
    Locked,
    /// Too many sign-ins at once: the password was not checked.
    Busy,
}

/// What Sanus' own sign-in page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInView {
    /// Where to go afterwards: a path on this server.
    pub return_to: String,
    pub login_hint: Option<String>,
    pub error: Option<SignInError>,
    pub registration_open: bool,
    pub passkeys: bool,
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
    /// Registering from an invitation (its link's token): the address is
    /// the invited one and the form posts to the invitation.
    pub invitation: Option<String>,
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
    GivenNameInvalid,
    FamilyNameInvalid,
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
            Self::GivenNameInvalid => "given-name",
            Self::FamilyNameInvalid => "family-name",
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
    Wrong {
        tries_left: i64,
    },
    Unusable,
    Throttled {
        retry_after_seconds: i64,
    },
    Resent,
    TooSoon,
    DailyLimit,
    /// The code works only in the browser that signed up.
    OtherBrowser,
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
            Self::OtherBrowser => "other-browser".into(),
        }
    }

    pub fn parse(query: &str) -> Option<Self> {
        let number = |prefix: &str| query.strip_prefix(prefix).and_then(|n| n.parse::<i64>().ok()).filter(|n| *n > 0);
        match query {
            "unusable" => Some(Self::Unusable),
            "resent" => Some(Self::Resent),
            "too-soon" => Some(Self::TooSoon),
            "daily-limit" => Some(Self::DailyLimit),
            "other-browser" => Some(Self::OtherBrowser),
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
    /// Confirming here needs the account's password (another browser than
    /// the one that registered).
    pub password_required: bool,
    pub wrong_password: bool,
}

/// What the account console shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub email: String,
    pub email_verified: bool,
    pub given_name: String,
    pub family_name: String,
    pub locale: String,
    pub sessions: Vec<SessionView>,
    pub apps: Vec<ConnectedAppView>,
    pub mfa: MfaView,
    /// The account operates this Sanus.
    pub operator: bool,
    /// The account verifies professional profiles.
    pub verifier: bool,
    /// `None`: passkeys are not available on this Sanus.
    pub passkeys: Option<Vec<PasskeyView>>,
    pub notice: Option<AccountNotice>,
    pub error: Option<AccountError>,
    /// The password rule's bounds and the longest name (characters).
    pub min_chars: usize,
    pub max_chars: usize,
    pub max_name_chars: usize,
}

/// A live session of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub id: String,
    pub device: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    pub last_seen_at: i64,
    /// The session of this browser.
    pub current: bool,
}

/// An application the account allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectedAppView {
    pub client_id: String,
    pub name: String,
    pub logo_uri: Option<String>,
    pub scopes: Vec<String>,
    /// What was decided for each professional profile field: shared or not.
    pub profile_fields: Vec<(String, bool)>,
    /// Unix seconds.
    pub granted_at: i64,
}

query_enum! {
    /// What the last action in the console did.
    AccountNotice {
        ProfileSaved => "profile-saved",
        PasswordChanged => "password-changed",
        SessionEnded => "session-ended",
        OtherSessionsEnded => "others-ended",
        AppDisconnected => "app-disconnected",
        SharingSaved => "sharing-saved",
        TotpRemoved => "totp-removed",
        EmailChanged => "email-changed",
        PasskeyAdded => "passkey-added",
        PasskeyRemoved => "passkey-removed",
    }
}

/// Why the last action in the console was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountError {
    GivenNameInvalid,
    FamilyNameInvalid,
    /// The current password was wrong.
    WrongPassword,
    /// Too many wrong current passwords: wait this long.
    Throttled {
        retry_after_seconds: i64,
    },
    NewPassword(NewPasswordError),
    /// The password confirming a change of the second factors was wrong.
    MfaWrongPassword,
    /// Second factors are set up, and this session used none: changing
    /// them needs a sign-in with one.
    SecondFactorFirst,
    /// The password confirming a passkey's removal was wrong.
    PasskeyWrongPassword,
    /// As `SecondFactorFirst`, for removing a passkey.
    PasskeySecondFactorFirst,
    DeleteNotConfirmed,
    DeleteWrongPassword,
    DeleteWrongCode,
    /// Too many wrong second-factor codes: the code was not looked at.
    DeleteThrottled {
        retry_after_seconds: i64,
    },
    /// A service signs in as this account: only an operator can change that.
    DeleteServiceAccount,
    /// The account is the last Admin of an organisation.
    DeleteSoleAdmin,
    NewEmailEmpty,
    NewEmailMalformed,
    NewEmailTooLong,
    NewEmailDomain,
    NewEmailSame,
    EmailWrongPassword,
}

impl AccountError {
    pub fn to_query(self) -> String {
        match self {
            Self::GivenNameInvalid => "given-name-invalid".into(),
            Self::FamilyNameInvalid => "family-name-invalid".into(),
            Self::WrongPassword => "wrong-password".into(),
            Self::Throttled { retry_after_seconds } => format!("throttled-{retry_after_seconds}"),
            Self::NewPassword(error) => format!("new-{}", error.as_str()),
            Self::MfaWrongPassword => "mfa-wrong-password".into(),
            Self::SecondFactorFirst => "second-factor-first".into(),
            Self::PasskeyWrongPassword => "passkey-wrong-password".into(),
            Self::PasskeySecondFactorFirst => "passkey-second-factor-first".into(),
            Self::DeleteNotConfirmed => "delete-not-confirmed".into(),
            Self::DeleteWrongPassword => "delete-wrong-password".into(),
            Self::DeleteWrongCode => "delete-wrong-code".into(),
            Self::DeleteThrottled { retry_after_seconds } => format!("delete-throttled-{retry_after_seconds}"),
            Self::DeleteServiceAccount => "delete-service-account".into(),
            Self::DeleteSoleAdmin => "delete-sole-admin".into(),
            Self::NewEmailEmpty => "new-email-empty".into(),
            Self::NewEmailMalformed => "new-email-malformed".into(),
            Self::NewEmailTooLong => "new-email-too-long".into(),
            Self::NewEmailDomain => "new-email-domain".into(),
            Self::NewEmailSame => "new-email-same".into(),
            Self::EmailWrongPassword => "email-wrong-password".into(),
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "given-name-invalid" => Some(Self::GivenNameInvalid),
            "family-name-invalid" => Some(Self::FamilyNameInvalid),
            "wrong-password" => Some(Self::WrongPassword),
            "mfa-wrong-password" => Some(Self::MfaWrongPassword),
            "second-factor-first" => Some(Self::SecondFactorFirst),
            "passkey-wrong-password" => Some(Self::PasskeyWrongPassword),
            "passkey-second-factor-first" => Some(Self::PasskeySecondFactorFirst),
            "delete-not-confirmed" => Some(Self::DeleteNotConfirmed),
            "delete-wrong-password" => Some(Self::DeleteWrongPassword),
            "delete-wrong-code" => Some(Self::DeleteWrongCode),
            "delete-service-account" => Some(Self::DeleteServiceAccount),
            "delete-sole-admin" => Some(Self::DeleteSoleAdmin),
            "new-email-empty" => Some(Self::NewEmailEmpty),
            "new-email-malformed" => Some(Self::NewEmailMalformed),
            "new-email-too-long" => Some(Self::NewEmailTooLong),
            "new-email-domain" => Some(Self::NewEmailDomain),
            "new-email-same" => Some(Self::NewEmailSame),
            "email-wrong-password" => Some(Self::EmailWrongPassword),
            _ => {
                let seconds = |prefix: &str| value.strip_prefix(prefix)?.parse::<i64>().ok().filter(|s| *s > 0);
                value
                    .strip_prefix("new-")
                    .and_then(NewPasswordError::parse)
                    .map(Self::NewPassword)
                    .or_else(|| {
                        seconds("throttled-").map(|retry_after_seconds| Self::Throttled { retry_after_seconds })
                    })
                    .or_else(|| {
                        seconds("delete-throttled-")
                            .map(|retry_after_seconds| Self::DeleteThrottled { retry_after_seconds })
                    })
            }
        }
    }

    /// The id of the field it belongs to.
    pub fn field(self) -> &'static str {
        match self {
            Self::GivenNameInvalid => "given-name",
            Self::FamilyNameInvalid => "family-name",
            Self::WrongPassword | Self::Throttled { .. } => "current-password",
            Self::NewPassword(NewPasswordError::Mismatch) => "confirm-password",
            Self::NewPassword(_) => "new-password",
            Self::MfaWrongPassword | Self::SecondFactorFirst => "mfa-password",
            Self::PasskeyWrongPassword | Self::PasskeySecondFactorFirst => "passkey-password",
            Self::DeleteNotConfirmed | Self::DeleteServiceAccount | Self::DeleteSoleAdmin => "delete-confirm",
            Self::DeleteWrongPassword => "delete-password",
            Self::DeleteWrongCode | Self::DeleteThrottled { .. } => "delete-code",
            Self::NewEmailEmpty
            | Self::NewEmailMalformed
            | Self::NewEmailTooLong
            | Self::NewEmailDomain
            | Self::NewEmailSame => "new-email",
            Self::EmailWrongPassword => "email-password",
        }
    }
}

/// What the second step of signing in shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactorView {
    /// `false`: the waiting sign-in is over (or there is none).
    pub usable: bool,
    pub error: Option<SecondFactorError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecondFactorError {
    Wrong { tries_left: i64 },
    Throttled { retry_after_seconds: i64 },
}

impl SecondFactorError {
    pub fn to_query(self) -> String {
        match self {
            Self::Wrong { tries_left } => format!("wrong-{tries_left}"),
            Self::Throttled { retry_after_seconds } => format!("throttled-{retry_after_seconds}"),
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        let number = |prefix: &str| value.strip_prefix(prefix).and_then(|n| n.parse::<i64>().ok()).filter(|n| *n >= 0);
        number("wrong-")
            .map(|tries_left| Self::Wrong { tries_left })
            .or_else(|| number("throttled-").filter(|s| *s > 0).map(|s| Self::Throttled { retry_after_seconds: s }))
    }
}

/// What the account has set up as second factors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MfaView {
    pub totp: bool,
    pub recovery_codes_left: i64,
}

/// The page for setting up an authenticator app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpSetupView {
    pub secret_base32: String,
    /// The otpauth:// URI as a QR code (SVG markup drawn by the server).
    pub qr_svg: String,
    /// The last code typed was wrong.
    pub wrong: bool,
}

/// The development outbox as operators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxView {
    /// Whether mail goes out by SMTP now (the outbox then only has old mail).
    pub sending: bool,
    pub mails: Vec<OutboxMailView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMailView {
    /// Unix seconds.
    pub at: i64,
    pub to: String,
    pub subject: String,
    pub text: String,
}

/// A passkey of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyView {
    pub id: String,
    pub name: String,
    /// Unix seconds.
    pub created_at: i64,
    pub last_used_at: Option<i64>,
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
            VerifyNotice::OtherBrowser,
        ];
        for notice in all {
            assert_eq!(VerifyNotice::parse(&notice.to_query()), Some(notice));
        }
        for junk in ["", "wrong-", "wrong--1", "wrong-x", "throttled-0", "resent "] {
            assert_eq!(VerifyNotice::parse(junk), None, "{junk:?}");
        }
    }

    #[test]
    fn account_notices_and_errors_survive_the_query_string() {
        for &notice in AccountNotice::ALL {
            assert_eq!(AccountNotice::parse(notice.as_str()), Some(notice));
        }
        let errors = [
            AccountError::GivenNameInvalid,
            AccountError::FamilyNameInvalid,
            AccountError::WrongPassword,
            AccountError::Throttled { retry_after_seconds: 4 },
            AccountError::NewPassword(NewPasswordError::Common),
            AccountError::NewPassword(NewPasswordError::Mismatch),
            AccountError::MfaWrongPassword,
            AccountError::SecondFactorFirst,
            AccountError::PasskeyWrongPassword,
            AccountError::PasskeySecondFactorFirst,
            AccountError::DeleteNotConfirmed,
            AccountError::DeleteWrongPassword,
            AccountError::DeleteWrongCode,
            AccountError::DeleteThrottled { retry_after_seconds: 60 },
            AccountError::DeleteServiceAccount,
            AccountError::DeleteSoleAdmin,
            AccountError::EmailWrongPassword,
        ];
        for error in errors {
            assert_eq!(AccountError::parse(&error.to_query()), Some(error));
        }
        for junk in ["", "new-", "new-nonsense", "throttled-0", "throttled-x"] {
            assert_eq!(AccountError::parse(junk), None, "{junk:?}");
        }
        for error in
            [SecondFactorError::Wrong { tries_left: 0 }, SecondFactorError::Throttled { retry_after_seconds: 9 }]
        {
            assert_eq!(SecondFactorError::parse(&error.to_query()), Some(error));
        }
        assert_eq!(SecondFactorError::parse("throttled-0"), None);
    }
}
