//! Secrets shown once, after a redirect. A form that makes a secret (a
//! client's, a rotated one, an initial access token) answers with a
//! redirect to the page that shows it (Post/Redirect/Get), and the secret
//! travels there in a short-lived cookie of that page's own, sealed under
//! the key-encryption key for exactly that page and that session. The page
//! shows it and deletes the cookie, so reloading or going back shows the
//! page without it, and never posts the form again (which would make a
//! second client or token).

use axum::http::{HeaderMap, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::cookies;
use crate::oidc::authorize::see_other;
use crate::state::AppState;

/// The cookie that carries the sealed secret to `page`: one per page, so
/// that two tabs do not overwrite each other's.
fn cookie_name(page: &str) -> String {
    let digest = sanus_core::clients::SecretHash::of(page.as_bytes());
    format!("sanus_flash_{}", &digest.as_str()[..16])
}
/// How long the secret waits for its page: long enough for a slow redirect.
const LIFETIME_SECONDS: i64 = 120;

#[derive(Serialize, Deserialize)]
struct Sealed {
    secret: String,
    expires_at: i64,
}

/// A redirect to `location` whose page, the one `page` names, shows
/// `secret` once.
pub fn redirect_showing(state: &AppState, headers: &HeaderMap, location: &str, page: &str, secret: &str) -> Response {
    let mut response = see_other(location);
    let sealed = Sealed { secret: secret.to_string(), expires_at: state.clock.now().0 + LIFETIME_SECONDS };
    let context = context(state, headers, page);
    let value = serde_json::to_vec(&sealed).ok().and_then(|json| state.keys.seal_for(&context, &json));
    let name = cookie_name(page);
    match value.and_then(|value| cookies::set(state, &name, &value, Some(LIFETIME_SECONDS))) {
        Some(cookie) => {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
        None => tracing::error!("could not seal a secret for its page"),
    }
    response
}

/// What the secret is sealed for: the page, and the session that made it
/// (so that whoever signs in next in this browser cannot read it).
fn context(state: &AppState, headers: &HeaderMap, page: &str) -> String {
    let session = cookies::read(state, headers, cookies::SESSION).unwrap_or_default();
    let session = sanus_core::clients::SecretHash::of(session.as_bytes());
    format!("flash {page} {}", session.as_str())
}

/// The secret waiting for `page`, if this request carries one.
pub fn take(state: &AppState, headers: &HeaderMap, page: &str) -> Option<String> {
    let value = cookies::read(state, headers, &cookie_name(page))?;
    let json = state.keys.open_for(&context(state, headers, page), &value)?;
    let sealed: Sealed = serde_json::from_slice(&json).ok()?;
    (sealed.expires_at > state.clock.now().0).then_some(sealed.secret)
}

/// Deletes `page`'s cookie with `response`, when the request had one.
pub fn clear(state: &AppState, headers: &HeaderMap, page: &str, response: &mut Response) {
    let name = cookie_name(page);
    if cookies::read(state, headers, &name).is_some()
        && let Some(cookie) = cookies::clear(state, &name)
    {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
}
