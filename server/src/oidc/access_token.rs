//! Access tokens: JWTs as RFC 9068 profiles them (`typ: at+jwt`; `iss`,
//! `exp`, `aud`, `sub`, `client_id`, `iat`, `jti`, and the granted scope as
//! `scope` plus the `scp` array), signed with ES256.

use sanus_core::UnixTime;
use sanus_core::clients::Client;
use sanus_core::keys::SigningAlg;
use serde::Serialize;

use super::error::OAuthError;
use super::scope::Scopes;
use crate::state::AppState;

/// The algorithm access tokens are signed with.
pub const ACCESS_TOKEN_ALG: SigningAlg = SigningAlg::Es256;

#[derive(Debug, Serialize)]
pub struct AccessTokenClaims<'a> {
    pub iss: &'a str,
    pub sub: &'a str,
    /// One audience as a string, several as an array (RFC 7519 §4.1.3).
    pub aud: Audience,
    pub client_id: &'a str,
    pub scope: String,
    pub scp: &'a [String],
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
    /// The SSO session the token came from (`sid`, as in the ID token).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<&'a str>,
    /// The token family (the grant): revoking it deactivates this token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fid: Option<&'a str>,
    /// The organisation claims the scopes ask for (`tenant_claims`).
    #[serde(flatten)]
    pub extra: &'a serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

pub struct IssuedAccessToken {
    pub token: String,
    pub expires_in: i64,
}

/// Signs an access token for `subject` (a user id, or the client itself).
/// The audience is the applications whose scopes it carries, else the client.
pub async fn issue_access_token(
    state: &AppState,
    client: &Client,
    subject: &str,
    scopes: &Scopes,
    family: Option<&sanus_core::tokens::TokenFamily>,
    extra: &serde_json::Map<String, serde_json::Value>,
    now: UnixTime,
) -> Result<IssuedAccessToken, OAuthError> {
    let mut audiences = scopes.audiences();
    let aud = match audiences.len() {
        0 => Audience::One(client.id.as_str().to_string()),
        1 => Audience::One(audiences.remove(0)),
        _ => Audience::Many(audiences),
    };
    let claims = AccessTokenClaims {
        iss: state.settings.server.public_url.as_str(),
        sub: subject,
        aud,
        client_id: client.id.as_str(),
        scope: scopes.joined(),
        scp: scopes.as_vec(),
        jti: sanus_core::random::url_safe(16),
        iat: now.seconds(),
        exp: now.seconds() + client.access_token_ttl,
        sid: family.and_then(|f| f.session_id.as_deref()),
        fid: family.map(|f| f.id.as_str()),
        extra,
    };
    let ring = state.keys.ring().await?;
    let key =
        ring.signing_key(ACCESS_TOKEN_ALG).ok_or_else(|| OAuthError::server_error(&"no active ES256 signing key"))?;
    let token = key.sign_jwt("at+jwt", &claims)?;
    Ok(IssuedAccessToken { token, expires_in: client.access_token_ttl })
}
