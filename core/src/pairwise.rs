//! Pairwise subject identifiers (OpenID Connect Core §8.1): a person's
//! `sub` for the clients of one sector (a host). Each is random, made on
//! first use and kept, so that it says nothing about the person and maps
//! back to them for UserInfo, introspection and logout.

use crate::clock::UnixTime;
use crate::store::{Store, StoreError};
use crate::users::UserId;

/// The person's subject in `sector`, made now if they have none there.
pub async fn subject_for(store: &Store, sector: &str, user: &UserId, now: UnixTime) -> Result<String, StoreError> {
    if let Some(subject) = existing(store, sector, user).await? {
        return Ok(subject);
    }
    // Two first uses racing: one insert wins, both read the winner.
    sqlx::query(
        "INSERT INTO pairwise_subjects (sector, user_id, subject, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (sector, user_id) DO NOTHING",
    )
    .bind(sector)
    .bind(user.as_str())
    .bind(crate::random::url_safe(32))
    .bind(now.0)
    .execute(store.pool())
    .await?;
    existing(store, sector, user).await?.ok_or(StoreError::NotFound)
}

/// The person's subject in `sector`, if they have one there.
pub async fn existing(store: &Store, sector: &str, user: &UserId) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT subject FROM pairwise_subjects WHERE sector = $1 AND user_id = $2")
            .bind(sector)
            .bind(user.as_str())
            .fetch_optional(store.reads())
            .await?;
    Ok(row.map(|(subject,)| subject))
}

/// The person whose subject in `sector` is `subject`.
pub async fn user_for(store: &Store, sector: &str, subject: &str) -> Result<Option<UserId>, StoreError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT user_id FROM pairwise_subjects WHERE sector = $1 AND subject = $2")
            .bind(sector)
            .bind(subject)
            .fetch_optional(store.reads())
            .await?;
    Ok(row.map(|(id,)| UserId::from_stored(id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::engine_tests! {
        async fn subjects_differ_by_sector_and_stay(db: TestDatabase) {
            let store = db.migrated_store().await;
            let now = UnixTime(1_000);
            let person = |email: &str| crate::users::NewUser {
                email: crate::users::Email::parse(email).unwrap(),
                given_name: None,
                family_name: None,
                locale: "en".into(),
            };
            let jane = crate::users::insert_user(&store, person("jane@example.org"), now).await.unwrap().id;
            let john = crate::users::insert_user(&store, person("john@example.org"), now).await.unwrap().id;
            let ward = subject_for(&store, "ward.example", &jane, now).await.unwrap();
            assert_eq!(subject_for(&store, "ward.example", &jane, now).await.unwrap(), ward, "it stays");
            assert_ne!(subject_for(&store, "lab.example", &jane, now).await.unwrap(), ward, "another sector");
            assert_ne!(subject_for(&store, "ward.example", &john, now).await.unwrap(), ward, "another person");
            assert_ne!(ward, jane.as_str());
            assert_eq!(user_for(&store, "ward.example", &ward).await.unwrap(), Some(jane.clone()));
            assert_eq!(user_for(&store, "lab.example", &ward).await.unwrap(), None, "only in its sector");
        }
    }
}
