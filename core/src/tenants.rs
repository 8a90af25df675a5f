//! Tenants: organisations (root tenants) and their departments, a tree of
//! any depth. Tenants are cheap rows; every lookup here is by primary key or
//! by an indexed parent/root id, so tens of thousands stay fast.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::clock::UnixTime;
use crate::store::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TenantId(String);

impl TenantId {
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An id as tenant ids look (generated UUIDs and the ids an import
    /// chooses alike): 1 to 64 lowercase letters, digits and `-`. Whether the
    /// tenant exists is for the store to say.
    pub fn parse(value: &str) -> Option<Self> {
        let ok = (1..=64).contains(&value.len())
            && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        ok.then(|| Self(value.to_string()))
    }

    /// An id read back from storage or given by an operator's import file.
    pub fn from_stored(value: String) -> Self {
        Self(value)
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a tenant is for: only a development tenant may own applications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TenantKind {
    Organization,
    Development,
}

impl TenantKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Organization => "organization",
            Self::Development => "development",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "organization" => Some(Self::Organization),
            "development" => Some(Self::Development),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TenantNameError {
    #[error("enter a name")]
    Empty,
    #[error("a name has at most {max} characters", max = TenantName::MAX_CHARS)]
    TooLong,
    #[error("a name cannot contain control characters")]
    ControlCharacters,
}

/// A tenant's display name: trimmed, 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TenantName(String);

impl TenantName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(input: &str) -> Result<Self, TenantNameError> {
        let name = input.trim();
        if name.is_empty() {
            return Err(TenantNameError::Empty);
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(TenantNameError::TooLong);
        }
        if name.chars().any(sanus_professions::numbers::hides_text) {
            return Err(TenantNameError::ControlCharacters);
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: TenantId,
    /// `None` for a root tenant (an organisation).
    pub parent_id: Option<TenantId>,
    /// The organisation this tenant belongs to; its own id for a root.
    pub root_id: TenantId,
    pub kind: TenantKind,
    pub name: String,
    pub archived_at: Option<UnixTime>,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
}

impl Tenant {
    pub fn is_root(&self) -> bool {
        self.parent_id.is_none()
    }
}

#[derive(Debug, Clone)]
pub struct NewTenant {
    /// `None` creates an organisation; `Some` a department below that tenant.
    pub parent_id: Option<TenantId>,
    pub kind: TenantKind,
    pub name: TenantName,
}

#[derive(sqlx::FromRow)]
struct TenantRow {
    id: String,
    parent_id: Option<String>,
    root_id: String,
    kind: String,
    name: String,
    archived_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<TenantRow> for Tenant {
    type Error = StoreError;

    fn try_from(row: TenantRow) -> Result<Self, StoreError> {
        let kind = TenantKind::parse(&row.kind).ok_or_else(|| {
            StoreError::Database(sqlx::Error::Decode(format!("unknown tenant kind {:?}", row.kind).into()))
        })?;
        Ok(Self {
            id: TenantId(row.id),
            parent_id: row.parent_id.map(TenantId),
            root_id: TenantId(row.root_id),
            kind,
            name: row.name,
            archived_at: row.archived_at.map(UnixTime),
            created_at: UnixTime(row.created_at),
            updated_at: UnixTime(row.updated_at),
        })
    }
}

/// The columns `TenantRow` reads, as a literal for `concat!`.
macro_rules! tenant_columns {
    () => {
        "id, parent_id, root_id, kind, name, archived_at, created_at, updated_at"
    };
}

/// Creates an organisation or a department. A department joins its parent's
/// organisation; an unknown or archived parent is `NotFound`.
pub async fn insert_tenant(store: &Store, new: NewTenant, now: UnixTime) -> Result<Tenant, StoreError> {
    let mut tx = store.pool().begin().await?;
    let tenant = insert_tenant_in(&mut tx, new, now).await?;
    tx.commit().await?;
    Ok(tenant)
}

/// [`insert_tenant`] inside the caller's transaction.
pub(crate) async fn insert_tenant_in(
    tx: &mut crate::store::Transaction,
    new: NewTenant,
    now: UnixTime,
) -> Result<Tenant, StoreError> {
    let id = TenantId::generate();
    let root_id = match &new.parent_id {
        None => id.clone(),
        Some(parent_id) => {
            let root: Option<(String,)> =
                sqlx::query_as("SELECT root_id FROM tenants WHERE id = $1 AND archived_at IS NULL")
                    .bind(parent_id.as_str())
                    .fetch_optional(&mut **tx)
                    .await?;
            TenantId(root.ok_or(StoreError::NotFound)?.0)
        }
    };
    let tenant = Tenant {
        id,
        parent_id: new.parent_id,
        root_id,
        kind: new.kind,
        name: new.name.as_str().to_string(),
        archived_at: None,
        created_at: now,
        updated_at: now,
    };
    sqlx::query(
        "INSERT INTO tenants (id, parent_id, root_id, kind, name, archived_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, NULL, $6, $7)",
    )
    .bind(tenant.id.as_str())
    .bind(tenant.parent_id.as_ref().map(TenantId::as_str))
    .bind(tenant.root_id.as_str())
    .bind(tenant.kind.as_str())
    .bind(&tenant.name)
    .bind(now.0)
    .bind(now.0)
    .execute(&mut **tx)
    .await?;
    Ok(tenant)
}

/// Creates a tenant with an id chosen by the operator (import), or renames
/// the existing one. Its place in the tree and its kind never change here.
/// Returns whether it was created.
pub async fn upsert_tenant_with_id(
    store: &Store,
    id: &TenantId,
    new: NewTenant,
    now: UnixTime,
) -> Result<bool, StoreError> {
    if let Some(existing) = find_tenant(store, id).await? {
        if existing.parent_id != new.parent_id || existing.kind != new.kind {
            return Err(StoreError::Conflict("tenants_parent_or_kind".into()));
        }
        sqlx::query("UPDATE tenants SET name = $1, updated_at = $2 WHERE id = $3")
            .bind(new.name.as_str())
            .bind(now.0)
            .bind(id.as_str())
            .execute(store.pool())
            .await?;
        return Ok(false);
    }
    let root_id = match &new.parent_id {
        None => id.clone(),
        Some(parent) => get_tenant(store, parent).await?.root_id,
    };
    sqlx::query(
        "INSERT INTO tenants (id, parent_id, root_id, kind, name, archived_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, NULL, $6, $7)",
    )
    .bind(id.as_str())
    .bind(new.parent_id.as_ref().map(TenantId::as_str))
    .bind(root_id.as_str())
    .bind(new.kind.as_str())
    .bind(new.name.as_str())
    .bind(now.0)
    .bind(now.0)
    .execute(store.pool())
    .await?;
    Ok(true)
}

pub async fn find_tenant(store: &Store, id: &TenantId) -> Result<Option<Tenant>, StoreError> {
    match get_tenant(store, id).await {
        Ok(tenant) => Ok(Some(tenant)),
        Err(StoreError::NotFound) => Ok(None),
        Err(error) => Err(error),
    }
}

pub async fn get_tenant(store: &Store, id: &TenantId) -> Result<Tenant, StoreError> {
    let row: TenantRow = sqlx::query_as(concat!("SELECT ", tenant_columns!(), " FROM tenants WHERE id = $1"))
        .bind(id.as_str())
        .fetch_one(store.reads())
        .await?;
    row.try_into()
}

/// The direct departments of a tenant, by name.
pub async fn list_child_tenants(store: &Store, parent_id: &TenantId) -> Result<Vec<Tenant>, StoreError> {
    let rows: Vec<TenantRow> =
        sqlx::query_as(concat!("SELECT ", tenant_columns!(), " FROM tenants WHERE parent_id = $1 ORDER BY name, id"))
            .bind(parent_id.as_str())
            .fetch_all(store.reads())
            .await?;
    rows.into_iter().map(Tenant::try_from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_names() {
        assert_eq!(TenantName::parse("  Praxis Dr. Muster ").unwrap().as_str(), "Praxis Dr. Muster");
        assert_eq!(TenantName::parse(" "), Err(TenantNameError::Empty));
        assert_eq!(TenantName::parse(&"ä".repeat(100)).map(|n| n.0.chars().count()), Ok(100));
        assert_eq!(TenantName::parse(&"ä".repeat(101)), Err(TenantNameError::TooLong));
        assert_eq!(TenantName::parse("Ward\u{7}7"), Err(TenantNameError::ControlCharacters));
    }

    #[test]
    fn tenant_ids_have_one_shape() {
        assert!(TenantId::parse(TenantId::generate().as_str()).is_some());
        assert!(TenantId::parse("acme-dev-lab").is_some());
        for bad in ["", "Acme", "a_b", "a b", "ä", &"a".repeat(65)] {
            assert!(TenantId::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn tenant_kinds_round_trip() {
        for kind in [TenantKind::Organization, TenantKind::Development] {
            assert_eq!(TenantKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(TenantKind::parse("Organization"), None);
    }

    mod storage {
        use super::*;

        fn named(parent_id: Option<&TenantId>, name: &str) -> NewTenant {
            NewTenant {
                parent_id: parent_id.cloned(),
                kind: TenantKind::Organization,
                name: TenantName::parse(name).unwrap(),
            }
        }

        crate::engine_tests! {
            async fn departments_of_any_depth_share_their_root(db: TestDatabase) {
                let store = db.migrated_store().await;
                let hospital = insert_tenant(&store, named(None, "Klinikum"), UnixTime(1)).await.unwrap();
                assert!(hospital.is_root());
                assert_eq!(hospital.root_id, hospital.id);
                let surgery = insert_tenant(&store, named(Some(&hospital.id), "Chirurgie"), UnixTime(2)).await.unwrap();
                let ward = insert_tenant(&store, named(Some(&surgery.id), "Station 3"), UnixTime(3)).await.unwrap();
                assert_eq!(ward.root_id, hospital.id);
                assert_eq!(ward.parent_id.as_ref(), Some(&surgery.id));
                assert_eq!(get_tenant(&store, &ward.id).await.unwrap(), ward);
                let cardiology = insert_tenant(&store, named(Some(&hospital.id), "Anästhesie"), UnixTime(4)).await.unwrap();
                let children = list_child_tenants(&store, &hospital.id).await.unwrap();
                assert_eq!(children, vec![cardiology, surgery]);
            }

            async fn department_below_an_unknown_parent_is_refused(db: TestDatabase) {
                let store = db.migrated_store().await;
                let error = insert_tenant(&store, named(Some(&TenantId::generate()), "Lost"), UnixTime(1))
                    .await
                    .unwrap_err();
                assert!(matches!(error, StoreError::NotFound), "{error:?}");
            }

            async fn migrations_are_idempotent(db: TestDatabase) {
                let store = db.migrated_store().await;
                store.migrate().await.unwrap();
                store.ping().await.unwrap();
            }
        }
    }
}
