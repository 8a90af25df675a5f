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
    /// A person allowed a client the scopes in `detail.scopes`.
    ConsentGiven,
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
    /// What operators did in the console: `user_id` is the account acted on
    /// (its e-mail in `detail.email`), the operator is `detail.operator`
    /// (`detail.operator_email`).
    OperatorViewedAccount,
    AccountLocked,
    AccountUnlocked,
    OperatorEndedSessions,
    PasswordResetForced,
    KeysRotated,
}

/// The families of kinds (the part before the dot), for filters.
pub const KIND_FAMILIES: &[&str] = &[
    "sign_in",
    "password_reset",
    "password",
    "registration",
    "email_verification",
    "email",
    "profile",
    "session",
    "consent",
    "mfa",
    "passkey",
    "account",
    "tenant",
    "member",
    "profession",
    "application",
    "client",
    "token",
    "operator",
];

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
            Self::ConsentGiven => "consent.given",
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
            Self::OperatorViewedAccount => "operator.account_viewed",
            Self::AccountLocked => "operator.account_locked",
            Self::AccountUnlocked => "operator.account_unlocked",
            Self::OperatorEndedSessions => "operator.sessions_ended",
            Self::PasswordResetForced => "operator.password_reset_forced",
            Self::KeysRotated => "operator.keys_rotated",
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
    .fetch_all(store.reads())
    .await?)
}

/// Whether `typed` names a family of kinds (`sign_in`) or a kind in one
/// (`sign_in.failed`), as the audit filter takes it.
pub fn is_kind_filter(typed: &str) -> bool {
    let family = typed.split_once('.').map_or(typed, |(family, _)| family);
    KIND_FAMILIES.contains(&family)
        && typed.len() <= 64
        && typed.bytes().all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'.')
}

/// What the operators' audit view is narrowed to; `None` is "any".
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter<'a> {
    /// A kind (`sign_in.failed`) or a family of kinds (`sign_in`).
    pub kind: Option<&'a str>,
    pub user_id: Option<&'a str>,
    pub client_id: Option<&'a str>,
    pub tenant_id: Option<&'a str>,
    pub address: Option<&'a str>,
    /// Only events at or after this time.
    pub since: Option<i64>,
    /// Only events before this one (time and id): the next page.
    pub before: Option<(i64, &'a str)>,
}

/// An event as the operators' audit view lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ListedEvent {
    pub id: String,
    pub at: i64,
    pub kind: String,
    pub user_id: Option<String>,
    /// The account's current e-mail, while it exists.
    pub user_email: Option<String>,
    pub client_id: Option<String>,
    pub tenant_id: Option<String>,
    pub address: Option<String>,
    pub request_id: Option<String>,
    pub detail: String,
}

/// Events matching `filter`, newest first, at most `limit`.
pub async fn search(store: &Store, filter: Filter<'_>, limit: i64) -> Result<Vec<ListedEvent>, StoreError> {
    let family = filter.kind.map(|kind| format!("{kind}."));
    let family_len = family.as_ref().map(|f| i32::try_from(f.len()).unwrap_or(i32::MAX));
    Ok(sqlx::query_as(
        "SELECT e.id, e.at, e.kind, e.user_id, u.email AS user_email, e.client_id, e.tenant_id, e.address, \
                e.request_id, e.detail \
         FROM audit_events e LEFT JOIN users u ON u.id = e.user_id \
         WHERE ($1 IS NULL OR e.kind = $1 OR SUBSTR(e.kind, 1, $3) = $2) \
           AND ($4 IS NULL OR e.user_id = $4) AND ($5 IS NULL OR e.client_id = $5) \
           AND ($6 IS NULL OR e.tenant_id = $6) AND ($7 IS NULL OR e.address = $7) \
           AND ($8 IS NULL OR e.at >= $8) \
           AND ($9 IS NULL OR e.at < $9 OR (e.at = $9 AND e.id < $10)) \
         ORDER BY e.at DESC, e.id DESC LIMIT $11",
    )
    .bind(filter.kind)
    .bind(family)
    .bind(family_len)
    .bind(filter.user_id)
    .bind(filter.client_id)
    .bind(filter.tenant_id)
    .bind(filter.address)
    .bind(filter.since)
    .bind(filter.before.map(|(at, _)| at))
    .bind(filter.before.map(|(_, id)| id))
    .bind(limit)
    .fetch_all(store.reads())
    .await?)
}

/// The latest events first, at most `limit`.
pub async fn latest(store: &Store, limit: i64) -> Result<Vec<RecordedEvent>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT at, kind, user_id, client_id, address, request_id, detail FROM audit_events ORDER BY at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(store.reads())
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_families_or_kinds_in_them() {
        assert!(is_kind_filter("sign_in"));
        assert!(is_kind_filter("sign_in.failed"));
        assert!(is_kind_filter("operator.account_locked"));
        assert!(!is_kind_filter("sign"));
        assert!(!is_kind_filter("nonsense.failed"));
        assert!(!is_kind_filter("sign_in.%"));
    }

    #[test]
    fn every_kind_is_in_a_family() {
        use EventKind::*;
        let kinds = [
            SignInSucceeded,
            TokenReuseDetected,
            ConsentGiven,
            OperatorViewedAccount,
            KeysRotated,
            InitialTokenRevoked,
        ];
        for kind in kinds {
            assert!(is_kind_filter(kind.as_str()), "{}", kind.as_str());
        }
    }

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

        async fn the_search_narrows_by_each_filter_and_pages_without_gaps(db: TestDatabase) {
            let store = db.migrated_store().await;
            let kinds = [EventKind::SignInFailed, EventKind::SignInSucceeded, EventKind::SessionEnded, EventKind::SignInThrottled];
            for (n, kind) in kinds.into_iter().enumerate() {
                let mut event = Event::new(kind);
                event.client_id = Some(if n % 2 == 0 { "spa" } else { "web" });
                event.tenant_id = (n == 2).then_some("acme");
                event.address = Some(format!("192.0.2.{n}"));
                // Two events in one second: paging must not lose either.
                record(&store, &event, UnixTime(100 + i64::try_from(n / 2).unwrap())).await.unwrap();
            }
            let kinds_of = |events: &[ListedEvent]| events.iter().map(|e| e.kind.clone()).collect::<Vec<_>>();
            let all = search(&store, Filter::default(), 10).await.unwrap();
            assert_eq!(all.len(), 4);
            let family = search(&store, Filter { kind: Some("sign_in"), ..Filter::default() }, 10).await.unwrap();
            assert_eq!(kinds_of(&family), ["sign_in.throttled", "sign_in.succeeded", "sign_in.failed"]);
            let exact = search(&store, Filter { kind: Some("sign_in.failed"), ..Filter::default() }, 10).await.unwrap();
            assert_eq!(kinds_of(&exact), ["sign_in.failed"]);
            assert!(search(&store, Filter { kind: Some("sign"), ..Filter::default() }, 10).await.unwrap().is_empty(), "families are whole words");
            let client = search(&store, Filter { client_id: Some("web"), ..Filter::default() }, 10).await.unwrap();
            assert_eq!(kinds_of(&client), ["sign_in.throttled", "sign_in.succeeded"]);
            let tenant = search(&store, Filter { tenant_id: Some("acme"), ..Filter::default() }, 10).await.unwrap();
            assert_eq!(kinds_of(&tenant), ["session.ended"]);
            let address = search(&store, Filter { address: Some("192.0.2.0"), ..Filter::default() }, 10).await.unwrap();
            assert_eq!(kinds_of(&address), ["sign_in.failed"]);
            let since = search(&store, Filter { since: Some(101), ..Filter::default() }, 10).await.unwrap();
            assert_eq!(since.len(), 2);
            // Page by page, one at a time, in the same order as all at once.
            let mut paged = Vec::new();
            let mut before: Option<(i64, String)> = None;
            loop {
                let filter = Filter { before: before.as_ref().map(|(at, id)| (*at, id.as_str())), ..Filter::default() };
                let page = search(&store, filter, 1).await.unwrap();
                let Some(last) = page.last() else { break };
                before = Some((last.at, last.id.clone()));
                paged.extend(page);
            }
            assert_eq!(paged, all);
        }
    }
}
