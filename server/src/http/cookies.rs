//! The cookies Sanus sets: always `HttpOnly`, `SameSite=Lax` (the sign-in
//! response arrives by top-level navigation) and `Path=/`; `Secure` when the
//! public URL is https.

use axum::http::{HeaderMap, HeaderValue, header};

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

/// The value of cookie `name` in the request, if present.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|cookies| {
        cookies.split(';').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            (key.trim() == name && !value.trim().is_empty()).then(|| value.trim().to_string())
        })
    })
}

/// A `Set-Cookie` value; `max_age` `None` makes a browser-session cookie.
pub fn set(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> Option<HeaderValue> {
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
pub fn clear(name: &str, secure: bool) -> Option<HeaderValue> {
    set(name, "", Some(0), secure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "a=1; sanus_session=tok; x_sanus_session=no".parse().unwrap());
        assert_eq!(read(&headers, SESSION).as_deref(), Some("tok"));
        assert_eq!(read(&headers, BROWSER), None);
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_under_https() {
        let cookie = set(SESSION, "tok", None, true).unwrap();
        assert_eq!(cookie, "sanus_session=tok; Path=/; HttpOnly; SameSite=Lax; Secure");
        let cleared = clear(SESSION, false).unwrap();
        assert_eq!(cleared, "sanus_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    }
}
