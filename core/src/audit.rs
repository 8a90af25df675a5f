//! The audit log: security-relevant events, append-only, with time, user,
//! client, address and request id. Never secrets: callers pass only what
//! identifies and explains (`detail` is a small JSON object).

use serde_json::Value;

use crate::clock::UnixTime;
use crate::store::{Store, StoreError};
use crate::users::UserId;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    SignInSucceeded,
    SignInFailed,
    /// An attempt refused unchecked, because of earlier failures.
    SignInThrottled,
    /// A reset link was mailed (only for existing accounts).
    PasswordResetRequested,
    /// A new password was set from a reset link; all sessions ended.
    PasswordResetCompleted,
    /// A new account registered itself (unverified).
    Registered,
    /// A registration named an address that already has an account.
    RegistrationExisting,
    /// A verification code and link were mailed.
    EmailVerificationSent,
    /// The address was proven, by code or by link.
    EmailVerified,
    /// A wrong or unusable verification code was typed.
    EmailVerificationFailed,
    /// Names or language changed in the account console.
    ProfileUpdated,
    /// A new password was set in the account console; all else signed out.
    PasswordChanged,
    /// Sessions were signed out from the account console.
    SessionEnded,
    /// An app's consent (and its tokens) was withdrawn.
    ConsentRevoked,
    /// An authenticator app was confirmed: sign-ins now need a second factor.
    TotpEnabled,
    /// The authenticator app (and the recovery codes) were removed.
    TotpRemoved,
    /// A new set of recovery codes replaced the old one.
    RecoveryCodesRenewed,
    /// The account moved to a new, proven address.
    EmailChanged,
    /// A passkey was added to the account.
    PasskeyAdded,
    /// A passkey was removed from the account.
    PasskeyRemoved,
    /// The owner downloaded their data.
    AccountExported,
    /// The owner deleted the account (the event keeps only its id).
    AccountDeleted,
    /// Someone created an organisation (and became its Admin).
    TenantCreated,
    /// A department was added below a tenant.
    DepartmentAdded,
    /// A tenant was renamed, moved or archived (`detail.change`).
    TenantChanged,
    /// An address was invited into a tenant with roles.
    MemberInvited,
    /// An invitation's link was sent again (the old one stopped working).
    InvitationResent,
    /// An invitation was withdrawn.
    InvitationRevoked,
    /// An invitation was accepted: a new membership.
    InvitationAccepted,
    /// A member's roles in a tenant were replaced.
    MemberRolesChanged,
    /// A member was removed from a tenant, or left it.
    MemberRemoved,
    /// A professional profile was saved with changes (`detail.dropped`
    /// names a verification or submission that ended with it).
    ProfessionalProfileChanged,
    /// A professional profile and its documents were removed.
    ProfessionalProfileRemoved,
    /// A document of evidence was uploaded or removed (`detail.change`).
    EvidenceChanged,
    /// A verifier opened a document of evidence.
    EvidenceViewed,
    /// A verifier opened a case (the person's data).
    VerificationCaseViewed,
    /// A profile was submitted for verification.
    VerificationSubmitted,
    /// The person took their submission back.
    VerificationWithdrawn,
    /// A verifier approved (`detail.outcome`: verified or first of two).
    VerificationApproved,
    /// A verifier rejected, with a reason.
    VerificationRejected,
    /// A verification ran out.
    VerificationExpired,
    /// The person changed which profile fields an app receives.
    ProfileSharingChanged,
    /// An application was created, changed (`detail.change`) or deleted.
    ApplicationCreated,
    ApplicationChanged,
    ApplicationDeleted,
    /// A client was registered, changed or deleted.
    ClientCreated,
    ClientChanged,
    ClientDeleted,
    /// A client's secret was rotated (`detail.grace_seconds`).
    ClientSecretRotated,
    /// An initial access token for dynamic registration was made or revoked.
    InitialTokenCreated,
    InitialTokenRevoked,
    /// A used authorization code or rotated-out refresh token came back:
    /// its grant was revoked (`detail.token`, `detail.family`).
    TokenReuseDetected,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignInSucceeded => "sign_in.succeeded",
            Self::SignInFailed => "sign_in.failed",
            Self::SignInThrottled => "sign_in.throttled",
            Self::PasswordResetRequested => "password_reset.requested",
            Self::PasswordResetCompleted => "password_reset.completed",
            Self::Registered => "registration.created",
            Self::RegistrationExisting => "registration.existing_address",
            Self::EmailVerificationSent => "email_verification.sent",
            Self::EmailVerified => "email_verification.succeeded",
            Self::EmailVerificationFailed => "email_verification.failed",
            Self::ProfileUpdated => "profile.updated",
            Self::PasswordChanged => "password.changed",
            Self::SessionEnded => "session.ended",
            Self::ConsentRevoked => "consent.revoked",
            Self::TotpEnabled => "mfa.totp_enabled",
            Self::TotpRemoved => "mfa.totp_removed",
            Self::RecoveryCodesRenewed => "mfa.recovery_codes_renewed",
            Self::EmailChanged => "email.changed",
            Self::PasskeyAdded => "passkey.added",
            Self::PasskeyRemoved => "passkey.removed",
            Self::AccountExported => "account.exported",
            Self::AccountDeleted => "account.deleted",
            Self::TenantCreated => "tenant.created",
            Self::DepartmentAdded => "tenant.department_added",
            Self::TenantChanged => "tenant.changed",
            Self::MemberInvited => "member.invited",
            Self::InvitationResent => "member.invitation_resent",
            Self::InvitationRevoked => "member.invitation_revoked",
            Self::InvitationAccepted => "member.invitation_accepted",
            Self::MemberRolesChanged => "member.roles_changed",
            Self::MemberRemoved => "member.removed",
            Self::ProfessionalProfileChanged => "profession.profile_changed",
            Self::ProfessionalProfileRemoved => "profession.profile_removed",
            Self::EvidenceChanged => "profession.evidence_changed",
            Self::EvidenceViewed => "profession.evidence_viewed",
            Self::VerificationCaseViewed => "profession.case_viewed",
            Self::VerificationSubmitted => "profession.verification_submitted",
            Self::VerificationWithdrawn => "profession.verification_withdrawn",
            Self::VerificationApproved => "profession.verification_approved",
            Self::VerificationRejected => "profession.verification_rejected",
            Self::VerificationExpired => "profession.verification_expired",
            Self::ProfileSharingChanged => "consent.profile_fields_changed",
            Self::ApplicationCreated => "application.created",
            Self::ApplicationChanged => "application.changed",
            Self::ApplicationDeleted => "application.deleted",
            Self::ClientCreated => "client.created",
            Self::ClientChanged => "client.changed",
            Self::ClientDeleted => "client.deleted",
            Self::ClientSecretRotated => "client.secret_rotated",
            Self::InitialTokenCreated => "client.initial_token_created",
            Self::InitialTokenRevoked => "client.initial_token_revoked",
            Self::TokenReuseDetected => "token.reuse_detected",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub kind: EventKind,
    pub user_id: Option<&'a UserId>,
    pub client_id: Option<&'a str>,
    /// The tenant the event concerns, so that its Admins can see it.
    pub tenant_id: Option<&'a str>,
    pub address: Option<String>,
    pub request_id: Option<&'a str>,
    pub detail: Value,
}

impl<'a> Event<'a> {
    pub fn new(kind: EventKind) -> Self {
        Self {
            kind,
            user_id: None,
            client_id: None,
            tenant_id: None,
            address: None,
            request_id: None,
            detail: Value::Object(Default::default()),
        }
    }
}

pub async fn record(store: &Store, event: &Event<'_>, now: UnixTime) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_events (id, at, kind, user_id, client_id, address, request_id, detail, tenant_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(now.0)
    .bind(event.kind.as_str())
    .bind(event.user_id.map(UserId::as_str))
    .bind(event.client_id)
    .bind(event.address.as_deref())
    .bind(event.request_id)
    .bind(event.detail.to_string())
    .bind(event.tenant_id)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// A recorded event, as read back.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RecordedEvent {
    pub at: i64,
    pub kind: String,
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    pub address: Option<String>,
    pub request_id: Option<String>,
    pub detail: String,
}

/// The latest events of a tenant and of everything below it, newest first,
/// at most `limit`, before `before` (unix seconds) when given: what its
/// Admins may read.
pub async fn for_tenant(
    store: &Store,
    tenant: &crate::tenants::TenantId,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<RecordedEvent>, StoreError> {
    Ok(sqlx::query_as(
        "WITH RECURSIVE below (id) AS ( \
             SELECT id FROM tenants WHERE id = $1 \
             UNION ALL SELECT t.id FROM tenants t JOIN below b ON t.parent_id = b.id) \
         SELECT at, kind, user_id, client_id, address, request_id, detail FROM audit_events \
         WHERE tenant_id IN (SELECT id FROM below) AND ($2 IS NULL OR at < $2) ORDER BY at DESC, id DESC LIMIT $3",
    )
    .bind(tenant.as_str())
    .bind(before)
    .bind(limit)
    .fetch_all(store.pool())
    .await?)
}

/// The latest events first, at most `limit`.
pub async fn latest(store: &Store, limit: i64) -> Result<Vec<RecordedEvent>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT at, kind, user_id, client_id, address, request_id, detail FROM audit_events ORDER BY at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(store.pool())
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::engine_tests! {
        async fn events_are_recorded_and_read_back_latest_first(db: TestDatabase) {
            let store = db.migrated_store().await;
            let mut failed = Event::new(EventKind::SignInFailed);
            failed.client_id = Some("spa");
            failed.address = Some("192.0.2.1".into());
            failed.request_id = Some("req-1");
            failed.detail = serde_json::json!({ "reason": "invalid_credentials" });
            record(&store, &failed, UnixTime(10)).await.unwrap();
            record(&store, &Event::new(EventKind::SignInThrottled), UnixTime(11)).await.unwrap();
            let events = latest(&store, 10).await.unwrap();
            assert_eq!(events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), ["sign_in.throttled", "sign_in.failed"]);
            assert_eq!(events[1].address.as_deref(), Some("192.0.2.1"));
            assert_eq!(events[1].detail, r#"{"reason":"invalid_credentials"}"#);
        }
    }
}
