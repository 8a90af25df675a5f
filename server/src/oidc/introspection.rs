//! Token introspection (RFC 7662) for resource servers: a confidential
//! client asks whether a token is active. JWT access tokens are checked
//! like Bearer tokens (signature, expiry, revocation, live family);
//! refresh tokens only for the client that holds them. Anything else is
//! `{"active": false}`, never an error that tells why.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::bearer::validate_access_token;
use super::client_auth;
use super::error::OAuthError;
use super::params::Params;
use crate::state::AppState;

pub async fn introspect(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let mut response = match answer(&state, &headers, &body).await {
        Ok(value) => Json(value).into_response(),
        Err(error) => error.into_response(),
    };
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn answer(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Value, OAuthError> {
    let params = Params::from_form(headers, body)?;
    let cached = client_auth::authenticate_request(state, headers, &params).await?;
    let client = &cached.client;
    if !client.is_confidential() {
        return Err(OAuthError::invalid_client("Only confidential clients may introspect tokens."));
    }
    let token = params.require("token")?;
    let inactive = json!({ "active": false });
    if token.matches('.').count() == 2 {
        return Ok(match validate_access_token(state, token).await {
            Ok(claims) => {
                let mut answer = json!({
                    "active": true,
                    "token_type": "Bearer",
                    "scope": claims.scope,
                    "client_id": claims.client_id,
                    "sub": claims.sub,
                    "exp": claims.exp,
                    "iat": claims.iat,
                    "iss": state.settings.server.public_url.as_str(),
                    "jti": claims.jti,
                });
                if let Some(aud) = claims.rest.get("aud") {
                    answer["aud"] = aud.clone();
                }
                if let Some(sid) = &claims.sid {
                    answer["sid"] = json!(sid);
                }
                answer
            }
            Err(_) => inactive,
        });
    }
    let now = state.clock.now();
    Ok(match sanus_core::tokens::find_refresh_token(&state.store, token, now).await? {
        Some((family, expires_at)) if family.client_id == client.id.as_str() => json!({
            "active": true,
            "token_type": "refresh_token",
            "scope": family.scopes.join(" "),
            "client_id": family.client_id,
            "sub": super::claims::subject_of(state, client, &family.user_id).await?,
            "exp": expires_at.seconds(),
            "iss": state.settings.server.public_url.as_str(),
        }),
        _ => inactive,
    })
}
