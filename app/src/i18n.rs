//! German and English. The language comes from the `sanus_locale` cookie
//! (set by the switcher), else from `Accept-Language`, else English. The
//! server renders `<html lang>` with it, and the browser starts from that
//! attribute, so both sides hydrate the same words.

mod admin;
mod organizations;
mod portal;
mod professions;
pub use admin::AdminTexts;
pub use organizations::OrgTexts;
pub use portal::PortalTexts;
pub use professions::{ProfTexts, note_text, problem_text};

use leptos::prelude::*;

/// Name of the cookie that remembers the chosen language.
pub const LOCALE_COOKIE: &str = "sanus_locale";
/// How long the choice is remembered: one year.
pub const LOCALE_COOKIE_MAX_AGE: u32 = 365 * 24 * 60 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    #[default]
    En,
    De,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::De];

    /// The BCP 47 tag, as in `<html lang>` and the cookie.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
        }
    }

    /// The language's name in that language, for the switcher.
    pub fn endonym(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::De => "Deutsch",
        }
    }

    /// Accepts a tag like `de`, `DE` or `de-AT` (the primary subtag decides).
    pub fn parse(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        Self::ALL.into_iter().find(|l| l.as_str().eq_ignore_ascii_case(primary))
    }

    /// The best supported language of an `Accept-Language` header (RFC 9110
    /// §12.5.4): highest weight first, the header's order among equals,
    /// `q=0` never. `None` when nothing supported is acceptable.
    pub fn negotiate(accept_language: &str) -> Option<Self> {
        let mut best: Option<(Self, u16)> = None;
        for item in accept_language.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let weight = parts.find_map(|p| p.trim().strip_prefix("q=").map(parse_weight)).unwrap_or(Some(1000));
            let (Some(locale), Some(weight)) = (Self::parse(tag), weight) else {
                continue;
            };
            if weight > 0 && best.is_none_or(|(_, w)| weight > w) {
                best = Some((locale, weight));
            }
        }
        best.map(|(locale, _)| locale)
    }

    /// The value of the locale cookie in a `Cookie` header, if valid.
    /// The first supported language of an OpenID Connect `ui_locales`
    /// (space-separated tags, most preferred first).
    pub fn from_ui_locales(ui_locales: &str) -> Option<Self> {
        ui_locales.split(' ').filter(|tag| !tag.is_empty()).find_map(Self::parse)
    }

    pub fn from_cookie_header(cookie: &str) -> Option<Self> {
        cookie.split(';').find_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            (name.trim() == LOCALE_COOKIE).then(|| Self::parse(value.trim())).flatten()
        })
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Self::En => &EN,
            Self::De => &DE,
        }
    }
}

/// A weight `0`, `0.5`, `1.000` as thousandths; `None` when malformed.
fn parse_weight(value: &str) -> Option<u16> {
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac_value: u16 = format!("{frac:0<3}").parse().ok()?;
    match int {
        "0" => Some(frac_value),
        "1" if frac_value == 0 => Some(1000),
        _ => None,
    }
}

/// Every text of the UI, once per language: a missing translation does not compile.
#[derive(Debug)]
pub struct Texts {
    /// The organisation pages.
    pub org: &'static OrgTexts,
    /// The professional-profile and verification pages.
    pub prof: &'static ProfTexts,
    /// The developer portal.
    pub portal: &'static PortalTexts,
    /// The operators' console.
    pub admin: &'static AdminTexts,
    pub skip_to_content: &'static str,
    pub brand_tagline: &'static str,
    pub nav_label: &'static str,
    pub nav_home: &'static str,
    pub nav_sign_in: &'static str,
    pub language: &'static str,
    pub footer: &'static str,
    pub home_title: &'static str,
    pub home_heading: &'static str,
    pub home_lead: &'static str,
    pub home_cta_sign_in: &'static str,
    pub home_features_heading: &'static str,
    pub home_features: [(&'static str, &'static str); 4],
    pub sign_in_title: &'static str,
    pub sign_in_heading: &'static str,
    pub sign_in_lead: &'static str,
    pub email_label: &'static str,
    pub password_label: &'static str,
    pub sign_in_submit: &'static str,
    pub not_found_title: &'static str,
    pub not_found_heading: &'static str,
    pub not_found_text: &'static str,
    pub not_found_home: &'static str,
    pub flow_error_title: &'static str,
    pub flow_error_unknown_client: &'static str,
    pub flow_error_redirect: &'static str,
    pub flow_error_malformed: &'static str,
    pub flow_error_expired: &'static str,
    pub flow_error_next_step: &'static str,
    pub interaction_sign_in_to: &'static str,
    pub interaction_invalid_credentials: &'static str,
    /// The right password (or passkey) of a locked account.
    pub account_locked: &'static str,
    pub account_locked_title: &'static str,
    /// `{seconds}` is replaced by the wait.
    pub interaction_throttled: &'static str,
    /// Too many sign-ins at once: the password was not checked.
    pub sign_in_busy: &'static str,
    pub interaction_consent_title: &'static str,
    pub interaction_consent_lead: &'static str,
    pub interaction_signed_in_as: &'static str,
    pub interaction_allow: &'static str,
    pub interaction_deny: &'static str,
    pub interaction_policy: &'static str,
    pub interaction_terms: &'static str,
    pub scope_openid: &'static str,
    pub scope_profile: &'static str,
    pub scope_email: &'static str,
    pub scope_offline_access: &'static str,
    pub scope_tenant_ids: &'static str,
    pub scope_tenants: &'static str,
    pub scope_permissions_core: &'static str,
    pub scope_permissions_app: &'static str,
    pub scope_licenses: &'static str,
    pub scope_profession: &'static str,
    pub scope_professional_profile: &'static str,
    pub scope_other: &'static str,
    pub logout_confirm_title: &'static str,
    pub logout_confirm_text: &'static str,
    pub logout_confirm_button: &'static str,
    pub logged_out_title: &'static str,
    pub logged_out_text: &'static str,
    pub forgot_link: &'static str,
    pub forgot_title: &'static str,
    pub forgot_heading: &'static str,
    pub forgot_lead: &'static str,
    pub forgot_submit: &'static str,
    pub forgot_sent: &'static str,
    pub forgot_throttled: &'static str,
    pub reset_title: &'static str,
    pub reset_heading: &'static str,
    pub reset_new_label: &'static str,
    pub reset_confirm_label: &'static str,
    /// `{min}` is replaced by the rule's minimum length.
    pub reset_hint: &'static str,
    pub reset_submit: &'static str,
    pub reset_unusable: &'static str,
    pub reset_request_new: &'static str,
    /// `{min}` and `{max}` are replaced by the rule's bounds.
    pub password_too_short: &'static str,
    pub password_too_long: &'static str,
    pub password_common: &'static str,
    pub password_same_as_email: &'static str,
    pub password_mismatch: &'static str,
    pub changed_title: &'static str,
    pub changed_heading: &'static str,
    pub changed_text: &'static str,
    pub server_error_text: &'static str,
    pub verify_other_browser: &'static str,
    pub confirm_link_password_label: &'static str,
    pub passkeys_heading: &'static str,
    pub passkeys_text: &'static str,
    pub passkeys_none: &'static str,
    pub passkey_name_label: &'static str,
    pub passkey_add: &'static str,
    pub passkey_remove: &'static str,
    pub passkey_added: &'static str,
    pub passkey_removed: &'static str,
    pub passkeys_need_js: &'static str,
    pub passkeys_off: &'static str,
    pub passkey_sign_in: &'static str,
    pub passkey_cancelled: &'static str,
    pub passkey_failed: &'static str,
    pub passkey_added_on: &'static str,
    pub passkey_last_used: &'static str,
    pub passkey_never_used: &'static str,
    pub operator_heading: &'static str,
    pub operator_outbox_link: &'static str,
    pub outbox_title: &'static str,
    pub outbox_heading: &'static str,
    pub outbox_lead: &'static str,
    pub outbox_sending: &'static str,
    pub outbox_empty: &'static str,
    pub outbox_to: &'static str,
    pub operator_only: &'static str,
    pub email_change_label: &'static str,
    pub email_change_hint: &'static str,
    pub email_change_submit: &'static str,
    pub new_email_same: &'static str,
    pub new_email_domain: &'static str,
    pub email_changed: &'static str,
    pub data_heading: &'static str,
    pub data_text: &'static str,
    pub data_export: &'static str,
    pub delete_heading: &'static str,
    pub delete_text: &'static str,
    pub delete_code_label: &'static str,
    pub delete_confirm_label: &'static str,
    pub delete_submit: &'static str,
    pub delete_not_confirmed: &'static str,
    pub delete_wrong_code: &'static str,
    pub delete_service_account: &'static str,
    pub delete_sole_admin: &'static str,
    pub deleted_title: &'static str,
    pub deleted_heading: &'static str,
    pub deleted_text: &'static str,
    pub second_factor_title: &'static str,
    pub second_factor_heading: &'static str,
    pub second_factor_lead: &'static str,
    pub second_factor_label: &'static str,
    pub second_factor_submit: &'static str,
    pub second_factor_wrong: &'static str,
    pub second_factor_expired: &'static str,
    pub second_factor_restart: &'static str,
    pub mfa_heading: &'static str,
    pub mfa_off: &'static str,
    pub mfa_on: &'static str,
    pub mfa_setup: &'static str,
    pub mfa_codes_left: &'static str,
    pub mfa_password_label: &'static str,
    pub mfa_new_codes: &'static str,
    pub mfa_remove: &'static str,
    pub totp_removed: &'static str,
    pub totp_title: &'static str,
    pub totp_heading: &'static str,
    pub totp_scan: &'static str,
    pub totp_qr_alt: &'static str,
    pub totp_key: &'static str,
    pub totp_enter: &'static str,
    pub totp_code_label: &'static str,
    pub totp_submit: &'static str,
    pub totp_wrong: &'static str,
    pub totp_cancel: &'static str,
    pub codes_title: &'static str,
    pub codes_heading: &'static str,
    pub codes_lead: &'static str,
    pub codes_done: &'static str,
    pub account_title: &'static str,
    pub account_heading: &'static str,
    pub account_signed_in_as: &'static str,
    pub email_unconfirmed: &'static str,
    pub profile_heading: &'static str,
    pub profile_submit: &'static str,
    pub profile_saved: &'static str,
    pub password_heading: &'static str,
    pub current_password_label: &'static str,
    pub password_submit: &'static str,
    pub password_changed: &'static str,
    pub wrong_password: &'static str,
    pub second_factor_first: &'static str,
    pub passkey_remove_label: &'static str,
    pub passkey_remove_password_label: &'static str,
    pub sessions_heading: &'static str,
    pub session_current: &'static str,
    pub session_unknown_device: &'static str,
    pub session_started: &'static str,
    pub session_last_used: &'static str,
    pub session_end: &'static str,
    pub sessions_end_others: &'static str,
    pub session_ended: &'static str,
    pub others_ended: &'static str,
    pub apps_heading: &'static str,
    pub apps_none: &'static str,
    pub app_allowed: &'static str,
    pub app_disconnect: &'static str,
    pub app_disconnected: &'static str,
    pub sign_out: &'static str,
    pub register_link: &'static str,
    pub register_title: &'static str,
    pub register_heading: &'static str,
    pub register_lead: &'static str,
    pub register_domains_hint: &'static str,
    pub register_closed: &'static str,
    pub register_errors: &'static str,
    pub register_throttled: &'static str,
    pub given_name_label: &'static str,
    pub family_name_label: &'static str,
    pub optional: &'static str,
    pub confirm_password_label: &'static str,
    pub register_terms_before: &'static str,
    pub register_terms_link: &'static str,
    pub register_privacy: &'static str,
    pub register_submit: &'static str,
    pub register_have_account: &'static str,
    pub email_empty: &'static str,
    pub email_malformed: &'static str,
    pub email_too_long: &'static str,
    pub email_domain: &'static str,
    pub name_invalid: &'static str,
    pub terms_not_accepted: &'static str,
    pub verify_title: &'static str,
    pub verify_heading: &'static str,
    pub verify_lead: &'static str,
    pub verify_code_label: &'static str,
    pub verify_submit: &'static str,
    pub verify_wrong: &'static str,
    pub verify_unusable: &'static str,
    pub verify_throttled: &'static str,
    pub verify_resend: &'static str,
    pub verify_resent: &'static str,
    pub verify_too_soon: &'static str,
    pub verify_daily_limit: &'static str,
    pub verify_skip: &'static str,
    pub confirm_title: &'static str,
    pub confirm_heading: &'static str,
    pub confirm_lead: &'static str,
    pub confirm_submit: &'static str,
    pub confirm_not_you: &'static str,
    pub confirm_unusable: &'static str,
    pub confirmed_title: &'static str,
    pub confirmed_heading: &'static str,
    pub confirmed_text: &'static str,
}

impl Texts {
    /// What a scope means, in words a person understands.
    pub fn scope(&self, scope: &str) -> String {
        match scope {
            "openid" => self.scope_openid.to_string(),
            "profile" => self.scope_profile.to_string(),
            "email" => self.scope_email.to_string(),
            "offline_access" | "offline" => self.scope_offline_access.to_string(),
            "tenant_ids" => self.scope_tenant_ids.to_string(),
            "tenants" => self.scope_tenants.to_string(),
            "permissions_core" => self.scope_permissions_core.to_string(),
            "permissions_app" => self.scope_permissions_app.to_string(),
            "licenses" => self.scope_licenses.to_string(),
            "profession" => self.scope_profession.to_string(),
            "professional_profile" => self.scope_professional_profile.to_string(),
            other => format!("{} ({other})", self.scope_other),
        }
    }
}

pub static EN: Texts = Texts {
    org: &organizations::EN,
    prof: &professions::EN,
    portal: &portal::EN,
    admin: &admin::EN,
    skip_to_content: "Skip to content",
    brand_tagline: "Identity for digital health",
    nav_label: "Main",
    nav_home: "Home",
    nav_sign_in: "Sign in",
    language: "Language",
    footer: "Sanus is open-source identity for digital health.",
    home_title: "Sanus – identity for digital health",
    home_heading: "One account for everyone in health care",
    home_lead: "Sanus signs people in to health apps with OpenID Connect. One account works across \
                every practice, hospital ward and care home a person belongs to, and verified \
                professional data reaches an app only when its owner agrees.",
    home_cta_sign_in: "Sign in",
    home_features_heading: "What Sanus does",
    home_features: [
        ("Standard sign-in", "OpenID Connect and OAuth 2 with PKCE, for any standard client library."),
        ("Organisations", "Organisations with departments, members, invitations and roles per app."),
        (
            "Verified professionals",
            "Registry numbers such as the LANR are checked, verified and shared only on consent.",
        ),
        ("Yours to run", "One binary with an embedded database, or PostgreSQL for several instances."),
    ],
    sign_in_title: "Sign in – Sanus",
    sign_in_heading: "Sign in",
    sign_in_lead: "Sign in to manage your Sanus account: your details, password, sessions and connected apps.",
    email_label: "E-mail address",
    password_label: "Password",
    sign_in_submit: "Sign in",
    not_found_title: "Page not found – Sanus",
    not_found_heading: "Page not found",
    not_found_text: "There is no page at this address. Check the address for typing errors, \
                     or start again from the home page.",
    not_found_home: "Go to the home page",
    flow_error_title: "Sign-in cannot continue – Sanus",
    flow_error_unknown_client: "The application that sent you here is not registered with Sanus.",
    flow_error_redirect: "The application asked Sanus to send you to an address it has not registered. \
                          To protect you, Sanus stops here.",
    flow_error_malformed: "The sign-in request from the application is incomplete.",
    flow_error_expired: "This sign-in page has expired or was already used.",
    flow_error_next_step: "Go back to the application and start the sign-in again. If this keeps \
                           happening, tell the application's operator.",
    interaction_sign_in_to: "Sign in to continue to",
    interaction_invalid_credentials: "The e-mail address or the password is not correct. Check both and try again.",
    account_locked: "This account is locked, so it cannot sign in. Ask the people who run this service for you \
                     (your IT department or support) to unlock it.",
    account_locked_title: "Account locked",
    interaction_throttled: "Too many failed attempts. Try again in {seconds} s. \
                            If you have forgotten your password, ask the application's operator for help.",
    sign_in_busy: "Very many people are signing in right now, so your password could not be checked. \
                   Please try again in a moment.",
    interaction_consent_title: "Allow access – Sanus",
    interaction_consent_lead: "wants to:",
    interaction_signed_in_as: "Signed in as",
    interaction_allow: "Allow",
    interaction_deny: "Deny",
    interaction_policy: "Privacy policy",
    interaction_terms: "Terms of use",
    scope_openid: "Know who you are (your Sanus account id)",
    scope_profile: "See your name and preferred language",
    scope_email: "See your e-mail address",
    scope_offline_access: "Stay connected while you are not using it",
    scope_tenant_ids: "Know which organisations and departments you belong to",
    scope_tenants: "See the names of your organisations and departments",
    scope_permissions_core: "See your roles in your organisations",
    scope_permissions_app: "See what you may do in this app in each organisation",
    scope_licenses: "See your organisations' licenses for this app",
    scope_profession: "Know your health profession and whether it is verified",
    scope_professional_profile: "See the professional details you choose below (registry numbers, specialty, workplace)",
    scope_other: "Use an application permission",
    logout_confirm_title: "Sign out – Sanus",
    logout_confirm_text: "Do you want to sign out of Sanus? You will need to sign in again in every application.",
    logout_confirm_button: "Sign out",
    logged_out_title: "You are signed out – Sanus",
    logged_out_text: "You are signed out of Sanus. You can close this window.",
    forgot_link: "Forgot your password?",
    forgot_title: "Reset your password – Sanus",
    forgot_heading: "Reset your password",
    forgot_lead: "Enter the e-mail address of your account. We will send you a link to choose a new password.",
    forgot_submit: "Send the link",
    forgot_sent: "If an account with this address exists, we have sent a link to it. It works once, for 30 minutes. Check your spam folder if it does not arrive within a few minutes.",
    forgot_throttled: "Many links were asked for from your network lately. Try again in {seconds} s.",
    reset_title: "Choose a new password – Sanus",
    reset_heading: "Choose a new password",
    reset_new_label: "New password",
    reset_confirm_label: "New password again",
    reset_hint: "At least {min} characters. A few unrelated words are easy to remember and hard to guess.",
    reset_submit: "Save the new password",
    reset_unusable: "This link has expired or was already used. Ask for a new one.",
    reset_request_new: "Ask for a new link",
    password_too_short: "The password needs at least {min} characters.",
    password_too_long: "The password may have at most {max} characters.",
    password_common: "This password is one of the most common ones and easy to guess. Choose another.",
    password_same_as_email: "The password must not be your e-mail address. Choose another.",
    password_mismatch: "The two passwords are not the same. Type the new password twice.",
    changed_title: "Password changed – Sanus",
    changed_heading: "Your password is changed",
    changed_text: "You were signed out everywhere. Go back to the application and sign in with your new password.",
    server_error_text: "Something went wrong on our side. Try again in a moment; if it keeps happening, tell the operator.",
    verify_other_browser: "This code works only in the browser you signed up in. Open the link in the mail instead: it asks for your password.",
    confirm_link_password_label: "Your password (the one you chose when signing up)",
    passkeys_heading: "Passkeys",
    passkeys_text: "Sign in with your fingerprint, face or device PIN instead of a password, on this device or your phone. A passkey counts as two factors.",
    passkeys_none: "No passkeys yet.",
    passkey_name_label: "Name of the new passkey (e.g. \"Work laptop\")",
    passkey_add: "Add a passkey",
    passkey_remove: "Remove passkey",
    passkey_added: "The passkey is added: you can sign in with it now.",
    passkey_removed: "The passkey is removed.",
    passkeys_need_js: "Adding a passkey needs JavaScript.",
    passkeys_off: "Passkeys are not available here: this Sanus has no domain name.",
    passkey_sign_in: "Sign in with a passkey",
    passkey_cancelled: "No passkey was used. Try again, or sign in with your password.",
    passkey_failed: "The passkey was not accepted. Try again, or sign in with your password.",
    passkey_added_on: "Added",
    passkey_last_used: "last used",
    passkey_never_used: "not used yet",
    operator_heading: "Operating Sanus",
    operator_outbox_link: "Development outbox: the mail Sanus would have sent",
    outbox_title: "Development outbox – Sanus",
    outbox_heading: "Development outbox",
    outbox_lead: "No mail leaves this server: mail.smtp_url is not set. These are the newest 50 mails Sanus would have sent. Their links act for their recipients, so keep this page to yourself.",
    outbox_sending: "Mail is sent through SMTP on this server; the outbox keeps only what was written before that.",
    outbox_empty: "No mail yet.",
    outbox_to: "To",
    operator_only: "Only operators can see this page. An operator is made on the server with: sanus admin grant EMAIL operator",
    email_change_label: "New e-mail address",
    email_change_hint: "We send a code to the new address; the change happens once you confirm it there.",
    email_change_submit: "Change e-mail address",
    new_email_same: "That is your address already.",
    new_email_domain: "Addresses at this domain cannot be used here.",
    email_changed: "Your e-mail address is changed. The old address got a note about it.",
    data_heading: "Your data",
    data_text: "Download everything Sanus keeps about you as a JSON file: your details, sessions, connected apps, grants and security events. Never passwords, codes or keys.",
    data_export: "Download my data",
    delete_heading: "Delete your account",
    delete_text: "This removes your account with your sessions, connected apps and second factors at once; apps can no longer sign you in. It cannot be undone.",
    delete_code_label: "Code from your authenticator app, or a recovery code",
    delete_confirm_label: "Yes, delete my account and everything in it",
    delete_submit: "Delete my account",
    delete_not_confirmed: "Tick the box to confirm that your account should be deleted.",
    delete_wrong_code: "That code is not right.",
    delete_service_account: "A service signs in as this account, so it cannot delete itself. Ask the operator.",
    delete_sole_admin: "You are the only Admin of an organisation. Make another member Admin (or leave it to someone) under Organisations first, then delete your account.",
    deleted_title: "Account deleted – Sanus",
    deleted_heading: "Your account is deleted",
    deleted_text: "Everything personal went with it, and apps can no longer sign you in. You can create a new account with the same address at any time.",
    second_factor_title: "One more step – Sanus",
    second_factor_heading: "One more step",
    second_factor_lead: "Enter the six-digit code your authenticator app shows for Sanus. Phone not at hand? Enter one of your recovery codes instead.",
    second_factor_label: "Code",
    second_factor_submit: "Continue",
    second_factor_wrong: "That code is not right. {tries} more tries.",
    second_factor_expired: "This sign-in has ended: it is older than ten minutes, or the code was mistyped too often. Please sign in again.",
    second_factor_restart: "Sign in again",
    mfa_heading: "Two-step sign-in",
    mfa_off: "Off. With an authenticator app (such as Aegis, FreeOTP or Google Authenticator) signing in also asks for a code from your phone, so a stolen password alone is not enough.",
    mfa_on: "On: signing in asks for a code from your authenticator app.",
    mfa_setup: "Set up an authenticator app",
    mfa_codes_left: "{count} of 10 recovery codes left.",
    mfa_password_label: "Current password, to confirm",
    mfa_new_codes: "Make new recovery codes",
    mfa_remove: "Turn off two-step sign-in",
    totp_removed: "Two-step sign-in is off, and your recovery codes no longer work.",
    totp_title: "Set up an authenticator app – Sanus",
    totp_heading: "Set up an authenticator app",
    totp_scan: "1. Scan this code with your authenticator app.",
    totp_qr_alt: "QR code for your authenticator app",
    totp_key: "No camera? Type this key into the app instead:",
    totp_enter: "2. Enter the six-digit code the app now shows.",
    totp_code_label: "Code from the app",
    totp_submit: "Turn on",
    totp_wrong: "That code is not right. Check that the time on your phone is correct, and enter the newest code.",
    totp_cancel: "Back to your account",
    codes_title: "Your recovery codes – Sanus",
    codes_heading: "Save your recovery codes",
    codes_lead: "Each code signs you in once when your phone is not at hand. Keep them somewhere safe, for example in a password manager or printed out: they are shown only now, and earlier codes no longer work.",
    codes_done: "I have saved them",
    account_title: "Your account – Sanus",
    account_heading: "Your account",
    account_signed_in_as: "Signed in as",
    email_unconfirmed: "not confirmed yet",
    profile_heading: "Profile",
    profile_submit: "Save",
    profile_saved: "Your details are saved.",
    password_heading: "Password",
    current_password_label: "Current password",
    password_submit: "Change password",
    password_changed: "Your password is changed. Every other session is signed out, and apps will ask you to sign in again.",
    wrong_password: "That is not your current password.",
    second_factor_first: "Once a second factor is set up, a password alone no longer changes how you sign in: sign out, sign in again with your authenticator app or a passkey, and try again.",
    passkey_remove_label: "Passkey",
    passkey_remove_password_label: "Current password, to remove it",
    sessions_heading: "Where you are signed in",
    session_current: "This browser",
    session_unknown_device: "Unknown device",
    session_started: "Signed in",
    session_last_used: "last used",
    session_end: "Sign out there",
    sessions_end_others: "Sign out everywhere else",
    session_ended: "That session is signed out, and what it signed in to has ended.",
    others_ended: "All other sessions are signed out.",
    apps_heading: "Connected apps",
    apps_none: "You have not allowed any app to use your account yet.",
    app_allowed: "Allowed",
    app_disconnect: "Remove access",
    app_disconnected: "The app's access is removed; it has to ask you again next time.",
    sign_out: "Sign out",
    register_link: "No account yet? Create one",
    register_title: "Create an account – Sanus",
    register_heading: "Create your Sanus account",
    register_lead: "One account for every app and organisation that uses Sanus. We will send you a code to confirm your e-mail address.",
    register_domains_hint: "Registration is open to addresses at {domains}.",
    register_closed: "Registration is closed here. Ask the organisation that runs this service for an invitation.",
    register_throttled: "Many accounts were created from your network lately. Try again in {seconds} s.",
    register_errors: "The account was not created. Correct the marked fields and send the form again.",
    given_name_label: "Given name",
    family_name_label: "Family name",
    optional: "optional",
    confirm_password_label: "Password again",
    register_terms_before: "I accept the",
    register_terms_link: "terms of use",
    register_privacy: "How we handle your data: privacy notice",
    register_submit: "Create account",
    register_have_account: "Already have an account? Sign in",
    email_empty: "Enter your e-mail address.",
    email_malformed: "This does not look like an e-mail address. It should look like name@example.org.",
    email_too_long: "An e-mail address has at most 254 characters.",
    email_domain: "Only addresses at {domains} can register here. Use your address there.",
    name_invalid: "A name has at most {max_name} characters here, on one line, without invisible formatting characters.",
    terms_not_accepted: "To create an account, accept the terms of use.",
    verify_title: "Confirm your e-mail address – Sanus",
    verify_heading: "Check your mail",
    verify_lead: "We have sent a six-digit code to the address you entered. Type it here, or open the link in the mail. No mail within a few minutes? Look in the spam folder.",
    verify_code_label: "Code from the mail",
    verify_submit: "Confirm",
    verify_wrong: "That code is not right. {tries} more tries, then ask for a new code.",
    verify_unusable: "This code no longer works: it is older than 15 minutes, was mistyped too often, or a newer one was sent. Ask for a new code.",
    verify_throttled: "Too many wrong codes. Try again in {seconds} s.",
    verify_resend: "Send a new code",
    verify_resent: "A new mail is on its way. Codes and links from earlier mails no longer work.",
    verify_too_soon: "A mail was sent less than a minute ago. Look in your inbox and spam folder, or ask again in a minute.",
    verify_daily_limit: "Ten mails were sent today, the most we send in a day. Use the newest one, or ask again tomorrow.",
    verify_skip: "Confirm later and continue",
    confirm_title: "Confirm your e-mail address – Sanus",
    confirm_heading: "Confirm your e-mail address",
    confirm_lead: "Confirm that this address is yours:",
    confirm_submit: "Confirm my address",
    confirm_not_you: "Did you not create a Sanus account? Then do not confirm: close this page, and nothing happens.",
    confirm_unusable: "This link no longer works: it was used already, is older than 24 hours, or a newer mail was sent. Sign in to get a new one.",
    confirmed_title: "E-mail address confirmed – Sanus",
    confirmed_heading: "Your e-mail address is confirmed",
    confirmed_text: "You can now sign in to the apps that use Sanus. You may close this tab.",
};

pub static DE: Texts = Texts {
    org: &organizations::DE,
    prof: &professions::DE,
    portal: &portal::DE,
    admin: &admin::DE,
    skip_to_content: "Zum Inhalt springen",
    brand_tagline: "Identität für die digitale Gesundheit",
    nav_label: "Hauptnavigation",
    nav_home: "Startseite",
    nav_sign_in: "Anmelden",
    language: "Sprache",
    footer: "Sanus ist quelloffene Identität für die digitale Gesundheit.",
    home_title: "Sanus – Identität für die digitale Gesundheit",
    home_heading: "Ein Konto für alle im Gesundheitswesen",
    home_lead: "Sanus meldet Menschen mit OpenID Connect bei Gesundheits-Apps an. Ein Konto gilt in \
                jeder Praxis, jeder Klinikstation und jedem Pflegeheim, zu dem jemand gehört, und \
                geprüfte Berufsangaben erhält eine App nur mit Zustimmung.",
    home_cta_sign_in: "Anmelden",
    home_features_heading: "Was Sanus leistet",
    home_features: [
        ("Standard-Anmeldung", "OpenID Connect und OAuth 2 mit PKCE, für jede übliche Client-Bibliothek."),
        ("Organisationen", "Organisationen mit Abteilungen, Mitgliedern, Einladungen und Rollen je App."),
        (
            "Geprüfte Fachleute",
            "Registernummern wie die LANR werden geprüft, verifiziert und nur mit Zustimmung geteilt.",
        ),
        ("Selbst betrieben", "Ein Programm mit eingebetteter Datenbank, oder PostgreSQL für mehrere Instanzen."),
    ],
    sign_in_title: "Anmelden – Sanus",
    sign_in_heading: "Anmelden",
    sign_in_lead: "Melden Sie sich an, um Ihr Sanus-Konto zu verwalten: Ihre Angaben, Ihr Passwort, Sitzungen und verbundene Apps.",
    email_label: "E-Mail-Adresse",
    password_label: "Passwort",
    sign_in_submit: "Anmelden",
    not_found_title: "Seite nicht gefunden – Sanus",
    not_found_heading: "Seite nicht gefunden",
    not_found_text: "Unter dieser Adresse gibt es keine Seite. Prüfen Sie die Adresse auf \
                     Tippfehler, oder beginnen Sie auf der Startseite.",
    not_found_home: "Zur Startseite",
    flow_error_title: "Anmeldung nicht möglich – Sanus",
    flow_error_unknown_client: "Die Anwendung, die Sie hierher geschickt hat, ist bei Sanus nicht registriert.",
    flow_error_redirect: "Die Anwendung möchte Sie an eine Adresse weiterleiten lassen, die sie nicht \
                          registriert hat. Zu Ihrem Schutz hält Sanus hier an.",
    flow_error_malformed: "Die Anmeldeanfrage der Anwendung ist unvollständig.",
    flow_error_expired: "Diese Anmeldeseite ist abgelaufen oder wurde bereits verwendet.",
    flow_error_next_step: "Kehren Sie zur Anwendung zurück und beginnen Sie die Anmeldung erneut. \
                           Wenn das wiederholt passiert, informieren Sie den Betreiber der Anwendung.",
    interaction_sign_in_to: "Anmelden, um fortzufahren zu",
    interaction_invalid_credentials: "E-Mail-Adresse oder Passwort stimmen nicht. Prüfen Sie beides und versuchen \
                                      Sie es erneut.",
    account_locked: "Dieses Konto ist gesperrt und kann sich nicht anmelden. Bitten Sie die Betreiber dieses \
                     Dienstes (Ihre IT-Abteilung oder den Support), es zu entsperren.",
    account_locked_title: "Konto gesperrt",
    interaction_throttled: "Zu viele fehlgeschlagene Versuche. Versuchen Sie es in {seconds} s erneut. Wenn Sie \
                            Ihr Passwort vergessen haben, wenden Sie sich an den Betreiber der Anwendung.",
    sign_in_busy: "Gerade melden sich sehr viele Menschen an, deshalb konnte Ihr Passwort nicht geprüft werden. \
                   Bitte versuchen Sie es gleich noch einmal.",
    interaction_consent_title: "Zugriff erlauben – Sanus",
    interaction_consent_lead: "möchte:",
    interaction_signed_in_as: "Angemeldet als",
    interaction_allow: "Erlauben",
    interaction_deny: "Ablehnen",
    interaction_policy: "Datenschutzerklärung",
    interaction_terms: "Nutzungsbedingungen",
    scope_openid: "Wissen, wer Sie sind (Ihre Sanus-Kontokennung)",
    scope_profile: "Ihren Namen und Ihre bevorzugte Sprache sehen",
    scope_email: "Ihre E-Mail-Adresse sehen",
    scope_offline_access: "Verbunden bleiben, auch wenn Sie die Anwendung nicht nutzen",
    scope_tenant_ids: "Wissen, zu welchen Organisationen und Abteilungen Sie gehören",
    scope_tenants: "Die Namen Ihrer Organisationen und Abteilungen sehen",
    scope_permissions_core: "Ihre Rollen in Ihren Organisationen sehen",
    scope_permissions_app: "Sehen, was Sie in dieser Anwendung in jeder Organisation dürfen",
    scope_licenses: "Die Lizenzen Ihrer Organisationen für diese Anwendung sehen",
    scope_profession: "Ihren Gesundheitsberuf kennen und wissen, ob er verifiziert ist",
    scope_professional_profile: "Die beruflichen Angaben sehen, die Sie unten auswählen (Registernummern, Fachgebiet, Arbeitsstätte)",
    scope_other: "Eine Anwendungsberechtigung nutzen",
    logout_confirm_title: "Abmelden – Sanus",
    logout_confirm_text: "Möchten Sie sich von Sanus abmelden? Sie müssen sich danach in jeder Anwendung neu anmelden.",
    logout_confirm_button: "Abmelden",
    logged_out_title: "Sie sind abgemeldet – Sanus",
    logged_out_text: "Sie sind von Sanus abgemeldet. Sie können dieses Fenster schließen.",
    forgot_link: "Passwort vergessen?",
    forgot_title: "Passwort zurücksetzen – Sanus",
    forgot_heading: "Passwort zurücksetzen",
    forgot_lead: "Geben Sie die E-Mail-Adresse Ihres Kontos ein. Wir senden Ihnen einen Link, mit dem Sie ein neues Passwort wählen.",
    forgot_submit: "Link senden",
    forgot_sent: "Wenn es ein Konto mit dieser Adresse gibt, haben wir einen Link dorthin gesendet. Er funktioniert einmal und 30 Minuten lang. Sehen Sie im Spam-Ordner nach, wenn er nicht in wenigen Minuten ankommt.",
    forgot_throttled: "Aus Ihrem Netz wurden zuletzt viele Links angefordert. Versuchen Sie es in {seconds} s erneut.",
    reset_title: "Neues Passwort wählen – Sanus",
    reset_heading: "Neues Passwort wählen",
    reset_new_label: "Neues Passwort",
    reset_confirm_label: "Neues Passwort wiederholen",
    reset_hint: "Mindestens {min} Zeichen. Einige Wörter ohne Zusammenhang sind leicht zu merken und schwer zu erraten.",
    reset_submit: "Neues Passwort speichern",
    reset_unusable: "Dieser Link ist abgelaufen oder wurde schon benutzt. Fordern Sie einen neuen an.",
    reset_request_new: "Neuen Link anfordern",
    password_too_short: "Das Passwort braucht mindestens {min} Zeichen.",
    password_too_long: "Das Passwort darf höchstens {max} Zeichen haben.",
    password_common: "Dieses Passwort gehört zu den häufigsten und ist leicht zu erraten. Wählen Sie ein anderes.",
    password_same_as_email: "Das Passwort darf nicht Ihre E-Mail-Adresse sein. Wählen Sie ein anderes.",
    password_mismatch: "Die beiden Passwörter stimmen nicht überein. Geben Sie das neue Passwort zweimal ein.",
    changed_title: "Passwort geändert – Sanus",
    changed_heading: "Ihr Passwort ist geändert",
    changed_text: "Sie wurden überall abgemeldet. Kehren Sie zur Anwendung zurück und melden Sie sich mit dem neuen Passwort an.",
    server_error_text: "Bei uns ist etwas schiefgegangen. Versuchen Sie es gleich noch einmal; wenn es wieder passiert, informieren Sie den Betreiber.",
    verify_other_browser: "Dieser Code funktioniert nur in dem Browser, in dem Sie sich registriert haben. Öffnen Sie stattdessen den Link in der E-Mail: Er fragt nach Ihrem Passwort.",
    confirm_link_password_label: "Ihr Passwort (das Sie bei der Registrierung gewählt haben)",
    passkeys_heading: "Passkeys",
    passkeys_text: "Melden Sie sich mit Fingerabdruck, Gesicht oder Geräte-PIN statt mit einem Passwort an, auf diesem Gerät oder mit Ihrem Telefon. Ein Passkey zählt als zwei Faktoren.",
    passkeys_none: "Noch keine Passkeys.",
    passkey_name_label: "Name des neuen Passkeys (z. B. „Dienst-Laptop“)",
    passkey_add: "Passkey hinzufügen",
    passkey_remove: "Passkey entfernen",
    passkey_added: "Der Passkey ist hinzugefügt: Sie können sich jetzt damit anmelden.",
    passkey_removed: "Der Passkey ist entfernt.",
    passkeys_need_js: "Zum Hinzufügen eines Passkeys wird JavaScript benötigt.",
    passkeys_off: "Passkeys sind hier nicht verfügbar: Dieses Sanus hat keinen Domainnamen.",
    passkey_sign_in: "Mit einem Passkey anmelden",
    passkey_cancelled: "Es wurde kein Passkey verwendet. Versuchen Sie es erneut oder melden Sie sich mit Ihrem Passwort an.",
    passkey_failed: "Der Passkey wurde nicht angenommen. Versuchen Sie es erneut oder melden Sie sich mit Ihrem Passwort an.",
    passkey_added_on: "Hinzugefügt",
    passkey_last_used: "zuletzt genutzt",
    passkey_never_used: "noch nicht genutzt",
    operator_heading: "Sanus betreiben",
    operator_outbox_link: "Entwicklungs-Postausgang: die E-Mails, die Sanus verschickt hätte",
    outbox_title: "Entwicklungs-Postausgang – Sanus",
    outbox_heading: "Entwicklungs-Postausgang",
    outbox_lead: "Keine E-Mail verlässt diesen Server: mail.smtp_url ist nicht gesetzt. Hier stehen die neuesten 50 E-Mails, die Sanus verschickt hätte. Ihre Links handeln für die Empfänger, behalten Sie diese Seite also für sich.",
    outbox_sending: "Dieser Server verschickt E-Mails über SMTP; der Postausgang enthält nur, was vorher geschrieben wurde.",
    outbox_empty: "Noch keine E-Mails.",
    outbox_to: "An",
    operator_only: "Nur Betreiber können diese Seite sehen. Betreiber werden auf dem Server so ernannt: sanus admin grant EMAIL operator",
    email_change_label: "Neue E-Mail-Adresse",
    email_change_hint: "Wir schicken einen Code an die neue Adresse; geändert wird, sobald Sie ihn dort bestätigen.",
    email_change_submit: "E-Mail-Adresse ändern",
    new_email_same: "Das ist bereits Ihre Adresse.",
    new_email_domain: "Adressen dieser Domain können hier nicht verwendet werden.",
    email_changed: "Ihre E-Mail-Adresse ist geändert. Die alte Adresse hat einen Hinweis darauf erhalten.",
    data_heading: "Ihre Daten",
    data_text: "Laden Sie alles herunter, was Sanus über Sie speichert, als JSON-Datei: Ihre Angaben, Sitzungen, verbundenen Apps, Berechtigungen und Sicherheitsereignisse. Niemals Passwörter, Codes oder Schlüssel.",
    data_export: "Meine Daten herunterladen",
    delete_heading: "Konto löschen",
    delete_text: "Damit werden Ihr Konto, Ihre Sitzungen, verbundenen Apps und zweiten Faktoren sofort entfernt; Apps können Sie nicht mehr anmelden. Das lässt sich nicht rückgängig machen.",
    delete_code_label: "Code aus Ihrer Authenticator-App oder ein Wiederherstellungscode",
    delete_confirm_label: "Ja, mein Konto mit allem darin löschen",
    delete_submit: "Mein Konto löschen",
    delete_not_confirmed: "Setzen Sie das Häkchen, um zu bestätigen, dass Ihr Konto gelöscht werden soll.",
    delete_wrong_code: "Dieser Code stimmt nicht.",
    delete_service_account: "Ein Dienst meldet sich mit diesem Konto an, daher kann es sich nicht selbst löschen. Wenden Sie sich an den Betreiber.",
    delete_sole_admin: "Sie sind der einzige Admin einer Organisation. Machen Sie zuerst unter „Organisationen“ ein anderes Mitglied zum Admin, dann können Sie Ihr Konto löschen.",
    deleted_title: "Konto gelöscht – Sanus",
    deleted_heading: "Ihr Konto ist gelöscht",
    deleted_text: "Alles Persönliche wurde mit entfernt, und Apps können Sie nicht mehr anmelden. Mit derselben Adresse können Sie jederzeit ein neues Konto anlegen.",
    second_factor_title: "Noch ein Schritt – Sanus",
    second_factor_heading: "Noch ein Schritt",
    second_factor_lead: "Geben Sie den sechsstelligen Code ein, den Ihre Authenticator-App für Sanus zeigt. Telefon nicht zur Hand? Geben Sie stattdessen einen Ihrer Wiederherstellungscodes ein.",
    second_factor_label: "Code",
    second_factor_submit: "Weiter",
    second_factor_wrong: "Dieser Code stimmt nicht. Noch {tries} Versuche.",
    second_factor_expired: "Diese Anmeldung ist beendet: Sie ist älter als zehn Minuten, oder der Code wurde zu oft falsch eingegeben. Bitte melden Sie sich erneut an.",
    second_factor_restart: "Erneut anmelden",
    mfa_heading: "Anmeldung in zwei Schritten",
    mfa_off: "Aus. Mit einer Authenticator-App (etwa Aegis, FreeOTP oder Google Authenticator) fragt die Anmeldung zusätzlich nach einem Code von Ihrem Telefon, sodass ein gestohlenes Passwort allein nicht reicht.",
    mfa_on: "An: Die Anmeldung fragt nach einem Code aus Ihrer Authenticator-App.",
    mfa_setup: "Authenticator-App einrichten",
    mfa_codes_left: "{count} von 10 Wiederherstellungscodes übrig.",
    mfa_password_label: "Aktuelles Passwort zur Bestätigung",
    mfa_new_codes: "Neue Wiederherstellungscodes erzeugen",
    mfa_remove: "Anmeldung in zwei Schritten ausschalten",
    totp_removed: "Die Anmeldung in zwei Schritten ist aus, und Ihre Wiederherstellungscodes gelten nicht mehr.",
    totp_title: "Authenticator-App einrichten – Sanus",
    totp_heading: "Authenticator-App einrichten",
    totp_scan: "1. Scannen Sie diesen Code mit Ihrer Authenticator-App.",
    totp_qr_alt: "QR-Code für Ihre Authenticator-App",
    totp_key: "Keine Kamera? Geben Sie stattdessen diesen Schlüssel in die App ein:",
    totp_enter: "2. Geben Sie den sechsstelligen Code ein, den die App jetzt zeigt.",
    totp_code_label: "Code aus der App",
    totp_submit: "Einschalten",
    totp_wrong: "Dieser Code stimmt nicht. Prüfen Sie, ob die Uhrzeit Ihres Telefons stimmt, und geben Sie den neuesten Code ein.",
    totp_cancel: "Zurück zu Ihrem Konto",
    codes_title: "Ihre Wiederherstellungscodes – Sanus",
    codes_heading: "Speichern Sie Ihre Wiederherstellungscodes",
    codes_lead: "Jeder Code meldet Sie einmal an, wenn Ihr Telefon nicht zur Hand ist. Bewahren Sie sie sicher auf, etwa in einem Passwort-Manager oder ausgedruckt: Sie werden nur jetzt angezeigt, und frühere Codes gelten nicht mehr.",
    codes_done: "Ich habe sie gespeichert",
    account_title: "Ihr Konto – Sanus",
    account_heading: "Ihr Konto",
    account_signed_in_as: "Angemeldet als",
    email_unconfirmed: "noch nicht bestätigt",
    profile_heading: "Profil",
    profile_submit: "Speichern",
    profile_saved: "Ihre Angaben sind gespeichert.",
    password_heading: "Passwort",
    current_password_label: "Aktuelles Passwort",
    password_submit: "Passwort ändern",
    password_changed: "Ihr Passwort ist geändert. Alle anderen Sitzungen sind abgemeldet, und Apps bitten Sie erneut um Anmeldung.",
    wrong_password: "Das ist nicht Ihr aktuelles Passwort.",
    second_factor_first: "Sobald ein zweiter Faktor eingerichtet ist, ändert ein Passwort allein Ihre Anmeldewege nicht mehr: Melden Sie sich ab, mit Ihrer Authenticator-App oder einem Passkey wieder an und versuchen Sie es erneut.",
    passkey_remove_label: "Passkey",
    passkey_remove_password_label: "Aktuelles Passwort, zum Entfernen",
    sessions_heading: "Wo Sie angemeldet sind",
    session_current: "Dieser Browser",
    session_unknown_device: "Unbekanntes Gerät",
    session_started: "Angemeldet",
    session_last_used: "zuletzt genutzt",
    session_end: "Dort abmelden",
    sessions_end_others: "Überall sonst abmelden",
    session_ended: "Diese Sitzung ist abgemeldet, und was darüber angemeldet war, ist beendet.",
    others_ended: "Alle anderen Sitzungen sind abgemeldet.",
    apps_heading: "Verbundene Apps",
    apps_none: "Sie haben noch keiner App Zugriff auf Ihr Konto gegeben.",
    app_allowed: "Erlaubt",
    app_disconnect: "Zugriff entfernen",
    app_disconnected: "Der Zugriff der App ist entfernt; sie muss Sie beim nächsten Mal erneut fragen.",
    sign_out: "Abmelden",
    register_link: "Noch kein Konto? Jetzt anlegen",
    register_title: "Konto anlegen – Sanus",
    register_heading: "Ihr Sanus-Konto anlegen",
    register_lead: "Ein Konto für alle Apps und Organisationen, die Sanus nutzen. Wir schicken Ihnen einen Code, um Ihre E-Mail-Adresse zu bestätigen.",
    register_domains_hint: "Registrieren können sich Adressen bei {domains}.",
    register_closed: "Die Registrierung ist hier geschlossen. Bitten Sie die Organisation, die diesen Dienst betreibt, um eine Einladung.",
    register_throttled: "Aus Ihrem Netz wurden zuletzt viele Konten angelegt. Versuchen Sie es in {seconds} s erneut.",
    register_errors: "Das Konto wurde nicht angelegt. Korrigieren Sie die markierten Felder und senden Sie das Formular erneut.",
    given_name_label: "Vorname",
    family_name_label: "Nachname",
    optional: "optional",
    confirm_password_label: "Passwort wiederholen",
    register_terms_before: "Ich akzeptiere die",
    register_terms_link: "Nutzungsbedingungen",
    register_privacy: "Wie wir mit Ihren Daten umgehen: Datenschutzhinweise",
    register_submit: "Konto anlegen",
    register_have_account: "Schon ein Konto? Anmelden",
    email_empty: "Geben Sie Ihre E-Mail-Adresse ein.",
    email_malformed: "Das sieht nicht nach einer E-Mail-Adresse aus. Sie sollte so aussehen: name@example.org.",
    email_too_long: "Eine E-Mail-Adresse hat höchstens 254 Zeichen.",
    email_domain: "Hier können sich nur Adressen bei {domains} registrieren. Verwenden Sie Ihre Adresse dort.",
    name_invalid: "Ein Name hat hier höchstens {max_name} Zeichen, in einer Zeile, ohne unsichtbare Formatierungszeichen.",
    terms_not_accepted: "Um ein Konto anzulegen, akzeptieren Sie die Nutzungsbedingungen.",
    verify_title: "E-Mail-Adresse bestätigen – Sanus",
    verify_heading: "Schauen Sie in Ihr Postfach",
    verify_lead: "Wir haben einen sechsstelligen Code an die eingegebene Adresse geschickt. Geben Sie ihn hier ein oder öffnen Sie den Link in der E-Mail. Keine E-Mail nach ein paar Minuten? Sehen Sie im Spam-Ordner nach.",
    verify_code_label: "Code aus der E-Mail",
    verify_submit: "Bestätigen",
    verify_wrong: "Dieser Code stimmt nicht. Noch {tries} Versuche, dann fordern Sie einen neuen Code an.",
    verify_unusable: "Dieser Code funktioniert nicht mehr: Er ist älter als 15 Minuten, wurde zu oft falsch eingegeben, oder ein neuerer wurde verschickt. Fordern Sie einen neuen Code an.",
    verify_throttled: "Zu viele falsche Codes. Versuchen Sie es in {seconds} s erneut.",
    verify_resend: "Neuen Code senden",
    verify_resent: "Eine neue E-Mail ist unterwegs. Codes und Links aus früheren E-Mails funktionieren nicht mehr.",
    verify_too_soon: "Vor weniger als einer Minute wurde eine E-Mail verschickt. Sehen Sie im Posteingang und im Spam-Ordner nach oder fragen Sie in einer Minute erneut.",
    verify_daily_limit: "Heute wurden zehn E-Mails verschickt, mehr senden wir an einem Tag nicht. Verwenden Sie die neueste oder fragen Sie morgen erneut.",
    verify_skip: "Später bestätigen und weiter",
    confirm_title: "E-Mail-Adresse bestätigen – Sanus",
    confirm_heading: "E-Mail-Adresse bestätigen",
    confirm_lead: "Bestätigen Sie, dass diese Adresse Ihnen gehört:",
    confirm_submit: "Meine Adresse bestätigen",
    confirm_not_you: "Sie haben kein Sanus-Konto angelegt? Dann bestätigen Sie nicht: Schließen Sie diese Seite, und es geschieht nichts.",
    confirm_unusable: "Dieser Link funktioniert nicht mehr: Er wurde schon verwendet, ist älter als 24 Stunden, oder eine neuere E-Mail wurde verschickt. Melden Sie sich an, um einen neuen zu erhalten.",
    confirmed_title: "E-Mail-Adresse bestätigt – Sanus",
    confirmed_heading: "Ihre E-Mail-Adresse ist bestätigt",
    confirmed_text: "Sie können sich jetzt bei den Apps anmelden, die Sanus verwenden. Sie können diesen Tab schließen.",
};

/// The language of the current page, shared by every component.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    pub locale: RwSignal<Locale>,
}

impl I18n {
    /// The texts of the current language (reactive).
    pub fn t(&self) -> &'static Texts {
        self.locale.get().texts()
    }
}

/// The language to start with: on the server from the request, in the
/// browser from the server-rendered `<html lang>`.
pub fn initial_locale() -> Locale {
    #[cfg(feature = "ssr")]
    {
        request_locale()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        document()
            .document_element()
            .and_then(|html| html.get_attribute("lang"))
            .and_then(|lang| Locale::parse(&lang))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Locale::default()
    }
}

/// A language the page should speak unless the person chose one: an
/// authorization request's `ui_locales`. Provided by the server.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestedLocale(pub Locale);

/// The locale of the page being rendered (see `preferred_locale`).
#[cfg(feature = "ssr")]
pub fn request_locale() -> Locale {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return Locale::default();
    };
    preferred_locale(&parts.headers, use_context::<RequestedLocale>().map(|r| r.0))
}

/// The person's own choice (the cookie) first, then what the client asked
/// for (`ui_locales`), then `Accept-Language`; English when none helps.
#[cfg(feature = "ssr")]
pub fn preferred_locale(headers: &http::HeaderMap, requested: Option<Locale>) -> Locale {
    let from_cookie = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(Locale::from_cookie_header);
    from_cookie
        .or(requested)
        .or_else(|| {
            headers.get(http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Locale::negotiate)
        })
        .unwrap_or_default()
}

/// The cookie wins over `Accept-Language`; English when neither helps.
#[cfg(feature = "ssr")]
pub fn locale_of_headers(headers: &http::HeaderMap) -> Locale {
    preferred_locale(headers, None)
}

pub fn provide_i18n() -> I18n {
    let i18n = I18n { locale: RwSignal::new(initial_locale()) };
    provide_context(i18n);
    i18n
}

pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(provide_i18n)
}

/// A text of the current language, following language switches: `tr(|t|
/// t.sign_in_heading)`. A function pointer and one concrete signal type, so
/// that the hundreds of texts on the pages share one piece of rendering
/// code instead of each closure getting its own (a third of the wasm).
pub fn tr(text: fn(&'static Texts) -> &'static str) -> Signal<&'static str> {
    let i18n = use_i18n();
    Signal::derive(move || text(i18n.t()))
}

/// The page's `<title>` in the current language: `page_title(|t|
/// t.sign_in_title)`. On the server a plain string, because leptos_axum
/// reads the title after rendering, outside the reactive owner, where
/// reading a signal panics (seen as a rare 500 under load); in the browser
/// it follows language switches like every other text. Pages never write
/// `<Title>` themselves (a test holds them to it).
pub fn page_title(text: fn(&'static Texts) -> &'static str) -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    let text: TextProp = text(i18n.locale.get_untracked().texts()).into();
    #[cfg(not(feature = "ssr"))]
    let text: TextProp = (move || text(i18n.t())).into();
    view! { <leptos_meta::Title text /> }
}

/// A text made from the current language (with numbers or names filled
/// in): one concrete signal type, so that the renderer is compiled once for
/// every such text rather than once per closure.
pub fn localized(text: impl Fn(Locale) -> String + Send + Sync + 'static) -> Signal<String> {
    let i18n = use_i18n();
    Signal::derive(move || text(i18n.locale.get()))
}

/// Switches the language in the browser without a page load, and remembers
/// it in the same cookie the server sets for forms sent without JavaScript.
pub fn switch_locale(i18n: I18n, locale: Locale) {
    i18n.locale.set(locale);
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast as _;
        let document = document();
        if let Some(html) = document.document_element() {
            let _ = html.set_attribute("lang", locale.as_str());
        }
        let secure = if window().location().protocol().as_deref() == Ok("https:") { "; Secure" } else { "" };
        let cookie = format!(
            "{LOCALE_COOKIE}={}; Path=/; Max-Age={LOCALE_COOKIE_MAX_AGE}; SameSite=Lax{secure}",
            locale.as_str()
        );
        if let Ok(html_document) = document.dyn_into::<web_sys::HtmlDocument>() {
            let _ = html_document.set_cookie(&cookie);
        }
    }
}

/// A moment as people of `locale` write it, in UTC (the server does not
/// know the browser's time zone, and the page must render the same twice).
pub fn format_time(unix_seconds: i64, locale: Locale) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let seconds_of_day = unix_seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let (hour, minute) = (seconds_of_day / 3600, seconds_of_day % 3600 / 60);
    match locale {
        Locale::De => format!("{day:02}.{month:02}.{year}, {hour:02}:{minute:02} UTC"),
        Locale::En => format!("{year}-{month:02}-{day:02} {hour:02}:{minute:02} UTC"),
    }
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard
/// Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_as_each_language_does() {
        assert_eq!(format_time(0, Locale::En), "1970-01-01 00:00 UTC");
        // 2026-11-22 17:48:28 UTC
        assert_eq!(format_time(1_795_369_708, Locale::En), "2026-11-22 17:48 UTC");
        assert_eq!(format_time(1_795_369_708, Locale::De), "22.11.2026, 17:48 UTC");
        // A leap day, and a day before 1970.
        assert_eq!(format_time(951_782_400, Locale::En), "2000-02-29 00:00 UTC");
        assert_eq!(format_time(-86_400, Locale::En), "1969-12-31 00:00 UTC");
    }

    #[test]
    fn accept_language_picks_the_best_supported_language() {
        let cases = [
            ("de-DE,de;q=0.9,en;q=0.8", Some(Locale::De)),
            ("en-US,en;q=0.9", Some(Locale::En)),
            ("fr-FR, de;q=0.5, en;q=0.4", Some(Locale::De)),
            ("fr, en;q=0.1, de;q=0.2", Some(Locale::De)),
            ("de;q=0, en;q=0.1", Some(Locale::En)),
            ("de;q=0", None),
            ("en;q=0.5, de;q=0.5", Some(Locale::En)),
            ("DE-at", Some(Locale::De)),
            ("fr, it", None),
            ("de;q=2, en;q=0.3", Some(Locale::En)),
            ("de;q=abc, en;q=0.3", Some(Locale::En)),
            ("", None),
            ("*", None),
        ];
        for (header, expected) in cases {
            assert_eq!(Locale::negotiate(header), expected, "{header:?}");
        }
    }

    #[test]
    fn locale_cookie_is_found_among_others() {
        assert_eq!(Locale::from_cookie_header("a=1; sanus_locale=de; b=2"), Some(Locale::De));
        assert_eq!(Locale::from_cookie_header("sanus_locale=en"), Some(Locale::En));
        assert_eq!(Locale::from_cookie_header("sanus_locale=xx"), None);
        assert_eq!(Locale::from_cookie_header("other_sanus_locale=de"), None);
        assert_eq!(Locale::from_cookie_header(""), None);
    }

    #[test]
    fn tags_parse_by_primary_subtag() {
        assert_eq!(Locale::parse("de"), Some(Locale::De));
        assert_eq!(Locale::parse("de_CH"), Some(Locale::De));
        assert_eq!(Locale::parse("en-GB"), Some(Locale::En));
        assert_eq!(Locale::parse("nl"), None);
        for locale in Locale::ALL {
            assert_eq!(Locale::parse(locale.as_str()), Some(locale));
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn cookie_wins_over_accept_language() {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::ACCEPT_LANGUAGE, "de".parse().unwrap());
        assert_eq!(locale_of_headers(&headers), Locale::De);
        headers.insert(http::header::COOKIE, "sanus_locale=en".parse().unwrap());
        assert_eq!(locale_of_headers(&headers), Locale::En);
        assert_eq!(locale_of_headers(&http::HeaderMap::new()), Locale::En);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn ui_locales_come_after_the_cookie_and_before_accept_language() {
        assert_eq!(Locale::from_ui_locales("fr-CA de-DE en"), Some(Locale::De));
        assert_eq!(Locale::from_ui_locales("  nl "), None);
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::ACCEPT_LANGUAGE, "en".parse().unwrap());
        assert_eq!(preferred_locale(&headers, Some(Locale::De)), Locale::De);
        headers.insert(http::header::COOKIE, "sanus_locale=en".parse().unwrap());
        assert_eq!(preferred_locale(&headers, Some(Locale::De)), Locale::En, "the person's own choice wins");
    }
}
