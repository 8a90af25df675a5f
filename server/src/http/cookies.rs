//! The cookies Sanus sets: always `HttpOnly`, `SameSite=Lax` (the sign-in
//! response arrives by top-level navigation) and `Path=/`; when the public
//! URL is https, `Secure` and named with the `__Host-` prefix: browsers
//! take such a cookie only from this very host, so that no other host of
//! the domain (a compromised sibling) can plant one, for instance a session
//! of its own to sign a victim in as someone else. Over https only the
//! prefixed name is read.

use std::borrow::Cow;

use axum::http::{HeaderMap, HeaderValue, header};

use crate::state::AppState;

/// The single sign-on session (a random token; the database has its hash).
pub const SESSION: &str = "sanus_session";
/// A sign-in whose password was right, waiting for its second factor.
pub const SECOND_FACTOR: &str = "sanus_second_factor";
/// The browser that proved a password before its address is confirmed.
pub const VERIFICATION_PROOF: &str = "sanus_verify";
/// A WebAuthn ceremony between its two requests.
pub const WEBAUTHN: &str = "sanus_webauthn";
/// Binds interactions to the browser that started them.
pub const BROWSER: &str = "sanus_browser";

/// The name cookie `name` goes by: `__Host-{name}` under https.
pub fn wire_name(name: &str, secure: bool) -> Cow<'_, str> {
    if secure { Cow::Owned(format!("__Host-{name}")) } else { Cow::Borrowed(name) }
}

/// Whether cookies are `Secure` and `__Host-` named: the public URL is https.
pub fn secure(state: &AppState) -> bool {
    state.settings.server.public_url.is_https()
}

/// The value of cookie `name` in the request, if present.
pub fn read(state: &AppState, headers: &HeaderMap, name: &str) -> Option<String> {
    read_as(headers, name, secure(state))
}

fn read_as(headers: &HeaderMap, name: &str, secure: bool) -> Option<String> {
    let name = wire_name(name, secure);
    let name = name.as_ref();
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|cookies| {
        cookies.split(';').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            (key.trim() == name && !value.trim().is_empty()).then(|| value.trim().to_string())
        })
    })
}

/// A `Set-Cookie` value; `max_age` `None` makes a browser-session cookie.
pub fn set(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> Option<HeaderValue> {
    set_as(name, value, max_age, secure(state))
}

fn set_as(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> Option<HeaderValue> {
    let name = wire_name(name, secure);
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(seconds) = max_age {
        cookie.push_str(&format!("; Max-Age={seconds}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    HeaderValue::from_str(&cookie).ok()
}

/// A `Set-Cookie` value that deletes the cookie.
pub fn clear(state: &AppState, name: &str) -> Option<HeaderValue> {
    set(state, name, "", Some(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "a=1; sanus_session=tok; x_sanus_session=no".parse().unwrap());
        assert_eq!(read_as(&headers, SESSION, false).as_deref(), Some("tok"));
        assert_eq!(read_as(&headers, BROWSER, false), None);
    }

    #[test]
    fn over_https_only_the_host_prefixed_name_counts() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "sanus_session=planted; __Host-sanus_session=mine".parse().unwrap());
        assert_eq!(read_as(&headers, SESSION, true).as_deref(), Some("mine"));
        let mut planted = HeaderMap::new();
        planted.insert(header::COOKIE, "sanus_session=planted".parse().unwrap());
        assert_eq!(read_as(&planted, SESSION, true), None, "a cookie another host of the domain could set");
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_under_https() {
        let cookie = set_as(SESSION, "tok", None, true).unwrap();
        assert_eq!(cookie, "__Host-sanus_session=tok; Path=/; HttpOnly; SameSite=Lax; Secure");
        let cleared = set_as(SESSION, "", Some(0), false).unwrap();
        assert_eq!(cleared, "sanus_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    }
}
