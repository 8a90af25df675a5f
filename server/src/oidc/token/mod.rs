//! The token endpoint (RFC 6749 §3.2): authenticate the client, then
//! dispatch on the grant. Every response is `no-store` (§5.1).
//!
//! - `client_credentials` (§4.4): `client_credentials.rs`
//! - `authorization_code`, `refresh_token`: not yet (`unsupported_grant_type`)

mod client_credentials;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::client_auth;
use super::cors;
use super::error::{ErrorCode, OAuthError};
use super::params::Params;
use crate::state::AppState;

/// A token request, typed by its grant.
#[derive(Debug)]
pub enum TokenRequest {
    ClientCredentials { scope: Option<String> },
}

impl TokenRequest {
    pub fn parse(params: &Params) -> Result<Self, OAuthError> {
        match params.require("grant_type")? {
            "client_credentials" => Ok(Self::ClientCredentials { scope: params.get("scope").map(str::to_owned) }),
            "authorization_code" | "refresh_token" => Err(OAuthError::new(
                ErrorCode::UnsupportedGrantType,
                "This grant type is not available on this server yet.",
            )),
            _ => Err(OAuthError::new(ErrorCode::UnsupportedGrantType, "Unknown grant_type.")),
        }
    }
}

/// A successful token response (RFC 6749 §5.1).
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

pub async fn token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let origin = cors::request_origin(&headers);
    let result = handle(&state, &headers, &body, origin.as_deref()).await;
    let mut response = match result {
        Ok(response) => axum::Json(response).into_response(),
        Err(error) => error.into_response(),
    };
    let response_headers = response.headers_mut();
    response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response_headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    cors::allow_registered_origin(&state, origin.as_deref(), &mut response).await;
    response
}

async fn handle(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    origin: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let params = Params::from_form(headers, body)?;
    let request = TokenRequest::parse(&params)?;
    let presented = client_auth::presented(headers, &params)?;
    let now = state.clock.now();
    let client = client_auth::authenticate(&state.store, &presented, now).await?;
    if let Some(origin) = origin
        && !sanus_core::clients::client_allows_origin(&client, origin)
    {
        return Err(OAuthError::invalid_client("This client may not be used from this web origin."));
    }
    match request {
        TokenRequest::ClientCredentials { scope } => {
            client_credentials::grant(state, &client, scope.as_deref(), now).await
        }
    }
}
