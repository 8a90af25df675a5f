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

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post, put};
use sanus_core::audit::EventKind;
use sanus_core::organizations::invitations::{self, Invitation, InviteError};
use sanus_core::organizations::{self as orgs, MemberQuery, Role};
use sanus_core::tenants::{Tenant, TenantId, TenantKind, TenantName};
use sanus_core::users::{Email, UserId};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{ApiError, Caller, audit, body, caller, json};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tenants", get(list).post(create))
        .route("/api/v1/tenants/{id}", get(show).patch(update).delete(archive))
        .route("/api/v1/tenants/{id}/departments", get(departments).post(add_department))
        .route("/api/v1/tenants/{id}/members", get(members))
        .route("/api/v1/tenants/{id}/members/{user}", axum::routing::delete(remove_member))
        .route("/api/v1/tenants/{id}/members/{user}/roles", put(set_roles))
        .route("/api/v1/tenants/{id}/invitations", get(pending).post(invite))
        .route("/api/v1/tenants/{id}/invitations/{invitation}", axum::routing::delete(revoke))
        .route("/api/v1/tenants/{id}/invitations/{invitation}/resend", post(resend))
        .route("/api/v1/tenants/{id}/audit", get(audit_log))
}

#[derive(Serialize)]
struct TenantJson {
    id: String,
    name: String,
    kind: &'static str,
    parent_id: Option<String>,
    root_id: String,
}

impl From<&orgs::Reached> for TenantJson {
    fn from(tenant: &orgs::Reached) -> Self {
        Self {
            id: tenant.id.to_string(),
            name: tenant.name.clone(),
            kind: tenant.kind.as_str(),
            parent_id: tenant.parent_id.as_ref().map(TenantId::to_string),
            root_id: tenant.root_id.to_string(),
        }
    }
}

impl From<&Tenant> for TenantJson {
    fn from(tenant: &Tenant) -> Self {
        Self {
            id: tenant.id.to_string(),
            name: tenant.name.clone(),
            kind: tenant.kind.as_str(),
            parent_id: tenant.parent_id.as_ref().map(TenantId::to_string),
            root_id: tenant.root_id.to_string(),
        }
    }
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

async fn list(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let tenants: Vec<TenantJson> = match caller(&state, &headers).await? {
        Caller::Person(me) => {
            let reach = orgs::reach(&state.store, &me.user.id).await?;
            reach.tenants.iter().map(TenantJson::from).collect()
        }
        Caller::Service { tenants, .. } => {
            let mut listed = Vec::new();
            for id in &tenants {
                if let Some(tenant) = sanus_core::tenants::find_tenant(&state.store, id).await?
                    && tenant.archived_at.is_none()
                {
                    listed.push(TenantJson::from(&tenant));
                }
            }
            listed
        }
    };
    Ok(json(StatusCode::OK, &json!({ "tenants": tenants })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewTenantJson {
    name: String,
    #[serde(default)]
    kind: Option<String>,
}

async fn create(State(state): State<AppState>, headers: HeaderMap, bytes: Bytes) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let Caller::Person(me) = &caller else {
        return Err(ApiError::forbidden("Organisations are created by people, who become their Admin."));
    };
    let new: NewTenantJson = body(&bytes)?;
    let name = name_of(&new.name)?;
    let kind = match new.kind.as_deref() {
        None => TenantKind::Organization,
        Some(kind) => {
            TenantKind::parse(kind).ok_or_else(|| ApiError::invalid("kind", "organization or development"))?
        }
    };
    let tenant = orgs::create_organization(&state.store, &me.user.id, kind, name, state.clock.now()).await?;
    audit(&state, &headers, &caller, EventKind::TenantCreated, &tenant.id, json!({ "kind": kind.as_str() })).await?;
    Ok(json(StatusCode::CREATED, &TenantJson::from(&tenant)))
}

async fn show(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult {
    on_tenant!(state, headers, id, _caller, tenant, actor);
    let access = orgs::require(&state.store, actor, &tenant, orgs::Permission::TenantRead).await?;
    let permissions: Vec<&str> = access.permissions().iter().map(|p| p.as_str()).collect();
    let roles: Vec<&str> = access.roles.iter().map(Role::as_str).collect();
    let require_mfa = access.tenant.is_root() && orgs::requires_mfa(&state.store, &tenant).await?;
    Ok(json(
        StatusCode::OK,
        &json!({ "tenant": TenantJson::from(&access.tenant), "roles": roles, "permissions": permissions,
                 "require_mfa": require_mfa }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantPatch {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    require_mfa: Option<bool>,
}

async fn update(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, bytes: Bytes) -> ApiResult {
    on_tenant!(state, headers, id, caller, tenant, actor);
    let patch: TenantPatch = body(&bytes)?;
    let now = state.clock.now();
    let name = patch.name.as_deref().map(name_of).transpose()?;
    // Everything is checked before anything changes.
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

async fn archive(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult {
    on_tenant!(state, headers, id, caller, tenant, actor);
    let archived = orgs::archive_tenant(&state.store, actor, &tenant, state.clock.now()).await?;
    state.access_tokens.invalidate();
    audit(
        &state,
        &headers,
        &caller,
        EventKind::TenantChanged,
        &tenant,
        json!({ "change": "archived", "tenants": archived }),
    )
    .await?;
    Ok(json(StatusCode::OK, &json!({ "archived": archived })))
}

async fn departments(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult {
    on_tenant!(state, headers, id, _caller, tenant, actor);
    let listed = orgs::departments(&state.store, actor, &tenant).await?;
    let listed: Vec<TenantJson> = listed.iter().map(TenantJson::from).collect();
    Ok(json(StatusCode::OK, &json!({ "departments": listed })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NameJson {
    name: String,
}

async fn add_department(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    on_tenant!(state, headers, id, caller, tenant, actor);
    let new: NameJson = body(&bytes)?;
    let name = name_of(&new.name)?;
    let department = orgs::add_department(&state.store, actor, &tenant, name, state.clock.now()).await?;
    audit(
        &state,
        &headers,
        &caller,
        EventKind::DepartmentAdded,
        &tenant,
        json!({ "department_id": department.id.as_str() }),
    )
    .await?;
    Ok(json(StatusCode::CREATED, &TenantJson::from(&department)))
}

/// The audit log of the tenant and everything below it, newest first.
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
    let events: Vec<serde_json::Value> = events
        .into_iter()
        .map(|e| {
            json!({
                "at": e.at, "kind": e.kind, "user_id": e.user_id, "client_id": e.client_id, "address": e.address,
                "request_id": e.request_id,
                "detail": serde_json::from_str::<serde_json::Value>(&e.detail).unwrap_or(serde_json::Value::Null),
            })
        })
        .collect();
    Ok(json(StatusCode::OK, &json!({ "events": events })))
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
    let page = orgs::list_members(&state.store, actor, &tenant, &member_query).await?;
    let members: Vec<serde_json::Value> = page
        .members
        .iter()
        .map(|m| {
            json!({
                "user_id": m.user_id.as_str(), "email": m.email, "given_name": m.given_name,
                "family_name": m.family_name, "roles": m.roles.iter().map(Role::as_str).collect::<Vec<_>>(),
                "since": m.since.seconds(),
            })
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &json!({ "members": members, "total": page.total, "page": member_query.page, "per_page": per_page }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RolesJson {
    roles: Vec<String>,
}

async fn set_roles(
    State(state): State<AppState>,
    Path((id, user)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    on_tenant!(state, headers, id, caller, tenant, actor);
    let wanted: RolesJson = body(&bytes)?;
    let member = UserId::from_stored(user);
    orgs::set_member_roles(&state.store, actor, &tenant, &member, &wanted.roles, state.clock.now()).await?;
    state.access_tokens.invalidate();
    audit(
        &state,
        &headers,
        &caller,
        EventKind::MemberRolesChanged,
        &tenant,
        json!({ "member": member.as_str(), "roles": wanted.roles }),
    )
    .await?;
    Ok(json(StatusCode::OK, &json!({ "user_id": member.as_str(), "roles": wanted.roles })))
}

async fn remove_member(
    State(state): State<AppState>,
    Path((id, user)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult {
    on_tenant!(state, headers, id, caller, tenant, actor);
    let member = UserId::from_stored(user);
    orgs::remove_member(&state.store, actor, &tenant, &member, state.clock.now()).await?;
    audit(&state, &headers, &caller, EventKind::MemberRemoved, &tenant, json!({ "member": member.as_str() })).await?;
    Ok(json(StatusCode::OK, &json!({ "removed": member.as_str() })))
}

fn invitation_json(invitation: &Invitation, now: sanus_core::UnixTime) -> serde_json::Value {
    let state = match invitation.state(now) {
        invitations::State::Pending => "pending",
        invitations::State::Accepted => "accepted",
        invitations::State::Revoked => "revoked",
        invitations::State::Expired => "expired",
    };
    json!({
        "id": invitation.id, "email": invitation.email,
        "roles": invitation.roles.iter().map(Role::as_str).collect::<Vec<_>>(),
        "sent_at": invitation.sent_at.seconds(), "expires_at": invitation.expires_at.seconds(), "state": state,
    })
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

async fn pending(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult {
    on_tenant!(state, headers, id, _caller, tenant, actor);
    let now = state.clock.now();
    let listed = invitations::pending(&state.store, actor, &tenant, now).await?;
    let listed: Vec<serde_json::Value> = listed.iter().map(|i| invitation_json(i, now)).collect();
    Ok(json(StatusCode::OK, &json!({ "invitations": listed })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InviteJson {
    email: String,
    roles: Vec<String>,
}

async fn invite(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, bytes: Bytes) -> ApiResult {
    on_tenant!(state, headers, id, caller, tenant, actor);
    let new: InviteJson = body(&bytes)?;
    let email = Email::parse(&new.email).map_err(|error| ApiError::invalid("email", error.to_string()))?;
    let now = state.clock.now();
    let (invitation, token) =
        invitations::invite(&state.store, actor, &tenant, &email, &new.roles, now).await.map_err(invite_error)?;
    audit(&state, &headers, &caller, EventKind::MemberInvited, &tenant, json!({ "invitation_id": invitation.id }))
        .await?;
    send(&state, &caller, &tenant, &invitation, &token).await;
    Ok(json(StatusCode::CREATED, &invitation_json(&invitation, now)))
}

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
    Ok(json(StatusCode::OK, &invitation_json(&invitation, now)))
}

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
    Ok(json(StatusCode::OK, &json!({ "revoked": revoked.id })))
}

/// Mails the link, in the inviting person's language (English for a service).
async fn send(state: &AppState, caller: &Caller, tenant: &TenantId, invitation: &Invitation, token: &str) {
    let (inviter, locale) = match caller {
        Caller::Person(me) => (Some(me.user.email.as_str()), me.user.locale.as_str()),
        Caller::Service { .. } => (None, "en"),
    };
    crate::http::organizations::send_invitation_mail(state, inviter, locale, tenant, &invitation.email, token).await;
}
