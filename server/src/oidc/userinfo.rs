//! The UserInfo endpoint (OIDC Core §5.3): GET or POST with a Bearer access
//! token that carries `openid`; answers the claims its scopes release.
//! Errors as RFC 6750 §3. Browsers of registered origins may call it.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::bearer::{BearerError, bearer_token, validate_access_token};
use super::claims::user_claims;
use super::cors;
use crate::state::AppState;

pub async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let origin = cors::request_origin(&headers);
    let mut response = match answer(&state, &headers).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    };
    cors::allow_registered_origin(&state, origin.as_deref(), &mut response).await;
    response
}

async fn answer(state: &AppState, headers: &HeaderMap) -> Result<Response, BearerError> {
    let token = bearer_token(headers).ok_or(BearerError::Missing)?;
    let claims = validate_access_token(state, token).await?;
    if !claims.has_scope("openid") {
        return Err(BearerError::InsufficientScope("openid"));
    }
    let client = state.find_client(&claims.client_id).await.map_err(|error| {
        tracing::error!(%error, "cannot load a client");
        BearerError::Server
    })?;
    let Some(client) = client else { return Err(BearerError::InvalidToken("The client no longer exists.")) };
    let user_id = match super::claims::user_of(state, &client, &claims.sub).await {
        Ok(Some(user_id)) => user_id,
        Ok(None) => return Err(BearerError::InvalidToken("The user no longer exists.")),
        Err(error) => {
            tracing::error!(%error, "cannot map a pairwise subject");
            return Err(BearerError::Server);
        }
    };
    let user = match sanus_core::users::get_user(&state.store, &user_id).await {
        Ok(user) => user,
        Err(sanus_core::StoreError::NotFound) => return Err(BearerError::InvalidToken("The user no longer exists.")),
        Err(error) => {
            tracing::error!(%error, "cannot load a user");
            return Err(BearerError::Server);
        }
    };
    let scopes: Vec<String> = claims.scope.split(' ').map(str::to_owned).collect();
    let mut released = user_claims(&user, &claims.sub, &scopes);
    let now = state.clock.now();
    match super::tenant_claims::tenant_claims(state, &client, &user.id, &scopes, now).await {
        Ok(tenant) => released.extend(tenant.id_token),
        Err(error) => {
            tracing::error!(%error, "cannot load the organisation claims");
            return Err(BearerError::Server);
        }
    }
    match super::profession_claims::profession_claims(state, client.id.as_str(), &user.id, &scopes, now).await {
        Ok(professional) => released.extend(professional),
        Err(error) => {
            tracing::error!(%error, "cannot load the professional claims");
            return Err(BearerError::Server);
        }
    }
    let mut response = Json(released).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
