//! Manual verification: a person submits a complete profile with evidence;
//! platform verifiers work the queue and approve or reject, with a reason.
//! With four-eyes approval on, a profile is verified only when two
//! different verifiers approved it; one rejection ends the case.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Profile, Status, find_in, to_json};
use crate::clock::UnixTime;
use crate::store::{Store, StoreError};
use crate::users::UserId;

/// The longest reason a verifier may give.
pub const REASON_MAX_CHARS: usize = 1000;

/// How a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Pending,
    Verified,
    Rejected,
    /// The person changed or removed the profile while it waited.
    Withdrawn,
}

impl CaseState {
    pub const ALL: [Self; 4] = [Self::Pending, Self::Verified, Self::Rejected, Self::Withdrawn];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Verified => "verified",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// The rules verifiers work under (from configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Two approvals by different verifiers.
    pub four_eyes: bool,
    /// How long a verification holds.
    pub valid_for_seconds: i64,
}

/// Why a profile could not be submitted.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error("there is no professional profile")]
    NoProfile,
    #[error("the profile lacks what its profession needs")]
    Incomplete,
    #[error("add at least one document as evidence")]
    NoEvidence,
    #[error("the profile is already waiting for a verifier")]
    AlreadyPending,
    #[error("the profile is verified")]
    AlreadyVerified,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Submits the profile for manual verification: `validated` (or
/// `rejected`, to try again) → `pending`. The case keeps a copy of what was
/// submitted. Returns the case's id.
pub async fn submit(store: &Store, user: &UserId, now: UnixTime) -> Result<String, SubmitError> {
    let mut tx = store.pool().begin().await.map_err(StoreError::from)?;
    super::lock_profile(&mut tx, user).await?;
    let profile = find_in(&mut *tx, user, now).await?.ok_or(SubmitError::NoProfile)?;
    match profile.status {
        Status::Pending => return Err(SubmitError::AlreadyPending),
        Status::Verified => return Err(SubmitError::AlreadyVerified),
        _ if !profile.awaits_submission() => return Err(SubmitError::Incomplete),
        _ => {}
    }
    let (files,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM profile_evidence WHERE user_id = $1")
        .bind(user.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    if files == 0 {
        return Err(SubmitError::NoEvidence);
    }
    let case_id = uuid::Uuid::now_v7().to_string();
    // The name the documents are checked against: the account's as it is
    // now. The profile's lock does not cover the account's row; a rename
    // committed a moment later shows on the case page as a change.
    let (given_name, family_name): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT given_name, family_name FROM users WHERE id = $1")
            .bind(user.as_str())
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::from)?;
    let submitted_name = SubmittedName { given_name, family_name };
    sqlx::query(
        "INSERT INTO verification_cases (id, user_id, profession, fields, state, submitted_at, submitted_name) \
         VALUES ($1, $2, $3, $4, 'pending', $5, $6)",
    )
    .bind(&case_id)
    .bind(user.as_str())
    .bind(profile.profession.id)
    .bind(to_json(&profile.values))
    .bind(now.0)
    // Two optional strings always serialise.
    .bind(serde_json::to_string(&submitted_name).unwrap_or_default())
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    // The documents as they are now: what the verifier reviews.
    sqlx::query(
        "INSERT INTO case_evidence (case_id, evidence_id, file_name, sha256) \
         SELECT $1, id, file_name, sha256 FROM profile_evidence WHERE user_id = $2",
    )
    .bind(&case_id)
    .bind(user.as_str())
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    // The profile's row is locked since the start: nothing changed it.
    sqlx::query(
        "UPDATE professional_profiles SET state = 'pending', case_id = $1, verified_at = NULL, \
         verified_until = NULL, updated_at = $2 WHERE user_id = $3",
    )
    .bind(&case_id)
    .bind(now.0)
    .bind(user.as_str())
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(case_id)
}

/// The person takes their submission back (to correct something first):
/// `pending` → `validated`, the case withdrawn. `false` when nothing waits.
pub async fn withdraw_submission(store: &Store, user: &UserId, now: UnixTime) -> Result<bool, StoreError> {
    let mut tx = store.pool().begin().await?;
    super::lock_profile(&mut tx, user).await?;
    let Some(profile) = find_in(&mut *tx, user, now).await?.filter(|p| p.status == Status::Pending) else {
        return Ok(false);
    };
    if let Some(case_id) = &profile.case_id {
        withdraw(&mut tx, case_id, now).await?;
    }
    sqlx::query(
        "UPDATE professional_profiles SET state = 'validated', case_id = NULL, updated_at = $1 WHERE user_id = $2",
    )
    .bind(now.0)
    .bind(user.as_str())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Ends a waiting case because the profile changed (inside the caller's
/// transaction).
pub(super) async fn withdraw(
    tx: &mut crate::store::Transaction,
    case_id: &str,
    now: UnixTime,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE verification_cases SET state = 'withdrawn', decided_at = $1 WHERE id = $2 AND state = 'pending'",
    )
    .bind(now.0)
    .bind(case_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What a verifier decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// With an optional note.
    Approve { note: Option<String> },
    /// The reason is required: the person reads it.
    Reject { reason: String },
}

/// Why `verifier` may not decide a case now (`None`: they may): it no
/// longer waits, it is their own profile, or they decided it already. The
/// one rule `decide` enforces and the case page shows.
pub fn blocked(pending: bool, subject: &UserId, decided_by: &[&str], verifier: &UserId) -> Option<DecideError> {
    if !pending {
        Some(DecideError::NotPending)
    } else if subject == verifier {
        Some(DecideError::OwnProfile)
    } else if decided_by.contains(&verifier.as_str()) {
        Some(DecideError::AlreadyApproved)
    } else {
        None
    }
}

/// What a decision led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The profile is verified until then.
    Verified {
        until: UnixTime,
    },
    /// The first of two approvals: the case waits for another verifier.
    AwaitingSecondApproval,
    Rejected,
}

/// Why a decision was refused.
#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error("no such case")]
    NotFound,
    #[error("the case is no longer waiting for a decision")]
    NotPending,
    #[error("verifiers do not decide their own profile")]
    OwnProfile,
    #[error("you approved this case already; another verifier must give the second approval")]
    AlreadyApproved,
    #[error("say why the profile is rejected")]
    ReasonMissing,
    #[error("the reason is too long")]
    ReasonTooLong,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A decided case's subject and what happened, for the caller to tell them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    pub subject: UserId,
    pub outcome: Outcome,
}

fn clean_reason(reason: &str) -> Result<Option<String>, DecideError> {
    let reason = reason.trim();
    if reason.chars().count() > REASON_MAX_CHARS {
        return Err(DecideError::ReasonTooLong);
    }
    Ok((!reason.is_empty()).then(|| reason.to_string()))
}

/// Records a verifier's decision on a waiting case and moves the profile.
pub async fn decide(
    store: &Store,
    case_id: &str,
    verifier: &UserId,
    decision: &Decision,
    policy: Policy,
    now: UnixTime,
) -> Result<Decided, DecideError> {
    let (kind, reason) = match decision {
        Decision::Approve { note } => ("approve", clean_reason(note.as_deref().unwrap_or_default())?),
        Decision::Reject { reason } => ("reject", Some(clean_reason(reason)?.ok_or(DecideError::ReasonMissing)?)),
    };
    let mut tx = store.pool().begin().await.map_err(StoreError::from)?;
    // The profile's row first, as every change of the profile takes it
    // before its case (edits, withdrawals): taken in the other order, an
    // edit and a decision at once could deadlock on PostgreSQL.
    let subject: Option<(String,)> = sqlx::query_as("SELECT user_id FROM verification_cases WHERE id = $1")
        .bind(case_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    let (subject,) = subject.ok_or(DecideError::NotFound)?;
    super::lock_profile(&mut tx, &UserId::from_stored(subject)).await?;
    // Then the case's row, so that two verifiers deciding at once are ordered.
    let touched = sqlx::query("UPDATE verification_cases SET state = state WHERE id = $1 AND state = 'pending'")
        .bind(case_id)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    let row: Option<(String, String)> = sqlx::query_as("SELECT user_id, state FROM verification_cases WHERE id = $1")
        .bind(case_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    let (subject, _) = row.ok_or(DecideError::NotFound)?;
    let subject = UserId::from_stored(subject);
    let earlier: Vec<(String, String)> =
        sqlx::query_as("SELECT verifier_id, decision FROM verification_decisions WHERE case_id = $1")
            .bind(case_id)
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::from)?;
    let decided_by: Vec<&str> = earlier.iter().map(|(who, _)| who.as_str()).collect();
    if let Some(refused) = blocked(touched.rows_affected() > 0, &subject, &decided_by, verifier) {
        return Err(refused);
    }
    sqlx::query(
        "INSERT INTO verification_decisions (case_id, verifier_id, decision, reason, decided_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(case_id)
    .bind(verifier.as_str())
    .bind(kind)
    .bind(reason.as_deref())
    .bind(now.0)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    let approvals = earlier.iter().filter(|(_, d)| d == "approve").count() + 1;
    let outcome = match decision {
        Decision::Reject { .. } => Outcome::Rejected,
        Decision::Approve { .. } if policy.four_eyes && approvals < 2 => Outcome::AwaitingSecondApproval,
        Decision::Approve { .. } => Outcome::Verified { until: now.plus_seconds(policy.valid_for_seconds) },
    };
    let (case_state, profile_state, until) = match outcome {
        Outcome::AwaitingSecondApproval => {
            tx.commit().await.map_err(StoreError::from)?;
            return Ok(Decided { subject, outcome });
        }
        Outcome::Rejected => (CaseState::Rejected, Status::Rejected, None),
        Outcome::Verified { until } => (CaseState::Verified, Status::Verified, Some(until.0)),
    };
    sqlx::query("UPDATE verification_cases SET state = $1, decided_at = $2, reason = $3 WHERE id = $4")
        .bind(case_state.as_str())
        .bind(now.0)
        .bind(reason.as_deref())
        .bind(case_id)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    let moved = sqlx::query(
        "UPDATE professional_profiles SET state = $1, verified_at = $2, verified_until = $3, updated_at = $4 \
         WHERE user_id = $5 AND case_id = $6 AND state = 'pending'",
    )
    .bind(profile_state.as_str())
    .bind(until.map(|_| now.0))
    .bind(until)
    .bind(now.0)
    .bind(subject.as_str())
    .bind(case_id)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    if moved.rows_affected() == 0 {
        // The profile no longer waits for this case: decide nothing.
        return Err(DecideError::NotPending);
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Decided { subject, outcome })
}

/// Which cases the queue shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    /// `None`: every state.
    pub state: Option<CaseState>,
    pub profession: Option<String>,
    /// Part of the person's e-mail address.
    pub email: Option<String>,
}

/// One line of the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseSummary {
    pub id: String,
    pub user_id: UserId,
    pub email: String,
    pub profession: String,
    pub state: CaseState,
    pub submitted_at: UnixTime,
    pub approvals: i64,
}

/// The queue: oldest waiting first; at most `limit` from `offset`.
pub async fn queue(
    store: &Store,
    filter: &QueueFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<CaseSummary>, StoreError> {
    let email = filter.email.as_deref().and_then(crate::store::like_contains);
    let rows: Vec<(String, String, String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT c.id, c.user_id, u.email, c.profession, c.state, c.submitted_at, \
         (SELECT COUNT(*) FROM verification_decisions d WHERE d.case_id = c.id AND d.decision = 'approve') \
         FROM verification_cases c JOIN users u ON u.id = c.user_id \
         WHERE ($1 IS NULL OR c.state = $1) AND ($2 IS NULL OR c.profession = $2) \
         AND ($3 IS NULL OR LOWER(u.email) LIKE $3 ESCAPE '\\') \
         ORDER BY c.submitted_at, c.id LIMIT $4 OFFSET $5",
    )
    .bind(filter.state.map(CaseState::as_str))
    .bind(filter.profession.as_deref())
    .bind(email)
    .bind(limit)
    .bind(offset)
    .fetch_all(store.reads())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, user_id, email, profession, state, submitted_at, approvals)| CaseSummary {
            id,
            user_id: UserId::from_stored(user_id),
            email,
            profession,
            state: CaseState::parse(&state).unwrap_or(CaseState::Withdrawn),
            submitted_at: UnixTime(submitted_at),
            approvals,
        })
        .collect())
}

/// One verifier's decision, as the case page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRecord {
    pub verifier_id: String,
    /// `None` when the verifier's account is gone.
    pub verifier_email: Option<String>,
    pub approved: bool,
    pub reason: Option<String>,
    pub at: UnixTime,
}

/// A case with everything a verifier needs to decide it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub id: String,
    pub user_id: UserId,
    pub email: String,
    /// The account's name now.
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    /// The account's name when the profile was submitted: what the
    /// documents are checked against. `None` for cases submitted before
    /// Sanus recorded it.
    pub submitted_name: Option<SubmittedName>,
    pub profession: String,
    /// What was submitted.
    pub values: BTreeMap<String, String>,
    pub state: CaseState,
    pub submitted_at: UnixTime,
    pub decided_at: Option<UnixTime>,
    pub reason: Option<String>,
    pub decisions: Vec<DecisionRecord>,
}

/// A person's name as a case recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmittedName {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
}

impl SubmittedName {
    /// See [`crate::users::display_name`].
    pub fn display(&self) -> Option<String> {
        crate::users::display_name(self.given_name.as_deref(), self.family_name.as_deref())
    }
}

impl Case {
    /// The account's name now, as shown.
    pub fn current_name(&self) -> Option<String> {
        crate::users::display_name(self.given_name.as_deref(), self.family_name.as_deref())
    }

    /// Whether the account was renamed since the submission (`false` when
    /// the case recorded no name).
    pub fn renamed_since_submission(&self) -> bool {
        self.submitted_name.as_ref().is_some_and(|submitted| {
            submitted.given_name != self.given_name || submitted.family_name != self.family_name
        })
    }
}

type CaseRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
);

/// A case's id, state, submission, decision time, reason and the name submitted (JSON).
pub(crate) type CaseOutcomeRow = (String, String, i64, Option<i64>, Option<String>, Option<String>);

type DecisionRow = (String, Option<String>, String, Option<String>, i64);

pub async fn case(store: &Store, id: &str) -> Result<Option<Case>, StoreError> {
    let row: Option<CaseRow> = sqlx::query_as(
        "SELECT c.id, c.user_id, u.email, u.given_name, u.family_name, c.submitted_name, c.profession, c.fields, \
         c.state, c.submitted_at, c.decided_at, c.reason \
         FROM verification_cases c JOIN users u ON u.id = c.user_id WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(store.reads())
    .await?;
    let Some((
        id,
        user_id,
        email,
        given_name,
        family_name,
        submitted_name,
        profession,
        fields,
        state,
        submitted_at,
        decided_at,
        reason,
    )) = row
    else {
        return Ok(None);
    };
    let decisions: Vec<DecisionRow> = sqlx::query_as(
        "SELECT d.verifier_id, u.email, d.decision, d.reason, d.decided_at FROM verification_decisions d \
         LEFT JOIN users u ON u.id = d.verifier_id WHERE d.case_id = $1 ORDER BY d.decided_at, d.verifier_id",
    )
    .bind(&id)
    .fetch_all(store.reads())
    .await?;
    Ok(Some(Case {
        id,
        user_id: UserId::from_stored(user_id),
        email,
        given_name,
        family_name,
        submitted_name: submitted_name.and_then(|json| serde_json::from_str(&json).ok()),
        profession,
        values: serde_json::from_str(&fields).unwrap_or_default(),
        state: CaseState::parse(&state).unwrap_or(CaseState::Withdrawn),
        submitted_at: UnixTime(submitted_at),
        decided_at: decided_at.map(UnixTime),
        reason,
        decisions: decisions
            .into_iter()
            .map(|(verifier_id, verifier_email, decision, reason, at)| DecisionRecord {
                verifier_id,
                verifier_email,
                approved: decision == "approve",
                reason,
                at: UnixTime(at),
            })
            .collect(),
    }))
}

/// The person's latest case, if any: what the account console shows about
/// a rejection (the reason) or a wait.
pub async fn latest_case(store: &Store, user: &UserId) -> Result<Option<Case>, StoreError> {
    let id: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM verification_cases WHERE user_id = $1 ORDER BY submitted_at DESC, id DESC LIMIT 1",
    )
    .bind(user.as_str())
    .fetch_optional(store.reads())
    .await?;
    match id {
        Some((id,)) => case(store, &id).await,
        None => Ok(None),
    }
}

/// A document of a case: what the verifier reviewed. `available` is false
/// when the person removed the file since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseDocument {
    pub evidence_id: String,
    pub file_name: String,
    pub sha256: String,
    pub available: bool,
}

/// The documents submitted with a case.
pub async fn case_documents(store: &Store, case_id: &str) -> Result<Vec<CaseDocument>, StoreError> {
    let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT c.evidence_id, c.file_name, c.sha256, e.id FROM case_evidence c \
         LEFT JOIN profile_evidence e ON e.id = c.evidence_id WHERE c.case_id = $1 ORDER BY c.file_name, c.evidence_id",
    )
    .bind(case_id)
    .fetch_all(store.reads())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(evidence_id, file_name, sha256, present)| CaseDocument {
            evidence_id,
            file_name,
            sha256,
            available: present.is_some(),
        })
        .collect())
}

/// Whether the profile is what a case verified: the data `verified_claims`
/// may vouch for.
pub fn vouches_for(profile: &Profile) -> bool {
    profile.status == Status::Verified && profile.verified_at.is_some()
}
