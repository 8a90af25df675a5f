//! Cross-site request forgery protection for every form and state-changing
//! request, by the browser's own word about where a request comes from
//! (Fetch Metadata, then `Origin`), the approach of the OWASP cheat sheet's
//! "Fetch Metadata" defence. No token to forget in a form, no state.
//!
//! A state-changing request (not GET, HEAD or OPTIONS) passes when
//! - `Sec-Fetch-Site` is `same-origin` or `none` (typed into the address bar), or
//! - without `Sec-Fetch-Site`, `Origin` is our public origin or the origin the
//!   request was addressed to (`Host`), or
//! - neither header is present: not a browser, so no ambient cookies to abuse.
//!
//! Endpoints that other sites must reach are exempt
//! (`oidc::CROSS_ORIGIN_POST_PATHS`): the token endpoint and friends, which
//! authenticate clients instead, and the authorization and logout
//! endpoints, which decide nothing on a cross-site POST but send it on as a
//! GET.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, Response, StatusCode, header};
use axum::middleware::Next;
use axum::response::IntoResponse as _;

use crate::state::AppState;

pub async fn reject_cross_origin(State(state): State<AppState>, request: Request, next: Next) -> Response<Body> {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe
        || crate::oidc::CROSS_ORIGIN_POST_PATHS.contains(&request.uri().path())
        || is_same_origin(request.headers(), &state.settings.server.public_url.origin())
    {
        return next.run(request).await;
    }
    tracing::warn!(method = %request.method(), "refused a cross-origin request");
    (
        StatusCode::FORBIDDEN,
        [(header::CACHE_CONTROL, "no-store")],
        "This request came from another site and was refused. \
         Open the page on this site and submit the form again.",
    )
        .into_response()
}

/// Whether a state-changing request may proceed (see the module comment).
pub fn is_same_origin(headers: &HeaderMap, public_origin: &str) -> bool {
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = value("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = value(header::ORIGIN.as_str()) else {
        return true;
    };
    if origin == public_origin {
        return true;
    }
    // Reached under another name than the public URL (e.g. localhost vs
    // 127.0.0.1 in development): the origin's authority must be the Host.
    let authority = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
    match (authority, value(header::HOST.as_str())) {
        (Some(authority), Some(host)) => authority.eq_ignore_ascii_case(host),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn cross_origin_decisions() {
        let public = "https://id.example.org";
        let cases: &[(&[(&str, &str)], bool)] = &[
            (&[("sec-fetch-site", "same-origin")], true),
            (&[("sec-fetch-site", "none")], true),
            (&[("sec-fetch-site", "cross-site")], false),
            (&[("sec-fetch-site", "same-site")], false),
            (&[("sec-fetch-site", "cross-site"), ("origin", "https://id.example.org")], false),
            (&[("origin", "https://id.example.org")], true),
            (&[("origin", "https://evil.example")], false),
            (&[("origin", "null")], false),
            (&[("origin", "http://localhost:3000"), ("host", "localhost:3000")], true),
            (&[("origin", "http://evil.example"), ("host", "localhost:3000")], false),
            (&[], true),
        ];
        for (pairs, expected) in cases {
            assert_eq!(is_same_origin(&headers(pairs), public), *expected, "{pairs:?}");
        }
    }
}
