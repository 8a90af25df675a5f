//! Token revocation (RFC 7009): a client ends one of its own tokens. A
//! refresh token ends its whole grant (and with it the access tokens that
//! grant issued); an access token ends its grant too, or, without one
//! (client credentials), is remembered as revoked until it expires. The
//! answer is 200 for a token that is unknown, expired or revoked already
//! (§2.2); a live token of another client is refused with
//! `unauthorized_client` (§2.1), and left alone.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sanus_core::UnixTime;
use sanus_core::tokens::{find_refresh_token, revoke_access_token, revoke_family};

use super::bearer::validate_access_token;
use super::client_auth;
use super::cors;
use super::error::{ErrorCode, OAuthError};
use super::params::Params;
use crate::state::AppState;

pub async fn revoke(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let origin = cors::request_origin(&headers);
    let mut response = match answer(&state, &headers, &body).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(error) => error.into_response(),
    };
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    cors::allow_registered_origin(&state, origin.as_deref(), &mut response).await;
    response
}

async fn answer(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<(), OAuthError> {
    let params = Params::from_form(headers, body)?;
    let cached = client_auth::authenticate_request(state, headers, &params).await?;
    let client = &cached.client;
    let token = params.require("token")?;
    match params.get("token_type_hint") {
        None | Some("access_token" | "refresh_token") => {}
        Some(_) => {
            return Err(OAuthError::new(ErrorCode::UnsupportedTokenType, "token_type_hint is not supported."));
        }
    }
    let now = state.clock.now();
    let not_yours = || OAuthError::new(ErrorCode::UnauthorizedClient, "This token was issued to another client.");
    if token.matches('.').count() == 2 {
        if let Ok(claims) = validate_access_token(state, token).await {
            if claims.client_id != client.id.as_str() {
                return Err(not_yours());
            }
            match &claims.fid {
                Some(fid) => revoke_family(&state.store, fid, now).await?,
                None => revoke_access_token(&state.store, &claims.jti, UnixTime(claims.exp)).await?,
            }
            state.access_tokens.invalidate();
        }
        return Ok(());
    }
    if let Some((family, _)) = find_refresh_token(&state.store, token, now).await? {
        if family.client_id != client.id.as_str() {
            return Err(not_yours());
        }
        revoke_family(&state.store, &family.id, now).await?;
        state.access_tokens.invalidate();
    }
    Ok(())
}
