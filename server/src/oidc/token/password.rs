//! The resource owner password credentials grant (RFC 6749 §4.3): legacy.
//! RFC 9700 §2.4 says it MUST NOT be used, and Sanus offers it only where
//! an application cannot yet do otherwise: a first-party confidential
//! client whose registration accepted the warning
//! (`password_grant_risk_accepted`).
//!
//! The password is checked as on the sign-in page: the same throttle by
//! address and account, the same time for unknown accounts, the same audit.
//! What this grant cannot do, it refuses instead of skipping: a person who
//! signs in with a second factor (their own, the client's or their
//! organisation's rule), an unconfirmed address where that must come first,
//! scopes that need the person's consent (professional profiles), and a
//! client that asks for the active tenant.

use sanus_core::UnixTime;
use sanus_core::audit::EventKind;
use sanus_core::clients::{Client, GrantType};
use sanus_core::tokens::{DirectGrant, start_family};

use super::{ACCOUNT_LOCKED, IssuedFrom, TokenResponse, user_token_response};
use crate::http::sign_in::{Refusal, check_password};
use crate::oidc::error::{ErrorCode, OAuthError};
use crate::oidc::params::Params;
use crate::oidc::scope::Scopes;
use crate::state::AppState;

fn invalid_grant(description: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidGrant, description)
}

pub async fn grant(
    state: &AppState,
    headers: &http::HeaderMap,
    address: Option<std::net::IpAddr>,
    client: &Client,
    params: &Params,
    now: UnixTime,
) -> Result<TokenResponse, OAuthError> {
    // The dispatcher checked the grant; registration allows it only so.
    if !client.is_confidential() || !client.first_party {
        return Err(OAuthError::new(ErrorCode::UnauthorizedClient, "This client may not use the password grant."));
    }
    if client.tenant_context {
        return Err(OAuthError::new(
            ErrorCode::InvalidRequest,
            "This client asks people for their active tenant: use the authorization code flow.",
        ));
    }
    let scopes = check_scope(client, params.get("scope"))?;
    let username = params.require("username")?;
    let password = params.require("password")?.to_string();
    let user = match check_password(state, headers, address, username, password, Some(client.id.as_str()), now).await? {
        Ok(user) => user,
        Err(Refusal::ThrottledUntil(until)) => {
            return Err(OAuthError::new(
                ErrorCode::InvalidGrant,
                format!("Too many failed attempts: try again in {} seconds.", (until.0 - now.0).max(1)),
            ));
        }
        Err(Refusal::Locked) => return Err(invalid_grant(ACCOUNT_LOCKED)),
        Err(Refusal::InvalidCredentials) => return Err(invalid_grant("The e-mail address or the password is wrong.")),
        Err(Refusal::Busy) => {
            return Err(OAuthError::new(
                ErrorCode::TemporarilyUnavailable,
                "Too many sign-ins at once: the password was not checked. Try again in a moment.",
            ));
        }
    };
    let second_factor = client.require_mfa
        || sanus_core::mfa::mfa_status(&state.store, &user.id).await?.required()
        || sanus_core::organizations::organisation_requires_mfa(&state.store, &user.id).await?;
    let refusal = if !user.email_verified && !state.settings.accounts.unverified_may_sign_in {
        Some(("email_not_verified", "Confirm the e-mail address first: sign in on the sign-in page."))
    } else if second_factor {
        Some((
            "second_factor_required",
            "This sign-in needs a second factor, which the password grant cannot ask for: \
             use the authorization code flow.",
        ))
    } else {
        None
    };
    let grant = DirectGrant {
        client_id: client.id.as_str().to_string(),
        user_id: user.id.clone(),
        scopes: scopes.as_vec().to_vec(),
        amr: vec!["pwd".to_string()],
    };
    let refresh_ttl = client.allows_grant(GrantType::RefreshToken).then_some(client.refresh_token_ttl);
    let started = match refusal {
        Some(_) => None,
        // None too when an operator locked the account during the password
        // check (the lock came with the account, before it).
        None => start_family(&state.store, &grant, refresh_ttl, now).await?,
    };
    let Some((family, refresh_token)) = started else {
        let (reason, description) = refusal.unwrap_or((Refusal::LOCKED, ACCOUNT_LOCKED));
        let mut event = crate::http::audit_event(EventKind::SignInFailed, headers, address);
        event.user_id = Some(&user.id);
        event.client_id = Some(client.id.as_str());
        event.detail = serde_json::json!({ "reason": reason, "via": "password_grant" });
        state.audit(&event, now).await?;
        return Err(invalid_grant(description));
    };
    let mut event = crate::http::audit_event(EventKind::SignInSucceeded, headers, address);
    event.user_id = Some(&user.id);
    event.client_id = Some(client.id.as_str());
    event.detail = serde_json::json!({ "via": "password_grant" });
    state.audit(&event, now).await?;
    let issued = IssuedFrom { family: &family, user: Some(user), nonce: None };
    user_token_response(state, client, issued, refresh_token, now).await
}

/// The requested scopes, each allowed for the client and none that needs
/// the person's consent; without `scope`, every such scope it is allowed.
fn check_scope(client: &Client, requested: Option<&str>) -> Result<Scopes, OAuthError> {
    let consent_only = crate::oidc::profession_claims::SCOPES;
    let Some(requested) = requested else {
        let allowed = client.allowed_scopes.iter().filter(|s| !consent_only.contains(&s.as_str())).cloned();
        return Ok(Scopes::from_vec(allowed.collect()));
    };
    let scopes = Scopes::parse(requested)?;
    for scope in scopes.iter() {
        if consent_only.contains(&scope) {
            return Err(OAuthError::invalid_scope(format!(
                "The scope {scope} needs the person's consent: use the authorization code flow."
            )));
        }
        if !client.allowed_scopes.iter().any(|allowed| allowed == scope) {
            return Err(OAuthError::invalid_scope(format!("The scope {scope} is not allowed for this client.")));
        }
    }
    Ok(scopes)
}
