//! Forgotten passwords: `POST /password/forgot` mails a reset link,
//! `GET /password/reset/{token}` checks it and shows the form,
//! `POST /password/reset/{token}` sets the new password and signs the
//! account out everywhere. Plain forms and redirects: no JavaScript needed.

use axum::Form;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use sanus_core::audit::EventKind;
use sanus_core::mail::password_reset_mail;
use sanus_core::password_policy::{self, check_new_password};
use sanus_core::password_resets::{AskedBy, complete_password_reset, find_password_reset, start_password_reset};
use sanus_core::throttle::{SignInAttempt, Taken};
use sanus_core::users::{Email, find_user_by_email};
use serde::Deserialize;

use super::audit_event;
use super::client_address::{Peer, client_address};
use super::cookies;
use crate::oidc::authorize::see_other;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

/// `POST /password/forgot`: answers at once and the same for every
/// address; looking the account up and mailing happen afterwards, so that
/// neither the answer nor its timing tells whether the account exists.
pub async fn forgot(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<ForgotForm>,
) -> Response {
    let address = client_address(&headers, &peer, &state.settings.server);
    // Whether an account exists or not, every request counts against the
    // client's network: saying so tells nothing about any account.
    if let Some(from) = &address {
        match SignInAttempt::reset_request(from).take(&state.store, state.clock.now()).await {
            Ok(Taken::Counted { .. }) => {}
            Ok(Taken::Wait(seconds)) => return see_other(&format!("/password/forgot?wait={seconds}")),
            Err(error) => {
                tracing::error!(%error, "cannot count a password-reset request");
                return super::unavailable_page(&state, &headers);
            }
        }
    }
    let task_state = state.clone();
    tokio::spawn(async move {
        if let Err(error) = send_reset_link(&task_state, &form.email, &headers, address).await {
            tracing::error!(%error, "cannot send a password reset link");
        }
    });
    see_other("/password/forgot?sent=1")
}

async fn send_reset_link(
    state: &AppState,
    typed: &str,
    headers: &HeaderMap,
    address: Option<std::net::IpAddr>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let Ok(email) = Email::parse(typed) else { return Ok(()) };
    let Some(user) = find_user_by_email(&state.store, &email).await? else { return Ok(()) };
    let now = state.clock.now();
    // Counted against `address`'s reset requests (see `forgot`): it gets it back once the link is used.
    if !mail_reset_link(state, &user, AskedBy::Anyone { from: address }, now).await? {
        return Ok(());
    }
    let mut event = audit_event(EventKind::PasswordResetRequested, headers, address);
    event.user_id = Some(&user.id);
    state.audit(&event, now).await?;
    Ok(())
}

/// Mails the account a new reset link; `false` when the last one is too
/// recent (see `RESEND_AFTER_SECONDS`; it still works).
pub(crate) async fn mail_reset_link(
    state: &AppState,
    user: &sanus_core::users::User,
    asked_by: AskedBy,
    now: sanus_core::UnixTime,
) -> Result<bool, Box<dyn std::error::Error + Send + Sync>> {
    let Some(token) = start_password_reset(&state.store, &user.id, asked_by, now).await? else {
        tracing::info!(user_id = %user.id, "the last reset link is too recent: no other one");
        return Ok(false);
    };
    let link = format!("{}/password/reset/{token}", state.settings.server.public_url.as_str());
    state.mailer.send(&state.store, &password_reset_mail(&user.locale, &user.email, &link), now).await?;
    Ok(true)
}

#[derive(Deserialize)]
pub struct ResetQuery {
    error: Option<String>,
}

/// `GET /password/reset/{token}`: the form, or why the link no longer works.
pub async fn reset_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<ResetQuery>,
    request: Request<Body>,
) -> Response {
    let usable = match find_password_reset(&state.store, &token, state.clock.now()).await {
        Ok(found) => found.is_some(),
        Err(error) => return failed(&state, request.headers(), &error),
    };
    let error = query.error.as_deref().and_then(app::dto::NewPasswordError::parse);
    let (min_chars, max_chars) = (password_policy::MIN_CHARS, password_policy::MAX_CHARS);
    let view = app::dto::PasswordResetView { token, usable, error, min_chars, max_chars };
    let loaded = app::LoadedPasswordReset(view);
    super::ui::render_loaded(&state, request, loaded, None).await
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /password/reset/{token}`: the new password, checked, then set.
pub async fn reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<ResetForm>,
) -> Response {
    use app::dto::NewPasswordError;
    let now = state.clock.now();
    let page = format!("/password/reset/{token}");
    let user = match find_password_reset(&state.store, &token, now).await {
        Ok(Some(user)) => user,
        Ok(None) => return see_other(&page),
        Err(error) => return failed(&state, &headers, &error),
    };
    let refused = if form.password != form.confirm {
        Some(NewPasswordError::Mismatch)
    } else {
        check_new_password(&form.password, &user.email).err().map(super::registration::new_password_error)
    };
    if let Some(error) = refused {
        return see_other(&format!("{page}?error={}", error.as_str()));
    }
    let Some(hash) = state.passwords.hash(form.password).await else {
        return failed(&state, &headers, &"the password could not be hashed now");
    };
    match complete_password_reset(&state.store, &token, &hash, now).await {
        Ok(Some(_)) => {}
        Ok(None) => return see_other(&page),
        Err(error) => return failed(&state, &headers, &error),
    }
    // Its token families were revoked: their access tokens stop here now.
    state.access_tokens.invalidate();
    let address = client_address(&headers, &peer, &state.settings.server);
    let mut event = audit_event(EventKind::PasswordResetCompleted, &headers, address);
    event.user_id = Some(&user.id);
    if let Err(error) = state.audit(&event, now).await {
        tracing::error!(%error, "cannot record a password reset");
    }
    tracing::info!(user_id = %user.id, "password reset: signed out everywhere");
    let mut response = see_other("/password/changed");
    if let Some(cookie) = cookies::clear(&state, cookies::SESSION) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

fn failed(state: &AppState, headers: &HeaderMap, cause: &dyn std::fmt::Display) -> Response {
    tracing::error!(%cause, "password reset failed");
    super::unavailable_page(state, headers)
}
