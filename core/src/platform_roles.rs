//! Platform roles: what an account may do across the whole service. Granted
//! and revoked only from the command line, so that nobody can give
//! themselves one through the web.

use crate::clock::UnixTime;
use crate::store::{Store, StoreError};
use crate::users::{Email, User, UserId, find_user_by_email};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Runs Sanus: the `/admin` pages.
    Operator,
    /// Decides health-professional verifications.
    Verifier,
}

impl Role {
    pub const ALL: [Self; 2] = [Self::Operator, Self::Verifier];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Operator => "operator",
            Self::Verifier => "verifier",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == value.trim().to_ascii_lowercase())
    }
}

/// Gives the account with this address the role (again: no change); `None`
/// when there is no such account, or its address is not confirmed (whoever
/// registered it may not own it).
pub async fn grant(store: &Store, email: &Email, role: Role, now: UnixTime) -> Result<Option<User>, StoreError> {
    let Some(user) = find_user_by_email(store, email).await?.filter(|user| user.email_verified) else {
        return Ok(None);
    };
    sqlx::query(
        "INSERT INTO platform_roles (user_id, role, granted_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, role) DO NOTHING",
    )
    .bind(user.id.as_str())
    .bind(role.as_str())
    .bind(now.0)
    .execute(store.pool())
    .await?;
    Ok(Some(user))
}

/// Takes the role from the account; `false` when it did not have it.
pub async fn revoke(store: &Store, email: &Email, role: Role) -> Result<bool, StoreError> {
    let Some(user) = find_user_by_email(store, email).await? else { return Ok(false) };
    let removed = sqlx::query("DELETE FROM platform_roles WHERE user_id = $1 AND role = $2")
        .bind(user.id.as_str())
        .bind(role.as_str())
        .execute(store.pool())
        .await?;
    Ok(removed.rows_affected() > 0)
}

pub async fn has_role(store: &Store, user_id: &UserId, role: Role) -> Result<bool, StoreError> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM platform_roles WHERE user_id = $1 AND role = $2")
        .bind(user_id.as_str())
        .bind(role.as_str())
        .fetch_one(store.reads())
        .await?;
    Ok(count > 0)
}

/// The roles the account holds.
pub async fn roles_of(store: &Store, user_id: &UserId) -> Result<Vec<Role>, StoreError> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT role FROM platform_roles WHERE user_id = $1")
        .bind(user_id.as_str())
        .fetch_all(store.reads())
        .await?;
    Ok(rows.iter().filter_map(|(role,)| Role::parse(role)).collect())
}

/// Every grant: address, role, since when; oldest first.
pub async fn list(store: &Store) -> Result<Vec<(String, String, UnixTime)>, StoreError> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT u.email, r.role, r.granted_at FROM platform_roles r JOIN users u ON u.id = r.user_id \
         ORDER BY r.granted_at, u.email, r.role",
    )
    .fetch_all(store.reads())
    .await?;
    Ok(rows.into_iter().map(|(email, role, at)| (email, role, UnixTime(at))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::{NewUser, insert_user};

    #[test]
    fn roles_are_named_in_lower_case() {
        assert_eq!(Role::parse("Operator"), Some(Role::Operator));
        assert_eq!(Role::parse("verifier"), Some(Role::Verifier));
        assert_eq!(Role::parse("admin"), None);
    }

    crate::engine_tests! {
        async fn roles_are_granted_by_address_and_revoked(db: TestDatabase) {
            let store = db.migrated_store().await;
            let email = Email::parse("ops@example.org").unwrap();
            let new = NewUser { email: email.clone(), given_name: None, family_name: None, locale: "en".into() };
            let ops = insert_user(&store, new, UnixTime(1)).await.unwrap();
            assert!(grant(&store, &email, Role::Operator, UnixTime(2)).await.unwrap().is_none(), "not confirmed yet");
            sqlx::query("UPDATE users SET email_verified = 1 WHERE id = $1").bind(ops.id.as_str()).execute(store.pool()).await.unwrap();
            assert!(!has_role(&store, &ops.id, Role::Operator).await.unwrap());
            let granted = grant(&store, &Email::parse("OPS@example.org").unwrap(), Role::Operator, UnixTime(5)).await.unwrap();
            assert_eq!(granted.map(|u| u.id), Some(ops.id.clone()));
            assert!(grant(&store, &email, Role::Operator, UnixTime(6)).await.unwrap().is_some(), "granting twice changes nothing");
            assert!(has_role(&store, &ops.id, Role::Operator).await.unwrap());
            assert!(!has_role(&store, &ops.id, Role::Verifier).await.unwrap(), "roles are separate");
            assert_eq!(list(&store).await.unwrap(), [("ops@example.org".to_string(), "operator".to_string(), UnixTime(5))]);
            assert!(grant(&store, &Email::parse("nobody@example.org").unwrap(), Role::Operator, UnixTime(7)).await.unwrap().is_none());
            assert!(revoke(&store, &email, Role::Operator).await.unwrap());
            assert!(!revoke(&store, &email, Role::Operator).await.unwrap());
            assert!(!has_role(&store, &ops.id, Role::Operator).await.unwrap());
        }
    }
}
