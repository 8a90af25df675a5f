//! Which user claims each scope releases (OIDC Core §5.4), for the ID
//! token and the UserInfo response alike.

use sanus_core::clients::{Client, SubjectType};
use sanus_core::users::{User, UserId};
use serde_json::{Map, Value, json};

use crate::state::AppState;

/// The sector of a pairwise client; `None` for a public one. A pairwise
/// client without a sector is refused, never given the person's id.
fn sector_of(client: &Client) -> Result<Option<&str>, sanus_core::StoreError> {
    match (client.subject_type, client.sector()) {
        (SubjectType::Public, _) => Ok(None),
        (SubjectType::Pairwise, Some(sector)) => Ok(Some(sector)),
        (SubjectType::Pairwise, None) => {
            Err(sanus_core::StoreError::Conflict(format!("pairwise client {} has no sector", client.id.as_str())))
        }
    }
}

/// The `sub` a client sees for a person: their id, or for a pairwise
/// client their subject in its sector (made on first use).
pub async fn subject_of(state: &AppState, client: &Client, user: &UserId) -> Result<String, sanus_core::StoreError> {
    match sector_of(client)? {
        None => Ok(user.as_str().to_string()),
        Some(sector) => sanus_core::pairwise::subject_for(&state.store, sector, user, state.clock.now()).await,
    }
}

/// The `sub` the client would have been given, without making one.
pub async fn existing_subject_of(
    state: &AppState,
    client: &Client,
    user: &UserId,
) -> Result<Option<String>, sanus_core::StoreError> {
    match sector_of(client)? {
        None => Ok(Some(user.as_str().to_string())),
        Some(sector) => sanus_core::pairwise::existing(&state.store, sector, user).await,
    }
}

/// The person behind the `sub` a client was given.
pub async fn user_of(
    state: &AppState,
    client: &Client,
    subject: &str,
) -> Result<Option<UserId>, sanus_core::StoreError> {
    match sector_of(client)? {
        None => Ok(Some(UserId::from_stored(subject.to_string()))),
        Some(sector) => sanus_core::pairwise::user_for(&state.store, sector, subject).await,
    }
}

/// `sub` (what this client sees: `subject_of`) plus the claims of
/// `profile` and `email` when granted.
pub fn user_claims(user: &User, subject: &str, scopes: &[String]) -> Map<String, Value> {
    let has = |scope: &str| scopes.iter().any(|s| s == scope);
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(subject));
    if has("profile") {
        if let Some(name) = user.display_name() {
            claims.insert("name".into(), json!(name));
        }
        if let Some(given) = &user.given_name {
            claims.insert("given_name".into(), json!(given));
        }
        if let Some(family) = &user.family_name {
            claims.insert("family_name".into(), json!(family));
        }
        claims.insert("locale".into(), json!(user.locale));
    }
    if has("email") {
        claims.insert("email".into(), json!(user.email));
        claims.insert("email_verified".into(), json!(user.email_verified));
    }
    claims
}
