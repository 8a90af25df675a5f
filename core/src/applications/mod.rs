//! Applications: owned by a development tenant, named by a short key that
//! prefixes every permission, role and scope they define.

pub mod manage;
pub mod registration;

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::clock::UnixTime;
use crate::store::{Store, StoreError};
use crate::tenants::TenantId;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ApplicationId(String);

impl ApplicationId {
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ApplicationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `[a-z][a-z0-9]{1,15}`: globally unique, immutable, the prefix of the
/// application's permissions, roles and scopes (`tstapp_data.read`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ShortKey(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a short key is 2 to 16 characters: a lowercase letter, then lowercase letters or digits")]
pub struct ShortKeyError;

impl ShortKey {
    pub fn parse(input: &str) -> Result<Self, ShortKeyError> {
        let mut chars = input.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        // The prefixes of the organisation scopes (`tenant_ids`,
        // `permissions_core` …) are no application's.
        // `offline_access` and `professional_profile` are people's scopes too.
        let reserved = matches!(input, "tenant" | "permissions" | "offline" | "professional");
        if first_ok && rest_ok && !reserved && (2..=16).contains(&input.len()) {
            Ok(Self(input.to_string()))
        } else {
            Err(ShortKeyError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `name` (a scope, role or permission) carries this key's prefix.
    pub fn prefixes(&self, name: &str) -> bool {
        name.strip_prefix(self.as_str()).and_then(|rest| rest.strip_prefix('_')).is_some_and(|rest| !rest.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: ApplicationId,
    pub tenant_id: TenantId,
    pub short_key: ShortKey,
    pub name: String,
    pub description: Option<String>,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
}

#[derive(sqlx::FromRow)]
struct ApplicationRow {
    id: String,
    tenant_id: String,
    short_key: String,
    name: String,
    description: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl From<ApplicationRow> for Application {
    fn from(row: ApplicationRow) -> Self {
        Self {
            id: ApplicationId(row.id),
            tenant_id: TenantId::from_stored(row.tenant_id),
            short_key: ShortKey(row.short_key),
            name: row.name,
            description: row.description,
            created_at: UnixTime(row.created_at),
            updated_at: UnixTime(row.updated_at),
        }
    }
}

macro_rules! application_columns {
    () => {
        "id, tenant_id, short_key, name, description, created_at, updated_at"
    };
}

/// Creates an application; `Conflict("applications_short_key_key")` when the key is taken.
pub async fn insert_application(
    store: &Store,
    tenant_id: &TenantId,
    short_key: ShortKey,
    name: &str,
    description: Option<&str>,
    now: UnixTime,
) -> Result<Application, StoreError> {
    let application = Application {
        id: ApplicationId::generate(),
        tenant_id: tenant_id.clone(),
        short_key,
        name: name.to_string(),
        description: description.map(str::to_owned),
        created_at: now,
        updated_at: now,
    };
    sqlx::query(concat!("INSERT INTO applications (", application_columns!(), ") VALUES ($1, $2, $3, $4, $5, $6, $7)"))
        .bind(application.id.as_str())
        .bind(application.tenant_id.as_str())
        .bind(application.short_key.as_str())
        .bind(&application.name)
        .bind(application.description.as_deref())
        .bind(now.0)
        .bind(now.0)
        .execute(store.pool())
        .await?;
    Ok(application)
}

/// Changes the name and description (the short key never changes).
pub async fn update_application(
    store: &Store,
    id: &ApplicationId,
    name: &str,
    description: Option<&str>,
    now: UnixTime,
) -> Result<(), StoreError> {
    let result = sqlx::query("UPDATE applications SET name = $1, description = $2, updated_at = $3 WHERE id = $4")
        .bind(name)
        .bind(description)
        .bind(now.0)
        .bind(id.as_str())
        .execute(store.pool())
        .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn find_application_by_short_key(
    store: &Store,
    short_key: &ShortKey,
) -> Result<Option<Application>, StoreError> {
    let row: Option<ApplicationRow> =
        sqlx::query_as(concat!("SELECT ", application_columns!(), " FROM applications WHERE short_key = $1"))
            .bind(short_key.as_str())
            .fetch_optional(store.reads())
            .await?;
    Ok(row.map(Application::from))
}

/// A tenant's applications, by short key.
pub async fn list_for_tenant(store: &Store, tenant: &TenantId) -> Result<Vec<Application>, StoreError> {
    let rows: Vec<ApplicationRow> = sqlx::query_as(concat!(
        "SELECT ",
        application_columns!(),
        " FROM applications WHERE tenant_id = $1 ORDER BY short_key"
    ))
    .bind(tenant.as_str())
    .fetch_all(store.reads())
    .await?;
    Ok(rows.into_iter().map(Application::from).collect())
}

pub async fn get_application(store: &Store, id: &ApplicationId) -> Result<Application, StoreError> {
    let row: ApplicationRow =
        sqlx::query_as(concat!("SELECT ", application_columns!(), " FROM applications WHERE id = $1"))
            .bind(id.as_str())
            .fetch_one(store.reads())
            .await?;
    Ok(row.into())
}

impl ApplicationId {
    /// An id read back, or taken from a request's path (unchecked: a
    /// lookup with it finds nothing when it is no id).
    pub fn from_stored(value: String) -> Self {
        Self(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys() {
        for ok in ["tstapp", "ab", "a1", "abcdefghijklmnop", "praxis24"] {
            assert!(ShortKey::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "a",
            "1abc",
            "Tstapp",
            "tst_app",
            "tst-app",
            "abcdefghijklmnopq",
            "äbc",
            "tenant",
            "permissions",
            "offline",
            "professional",
        ] {
            assert_eq!(ShortKey::parse(bad), Err(ShortKeyError), "{bad}");
        }
    }

    #[test]
    fn prefixes_need_the_underscore_and_a_name() {
        let key = ShortKey::parse("tstapp").unwrap();
        assert!(key.prefixes("tstapp_data.read"));
        assert!(key.prefixes("tstapp_admin"));
        assert!(!key.prefixes("tstapp_"));
        assert!(!key.prefixes("tstappx_admin"));
        assert!(!key.prefixes("tstapp"));
    }
}
