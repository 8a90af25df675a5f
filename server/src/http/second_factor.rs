//! The second step of signing in, for accounts with an authenticator app:
//! `GET /signin/second-factor` asks for its code (or a recovery code),
//! `POST` checks it. The waiting sign-in is bound to this browser by a
//! cookie (only its hash is stored), lasts ten minutes and ends after five
//! wrong codes; wrong codes also count against the account and the address
//! like failed passwords.

use axum::Form;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use sanus_core::UnixTime;
use sanus_core::audit::EventKind;
use sanus_core::keys::KeyError;
use sanus_core::mfa::{
    AMR_RECOVERY_CODE, AMR_TOTP, PENDING_LIFETIME_SECONDS, check_totp, find_pending_sign_in, finish_pending_sign_in,
    start_pending_sign_in, take_pending_try, use_recovery_code,
};
use sanus_core::throttle::{SignInAttempt, Taken};
use sanus_core::users::{UserId, get_user};
use serde::Deserialize;

use super::audit_event;
use super::client_address::{Peer, client_address};
use super::cookies;
use super::sign_in::{Next, finish_sign_in};
use crate::oidc::authorize::{load_interaction, see_other};
use crate::state::AppState;
use app::dto::{SecondFactorError, SecondFactorView};

const PAGE: &str = "/signin/second-factor";

/// Parks a sign-in whose password was right and asks for the second factor.
pub async fn ask(
    state: &AppState,
    user_id: &UserId,
    next: Next<'_>,
    now: UnixTime,
) -> Result<Response, sanus_core::StoreError> {
    let (interaction, return_to) = match next {
        Next::Interaction { id, .. } => (Some(id), None),
        Next::Page(page) => (None, Some(page)),
    };
    let token = start_pending_sign_in(&state.store, user_id, interaction, return_to, now).await?;
    let mut response = see_other(PAGE);
    if let Some(cookie) = cookies::set(state, cookies::SECOND_FACTOR, &token, Some(PENDING_LIFETIME_SECONDS)) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    error: Option<String>,
}

/// `GET /signin/second-factor`.
pub async fn page(
    State(state): State<AppState>,
    axum::extract::Query(query): axum::extract::Query<PageQuery>,
    request: Request<Body>,
) -> Response {
    let now = state.clock.now();
    let token = cookies::read(&state, request.headers(), cookies::SECOND_FACTOR).unwrap_or_default();
    let pending = match find_pending_sign_in(&state.store, &token, now).await {
        Ok(pending) => pending,
        Err(error) => return failed(&state, request.headers(), &error),
    };
    let view = SecondFactorView {
        usable: pending.is_some(),
        error: query.error.as_deref().and_then(SecondFactorError::parse),
    };
    // The code may finish an authorization request: its redirect must be allowed.
    let interaction = pending.and_then(|p| p.interaction_id);
    super::ui::render_loaded(&state, request, app::LoadedSecondFactor(view), interaction.as_deref()).await
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /signin/second-factor`: an authenticator code (six digits) or a
/// recovery code.
pub async fn submit(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let now = state.clock.now();
    let token = cookies::read(&state, &headers, cookies::SECOND_FACTOR).unwrap_or_default();
    let pending = match find_pending_sign_in(&state.store, &token, now).await {
        Ok(Some(pending)) => pending,
        Ok(None) => return see_other(PAGE),
        Err(error) => return failed(&state, &headers, &error),
    };
    let user = match get_user(&state.store, &pending.user_id).await {
        Ok(user) => user,
        Err(error) => return failed(&state, &headers, &error),
    };
    let address = client_address(&headers, &peer, &state.settings.server);
    // Counted against the account's own second-factor count, which a right
    // password does not clear, and the address.
    let attempt = SignInAttempt::second_factor(user.id.as_str(), address.as_ref());
    let back = |error: SecondFactorError| see_other(&format!("{PAGE}?error={}", error.to_query()));
    // Counted before the code is looked at (see `SignInAttempt::take`).
    let (wait_if_wrong, reserved) = match attempt.take(&state.store, now).await {
        Ok(Taken::Counted { wait_if_wrong, reserved }) => (wait_if_wrong, reserved),
        Ok(Taken::Wait(seconds)) => return back(SecondFactorError::Throttled { retry_after_seconds: seconds }),
        Err(error) => return failed(&state, &headers, &error),
    };
    let left = match take_pending_try(&state.store, &token, now).await {
        Ok(Some(left)) => left,
        // No code is looked at: the attempt is given back.
        Ok(None) => {
            return attempt
                .refund(&state.store, &reserved)
                .await
                .map_or_else(|e| failed(&state, &headers, &e), |()| see_other(PAGE));
        }
        Err(error) => return failed(&state, &headers, &error),
    };
    let amr = match check_second_factor(&state, &user.id, &form.code, now).await {
        Ok(amr) => amr,
        Err(error) => {
            // Not decided: the attempt is given back (best effort).
            if let Err(refund) = attempt.refund(&state.store, &reserved).await {
                tracing::warn!(error = %refund, "cannot give back an undecided second-factor attempt");
            }
            return failed(&state, &headers, &error);
        }
    };
    let Some(amr) = amr else {
        let mut event = audit_event(EventKind::SignInFailed, &headers, address);
        event.user_id = Some(&user.id);
        event.detail = serde_json::json!({ "reason": "wrong_second_factor" });
        return match state.audit(&event, now).await {
            Ok(()) if wait_if_wrong > 0 => back(SecondFactorError::Throttled { retry_after_seconds: wait_if_wrong }),
            Ok(()) => back(SecondFactorError::Wrong { tries_left: left }),
            Err(error) => failed(&state, &headers, &error),
        };
    };
    let finished = async {
        // The code was right: it counts as such even if the waiting sign-in
        // ended meanwhile (a parallel request finished it).
        attempt.record_success(&state.store, now).await?;
        if !finish_pending_sign_in(&state.store, &token, now).await? {
            return Ok(see_other(PAGE));
        }
        // The authorization request, if it is still alive in this browser.
        let interaction = match &pending.interaction_id {
            Some(id) => load_interaction(&state, &headers, id, now).await?.map(|(interaction, _)| interaction),
            None => None,
        };
        let next = match (&interaction, &pending.return_to) {
            (Some(interaction), _) => Next::Interaction { id: &interaction.id, client_id: &interaction.client_id },
            (None, Some(page)) => Next::Page(page),
            (None, None) => Next::Page("/account"),
        };
        let method = if amr == AMR_TOTP { "totp" } else { "recovery_code" };
        let mut event = audit_event(EventKind::SignInSucceeded, &headers, address);
        event.user_id = Some(&user.id);
        event.detail = serde_json::json!({ "second_factor": method });
        let mut response = finish_sign_in(&state, &headers, &mut event, &user.id, amr, next, now).await?;
        if let Some(cookie) = cookies::clear(&state, cookies::SECOND_FACTOR) {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
        Ok::<_, sanus_core::StoreError>(response)
    };
    finished.await.unwrap_or_else(|error| failed(&state, &headers, &error))
}

/// Checks a second factor of the account: an authenticator code (six
/// digits) or a recovery code; on success the `amr` it proves.
pub async fn check_second_factor(
    state: &AppState,
    user_id: &UserId,
    code: &str,
    now: UnixTime,
) -> Result<Option<&'static [&'static str]>, KeyError> {
    let digits = code.chars().filter(char::is_ascii_digit).count();
    if digits == code.chars().filter(|c| !c.is_whitespace()).count() {
        return match check_totp(&state.store, state.keys.kek(), user_id, code, now).await {
            // A secret this KEK cannot open (keys.kek was changed): no code can
            // match, but a recovery code still can; the operator must know.
            Err(error @ (KeyError::WrongKek { .. } | KeyError::Corrupt { .. })) => {
                tracing::error!(%error, %user_id, "a TOTP secret cannot be opened");
                Ok(None)
            }
            checked => checked.map(|ok| ok.then_some(&AMR_TOTP[..])),
        };
    }
    Ok(use_recovery_code(&state.store, user_id, code, now).await?.then_some(&AMR_RECOVERY_CODE[..]))
}

fn failed(state: &AppState, headers: &HeaderMap, cause: &dyn std::fmt::Display) -> Response {
    tracing::error!(%cause, "second factor failed");
    super::unavailable_page(state, headers)
}
