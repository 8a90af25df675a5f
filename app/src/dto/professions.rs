//! What the professional-profile pages show: the person's own profile
//! (`/account/profession`) and the verifiers' queue and cases (`/verify`).

use std::collections::BTreeMap;

use sanus_professions::Problem;
use serde::{Deserialize, Serialize};

/// Where a profile stands (see `sanus_core::professions::Status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProfileStatus {
    Unverified,
    Validated,
    Pending,
    Verified,
    Rejected,
}

/// `/account/profession`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfessionView {
    /// The profession whose fields the form shows (the saved one, or the
    /// one just chosen).
    pub profession: Option<String>,
    /// What the form shows: the saved values, or the refused input.
    pub values: BTreeMap<String, String>,
    /// Field id → what is wrong, after a refused save.
    pub errors: Vec<(String, Problem)>,
    pub saved: Option<SavedProfile>,
    pub evidence: Vec<EvidenceView>,
    pub max_evidence_files: i64,
    pub notice: Option<ProfessionNotice>,
    pub failure: Option<ProfessionFailure>,
}

/// The stored profile and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedProfile {
    pub profession: String,
    pub status: ProfileStatus,
    /// Required fields still empty (ids).
    pub missing: Vec<String>,
    /// One of these is needed (ids), when none is filled in.
    pub missing_one_of: Vec<String>,
    pub verified_at: Option<i64>,
    pub verified_until: Option<i64>,
    /// When the waiting case was submitted.
    pub submitted_at: Option<i64>,
    /// The verifier's reason, when rejected.
    pub rejection_reason: Option<String>,
    /// Whether it can be submitted for verification now.
    pub can_submit: bool,
}

/// A file of evidence, without its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceView {
    pub id: String,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_at: i64,
    /// Where to fetch it (the owner's or the verifier's address).
    pub href: String,
    pub image: bool,
}

query_enum! {
    /// What the last action on the profile page did (`?notice=…`).
    ProfessionNotice {
        Saved => "saved",
        Unchanged => "unchanged",
        VerificationDropped => "verification-dropped",
        EvidenceAdded => "evidence-added",
        EvidenceRemoved => "evidence-removed",
        Submitted => "submitted",
        Withdrawn => "withdrawn",
        Removed => "removed",
    }
}

query_enum! {
    /// Why the last action on the profile page was refused (`?error=…`).
    ProfessionFailure {
        EvidenceEmpty => "evidence-empty",
        EvidenceTooLarge => "evidence-too-large",
        EvidenceType => "evidence-type",
        EvidenceTooMany => "evidence-too-many",
        EvidenceLocked => "evidence-locked",
        NoProfile => "no-profile",
        Incomplete => "incomplete",
        NoEvidence => "no-evidence",
        AlreadyPending => "already-pending",
        AlreadyVerified => "already-verified",
        ConfirmRemoval => "confirm-removal",
    }
}

/// `/verify`: the verifiers' queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    pub cases: Vec<CaseRowView>,
    /// The filters as chosen (`""`: any).
    pub state: String,
    pub profession: String,
    pub email: String,
    pub page: u32,
    pub has_next: bool,
    pub four_eyes: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRowView {
    pub id: String,
    pub email: String,
    pub profession: String,
    pub state: String,
    pub submitted_at: i64,
    pub approvals: i64,
}

/// `/verify/cases/{id}`: one case, to decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    pub id: String,
    pub email: String,
    /// The name the documents are checked against: the account's when it
    /// was submitted (`name_at_submission`), or its current one for cases
    /// that did not record it.
    pub name: Option<String>,
    pub name_at_submission: bool,
    /// Renamed since the submission; `current_name` is the name now.
    pub renamed: bool,
    pub current_name: Option<String>,
    pub profession: String,
    /// What was submitted, field id → value.
    pub values: BTreeMap<String, String>,
    pub state: String,
    pub submitted_at: i64,
    pub decisions: Vec<DecisionView>,
    pub evidence: Vec<EvidenceView>,
    pub four_eyes: bool,
    /// Why this verifier may not decide now (`None`: they may).
    pub cannot_decide: Option<DecisionFailure>,
    pub notice: Option<DecisionNotice>,
    pub failure: Option<DecisionFailure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionView {
    /// The verifier's address, or `None` when their account is gone.
    pub verifier: Option<String>,
    pub approved: bool,
    pub reason: Option<String>,
    pub at: i64,
}

query_enum! {
    /// What a verifier's last action did.
    DecisionNotice {
        Verified => "verified",
        FirstApproval => "first-approval",
        Rejected => "rejected",
    }
}

query_enum! {
    /// Why a verifier's action was refused, or why they cannot decide.
    DecisionFailure {
        NotPending => "not-pending",
        OwnProfile => "own-profile",
        AlreadyApproved => "already-approved",
        ReasonMissing => "reason-missing",
        ReasonTooLong => "reason-too-long",
    }
}
