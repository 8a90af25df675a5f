//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): ends the
//! SSO session, then returns to a registered `post_logout_redirect_uri`
//! with `state`, or shows that the user is signed out. With a valid
//! `id_token_hint` for the current session it acts at once; otherwise the
//! user confirms first (a same-origin form), so that no other site can
//! sign people out.
//!
//! - A hint that does not verify (not ours, an access token, signed by a
//!   key no longer published) is not used (§4): the user is asked, and the
//!   redirect happens only where `client_id` names the client.
//! - A relying party's POST goes on as a GET to this endpoint (see
//!   `oidc::CROSS_ORIGIN_POST_PATHS`); only our own page's POST confirms.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;

use super::authorize::{see_other, simple_page};
use super::params::Params;
use crate::http::cookies;
use crate::state::AppState;
use sanus_core::html::escape;

pub async fn end_session_get(State(state): State<AppState>, RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    let params = Params::from_pairs(url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()));
    end_session(&state, Method::GET, params, &headers).await
}

pub async fn end_session_post(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let params = Params::from_form(&headers, &body);
    // Only our own confirmation page's POST confirms.
    if let Ok(params) = &params
        && let Some(as_get) =
            super::as_get_if_cross_site(&state, &headers, super::END_SESSION_PATH, params, &["confirm"])
    {
        return as_get;
    }
    end_session(&state, Method::POST, params, &headers).await
}

async fn end_session(
    state: &AppState,
    method: Method,
    params: Result<Params, super::error::OAuthError>,
    headers: &HeaderMap,
) -> Response {
    let t = app::i18n::locale_of_headers(headers).texts();
    let refuse = |message: &str| {
        let body = format!("<p class=\"mt-4 text-slate-700\">{message}</p>");
        simple_page(state, headers, StatusCode::BAD_REQUEST, t.flow_error_title, &body)
    };
    let Ok(params) = params else { return refuse(t.flow_error_malformed) };
    let hint = match params.get("id_token_hint") {
        Some(token) => super::id_token_hint::verify(state, token).await,
        None => None,
    };
    let hint_failed = hint.is_none() && params.get("id_token_hint").is_some();
    let client_id = match (hint.as_ref().map(|h| h.aud.as_str()), params.get("client_id")) {
        (Some(aud), Some(id)) if aud != id => return refuse(t.flow_error_malformed),
        (Some(aud), _) => Some(aud.to_string()),
        (None, id) => id.map(str::to_owned),
    };
    let redirect = match params.get("post_logout_redirect_uri") {
        None => None,
        // The client was to be known by the hint: no redirect, the user is asked.
        Some(_) if client_id.is_none() && hint_failed => None,
        Some(uri) => {
            let Some(client_id) = &client_id else { return refuse(t.flow_error_malformed) };
            match state.find_client(client_id).await {
                Ok(Some(client)) if client.post_logout_redirect_uris.iter().any(|u| u == uri) => Some(uri.to_string()),
                Ok(_) => return refuse(t.flow_error_redirect),
                Err(error) => {
                    tracing::error!(%error, "cannot load a client");
                    return crate::http::unavailable_page(state, headers);
                }
            }
        }
    };

    let now = state.clock.now();
    let session = match cookies::read(state, headers, cookies::SESSION) {
        Some(token) => sanus_core::sessions::find_session_by_token(&state.store, &token, now).await.ok().flatten(),
        None => None,
    };
    let hint_matches = match (&hint, &session) {
        (Some(hint), Some(session)) => {
            let names = match state.find_client(&hint.aud).await {
                Ok(Some(client)) => hint.names(state, &client, &session.user_id).await.unwrap_or(false),
                _ => false,
            };
            names && hint.sid.as_deref().is_none_or(|sid| sid == session.id)
        }
        (Some(_), None) => true,
        (None, _) => false,
    };
    let confirmed = hint_matches || (method == Method::POST && params.get("confirm") == Some("yes"));
    if session.is_some() && !confirmed {
        let carried = [
            ("client_id", client_id.as_deref()),
            ("post_logout_redirect_uri", redirect.as_deref()),
            ("state", params.get("state")),
        ];
        return confirm_page(state, headers, &carried);
    }
    if let Some(session) = &session
        && let Err(error) = sanus_core::sessions::end_session(&state.store, &session.id, now).await
    {
        tracing::error!(%error, "cannot end a session");
        return crate::http::unavailable_page(state, headers);
    }
    let mut response = match redirect {
        Some(uri) => {
            let mut target = url::Url::parse(&uri).ok();
            if let (Some(target), Some(state_param)) = (target.as_mut(), params.get("state")) {
                target.query_pairs_mut().append_pair("state", state_param);
            }
            see_other(target.map_or(uri, |t| t.to_string()).as_str())
        }
        None => {
            let body = format!("<p class=\"mt-4 text-slate-700\">{}</p>", t.logged_out_text);
            simple_page(state, headers, StatusCode::OK, t.logged_out_title, &body)
        }
    };
    if let Some(cookie) = cookies::clear(state, cookies::SESSION) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// Asks whether to sign out; the form carries what was checked already
/// (the client as the hint named it, a registered redirect, `state`).
fn confirm_page(state: &AppState, headers: &HeaderMap, carried: &[(&str, Option<&str>)]) -> Response {
    let t = app::i18n::locale_of_headers(headers).texts();
    let hidden: String = carried
        .iter()
        .filter_map(|(name, value)| {
            value.map(|v| format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">", escape(v)))
        })
        .collect();
    let body = format!(
        "<p class=\"mt-4 text-slate-700\">{text}</p><form method=\"post\" action=\"{path}\" class=\"mt-6\">{hidden}\
         <input type=\"hidden\" name=\"confirm\" value=\"yes\">\
         <button type=\"submit\" class=\"rounded-md bg-teal-700 px-4 py-2.5 font-semibold text-white hover:bg-teal-800\">{button}</button></form>",
        text = t.logout_confirm_text,
        path = super::END_SESSION_PATH,
        button = t.logout_confirm_button,
    );
    let mut response = simple_page(state, headers, StatusCode::OK, t.logout_confirm_title, &body);
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
