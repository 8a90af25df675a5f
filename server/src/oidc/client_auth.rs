//! Client authentication at the token endpoint (RFC 6749 §2.3, OIDC Core §9):
//! `client_secret_basic`, `client_secret_post`, `private_key_jwt` (a JWT
//! signed with a registered key, RFC 7523 §2.2), and `none` for public
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
    Basic {
        client_id: String,
        secret: ClientSecret,
    },
    Post {
        client_id: String,
        secret: ClientSecret,
    },
    /// `client_assertion`, with the client it names (`sub`, unverified yet).
    Assertion {
        client_id: String,
        assertion: String,
    },
    None {
        client_id: String,
    },
}

/// RFC 7523 §2.2's `client_assertion_type`.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

impl Presented {
    pub fn method(&self) -> AuthMethod {
        match self {
            Self::Basic { .. } => AuthMethod::ClientSecretBasic,
            Self::Post { .. } => AuthMethod::ClientSecretPost,
            Self::Assertion { .. } => AuthMethod::PrivateKeyJwt,
            Self::None { .. } => AuthMethod::None,
        }
    }

    pub fn client_id(&self) -> &str {
        match self {
            Self::Basic { client_id, .. }
            | Self::Post { client_id, .. }
            | Self::Assertion { client_id, .. }
            | Self::None { client_id } => client_id,
        }
    }
}

/// Reads the credentials from the `Authorization` header and the body.
pub fn presented(headers: &HeaderMap, params: &Params) -> Result<Presented, OAuthError> {
    let body_id = params.get("client_id");
    let body_secret = params.get("client_secret");
    if let Some(kind) = params.get("client_assertion_type") {
        if kind != JWT_BEARER {
            return Err(OAuthError::invalid_client(format!("client_assertion_type must be {JWT_BEARER}.")));
        }
        if headers.contains_key(header::AUTHORIZATION) || body_secret.is_some() {
            return Err(OAuthError::invalid_request("Use one client authentication method, not two."));
        }
        let assertion = params.require("client_assertion")?;
        let client_id = assertion_subject(assertion)
            .ok_or_else(|| OAuthError::invalid_client("client_assertion is not a JWT naming its client in sub."))?;
        if body_id.is_some_and(|id| id != client_id) {
            return Err(OAuthError::invalid_request("client_id differs from the assertion's sub."));
        }
        return Ok(Presented::Assertion { client_id, assertion: assertion.to_string() });
    }
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

/// The `sub` of a JWT, read before its signature is checked: it only says
/// which client's keys to check it with.
fn assertion_subject(assertion: &str) -> Option<String> {
    let payload = assertion.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("sub")?.as_str().filter(|s| !s.is_empty()).map(str::to_string)
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
        Presented::Assertion { assertion, .. } => {
            if let Err(reason) = check_assertion(state, &cached.client, assertion, now).await? {
                tracing::info!(client_id = %cached.client.id, reason, "client assertion refused");
                return Err(wrong());
            }
        }
        Presented::None { .. } => {}
    }
    Ok(cached)
}

/// The algorithms a client assertion may be signed with (discovery lists them).
pub const ASSERTION_ALGORITHMS: [jsonwebtoken::Algorithm; 9] = [
    jsonwebtoken::Algorithm::RS256,
    jsonwebtoken::Algorithm::RS384,
    jsonwebtoken::Algorithm::RS512,
    jsonwebtoken::Algorithm::PS256,
    jsonwebtoken::Algorithm::PS384,
    jsonwebtoken::Algorithm::PS512,
    jsonwebtoken::Algorithm::ES256,
    jsonwebtoken::Algorithm::ES384,
    jsonwebtoken::Algorithm::EdDSA,
];

/// The longest an assertion may be valid: its `jti` is kept that long.
const MAX_ASSERTION_SECONDS: i64 = 600;

/// The claims of a client assertion that Sanus checks itself.
#[derive(serde::Deserialize)]
struct AssertionClaims {
    jti: String,
    exp: i64,
}

/// RFC 7523 §3: signed by one of the client's keys; `iss` and `sub` the
/// client; `aud` Sanus (its issuer, or the endpoint called); not expired,
/// valid for at most ten minutes; its `jti` never seen before.
async fn check_assertion(
    state: &crate::state::AppState,
    client: &sanus_core::clients::Client,
    assertion: &str,
    now: UnixTime,
) -> Result<Result<(), &'static str>, sanus_core::StoreError> {
    use jsonwebtoken::{DecodingKey, Validation, decode, decode_header, jwk::JwkSet};
    let Ok(header) = decode_header(assertion) else { return Ok(Err("not a JWT")) };
    if !ASSERTION_ALGORITHMS.contains(&header.alg) {
        return Ok(Err("algorithm not accepted"));
    }
    let Some(keys) = client.jwks.as_deref().and_then(|text| serde_json::from_str::<JwkSet>(text).ok()) else {
        return Ok(Err("no keys registered"));
    };
    let key = match &header.kid {
        Some(kid) => keys.find(kid),
        None if keys.keys.len() == 1 => keys.keys.first(),
        None => None,
    };
    let Some(key) = key.and_then(|jwk| DecodingKey::from_jwk(jwk).ok()) else { return Ok(Err("no such key")) };
    let issuer = super::authorize::issuer(state);
    let audiences = [
        issuer.to_string(),
        format!("{issuer}{}", super::TOKEN_PATH),
        format!("{issuer}{}", super::INTROSPECTION_PATH),
        format!("{issuer}{}", super::REVOCATION_PATH),
    ];
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&audiences);
    validation.set_issuer(&[client.id.as_str()]);
    validation.sub = Some(client.id.as_str().to_string());
    validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
    // Time is the server's clock, checked below, not the system's.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    let Ok(decoded) = decode::<AssertionClaims>(assertion, &key, &validation) else {
        return Ok(Err("signature, issuer, subject or audience wrong"));
    };
    let AssertionClaims { jti, exp } = decoded.claims;
    if exp <= now.0 {
        return Ok(Err("expired"));
    }
    if exp > now.0 + MAX_ASSERTION_SECONDS {
        return Ok(Err("valid for too long"));
    }
    if jti.is_empty() {
        return Ok(Err("no jti"));
    }
    let first_use = sanus_core::tokens::spend_assertion(&state.store, client.id.as_str(), &jti, UnixTime(exp)).await?;
    Ok(if first_use { Ok(()) } else { Err("replayed") })
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
