//! Operators: the accounts that run the service. Granted and revoked only
//! from the command line, so that nobody can make themselves one through
//! the web.

use crate::clock::UnixTime;
use crate::store::{Store, StoreError};
use crate::users::{Email, User, UserId, find_user_by_email};

/// Makes the account with this address an operator (again: no change);
/// `None` when there is no such account.
pub async fn grant(store: &Store, email: &Email, now: UnixTime) -> Result<Option<User>, StoreError> {
    let Some(user) = find_user_by_email(store, email).await? else { return Ok(None) };
    sqlx::query("INSERT INTO operators (user_id, granted_at) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING")
        .bind(user.id.as_str())
        .bind(now.0)
        .execute(store.pool())
        .await?;
    Ok(Some(user))
}

/// Ends the account's operator role; `false` when it had none.
pub async fn revoke(store: &Store, email: &Email) -> Result<bool, StoreError> {
    let Some(user) = find_user_by_email(store, email).await? else { return Ok(false) };
    let removed =
        sqlx::query("DELETE FROM operators WHERE user_id = $1").bind(user.id.as_str()).execute(store.pool()).await?;
    Ok(removed.rows_affected() > 0)
}

pub async fn is_operator(store: &Store, user_id: &UserId) -> Result<bool, StoreError> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM operators WHERE user_id = $1")
        .bind(user_id.as_str())
        .fetch_one(store.pool())
        .await?;
    Ok(count > 0)
}

/// Every operator's address, with when it was granted, oldest first.
pub async fn list(store: &Store) -> Result<Vec<(String, UnixTime)>, StoreError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT u.email, o.granted_at FROM operators o JOIN users u ON u.id = o.user_id ORDER BY o.granted_at, u.email",
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows.into_iter().map(|(email, at)| (email, UnixTime(at))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::{NewUser, insert_user};

    crate::engine_tests! {
        async fn operators_are_granted_by_address_and_revoked(db: TestDatabase) {
            let store = db.migrated_store().await;
            let email = Email::parse("ops@example.org").unwrap();
            let new = NewUser { email: email.clone(), given_name: None, family_name: None, locale: "en".into() };
            let ops = insert_user(&store, new, UnixTime(1)).await.unwrap();
            assert!(!is_operator(&store, &ops.id).await.unwrap());
            assert_eq!(grant(&store, &Email::parse("OPS@example.org").unwrap(), UnixTime(5)).await.unwrap().map(|u| u.id), Some(ops.id.clone()));
            assert!(grant(&store, &email, UnixTime(6)).await.unwrap().is_some(), "granting twice changes nothing");
            assert!(is_operator(&store, &ops.id).await.unwrap());
            assert_eq!(list(&store).await.unwrap(), [("ops@example.org".to_string(), UnixTime(5))]);
            assert!(grant(&store, &Email::parse("nobody@example.org").unwrap(), UnixTime(7)).await.unwrap().is_none());
            assert!(revoke(&store, &email).await.unwrap());
            assert!(!revoke(&store, &email).await.unwrap());
            assert!(!is_operator(&store, &ops.id).await.unwrap());
        }
    }
}
