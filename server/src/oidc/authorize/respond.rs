//! Authorization responses (RFC 6749 §4.1.2 and §4.1.2.1) to a verified
//! redirect URI, in the requested response mode (OAuth 2.0 Multiple
//! Response Types §2.1, Form Post Response Mode), always with `iss`
//! (RFC 9207) and the client's `state`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};

use sanus_core::html::escape;

/// How the parameters travel back (`response_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseMode {
    Query,
    Fragment,
    FormPost,
}

impl ResponseMode {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "query" => Some(Self::Query),
            "fragment" => Some(Self::Fragment),
            "form_post" => Some(Self::FormPost),
            _ => None,
        }
    }
}

/// Where and how to answer: known only after the redirect URI was verified.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ResponseTarget {
    pub redirect_uri: String,
    pub mode: ResponseMode,
    pub state: Option<String>,
}

impl ResponseTarget {
    /// The success response: `code`, `state`, `iss`. `nonce` is the
    /// response's CSP nonce (used by form_post's self-submitting script).
    pub fn code(&self, issuer: &str, code: &str, nonce: &str) -> Response {
        self.respond(issuer, vec![("code", code.to_string())], nonce)
    }

    /// An error response (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6).
    pub fn error(&self, issuer: &str, error: &str, description: &str, nonce: &str) -> Response {
        self.respond(issuer, vec![("error", error.to_string()), ("error_description", description.to_string())], nonce)
    }

    fn respond(&self, issuer: &str, mut params: Vec<(&'static str, String)>, nonce: &str) -> Response {
        if let Some(state) = &self.state {
            params.push(("state", state.clone()));
        }
        params.push(("iss", issuer.to_string()));
        match self.mode {
            ResponseMode::Query | ResponseMode::Fragment => {
                let encoded = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&params).finish();
                let location = if self.mode == ResponseMode::Query {
                    let separator = if self.redirect_uri.contains('?') { '&' } else { '?' };
                    format!("{}{separator}{encoded}", self.redirect_uri)
                } else {
                    format!("{}#{encoded}", self.redirect_uri)
                };
                let mut response = StatusCode::SEE_OTHER.into_response();
                if let Ok(value) = HeaderValue::from_str(&location) {
                    response.headers_mut().insert(header::LOCATION, value);
                }
                response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                response
            }
            ResponseMode::FormPost => self.form_post(&params, nonce),
        }
    }

    /// An HTML form that posts the parameters to the client. It submits
    /// itself where scripts run; otherwise the button does.
    fn form_post(&self, params: &[(&'static str, String)], nonce: &str) -> Response {
        let fields: String = params
            .iter()
            .map(|(name, value)| format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">", escape(value)))
            .collect();
        let html = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Continue</title></head>\
             <body><form method=\"post\" action=\"{action}\">{fields}\
             <noscript><p>Continue to the application.</p></noscript>\
             <button type=\"submit\">Continue</button></form>\
             <script nonce=\"{nonce}\">document.forms[0].submit()</script></body></html>",
            action = escape(&self.redirect_uri),
            nonce = escape(nonce),
        );
        let mut response = Html(html).into_response();
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        // The security layer lets this page post to exactly this target.
        if let Ok(value) = HeaderValue::from_str(&self.redirect_uri) {
            response.headers_mut().insert(crate::http::security_headers::FORM_ACTION_HEADER, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(mode: ResponseMode, uri: &str) -> ResponseTarget {
        ResponseTarget { redirect_uri: uri.into(), mode, state: Some("s t&1".into()) }
    }

    #[test]
    fn query_responses_keep_the_registered_query_and_add_iss() {
        let response =
            target(ResponseMode::Query, "https://app.example/cb?tenant=1").code("https://id.example", "abc", "n");
        assert_eq!(response.status(), 303);
        assert_eq!(
            response.headers()["location"],
            "https://app.example/cb?tenant=1&code=abc&state=s+t%261&iss=https%3A%2F%2Fid.example"
        );
    }

    #[test]
    fn fragment_and_error_responses() {
        let response = target(ResponseMode::Fragment, "https://app.example/cb").error(
            "https://id.example",
            "access_denied",
            "no",
            "n",
        );
        let location = response.headers()["location"].to_str().unwrap();
        assert!(
            location.starts_with("https://app.example/cb#error=access_denied&error_description=no&state="),
            "{location}"
        );
    }

    #[test]
    fn form_post_escapes_values() {
        let mut t = target(ResponseMode::FormPost, "https://app.example/cb");
        t.state = Some("\"><script>".into());
        let response = t.code("https://id.example", "abc", "n0nce");
        assert_eq!(response.headers()[crate::http::security_headers::FORM_ACTION_HEADER], "https://app.example/cb");
        let body = futures_body(response);
        assert!(body.contains("value=\"&quot;&gt;&lt;script&gt;\""), "{body}");
        assert!(body.contains("<script nonce=\"n0nce\">"), "{body}");
    }

    fn futures_body(response: Response) -> String {
        let bytes = futures_executor(axum::body::to_bytes(response.into_body(), usize::MAX));
        String::from_utf8(bytes.unwrap().to_vec()).unwrap()
    }

    fn futures_executor<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(future)
    }
}
