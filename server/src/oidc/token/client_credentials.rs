//! The client credentials grant (RFC 6749 §4.4): a confidential client gets
//! an access token for itself, or for the service account it acts as.
//! Without `scope`, it gets every scope it is allowed that needs no user
//! (§3.3's default).

use sanus_core::UnixTime;
use sanus_core::clients::Client;

use super::TokenResponse;
use crate::oidc::access_token::issue_access_token;
use crate::oidc::error::{ErrorCode, OAuthError};
use crate::oidc::scope::{Scopes, USER_SCOPES};
use crate::state::AppState;

pub async fn grant(
    state: &AppState,
    client: &Client,
    scope: Option<&str>,
    now: UnixTime,
) -> Result<TokenResponse, OAuthError> {
    // The grant itself is checked by the dispatcher; registration already
    // refuses it to public clients, this keeps it so if that ever changes.
    if !client.is_confidential() {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "This client is not allowed to use the client_credentials grant.",
        ));
    }
    let scopes = check_scope(client, scope)?;
    // A client acting as a person's account acts for nobody while it is locked.
    if let Some(account) = &client.service_account
        && sanus_core::admin::is_locked(&state.store, account).await?
    {
        return Err(OAuthError::new(ErrorCode::InvalidGrant, "The service account of this client is locked."));
    }
    let subject = client.service_account.as_ref().map_or(client.id.as_str(), |user| user.as_str());
    let issued = issue_access_token(state, client, subject, &scopes, None, &serde_json::Map::new(), now).await?;
    Ok(TokenResponse {
        access_token: issued.token,
        token_type: "bearer",
        expires_in: issued.expires_in,
        scope: Some(scopes.joined()),
        refresh_token: None,
        id_token: None,
    })
}

/// The requested scopes, each allowed for the client; when none are
/// requested, all of them that a client may have for itself. User scopes
/// (`openid`, `profile`, …) need a user.
fn check_scope(client: &Client, requested: Option<&str>) -> Result<Scopes, OAuthError> {
    let Some(requested) = requested else {
        let own = client.allowed_scopes.iter().filter(|scope| !USER_SCOPES.contains(&scope.as_str()));
        return Ok(Scopes::from_vec(own.cloned().collect()));
    };
    let scopes = Scopes::parse(requested)?;
    for scope in scopes.iter() {
        if USER_SCOPES.contains(&scope) {
            return Err(OAuthError::invalid_scope(format!(
                "The scope {scope} needs a signed-in user; use the authorization code flow."
            )));
        }
        if !client.allowed_scopes.iter().any(|allowed| allowed == scope) {
            return Err(OAuthError::invalid_scope(format!("The scope {scope} is not allowed for this client.")));
        }
    }
    Ok(scopes)
}
