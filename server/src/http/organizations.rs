//! The organisation pages and the forms they post:
//!
//! - `GET /orgs` (my organisations), `POST /orgs` (create one), `POST /orgs/default`;
//! - `GET /orgs/{id}` (one tenant) and its forms: `rename`, `departments`,
//!   `move`, `archive`, `invitations`, `invitations/{inv}/resend|revoke`,
//!   `members/{user}/roles|remove`, `leave`;
//! - `GET /invitations/{token}` and its `accept` and `register` forms.
//!
//! Every action needs the browser's session and asks
//! `sanus_core::organizations` whether it is allowed; tenants the person
//! cannot see answer 404, as if they did not exist. Each change is audited
//! with its tenant and answers with a redirect carrying a notice, or an
//! error and the input it belongs to.

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use sanus_core::UnixTime;
use sanus_core::audit::EventKind;
use sanus_core::organizations::invitations::{self, AcceptError, InviteError, State as InvitationState};
use sanus_core::organizations::{
    self as orgs, AccessError, MemberQuery, OrgError, Permission, Role, licenses, reach, roles_at,
};
use sanus_core::tenants::{TenantId, TenantKind, TenantName, TenantNameError};
use sanus_core::users::{Email, UserId};
use serde::Deserialize;

use super::account::{SignedIn, signed_in};
use super::audit_event;
use super::client_address::{Peer, client_address};
use super::forms::{Acting, Posted, encode, failed, me_or, not_found, path_id};
use crate::oidc::authorize::see_other;
use crate::state::AppState;
use app::dto::{
    InvitationPageView, InvitationRowView, LicenseView, MemberView, MembersView, MembershipView, OrgFailure, OrgNotice,
    OrgsView, TenantRef, TenantView, field_id,
};

fn back(path: &str, notice: OrgNotice) -> Response {
    see_other(&format!("{path}?notice={}", notice.as_str()))
}

fn refused(path: &str, failure: OrgFailure, field: Option<&str>) -> Response {
    let field = field.map(|f| format!("&field={f}")).unwrap_or_default();
    see_other(&format!("{path}?error={}{field}", failure.as_str()))
}

/// What a refused organisation action answers.
fn answer(state: &AppState, headers: &HeaderMap, path: &str, error: OrgError, field: Option<&str>) -> Response {
    let failure = match error {
        OrgError::Access(AccessError::NotFound) => return not_found(state, headers),
        OrgError::Access(AccessError::Store(error)) | OrgError::Store(error) => return failed(state, headers, &error),
        OrgError::Access(AccessError::Forbidden(_)) | OrgError::NotAnOrganisation => OrgFailure::Forbidden,
        OrgError::LastAdmin => OrgFailure::LastAdmin,
        OrgError::NotAMember => OrgFailure::NotAMember,
        OrgError::UnknownRole(_) => OrgFailure::UnknownRole,
        OrgError::TooManyRoles => OrgFailure::TooManyRoles,
        OrgError::NoRoles => OrgFailure::NoRoles,
        OrgError::BadMove => OrgFailure::BadMove,
    };
    let field = match failure {
        OrgFailure::UnknownRole | OrgFailure::TooManyRoles | OrgFailure::NoRoles => field,
        _ => None,
    };
    refused(path, failure, field)
}

fn name_failure(error: TenantNameError) -> OrgFailure {
    match error {
        TenantNameError::Empty => OrgFailure::NameEmpty,
        TenantNameError::TooLong => OrgFailure::NameTooLong,
        TenantNameError::ControlCharacters => OrgFailure::NameControl,
    }
}

fn acting<'a>(
    state: &'a AppState,
    headers: &'a HeaderMap,
    peer: &'a Peer,
    user: &'a UserId,
    now: UnixTime,
) -> Acting<'a> {
    Acting { state, headers, peer, user, now }
}

impl Acting<'_> {
    /// Records the event, then back to `to` with the notice.
    async fn done(
        &self,
        kind: EventKind,
        tenant: &TenantId,
        detail: serde_json::Value,
        to: &str,
        notice: OrgNotice,
    ) -> Response {
        match self.record(kind, tenant, detail).await {
            Ok(()) => back(to, notice),
            Err(response) => response,
        }
    }
}

#[derive(Deserialize, Default)]
pub struct OutcomeQuery {
    notice: Option<String>,
    error: Option<String>,
    field: Option<String>,
    q: Option<String>,
    role: Option<String>,
    page: Option<u32>,
}

/// `GET /orgs`.
pub async fn orgs_page(
    State(state): State<AppState>,
    Query(query): Query<OutcomeQuery>,
    request: Request<Body>,
) -> Response {
    let now = state.clock.now();
    let headers = request.headers().clone();
    let me = match me_or(&state, &headers, "/orgs", now).await {
        Ok(me) => me,
        Err(response) => return response,
    };
    let reach = match reach(&state.store, &me.user.id).await {
        Ok(reach) => reach,
        Err(error) => return failed(&state, &headers, &error),
    };
    let memberships = reach
        .tenants
        .iter()
        .filter(|t| t.member)
        .map(|t| {
            let path = reach.above(&t.id).into_iter().map(tenant_ref).collect();
            MembershipView {
                tenant: TenantRef { id: t.id.to_string(), name: t.name.clone() },
                path,
                kind: t.kind.as_str().into(),
                roles: t.roles.iter().map(|r| r.as_str().to_string()).collect(),
                is_default: reach.default_tenant_id.as_ref() == Some(&t.id),
            }
        })
        .collect();
    let view = OrgsView {
        memberships,
        notice: query.notice.as_deref().and_then(OrgNotice::parse),
        error: query.error.as_deref().and_then(OrgFailure::parse),
        error_field: query.field.as_deref().and_then(field_id),
        max_name_chars: TenantName::MAX_CHARS,
    };
    super::ui::render_loaded(&state, request, app::LoadedOrgs(view), None).await
}

/// `POST /orgs`: a new organisation, its creator its Admin.
pub async fn create(State(state): State<AppState>, peer: Peer, headers: HeaderMap, body: Bytes) -> Response {
    let now = state.clock.now();
    let me = match me_or(&state, &headers, "/orgs", now).await {
        Ok(me) => me,
        Err(response) => return response,
    };
    let form = Posted::parse(&body);
    let name = match TenantName::parse(form.one("name")) {
        Ok(name) => name,
        Err(error) => return refused("/orgs", name_failure(error), Some("org-name")),
    };
    let kind = TenantKind::parse(form.one("kind")).unwrap_or(TenantKind::Organization);
    let tenant = match orgs::create_organization(&state.store, &me.user.id, kind, name, now).await {
        Ok(tenant) => tenant,
        Err(error) => return failed(&state, &headers, &error),
    };
    let detail = serde_json::json!({ "kind": kind.as_str() });
    if let Err(response) =
        acting(&state, &headers, &peer, &me.user.id, now).record(EventKind::TenantCreated, &tenant.id, detail).await
    {
        return response;
    }
    back(&format!("/orgs/{}", tenant.id), OrgNotice::Created)
}

/// `POST /orgs/default`: the tenant tokens name as the default.
pub async fn choose_default(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let now = state.clock.now();
    let me = match me_or(&state, &headers, "/orgs", now).await {
        Ok(me) => me,
        Err(response) => return response,
    };
    let Some(tenant) = TenantId::parse(Posted::parse(&body).one("tenant_id")) else {
        return not_found(&state, &headers);
    };
    match orgs::set_default_tenant(&state.store, &me.user.id, &tenant).await {
        Ok(()) => back("/orgs", OrgNotice::DefaultChosen),
        Err(error) => answer(&state, &headers, "/orgs", error, None),
    }
}

/// `GET /orgs/{id}`: the tenant, with what the person's roles let them see.
pub async fn tenant_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<OutcomeQuery>,
    request: Request<Body>,
) -> Response {
    let now = state.clock.now();
    let headers = request.headers().clone();
    let Some(tenant_id) = TenantId::parse(&id) else { return not_found(&state, &headers) };
    let base = format!("/orgs/{id}");
    let me = match me_or(&state, &headers, &base, now).await {
        Ok(me) => me,
        Err(response) => return response,
    };
    let view = match tenant_view(&state, &me, &tenant_id, &query, &base, now).await {
        Ok(Some(view)) => view,
        Ok(None) => return not_found(&state, &headers),
        Err(error) => return failed(&state, &headers, &error),
    };
    super::ui::render_loaded(&state, request, app::LoadedTenant(view), None).await
}

async fn tenant_view(
    state: &AppState,
    me: &SignedIn,
    tenant_id: &TenantId,
    query: &OutcomeQuery,
    base: &str,
    now: UnixTime,
) -> Result<Option<TenantView>, OrgError> {
    let store = &state.store;
    let user = &me.user.id;
    // One read of what the person can see in this organisation: their roles here (held
    // here or above), the path above, the tree below, the places to move to.
    let reach = orgs::reach_in(store, user, Some(tenant_id)).await?;
    let Some(here) = reach.get(tenant_id) else { return Ok(None) };
    let permissions = orgs::roles::core_permissions(&here.roles);
    let can = |p: Permission| permissions.contains(&p);
    if !orgs::roles::sees_tenant(&permissions) {
        return Ok(None);
    }
    // A member of a department only does not see the organisation above it.
    let path: Vec<TenantRef> = reach.above(tenant_id).into_iter().map(tenant_ref).collect();
    let departments = department_tree(&reach, tenant_id);
    let is_root = here.parent_id.is_none();
    // Offered by the rule that decides it.
    let can_archive = can(Permission::TenantUpdate)
        && match orgs::may_reshape(store, user, tenant_id).await {
            Ok(_) => true,
            Err(OrgError::Access(AccessError::Forbidden(_) | AccessError::NotFound)) => false,
            Err(error) => return Err(error),
        };
    let move_targets = if can_archive && !is_root { move_targets(&reach, here) } else { Vec::new() };
    let members = if can(Permission::MembersRead) {
        let search = query.q.clone().unwrap_or_default().chars().take(100).collect::<String>();
        let role = query.role.as_deref().and_then(Role::parse);
        let page = query.page.unwrap_or(0).min(100_000);
        let member_query =
            MemberQuery { search: Some(search.clone()), role: role.clone(), page, per_page: orgs::DEFAULT_PER_PAGE };
        let listed = orgs::list_members(store, user, tenant_id, &member_query).await?;
        let role = role.map(|r| r.as_str().to_string()).unwrap_or_default();
        let link = |page: u32| {
            let mut pairs = url::form_urlencoded::Serializer::new(String::new());
            if !search.is_empty() {
                pairs.append_pair("q", &search);
            }
            if !role.is_empty() {
                pairs.append_pair("role", &role);
            }
            pairs.append_pair("page", &page.to_string());
            format!("{base}?{}#members-heading", pairs.finish())
        };
        let shown_to = i64::from(page) * i64::from(orgs::DEFAULT_PER_PAGE) + listed.members.len() as i64;
        Some(MembersView {
            previous: (page > 0).then(|| link(page - 1)),
            next: (shown_to < listed.total).then(|| link(page + 1)),
            members: listed
                .members
                .into_iter()
                .map(|m| MemberView {
                    is_me: &m.user_id == user,
                    user_id: m.user_id.to_string(),
                    name: match (m.given_name, m.family_name) {
                        (Some(g), Some(f)) => Some(format!("{g} {f}")),
                        (one, other) => one.or(other),
                    },
                    email: m.email,
                    roles: m.roles.iter().map(|r| r.as_str().to_string()).collect(),
                    since: m.since.seconds(),
                })
                .collect(),
            total: listed.total,
            page,
            per_page: orgs::DEFAULT_PER_PAGE,
            search,
            role,
        })
    } else {
        None
    };
    let invitations = if can(Permission::MembersInvite) {
        let pending = invitations::pending(store, user, tenant_id, now).await?;
        Some(
            pending
                .into_iter()
                .map(|i| InvitationRowView {
                    id: i.id,
                    email: i.email,
                    roles: i.roles.iter().map(|r| r.as_str().to_string()).collect(),
                    sent_at: i.sent_at.seconds(),
                    expires_at: i.expires_at.seconds(),
                })
                .collect(),
        )
    } else {
        None
    };
    let licenses = if can(Permission::LicensesRead) {
        let listed = licenses::list(store, user, tenant_id).await?;
        let mut holders = Vec::with_capacity(listed.len());
        for license in &listed {
            let held = licenses::seat_holders(store, user, tenant_id, &license.id).await?;
            holders.push(held.into_iter().map(|(id, email)| (id.to_string(), email)).collect::<Vec<_>>());
        }
        Some(
            listed
                .into_iter()
                .zip(holders)
                .map(|(l, holders)| LicenseView {
                    holders,
                    valid: l.is_valid(now),
                    id: l.id,
                    application: l.application_name,
                    plan: l.plan,
                    seats: l.seats,
                    seats_used: l.seats_used,
                    valid_from: l.valid_from.seconds(),
                    valid_until: l.valid_until.map(UnixTime::seconds),
                })
                .collect(),
        )
    } else {
        None
    };
    Ok(Some(TenantView {
        tenant: tenant_ref(here),
        kind: here.kind.as_str().into(),
        path,
        roles: here.roles.iter().map(|r| r.as_str().to_string()).collect(),
        permissions: permissions.iter().map(|p| p.as_str().to_string()).collect(),
        member_here: here.member,
        departments,
        move_targets,
        can_archive,
        members,
        invitations,
        licenses,
        assignable_roles: orgs::assignable_roles(store, &here.root_id, now).await?,
        require_mfa: is_root && orgs::requires_mfa(store, tenant_id).await?,
        notice: query.notice.as_deref().and_then(OrgNotice::parse),
        error: query.error.as_deref().and_then(OrgFailure::parse),
        error_field: query.field.as_deref().and_then(field_id),
        max_name_chars: TenantName::MAX_CHARS,
    }))
}

/// The tenants below `top` the person reaches, as a tree (by name).
fn department_tree(reach: &orgs::Reach, top: &TenantId) -> Vec<app::dto::TreeNode> {
    let below = |parent: &TenantId| -> Vec<app::dto::TreeNode> {
        let mut children: Vec<&orgs::Reached> =
            reach.tenants.iter().filter(|t| t.parent_id.as_ref() == Some(parent)).collect();
        children.sort_by(|a, b| (&a.name, &a.id.to_string()).cmp(&(&b.name, &b.id.to_string())));
        children
            .into_iter()
            .map(|child| app::dto::TreeNode {
                id: child.id.to_string(),
                name: child.name.clone(),
                children: Vec::new(),
            })
            .collect()
    };
    fn grow(
        nodes: Vec<app::dto::TreeNode>,
        below: &dyn Fn(&TenantId) -> Vec<app::dto::TreeNode>,
        depth: usize,
    ) -> Vec<app::dto::TreeNode> {
        nodes
            .into_iter()
            .map(|mut node| {
                // A tree, never a cycle; a depth far beyond any real organisation stops.
                if depth < 64 {
                    node.children = grow(below(&TenantId::from_stored(node.id.clone())), below, depth + 1);
                }
                node
            })
            .collect()
    }
    grow(below(top), &below, 0)
}

/// Where a department may move: tenants of its organisation the person
/// may change, not itself or below it, not its current parent; labelled
/// with their path.
fn move_targets(reach: &orgs::Reach, tenant: &orgs::Reached) -> Vec<TenantRef> {
    let mut targets: Vec<TenantRef> = reach
        .tenants
        .iter()
        .filter(|t| t.root_id == tenant.root_id && Some(&t.id) != tenant.parent_id.as_ref())
        .filter(|t| !reach.is_within(&t.id, &tenant.id))
        .filter(|t| orgs::roles::core_permissions(&t.roles).contains(&Permission::TenantUpdate))
        .map(|t| TenantRef { id: t.id.to_string(), name: reach.label(&t.id) })
        .collect();
    targets.sort_by(|a, b| a.name.cmp(&b.name));
    targets
}

fn tenant_ref(tenant: &orgs::Reached) -> TenantRef {
    TenantRef { id: tenant.id.to_string(), name: tenant.name.clone() }
}

/// The signed-in person and the tenant of a form posted to `/orgs/{id}/…`.
async fn tenant_form(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    now: UnixTime,
) -> Result<(SignedIn, TenantId, String), Response> {
    let Some(tenant) = TenantId::parse(id) else { return Err(not_found(state, headers)) };
    let base = format!("/orgs/{id}");
    let me = me_or(state, headers, &base, now).await?;
    Ok((me, tenant, base))
}

macro_rules! tenant_form_or_answer {
    ($state:expr, $headers:expr, $id:expr, $now:expr) => {
        match tenant_form(&$state, &$headers, &$id, $now).await {
            Ok(found) => found,
            Err(response) => return response,
        }
    };
}

/// `POST /orgs/{id}/rename`.
pub async fn rename(
    State(state): State<AppState>,
    Path(id): Path<String>,
    peer: Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = state.clock.now();
    let (me, tenant, base) = tenant_form_or_answer!(state, headers, id, now);
    let name = match TenantName::parse(Posted::parse(&body).one("name")) {
        Ok(name) => name,
        Err(error) => return refused(&base, name_failure(error), Some("tenant-name")),
    };
    let detail = serde_json::json!({ "change": "renamed", "name": name.as_str() });
    if let Err(error) = orgs::rename_tenant(&state.store, &me.user.id, &tenant, name, now).await {
        return answer(&state, &headers, &base, error, None);
    }
    acting(&state, &headers, &peer, &me.user.id, now)
        .done(EventKind::TenantChanged, &tenant, detail, &base, OrgNotice::Renamed)
        .await
}

/// `POST /orgs/{id}/departments`.
pub async fn add_department(
    State(state): State<AppState>,
    Path(id): Path<String>,
    peer: Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = state.clock.now();
    let (me, tenant, base) = tenant_form_or_answer!(state, headers, id, now);
    let name = match TenantName::parse(Posted::parse(&body).one("name")) {
        Ok(name) => name,
        Err(error) => return refused(&base, name_failure(error), Some("department-name")),
    };
    let department = match orgs::add_department(&state.store, &me.user.id, &tenant, name, now).await {
        Ok(department) => department,
        Err(error) => return answer(&state, &headers, &base, error, None),
    };
    let detail = serde_json::json!({ "department_id": department.id.as_str() });
    acting(&state, &headers, &peer, &me.user.id, now)
        .done(EventKind::DepartmentAdded, &tenant, detail, &base, OrgNotice::DepartmentAdded)
        .await
}

/// `POST /orgs/{id}/mfa`: whether the organisation's members need a second factor.
pub async fn require_mfa(
    State(state): State<AppState>,
    Path(id): Path<String>,
    peer: Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = state.clock.now();
    let (me, tenant, base) = tenant_form_or_answer!(state, headers, id, now);
    let required = Posted::parse(&body).one("require_mfa") == "yes";
    if let Err(error) = orgs::set_require_mfa(&state.store, &me.user.id, &tenant, required, now).await {
        return answer(&state, &headers, &base, error, None);
    }
    let detail = serde_json::json!({ "change": "require_mfa", "required": required });
    acting(&state, &headers, &peer, &me.user.id, now)
        .done(EventKind::TenantChanged, &tenant, detail, &base, OrgNotice::MfaSaved)
        .await
}

/// `POST /orgs/{id}/move`: below another tenant of the organisation.
pub async fn move_department(
    State(state): State<AppState>,
    Path(id): Path<String>,
    peer: Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = state.clock.now();
    let (me, tenant, base) = tenant_form_or_answer!(state, headers, id, now);
    let Some(parent) = TenantId::parse(Posted::parse(&body).one("parent_id")) else {
        return refused(&base, OrgFailure::BadMove, None);
    };
    if let Err(error) = orgs::move_department(&state.store, &me.user.id, &tenant, &parent, now).await {
        return answer(&state, &headers, &base, error, None);
    }
    let detail = serde_json::json!({ "change": "moved", "parent_id": parent.as_str() });
    acting(&state, &headers, &peer, &me.user.id, now)
        .done(EventKind::TenantChanged, &tenant, detail, &base, OrgNotice::Moved)
        .await
}

/// `POST /orgs/{id}/archive`: with the box ticked; back to the parent (or
/// the list) since the tenant is gone from view.
pub async fn archive(
    State(state): State<AppState>,
    Path(id): Path<String>,
    peer: Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = state.clock.now();
    let (me, tenant, base) = tenant_form_or_answer!(state, headers, id, now);
    if Posted::parse(&body).one("confirm") != "yes" {
        return see_other(&base);
    }
    let parent = match roles_at(&state.store, &me.user.id, &tenant).await {
        Ok(access) => access.and_then(|a| a.tenant.parent_id),
        Err(error) => return failed(&state, &headers, &error),
    };
    let archived = match orgs::archive_tenant(&state.store, &me.user.id, &tenant, now).await {
        Ok(count) => count,
        Err(error) => return answer(&state, &headers, &base, error, None),
    };
    state.access_tokens.invalidate();
    let detail = serde_json::json!({ "change": "archived", "tenants": archived });
    if let Err(response) =
        acting(&state, &headers, &peer, &me.user.id, now).record(EventKind::TenantChanged, &tenant, detail).await
    {
        return response;
    }
    match parent {
        Some(parent) => back(&format!("/orgs/{parent}"), OrgNotice::Archived),
        None => back("/orgs", OrgNotice::Archived),
    }
}

/// `POST /orgs/{id}/licenses/{license}/seats`: a seat for the member with
/// this address.
pub async fn assign_seat(
    State(state): State<AppState>,
    Path((id, license)): Path<(String, String)>,
    peer: Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = state.clock.now();
    let (me, tenant, base) = tenant_form_or_answer!(state, headers, id, now);
    let Some(license) = path_id(&license) else { return not_found(&state, &headers) };
    let field = format!("seat-{license}");
    let Ok(email) = Email::parse(Posted::parse(&body).one("email")) else {
        return refused(&base, OrgFailure::EmailInvalid, Some(&field));
    };
    let member = match sanus_core::users::find_user_by_email(&state.store, &email).await {
        Ok(Some(user)) => user.id,
        Ok(None) => return refused(&base, OrgFailure::SeatNotMember, Some(&field)),
        Err(error) => return failed(&state, &headers, &error),
    };
    match licenses::assign_seat(&state.store, &me.user.id, &tenant, &license, &member, now).await {
        Ok(()) => {}
        Err(licenses::SeatError::NoSeatLeft) => return refused(&base, OrgFailure::NoSeatLeft, Some(&field)),
        Err(licenses::SeatError::NotAMember) => return refused(&base, OrgFailure::SeatNotMember, Some(&field)),
        Err(licenses::SeatError::Org(error)) => return answer(&state, &headers, &base, error, None),
    }
    state.access_tokens.invalidate();
    let detail = serde_json::json!({ "change": "seat_assigned", "license": license, "member": member.as_str() });
    acting(&state, &headers, &peer, &me.user.id, now)
        .done(EventKind::TenantChanged, &tenant, detail, &base, OrgNotice::SeatAssigned)
        .await
}

/// `POST /orgs/{id}/licenses/{license}/seats/{user}/release`.
pub async fn release_seat(
    State(state): State<AppState>,
    Path((id, license, member)): Path<(String, String, String)>,
    peer: Peer,
    headers: HeaderMap,
) -> Response {
    let now = state.clock.now();
    let (me, tenant, base) = tenant_form_or_answer!(state, headers, id, now);
    let (Some(license), Some(member)) = (path_id(&license), path_id(&member)) else {
        return not_found(&state, &headers);
    };
    let member = UserId::from_stored(member);
    match licenses::release_seat(&state.store, &me.user.id, &tenant, &license, &member).await {
        Ok(true) => {}
        Ok(false) => return back(&base, OrgNotice::SeatReleased),
        Err(error) => return answer(&state, &headers, &base, error, None),
    }
    let detail = serde_json::json!({ "change": "seat_released", "license": license, "member": member.as_str() });
    acting(&state, &headers, &peer, &me.user.id, now)
        .done(EventKind::TenantChanged, &tenant, detail, &base, OrgNotice::SeatReleased)
        .await
}

/// `POST /orgs/{id}/invitations`: mails the invited address a link.
pub async fn invite(
    State(state): State<AppState>,
    Path(id): Path<String>,
    peer: Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = state.clock.now();
    let (me, tenant, base) = tenant_form_or_answer!(state, headers, id, now);
    let form = Posted::parse(&body);
    let Ok(email) = Email::parse(form.one("email")) else {
        return refused(&base, OrgFailure::EmailInvalid, Some("invite-email"));
    };
    let roles = form.all("roles");
    let invited = invitations::invite(&state.store, &me.user.id, &tenant, &email, &roles, now).await;
    let (invitation, token) = match invited {
        Ok(invited) => invited,
        Err(error) => return invite_refused(&state, &headers, &base, error),
    };
    let detail = serde_json::json!({ "invitation_id": invitation.id, "roles": roles_of(&invitation.roles) });
    if let Err(response) =
        acting(&state, &headers, &peer, &me.user.id, now).record(EventKind::MemberInvited, &tenant, detail).await
    {
        return response;
    }
    send_invitation(&state, &me, &tenant, &invitation.email, &token, now).await;
    back(&base, OrgNotice::Invited)
}

fn roles_of(roles: &[Role]) -> Vec<&str> {
    roles.iter().map(Role::as_str).collect()
}

fn invite_refused(state: &AppState, headers: &HeaderMap, base: &str, error: InviteError) -> Response {
    match error {
        InviteError::Org(error) => answer(state, headers, base, error, Some("invite-roles")),
        InviteError::AlreadyMember => refused(base, OrgFailure::AlreadyMember, Some("invite-email")),
        InviteError::AlreadyInvited => refused(base, OrgFailure::AlreadyInvited, Some("invite-email")),
        InviteError::TooSoon => refused(base, OrgFailure::TooSoon, None),
        InviteError::NotPending => refused(base, OrgFailure::NotPending, None),
        InviteError::Unconfirmed => refused(base, OrgFailure::Unconfirmed, None),
        InviteError::TooMany { .. } => refused(base, OrgFailure::TooManyInvitations, None),
    }
}

/// Mails an invitation link in the background, in the inviter's language.
async fn send_invitation(state: &AppState, me: &SignedIn, tenant: &TenantId, to: &str, token: &str, _now: UnixTime) {
    let inviter = match (&me.user.given_name, &me.user.family_name) {
        (Some(g), Some(f)) => format!("{g} {f} ({})", me.user.email),
        (Some(one), None) | (None, Some(one)) => format!("{one} ({})", me.user.email),
        (None, None) => me.user.email.clone(),
    };
    send_invitation_mail(state, Some(&inviter), &me.user.locale, tenant, to, token).await;
}

/// Mails the link of an invitation into `tenant` in the background (the
/// pages and the management API both send it this way).
pub(crate) async fn send_invitation_mail(
    state: &AppState,
    inviter: Option<&str>,
    locale: &str,
    tenant: &TenantId,
    to: &str,
    token: &str,
) {
    let tenant_name = match sanus_core::tenants::get_tenant(&state.store, tenant).await {
        Ok(tenant) => tenant.name,
        Err(error) => {
            tracing::error!(%error, "cannot load the tenant of an invitation");
            return;
        }
    };
    let link = format!("{}/invitations/{token}", state.settings.server.public_url.as_str());
    let mail = sanus_core::mail::invitation_mail(locale, to, inviter, &tenant_name, &link);
    let state = state.clone();
    let now = state.clock.now();
    tokio::spawn(async move {
        if let Err(error) = state.mailer.send(&state.store, &mail, now).await {
            tracing::error!(%error, "cannot send an invitation");
        }
    });
}

/// `POST /orgs/{id}/invitations/{invitation}/resend`: a new link.
pub async fn resend_invitation(
    State(state): State<AppState>,
    Path((id, invitation)): Path<(String, String)>,
    peer: Peer,
    headers: HeaderMap,
) -> Response {
    let now = state.clock.now();
    let (me, tenant, base) = tenant_form_or_answer!(state, headers, id, now);
    let Some(invitation) = path_id(&invitation) else { return not_found(&state, &headers) };
    let (invitation, token) = match invitations::resend(&state.store, &me.user.id, &tenant, &invitation, now).await {
        Ok(resent) => resent,
        Err(error) => return invite_refused(&state, &headers, &base, error),
    };
    let detail = serde_json::json!({ "invitation_id": invitation.id });
    if let Err(response) =
        acting(&state, &headers, &peer, &me.user.id, now).record(EventKind::InvitationResent, &tenant, detail).await
    {
        return response;
    }
    send_invitation(&state, &me, &tenant, &invitation.email, &token, now).await;
    back(&base, OrgNotice::InvitationResent)
}

/// `POST /orgs/{id}/invitations/{invitation}/revoke`.
pub async fn revoke_invitation(
    State(state): State<AppState>,
    Path((id, invitation)): Path<(String, String)>,
    peer: Peer,
    headers: HeaderMap,
) -> Response {
    let now = state.clock.now();
    let (me, tenant, base) = tenant_form_or_answer!(state, headers, id, now);
    let Some(invitation) = path_id(&invitation) else { return not_found(&state, &headers) };
    if let Err(error) = invitations::revoke(&state.store, &me.user.id, &tenant, &invitation, now).await {
        return invite_refused(&state, &headers, &base, error);
    }
    let detail = serde_json::json!({ "invitation_id": invitation });
    acting(&state, &headers, &peer, &me.user.id, now)
        .done(EventKind::InvitationRevoked, &tenant, detail, &base, OrgNotice::InvitationRevoked)
        .await
}

/// `POST /orgs/{id}/members/{user}/roles`: replaces the member's roles.
pub async fn member_roles(
    State(state): State<AppState>,
    Path((id, member)): Path<(String, String)>,
    peer: Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = state.clock.now();
    let (me, tenant, base) = tenant_form_or_answer!(state, headers, id, now);
    let Some(member) = path_id(&member) else { return not_found(&state, &headers) };
    let roles = Posted::parse(&body).all("roles");
    let member = UserId::from_stored(member);
    let field = format!("roles-{member}");
    let stored = match orgs::set_member_roles(&state.store, &me.user.id, &tenant, &member, &roles, now).await {
        Ok(stored) => stored,
        Err(OrgError::LastAdmin) => return refused(&base, OrgFailure::LastAdmin, Some(&field)),
        Err(other) => return answer(&state, &headers, &base, other, Some(&field)),
    };
    state.access_tokens.invalidate();
    let roles: Vec<&str> = stored.iter().map(Role::as_str).collect();
    let detail = serde_json::json!({ "member": member.as_str(), "roles": roles });
    acting(&state, &headers, &peer, &me.user.id, now)
        .done(EventKind::MemberRolesChanged, &tenant, detail, &base, OrgNotice::RolesChanged)
        .await
}

/// `POST /orgs/{id}/members/{user}/remove`.
pub async fn remove_member(
    State(state): State<AppState>,
    Path((id, member)): Path<(String, String)>,
    peer: Peer,
    headers: HeaderMap,
) -> Response {
    let now = state.clock.now();
    let (me, tenant, base) = tenant_form_or_answer!(state, headers, id, now);
    let Some(member) = path_id(&member) else { return not_found(&state, &headers) };
    let member = UserId::from_stored(member);
    if let Err(error) = orgs::remove_member(&state.store, &me.user.id, &tenant, &member, now).await {
        return answer(&state, &headers, &base, error, None);
    }
    let detail = serde_json::json!({ "member": member.as_str() });
    let (to, notice) =
        if member == me.user.id { ("/orgs", OrgNotice::Left) } else { (base.as_str(), OrgNotice::MemberRemoved) };
    acting(&state, &headers, &peer, &me.user.id, now).done(EventKind::MemberRemoved, &tenant, detail, to, notice).await
}

/// `POST /orgs/{id}/leave`.
pub async fn leave(State(state): State<AppState>, Path(id): Path<String>, peer: Peer, headers: HeaderMap) -> Response {
    let now = state.clock.now();
    let (me, tenant, base) = tenant_form_or_answer!(state, headers, id, now);
    if let Err(error) = orgs::remove_member(&state.store, &me.user.id, &tenant, &me.user.id, now).await {
        return answer(&state, &headers, &base, error, None);
    }
    let detail = serde_json::json!({ "member": me.user.id.as_str(), "left": true });
    acting(&state, &headers, &peer, &me.user.id, now)
        .done(EventKind::MemberRemoved, &tenant, detail, "/orgs", OrgNotice::Left)
        .await
}

/// A token as it may appear in an invitation link.
fn link_token(value: &str) -> Option<&str> {
    sanus_core::random::looks_url_safe(value).then_some(value)
}

/// `GET /invitations/{token}`.
pub async fn invitation_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    request: Request<Body>,
) -> Response {
    let headers = request.headers().clone();
    let view = match invitation_view(&state, &headers, &token, None).await {
        Ok(view) => view,
        Err(error) => return failed(&state, &headers, &error),
    };
    render_invitation(&state, request, view).await
}

async fn render_invitation(state: &AppState, request: Request<Body>, view: InvitationPageView) -> Response {
    let status = match &view {
        InvitationPageView::Unknown => StatusCode::NOT_FOUND,
        InvitationPageView::Accepted | InvitationPageView::Revoked | InvitationPageView::Expired => StatusCode::GONE,
        InvitationPageView::Register { registration, .. } => super::registration::registration_status(registration),
        _ => StatusCode::OK,
    };
    super::ui::render_loaded_as(state, request, app::LoadedInvitation(view), status).await
}

/// What the link leads to for this browser; `registration` carries a
/// refused registration form back.
async fn invitation_view(
    state: &AppState,
    headers: &HeaderMap,
    token: &str,
    registration: Option<app::dto::RegistrationView>,
) -> Result<InvitationPageView, sanus_core::StoreError> {
    let now = state.clock.now();
    let Some(token) = link_token(token) else { return Ok(InvitationPageView::Unknown) };
    let Some((invitation, tenant)) = invitations::find(&state.store, token).await? else {
        return Ok(InvitationPageView::Unknown);
    };
    match invitation.state(now) {
        InvitationState::Pending => {}
        InvitationState::Accepted => return Ok(InvitationPageView::Accepted),
        InvitationState::Revoked => return Ok(InvitationPageView::Revoked),
        InvitationState::Expired => return Ok(InvitationPageView::Expired),
    }
    if let Some(me) = signed_in(state, headers, now).await? {
        return Ok(if invitation.is_for(&me.user) {
            InvitationPageView::Join {
                token: token.to_string(),
                tenant: tenant.name,
                roles: roles_of(&invitation.roles).into_iter().map(str::to_string).collect(),
                email: invitation.email,
            }
        } else {
            InvitationPageView::OtherAccount {
                tenant: tenant.name,
                invited: invitation.email,
                signed_in_as: me.user.email,
            }
        });
    }
    let email = Email::parse(&invitation.email).map_err(|_| sanus_core::StoreError::NotFound)?;
    if sanus_core::users::find_user_by_email(&state.store, &email).await?.is_some() {
        let sign_in_href = format!(
            "/signin?return_to={}&email={}",
            encode(&format!("/invitations/{token}")),
            encode(&invitation.email)
        );
        return Ok(InvitationPageView::SignIn { tenant: tenant.name, email: invitation.email, sign_in_href });
    }
    let mut registration = registration.unwrap_or_else(|| super::registration::registration_view(state, None));
    registration.open = true;
    registration.allowed_domains = Vec::new();
    registration.invitation = Some(token.to_string());
    registration.values.email = invitation.email;
    Ok(InvitationPageView::Register { tenant: tenant.name, registration })
}

/// `POST /invitations/{token}/accept`: as the signed-in person.
pub async fn accept(
    State(state): State<AppState>,
    Path(token): Path<String>,
    peer: Peer,
    headers: HeaderMap,
) -> Response {
    let now = state.clock.now();
    let Some(token) = link_token(&token).map(str::to_string) else { return not_found(&state, &headers) };
    let here = format!("/invitations/{token}");
    let me = match me_or(&state, &headers, &here, now).await {
        Ok(me) => me,
        Err(response) => return response,
    };
    match invitations::accept(&state.store, &token, &me.user, now).await {
        Ok(tenant) => joined(&state, &headers, &peer, &me.user.id, &tenant.id, now).await,
        Err(AcceptError::Store(error)) => failed(&state, &headers, &error),
        Err(_) => see_other(&here),
    }
}

async fn joined(
    state: &AppState,
    headers: &HeaderMap,
    peer: &Peer,
    user: &UserId,
    tenant: &TenantId,
    now: UnixTime,
) -> Response {
    state.access_tokens.invalidate();
    let detail = serde_json::json!({});
    acting(state, headers, peer, user, now)
        .done(EventKind::InvitationAccepted, tenant, detail, &format!("/orgs/{tenant}"), OrgNotice::Joined)
        .await
}

/// `POST /invitations/{token}/register`: a new account for the invited
/// address (which the link proves), a member at once, signed in.
pub async fn register(
    State(state): State<AppState>,
    peer: Peer,
    Path(token): Path<String>,
    request: Request<Body>,
) -> Response {
    let (body, parts) = match super::form_and_parts::<super::registration::RegisterForm>(&state, request).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let headers = parts.headers.clone();
    let Some(token) = link_token(&token).map(str::to_string) else { return not_found(&state, &headers) };
    // The answer is the invitation's page, rendered at its own address.
    let mut page_request = Request::from_parts(parts, Body::empty());
    if let Ok(uri) = format!("/invitations/{token}").parse() {
        *page_request.uri_mut() = uri;
    }
    let now = state.clock.now();
    let view = match invitation_view(&state, &headers, &token, None).await {
        Ok(view) => view,
        Err(error) => return failed(&state, &headers, &error),
    };
    let InvitationPageView::Register { tenant, mut registration } = view else {
        // Signed in meanwhile, or the address has an account now: the page says what to do.
        return render_invitation(&state, page_request, view).await;
    };
    let address = client_address(&headers, &peer, &state.settings.server);
    let outcome = super::registration::register_checked(
        &state,
        &headers,
        address,
        body,
        Some(registration.values.email.clone()),
        now,
    )
    .await;
    let user = match outcome {
        Ok(super::registration::Outcome::Created(user)) => user,
        Ok(super::registration::Outcome::Exists(_)) => {
            return see_other(&format!("/invitations/{token}"));
        }
        Ok(super::registration::Outcome::Refused { values, errors }) => {
            registration.values = app::dto::RegistrationValues { email: registration.values.email, ..values };
            registration.errors = errors;
            let view = InvitationPageView::Register { tenant, registration };
            return render_invitation(&state, page_request, view).await;
        }
        Err(response) => return response,
    };
    let tenant = match invitations::accept(&state.store, &token, &user, now).await {
        Ok(tenant) => tenant,
        Err(AcceptError::Store(error)) => return failed(&state, &headers, &error),
        Err(_) => return see_other(&format!("/invitations/{token}")),
    };
    state.access_tokens.invalidate();
    let joined = acting(&state, &headers, &peer, &user.id, now);
    if let Err(response) = joined.record(EventKind::InvitationAccepted, &tenant.id, serde_json::json!({})).await {
        return response;
    }
    let next = format!("/orgs/{}?notice={}", tenant.id, OrgNotice::Joined.as_str());
    let mut event = audit_event(EventKind::SignInSucceeded, &headers, address);
    event.user_id = Some(&user.id);
    match super::sign_in::finish_sign_in(
        &state,
        &headers,
        &mut event,
        &user.id,
        &["pwd"],
        super::sign_in::Next::Page(&next),
        now,
    )
    .await
    {
        Ok(response) => response,
        Err(error) => failed(&state, &headers, &error),
    }
}
