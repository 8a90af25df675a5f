//! Signing in with e-mail and password, shared by the interaction page of an
//! authorization request and Sanus' own sign-in page (`/signin`, for the
//! account console). Guessing is slowed down per account and per address
//! (`sanus_core::throttle`); a throttled attempt is refused before its
//! password is looked at; every outcome is in the audit log.

use axum::Form;
use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use sanus_core::UnixTime;
use sanus_core::audit::{self, EventKind};
use sanus_core::sessions::create_session;
use sanus_core::throttle::{SignInAttempt, Taken};
use sanus_core::users::{Email, SignInAccount, User, UserId, find_user_for_sign_in};
use serde::Deserialize;

use super::audit_event;
use super::client_address::{Peer, client_address};
use super::cookies;
use crate::oidc::authorize::see_other;
use crate::state::AppState;

/// How long a single sign-on session lasts.
pub const SESSION_LIFETIME_SECONDS: i64 = 12 * 3600;

/// Why an attempt was refused, as the form shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Wrong e-mail or password; deliberately not saying which.
    InvalidCredentials,
    /// Attempts must wait until then.
    ThrottledUntil(UnixTime),
    /// The password was right, but the account is locked (only then is
    /// this said: a wrong password of a locked account is just wrong).
    Locked,
    /// The password could not be checked now (too many checks at once): no
    /// failure, nothing counted; try again in a moment.
    Busy,
}

impl Refusal {
    const INVALID: &str = "invalid_credentials";
    const THROTTLED: &str = "throttled:";
    pub const LOCKED: &str = "account_locked";
    const BUSY: &str = "busy";

    /// As stored with an interaction or carried in a query string.
    pub fn encode(self) -> String {
        match self {
            Self::InvalidCredentials => Self::INVALID.to_string(),
            Self::ThrottledUntil(until) => format!("{}{}", Self::THROTTLED, until.seconds()),
            Self::Locked => Self::LOCKED.to_string(),
            Self::Busy => Self::BUSY.to_string(),
        }
    }

    /// What the form says about it at `now` (a wait that is over: nothing).
    pub fn shown(encoded: &str, now: UnixTime) -> Option<app::dto::SignInError> {
        use app::dto::SignInError;
        match encoded.strip_prefix(Self::THROTTLED) {
            Some(until) => {
                let wait = until.parse::<i64>().ok()? - now.seconds();
                (wait > 0).then_some(SignInError::Throttled { retry_after_seconds: wait })
            }
            None if encoded == Self::LOCKED => Some(SignInError::Locked),
            None if encoded == Self::BUSY => Some(SignInError::Busy),
            None => (encoded == Self::INVALID).then_some(SignInError::InvalidCredentials),
        }
    }
}

/// Checks an e-mail and password. Failures and throttled attempts are
/// counted and audited here; a success clears the counts (the caller
/// records the sign-in itself, once it knows what follows).
pub async fn check_password(
    state: &AppState,
    headers: &HeaderMap,
    address: Option<std::net::IpAddr>,
    email: &str,
    password: String,
    client_id: Option<&str>,
    now: UnixTime,
) -> Result<Result<User, Refusal>, sanus_core::StoreError> {
    let attempt = SignInAttempt::new(email, address.as_ref());
    let mut event = audit_event(EventKind::SignInFailed, headers, address);
    event.client_id = client_id;
    // Counted before the password is looked at (see `SignInAttempt::take`).
    let (wait_if_wrong, reserved) = match attempt.take(&state.store, now).await? {
        Taken::Counted { wait_if_wrong, reserved } => (wait_if_wrong, reserved),
        Taken::Wait(seconds) => {
            event.kind = EventKind::SignInThrottled;
            event.detail = serde_json::json!({ "retry_after_seconds": seconds });
            state.audit(&event, now).await?;
            tracing::info!("sign-in throttled");
            return Ok(Err(Refusal::ThrottledUntil(now.plus_seconds(seconds))));
        }
    };
    let mut account = match Email::parse(email) {
        Ok(email) => find_user_for_sign_in(&state.store, &email).await?,
        Err(_) => None,
    };
    let hash = account.as_mut().and_then(|account| account.password_hash.take());
    // Unknown accounts cost the same time as wrong passwords.
    let Some(password_ok) = state.passwords.verify(password, hash).await else {
        tracing::warn!("sign-in not checked: the password pool is full or the check failed");
        attempt.refund(&state.store, &reserved).await?;
        return Ok(Err(Refusal::Busy));
    };
    match account {
        Some(SignInAccount { user, locked, .. }) if password_ok => {
            attempt.record_success(&state.store, now).await?;
            if locked {
                event.user_id = Some(&user.id);
                event.detail = serde_json::json!({ "reason": Refusal::LOCKED });
                state.audit(&event, now).await?;
                tracing::info!("sign-in refused: the account is locked");
                return Ok(Err(Refusal::Locked));
            }
            Ok(Ok(user))
        }
        account => {
            event.user_id = account.as_ref().map(|a| &a.user.id);
            event.detail = serde_json::json!({ "reason": Refusal::INVALID });
            state.audit(&event, now).await?;
            tracing::info!("sign-in refused");
            Ok(Err(if wait_if_wrong > 0 {
                Refusal::ThrottledUntil(now.plus_seconds(wait_if_wrong))
            } else {
                Refusal::InvalidCredentials
            }))
        }
    }
}

/// Whether a signed-in account must first confirm its address.
fn must_verify_first(state: &AppState, user: &User) -> bool {
    !user.email_verified && !state.settings.accounts.unverified_may_sign_in
}

/// Records that a password was right but the address is unproven, and
/// sends the person to the page for the mailed code.
async fn verify_first(
    state: &AppState,
    headers: &HeaderMap,
    address: Option<std::net::IpAddr>,
    user: &User,
    interaction: Option<&str>,
    now: UnixTime,
) -> Result<Response, sanus_core::StoreError> {
    let mut event = audit_event(EventKind::SignInFailed, headers, address);
    event.user_id = Some(&user.id);
    event.detail = serde_json::json!({ "reason": "email_not_verified" });
    state.audit(&event, now).await?;
    // This browser just proved the password: confirming may sign it in.
    let (proof_cookie, proof) = super::registration::new_proof(state);
    let fresh = sanus_core::email_verification::Proof::Fresh(&proof);
    let started =
        super::registration::send_verification(state, user, interaction, fresh, headers, address, now).await?;
    let query = interaction.map(|id| format!("?interaction={id}")).unwrap_or_default();
    let mut response = see_other(&format!("/email/verify/{}{query}", started.id()));
    response.headers_mut().append(header::SET_COOKIE, proof_cookie);
    Ok(response)
}

/// Where a sign-in goes on to.
#[derive(Debug, Clone, Copy)]
pub enum Next<'a> {
    /// The authorization request of interaction `id` (of client `client_id`).
    Interaction { id: &'a str, client_id: &'a str },
    /// A page of Sanus itself.
    Page(&'a str),
}

/// After a correct password: the address must be confirmed first, or a
/// second factor is due, or the person is signed in.
pub async fn after_password(
    state: &AppState,
    headers: &HeaderMap,
    address: Option<std::net::IpAddr>,
    user: &User,
    next: Next<'_>,
    now: UnixTime,
) -> Result<Response, sanus_core::StoreError> {
    let interaction = match next {
        Next::Interaction { id, .. } => Some(id),
        Next::Page(_) => None,
    };
    if must_verify_first(state, user) {
        return verify_first(state, headers, address, user, interaction, now).await;
    }
    if sanus_core::mfa::mfa_status(&state.store, &user.id).await?.required() {
        return super::second_factor::ask(state, &user.id, next, now).await;
    }
    let mut event = audit_event(EventKind::SignInSucceeded, headers, address);
    event.user_id = Some(&user.id);
    finish_sign_in(state, headers, &mut event, &user.id, &["pwd"], next, now).await
}

/// Starts a single sign-on session proven by `amr` and goes on to `next`
/// (attaching the session to its interaction), recording `event`.
pub async fn finish_sign_in<'a>(
    state: &AppState,
    headers: &HeaderMap,
    event: &mut audit::Event<'a>,
    user_id: &UserId,
    amr: &[&str],
    next: Next<'a>,
    now: UnixTime,
) -> Result<Response, sanus_core::StoreError> {
    let (to, interaction) = match next {
        Next::Interaction { id, client_id } => {
            event.client_id = Some(client_id);
            (format!("/authorize/resume/{id}"), Some(id))
        }
        Next::Page(page) => (page.to_string(), None),
    };
    let Some((session_id, response)) = start_session(state, headers, event, user_id, amr, &to, now).await? else {
        return locked(state, headers, event, user_id, now).await;
    };
    if let Some(id) = interaction {
        sanus_core::interactions::set_interaction_session(&state.store, id, &session_id).await?;
    }
    Ok(response)
}

/// A sign-in (passkey, second factor, confirmed address …) of a locked
/// account: recorded as refused, and the page that says so.
async fn locked(
    state: &AppState,
    headers: &HeaderMap,
    event: &mut audit::Event<'_>,
    user_id: &UserId,
    now: UnixTime,
) -> Result<Response, sanus_core::StoreError> {
    let mut refused = event.clone();
    refused.kind = EventKind::SignInFailed;
    refused.user_id = Some(user_id);
    refused.detail = serde_json::json!({ "reason": Refusal::LOCKED, "via": event.detail.get("method") });
    state.audit(&refused, now).await?;
    tracing::info!("sign-in refused: the account is locked");
    let t = app::i18n::locale_of_headers(headers).texts();
    let body = format!("<p role=\"alert\" class=\"mt-4 text-slate-700\">{}</p>", t.account_locked);
    Ok(crate::oidc::authorize::simple_page(state, headers, http::StatusCode::FORBIDDEN, t.account_locked_title, &body))
}

/// Starts a single sign-on session for the account on this device, records
/// the sign-in, and answers with a redirect to `next` that sets the cookie.
/// Returns the new session's id too; `None` when the account is locked.
async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    event: &audit::Event<'_>,
    user_id: &UserId,
    amr: &[&str],
    next: &str,
    now: UnixTime,
) -> Result<Option<(String, Response)>, sanus_core::StoreError> {
    let device = device_of(headers);
    let Some((session, token)) =
        create_session(&state.store, user_id, amr, device.as_deref(), now, SESSION_LIFETIME_SECONDS).await?
    else {
        return Ok(None);
    };
    state.audit(event, now).await?;
    tracing::info!(%user_id, "signed in");
    let mut response = see_other(next);
    if let Some(cookie) = cookies::set(state, cookies::SESSION, &token, None) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(Some((session.id, response)))
}

/// A short, human description of the browser and system from the
/// User-Agent ("Firefox on Windows"); the raw header is never stored.
pub fn device_of(headers: &HeaderMap) -> Option<String> {
    let agent = headers.get(header::USER_AGENT)?.to_str().ok()?;
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(marker, _)| agent.contains(marker))
    .map(|(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(marker, _)| agent.contains(marker))
    .map(|(_, name)| name);
    match (browser, system) {
        (Some(browser), Some(system)) => Some(format!("{browser} on {system}")),
        (Some(name), None) | (None, Some(name)) => Some(name.to_string()),
        (None, None) => None,
    }
}

/// Where `/signin` may send the browser afterwards: a path on this server
/// (never another site: `//host` and `/\host` are refused).
pub fn safe_return_to(value: Option<&str>) -> String {
    value
        .filter(|v| v.starts_with('/') && !v.starts_with("//") && !v.starts_with("/\\") && v.len() <= 512)
        .filter(|v| v.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or("/account")
        .to_string()
}

#[derive(Deserialize, Default)]
pub struct SignInQuery {
    return_to: Option<String>,
    error: Option<String>,
    email: Option<String>,
}

/// `GET /signin`: Sanus' own sign-in page (for the account console).
pub async fn page(State(state): State<AppState>, Query(query): Query<SignInQuery>, request: Request<Body>) -> Response {
    let now = state.clock.now();
    let view = app::dto::SignInView {
        return_to: safe_return_to(query.return_to.as_deref()),
        login_hint: query.email.filter(|e| e.len() <= 254),
        error: query.error.as_deref().and_then(|e| Refusal::shown(e, now)),
        registration_open: state.settings.accounts.registration,
        passkeys: state.passkeys.is_some(),
    };
    let loaded = app::LoadedSignIn(view);
    super::ui::render_loaded(&state, request, loaded, None).await
}

/// The e-mail and password form, of the interaction page and `/signin`.
#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    /// `/signin` only: where to go afterwards.
    pub return_to: Option<String>,
}

/// `POST /signin`: e-mail and password; then on to `return_to`.
pub async fn submit(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Response {
    let now = state.clock.now();
    let address = client_address(&headers, &peer, &state.settings.server);
    let next = safe_return_to(form.return_to.as_deref());
    let checked = check_password(&state, &headers, address, &form.email, form.password, None, now).await;
    let outcome = match checked {
        Ok(Ok(user)) => after_password(&state, &headers, address, &user, Next::Page(&next), now).await,
        Ok(Err(refusal)) => {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("return_to", &next)
                .append_pair("email", form.email.trim())
                .append_pair("error", &refusal.encode())
                .finish();
            Ok(see_other(&format!("/signin?{query}")))
        }
        Err(error) => Err(error),
    };
    outcome.unwrap_or_else(|error| {
        tracing::error!(%error, "sign-in failed");
        super::unavailable_page(&state, &headers)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn agent(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::USER_AGENT, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn devices_are_described_in_a_few_words() {
        let firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
        assert_eq!(device_of(&agent(firefox)).as_deref(), Some("Firefox on Windows"));
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
        assert_eq!(device_of(&agent(chrome)).as_deref(), Some("Chrome on Linux"));
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Version/18.1 Mobile/15E148 Safari/604.1";
        assert_eq!(device_of(&agent(iphone)).as_deref(), Some("Safari on iOS"));
        let edge = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0";
        assert_eq!(device_of(&agent(edge)).as_deref(), Some("Edge on Windows"));
        assert_eq!(device_of(&agent("curl/8.5.0")), None);
        assert_eq!(device_of(&HeaderMap::new()), None);
    }

    #[test]
    fn return_to_stays_on_this_server() {
        assert_eq!(safe_return_to(Some("/account")), "/account");
        assert_eq!(safe_return_to(Some("/account?tab=security")), "/account?tab=security");
        for bad in ["https://evil.example", "//evil.example", "/\\evil.example", "account", "/a b", ""] {
            assert_eq!(safe_return_to(Some(bad)), "/account", "{bad:?}");
        }
        assert_eq!(safe_return_to(None), "/account");
    }

    #[test]
    fn refusals_survive_storage_and_expire() {
        use app::dto::SignInError;
        let now = UnixTime(1_000);
        assert_eq!(Refusal::shown(&Refusal::InvalidCredentials.encode(), now), Some(SignInError::InvalidCredentials));
        let throttled = Refusal::ThrottledUntil(UnixTime(1_030)).encode();
        assert_eq!(Refusal::shown(&throttled, now), Some(SignInError::Throttled { retry_after_seconds: 30 }));
        assert_eq!(Refusal::shown(&throttled, UnixTime(1_030)), None, "the wait is over");
        assert_eq!(Refusal::shown("made-up", now), None);
    }
}
