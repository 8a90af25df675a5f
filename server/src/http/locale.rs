//! `POST /locale`: the language switcher without JavaScript. Remembers the
//! choice in a cookie and sends the browser back where it came from.

use app::i18n::{LOCALE_COOKIE, LOCALE_COOKIE_MAX_AGE, Locale};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/locale", post(switch_locale))
}

#[derive(Debug, Deserialize)]
struct LocaleForm {
    #[serde(default)]
    locale: String,
    #[serde(default)]
    next: String,
}

async fn switch_locale(State(state): State<AppState>, Form(form): Form<LocaleForm>) -> Response {
    let Some(locale) = Locale::parse(&form.locale) else {
        return (StatusCode::BAD_REQUEST, "Unknown language. Choose English (en) or Deutsch (de).").into_response();
    };
    let secure = if super::cookies::secure(&state) { "; Secure" } else { "" };
    let cookie =
        format!("{LOCALE_COOKIE}={}; Path=/; Max-Age={LOCALE_COOKIE_MAX_AGE}; SameSite=Lax{secure}", locale.as_str());
    let mut response =
        (StatusCode::SEE_OTHER, [(header::LOCATION, local_path(&form.next)), (header::CACHE_CONTROL, "no-store")])
            .into_response();
    if let Ok(cookie) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// `next` when it is a path on this site, else `/`: never an open redirect.
fn local_path(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    if local { next } else { "/" }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_followed() {
        let cases = [
            ("/signin", "/signin"),
            ("/signin?x=1", "/signin?x=1"),
            ("", "/"),
            ("https://evil.example/", "/"),
            ("//evil.example/", "/"),
            ("/\\evil.example", "/"),
            ("/a\\b", "/"),
            ("/a\r\nSet-Cookie: x", "/"),
            ("javascript:alert(1)", "/"),
        ];
        for (next, expected) in cases {
            assert_eq!(local_path(next), expected, "{next:?}");
        }
    }
}
