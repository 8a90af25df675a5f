//! The token endpoint (RFC 6749 §3.2): authenticate the client, then
//! dispatch on the grant. Every response is `no-store` (§5.1).
//!
//! - `authorization_code` (§4.1.3): `authorization_code.rs`
//! - `refresh_token` (§6): `refresh_token.rs`
//! - `client_credentials` (§4.4): `client_credentials.rs`
//! - `password` (§4.3, legacy, opt-in with a warning): `password.rs`

mod authorization_code;
mod client_credentials;
mod password;
mod refresh_token;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::client_auth;
use super::cors;
use super::error::{ErrorCode, OAuthError};
use super::params::Params;
use crate::http::client_address::{Peer, client_address};
use crate::state::AppState;

/// A token request, typed by its grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRequest {
    AuthorizationCode,
    RefreshToken,
    ClientCredentials,
    Password,
}

impl TokenRequest {
    pub fn parse(params: &Params) -> Result<Self, OAuthError> {
        match params.require("grant_type")? {
            "authorization_code" => Ok(Self::AuthorizationCode),
            "refresh_token" => Ok(Self::RefreshToken),
            "client_credentials" => Ok(Self::ClientCredentials),
            "password" => Ok(Self::Password),
            _ => Err(OAuthError::new(ErrorCode::UnsupportedGrantType, "Unsupported grant_type.")),
        }
    }

    pub fn grant_type(self) -> sanus_core::clients::GrantType {
        use sanus_core::clients::GrantType;
        match self {
            Self::AuthorizationCode => GrantType::AuthorizationCode,
            Self::RefreshToken => GrantType::RefreshToken,
            Self::ClientCredentials => GrantType::ClientCredentials,
            Self::Password => GrantType::Password,
        }
    }
}

/// A replayed code or refresh token: its grant is revoked; the access
/// tokens it produced stop at once here, and the audit log says whose it was.
async fn replayed(
    state: &AppState,
    headers: &HeaderMap,
    address: Option<std::net::IpAddr>,
    token: &'static str,
    replay: &sanus_core::tokens::Replay,
    now: sanus_core::UnixTime,
) -> Result<(), OAuthError> {
    state.access_tokens.invalidate();
    let mut event = crate::http::audit_event(sanus_core::audit::EventKind::TokenReuseDetected, headers, address);
    event.user_id = Some(&replay.user_id);
    event.client_id = Some(&replay.client_id);
    event.detail = serde_json::json!({ "token": token, "family": replay.family_id });
    state.audit(&event, now).await?;
    Ok(())
}

/// What the token endpoint says to every grant of a locked account.
const ACCOUNT_LOCKED: &str = "This account is locked.";

/// A grant of a locked account: core revoked it; its access tokens stop here at once.
fn locked(state: &AppState) -> OAuthError {
    state.access_tokens.invalidate();
    OAuthError::new(ErrorCode::InvalidGrant, ACCOUNT_LOCKED)
}

/// A successful token response (RFC 6749 §5.1).
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

/// What the tokens are issued from.
pub struct IssuedFrom<'a> {
    pub family: &'a sanus_core::tokens::TokenFamily,
    /// The account as it was when the code was issued; `None`: read it now
    /// (refreshing gives the current claims).
    pub user: Option<sanus_core::users::User>,
    pub nonce: Option<&'a str>,
}

/// The tokens of a user's grant: an access token, an ID token when
/// `openid` was granted, the refresh token when there is one.
pub async fn user_token_response(
    state: &AppState,
    client: &sanus_core::clients::Client,
    issued_from: IssuedFrom<'_>,
    refresh_token: Option<String>,
    now: sanus_core::UnixTime,
) -> Result<TokenResponse, OAuthError> {
    let IssuedFrom { family, user, nonce } = issued_from;
    let user = match user {
        Some(user) => user,
        None => sanus_core::users::get_user(&state.store, &family.user_id).await?,
    };
    let scopes = super::scope::Scopes::from_vec(family.scopes.clone());
    let mut tenant = super::tenant_claims::tenant_claims(state, client, &user.id, &family.scopes, now).await?;
    super::tenant_claims::active_tenant(state, &user.id, family.tenant_id.as_deref(), &mut tenant).await?;
    let subject = super::claims::subject_of(state, client, &user.id).await?;
    super::let_queries_go_first().await;
    let issued = super::access_token::issue_access_token(
        state,
        client,
        &subject,
        &scopes,
        Some(family),
        &tenant.access_token,
        now,
    )
    .await?;
    let id_token = if scopes.contains("openid") {
        let mut extra = tenant.id_token;
        extra.extend(
            super::profession_claims::profession_claims(state, client.id.as_str(), &user.id, &family.scopes, now)
                .await?,
        );
        let input = super::id_token::IdTokenInput {
            client,
            family,
            user: &user,
            subject: &subject,
            nonce,
            access_token: &issued.token,
            extra,
            now,
        };
        Some(super::id_token::issue_id_token(state, input).await?)
    } else {
        None
    };
    Ok(TokenResponse {
        access_token: issued.token,
        token_type: "bearer",
        expires_in: issued.expires_in,
        scope: Some(scopes.joined()),
        refresh_token,
        id_token,
    })
}

pub async fn token(State(state): State<AppState>, peer: Peer, headers: HeaderMap, body: Bytes) -> Response {
    let origin = cors::request_origin(&headers);
    let address = client_address(&headers, &peer, &state.settings.server);
    let mut grant = "unsupported";
    let result = handle(&state, &headers, address, &body, origin.as_deref(), &mut grant).await;
    state.metrics.token_request(grant, result.as_ref().err().map(|error| error.code.as_str()));
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
    address: Option<std::net::IpAddr>,
    body: &[u8],
    origin: Option<&str>,
    grant: &mut &'static str,
) -> Result<TokenResponse, OAuthError> {
    let params = Params::from_form(headers, body)?;
    let request = TokenRequest::parse(&params)?;
    *grant = request.grant_type().as_str();
    let now = state.clock.now();
    let cached = client_auth::authenticate_request(state, headers, &params).await?;
    let client = &cached.client;
    if let Some(origin) = origin
        && !sanus_core::clients::client_allows_origin(client, origin)
    {
        return Err(OAuthError::invalid_client("This client may not be used from this web origin."));
    }
    // RFC 6749 §5.2: a grant the client was not registered for.
    if !client.allows_grant(request.grant_type()) {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            format!("This client may not use the {} grant.", request.grant_type().as_str()),
        ));
    }
    match request {
        TokenRequest::AuthorizationCode => {
            authorization_code::grant(state, headers, address, client, &params, now).await
        }
        TokenRequest::RefreshToken => refresh_token::grant(state, headers, address, client, &params, now).await,
        TokenRequest::ClientCredentials => client_credentials::grant(state, client, params.get("scope"), now).await,
        TokenRequest::Password => password::grant(state, headers, address, client, &params, now).await,
    }
}
