//! ID tokens (OIDC Core §2, §3.1.3.6): signed with the client's
//! `id_token_signed_response_alg` (RS256 unless registered otherwise), with
//! `nonce`, `auth_time`, `amr`, `sid`, `azp` and `at_hash`.

use aws_lc_rs::digest::{SHA256, SHA512, digest};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sanus_core::UnixTime;
use sanus_core::clients::Client;
use sanus_core::keys::SigningAlg;
use sanus_core::tokens::TokenFamily;
use sanus_core::users::User;
use serde_json::json;

use super::claims::user_claims;
use super::error::OAuthError;
use crate::state::AppState;

/// How long an ID token is valid: it proves a sign-in, it is not a session.
pub const ID_TOKEN_TTL_SECONDS: i64 = 600;

/// OIDC Core §3.1.3.6: the left half of the hash of the access token, with
/// the hash of the signing algorithm (SHA-512 for Ed25519).
pub fn at_hash(access_token: &str, alg: SigningAlg) -> String {
    let hashed = match alg {
        SigningAlg::Es256 | SigningAlg::Rs256 => digest(&SHA256, access_token.as_bytes()),
        SigningAlg::EdDsa => digest(&SHA512, access_token.as_bytes()),
    };
    let bytes = hashed.as_ref();
    URL_SAFE_NO_PAD.encode(&bytes[..bytes.len() / 2])
}

pub struct IdTokenInput<'a> {
    pub client: &'a Client,
    pub family: &'a TokenFamily,
    pub user: &'a User,
    /// The `sub` this client sees (pairwise or the person's id).
    pub subject: &'a str,
    pub nonce: Option<&'a str>,
    pub access_token: &'a str,
    /// The organisation claims the scopes ask for.
    pub extra: serde_json::Map<String, serde_json::Value>,
    pub now: UnixTime,
}

pub async fn issue_id_token(state: &AppState, input: IdTokenInput<'_>) -> Result<String, OAuthError> {
    let alg = input.client.id_token_alg;
    let mut claims = user_claims(input.user, input.subject, &input.family.scopes);
    claims.extend(input.extra);
    let now = input.now.seconds();
    claims.insert("iss".into(), json!(state.settings.server.public_url.as_str()));
    claims.insert("aud".into(), json!(input.client.id.as_str()));
    claims.insert("azp".into(), json!(input.client.id.as_str()));
    claims.insert("iat".into(), json!(now));
    claims.insert("exp".into(), json!(now + ID_TOKEN_TTL_SECONDS));
    claims.insert("auth_time".into(), json!(input.family.auth_time.seconds()));
    claims.insert("amr".into(), json!(input.family.amr));
    claims.insert("acr".into(), json!(sanus_core::mfa::acr_of(&input.family.amr)));
    claims.insert("at_hash".into(), json!(at_hash(input.access_token, alg)));
    if let Some(sid) = &input.family.session_id {
        claims.insert("sid".into(), json!(sid));
    }
    if let Some(nonce) = input.nonce {
        claims.insert("nonce".into(), json!(nonce));
    }
    let ring = state.keys.ring().await?;
    let key = ring.signing_key(alg).ok_or_else(|| OAuthError::server_error(&format!("no active {alg} key")))?;
    super::let_queries_go_first().await;
    Ok(key.sign_jwt("JWT", &claims)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_hash_matches_the_oidc_example() {
        // OIDC Core Appendix A.3: access token "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y" → at_hash "77QmUPtjPfzWtF2AnpK9RQ".
        assert_eq!(at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y", SigningAlg::Rs256), "77QmUPtjPfzWtF2AnpK9RQ");
        assert_eq!(at_hash("x", SigningAlg::EdDsa).len(), 43, "half of SHA-512");
    }
}
