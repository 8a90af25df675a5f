//! `id_token_hint` (OIDC Core §3.1.2.1, RP-Initiated Logout §2): an ID token
//! this server issued, naming the person the client takes to be signed in.
//! Checked by signature and issuer; an expired one is still a hint.

use sanus_core::clients::Client;
use sanus_core::users::UserId;
use serde::Deserialize;

use crate::state::AppState;

/// What a hint says.
#[derive(Debug, Deserialize)]
pub struct Hint {
    /// The client it was issued to.
    pub aud: String,
    /// The person, as that client knows them (pairwise, maybe).
    pub sub: String,
    /// The SSO session it came from.
    #[serde(default)]
    pub sid: Option<String>,
}

/// The hint's claims, if it is an ID token of this server: typed `JWT` as
/// Sanus types them (access tokens are `at+jwt`, RFC 9068).
pub async fn verify(state: &AppState, token: &str) -> Option<Hint> {
    let header = jsonwebtoken::decode_header(token).ok()?;
    if !header.typ.as_deref().is_none_or(|typ| typ.eq_ignore_ascii_case("JWT")) {
        return None;
    }
    let key = state.keys.verification_key(header.kid.as_deref()?).await.ok()??;
    let mut validation = jsonwebtoken::Validation::new(header.alg);
    validation.set_issuer(&[state.settings.server.public_url.as_str()]);
    validation.validate_aud = false;
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<Hint>(token, &key, &validation).ok().map(|data| data.claims)
}

impl Hint {
    /// Whether the hint names `user`; `client` is the one it was issued to.
    pub async fn names(
        &self,
        state: &AppState,
        client: &Client,
        user: &UserId,
    ) -> Result<bool, sanus_core::StoreError> {
        is_subject(state, client, user, &self.sub).await
    }
}

/// Whether `subject` is `user` as `client` knows them (pairwise, maybe).
pub async fn is_subject(
    state: &AppState,
    client: &Client,
    user: &UserId,
    subject: &str,
) -> Result<bool, sanus_core::StoreError> {
    Ok(super::claims::existing_subject_of(state, client, user).await?.as_deref() == Some(subject))
}
