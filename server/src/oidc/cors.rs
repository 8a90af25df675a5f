//! CORS for the endpoints browsers call directly (the token endpoint): only
//! origins some client registered in `web_origins` may read the answers
//! (Fetch standard, CORS protocol). Preflights are answered the same way.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

pub fn request_origin(headers: &HeaderMap) -> Option<String> {
    headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// Adds `Access-Control-Allow-Origin` when `origin` is a registered one.
pub async fn allow_registered_origin(state: &AppState, origin: Option<&str>, response: &mut Response) {
    let Some(origin) = origin else { return };
    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    match sanus_core::clients::origin_is_registered(&state.store, origin).await {
        Ok(true) => {
            if let Ok(value) = HeaderValue::from_str(origin) {
                headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
            }
        }
        Ok(false) => {}
        Err(error) => tracing::error!(%error, "cannot check the CORS origin"),
    }
}

/// `OPTIONS` on a browser-callable endpoint.
pub async fn preflight(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let origin = request_origin(&headers);
    let mut response = StatusCode::NO_CONTENT.into_response();
    allow_registered_origin(&state, origin.as_deref(), &mut response).await;
    let headers = response.headers_mut();
    if headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST"));
        headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("authorization, content-type"));
        headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    }
    response
}
