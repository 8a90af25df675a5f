//! The `signing_keys` table.

use sqlx::{Any, Executor};

use super::SigningAlg;
use super::ring::KeyStatus;
use crate::clock::UnixTime;
use crate::store::{Store, StoreError};

#[derive(sqlx::FromRow)]
pub(super) struct SigningKeyRow {
    pub kid: String,
    pub alg: String,
    pub public_jwk: String,
    pub private_key: String,
    pub created_at: i64,
    pub retired_at: Option<i64>,
    pub unpublish_at: Option<i64>,
}

impl SigningKeyRow {
    pub fn status(&self) -> Result<KeyStatus, StoreError> {
        let alg = SigningAlg::parse(&self.alg).ok_or_else(|| {
            StoreError::Database(sqlx::Error::Decode(format!("unknown key algorithm {:?}", self.alg).into()))
        })?;
        Ok(KeyStatus {
            kid: self.kid.clone(),
            alg,
            created_at: UnixTime(self.created_at),
            retired_at: self.retired_at.map(UnixTime),
            unpublish_at: self.unpublish_at.map(UnixTime),
        })
    }
}

macro_rules! key_columns {
    () => {
        "kid, alg, public_jwk, private_key, created_at, retired_at, unpublish_at"
    };
}

pub(super) async fn insert_signing_key<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    row: &SigningKeyRow,
) -> Result<(), StoreError> {
    sqlx::query(concat!("INSERT INTO signing_keys (", key_columns!(), ") VALUES ($1, $2, $3, $4, $5, $6, $7)"))
        .bind(&row.kid)
        .bind(&row.alg)
        .bind(&row.public_jwk)
        .bind(&row.private_key)
        .bind(row.created_at)
        .bind(row.retired_at)
        .bind(row.unpublish_at)
        .execute(executor)
        .await?;
    Ok(())
}

/// Keys still in the JWKS at `now`, newest first.
pub(super) async fn list_published_keys(store: &Store, now: UnixTime) -> Result<Vec<SigningKeyRow>, StoreError> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        key_columns!(),
        " FROM signing_keys WHERE unpublish_at IS NULL OR unpublish_at > $1 ORDER BY created_at DESC, kid"
    ))
    .bind(now.0)
    .fetch_all(store.reads())
    .await?)
}

/// Stops every active key of `alg` from signing; publishes it until `unpublish_at`.
pub(super) async fn retire_active_keys<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    alg: SigningAlg,
    now: UnixTime,
    unpublish_at: UnixTime,
) -> Result<u64, StoreError> {
    let result =
        sqlx::query("UPDATE signing_keys SET retired_at = $1, unpublish_at = $2 WHERE alg = $3 AND retired_at IS NULL")
            .bind(now.0)
            .bind(unpublish_at.0)
            .bind(alg.as_str())
            .execute(executor)
            .await?;
    Ok(result.rows_affected())
}

/// Every key ever made, newest first, without private parts: for `sanus keys list`.
pub async fn list_signing_keys(store: &Store) -> Result<Vec<KeyStatus>, StoreError> {
    let rows: Vec<SigningKeyRow> =
        sqlx::query_as(concat!("SELECT ", key_columns!(), " FROM signing_keys ORDER BY created_at DESC, kid"))
            .fetch_all(store.reads())
            .await?;
    rows.iter().map(SigningKeyRow::status).collect()
}
