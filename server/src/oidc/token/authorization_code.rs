//! The authorization code grant (RFC 6749 §4.1.3, OIDC Core §3.1.3): the
//! code is spent once, and must come from the same client, with the same
//! redirect URI and the PKCE verifier of its challenge (RFC 7636 §4.5).
//! A replayed code revokes everything it produced.

use axum::http::HeaderMap;
use sanus_core::UnixTime;
use sanus_core::clients::{Client, GrantType};
use sanus_core::tokens::{CodeRedemption, GrantError, redeem_code};

use super::{TokenResponse, user_token_response};
use crate::oidc::error::{ErrorCode, OAuthError};
use crate::oidc::params::Params;
use crate::state::AppState;

pub async fn grant(
    state: &AppState,
    headers: &HeaderMap,
    address: Option<std::net::IpAddr>,
    client: &Client,
    params: &Params,
    now: UnixTime,
) -> Result<TokenResponse, OAuthError> {
    let redemption = CodeRedemption {
        code: params.require("code")?,
        client_id: client.id.as_str(),
        redirect_uri: params.get("redirect_uri"),
        code_verifier: params.get("code_verifier"),
        refresh_token_ttl: client.allows_grant(GrantType::RefreshToken).then_some(client.refresh_token_ttl),
    };
    let redeemed = match redeem_code(&state.store, &redemption, now).await? {
        Ok(redeemed) => redeemed,
        Err(GrantError::Invalid(reason)) => return Err(OAuthError::new(ErrorCode::InvalidGrant, reason)),
        Err(GrantError::Replayed(replay)) => {
            super::replayed(state, headers, address, "authorization_code", &replay, now).await?;
            return Err(OAuthError::new(ErrorCode::InvalidGrant, "The authorization code was already used."));
        }
        Err(GrantError::ScopeNotGranted(_)) => {
            return Err(OAuthError::new(ErrorCode::InvalidGrant, "The authorization code was already used."));
        }
        Err(GrantError::Locked) => return Err(super::locked(state)),
    };
    let issued = super::IssuedFrom { family: &redeemed.family, user: redeemed.user, nonce: redeemed.nonce.as_deref() };
    user_token_response(state, client, issued, redeemed.refresh_token, now).await
}
