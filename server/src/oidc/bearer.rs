//! Validating our own access tokens when they come back as Bearer tokens
//! (RFC 6750 §2.1): signature by a published key, `typ: at+jwt`, issuer,
//! expiry against the server's clock, and a live token family.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use crate::state::AppState;

/// The claims the server relies on; the token may carry more.
#[derive(Debug, Clone, Deserialize)]
pub struct AccessClaims {
    pub sub: String,
    pub client_id: String,
    #[serde(default)]
    pub scope: String,
    pub exp: i64,
    pub iat: i64,
    #[serde(default)]
    pub jti: String,
    #[serde(default)]
    pub fid: Option<String>,
    #[serde(default)]
    pub sid: Option<String>,
    #[serde(flatten)]
    pub rest: serde_json::Map<String, Value>,
}

impl AccessClaims {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope.split(' ').any(|s| s == scope)
    }
}

/// Why a bearer token was refused (RFC 6750 §3.1).
#[derive(Debug)]
pub enum BearerError {
    /// No token: `WWW-Authenticate: Bearer` without an error code.
    Missing,
    InvalidToken(&'static str),
    InsufficientScope(&'static str),
    Server,
}

impl IntoResponse for BearerError {
    fn into_response(self) -> Response {
        let (status, challenge) = match self {
            Self::Missing => (StatusCode::UNAUTHORIZED, "Bearer realm=\"sanus\"".to_string()),
            Self::InvalidToken(description) => (
                StatusCode::UNAUTHORIZED,
                format!("Bearer realm=\"sanus\", error=\"invalid_token\", error_description=\"{description}\""),
            ),
            Self::InsufficientScope(scope) => (
                StatusCode::FORBIDDEN,
                format!("Bearer realm=\"sanus\", error=\"insufficient_scope\", scope=\"{scope}\""),
            ),
            Self::Server => (StatusCode::INTERNAL_SERVER_ERROR, "Bearer realm=\"sanus\"".to_string()),
        };
        let mut response = status.into_response();
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
        }
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

/// The verification key of a published signing key.
pub fn decoding_key(ring: &sanus_core::keys::KeyRing, kid: &str) -> Option<jsonwebtoken::DecodingKey> {
    let jwk = ring.jwks()["keys"].as_array()?.iter().find(|k| k["kid"] == kid)?;
    let jwk = serde_json::from_value::<jsonwebtoken::jwk::Jwk>(jwk.clone()).ok()?;
    jsonwebtoken::DecodingKey::from_jwk(&jwk).ok()
}

/// The token of `Authorization: Bearer …`.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// Checks an access token Sanus issued; `Ok` only while it is valid.
pub async fn validate_access_token(state: &AppState, token: &str) -> Result<AccessClaims, BearerError> {
    let invalid = BearerError::InvalidToken;
    let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("The token is malformed."))?;
    if header.typ.as_deref() != Some("at+jwt") || header.alg != jsonwebtoken::Algorithm::ES256 {
        return Err(invalid("Not an access token."));
    }
    let kid = header.kid.ok_or_else(|| invalid("The token names no key."))?;
    let ring = state.keys.ring().await.map_err(|error| {
        tracing::error!(%error, "cannot load keys");
        BearerError::Server
    })?;
    let key = decoding_key(&ring, &kid).ok_or_else(|| invalid("The token was signed by an unknown key."))?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_issuer(&[state.settings.server.public_url.as_str()]);
    validation.validate_aud = false;
    // Time is the server's clock, checked below.
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    let claims = jsonwebtoken::decode::<AccessClaims>(token, &key, &validation)
        .map_err(|_| invalid("The token signature or issuer is not valid."))?
        .claims;
    if claims.exp <= state.clock.now().seconds() {
        return Err(invalid("The token has expired."));
    }
    let revoked = sanus_core::tokens::access_token_is_revoked(&state.store, &claims.jti).await.map_err(|error| {
        tracing::error!(%error, "cannot check a revoked token");
        BearerError::Server
    })?;
    if revoked {
        return Err(invalid("The token was revoked."));
    }
    if let Some(fid) = &claims.fid {
        let active = sanus_core::tokens::find_active_family(&state.store, fid).await.map_err(|error| {
            tracing::error!(%error, "cannot check a token family");
            BearerError::Server
        })?;
        if active.is_none() {
            return Err(invalid("The token was revoked."));
        }
    }
    Ok(claims)
}
