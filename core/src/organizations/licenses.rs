//! Licenses: an application licensed to a tenant with a plan, a number of
//! seats and a validity. Granted by the operator (import) or, later, by the
//! application's owner; seen by those with `licenses.read`; seats given and
//! taken by those with `licenses.assign`, only to the tenant's members and
//! never more than there are.

use super::access::{AccessError, Actor, require, roles_at};
use super::{OrgError, Permission, lock_tenant};
use crate::applications::ApplicationId;
use crate::clock::UnixTime;
use crate::store::{Store, StoreError};
use crate::tenants::TenantId;
use crate::users::UserId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct License {
    pub id: String,
    pub tenant_id: TenantId,
    pub application_id: ApplicationId,
    pub application_name: String,
    pub plan: String,
    pub seats: i64,
    pub seats_used: i64,
    pub valid_from: UnixTime,
    pub valid_until: Option<UnixTime>,
}

impl License {
    pub fn is_valid(&self, now: UnixTime) -> bool {
        self.valid_from <= now && self.valid_until.is_none_or(|until| now < until)
    }
}

/// What a license grants.
#[derive(Debug, Clone)]
pub struct NewLicense {
    pub tenant_id: TenantId,
    pub application_id: ApplicationId,
    pub plan: String,
    pub seats: i64,
    pub valid_from: UnixTime,
    pub valid_until: Option<UnixTime>,
}

/// Grants a license (no permission check: the operator's import and tests).
pub async fn grant(store: &Store, new: &NewLicense, now: UnixTime) -> Result<String, StoreError> {
    let id = uuid::Uuid::now_v7().to_string();
    upsert_with_id(store, &id, new, now).await?;
    Ok(id)
}

/// Creates the license with this id, or updates its plan, seats and
/// validity (import). Returns whether it was created.
pub async fn upsert_with_id(store: &Store, id: &str, new: &NewLicense, now: UnixTime) -> Result<bool, StoreError> {
    let updated = sqlx::query(
        "UPDATE licenses SET plan = $1, seats = $2, valid_from = $3, valid_until = $4, updated_at = $5 \
         WHERE id = $6 AND tenant_id = $7 AND application_id = $8",
    )
    .bind(&new.plan)
    .bind(new.seats.max(0))
    .bind(new.valid_from.0)
    .bind(new.valid_until.map(|t| t.0))
    .bind(now.0)
    .bind(id)
    .bind(new.tenant_id.as_str())
    .bind(new.application_id.as_str())
    .execute(store.pool())
    .await?;
    if updated.rows_affected() > 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO licenses (id, tenant_id, application_id, plan, seats, valid_from, valid_until, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(id)
    .bind(new.tenant_id.as_str())
    .bind(new.application_id.as_str())
    .bind(&new.plan)
    .bind(new.seats.max(0))
    .bind(new.valid_from.0)
    .bind(new.valid_until.map(|t| t.0))
    .bind(now.0)
    .execute(store.pool())
    .await?;
    Ok(true)
}

/// The tenant's licenses with their use, newest first (`licenses.read`).
pub async fn list<'a>(store: &Store, actor: impl Into<Actor<'a>>, tenant: &TenantId) -> Result<Vec<License>, OrgError> {
    let actor: Actor<'a> = actor.into();
    require(store, actor, tenant, Permission::LicensesRead).await?;
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        tenant_id: String,
        application_id: String,
        application_name: String,
        plan: String,
        seats: i64,
        seats_used: i64,
        valid_from: i64,
        valid_until: Option<i64>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT l.id, l.tenant_id, l.application_id, a.name AS application_name, l.plan, l.seats, \
         (SELECT COUNT(*) FROM license_seats s WHERE s.license_id = l.id) AS seats_used, l.valid_from, l.valid_until \
         FROM licenses l JOIN applications a ON a.id = l.application_id WHERE l.tenant_id = $1 \
         ORDER BY l.valid_from DESC, l.id",
    )
    .bind(tenant.as_str())
    .fetch_all(store.reads())
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| License {
            id: row.id,
            tenant_id: TenantId::from_stored(row.tenant_id),
            application_id: ApplicationId::from_stored(row.application_id),
            application_name: row.application_name,
            plan: row.plan,
            seats: row.seats,
            seats_used: row.seats_used,
            valid_from: UnixTime(row.valid_from),
            valid_until: row.valid_until.map(UnixTime),
        })
        .collect())
}

#[derive(Debug, thiserror::Error)]
pub enum SeatError {
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error("every seat of this license is taken")]
    NoSeatLeft,
    #[error("only members of the tenant can hold its seats")]
    NotAMember,
}

impl From<StoreError> for SeatError {
    fn from(error: StoreError) -> Self {
        Self::Org(OrgError::Store(error))
    }
}

impl From<AccessError> for SeatError {
    fn from(error: AccessError) -> Self {
        Self::Org(OrgError::Access(error))
    }
}

/// Gives a seat of the tenant's license to one of its members (again: no change).
pub async fn assign_seat<'a>(
    store: &Store,
    actor: impl Into<Actor<'a>>,
    tenant: &TenantId,
    license: &str,
    member: &UserId,
    now: UnixTime,
) -> Result<(), SeatError> {
    let actor: Actor<'a> = actor.into();
    let access = require(store, actor, tenant, Permission::LicensesAssign).await?;
    if roles_at(store, member, tenant).await?.is_none() {
        return Err(SeatError::NotAMember);
    }
    let mut tx = store.pool().begin().await.map_err(StoreError::from)?;
    // One seat change per organisation at a time: the count below stays true.
    lock_tenant(&mut tx, &access.tenant.root_id, now).await?;
    let row: Option<(i64, i64, i64)> = sqlx::query_as(
        "SELECT l.seats, (SELECT COUNT(*) FROM license_seats s WHERE s.license_id = l.id), \
         (SELECT COUNT(*) FROM license_seats s WHERE s.license_id = l.id AND s.user_id = $3) \
         FROM licenses l WHERE l.id = $1 AND l.tenant_id = $2",
    )
    .bind(license)
    .bind(tenant.as_str())
    .bind(member.as_str())
    .fetch_optional(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    let Some((seats, used, held)) = row else { return Err(OrgError::Access(AccessError::NotFound).into()) };
    if held > 0 {
        return Ok(());
    }
    if used >= seats {
        return Err(SeatError::NoSeatLeft);
    }
    sqlx::query("INSERT INTO license_seats (license_id, user_id, assigned_at) VALUES ($1, $2, $3)")
        .bind(license)
        .bind(member.as_str())
        .bind(now.0)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// Who holds the seats of the tenant's license (`licenses.read`): id and
/// address, by address.
pub async fn seat_holders<'a>(
    store: &Store,
    actor: impl Into<Actor<'a>>,
    tenant: &TenantId,
    license: &str,
) -> Result<Vec<(UserId, String)>, OrgError> {
    require(store, actor, tenant, Permission::LicensesRead).await?;
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT u.id, u.email FROM license_seats s JOIN users u ON u.id = s.user_id \
         JOIN licenses l ON l.id = s.license_id WHERE l.id = $1 AND l.tenant_id = $2 ORDER BY u.email_normalized",
    )
    .bind(license)
    .bind(tenant.as_str())
    .fetch_all(store.reads())
    .await?;
    Ok(rows.into_iter().map(|(id, email)| (UserId::from_stored(id), email)).collect())
}

/// Takes a seat back.
pub async fn release_seat<'a>(
    store: &Store,
    actor: impl Into<Actor<'a>>,
    tenant: &TenantId,
    license: &str,
    member: &UserId,
) -> Result<bool, OrgError> {
    let actor: Actor<'a> = actor.into();
    require(store, actor, tenant, Permission::LicensesAssign).await?;
    let removed = sqlx::query(
        "DELETE FROM license_seats WHERE user_id = $1 AND license_id = (SELECT id FROM licenses WHERE id = $2 AND tenant_id = $3)",
    )
    .bind(member.as_str())
    .bind(license)
    .bind(tenant.as_str())
    .execute(store.pool())
    .await?;
    Ok(removed.rows_affected() > 0)
}
