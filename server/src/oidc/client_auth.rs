//! Client authentication at the token endpoint (RFC 6749 §2.3, OIDC Core §9):
//! `client_secret_basic`, `client_secret_post`, and `none` for public
//! clients. A client must use the method it registered, exactly one method
//! per request. Every failure is `invalid_client`, whatever the reason, so
//! that nothing tells a guesser which part was wrong.

use axum::http::{HeaderMap, header};
use base64::Engine as _;
use sanus_core::UnixTime;
use std::sync::Arc;

use sanus_core::clients::{AuthMethod, ClientSecret};

use crate::clients::CachedClient;

use super::error::OAuthError;
use super::params::Params;

/// The credentials a request presented.
#[derive(Debug)]
pub enum Presented {
    Basic { client_id: String, secret: ClientSecret },
    Post { client_id: String, secret: ClientSecret },
    None { client_id: String },
}

impl Presented {
    pub fn method(&self) -> AuthMethod {
        match self {
            Self::Basic { .. } => AuthMethod::ClientSecretBasic,
            Self::Post { .. } => AuthMethod::ClientSecretPost,
            Self::None { .. } => AuthMethod::None,
        }
    }

    pub fn client_id(&self) -> &str {
        match self {
            Self::Basic { client_id, .. } | Self::Post { client_id, .. } | Self::None { client_id } => client_id,
        }
    }
}

/// Reads the credentials from the `Authorization` header and the body.
pub fn presented(headers: &HeaderMap, params: &Params) -> Result<Presented, OAuthError> {
    let body_id = params.get("client_id");
    let body_secret = params.get("client_secret");
    if let Some(authorization) = headers.get(header::AUTHORIZATION) {
        let (client_id, secret) = parse_basic(authorization.to_str().unwrap_or_default())
            .ok_or_else(|| OAuthError::invalid_client("The Authorization header is not valid HTTP Basic."))?;
        if body_secret.is_some() {
            return Err(OAuthError::invalid_request("Use one client authentication method, not two."));
        }
        if body_id.is_some_and(|id| id != client_id) {
            return Err(OAuthError::invalid_request("client_id differs from the authenticated client."));
        }
        return Ok(Presented::Basic { client_id, secret: ClientSecret::from_presented(&secret) });
    }
    match (body_id, body_secret) {
        (Some(id), Some(secret)) => {
            Ok(Presented::Post { client_id: id.to_string(), secret: ClientSecret::from_presented(secret) })
        }
        (Some(id), None) => Ok(Presented::None { client_id: id.to_string() }),
        (None, _) => Err(OAuthError::invalid_client("Client authentication is required.")),
    }
}

/// `Basic base64(urlencode(id) ":" urlencode(secret))` (RFC 6749 §2.3.1).
fn parse_basic(value: &str) -> Option<(String, String)> {
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| -> Option<String> {
        url::form_urlencoded::parse(format!("v={s}").as_bytes()).next().map(|(_, v)| v.into_owned())
    };
    let (id, secret) = (unescape(id)?, unescape(secret)?);
    (!id.is_empty()).then_some((id, secret))
}

/// Reads and checks the credentials of a request in one step.
pub async fn authenticate_request(
    state: &crate::state::AppState,
    headers: &HeaderMap,
    params: &Params,
) -> Result<Arc<CachedClient>, OAuthError> {
    let presented = presented(headers, params)?;
    authenticate(state, &presented, state.clock.now()).await
}

/// The client, if the credentials are right for it. Clients and their
/// secret hashes come from the per-instance cache.
pub async fn authenticate(
    state: &crate::state::AppState,
    presented: &Presented,
    now: UnixTime,
) -> Result<Arc<CachedClient>, OAuthError> {
    let wrong = || OAuthError::invalid_client("Client authentication failed.");
    let Some(cached) = state.clients.get(&state.store, presented.client_id(), now).await? else {
        return Err(wrong());
    };
    if cached.client.auth_method != presented.method() {
        return Err(OAuthError::invalid_client(format!(
            "This client authenticates with {}.",
            cached.client.auth_method.as_str()
        )));
    }
    match presented {
        Presented::Basic { secret, .. } | Presented::Post { secret, .. } => {
            if !cached.secret_matches(&secret.hash(), now) {
                return Err(wrong());
            }
        }
        Presented::None { .. } => {}
    }
    Ok(cached)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(raw: &str) -> String {
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw))
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        assert_eq!(parse_basic(&basic("app:s3cret")), Some(("app".into(), "s3cret".into())));
        assert_eq!(parse_basic(&basic("my%20app:a%3Ab")), Some(("my app".into(), "a:b".into())));
        assert_eq!(parse_basic(&basic("app:")), Some(("app".into(), String::new())));
        assert_eq!(parse_basic(&basic(":secret")), None);
        assert_eq!(parse_basic(&basic("no-colon")), None);
        assert_eq!(parse_basic("Bearer abc"), None);
        assert_eq!(parse_basic("Basic !!!"), None);
    }
}
