//! Validating our own access tokens when they come back as Bearer tokens
//! (RFC 6750 §2.1): signature by a published key, `typ: at+jwt`, issuer,
//! expiry against the server's clock, and a live token family.

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use crate::access_tokens::token_digest;
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

/// The token of `Authorization: Bearer …`.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// Checks an access token Sanus issued; `Ok` only while it is valid. The
/// signature is verified the first time a token is seen (see
/// `access_tokens` for what is kept, and how revocations stay fresh).
pub async fn validate_access_token(state: &AppState, token: &str) -> Result<Arc<AccessClaims>, BearerError> {
    let invalid = BearerError::InvalidToken;
    let now = state.clock.now();
    let digest = token_digest(token);
    let claims = match state.access_tokens.verified(&digest) {
        Some(claims) => claims,
        None => {
            let claims = Arc::new(verify_signature(state, token).await?);
            state.access_tokens.remember(digest, claims.clone(), now);
            claims
        }
    };
    if claims.exp <= now.seconds() {
        return Err(invalid("The token has expired."));
    }
    let revoked = state.access_tokens.is_revoked(&state.store, &claims, now).await.map_err(|error| {
        tracing::error!(%error, "cannot read revocations");
        BearerError::Server
    })?;
    if revoked {
        return Err(invalid("The token was revoked."));
    }
    Ok(claims)
}

/// `typ`, algorithm, a published key, the signature and the issuer.
async fn verify_signature(state: &AppState, token: &str) -> Result<AccessClaims, BearerError> {
    let invalid = BearerError::InvalidToken;
    let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("The token is malformed."))?;
    if header.typ.as_deref() != Some("at+jwt") || header.alg != jsonwebtoken::Algorithm::ES256 {
        return Err(invalid("Not an access token."));
    }
    let kid = header.kid.ok_or_else(|| invalid("The token names no key."))?;
    let key = state
        .keys
        .verification_key(&kid)
        .await
        .map_err(|error| {
            tracing::error!(%error, "cannot load keys");
            BearerError::Server
        })?
        .ok_or_else(|| invalid("The token was signed by an unknown key."))?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_issuer(&[state.settings.server.public_url.as_str()]);
    validation.validate_aud = false;
    // Time is the server's clock, checked by the caller.
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<AccessClaims>(token, &key, &validation)
        .map(|data| data.claims)
        .map_err(|_| invalid("The token signature or issuer is not valid."))
}
