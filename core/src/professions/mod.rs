//! Health-professional profiles: what a person declares (a profession and
//! its fields, checked by the catalogue's rules), and the way to
//! `verified`:
//!
//! ```text
//! unverified ──complete──▶ validated ──submit──▶ pending ──approve──▶ verified
//!      ▲                      ▲  ▲                  │                    │
//!      └──────change──────────┘  └────change────────┴──reject──▶ rejected │
//!                                └──────────change / expiry──────────────┘
//! ```
//!
//! Changing any field drops what was verified or submitted; a verification
//! runs out after the configured period. The catalogue and number rules are
//! the `sanus-professions` crate, which the browser runs too.

pub mod evidence;
#[cfg(test)]
mod tests;
pub mod verification;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use sanus_professions::{
    Checked, FIELDS, Field, Kind, Label, Note, PROFESSIONS, Problem, Profession, ProfileError, catalogue,
    check_profile, numbers, tables,
};

use crate::clock::UnixTime;
use crate::store::{Store, StoreError};
use crate::users::UserId;

/// Where a profile stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Declared, but something the profession needs is missing.
    Unverified,
    /// Complete, and every automatic check passed.
    Validated,
    /// Submitted with evidence; a verifier has yet to decide.
    Pending,
    /// A verifier (two, with four-eyes approval) confirmed it.
    Verified,
    /// A verifier turned it down, with a reason.
    Rejected,
}

impl Status {
    pub const ALL: [Self; 5] = [Self::Unverified, Self::Validated, Self::Pending, Self::Verified, Self::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unverified => "unverified",
            Self::Validated => "validated",
            Self::Pending => "pending",
            Self::Verified => "verified",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// A person's professional profile, as it stands now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub user_id: UserId,
    pub profession: &'static Profession,
    /// Field id → value, as the rules accepted it.
    pub values: BTreeMap<String, String>,
    /// At the time asked: a verification past `verified_until` counts as
    /// `validated` (complete, to be verified again).
    pub status: Status,
    /// The case behind `pending`, `verified` or `rejected`.
    pub case_id: Option<String>,
    pub verified_at: Option<UnixTime>,
    pub verified_until: Option<UnixTime>,
    pub updated_at: UnixTime,
}

impl Profile {
    /// Whether the profile has all its profession needs (the automatic
    /// checks passed when it was saved).
    pub fn is_complete(&self) -> bool {
        check_profile(self.profession.id, &self.values).is_ok_and(|c| c.is_complete())
    }

    /// Whether it can be submitted for verification: complete, and
    /// `validated` or (to try again) `rejected`.
    pub fn awaits_submission(&self) -> bool {
        matches!(self.status, Status::Validated | Status::Rejected) && self.is_complete()
    }
}

type ProfileRow = (String, String, String, String, Option<String>, Option<i64>, Option<i64>, i64);

fn profile_from_row(row: ProfileRow, now: UnixTime) -> Option<Profile> {
    let (user_id, profession, fields, state, case_id, verified_at, verified_until, updated_at) = row;
    let Some(profession) = catalogue::profession(&profession) else {
        tracing::warn!(%profession, "a stored profile names a profession the catalogue no longer has");
        return None;
    };
    let values: BTreeMap<String, String> = serde_json::from_str(&fields).unwrap_or_default();
    let mut status = Status::parse(&state).unwrap_or(Status::Unverified);
    if status == Status::Verified && verified_until.is_some_and(|until| until <= now.0) {
        status = Status::Validated;
    }
    Some(Profile {
        user_id: UserId::from_stored(user_id),
        profession,
        values,
        status,
        case_id,
        verified_at: verified_at.map(UnixTime),
        verified_until: verified_until.map(UnixTime),
        updated_at: UnixTime(updated_at),
    })
}

/// Takes the profile's row for the rest of the transaction (PostgreSQL:
/// a row lock; SQLite: the write lock, before anything is read), so that
/// saving, submitting, uploading and deciding on one profile never
/// interleave.
pub(crate) async fn lock_profile(tx: &mut crate::store::Transaction, user: &UserId) -> Result<(), StoreError> {
    sqlx::query("UPDATE professional_profiles SET updated_at = updated_at WHERE user_id = $1")
        .bind(user.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn find_in<'e, E>(executor: E, user: &UserId, now: UnixTime) -> Result<Option<Profile>, StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let row: Option<ProfileRow> = sqlx::query_as(
        "SELECT user_id, profession, fields, state, case_id, verified_at, verified_until, updated_at \
         FROM professional_profiles WHERE user_id = $1",
    )
    .bind(user.as_str())
    .fetch_optional(executor)
    .await?;
    Ok(row.and_then(|row| profile_from_row(row, now)))
}

/// The person's profile, if they declared a profession.
pub async fn find(store: &Store, user: &UserId, now: UnixTime) -> Result<Option<Profile>, StoreError> {
    find_in(store.pool(), user, now).await
}

/// Why a profile was not saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("the profile has errors")]
    Invalid(ProfileError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What saving did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub profile: Profile,
    /// The status before, if there was a profile.
    pub previous: Option<Status>,
    /// Whether anything changed (saving the same values changes nothing).
    pub changed: bool,
}

impl Saved {
    /// A verification or a submission that this change ended.
    pub fn dropped(&self) -> Option<Status> {
        self.previous.filter(|s| self.changed && matches!(s, Status::Verified | Status::Pending))
    }
}

pub(crate) fn to_json(values: &BTreeMap<String, String>) -> String {
    serde_json::to_string(values).unwrap_or_else(|_| "{}".to_string())
}

/// Checks and stores the profile. Any change puts it back to `validated`
/// (or `unverified` while incomplete): what was verified or submitted was
/// about other data, so that verification ends and a waiting case is
/// withdrawn.
pub async fn save(
    store: &Store,
    user: &UserId,
    profession: &str,
    entered: &BTreeMap<String, String>,
    now: UnixTime,
) -> Result<Saved, SaveError> {
    let checked = check_profile(profession, entered).map_err(SaveError::Invalid)?;
    let mut tx = store.pool().begin().await.map_err(StoreError::from)?;
    lock_profile(&mut tx, user).await?;
    let current = find_in(&mut *tx, user, now).await?;
    if let Some(current) = current.as_ref()
        && current.profession.id == checked.profession.id
        && current.values == checked.values
    {
        return Ok(Saved { profile: current.clone(), previous: Some(current.status), changed: false });
    }
    if let Some(case_id) = current.as_ref().filter(|p| p.status == Status::Pending).and_then(|p| p.case_id.as_ref()) {
        verification::withdraw(&mut tx, case_id, now).await?;
    }
    let status = if checked.is_complete() { Status::Validated } else { Status::Unverified };
    sqlx::query(
        "INSERT INTO professional_profiles \
         (user_id, profession, fields, state, case_id, verified_at, verified_until, updated_at) \
         VALUES ($1, $2, $3, $4, NULL, NULL, NULL, $5) \
         ON CONFLICT (user_id) DO UPDATE SET profession = excluded.profession, fields = excluded.fields, \
         state = excluded.state, case_id = NULL, verified_at = NULL, verified_until = NULL, \
         updated_at = excluded.updated_at",
    )
    .bind(user.as_str())
    .bind(checked.profession.id)
    .bind(to_json(&checked.values))
    .bind(status.as_str())
    .bind(now.0)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    tx.commit().await.map_err(StoreError::from)?;
    let profile = Profile {
        user_id: user.clone(),
        profession: checked.profession,
        values: checked.values,
        status,
        case_id: None,
        verified_at: None,
        verified_until: None,
        updated_at: now,
    };
    Ok(Saved { profile, previous: current.map(|p| p.status), changed: true })
}

/// Deletes the profile and its evidence, and blanks the data its cases
/// kept; a waiting case is withdrawn.
/// `false` when there was none.
pub async fn remove(store: &Store, user: &UserId, now: UnixTime) -> Result<bool, StoreError> {
    let mut tx = store.pool().begin().await?;
    lock_profile(&mut tx, user).await?;
    let current = find_in(&mut *tx, user, now).await?;
    if let Some(case_id) = current.as_ref().filter(|p| p.status == Status::Pending).and_then(|p| p.case_id.as_ref()) {
        verification::withdraw(&mut tx, case_id, now).await?;
    }
    sqlx::query("DELETE FROM profile_evidence WHERE user_id = $1").bind(user.as_str()).execute(&mut *tx).await?;
    // The cases keep who decided what and when (the audit trail), not the data.
    sqlx::query("UPDATE verification_cases SET fields = '{}', submitted_name = NULL WHERE user_id = $1")
        .bind(user.as_str())
        .execute(&mut *tx)
        .await?;
    let removed = sqlx::query("DELETE FROM professional_profiles WHERE user_id = $1")
        .bind(user.as_str())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(removed.rows_affected() > 0)
}

/// The person's professional data for their own export: the profile, the
/// documents (without their content, which the profile page serves), and
/// every submission with its outcome. `null` without a profile.
pub async fn export(store: &Store, user: &UserId, now: UnixTime) -> Result<serde_json::Value, StoreError> {
    use serde_json::json;
    let Some(profile) = find(store, user, now).await? else { return Ok(serde_json::Value::Null) };
    let files = evidence::list(store, user).await?;
    let cases: Vec<verification::CaseOutcomeRow> = sqlx::query_as(
        "SELECT id, state, submitted_at, decided_at, reason, submitted_name FROM verification_cases \
         WHERE user_id = $1 ORDER BY submitted_at, id",
    )
    .bind(user.as_str())
    .fetch_all(store.pool())
    .await?;
    Ok(json!({
        "profession": profile.profession.id,
        "fields": profile.values,
        "status": profile.status.as_str(),
        "verified_at": profile.verified_at.map(|t| t.0),
        "verified_until": profile.verified_until.map(|t| t.0),
        "updated_at": profile.updated_at.0,
        "documents": files.iter().map(|f| json!({
            "file_name": f.file_name, "media_type": f.media_type.as_str(), "size": f.size,
            "sha256": f.sha256, "uploaded_at": f.uploaded_at.0,
        })).collect::<Vec<_>>(),
        "submissions": cases.iter().map(|(id, state, submitted_at, decided_at, reason, name)| json!({
            "id": id, "state": state, "submitted_at": submitted_at, "decided_at": decided_at, "reason": reason,
            "name": name.as_deref().and_then(|name| serde_json::from_str::<serde_json::Value>(name).ok()),
        })).collect::<Vec<_>>(),
    }))
}

/// Ends the verifications that ran out by `now` (back to `validated`);
/// the people whose verification ended, so that they can be told.
pub async fn expire_due(store: &Store, now: UnixTime) -> Result<Vec<UserId>, StoreError> {
    let due: Vec<(String,)> = sqlx::query_as(
        "SELECT user_id FROM professional_profiles WHERE verified_until <= $1 AND state = 'verified' \
         ORDER BY verified_until",
    )
    .bind(now.0)
    .fetch_all(store.pool())
    .await?;
    let mut expired = Vec::with_capacity(due.len());
    for (user_id,) in due {
        // Conditional: a change or a new verification since the read wins.
        let done = sqlx::query(
            "UPDATE professional_profiles SET state = 'validated', verified_at = NULL, verified_until = NULL, \
             updated_at = $1 WHERE user_id = $2 AND state = 'verified' AND verified_until <= $1",
        )
        .bind(now.0)
        .bind(&user_id)
        .execute(store.pool())
        .await?;
        if done.rows_affected() > 0 {
            expired.push(UserId::from_stored(user_id));
        }
    }
    Ok(expired)
}
