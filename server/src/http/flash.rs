//! Secrets shown once, after a redirect. A form that makes a secret (a
//! client's, a rotated one, an initial access token) answers with a
//! redirect to the page that shows it (Post/Redirect/Get), and the secret
//! travels there in a short-lived cookie, sealed under the key-encryption
//! key for exactly that page. The page shows it and deletes the cookie, so
//! reloading or going back shows the page without it, and never posts the
//! form again (which would make a second client or token).

use axum::http::{HeaderMap, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::cookies;
use crate::oidc::authorize::see_other;
use crate::state::AppState;

/// The cookie that carries the sealed secret.
pub const COOKIE: &str = "sanus_flash";
/// How long the secret waits for its page: long enough for a slow redirect.
const LIFETIME_SECONDS: i64 = 120;

#[derive(Serialize, Deserialize)]
struct Sealed {
    secret: String,
    expires_at: i64,
}

fn secure(state: &AppState) -> bool {
    state.settings.server.public_url.is_https()
}

/// A redirect to `location` whose page, the one `page` names, shows
/// `secret` once.
pub fn redirect_showing(state: &AppState, location: &str, page: &str, secret: &str) -> Response {
    let mut response = see_other(location);
    let sealed = Sealed { secret: secret.to_string(), expires_at: state.clock.now().0 + LIFETIME_SECONDS };
    let value = serde_json::to_vec(&sealed).ok().and_then(|json| state.keys.seal_for(&context(page), &json));
    match value.and_then(|value| cookies::set(COOKIE, &value, Some(LIFETIME_SECONDS), secure(state))) {
        Some(cookie) => {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
        None => tracing::error!("could not seal a secret for its page"),
    }
    response
}

fn context(page: &str) -> String {
    format!("flash {page}")
}

/// The secret waiting for `page`, if this request carries one.
pub fn take(state: &AppState, headers: &HeaderMap, page: &str) -> Option<String> {
    let value = cookies::read(headers, COOKIE)?;
    let json = state.keys.open_for(&context(page), &value)?;
    let sealed: Sealed = serde_json::from_slice(&json).ok()?;
    (sealed.expires_at > state.clock.now().0).then_some(sealed.secret)
}

/// Deletes the cookie with `response`, when the request had one.
pub fn clear(state: &AppState, headers: &HeaderMap, response: &mut Response) {
    if cookies::read(headers, COOKIE).is_some()
        && let Some(cookie) = cookies::clear(COOKIE, secure(state))
    {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
}
