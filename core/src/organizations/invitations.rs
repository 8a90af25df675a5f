//! Invitations: an Admin (`members.invite`) invites an e-mail address into
//! a tenant with roles. The mailed link carries a random token (only its
//! SHA-256 is stored), works once, for 7 days, and can be revoked; resending
//! makes a new link and the old one stops working. It is accepted by the
//! account with the invited address (signed in, or registered from the link),
//! which also proves that address.

use super::access::{AccessError, Actor, require};
use super::roles::{CoreRole, Role};
use super::{OrgError, Permission, RoleScope, add_member_in, resolve_roles};
use crate::clients::SecretHash;
use crate::clock::UnixTime;
use crate::store::{Store, StoreError};
use crate::tenants::{Tenant, TenantId, get_tenant};
use crate::users::{Email, User, UserId};

pub const LIFETIME_SECONDS: i64 = 7 * 24 * 3600;
/// One invitation is mailed at most this often.
pub const RESEND_AFTER_SECONDS: i64 = 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: String,
    pub tenant_id: TenantId,
    pub email: String,
    pub roles: Vec<Role>,
    pub invited_by: Option<UserId>,
    pub created_at: UnixTime,
    pub sent_at: UnixTime,
    pub expires_at: UnixTime,
    pub accepted_at: Option<UnixTime>,
    pub revoked_at: Option<UnixTime>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

impl Invitation {
    /// Whether it is for this account: only the invited address may accept.
    pub fn is_for(&self, user: &User) -> bool {
        match (Email::parse(&self.email), Email::parse(&user.email)) {
            (Ok(invited), Ok(own)) => invited.normalized() == own.normalized(),
            _ => false,
        }
    }

    pub fn state(&self, now: UnixTime) -> State {
        if self.accepted_at.is_some() {
            State::Accepted
        } else if self.revoked_at.is_some() {
            State::Revoked
        } else if self.expires_at <= now {
            State::Expired
        } else {
            State::Pending
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error("this address is a member already")]
    AlreadyMember,
    #[error("this address has a pending invitation: resend it instead")]
    AlreadyInvited,
    #[error("this invitation was mailed less than a minute ago")]
    TooSoon,
    #[error("this invitation is no longer pending")]
    NotPending,
    /// Whoever invites must have confirmed their own address.
    #[error("confirm your own e-mail address before inviting anyone")]
    Unconfirmed,
    /// Too many invitations from this person lately.
    #[error("too many invitations: wait {retry_after_seconds} seconds")]
    TooMany { retry_after_seconds: i64 },
}

impl From<StoreError> for InviteError {
    fn from(error: StoreError) -> Self {
        Self::Org(OrgError::Store(error))
    }
}

impl From<sqlx::Error> for InviteError {
    fn from(error: sqlx::Error) -> Self {
        Self::Org(OrgError::Store(error.into()))
    }
}

impl From<sqlx::Error> for AcceptError {
    fn from(error: sqlx::Error) -> Self {
        Self::Store(error.into())
    }
}

impl From<AccessError> for InviteError {
    fn from(error: AccessError) -> Self {
        Self::Org(OrgError::Access(error))
    }
}

#[derive(sqlx::FromRow)]
struct InvitationRow {
    id: String,
    tenant_id: String,
    email: String,
    roles: String,
    invited_by: Option<String>,
    created_at: i64,
    sent_at: i64,
    expires_at: i64,
    accepted_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl From<InvitationRow> for Invitation {
    fn from(row: InvitationRow) -> Self {
        let names: Vec<String> = serde_json::from_str(&row.roles).unwrap_or_default();
        Self {
            id: row.id,
            tenant_id: TenantId::from_stored(row.tenant_id),
            email: row.email,
            roles: names.iter().filter_map(|name| Role::parse(name)).collect(),
            invited_by: row.invited_by.map(UserId::from_stored),
            created_at: UnixTime(row.created_at),
            sent_at: UnixTime(row.sent_at),
            expires_at: UnixTime(row.expires_at),
            accepted_at: row.accepted_at.map(UnixTime),
            revoked_at: row.revoked_at.map(UnixTime),
        }
    }
}

const COLUMNS: &str =
    "id, tenant_id, email, roles, invited_by, created_at, sent_at, expires_at, accepted_at, revoked_at";

/// Invites `email` into the tenant with these roles. Returns the invitation
/// and the token for its link (to be mailed, never stored).
pub async fn invite<'a>(
    store: &Store,
    actor: impl Into<Actor<'a>>,
    tenant: &TenantId,
    email: &Email,
    roles: &[String],
    now: UnixTime,
) -> Result<(Invitation, String), InviteError> {
    let actor: Actor<'a> = actor.into();
    let access = require(store, actor, tenant, Permission::MembersInvite).await?;
    let resolved = resolve_roles(store, RoleScope::UsedBy { root: &access.tenant.root_id, now }, roles).await?;
    let (members,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.tenant_id = $1 AND u.email_normalized = $2",
    )
    .bind(tenant.as_str())
    .bind(email.normalized())
    .fetch_one(store.reads())
    .await?;
    if members > 0 {
        return Err(InviteError::AlreadyMember);
    }
    let (pending,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM invitations WHERE tenant_id = $1 AND email_normalized = $2 \
         AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $3",
    )
    .bind(tenant.as_str())
    .bind(email.normalized())
    .bind(now.0)
    .fetch_one(store.reads())
    .await?;
    if pending > 0 {
        return Err(InviteError::AlreadyInvited);
    }
    // A person who invites has a confirmed address.
    if let Some(person) = actor.person()
        && !crate::users::get_user(store, person).await?.email_verified
    {
        return Err(InviteError::Unconfirmed);
    }
    let budget = take_from_budget(store, actor, now).await?;
    let names: Vec<String> = resolved.iter().map(|(role, _)| role.as_str().to_string()).collect();
    let token = crate::random::url_safe(32);
    let invitation = Invitation {
        id: uuid::Uuid::now_v7().to_string(),
        tenant_id: tenant.clone(),
        email: email.as_str().to_string(),
        roles: resolved.into_iter().map(|(role, _)| role).collect(),
        invited_by: actor.person().cloned(),
        created_at: now,
        sent_at: now,
        expires_at: now.plus_seconds(LIFETIME_SECONDS),
        accepted_at: None,
        revoked_at: None,
    };
    let inserted = sqlx::query(
        "INSERT INTO invitations (id, tenant_id, email, email_normalized, roles, token_hash, invited_by, created_at, \
         sent_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)",
    )
    .bind(&invitation.id)
    .bind(tenant.as_str())
    .bind(email.as_str())
    .bind(email.normalized())
    .bind(serde_json::to_string(&names).unwrap_or_default())
    .bind(SecretHash::of(token.as_bytes()).as_str())
    .bind(actor.person().map(UserId::as_str))
    .bind(now.0)
    .bind(invitation.expires_at.0)
    .execute(store.pool())
    .await;
    if let Err(error) = inserted {
        // Nothing was sent: the budget is given back (best effort).
        if let Err(refund) = budget.attempt.refund(store, &budget.reserved).await {
            tracing::warn!(error = %refund, "cannot give back an invitation's budget");
        }
        return Err(StoreError::from(error).into());
    }
    Ok((invitation, token))
}

/// The tenant's pending invitations, newest first (`members.invite`).
pub async fn pending<'a>(
    store: &Store,
    actor: impl Into<Actor<'a>>,
    tenant: &TenantId,
    now: UnixTime,
) -> Result<Vec<Invitation>, OrgError> {
    let actor: Actor<'a> = actor.into();
    require(store, actor, tenant, Permission::MembersInvite).await?;
    let rows: Vec<InvitationRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM invitations WHERE tenant_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL \
         AND expires_at > $2 ORDER BY created_at DESC, id"
    )))
    .bind(tenant.as_str())
    .bind(now.0)
    .fetch_all(store.reads())
    .await?;
    Ok(rows.into_iter().map(Invitation::from).collect())
}

/// An invitation of this tenant, for an action on it by someone who may invite.
async fn managed<'a>(
    store: &Store,
    actor: impl Into<Actor<'a>>,
    tenant: &TenantId,
    id: &str,
) -> Result<Invitation, InviteError> {
    let actor: Actor<'a> = actor.into();
    require(store, actor, tenant, Permission::MembersInvite).await?;
    let row: Option<InvitationRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM invitations WHERE id = $1 AND tenant_id = $2"
    )))
    .bind(id)
    .bind(tenant.as_str())
    .fetch_optional(store.reads())
    .await?;
    row.map(Invitation::from).ok_or(InviteError::Org(OrgError::Access(AccessError::NotFound)))
}

/// Every invitation mailed, a new one or one sent again, counts against
/// its sender's budget (see `INVITATIONS_PER_INVITER`): a person's, or a
/// service's (per tenant it acts for), so that nobody mails the world
/// through invitations, not even by way of a tenant's admin client.
async fn take_from_budget(store: &Store, actor: Actor<'_>, now: UnixTime) -> Result<Budget, InviteError> {
    let sender = match actor {
        Actor::Person(person) => person.as_str().to_string(),
        Actor::Service(tenant) => format!("service:{tenant}"),
    };
    let attempt = crate::throttle::SignInAttempt::invitation(&sender);
    match attempt.take(store, now).await? {
        crate::throttle::Taken::Counted { reserved, .. } => Ok(Budget { attempt, reserved }),
        crate::throttle::Taken::Wait(retry_after_seconds) => Err(InviteError::TooMany { retry_after_seconds }),
    }
}

/// One invitation taken from a sender's budget, to give back if it is not sent.
struct Budget {
    attempt: crate::throttle::SignInAttempt,
    reserved: crate::throttle::Reserved,
}

/// Makes a new link for a pending invitation, valid for another 7 days; the
/// old link stops working. At most once a minute, and within the sender's
/// budget.
pub async fn resend<'a>(
    store: &Store,
    actor: impl Into<Actor<'a>>,
    tenant: &TenantId,
    id: &str,
    now: UnixTime,
) -> Result<(Invitation, String), InviteError> {
    let actor: Actor<'a> = actor.into();
    let mut invitation = managed(store, actor, tenant, id).await?;
    if invitation.state(now) != State::Pending {
        return Err(InviteError::NotPending);
    }
    if invitation.sent_at.0 > now.0 - RESEND_AFTER_SECONDS {
        return Err(InviteError::TooSoon);
    }
    let budget = take_from_budget(store, actor, now).await?;
    let token = crate::random::url_safe(32);
    let expires_at = now.plus_seconds(LIFETIME_SECONDS);
    let updated = sqlx::query(
        "UPDATE invitations SET token_hash = $1, sent_at = $2, expires_at = $3 WHERE id = $4 \
         AND accepted_at IS NULL AND revoked_at IS NULL AND sent_at <= $5",
    )
    .bind(SecretHash::of(token.as_bytes()).as_str())
    .bind(now.0)
    .bind(expires_at.0)
    .bind(id)
    .bind(now.0 - RESEND_AFTER_SECONDS)
    .execute(store.pool())
    .await?;
    if updated.rows_affected() == 0 {
        // A parallel resend won: this one sends nothing, and costs nothing.
        budget.attempt.refund(store, &budget.reserved).await?;
        return Err(InviteError::TooSoon);
    }
    invitation.sent_at = now;
    invitation.expires_at = expires_at;
    Ok((invitation, token))
}

/// Withdraws a pending invitation: its link stops working at once.
pub async fn revoke<'a>(
    store: &Store,
    actor: impl Into<Actor<'a>>,
    tenant: &TenantId,
    id: &str,
    now: UnixTime,
) -> Result<Invitation, InviteError> {
    let actor: Actor<'a> = actor.into();
    let invitation = managed(store, actor, tenant, id).await?;
    let updated = sqlx::query(
        "UPDATE invitations SET revoked_at = $1 WHERE id = $2 AND accepted_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now.0)
    .bind(id)
    .execute(store.pool())
    .await?;
    if updated.rows_affected() == 0 {
        return Err(InviteError::NotPending);
    }
    Ok(invitation)
}

/// The invitation of a link (in any state) and its tenant; `None` for an
/// unknown link, or one whose tenant was archived.
pub async fn find(store: &Store, token: &str) -> Result<Option<(Invitation, Tenant)>, StoreError> {
    let row: Option<InvitationRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM invitations WHERE token_hash = $1")))
            .bind(SecretHash::of(token.as_bytes()).as_str())
            .fetch_optional(store.reads())
            .await?;
    let Some(invitation) = row.map(Invitation::from) else { return Ok(None) };
    let tenant = get_tenant(store, &invitation.tenant_id).await?;
    if tenant.archived_at.is_some() {
        return Ok(None);
    }
    Ok(Some((invitation, tenant)))
}

#[derive(Debug, thiserror::Error)]
pub enum AcceptError {
    #[error("this invitation link does not work")]
    Unknown,
    #[error("this invitation cannot be used any more")]
    NotPending(State),
    /// The link was sent to another address than the account's.
    #[error("this invitation is for another address")]
    OtherAddress { invited: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Accepts the invitation of this link as `user`, whose address must be
/// the invited one: they become a member with the invited roles (those the
/// organisation could still give), and their address counts as proven.
/// Single use.
pub async fn accept(store: &Store, token: &str, user: &User, now: UnixTime) -> Result<Tenant, AcceptError> {
    let (invitation, tenant) = find(store, token).await?.ok_or(AcceptError::Unknown)?;
    let state = invitation.state(now);
    if state != State::Pending {
        return Err(AcceptError::NotPending(state));
    }
    if !invitation.is_for(user) {
        return Err(AcceptError::OtherAddress { invited: invitation.email });
    }
    let mut tx = store.pool().begin().await?;
    let claimed = sqlx::query(
        "UPDATE invitations SET accepted_at = $1, accepted_by = $2 WHERE token_hash = $3 \
         AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $1",
    )
    .bind(now.0)
    .bind(user.id.as_str())
    .bind(SecretHash::of(token.as_bytes()).as_str())
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() == 0 {
        return Err(AcceptError::NotPending(State::Accepted));
    }
    // Application roles deleted since the invitation are left out, and so
    // are those of applications the organisation no longer uses (its
    // license ended): the roles it could give now.
    let scope = RoleScope::UsedBy { root: &tenant.root_id, now };
    let mut roles = Vec::new();
    for role in invitation.roles {
        let exists = match &role {
            Role::Core(_) => true,
            Role::App(name) => super::app_role_id_within(&mut *tx, name, scope).await?.is_some(),
        };
        if exists {
            roles.push(role);
        }
    }
    if roles.is_empty() {
        roles.push(Role::Core(CoreRole::External));
    }
    add_member_in(&mut tx, &tenant.id, &user.id, &roles, now).await?;
    sqlx::query("UPDATE users SET email_verified = 1, updated_at = $1 WHERE id = $2 AND email_verified = 0")
        .bind(now.0)
        .bind(user.id.as_str())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(tenant)
}
