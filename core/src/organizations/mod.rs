//! Organisations: tenants with departments, the people in them and their
//! roles, invitations and licenses. Every action takes the acting person
//! and asks [`access::require`] first, so that the pages, the management
//! API and the token claims follow the same rules:
//!
//! - anyone signed in may create an organisation and becomes its Admin;
//! - `tenant.update` renames a tenant and adds, moves and archives departments;
//! - `members.read` lists members, `members.manage` changes roles and removes;
//! - the last Admin of an organisation can neither leave nor be removed, nor
//!   lose the role.

/// The SQL that counts the organisations requiring a second factor that
/// the person belongs to (`$user`: the SQL naming their id): the one place
/// of that rule, read with the session by the authorization endpoint. It
/// starts from those organisations (an index holds the few), so a person
/// in hundreds of tenants costs nothing more.
macro_rules! organisation_requires_mfa_sql {
    ($user:literal) => {
        concat!(
            "(SELECT COUNT(*) FROM tenants o WHERE o.require_mfa = 1 AND o.archived_at IS NULL AND EXISTS (",
            "SELECT 1 FROM tenants t JOIN memberships m ON m.tenant_id = t.id ",
            "WHERE t.root_id = o.id AND t.archived_at IS NULL AND m.user_id = ",
            $user,
            "))"
        )
    };
}
pub(crate) use organisation_requires_mfa_sql;

pub mod access;
pub mod invitations;
pub mod licenses;
pub mod roles;

use crate::applications::ShortKey;
use crate::clock::UnixTime;
use crate::store::{Store, StoreError};
use crate::tenants::{NewTenant, Tenant, TenantId, TenantKind, TenantName, insert_tenant};
use crate::users::UserId;
pub use access::{Access, AccessError, Actor, Reach, Reached, access_of, reach, reach_in, require, roles_at};
pub use roles::{CoreRole, Permission, Role};

/// Why an organisation action was refused.
#[derive(Debug, thiserror::Error)]
pub enum OrgError {
    #[error(transparent)]
    Access(#[from] AccessError),
    /// The organisation would be left without an Admin.
    #[error("the last Admin of an organisation must stay: make someone else Admin first")]
    LastAdmin,
    /// The person is not a member of this tenant.
    #[error("not a member of this tenant")]
    NotAMember,
    /// A role name no core role and no application defines, or the role of
    /// an application this organisation neither develops nor holds a
    /// license for.
    #[error("there is no role {0} here")]
    UnknownRole(String),
    /// More roles than one member may hold in one tenant.
    #[error("at most {MAX_ROLES} roles per member")]
    TooManyRoles,
    /// A member needs at least one role.
    #[error("choose at least one role")]
    NoRoles,
    /// An organisation cannot move, and a department cannot move below
    /// itself or into another organisation.
    #[error("a department can move only within its organisation, and not below itself")]
    BadMove,
    /// A setting of whole organisations, asked of a department.
    #[error("only an organisation has this setting")]
    NotAnOrganisation,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Creates an organisation (`kind` organization or development) with
/// `creator` as its Admin; it becomes their default tenant when they have none.
pub async fn create_organization(
    store: &Store,
    creator: &UserId,
    kind: TenantKind,
    name: TenantName,
    now: UnixTime,
) -> Result<Tenant, StoreError> {
    let mut tx = store.pool().begin().await?;
    let tenant = crate::tenants::insert_tenant_in(&mut tx, NewTenant { parent_id: None, kind, name }, now).await?;
    add_member_in(&mut tx, &tenant.id, creator, &[Role::Core(CoreRole::Admin)], now).await?;
    tx.commit().await?;
    Ok(tenant)
}

/// Adds a department below `parent`; it has its parent's kind.
pub async fn add_department<'a>(
    store: &Store,
    actor: impl Into<Actor<'a>>,
    parent: &TenantId,
    name: TenantName,
    now: UnixTime,
) -> Result<Tenant, OrgError> {
    let actor: Actor<'a> = actor.into();
    let access = require(store, actor, parent, Permission::TenantUpdate).await?;
    let new = NewTenant { parent_id: Some(parent.clone()), kind: access.tenant.kind, name };
    Ok(insert_tenant(store, new, now).await?)
}

pub async fn rename_tenant<'a>(
    store: &Store,
    actor: impl Into<Actor<'a>>,
    tenant: &TenantId,
    name: TenantName,
    now: UnixTime,
) -> Result<(), OrgError> {
    let actor: Actor<'a> = actor.into();
    require(store, actor, tenant, Permission::TenantUpdate).await?;
    sqlx::query("UPDATE tenants SET name = $1, updated_at = $2 WHERE id = $3")
        .bind(name.as_str())
        .bind(now.0)
        .bind(tenant.as_str())
        .execute(store.pool())
        .await?;
    Ok(())
}

/// The one rule for archiving a tenant or moving a department, and for
/// offering either on its page: `tenant.update` there and, for a
/// department, at its parent too (whoever may add a department there
/// decides whether it stays there; a department's own Admins manage what is
/// inside it, not whether it exists or where). Returns the tenant.
pub async fn may_reshape<'a>(
    store: &Store,
    actor: impl Into<Actor<'a>>,
    tenant: &TenantId,
) -> Result<Tenant, OrgError> {
    let actor: Actor<'a> = actor.into();
    let tenant = require(store, actor, tenant, Permission::TenantUpdate).await?.tenant;
    let Some(parent) = &tenant.parent_id else { return Ok(tenant) };
    match require(store, actor, parent, Permission::TenantUpdate).await {
        Ok(_) => Ok(tenant),
        // The department is visible to the actor: refusing says nothing new.
        Err(AccessError::NotFound) => Err(AccessError::Forbidden(Permission::TenantUpdate).into()),
        Err(error) => Err(error.into()),
    }
}

/// Moves a department below another tenant of the same organisation; the
/// actor needs `tenant.update` at the department, its parent and the new one.
pub async fn move_department<'a>(
    store: &Store,
    actor: impl Into<Actor<'a>>,
    department: &TenantId,
    new_parent: &TenantId,
    now: UnixTime,
) -> Result<(), OrgError> {
    let actor: Actor<'a> = actor.into();
    let moving = may_reshape(store, actor, department).await?;
    // A target the actor cannot see is no place to move to.
    let target = match require(store, actor, new_parent, Permission::TenantUpdate).await {
        Ok(access) => access.tenant,
        Err(AccessError::NotFound) => return Err(OrgError::BadMove),
        Err(error) => return Err(error.into()),
    };
    if moving.is_root() || target.root_id != moving.root_id {
        return Err(OrgError::BadMove);
    }
    let mut tx = store.pool().begin().await?;
    // The organisation's row first: moves in one organisation happen one at
    // a time, so two of them cannot make a cycle together.
    lock_tenant(&mut tx, &moving.root_id, now).await?;
    let below = access::is_within(&mut *tx, new_parent, department).await?;
    if below {
        return Err(OrgError::BadMove);
    }
    sqlx::query("UPDATE tenants SET parent_id = $1, updated_at = $2 WHERE id = $3")
        .bind(new_parent.as_str())
        .bind(now.0)
        .bind(department.as_str())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Archives a tenant and everything below it: the data stays, the tenants
/// leave every page and every token from now on. An organisation is
/// archived by its Admins; a department by those of the tenant above it.
pub async fn archive_tenant<'a>(
    store: &Store,
    actor: impl Into<Actor<'a>>,
    tenant: &TenantId,
    now: UnixTime,
) -> Result<u64, OrgError> {
    let actor: Actor<'a> = actor.into();
    may_reshape(store, actor, tenant).await?;
    let archived = sqlx::query(
        "UPDATE tenants SET archived_at = $1, updated_at = $1 WHERE archived_at IS NULL AND id IN ( \
             WITH RECURSIVE below (id) AS ( \
                 SELECT id FROM tenants WHERE id = $2 \
                 UNION ALL SELECT t.id FROM tenants t JOIN below b ON t.parent_id = b.id) \
             SELECT id FROM below)",
    )
    .bind(now.0)
    .bind(tenant.as_str())
    .execute(store.pool())
    .await?;
    Ok(archived.rows_affected())
}

/// The departments directly below a tenant the actor can read.
pub async fn departments<'a>(
    store: &Store,
    actor: impl Into<Actor<'a>>,
    tenant: &TenantId,
) -> Result<Vec<Tenant>, OrgError> {
    let actor: Actor<'a> = actor.into();
    require(store, actor, tenant, Permission::TenantRead).await?;
    let children = crate::tenants::list_child_tenants(store, tenant).await?;
    Ok(children.into_iter().filter(|t| t.archived_at.is_none()).collect())
}

/// Takes the tenant's row for the rest of the transaction (PostgreSQL:
/// a row lock; SQLite: the write lock), so that rules counting rows
/// (the last Admin, seats) see no concurrent change.
async fn lock_tenant(tx: &mut crate::store::Transaction, tenant: &TenantId, now: UnixTime) -> Result<(), StoreError> {
    sqlx::query("UPDATE tenants SET updated_at = $1 WHERE id = $2")
        .bind(now.0)
        .bind(tenant.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The id of the application role with this name, if one exists: the one
/// lookup of resolving, adding and accepting roles.
pub(crate) async fn app_role_id<'e, E>(executor: E, name: &str) -> Result<Option<String>, StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let found: Option<(String,)> =
        sqlx::query_as("SELECT id FROM application_roles WHERE name = $1").bind(name).fetch_optional(executor).await?;
    Ok(found.map(|(id,)| id))
}

/// The id of the application role `name` within `scope`.
pub(crate) async fn app_role_id_within<'e, E>(
    executor: E,
    name: &str,
    scope: RoleScope<'_>,
) -> Result<Option<String>, StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let (root, now) = match scope {
        RoleScope::Everywhere => return app_role_id(executor, name).await,
        RoleScope::UsedBy { root, now } => (root, now),
    };
    let found: Option<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT r.id FROM application_roles r JOIN applications a ON a.id = r.application_id \
         WHERE r.name = $1 AND {}",
        used_by(2, 3)
    )))
    .bind(name)
    .bind(root.as_str())
    .bind(now.0)
    .fetch_optional(executor)
    .await?;
    Ok(found.map(|(id,)| id))
}

/// Roles one member may hold in one tenant, at most.
pub const MAX_ROLES: usize = 100;

/// Where application roles are looked for: everywhere (the operator's
/// import), or among the applications an organisation may use.
#[derive(Debug, Clone, Copy)]
pub enum RoleScope<'a> {
    Everywhere,
    /// The applications the organisation `root` develops (its own tenants
    /// own them) or holds a license for that has not ended at `now`.
    UsedBy {
        root: &'a TenantId,
        now: UnixTime,
    },
}

/// Checks role names: core roles by name, application roles must exist
/// within `scope` (anything else is unknown, so the answer tells nothing
/// of other organisations' applications). Returns each role once, with the
/// id of each application role.
pub async fn resolve_roles(
    store: &Store,
    scope: RoleScope<'_>,
    names: &[String],
) -> Result<Vec<(Role, Option<String>)>, OrgError> {
    let mut roles: Vec<Role> = Vec::new();
    for name in names {
        let role = Role::parse(name).ok_or_else(|| OrgError::UnknownRole(name.clone()))?;
        if !roles.contains(&role) {
            roles.push(role);
        }
        // Checked before any lookup: a long list costs no queries.
        if roles.len() > MAX_ROLES {
            return Err(OrgError::TooManyRoles);
        }
    }
    if roles.is_empty() {
        return Err(OrgError::NoRoles);
    }
    let mut resolved = Vec::with_capacity(roles.len());
    for role in roles {
        let id = match &role {
            Role::Core(_) => None,
            Role::App(name) => app_role_id_within(store.reads(), name, scope).await?,
        };
        if let (Role::App(name), None) = (&role, &id) {
            return Err(OrgError::UnknownRole(name.clone()));
        }
        resolved.push((role, id));
    }
    Ok(resolved)
}

/// The condition on application `a` that the organisation bound as
/// parameter `root` uses it at the time bound as `now`: one of its tenants
/// owns it, or one of its tenants holds a license for it that has not ended.
fn used_by(root: u8, now: u8) -> String {
    format!(
        "(EXISTS (SELECT 1 FROM tenants o WHERE o.id = a.tenant_id AND o.root_id = ${root}) \
         OR EXISTS (SELECT 1 FROM licenses l JOIN tenants lt ON lt.id = l.tenant_id WHERE l.application_id = a.id \
         AND lt.root_id = ${root} AND (l.valid_until IS NULL OR l.valid_until > ${now})))"
    )
}

/// Makes `user` a member of `tenant` (again: adds the roles), and makes it
/// their default tenant when they have none.
async fn add_member_in(
    tx: &mut crate::store::Transaction,
    tenant: &TenantId,
    user: &UserId,
    roles: &[Role],
    now: UnixTime,
) -> Result<(), StoreError> {
    let mut with_ids = Vec::new();
    for role in roles {
        let id = match role {
            Role::Core(_) => None,
            Role::App(name) => Some(app_role_id(&mut **tx, name).await?.ok_or(StoreError::NotFound)?),
        };
        with_ids.push((role, id));
    }
    sqlx::query(
        "INSERT INTO memberships (tenant_id, user_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (tenant_id, user_id) DO NOTHING",
    )
    .bind(tenant.as_str())
    .bind(user.as_str())
    .bind(now.0)
    .execute(&mut **tx)
    .await?;
    for (role, id) in with_ids {
        sqlx::query(
            "INSERT INTO member_roles (tenant_id, user_id, role, application_role_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tenant_id, user_id, role) DO NOTHING",
        )
        .bind(tenant.as_str())
        .bind(user.as_str())
        .bind(role.as_str())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("UPDATE users SET default_tenant_id = $1 WHERE id = $2 AND default_tenant_id IS NULL")
        .bind(tenant.as_str())
        .bind(user.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Adds a member directly (import, tests, and accepting an invitation).
pub async fn add_member(
    store: &Store,
    tenant: &TenantId,
    user: &UserId,
    roles: &[Role],
    now: UnixTime,
) -> Result<(), StoreError> {
    let mut tx = store.pool().begin().await?;
    add_member_in(&mut tx, tenant, user, roles, now).await?;
    tx.commit().await?;
    Ok(())
}

/// How many Admins the organisation has at its top (not counting `except`).
async fn root_admins(tx: &mut crate::store::Transaction, root: &TenantId, except: &UserId) -> Result<i64, StoreError> {
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM member_roles WHERE tenant_id = $1 AND role = $2 AND user_id <> $3")
            .bind(root.as_str())
            .bind(CoreRole::Admin.as_str())
            .bind(except.as_str())
            .fetch_one(&mut **tx)
            .await?;
    Ok(count)
}

/// Whether `user` is an Admin at the top of the organisation `root`.
async fn is_root_admin(tx: &mut crate::store::Transaction, root: &TenantId, user: &UserId) -> Result<bool, StoreError> {
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM member_roles WHERE tenant_id = $1 AND role = $2 AND user_id = $3")
            .bind(root.as_str())
            .bind(CoreRole::Admin.as_str())
            .bind(user.as_str())
            .fetch_one(&mut **tx)
            .await?;
    Ok(count > 0)
}

/// Replaces a member's roles in the tenant (`members.manage`); returns
/// them as stored (each once, by its canonical name, sorted).
pub async fn set_member_roles<'a>(
    store: &Store,
    actor: impl Into<Actor<'a>>,
    tenant: &TenantId,
    member: &UserId,
    roles: &[String],
    now: UnixTime,
) -> Result<Vec<Role>, OrgError> {
    let actor: Actor<'a> = actor.into();
    let access = require(store, actor, tenant, Permission::MembersManage).await?;
    let scope = RoleScope::UsedBy { root: &access.tenant.root_id, now };
    let resolved = resolve_roles(store, scope, roles).await?;
    let mut tx = store.pool().begin().await?;
    lock_tenant(&mut tx, &access.tenant.root_id, now).await?;
    ensure_member(&mut tx, tenant, member).await?;
    let stays_admin = resolved.iter().any(|(role, _)| role == &Role::Core(CoreRole::Admin));
    if access.tenant.is_root()
        && !stays_admin
        && is_root_admin(&mut tx, tenant, member).await?
        && root_admins(&mut tx, tenant, member).await? == 0
    {
        return Err(OrgError::LastAdmin);
    }
    sqlx::query("DELETE FROM member_roles WHERE tenant_id = $1 AND user_id = $2")
        .bind(tenant.as_str())
        .bind(member.as_str())
        .execute(&mut *tx)
        .await?;
    let mut stored = Vec::with_capacity(resolved.len());
    for (role, id) in resolved {
        sqlx::query("INSERT INTO member_roles (tenant_id, user_id, role, application_role_id) VALUES ($1, $2, $3, $4)")
            .bind(tenant.as_str())
            .bind(member.as_str())
            .bind(role.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        stored.push(role);
    }
    tx.commit().await?;
    stored.sort();
    Ok(stored)
}

async fn ensure_member(tx: &mut crate::store::Transaction, tenant: &TenantId, member: &UserId) -> Result<(), OrgError> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM memberships WHERE tenant_id = $1 AND user_id = $2")
        .bind(tenant.as_str())
        .bind(member.as_str())
        .fetch_one(&mut **tx)
        .await
        .map_err(StoreError::from)?;
    if count == 0 {
        return Err(OrgError::NotAMember);
    }
    Ok(())
}

/// Ends a membership: an Admin removing someone (`members.manage`), or the
/// member leaving (`actor == member`, any role).
pub async fn remove_member<'a>(
    store: &Store,
    actor: impl Into<Actor<'a>>,
    tenant: &TenantId,
    member: &UserId,
    now: UnixTime,
) -> Result<(), OrgError> {
    let actor: Actor<'a> = actor.into();
    let access = if actor.person() == Some(member) {
        roles_at(store, member, tenant).await?.ok_or(AccessError::NotFound)?
    } else {
        require(store, actor, tenant, Permission::MembersManage).await?
    };
    let mut tx = store.pool().begin().await?;
    lock_tenant(&mut tx, &access.tenant.root_id, now).await?;
    ensure_member(&mut tx, tenant, member).await?;
    if access.tenant.is_root()
        && is_root_admin(&mut tx, tenant, member).await?
        && root_admins(&mut tx, tenant, member).await? == 0
    {
        return Err(OrgError::LastAdmin);
    }
    end_membership_in(&mut tx, tenant, member).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends a membership inside the caller's transaction: its roles go, seats
/// of licenses the person no longer reaches go free, and the tenant stops
/// being the person's default.
pub(crate) async fn end_membership_in(
    tx: &mut crate::store::Transaction,
    tenant: &TenantId,
    member: &UserId,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2")
        .bind(tenant.as_str())
        .bind(member.as_str())
        .execute(&mut **tx)
        .await?;
    // Seats of licenses the person no longer reaches go free.
    sqlx::query(
        "WITH RECURSIVE reach (id) AS ( \
             SELECT m.tenant_id FROM memberships m WHERE m.user_id = $1 \
             UNION SELECT c.id FROM tenants c JOIN reach r ON c.parent_id = r.id) \
         DELETE FROM license_seats WHERE user_id = $1 \
         AND license_id IN (SELECT id FROM licenses WHERE tenant_id NOT IN (SELECT id FROM reach))",
    )
    .bind(member.as_str())
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE users SET default_tenant_id = NULL WHERE id = $1 AND default_tenant_id = $2")
        .bind(member.as_str())
        .bind(tenant.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Whether an organisation the person belongs to requires a second factor.
pub async fn organisation_requires_mfa(store: &Store, user: &UserId) -> Result<bool, StoreError> {
    let (count,): (i64,) = sqlx::query_as(concat!("SELECT ", organisation_requires_mfa_sql!("$1")))
        .bind(user.as_str())
        .fetch_one(store.reads())
        .await?;
    Ok(count > 0)
}

/// Requires (or stops requiring) a second factor of the organisation's
/// members; only on an organisation, with `tenant.update`.
pub async fn set_require_mfa<'a>(
    store: &Store,
    actor: impl Into<Actor<'a>>,
    tenant: &TenantId,
    required: bool,
    now: UnixTime,
) -> Result<(), OrgError> {
    let actor: Actor<'a> = actor.into();
    let access = require(store, actor, tenant, Permission::TenantUpdate).await?;
    if !access.tenant.is_root() {
        return Err(OrgError::NotAnOrganisation);
    }
    sqlx::query("UPDATE tenants SET require_mfa = $1, updated_at = $2 WHERE id = $3")
        .bind(i16::from(required))
        .bind(now.0)
        .bind(tenant.as_str())
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Whether the organisation requires a second factor of its members.
pub async fn requires_mfa(store: &Store, tenant: &TenantId) -> Result<bool, StoreError> {
    let (required,): (i16,) = sqlx::query_as("SELECT require_mfa FROM tenants WHERE id = $1")
        .bind(tenant.as_str())
        .fetch_one(store.reads())
        .await?;
    Ok(required != 0)
}

/// Whether `user` is a member of this very tenant (not only through an
/// ancestor): only then can they leave it.
pub async fn is_member(store: &Store, user: &UserId, tenant: &TenantId) -> Result<bool, StoreError> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM memberships WHERE tenant_id = $1 AND user_id = $2")
        .bind(tenant.as_str())
        .bind(user.as_str())
        .fetch_one(store.reads())
        .await?;
    Ok(count > 0)
}

/// The roles that can be given in the organisation `root`: the core roles,
/// then the roles of the applications it uses (see `RoleScope::UsedBy`).
pub async fn assignable_roles(store: &Store, root: &TenantId, now: UnixTime) -> Result<Vec<String>, StoreError> {
    let app_roles: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT r.name FROM application_roles r JOIN applications a ON a.id = r.application_id WHERE {} \
         ORDER BY r.name",
        used_by(1, 2)
    )))
    .bind(root.as_str())
    .bind(now.0)
    .fetch_all(store.reads())
    .await?;
    Ok(CoreRole::ALL
        .iter()
        .map(|role| role.as_str().to_string())
        .chain(app_roles.into_iter().map(|(name,)| name))
        .collect())
}

/// Inside the caller's transaction: locks the organisations where `user`
/// is an Admin at the top, then names those where they are the only one.
pub(crate) async fn lock_and_find_sole_admin(
    tx: &mut crate::store::Transaction,
    user: &UserId,
    now: UnixTime,
) -> Result<Vec<String>, StoreError> {
    sqlx::query(
        "UPDATE tenants SET updated_at = $1 WHERE parent_id IS NULL AND id IN \
         (SELECT tenant_id FROM member_roles WHERE user_id = $2 AND role = $3)",
    )
    .bind(now.0)
    .bind(user.as_str())
    .bind(CoreRole::Admin.as_str())
    .execute(&mut **tx)
    .await?;
    let names: Vec<(String,)> = sqlx::query_as(
        "SELECT t.name FROM member_roles r JOIN tenants t ON t.id = r.tenant_id \
         WHERE r.user_id = $1 AND r.role = $2 AND t.parent_id IS NULL AND t.archived_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM member_roles o WHERE o.tenant_id = r.tenant_id AND o.role = $2 \
                         AND o.user_id <> $1) ORDER BY t.name",
    )
    .bind(user.as_str())
    .bind(CoreRole::Admin.as_str())
    .fetch_all(&mut **tx)
    .await?;
    Ok(names.into_iter().map(|(name,)| name).collect())
}

/// Chooses the tenant a person works in by default; it must be one they reach.
pub async fn set_default_tenant(store: &Store, user: &UserId, tenant: &TenantId) -> Result<(), OrgError> {
    roles_at(store, user, tenant).await?.ok_or(AccessError::NotFound)?;
    sqlx::query("UPDATE users SET default_tenant_id = $1 WHERE id = $2")
        .bind(tenant.as_str())
        .bind(user.as_str())
        .execute(store.pool())
        .await?;
    Ok(())
}

/// A member as the members page lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user_id: UserId,
    pub email: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub roles: Vec<Role>,
    pub since: UnixTime,
}

/// Which members to list.
#[derive(Debug, Clone, Default)]
pub struct MemberQuery {
    /// Part of the address or a name, any case.
    pub search: Option<String>,
    /// Only members holding this role here.
    pub role: Option<Role>,
    /// Zero-based.
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberPage {
    pub members: Vec<Member>,
    pub total: i64,
}

pub const MAX_PER_PAGE: u32 = 100;
/// Members per page unless asked otherwise (the pages and the API).
pub const DEFAULT_PER_PAGE: u32 = 25;

/// The tenant's own members (not those of its organisation above it), by
/// address, one page at a time (`members.read`).
pub async fn list_members<'a>(
    store: &Store,
    actor: impl Into<Actor<'a>>,
    tenant: &TenantId,
    query: &MemberQuery,
) -> Result<MemberPage, OrgError> {
    let actor: Actor<'a> = actor.into();
    require(store, actor, tenant, Permission::MembersRead).await?;
    let pattern = query.search.as_deref().and_then(crate::store::like_contains);
    let filter = "FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.tenant_id = $1 \
         AND ($2 IS NULL OR LOWER(u.email) LIKE $2 ESCAPE '\\' OR LOWER(COALESCE(u.given_name, '')) LIKE $2 ESCAPE '\\' \
              OR LOWER(COALESCE(u.family_name, '')) LIKE $2 ESCAPE '\\') \
         AND ($3 IS NULL OR EXISTS (SELECT 1 FROM member_roles r WHERE r.tenant_id = m.tenant_id \
              AND r.user_id = m.user_id AND r.role = $3))";
    let role = query.role.as_ref().map(|r| r.as_str().to_string());
    let (total,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {filter}")))
        .bind(tenant.as_str())
        .bind(pattern.as_deref())
        .bind(role.as_deref())
        .fetch_one(store.reads())
        .await?;
    let per_page = query.per_page.clamp(1, MAX_PER_PAGE);
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        email: String,
        given_name: Option<String>,
        family_name: Option<String>,
        created_at: i64,
    }
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT u.id, u.email, u.given_name, u.family_name, m.created_at {filter} \
         ORDER BY u.email_normalized LIMIT $4 OFFSET $5"
    )))
    .bind(tenant.as_str())
    .bind(pattern.as_deref())
    .bind(role.as_deref())
    .bind(i64::from(per_page))
    .bind(i64::from(query.page) * i64::from(per_page))
    .fetch_all(store.reads())
    .await?;
    // The listed members' roles, in one query.
    let mut held: std::collections::HashMap<String, Vec<Role>> = std::collections::HashMap::new();
    if !rows.is_empty() {
        let placeholders: Vec<String> = (0..rows.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT user_id, role FROM member_roles WHERE tenant_id = $1 AND user_id IN ({}) ORDER BY role",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(sql)).bind(tenant.as_str());
        for row in &rows {
            query = query.bind(row.id.as_str());
        }
        for (user, role) in query.fetch_all(store.reads()).await? {
            if let Some(role) = Role::parse(&role) {
                held.entry(user).or_default().push(role);
            }
        }
    }
    let members = rows
        .into_iter()
        .map(|Row { id, email, given_name, family_name, created_at }| Member {
            roles: held.remove(&id).unwrap_or_default(),
            user_id: UserId::from_stored(id),
            email,
            given_name,
            family_name,
            since: UnixTime(created_at),
        })
        .collect();
    Ok(MemberPage { members, total })
}

/// Defines an application's permission (idempotent; import and tests).
pub async fn define_app_permission(
    store: &Store,
    application: &crate::applications::Application,
    name: &str,
    now: UnixTime,
) -> Result<(), StoreError> {
    if !application.short_key.prefixes(name) {
        return Err(StoreError::Conflict("application_permissions_prefix".into()));
    }
    sqlx::query(
        "INSERT INTO application_permissions (id, application_id, name, description, created_at) \
         VALUES ($1, $2, $3, NULL, $4) ON CONFLICT (name) DO NOTHING",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(application.id.as_str())
    .bind(name)
    .bind(now.0)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Defines an application's role as this bundle of its permissions
/// (idempotent: the bundle is replaced).
pub async fn define_app_role(
    store: &Store,
    application: &crate::applications::Application,
    name: &str,
    permissions: &[String],
    now: UnixTime,
) -> Result<(), StoreError> {
    let key: &ShortKey = &application.short_key;
    if !key.prefixes(name) || Role::parse(name).is_none() || permissions.iter().any(|p| !key.prefixes(p)) {
        return Err(StoreError::Conflict("application_roles_prefix".into()));
    }
    let mut tx = store.pool().begin().await?;
    sqlx::query(
        "INSERT INTO application_roles (id, application_id, name, description, created_at) \
         VALUES ($1, $2, $3, NULL, $4) ON CONFLICT (name) DO NOTHING",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(application.id.as_str())
    .bind(name)
    .bind(now.0)
    .execute(&mut *tx)
    .await?;
    let (role_id, owner): (String, String) =
        sqlx::query_as("SELECT id, application_id FROM application_roles WHERE name = $1")
            .bind(name)
            .fetch_one(&mut *tx)
            .await?;
    if owner != application.id.as_str() {
        return Err(StoreError::Conflict("application_roles_name_key".into()));
    }
    sqlx::query("DELETE FROM application_role_permissions WHERE role_id = $1").bind(&role_id).execute(&mut *tx).await?;
    // A bundle is a set: a permission named twice is in it once.
    let permissions: std::collections::BTreeSet<&String> = permissions.iter().collect();
    for permission in permissions {
        let inserted = sqlx::query(
            "INSERT INTO application_role_permissions (role_id, permission_id) \
             SELECT $1, id FROM application_permissions WHERE name = $2 AND application_id = $3",
        )
        .bind(&role_id)
        .bind(permission)
        .bind(application.id.as_str())
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!("no permission {permission}")));
        }
    }
    tx.commit().await?;
    Ok(())
}

impl From<sqlx::Error> for OrgError {
    fn from(error: sqlx::Error) -> Self {
        Self::Store(error.into())
    }
}

impl From<sqlx::Error> for AccessError {
    fn from(error: sqlx::Error) -> Self {
        Self::Store(error.into())
    }
}

#[cfg(test)]
mod tests;
