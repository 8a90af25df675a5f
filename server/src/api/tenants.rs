//! `/api/v1/tenants`: tenants, their departments, members and invitations.
//!
//! | method and path | permission |
//! | --- | --- |
//! | `GET /tenants` | — (the tenants the caller can access) |
//! | `POST /tenants` `{name, kind}` | a signed-in person (becomes Admin) |
//! | `GET /tenants/{id}` | `tenant.read` |
//! | `PATCH /tenants/{id}` `{name?, require_mfa?}` | `tenant.update` |
//! | `DELETE /tenants/{id}` (archive) | `tenant.update` |
//! | `GET /tenants/{id}/departments` | `tenant.read` |
//! | `POST /tenants/{id}/departments` `{name}` | `tenant.update` |
//! | `GET /tenants/{id}/members?q=&role=&page=&per_page=` | `members.read` |
//! | `PUT /tenants/{id}/members/{user_id}/roles` `{roles}` | `members.manage` |
//! | `DELETE /tenants/{id}/members/{user_id}` | `members.manage` (or oneself) |
//! | `GET /tenants/{id}/invitations` | `members.invite` |
//! | `POST /tenants/{id}/invitations` `{email, roles}` | `members.invite` |
//! | `POST /tenants/{id}/invitations/{inv}/resend` | `members.invite` |
//! | `DELETE /tenants/{id}/invitations/{inv}` | `members.invite` |
//! | `GET /tenants/{id}/audit?before=&limit=` | `audit.read` |

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use sanus_core::audit::EventKind;
use sanus_core::organizations::invitations::{self, Invitation, InviteError};
use sanus_core::organizations::{self as orgs, MemberQuery, Role};
use sanus_core::tenants::{TenantId, TenantKind, TenantName};
use sanus_core::users::{Email, UserId};
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::{
    Archived, AuditEventView, AuditLog, DepartmentList, InvitationList, InvitationView, MemberPage, MemberRoles,
    MemberView, NewDepartment, NewInvitation, NewTenant, Removed, Revoked, RolesChange, TenantDetail, TenantList,
    TenantPatch, TenantView,
};
use super::{ApiError, Caller, audit, body, caller, json};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, archive))
        .routes(routes!(departments, add_department))
        .routes(routes!(members))
        .routes(routes!(remove_member))
        .routes(routes!(set_roles))
        .routes(routes!(pending, invite))
        .routes(routes!(revoke))
        .routes(routes!(resend))
        .routes(routes!(audit_log))
}

fn id_of(value: &str) -> Result<TenantId, ApiError> {
    TenantId::parse(value).ok_or_else(ApiError::not_found)
}

fn name_of(value: &str) -> Result<TenantName, ApiError> {
    TenantName::parse(value).map_err(|error| ApiError::invalid("name", error.to_string()))
}

type ApiResult = Result<Response, ApiError>;

/// The caller, the tenant of the path, and the actor acting on it.
macro_rules! on_tenant {
    ($state:expr, $headers:expr, $id:expr, $caller:ident, $tenant:ident, $actor:ident) => {
        let $caller = caller(&$state, &$headers).await?;
        let $tenant = id_of(&$id)?;
        let $actor = $caller.actor_for(&$state, &$tenant).await?;
    };
}

/// The tenants the caller can reach: a person's organisations and
/// departments, or the tenants of a service's `{tenant_id}_admin` scopes.
#[utoipa::path(get, path = "/api/v1/tenants", tag = "tenants", operation_id = "listTenants",
    responses((status = 200, body = TenantList)))]
async fn list(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let tenants: Vec<TenantView> = match caller(&state, &headers).await? {
        Caller::Person(me) => {
            let reach = orgs::reach(&state.store, &me.user.id).await?;
            reach.tenants.iter().map(TenantView::from).collect()
        }
        Caller::Service { tenants, .. } => {
            let mut listed = Vec::new();
            for id in &tenants {
                if let Some(tenant) = sanus_core::tenants::find_tenant(&state.store, id).await?
                    && tenant.archived_at.is_none()
                {
                    listed.push(TenantView::from(&tenant));
                }
            }
            listed
        }
    };
    Ok(json(StatusCode::OK, &TenantList { tenants }))
}

/// Creates an organisation or a development tenant; the signed-in person
/// becomes its Admin. Services cannot (403).
#[utoipa::path(post, path = "/api/v1/tenants", tag = "tenants", operation_id = "createTenant",
    request_body = NewTenant, responses((status = 201, body = TenantView)))]
async fn create(State(state): State<AppState>, headers: HeaderMap, bytes: Bytes) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let Caller::Person(me) = &caller else {
        return Err(ApiError::forbidden("Organisations are created by people, who become their Admin."));
    };
    let new: NewTenant = body(&bytes)?;
    let name = name_of(&new.name)?;
    let kind = match new.kind.as_deref() {
        None => TenantKind::Organization,
        Some(kind) => {
            TenantKind::parse(kind).ok_or_else(|| ApiError::invalid("kind", "organization or development"))?
        }
    };
    let tenant = orgs::create_organization(&state.store, &me.user.id, kind, name, state.clock.now()).await?;
    audit(&state, &headers, &caller, EventKind::TenantCreated, &tenant.id, json!({ "kind": kind.as_str() })).await?;
    Ok(json(StatusCode::CREATED, &TenantView::from(&tenant)))
}

/// A tenant, with the caller's roles and permissions there (`tenant.read`).
#[utoipa::path(get, path = "/api/v1/tenants/{id}", tag = "tenants", operation_id = "getTenant",
    params(("id" = String, Path, description = "The tenant's id")),
    responses((status = 200, body = TenantDetail)))]
async fn show(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult {
    on_tenant!(state, headers, id, _caller, tenant, actor);
    let access = orgs::require(&state.store, actor, &tenant, orgs::Permission::TenantRead).await?;
    let permissions = access.permissions().iter().map(|p| p.as_str()).collect();
    let roles = access.roles.iter().map(|role| role.as_str().to_string()).collect();
    let require_mfa = access.tenant.is_root() && orgs::requires_mfa(&state.store, &tenant).await?;
    Ok(json(
        StatusCode::OK,
        &TenantDetail { tenant: TenantView::from(&access.tenant), roles, permissions, require_mfa },
    ))
}

/// Renames a tenant, or sets whether its members need a second factor
/// (`tenant.update`). Everything is checked before anything changes.
#[utoipa::path(patch, path = "/api/v1/tenants/{id}", tag = "tenants", operation_id = "updateTenant",
    params(("id" = String, Path, description = "The tenant's id")),
    request_body = TenantPatch, responses((status = 200, body = TenantDetail)))]
async fn update(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, bytes: Bytes) -> ApiResult {
    on_tenant!(state, headers, id, caller, tenant, actor);
    let patch: TenantPatch = body(&bytes)?;
    let now = state.clock.now();
    let name = patch.name.as_deref().map(name_of).transpose()?;
    let access = orgs::require(&state.store, actor, &tenant, orgs::Permission::TenantUpdate).await?;
    if patch.require_mfa.is_some() && !access.tenant.is_root() {
        return Err(ApiError::invalid("require_mfa", "only an organisation has this setting"));
    }
    if let Some(name) = name {
        let detail = json!({ "change": "renamed", "name": name.as_str() });
        orgs::rename_tenant(&state.store, actor, &tenant, name, now).await?;
        audit(&state, &headers, &caller, EventKind::TenantChanged, &tenant, detail).await?;
    }
    if let Some(required) = patch.require_mfa {
        orgs::set_require_mfa(&state.store, actor, &tenant, required, now).await?;
        let detail = json!({ "change": "require_mfa", "required": required });
        audit(&state, &headers, &caller, EventKind::TenantChanged, &tenant, detail).await?;
    }
    show(State(state), Path(tenant.to_string()), headers).await
}

/// Archives a tenant and every department below it (`tenant.update`):
/// their members' tokens lose them at once.
#[utoipa::path(delete, path = "/api/v1/tenants/{id}", tag = "tenants", operation_id = "archiveTenant",
    params(("id" = String, Path, description = "The tenant's id")),
    responses((status = 200, body = Archived)))]
async fn archive(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult {
    on_tenant!(state, headers, id, caller, tenant, actor);
    let archived = orgs::archive_tenant(&state.store, actor, &tenant, state.clock.now()).await?;
    state.access_tokens.invalidate();
    let detail = json!({ "change": "archived", "tenants": archived });
    audit(&state, &headers, &caller, EventKind::TenantChanged, &tenant, detail).await?;
    Ok(json(StatusCode::OK, &Archived { archived }))
}

/// The departments directly below a tenant (`tenant.read`).
#[utoipa::path(get, path = "/api/v1/tenants/{id}/departments", tag = "tenants", operation_id = "listDepartments",
    params(("id" = String, Path, description = "The tenant's id")),
    responses((status = 200, body = DepartmentList)))]
async fn departments(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult {
    on_tenant!(state, headers, id, _caller, tenant, actor);
    let listed = orgs::departments(&state.store, actor, &tenant).await?;
    Ok(json(StatusCode::OK, &DepartmentList { departments: listed.iter().map(TenantView::from).collect() }))
}

/// Adds a department below a tenant (`tenant.update`).
#[utoipa::path(post, path = "/api/v1/tenants/{id}/departments", tag = "tenants", operation_id = "addDepartment",
    params(("id" = String, Path, description = "The tenant's id")),
    request_body = NewDepartment, responses((status = 201, body = TenantView)))]
async fn add_department(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    on_tenant!(state, headers, id, caller, tenant, actor);
    let new: NewDepartment = body(&bytes)?;
    let name = name_of(&new.name)?;
    let department = orgs::add_department(&state.store, actor, &tenant, name, state.clock.now()).await?;
    let detail = json!({ "department_id": department.id.as_str() });
    audit(&state, &headers, &caller, EventKind::DepartmentAdded, &tenant, detail).await?;
    Ok(json(StatusCode::CREATED, &TenantView::from(&department)))
}

/// The audit log of the tenant and everything below it, newest first
/// (`audit.read`).
#[utoipa::path(get, path = "/api/v1/tenants/{id}/audit", tag = "tenants", operation_id = "tenantAuditLog",
    params(
        ("id" = String, Path, description = "The tenant's id"),
        ("before" = Option<u32>, Query, description = "Only events before this time (unix seconds): the next page"),
        ("limit" = Option<u32>, Query, description = "1 to 200; 50 unless given"),
    ),
    responses((status = 200, body = AuditLog)))]
async fn audit_log(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    on_tenant!(state, headers, id, _caller, tenant, actor);
    orgs::require(&state.store, actor, &tenant, orgs::Permission::AuditRead).await?;
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect();
    let limit = query_number(&pairs, "limit")?.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::invalid("limit", "1 to 200"));
    }
    let before = query_number(&pairs, "before")?.map(i64::from);
    let events = sanus_core::audit::for_tenant(&state.store, &tenant, before, i64::from(limit)).await?;
    let events = events
        .into_iter()
        .map(|e| AuditEventView {
            at: e.at,
            kind: e.kind,
            user_id: e.user_id,
            client_id: e.client_id,
            address: e.address,
            request_id: e.request_id,
            detail: serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null),
        })
        .collect();
    Ok(json(StatusCode::OK, &AuditLog { events }))
}

/// A query parameter, once, as text.
fn query_value(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone())
}

/// A whole-number query parameter, or 400 at that parameter.
fn query_number(pairs: &[(String, String)], name: &str) -> Result<Option<u32>, ApiError> {
    query_value(pairs, name)
        .map(|value| value.parse::<u32>().map_err(|_| ApiError::invalid(name, "a whole number")))
        .transpose()
}

/// The tenant's own members, by address, a page at a time (`members.read`).
#[utoipa::path(get, path = "/api/v1/tenants/{id}/members", tag = "tenants", operation_id = "listMembers",
    params(
        ("id" = String, Path, description = "The tenant's id"),
        ("q" = Option<String>, Query, description = "Part of an address or name"),
        ("role" = Option<String>, Query, description = "Only members with this role"),
        ("page" = Option<u32>, Query, description = "From 0"),
        ("per_page" = Option<u32>, Query, description = "1 to 100; 25 unless given"),
    ),
    responses((status = 200, body = MemberPage)))]
async fn members(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    on_tenant!(state, headers, id, _caller, tenant, actor);
    // Parsed here, so that a bad parameter gets the API's JSON error.
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect();
    let role = match query_value(&pairs, "role").filter(|r| !r.is_empty()) {
        None => None,
        Some(role) => Some(Role::parse(&role).ok_or_else(|| ApiError::invalid("role", "no such role"))?),
    };
    let per_page = query_number(&pairs, "per_page")?.unwrap_or(orgs::DEFAULT_PER_PAGE);
    if !(1..=orgs::MAX_PER_PAGE).contains(&per_page) {
        return Err(ApiError::invalid("per_page", format!("1 to {}", orgs::MAX_PER_PAGE)));
    }
    let page = query_number(&pairs, "page")?.unwrap_or(0);
    let member_query = MemberQuery { search: query_value(&pairs, "q"), role, page, per_page };
    let found = orgs::list_members(&state.store, actor, &tenant, &member_query).await?;
    let members = found.members.iter().map(MemberView::from).collect();
    Ok(json(StatusCode::OK, &MemberPage { members, total: found.total, page: member_query.page, per_page }))
}

/// Sets a member's roles, all of them (`members.manage`); the last Admin
/// keeps the role (409).
#[utoipa::path(put, path = "/api/v1/tenants/{id}/members/{user}/roles", tag = "tenants",
    operation_id = "setMemberRoles",
    params(("id" = String, Path, description = "The tenant's id"), ("user" = String, Path, description = "The member's user id")),
    request_body = RolesChange,
    responses((status = 200, body = MemberRoles), (status = 409, description = "The last Admin keeps the role", body = ApiError)))]
async fn set_roles(
    State(state): State<AppState>,
    Path((id, user)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    on_tenant!(state, headers, id, caller, tenant, actor);
    let wanted: RolesChange = body(&bytes)?;
    let member = UserId::from_stored(user);
    let stored =
        orgs::set_member_roles(&state.store, actor, &tenant, &member, &wanted.roles, state.clock.now()).await?;
    state.access_tokens.invalidate();
    // What was stored, as the member list shows it: not the request's spelling.
    let roles: Vec<String> = stored.iter().map(|role| role.as_str().to_string()).collect();
    let detail = json!({ "member": member.as_str(), "roles": roles });
    audit(&state, &headers, &caller, EventKind::MemberRolesChanged, &tenant, detail).await?;
    Ok(json(StatusCode::OK, &MemberRoles { user_id: member.as_str().to_string(), roles }))
}

/// Removes a member (`members.manage`, or a person leaving); the last Admin
/// stays (409).
#[utoipa::path(delete, path = "/api/v1/tenants/{id}/members/{user}", tag = "tenants", operation_id = "removeMember",
    params(("id" = String, Path, description = "The tenant's id"), ("user" = String, Path, description = "The member's user id")),
    responses((status = 200, body = Removed), (status = 409, description = "The last Admin stays", body = ApiError)))]
async fn remove_member(
    State(state): State<AppState>,
    Path((id, user)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult {
    on_tenant!(state, headers, id, caller, tenant, actor);
    let member = UserId::from_stored(user);
    orgs::remove_member(&state.store, actor, &tenant, &member, state.clock.now()).await?;
    audit(&state, &headers, &caller, EventKind::MemberRemoved, &tenant, json!({ "member": member.as_str() })).await?;
    Ok(json(StatusCode::OK, &Removed { removed: member.as_str().to_string() }))
}

fn invitation_view(invitation: &Invitation, now: sanus_core::UnixTime) -> InvitationView {
    let state = match invitation.state(now) {
        invitations::State::Pending => "pending",
        invitations::State::Accepted => "accepted",
        invitations::State::Revoked => "revoked",
        invitations::State::Expired => "expired",
    };
    InvitationView {
        id: invitation.id.clone(),
        email: invitation.email.clone(),
        roles: invitation.roles.iter().map(|role| role.as_str().to_string()).collect(),
        sent_at: invitation.sent_at.seconds(),
        expires_at: invitation.expires_at.seconds(),
        state,
    }
}

fn invite_error(error: InviteError) -> ApiError {
    match error {
        InviteError::Org(error) => error.into(),
        InviteError::AlreadyMember => ApiError::conflict("This address belongs to a member already."),
        InviteError::AlreadyInvited => ApiError::conflict("This address has a pending invitation; resend it."),
        InviteError::TooSoon => ApiError::conflict("This invitation was sent less than a minute ago."),
        InviteError::NotPending => ApiError::conflict("This invitation was accepted or withdrawn already."),
        InviteError::Unconfirmed => ApiError::forbidden("Confirm your own e-mail address before inviting anyone."),
        InviteError::TooMany { retry_after_seconds } => ApiError::throttled(retry_after_seconds),
    }
}

/// The tenant's pending invitations (`members.invite`).
#[utoipa::path(get, path = "/api/v1/tenants/{id}/invitations", tag = "tenants", operation_id = "listInvitations",
    params(("id" = String, Path, description = "The tenant's id")),
    responses((status = 200, body = InvitationList)))]
async fn pending(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult {
    on_tenant!(state, headers, id, _caller, tenant, actor);
    let now = state.clock.now();
    let listed = invitations::pending(&state.store, actor, &tenant, now).await?;
    Ok(json(StatusCode::OK, &InvitationList { invitations: listed.iter().map(|i| invitation_view(i, now)).collect() }))
}

/// Invites an address with roles and mails the link (`members.invite`).
#[utoipa::path(post, path = "/api/v1/tenants/{id}/invitations", tag = "tenants", operation_id = "invite",
    params(("id" = String, Path, description = "The tenant's id")),
    request_body = NewInvitation,
    responses(
        (status = 201, body = InvitationView),
        (status = 409, description = "A member already, or invited already", body = ApiError),
        (status = 429, description = "Too many invitations lately", body = ApiError),
    ))]
async fn invite(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, bytes: Bytes) -> ApiResult {
    on_tenant!(state, headers, id, caller, tenant, actor);
    let new: NewInvitation = body(&bytes)?;
    let email = Email::parse(&new.email).map_err(|error| ApiError::invalid("email", error.to_string()))?;
    let now = state.clock.now();
    let (invitation, token) =
        invitations::invite(&state.store, actor, &tenant, &email, &new.roles, now).await.map_err(invite_error)?;
    audit(&state, &headers, &caller, EventKind::MemberInvited, &tenant, json!({ "invitation_id": invitation.id }))
        .await?;
    send(&state, &caller, &tenant, &invitation, &token).await;
    Ok(json(StatusCode::CREATED, &invitation_view(&invitation, now)))
}

/// Sends a pending invitation's link again, with a new expiry (`members.invite`).
#[utoipa::path(post, path = "/api/v1/tenants/{id}/invitations/{invitation}/resend", tag = "tenants",
    operation_id = "resendInvitation",
    params(("id" = String, Path, description = "The tenant's id"), ("invitation" = String, Path, description = "The invitation's id")),
    responses(
        (status = 200, body = InvitationView),
        (status = 409, description = "Sent less than a minute ago, or no longer pending", body = ApiError),
        (status = 429, description = "Too many invitations lately", body = ApiError),
    ))]
async fn resend(
    State(state): State<AppState>,
    Path((id, invitation)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult {
    on_tenant!(state, headers, id, caller, tenant, actor);
    let now = state.clock.now();
    let (invitation, token) =
        invitations::resend(&state.store, actor, &tenant, &invitation, now).await.map_err(invite_error)?;
    audit(&state, &headers, &caller, EventKind::InvitationResent, &tenant, json!({ "invitation_id": invitation.id }))
        .await?;
    send(&state, &caller, &tenant, &invitation, &token).await;
    Ok(json(StatusCode::OK, &invitation_view(&invitation, now)))
}

/// Withdraws a pending invitation: its link stops working (`members.invite`).
#[utoipa::path(delete, path = "/api/v1/tenants/{id}/invitations/{invitation}", tag = "tenants",
    operation_id = "revokeInvitation",
    params(("id" = String, Path, description = "The tenant's id"), ("invitation" = String, Path, description = "The invitation's id")),
    responses((status = 200, body = Revoked), (status = 409, description = "No longer pending", body = ApiError)))]
async fn revoke(
    State(state): State<AppState>,
    Path((id, invitation)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult {
    on_tenant!(state, headers, id, caller, tenant, actor);
    let now = state.clock.now();
    let revoked = invitations::revoke(&state.store, actor, &tenant, &invitation, now).await.map_err(invite_error)?;
    audit(&state, &headers, &caller, EventKind::InvitationRevoked, &tenant, json!({ "invitation_id": revoked.id }))
        .await?;
    Ok(json(StatusCode::OK, &Revoked { revoked: revoked.id }))
}

/// Mails the link, in the inviting person's language (English for a service).
async fn send(state: &AppState, caller: &Caller, tenant: &TenantId, invitation: &Invitation, token: &str) {
    let (inviter, locale) = match caller {
        Caller::Person(me) => (Some(me.user.email.as_str()), me.user.locale.as_str()),
        Caller::Service { .. } => (None, "en"),
    };
    crate::http::organizations::send_invitation_mail(state, inviter, locale, tenant, &invitation.email, token).await;
}
