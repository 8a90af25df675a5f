//! Security headers on every response, and the per-response CSP nonce.
//!
//! HTML pages get a Content-Security-Policy that allows exactly what the
//! app needs: our own stylesheet and scripts, the one inline boot module
//! (by nonce), and wasm compilation. Everything else (JSON, assets) gets a
//! policy that allows nothing. Framing is refused everywhere.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Response, StatusCode, header};
use axum::middleware::Next;

use crate::state::AppState;

/// A fresh random value per response, allowed by the page's CSP for its
/// inline scripts. The UI reads it from the request extensions.
#[derive(Debug, Clone)]
pub struct CspNonce(String);

impl CspNonce {
    pub fn generate() -> Self {
        Self(sanus_core::random::url_safe(16))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Set by a handler or page whose forms lead to a client (a form_post
/// response, a sign-in that ends in a redirect to the client): the page's
/// `form-action` then allows that URI as well. Internal: never sent out.
/// Set by a handler whose page has forms that lead on to a client: this
/// layer adds the URI to the page's CSP `form-action`, then removes the
/// header. Internal: never sent to the browser.
pub const FORM_ACTION_HEADER: &str = "x-sanus-form-action";

/// The policy of an HTML page. `form-action 'self'`: forms post only to us,
/// plus `extra_form_action` (a client's redirect URI) where given; browsers
/// apply it to the redirects after a form submission too.
pub fn page_policy(nonce: &CspNonce, extra_form_action: Option<&str>) -> String {
    let extra = extra_form_action
        .filter(|uri| uri.bytes().all(|b| b.is_ascii_graphic() && b != b';' && b != b','))
        .map(|uri| format!(" {uri}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'{extra}; frame-ancestors 'none'",
        nonce.as_str()
    )
}

/// The policy of everything that is not a page.
pub const RESOURCE_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

pub async fn apply(State(state): State<AppState>, mut request: Request, next: Next) -> Response<Body> {
    let nonce = CspNonce::generate();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;

    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let form_action =
        response.headers_mut().remove(FORM_ACTION_HEADER).and_then(|v| v.to_str().ok().map(str::to_owned));
    let policy = if is_html {
        HeaderValue::from_str(&page_policy(&nonce, form_action.as_deref())).ok()
    } else {
        Some(HeaderValue::from_static(RESOURCE_POLICY))
    };
    let headers = response.headers_mut();
    if let Some(policy) = policy {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Authorization responses carry codes in URLs: never leak them onward.
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"),
    );
    if state.settings.server.public_url.is_https() {
        headers
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=63072000; includeSubDomains"));
    }
    response
}

/// A handler panicked: a fixed answer, the detail only in the log.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown");
    tracing::error!(panic = detail, "request handler panicked");
    let mut response = Response::new(Body::from("Internal server error. Please try again later."));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_fresh_and_long_enough() {
        let (a, b) = (CspNonce::generate(), CspNonce::generate());
        assert_ne!(a.as_str(), b.as_str());
        assert_eq!(a.as_str().len(), 22, "128 bits in unpadded base64");
    }

    #[test]
    fn page_policy_allows_only_our_nonce_for_inline_scripts() {
        let nonce = CspNonce::generate();
        let policy = page_policy(&nonce, None);
        assert!(policy.contains(&format!("'nonce-{}'", nonce.as_str())));
        assert!(policy.contains("form-action 'self';"));
        let to_client = page_policy(&nonce, Some("https://app.example/cb"));
        assert!(to_client.contains("form-action 'self' https://app.example/cb;"), "{to_client}");
        let injected = page_policy(&nonce, Some("https://x; script-src *"));
        assert!(injected.contains("form-action 'self';"), "{injected}");
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(!policy.contains("'unsafe-eval'"));
    }
}
