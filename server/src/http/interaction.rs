//! Finishing an interaction: the sign-in and consent forms of the
//! interaction page post here. Plain HTML forms (they work without
//! JavaScript); each answer is a redirect, to the page again or on to
//! `/authorize/resume/{id}`. Tokens are never minted here.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use axum::{Extension, Form};
use sanus_core::UnixTime;
use sanus_core::audit::{self, Event, EventKind};
use sanus_core::interactions::{
    consume_interaction, set_interaction_consented, set_interaction_login_error, set_interaction_session,
};
use sanus_core::sessions::{create_session, find_session};
use sanus_core::throttle::SignInAttempt;
use sanus_core::users::{Email, UserId, find_user_for_sign_in, get_user};
use serde::Deserialize;

use super::audit_event;
use super::client_address::{Peer, client_address};
use super::cookies;
use super::security_headers::CspNonce;
use crate::oidc::authorize::{expired_page, issuer, load_interaction, see_other};
use crate::state::AppState;

/// How long a single sign-on session lasts.
pub const SESSION_LIFETIME_SECONDS: i64 = 12 * 3600;
const INVALID_CREDENTIALS: &str = "invalid_credentials";
/// Followed by the unix time until which attempts must wait.
const THROTTLED_PREFIX: &str = "throttled:";

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// `POST /interaction/{id}/login`: e-mail and password. Guessing is slowed
/// down per account and per address (`sanus_core::throttle`); a throttled
/// attempt is refused before its password is looked at. Every outcome is
/// in the audit log.
pub async fn sign_in(
    State(state): State<AppState>,
    Path(id): Path<String>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let now = state.clock.now();
    let client_id = match load_interaction(&state, &headers, &id, now).await {
        Ok(Some((interaction, _))) => interaction.client_id,
        Ok(None) => return expired_page(&state, &headers),
        Err(error) => return failed(&state, &headers, &error),
    };
    let address = client_address(&headers, &peer, &state.settings.server);
    let attempt = SignInAttempt::new(&form.email, address.as_ref());
    let mut event = audit_event(EventKind::SignInFailed, &headers, address);
    event.client_id = Some(&client_id);

    let wait = match attempt.wait(&state.store, now).await {
        Ok(wait) => wait,
        Err(error) => return failed(&state, &headers, &error),
    };
    if let Some(seconds) = wait {
        event.kind = EventKind::SignInThrottled;
        event.detail = serde_json::json!({ "retry_after_seconds": seconds });
        return refuse(&state, &headers, &id, &event, &throttled_until(now.plus_seconds(seconds)), now).await;
    }

    let account = match Email::parse(&form.email) {
        Ok(email) => match find_user_for_sign_in(&state.store, &email).await {
            Ok(account) => account,
            Err(error) => return failed(&state, &headers, &error),
        },
        Err(_) => None,
    };
    let (user, hash) = match account {
        Some((user, hash)) => (Some(user), hash),
        None => (None, None),
    };
    // Unknown accounts cost the same time as wrong passwords.
    let password_ok = state.passwords.verify(form.password, hash).await;
    let Some(user) = user.as_ref().filter(|_| password_ok) else {
        event.user_id = user.as_ref().map(|u| &u.id);
        event.detail = serde_json::json!({ "reason": INVALID_CREDENTIALS });
        let wait = match attempt.record_failure(&state.store, now).await {
            Ok(wait) => wait,
            Err(error) => return failed(&state, &headers, &error),
        };
        let shown = if wait > 0 { throttled_until(now.plus_seconds(wait)) } else { INVALID_CREDENTIALS.to_string() };
        return refuse(&state, &headers, &id, &event, &shown, now).await;
    };
    if let Err(error) = attempt.record_success(&state.store).await {
        return failed(&state, &headers, &error);
    }
    if !user.email_verified && !state.settings.accounts.unverified_may_sign_in {
        // The right password, but the address is unproven: prove it first.
        event.user_id = Some(&user.id);
        event.detail = serde_json::json!({ "reason": "email_not_verified" });
        if let Err(error) = audit::record(&state.store, &event, now).await {
            return failed(&state, &headers, &error);
        }
        let sent = super::registration::send_verification(&state, user, Some(&id), &headers, address, now).await;
        return match sent {
            Ok(started) => see_other(&format!("/email/verify/{}?interaction={id}", started.id())),
            Err(error) => failed(&state, &headers, &error),
        };
    }
    event.kind = EventKind::SignInSucceeded;
    event.user_id = Some(&user.id);
    match sign_in_to(&state, &user.id, &id, &event, now).await {
        Ok(response) => response,
        Err(error) => failed(&state, &headers, &error),
    }
}

/// Starts a single sign-on session for the account, attaches it to
/// interaction `id`, records `event` and resumes the authorization request
/// with the session cookie set.
pub async fn sign_in_to(
    state: &AppState,
    user_id: &UserId,
    id: &str,
    event: &Event<'_>,
    now: UnixTime,
) -> Result<Response, sanus_core::StoreError> {
    let (session, token) = create_session(&state.store, user_id, &["pwd"], now, SESSION_LIFETIME_SECONDS).await?;
    set_interaction_session(&state.store, id, &session.id).await?;
    audit::record(&state.store, event, now).await?;
    tracing::info!(%user_id, "signed in");
    let mut response = see_other(&format!("/authorize/resume/{id}"));
    let secure = state.settings.server.public_url.is_https();
    if let Some(cookie) = cookies::set(cookies::SESSION, &token, None, secure) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// How the page learns that attempts must wait: until this time.
fn throttled_until(until: UnixTime) -> String {
    format!("{THROTTLED_PREFIX}{}", until.seconds())
}

/// Records a refused attempt and shows the form again with `shown`.
async fn refuse(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    event: &Event<'_>,
    shown: &str,
    now: UnixTime,
) -> Response {
    tracing::info!(kind = event.kind.as_str(), "sign-in refused");
    let recorded = audit::record(&state.store, event, now).await;
    if let Err(error) = recorded.and(set_interaction_login_error(&state.store, id, shown).await) {
        return failed(state, headers, &error);
    }
    see_other(&format!("/interaction/{id}"))
}

#[derive(Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    decision: String,
}

/// `POST /interaction/{id}/consent`: `decision=allow` or `deny`.
pub async fn consent(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<ConsentForm>,
) -> Response {
    let now = state.clock.now();
    let (interaction, request) = match load_interaction(&state, &headers, &id, now).await {
        Ok(Some(found)) => found,
        Ok(None) => return expired_page(&state, &headers),
        Err(error) => return failed(&state, &headers, &error),
    };
    let session = match &interaction.session_id {
        Some(session_id) => match find_session(&state.store, session_id, now).await {
            Ok(session) => session,
            Err(error) => return failed(&state, &headers, &error),
        },
        None => None,
    };
    let Some(session) = session else { return see_other(&format!("/interaction/{id}")) };
    if form.decision != "allow" {
        return match consume_interaction(&state.store, &id, now).await {
            Ok(true) => {
                request.target.error(issuer(&state), "access_denied", "The user did not allow access.", nonce.as_str())
            }
            Ok(false) => expired_page(&state, &headers),
            Err(error) => failed(&state, &headers, &error),
        };
    }
    let granted = sanus_core::consents::grant_consent(
        &state.store,
        session.user_id.as_str(),
        &request.client_id,
        &request.scopes,
        now,
    )
    .await;
    if let Err(error) = granted.and(set_interaction_consented(&state.store, &id, now).await) {
        return failed(&state, &headers, &error);
    }
    see_other(&format!("/authorize/resume/{id}"))
}

fn failed(state: &AppState, headers: &HeaderMap, cause: &dyn std::fmt::Display) -> Response {
    tracing::error!(%cause, "interaction failed");
    expired_page(state, headers)
}

/// What the sign-in form says about the last attempt.
fn sign_in_error(shown: &str, now: UnixTime) -> Option<app::dto::SignInError> {
    use app::dto::SignInError;
    match shown.strip_prefix(THROTTLED_PREFIX) {
        Some(until) => {
            let wait = until.parse::<i64>().ok()? - now.seconds();
            (wait > 0).then_some(SignInError::Throttled { retry_after_seconds: wait })
        }
        None => Some(SignInError::InvalidCredentials),
    }
}

/// The page's view of interaction `id` for this browser (its headers).
pub async fn view(state: &AppState, headers: &HeaderMap, id: &str) -> app::dto::InteractionResult {
    use app::dto::{ClientView, InteractionStep, InteractionUnavailable, InteractionView};
    let now = state.clock.now();
    let failed = |error: &dyn std::fmt::Display| {
        tracing::error!(%error, "cannot load an interaction");
        InteractionUnavailable::Failed
    };
    let (interaction, request) = load_interaction(state, headers, id, now)
        .await
        .map_err(|e| failed(&e))?
        .ok_or(InteractionUnavailable::Expired)?;
    let client =
        state.find_client(&request.client_id).await.map_err(|e| failed(&e))?.ok_or(InteractionUnavailable::Expired)?;
    let session = match &interaction.session_id {
        Some(session_id) => find_session(&state.store, session_id, now).await.map_err(|e| failed(&e))?,
        None => None,
    };
    let step = match session {
        None => InteractionStep::SignIn {
            login_hint: request.login_hint.clone(),
            error: interaction.login_error.as_deref().and_then(|shown| sign_in_error(shown, now)),
            registration_open: state.settings.accounts.registration,
        },
        Some(session) => {
            let user = get_user(&state.store, &session.user_id).await.map_err(|e| failed(&e))?;
            InteractionStep::Consent { email: user.email, scopes: request.scopes.clone() }
        }
    };
    Ok(InteractionView {
        id: id.to_string(),
        ui_locales: request.ui_locales.clone(),
        client: ClientView {
            name: client.name,
            logo_uri: client.logo_uri,
            client_uri: client.client_uri,
            policy_uri: client.policy_uri,
            tos_uri: client.tos_uri,
            redirect_uri: request.target.redirect_uri.clone(),
        },
        step,
    })
}
