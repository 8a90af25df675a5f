//! The refresh token grant (RFC 6749 §6): every use rotates the token
//! (RFC 9700 §4.14.2); presenting a rotated-out token revokes its family.
//! A `scope` may narrow, never widen, what the family was granted.

use axum::http::HeaderMap;
use sanus_core::UnixTime;
use sanus_core::clients::Client;
use sanus_core::tokens::{GrantError, rotate_refresh_token};

use super::{TokenResponse, user_token_response};
use crate::oidc::error::{ErrorCode, OAuthError};
use crate::oidc::params::Params;
use crate::oidc::scope::Scopes;
use crate::state::AppState;

pub async fn grant(
    state: &AppState,
    headers: &HeaderMap,
    address: Option<std::net::IpAddr>,
    client: &Client,
    params: &Params,
    now: UnixTime,
) -> Result<TokenResponse, OAuthError> {
    let token = params.require("refresh_token")?;
    let narrowed = params.get("scope").map(Scopes::parse).transpose()?;
    let requested = narrowed.as_ref().map(Scopes::as_vec);
    let rotated =
        rotate_refresh_token(&state.store, token, client.id.as_str(), requested, now, client.refresh_token_ttl);
    let rotated = match rotated.await? {
        Ok(rotated) => rotated,
        Err(GrantError::Invalid(reason)) => return Err(OAuthError::new(ErrorCode::InvalidGrant, reason)),
        Err(GrantError::ScopeNotGranted(scope)) => {
            return Err(OAuthError::invalid_scope(format!("The scope {scope} was not granted.")));
        }
        Err(GrantError::Replayed(replay)) => {
            super::replayed(state, headers, address, "refresh_token", &replay, now).await?;
            return Err(OAuthError::new(
                ErrorCode::InvalidGrant,
                "The refresh token was already used; all tokens of this grant are revoked.",
            ));
        }
        Err(GrantError::Locked) => return Err(super::locked(state)),
    };
    let family = &rotated.family;
    // A client or an organisation that now requires a second factor ends
    // grants made without one.
    if !sanus_core::mfa::is_multi_factor(&family.amr)
        && (client.require_mfa
            || sanus_core::organizations::organisation_requires_mfa(&state.store, &family.user_id).await?)
    {
        sanus_core::tokens::revoke_family(&state.store, &family.id, now).await?;
        state.access_tokens.invalidate();
        return Err(OAuthError::new(
            ErrorCode::InvalidGrant,
            "This application or an organisation of this user now requires a second factor: sign in again.",
        ));
    }
    let issued = super::IssuedFrom { family: &rotated.family, user: None, nonce: None };
    user_token_response(state, client, issued, Some(rotated.refresh_token), now).await
}
