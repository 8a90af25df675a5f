//! Passkeys over JSON, called by the pages' script (WebAuthn needs
//! JavaScript): adding one in the account console, signing in with one on
//! the sign-in pages. Each ceremony's second request must come from the
//! browser that started it (a cookie). Removing a passkey is a plain form.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use axum::{Form, Json};
use sanus_core::audit::EventKind;
use sanus_core::passkeys::{self, AMR_PASSKEY, CEREMONY_SECONDS, PasskeyError};
use serde::Deserialize;
use serde_json::{Value, json};
use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential};

use super::audit_event;
use super::client_address::{Peer, client_address};
use super::cookies;
use super::sign_in::{Next, finish_sign_in, safe_return_to};
use crate::oidc::authorize::{load_interaction, see_other};
use crate::state::AppState;

/// A JSON answer that is never cached.
fn answer(status: StatusCode, body: Value) -> Response {
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A refusal the page shows: `error` is a stable code, the cause is logged.
fn refused(status: StatusCode, error: &str, cause: &dyn std::fmt::Display) -> Response {
    tracing::info!(%cause, error, "passkey refused");
    answer(status, json!({ "error": error }))
}

fn unavailable() -> Response {
    answer(StatusCode::NOT_FOUND, json!({ "error": "passkeys_off" }))
}

/// The options for the browser, with the ceremony's cookie.
fn options(state: &AppState, options: Value, token: &str) -> Response {
    let mut response = answer(StatusCode::OK, options);
    if let Some(cookie) = cookies::set(state, cookies::WEBAUTHN, token, Some(CEREMONY_SECONDS)) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

fn failure(error: PasskeyError) -> Response {
    match error {
        PasskeyError::Refused(reason) => refused(StatusCode::BAD_REQUEST, "not_accepted", &reason),
        other => {
            tracing::error!(error = %other, "passkey ceremony failed");
            answer(StatusCode::SERVICE_UNAVAILABLE, json!({ "error": "server_error" }))
        }
    }
}

/// The console's signed-in account, or the JSON answer saying why not.
async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
    now: sanus_core::UnixTime,
) -> Result<super::account::SignedIn, Response> {
    match super::account::signed_in(state, headers, now).await {
        Ok(Some(me)) => Ok(me),
        Ok(None) => Err(refused(StatusCode::UNAUTHORIZED, "signed_out", &"no session")),
        Err(error) => Err(failure(error.into())),
    }
}

#[derive(Deserialize, Default)]
pub struct BeginRegistration {
    #[serde(default)]
    password: String,
}

/// `POST /account/passkeys/begin`: options to create a passkey, once the
/// current password is given (a session alone must not add a way in).
pub async fn begin_registration(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Json(body): Json<BeginRegistration>,
) -> Response {
    let Some(rp) = state.passkeys.clone() else { return unavailable() };
    let now = state.clock.now();
    let me = match signed_in(&state, &headers, now).await {
        Ok(me) => me,
        Err(response) => return response,
    };
    let address = client_address(&headers, &peer, &state.settings.server);
    use super::account::{Refused, current_password};
    match current_password(&state, &headers, &me, body.password, address, now).await {
        Ok(Ok(())) => {}
        Ok(Err(Refused::Wrong)) => return refused(StatusCode::FORBIDDEN, "wrong_password", &"wrong password"),
        Ok(Err(Refused::Throttled(_))) => return refused(StatusCode::TOO_MANY_REQUESTS, "throttled", &"throttled"),
        Ok(Err(Refused::Busy)) => return refused(StatusCode::SERVICE_UNAVAILABLE, "busy", &"password pool full"),
        Err(error) => return failure(error.into()),
    }
    match super::account::second_factor_first(&state, &me).await {
        Ok(false) => {}
        Ok(true) => {
            return refused(StatusCode::FORBIDDEN, "second_factor_first", &"sign in with a second factor first");
        }
        Err(error) => return failure(error.into()),
    }
    match passkeys::begin_registration(&state.store, &rp, &me.user, now).await {
        Ok((created, token)) => options(&state, created, &token),
        Err(error) => failure(error),
    }
}

#[derive(Deserialize)]
pub struct FinishRegistration {
    #[serde(default)]
    name: String,
    credential: RegisterPublicKeyCredential,
}

/// `POST /account/passkeys/finish`: the new passkey, under a name.
pub async fn finish_registration(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Json(body): Json<FinishRegistration>,
) -> Response {
    let Some(rp) = state.passkeys.clone() else { return unavailable() };
    let now = state.clock.now();
    let me = match signed_in(&state, &headers, now).await {
        Ok(me) => me,
        Err(response) => return response,
    };
    let token = cookies::read(&state, &headers, cookies::WEBAUTHN).unwrap_or_default();
    let added =
        passkeys::finish_registration(&state.store, &rp, &me.user.id, &token, &body.name, &body.credential, now).await;
    let id = match added {
        Ok(id) => id,
        Err(error) => return failure(error),
    };
    let address = client_address(&headers, &peer, &state.settings.server);
    let mut event = audit_event(EventKind::PasskeyAdded, &headers, address);
    event.user_id = Some(&me.user.id);
    if let Err(error) = state.audit(&event, now).await {
        return failure(error.into());
    }
    answer(StatusCode::OK, json!({ "id": id, "redirect": "/account?notice=passkey-added" }))
}

#[derive(Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    password: String,
}

/// `POST /account/passkeys/remove`: a plain form, with the current password
/// (a session alone does not remove a way in) and, once a second factor is
/// set up, from a session that used one.
pub async fn remove(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<RemoveForm>,
) -> Response {
    use super::account::{Refused, current_password};
    use app::dto::AccountError;
    let now = state.clock.now();
    let failed = |error: &dyn std::fmt::Display| {
        tracing::error!(%error, "cannot remove a passkey");
        super::unavailable_page(&state, &headers)
    };
    let back = |error: AccountError| see_other(&format!("/account?error={}", error.to_query()));
    let me = match super::account::signed_in(&state, &headers, now).await {
        Ok(Some(me)) => me,
        Ok(None) => return see_other("/signin?return_to=/account"),
        Err(error) => return failed(&error),
    };
    let address = client_address(&headers, &peer, &state.settings.server);
    match current_password(&state, &headers, &me, form.password, address, now).await {
        Ok(Ok(())) => {}
        Ok(Err(Refused::Wrong)) => return back(AccountError::PasskeyWrongPassword),
        Ok(Err(Refused::Throttled(retry_after_seconds))) => {
            return back(AccountError::Throttled { retry_after_seconds });
        }
        Ok(Err(Refused::Busy)) => return failed(&"the password could not be checked now"),
        Err(error) => return failed(&error),
    }
    match super::account::second_factor_first(&state, &me).await {
        Ok(false) => {}
        Ok(true) => return back(AccountError::PasskeySecondFactorFirst),
        Err(error) => return failed(&error),
    }
    let removed = match passkeys::remove(&state.store, &me.user.id, &form.id).await {
        Ok(removed) => removed,
        Err(error) => return failed(&error),
    };
    if removed {
        let mut event = audit_event(EventKind::PasskeyRemoved, &headers, address);
        event.user_id = Some(&me.user.id);
        if let Err(error) = state.audit(&event, now).await {
            tracing::error!(%error, "cannot record a removed passkey");
        }
    }
    see_other("/account?notice=passkey-removed")
}

#[derive(Deserialize, Default)]
pub struct BeginSignIn {
    interaction: Option<String>,
    return_to: Option<String>,
}

/// `POST /signin/passkey/begin`: options to sign in with any passkey.
pub async fn begin_sign_in(State(state): State<AppState>, Json(body): Json<BeginSignIn>) -> Response {
    let Some(rp) = state.passkeys.clone() else { return unavailable() };
    let now = state.clock.now();
    let return_to = body.interaction.is_none().then(|| safe_return_to(body.return_to.as_deref()));
    match passkeys::begin_sign_in(&state.store, &rp, body.interaction.as_deref(), return_to.as_deref(), now).await {
        Ok((requested, token)) => options(&state, requested, &token),
        Err(error) => failure(error),
    }
}

#[derive(Deserialize)]
pub struct FinishSignIn {
    credential: PublicKeyCredential,
}

/// `POST /signin/passkey/finish`: the passkey's answer; on success the
/// session cookie and where the page goes next.
pub async fn finish_sign_in_with_passkey(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Json(body): Json<FinishSignIn>,
) -> Response {
    let Some(rp) = state.passkeys.clone() else { return unavailable() };
    let now = state.clock.now();
    let token = cookies::read(&state, &headers, cookies::WEBAUTHN).unwrap_or_default();
    let address = client_address(&headers, &peer, &state.settings.server);
    let signed_in = match passkeys::finish_sign_in(&state.store, &rp, &token, &body.credential, now).await {
        Ok(signed_in) => signed_in,
        Err(PasskeyError::Refused(reason)) => {
            let mut event = audit_event(EventKind::SignInFailed, &headers, address);
            event.detail = json!({ "reason": "passkey_not_accepted" });
            if let Err(error) = state.audit(&event, now).await {
                return failure(error.into());
            }
            return refused(StatusCode::BAD_REQUEST, "not_accepted", &reason);
        }
        Err(error) => return failure(error),
    };
    // An address not yet confirmed signs in only where the operator allows it.
    match sanus_core::users::get_user(&state.store, &signed_in.user_id).await {
        Ok(user) if !user.email_verified && !state.settings.accounts.unverified_may_sign_in => {
            return refused(StatusCode::FORBIDDEN, "email_not_verified", &"the address is not confirmed");
        }
        Ok(_) => {}
        Err(error) => return failure(error.into()),
    }
    let interaction = match &signed_in.interaction_id {
        Some(id) => match load_interaction(&state, &headers, id, now).await {
            Ok(found) => found.map(|(interaction, _)| interaction),
            Err(error) => return failure(error.into()),
        },
        None => None,
    };
    let page = signed_in.return_to.clone().unwrap_or_else(|| "/account".into());
    let next = match &interaction {
        Some(interaction) => Next::Interaction { id: &interaction.id, client_id: &interaction.client_id },
        None => Next::Page(&page),
    };
    let mut event = audit_event(EventKind::SignInSucceeded, &headers, address);
    event.user_id = Some(&signed_in.user_id);
    event.detail = json!({ "method": "passkey" });
    let redirected =
        match finish_sign_in(&state, &headers, &mut event, &signed_in.user_id, &AMR_PASSKEY, next, now).await {
            Ok(redirected) => redirected,
            Err(error) => return failure(error.into()),
        };
    // A locked account gets no session (and finish_sign_in a page saying so).
    if redirected.status() == StatusCode::FORBIDDEN {
        return answer(StatusCode::FORBIDDEN, json!({ "error": "account_locked" }));
    }
    // The page follows the redirect itself: the same cookies, as JSON.
    let location = redirected.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("/account");
    let mut response = answer(StatusCode::OK, json!({ "redirect": location }));
    for cookie in redirected.headers().get_all(header::SET_COOKIE) {
        response.headers_mut().append(header::SET_COOKIE, cookie.clone());
    }
    response
}
