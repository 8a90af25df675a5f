//! Consents: the scopes a user allowed a client, remembered so that the
//! consent screen appears once (and again only for new scopes).

use crate::clock::UnixTime;
use crate::store::{Store, StoreError};

/// The scopes `user_id` has allowed `client_id`, if any.
pub async fn find_consent(store: &Store, user_id: &str, client_id: &str) -> Result<Option<Vec<String>>, StoreError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT scopes FROM consents WHERE user_id = $1 AND client_id = $2")
        .bind(user_id)
        .bind(client_id)
        .fetch_optional(store.reads())
        .await?;
    Ok(row.map(|(scopes,)| serde_json::from_str(&scopes).unwrap_or_default()))
}

/// Adds `scopes` to what the user allowed the client.
pub async fn grant_consent(
    store: &Store,
    user_id: &str,
    client_id: &str,
    scopes: &[String],
    now: UnixTime,
) -> Result<(), StoreError> {
    let mut all = find_consent(store, user_id, client_id).await?.unwrap_or_default();
    for scope in scopes {
        if !all.contains(scope) {
            all.push(scope.clone());
        }
    }
    let json = serde_json::to_string(&all).map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))?;
    sqlx::query(
        "INSERT INTO consents (user_id, client_id, scopes, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (user_id, client_id) DO UPDATE SET scopes = excluded.scopes, updated_at = excluded.updated_at",
    )
    .bind(user_id)
    .bind(client_id)
    .bind(json)
    .bind(now.0)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// What the user decided, per professional profile field, for this client:
/// field id → shared. Empty when nothing was decided (nothing is shared).
pub async fn profile_fields(
    store: &Store,
    user_id: &str,
    client_id: &str,
) -> Result<std::collections::BTreeMap<String, bool>, StoreError> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT profile_fields FROM consents WHERE user_id = $1 AND client_id = $2")
            .bind(user_id)
            .bind(client_id)
            .fetch_optional(store.reads())
            .await?;
    Ok(row.and_then(|(json,)| json).and_then(|json| serde_json::from_str(&json).ok()).unwrap_or_default())
}

/// Records the user's decisions on these fields (others stay as they
/// were). Needs the consent itself first (`grant_consent`); `false` when
/// there is none.
pub async fn decide_profile_fields(
    store: &Store,
    user_id: &str,
    client_id: &str,
    decisions: &std::collections::BTreeMap<String, bool>,
    now: UnixTime,
) -> Result<bool, StoreError> {
    let mut all = profile_fields(store, user_id, client_id).await?;
    all.extend(decisions.iter().map(|(field, shared)| (field.clone(), *shared)));
    let json = serde_json::to_string(&all).map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))?;
    let updated =
        sqlx::query("UPDATE consents SET profile_fields = $1, updated_at = $2 WHERE user_id = $3 AND client_id = $4")
            .bind(json)
            .bind(now.0)
            .bind(user_id)
            .bind(client_id)
            .execute(store.pool())
            .await?;
    Ok(updated.rows_affected() > 0)
}
