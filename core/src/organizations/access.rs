//! What a person may do where. A role held at a tenant applies to it and to
//! every department below it, so a person's roles at a tenant are those of
//! their memberships there and at each of its ancestors.
//!
//! Two questions, each one query plus one for the roles:
//! - [`roles_at`]: the roles at one tenant (walking up the tree), for every
//!   action on a page or through the API;
//! - [`reach`]: every tenant a person can access with their roles there
//!   (walking down from each membership), for the token claims and "my
//!   organisations".
//!
//! Archived tenants (and everything below them) are out of reach at once.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Value, json};

use super::roles::{Permission, Role, core_permissions, sees_tenant};
use crate::applications::ApplicationId;
use crate::clock::UnixTime;
use crate::store::{Store, StoreError};
use crate::tenants::{Tenant, TenantId, TenantKind, get_tenant};
use crate::users::UserId;

/// Why an action on a tenant was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// No such tenant, archived, or none of the person's business: the same
    /// answer, so that nobody learns about tenants they cannot see.
    #[error("no such tenant")]
    NotFound,
    /// The person sees the tenant but lacks this permission there.
    #[error("this needs the permission {}", .0.as_str())]
    Forbidden(Permission),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A tenant and the roles someone holds there.
#[derive(Debug, Clone)]
pub struct Access {
    pub tenant: Tenant,
    pub roles: Vec<Role>,
}

impl Access {
    pub fn permissions(&self) -> Vec<Permission> {
        core_permissions(&self.roles)
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }
}

/// The tenant (unless archived or unknown) and the roles `user` holds there,
/// directly or from an ancestor; `None` when they hold none.
pub async fn roles_at(store: &Store, user: &UserId, tenant_id: &TenantId) -> Result<Option<Access>, StoreError> {
    let tenant = match get_tenant(store, tenant_id).await {
        Ok(tenant) if tenant.archived_at.is_none() => tenant,
        Ok(_) | Err(StoreError::NotFound) => return Ok(None),
        Err(error) => return Err(error),
    };
    let rows: Vec<(String,)> = sqlx::query_as(
        "WITH RECURSIVE up (id, parent_id) AS ( \
             SELECT id, parent_id FROM tenants WHERE id = $2 \
             UNION ALL SELECT t.id, t.parent_id FROM tenants t JOIN up ON t.id = up.parent_id) \
         SELECT DISTINCT r.role FROM member_roles r JOIN up ON r.tenant_id = up.id WHERE r.user_id = $1",
    )
    .bind(user.as_str())
    .bind(tenant_id.as_str())
    .fetch_all(store.reads())
    .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut roles: Vec<Role> = rows.into_iter().filter_map(|(role,)| Role::parse(&role)).collect();
    roles.sort();
    Ok(Some(Access { tenant, roles }))
}

/// Who acts on a tenant: a signed-in person, or a service (a client holding
/// the `{tenant_id}_admin` scope), which is an Admin of that tenant and of
/// everything below it, and of nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor<'a> {
    Person(&'a UserId),
    Service(&'a TenantId),
}

impl<'a> From<&'a UserId> for Actor<'a> {
    fn from(user: &'a UserId) -> Self {
        Self::Person(user)
    }
}

impl Actor<'_> {
    /// The person, when a person acts.
    pub fn person(&self) -> Option<&UserId> {
        match self {
            Self::Person(user) => Some(user),
            Self::Service(_) => None,
        }
    }
}

/// The tenant and the actor's roles there: a person's (held there or
/// above), or Admin for a service acting on its tenant or below it.
pub async fn access_of(store: &Store, actor: Actor<'_>, tenant_id: &TenantId) -> Result<Option<Access>, StoreError> {
    let scope = match actor {
        Actor::Person(user) => return roles_at(store, user, tenant_id).await,
        Actor::Service(scope) => scope,
    };
    let tenant = match get_tenant(store, tenant_id).await {
        Ok(tenant) if tenant.archived_at.is_none() => tenant,
        Ok(_) | Err(StoreError::NotFound) => return Ok(None),
        Err(error) => return Err(error),
    };
    let within = is_within(store.reads(), tenant_id, scope).await?;
    Ok(within.then(|| Access { tenant, roles: vec![Role::Core(super::roles::CoreRole::Admin)] }))
}

/// Whether `tenant` is `ancestor` or lies below it (a walk up the tree).
pub(crate) async fn is_within<'e, E>(executor: E, tenant: &TenantId, ancestor: &TenantId) -> Result<bool, StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let (within,): (i64,) = sqlx::query_as(
        "WITH RECURSIVE up (id, parent_id) AS ( \
             SELECT id, parent_id FROM tenants WHERE id = $1 \
             UNION ALL SELECT t.id, t.parent_id FROM tenants t JOIN up ON t.id = up.parent_id) \
         SELECT COUNT(*) FROM up WHERE id = $2",
    )
    .bind(tenant.as_str())
    .bind(ancestor.as_str())
    .fetch_one(executor)
    .await?;
    Ok(within > 0)
}

/// The tenant and the actor's roles there when they hold `permission`: the
/// one gate of every organisation action. [`AccessError::Forbidden`] only
/// for someone who may see the tenant; to anyone else it is not there.
pub async fn require<'a>(
    store: &Store,
    actor: impl Into<Actor<'a>>,
    tenant_id: &TenantId,
    permission: Permission,
) -> Result<Access, AccessError> {
    let access = access_of(store, actor.into(), tenant_id).await?.ok_or(AccessError::NotFound)?;
    let permissions = access.permissions();
    if permissions.contains(&permission) {
        Ok(access)
    } else if sees_tenant(&permissions) {
        Err(AccessError::Forbidden(permission))
    } else {
        Err(AccessError::NotFound)
    }
}

/// A tenant someone can access, with their roles there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reached {
    pub id: TenantId,
    /// `None` for an organisation.
    pub parent_id: Option<TenantId>,
    pub root_id: TenantId,
    pub kind: TenantKind,
    pub name: String,
    /// Whether the person is a member here (not only through an ancestor).
    pub member: bool,
    pub roles: BTreeSet<Role>,
}

/// Every tenant a person can access: their memberships' tenants and all
/// departments below them, ordered by name within the tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    pub tenants: Vec<Reached>,
    /// Their chosen default tenant, when they can still access it.
    pub default_tenant_id: Option<TenantId>,
}

/// Separates the fields of an aggregated row (ASCII unit separator) and the
/// rows (record separator); tenant names cannot contain control characters.
const UNIT: char = '\u{1f}';
const RECORD: char = '\u{1e}';

pub async fn reach(store: &Store, user: &UserId) -> Result<Reach, StoreError> {
    reach_in(store, user, None).await
}

/// The part of the person's reach in the organisation of `tenant` (what a
/// tenant's page needs), or all of it: a person in hundreds of
/// organisations pays for one of them only.
pub async fn reach_in(store: &Store, user: &UserId, tenant: Option<&TenantId>) -> Result<Reach, StoreError> {
    // One row: the reachable tenants, the person's roles and their default,
    // each list joined into one text.
    let engine = store.engine();
    let unit = engine.chr(UNIT as u8);
    let tenants_expr = format!(
        "t.id || {unit} || COALESCE(t.parent_id, '') || {unit} || t.root_id || {unit} || t.kind || {unit} || t.name \
         || {unit} || r.via"
    );
    let roles_expr = format!("tenant_id || {unit} || role");
    let sql = format!(
        "WITH RECURSIVE reach (id, via) AS ( \
             SELECT m.tenant_id, m.tenant_id FROM memberships m JOIN tenants t ON t.id = m.tenant_id \
             WHERE m.user_id = $1 AND t.archived_at IS NULL \
             AND ($2 IS NULL OR t.root_id = (SELECT o.root_id FROM tenants o WHERE o.id = $2)) \
             UNION SELECT c.id, r.via FROM tenants c JOIN reach r ON c.parent_id = r.id WHERE c.archived_at IS NULL) \
         SELECT (SELECT {tenants} FROM reach r JOIN tenants t ON t.id = r.id), \
                (SELECT {roles} FROM member_roles WHERE user_id = $1 AND tenant_id IN (SELECT via FROM reach)), \
                (SELECT default_tenant_id FROM users WHERE id = $1)",
        tenants = engine.join_agg(&tenants_expr, RECORD as u8),
        roles = engine.join_agg(&roles_expr, RECORD as u8),
    );
    let (tenant_rows, role_rows, default): (Option<String>, Option<String>, Option<String>) =
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(user.as_str())
            .bind(tenant.map(TenantId::as_str))
            .fetch_one(store.reads())
            .await?;
    let records = |joined: &Option<String>| -> Vec<Vec<String>> {
        joined
            .as_deref()
            .unwrap_or_default()
            .split(RECORD)
            .filter(|record| !record.is_empty())
            .map(|record| record.split(UNIT).map(str::to_owned).collect())
            .collect()
    };
    let mut held: HashMap<String, Vec<Role>> = HashMap::new();
    for record in records(&role_rows) {
        if let [tenant, role] = record.as_slice()
            && let Some(role) = Role::parse(role)
        {
            held.entry(tenant.clone()).or_default().push(role);
        }
    }
    let mut rows: Vec<(String, Option<String>, String, String, String, String)> = records(&tenant_rows)
        .into_iter()
        .filter_map(|record| match <[String; 6]>::try_from(record) {
            Ok([id, parent, root, kind, name, via]) => {
                Some((id, (!parent.is_empty()).then_some(parent), root, kind, name, via))
            }
            Err(_) => None,
        })
        .collect();
    rows.sort_by(|a, b| (&a.4, &a.0).cmp(&(&b.4, &b.0)));
    let mut tenants: Vec<Reached> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (id, parent_id, root_id, kind, name, via) in rows {
        let at = *index.entry(id.clone()).or_insert_with(|| {
            tenants.push(Reached {
                id: TenantId::from_stored(id.clone()),
                parent_id: parent_id.map(TenantId::from_stored),
                root_id: TenantId::from_stored(root_id),
                kind: TenantKind::parse(&kind).unwrap_or(TenantKind::Organization),
                name,
                member: false,
                roles: BTreeSet::new(),
            });
            tenants.len() - 1
        });
        let reached = &mut tenants[at];
        reached.member |= via == id;
        reached.roles.extend(held.get(&via).into_iter().flatten().cloned());
    }
    let default_tenant_id = default.filter(|id| index.contains_key(id)).map(TenantId::from_stored);
    Ok(Reach { tenants, default_tenant_id })
}

impl Reach {
    pub fn is_empty(&self) -> bool {
        self.tenants.is_empty()
    }

    pub fn get(&self, id: &TenantId) -> Option<&Reached> {
        self.tenants.iter().find(|t| &t.id == id)
    }

    /// The tenant and the reachable tenants above it, nearest first: the
    /// one walk up the tree within what the person can see.
    fn upwards<'a>(&'a self, id: &TenantId) -> impl Iterator<Item = &'a Reached> + 'a {
        std::iter::successors(self.get(id), |tenant| tenant.parent_id.as_ref().and_then(|parent| self.get(parent)))
    }

    /// The reachable tenants above this one, top first (not itself).
    pub fn above(&self, id: &TenantId) -> Vec<&Reached> {
        let mut above: Vec<&Reached> = self.upwards(id).skip(1).collect();
        above.reverse();
        above
    }

    /// A tenant's name with the reachable tenants above it, top first
    /// ("Klinikum › Kardiologie").
    pub fn label(&self, id: &TenantId) -> String {
        let mut names: Vec<&str> = self.upwards(id).map(|tenant| tenant.name.as_str()).collect();
        names.reverse();
        names.join(" › ")
    }

    /// Whether `id` is `ancestor` or lies below it (within the reach).
    pub fn is_within(&self, id: &TenantId, ancestor: &TenantId) -> bool {
        self.upwards(id).any(|tenant| &tenant.id == ancestor)
    }

    /// Every tenant id: organisations and departments.
    pub fn tenant_ids(&self) -> Vec<&str> {
        self.tenants.iter().map(|t| t.id.as_str()).collect()
    }

    /// The organisations the person belongs to (through any of their tenants).
    pub fn root_tenant_ids(&self) -> Vec<&str> {
        let roots: BTreeSet<&str> = self.tenants.iter().map(|t| t.root_id.as_str()).collect();
        roots.into_iter().collect()
    }

    /// The tenants as a forest: each reached tenant under its parent when
    /// the parent is reached too, else at the top; `{id, name, kind,
    /// children}` (children only when there are some).
    pub fn hierarchy(&self) -> Value {
        let reached: BTreeSet<&str> = self.tenant_ids().into_iter().collect();
        let mut children: BTreeMap<&str, Vec<&Reached>> = BTreeMap::new();
        let mut tops: Vec<&Reached> = Vec::new();
        for tenant in &self.tenants {
            match tenant.parent_id.as_ref().map(TenantId::as_str).filter(|p| reached.contains(p)) {
                Some(parent) => children.entry(parent).or_default().push(tenant),
                None => tops.push(tenant),
            }
        }
        fn node(tenant: &Reached, children: &BTreeMap<&str, Vec<&Reached>>) -> Value {
            let mut value = json!({"id": tenant.id.as_str(), "name": tenant.name, "kind": tenant.kind.as_str()});
            if let Some(below) = children.get(tenant.id.as_str()) {
                value["children"] = Value::Array(below.iter().map(|child| node(child, children)).collect());
            }
            value
        }
        Value::Array(tops.into_iter().map(|top| node(top, &children)).collect())
    }

    /// `{tenant_id: [core permission, …]}` for every tenant where the person
    /// holds at least one.
    pub fn core_permissions(&self) -> Value {
        let mut map = serde_json::Map::new();
        for tenant in &self.tenants {
            let permissions = core_permissions(&tenant.roles);
            if !permissions.is_empty() {
                map.insert(tenant.id.to_string(), json!(permissions));
            }
        }
        Value::Object(map)
    }

    /// `{tenant_id: [permission, …]}` of one application's roles, for every
    /// tenant where the person holds one of them.
    pub fn app_permissions(&self, role_permissions: &AppRolePermissions) -> Value {
        let mut map = serde_json::Map::new();
        for tenant in &self.tenants {
            let permissions: BTreeSet<&str> = tenant
                .roles
                .iter()
                .filter_map(|role| match role {
                    Role::App(name) => role_permissions.0.get(name),
                    Role::Core(_) => None,
                })
                .flatten()
                .map(String::as_str)
                .collect();
            if !permissions.is_empty() {
                map.insert(tenant.id.to_string(), json!(permissions));
            }
        }
        Value::Object(map)
    }
}

/// An application's roles and the permissions each bundles.
#[derive(Debug, Clone, Default)]
pub struct AppRolePermissions(pub HashMap<String, Vec<String>>);

pub async fn app_role_permissions(
    store: &Store,
    application: &ApplicationId,
) -> Result<AppRolePermissions, StoreError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT r.name, p.name FROM application_roles r \
         JOIN application_role_permissions rp ON rp.role_id = r.id \
         JOIN application_permissions p ON p.id = rp.permission_id WHERE r.application_id = $1",
    )
    .bind(application.as_str())
    .fetch_all(store.reads())
    .await?;
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for (role, permission) in rows {
        map.entry(role).or_default().push(permission);
    }
    Ok(AppRolePermissions(map))
}

/// The person's licenses of one application in the tenants they reach,
/// valid now: `[{tenant_id, plan, seats, valid_from, valid_until, seat}]`,
/// `seat` saying whether they hold one of its seats.
pub async fn licenses_claim(
    store: &Store,
    user: &UserId,
    reach: &Reach,
    application: &ApplicationId,
    now: UnixTime,
) -> Result<Value, StoreError> {
    if reach.is_empty() {
        return Ok(json!([]));
    }
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        tenant_id: String,
        plan: String,
        seats: i64,
        valid_from: i64,
        valid_until: Option<i64>,
        seat: i64,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "WITH RECURSIVE reach (id) AS ( \
             SELECT m.tenant_id FROM memberships m JOIN tenants t ON t.id = m.tenant_id \
             WHERE m.user_id = $2 AND t.archived_at IS NULL \
             UNION SELECT c.id FROM tenants c JOIN reach r ON c.parent_id = r.id WHERE c.archived_at IS NULL) \
         SELECT l.id, l.tenant_id, l.plan, l.seats, l.valid_from, l.valid_until, \
         (SELECT COUNT(*) FROM license_seats s WHERE s.license_id = l.id AND s.user_id = $2) AS seat \
         FROM licenses l JOIN reach r ON r.id = l.tenant_id WHERE l.application_id = $1 AND l.valid_from <= $3 \
         AND (l.valid_until IS NULL OR l.valid_until > $3) ORDER BY l.tenant_id, l.valid_from, l.id",
    )
    .bind(application.as_str())
    .bind(user.as_str())
    .bind(now.0)
    .fetch_all(store.reads())
    .await?;
    let licenses: Vec<Value> = rows
        .into_iter()
        .map(|row| {
            json!({
                "id": row.id, "tenant_id": row.tenant_id, "plan": row.plan, "seats": row.seats,
                "valid_from": row.valid_from, "valid_until": row.valid_until, "seat": row.seat > 0,
            })
        })
        .collect();
    Ok(Value::Array(licenses))
}
