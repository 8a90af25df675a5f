//! `/api/v1/…applications` and `/api/v1/clients`: what developers build.
//!
//! | method and path | who |
//! | --- | --- |
//! | `GET /tenants/{id}/applications` | `tenant.read` |
//! | `POST /tenants/{id}/applications` `{short_key, name, description?}` | `applications.manage` (a development tenant) |
//! | `GET /applications/key-available?short_key=` | anyone signed in or with a token |
//! | `GET /applications/{id}` (with scopes, permissions, roles) | `applications.manage`, or `{short_key}_admin` |
//! | `PATCH /applications/{id}` `{name, description?}` | same |
//! | `DELETE /applications/{id}` (its clients' tokens stop at once) | same |
//! | `POST /applications/{id}/scopes` `{name, description?}`; `DELETE …/scopes/{name}` | same |
//! | `POST /applications/{id}/permissions` `{name}` | same |
//! | `PUT /applications/{id}/roles/{name}` `{permissions}` | same |
//! | `GET /applications/{id}/clients`; `POST` (a registration, see `ClientSpec`) | `clients.manage`, or `{short_key}_admin` |
//! | `GET /clients/{id}`; `PUT` (a registration); `DELETE` | same |
//! | `POST /clients/{id}/secret` `{grace_seconds?}` (rotate) | same |
//!
//! A new confidential client's secret, and a rotated one, is in the answer
//! once (`client_secret`) and never again.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post, put};
use sanus_core::applications::manage::{self, ManageError, Manager};
use sanus_core::applications::{Application, get_application};
use sanus_core::audit::EventKind;
use sanus_core::clients::{Client, ClientSpec};
use sanus_core::organizations::{Actor, Permission};
use sanus_core::tenants::TenantId;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, Caller, audit, body, caller, json};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tenants/{id}/applications", get(list).post(create))
        .route("/api/v1/applications/key-available", get(key_available))
        .route("/api/v1/applications/{id}", get(show).patch(update).delete(remove))
        .route("/api/v1/applications/{id}/scopes", post(add_scope))
        .route("/api/v1/applications/{id}/scopes/{name}", axum::routing::delete(remove_scope))
        .route("/api/v1/applications/{id}/permissions", post(add_permission))
        .route("/api/v1/applications/{id}/roles/{name}", put(put_role))
        .route("/api/v1/applications/{id}/clients", get(clients).post(create_client))
        .route("/api/v1/clients/{id}", get(show_client).put(update_client).delete(delete_client))
        .route("/api/v1/clients/{id}/secret", post(rotate_secret))
}

type ApiResult = Result<Response, ApiError>;

impl From<ManageError> for ApiError {
    fn from(error: ManageError) -> Self {
        match error {
            ManageError::Access(error) => error.into(),
            ManageError::Store(error) => error.into(),
            ManageError::NotDevelopment => {
                ApiError::invalid("tenant", "applications belong to development tenants; create one first")
            }
            ManageError::Invalid(errors) => ApiError::fields(errors),
            ManageError::KeyTaken(key) => ApiError::conflict(format!("The short key {key} is taken: choose another.")),
            ManageError::NameTaken(name) => ApiError::conflict(format!("The name {name} is taken.")),
            ManageError::NoSecret => ApiError::invalid("client", "a public client has no secret to rotate"),
        }
    }
}

impl Caller {
    /// Who manages the application `id` (`NotFound` when the caller has no
    /// way to it): a person; a service with the application's
    /// `{short_key}_admin`; or one with `{tenant_id}_admin` above it.
    async fn manager_for<'a>(&'a self, state: &AppState, id: &str) -> Result<Manager<'a>, ApiError> {
        match self {
            Self::Person(me) => Ok(Manager::Actor(Actor::Person(&me.user.id))),
            Self::Service { applications, .. } => {
                let id = sanus_core::applications::ApplicationId::from_stored(id.to_string());
                let application = match get_application(&state.store, &id).await {
                    Ok(application) => application,
                    Err(sanus_core::StoreError::NotFound) => return Err(ApiError::not_found()),
                    Err(error) => return Err(error.into()),
                };
                if let Some(key) = applications.iter().find(|key| **key == application.short_key.as_str()) {
                    return Ok(Manager::AppAdmin(key));
                }
                Ok(Manager::Actor(self.actor_for(state, &application.tenant_id).await?))
            }
        }
    }

    /// Who manages the client `id`.
    async fn manager_for_client<'a>(&'a self, state: &AppState, id: &str) -> Result<Manager<'a>, ApiError> {
        match self {
            Self::Person(me) => Ok(Manager::Actor(Actor::Person(&me.user.id))),
            Self::Service { .. } => {
                let client =
                    sanus_core::clients::find_client(&state.store, id).await?.ok_or_else(ApiError::not_found)?;
                self.manager_for(state, client.application_id.as_str()).await
            }
        }
    }
}

fn application_json(application: &Application) -> Value {
    json!({
        "id": application.id.as_str(),
        "tenant_id": application.tenant_id.as_str(),
        "short_key": application.short_key.as_str(),
        "name": application.name,
        "description": application.description,
        "created_at": application.created_at.0,
        "updated_at": application.updated_at.0,
    })
}

/// A client's registration as the API shows it (never a secret).
pub fn client_json(client: &Client) -> Value {
    json!({
        "client_id": client.id.as_str(),
        "application_id": client.application_id.as_str(),
        "kind": client.kind.as_str(),
        "name": client.name,
        "description": client.description,
        "logo_uri": client.logo_uri,
        "client_uri": client.client_uri,
        "policy_uri": client.policy_uri,
        "tos_uri": client.tos_uri,
        "token_endpoint_auth_method": client.auth_method.as_str(),
        "redirect_uris": client.redirect_uris,
        "post_logout_redirect_uris": client.post_logout_redirect_uris,
        "web_origins": client.web_origins,
        "grant_types": client.grant_types.iter().map(|g| g.as_str()).collect::<Vec<_>>(),
        "allowed_scopes": client.allowed_scopes,
        "require_pkce": client.require_pkce,
        "first_party": client.first_party,
        "require_mfa": client.require_mfa,
        "tenant_context": client.tenant_context,
        "access_token_ttl": client.access_token_ttl,
        "refresh_token_ttl": client.refresh_token_ttl,
        "id_token_signed_response_alg": client.id_token_alg.as_str(),
        "metadata": client.metadata,
        "created_at": client.created_at.0,
        "updated_at": client.updated_at.0,
    })
}

async fn list(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let tenant = TenantId::parse(&id).ok_or_else(ApiError::not_found)?;
    let actor = caller.actor_for(&state, &tenant).await?;
    let applications = manage::list_applications(&state.store, actor, &tenant).await?;
    Ok(json(StatusCode::OK, &json!({ "applications": applications.iter().map(application_json).collect::<Vec<_>>() })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewApplication {
    short_key: String,
    name: String,
    #[serde(default)]
    description: Option<String>,
}

async fn create(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, bytes: Bytes) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let tenant = TenantId::parse(&id).ok_or_else(ApiError::not_found)?;
    let actor = caller.actor_for(&state, &tenant).await?;
    let new: NewApplication = body(&bytes)?;
    let now = state.clock.now();
    let application = manage::create_application(
        &state.store,
        actor,
        &tenant,
        &new.short_key,
        &new.name,
        new.description.as_deref(),
        now,
    )
    .await?;
    let detail = json!({ "application": application.id.as_str(), "short_key": application.short_key.as_str() });
    audit(&state, &headers, &caller, EventKind::ApplicationCreated, &tenant, detail).await?;
    Ok(json(StatusCode::CREATED, &application_json(&application)))
}

#[derive(Deserialize)]
struct KeyQuery {
    #[serde(default)]
    short_key: String,
}

/// Whether a short key can be had: for the form that says so as one types.
async fn key_available(State(state): State<AppState>, headers: HeaderMap, Query(query): Query<KeyQuery>) -> ApiResult {
    caller(&state, &headers).await?;
    let key = query.short_key.trim();
    let valid = sanus_core::applications::ShortKey::parse(key).is_ok();
    let available = valid && manage::key_available(&state.store, key).await?;
    Ok(json(StatusCode::OK, &json!({ "short_key": key, "valid": valid, "available": available })))
}

async fn show(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for(&state, &id).await?;
    let application = manage::application(&state.store, manager, &id, Permission::ApplicationsManage).await?;
    let scopes = manage::list_scopes(&state.store, &application).await?;
    let permissions = manage::list_permissions(&state.store, &application).await?;
    let roles = manage::list_roles(&state.store, &application).await?;
    let mut shown = application_json(&application);
    shown["scopes"] =
        json!(scopes.iter().map(|s| json!({ "name": s.name, "description": s.description })).collect::<Vec<_>>());
    shown["permissions"] = json!(permissions);
    shown["roles"] = json!(roles);
    Ok(json(StatusCode::OK, &shown))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplicationChange {
    name: String,
    #[serde(default)]
    description: Option<String>,
}

async fn update(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, bytes: Bytes) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for(&state, &id).await?;
    let change: ApplicationChange = body(&bytes)?;
    let now = state.clock.now();
    let application =
        manage::update_application(&state.store, manager, &id, &change.name, change.description.as_deref(), now)
            .await?;
    let detail = json!({ "application": application.id.as_str(), "change": "renamed" });
    audit(&state, &headers, &caller, EventKind::ApplicationChanged, &application.tenant_id, detail).await?;
    Ok(json(StatusCode::OK, &application_json(&application)))
}

async fn remove(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for(&state, &id).await?;
    let application = manage::application(&state.store, manager, &id, Permission::ApplicationsManage).await?;
    let clients = manage::delete_application(&state.store, manager, &id, state.clock.now()).await?;
    for client in &clients {
        state.clients.invalidate(client.as_str());
    }
    state.access_tokens.invalidate();
    let detail = json!({ "application": application.id.as_str(), "short_key": application.short_key.as_str(),
        "clients": clients.iter().map(|c| c.as_str()).collect::<Vec<_>>() });
    audit(&state, &headers, &caller, EventKind::ApplicationDeleted, &application.tenant_id, detail).await?;
    Ok(json(StatusCode::OK, &json!({ "deleted": application.id.as_str(), "clients_deleted": clients.len() })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NamedThing {
    name: String,
    #[serde(default)]
    description: Option<String>,
}

/// The application's tenant, for the audit record.
async fn tenant_of(state: &AppState, manager: Manager<'_>, id: &str) -> Result<TenantId, ApiError> {
    Ok(manage::application(&state.store, manager, id, Permission::ApplicationsManage).await?.tenant_id)
}

async fn add_scope(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for(&state, &id).await?;
    let new: NamedThing = body(&bytes)?;
    let scope =
        manage::define_scope(&state.store, manager, &id, &new.name, new.description.as_deref(), state.clock.now())
            .await?;
    let tenant = tenant_of(&state, manager, &id).await?;
    let detail = json!({ "application": id, "change": "scope_added", "scope": scope.name });
    audit(&state, &headers, &caller, EventKind::ApplicationChanged, &tenant, detail).await?;
    Ok(json(StatusCode::CREATED, &json!({ "name": scope.name, "description": scope.description })))
}

async fn remove_scope(
    State(state): State<AppState>,
    Path((id, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for(&state, &id).await?;
    let Some(changed) = manage::remove_scope(&state.store, manager, &id, &name).await? else {
        return Err(ApiError::not_found());
    };
    for client in &changed {
        state.clients.invalidate(client.as_str());
    }
    let tenant = tenant_of(&state, manager, &id).await?;
    let detail = json!({ "application": id, "change": "scope_removed", "scope": name });
    audit(&state, &headers, &caller, EventKind::ApplicationChanged, &tenant, detail).await?;
    Ok(json(StatusCode::OK, &json!({ "removed": name })))
}

async fn add_permission(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for(&state, &id).await?;
    let new: NamedThing = body(&bytes)?;
    manage::define_permission(&state.store, manager, &id, &new.name, state.clock.now()).await?;
    let tenant = tenant_of(&state, manager, &id).await?;
    let detail = json!({ "application": id, "change": "permission_added", "permission": new.name.trim() });
    audit(&state, &headers, &caller, EventKind::ApplicationChanged, &tenant, detail).await?;
    Ok(json(StatusCode::CREATED, &json!({ "name": new.name.trim() })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleBundle {
    permissions: Vec<String>,
}

async fn put_role(
    State(state): State<AppState>,
    Path((id, name)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for(&state, &id).await?;
    let bundle: RoleBundle = body(&bytes)?;
    manage::define_role(&state.store, manager, &id, &name, &bundle.permissions, state.clock.now()).await?;
    let tenant = tenant_of(&state, manager, &id).await?;
    let detail =
        json!({ "application": id, "change": "role_defined", "role": name, "permissions": bundle.permissions });
    audit(&state, &headers, &caller, EventKind::ApplicationChanged, &tenant, detail).await?;
    Ok(json(StatusCode::OK, &json!({ "name": name, "permissions": bundle.permissions })))
}

async fn clients(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for(&state, &id).await?;
    let clients = manage::list_clients(&state.store, manager, &id).await?;
    Ok(json(StatusCode::OK, &json!({ "clients": clients.iter().map(client_json).collect::<Vec<_>>() })))
}

/// A registration as the API takes it: `ClientSpec`, and the service
/// account (an address) a machine client acts as.
#[derive(Deserialize)]
struct Registration {
    #[serde(flatten)]
    spec: Value,
    #[serde(default)]
    service_account: Option<String>,
}

fn spec_of(bytes: &[u8]) -> Result<(ClientSpec, Option<String>), ApiError> {
    let registration: Registration = body(bytes)?;
    let mut spec = registration.spec;
    if let Some(object) = spec.as_object_mut() {
        object.remove("service_account");
    }
    let spec: ClientSpec = serde_json::from_value(spec)
        .map_err(|error| ApiError::invalid("body", format!("not a client registration: {error}")))?;
    Ok((spec, registration.service_account))
}

async fn create_client(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for(&state, &id).await?;
    let (spec, service_account) = spec_of(&bytes)?;
    let now = state.clock.now();
    let registered = manage::create_client(&state.store, manager, &id, spec, service_account.as_deref(), now).await?;
    let tenant = tenant_of(&state, manager, &id).await?;
    let detail = json!({ "client": registered.client.id.as_str(), "kind": registered.client.kind.as_str() });
    audit(&state, &headers, &caller, EventKind::ClientCreated, &tenant, detail).await?;
    let mut shown = client_json(&registered.client);
    if let Some(secret) = &registered.secret {
        shown["client_secret"] = json!(secret.expose());
    }
    Ok(json(StatusCode::CREATED, &shown))
}

async fn show_client(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for_client(&state, &id).await?;
    let (_, client) = manage::client(&state.store, manager, &id).await?;
    Ok(json(StatusCode::OK, &client_json(&client)))
}

async fn update_client(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for_client(&state, &id).await?;
    let (spec, service_account) = spec_of(&bytes)?;
    let client =
        manage::update_client(&state.store, manager, &id, spec, service_account.as_deref(), state.clock.now()).await?;
    state.clients.invalidate(client.id.as_str());
    let (application, _) = manage::client(&state.store, manager, &id).await?;
    let detail = json!({ "client": client.id.as_str() });
    audit(&state, &headers, &caller, EventKind::ClientChanged, &application.tenant_id, detail).await?;
    Ok(json(StatusCode::OK, &client_json(&client)))
}

async fn delete_client(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for_client(&state, &id).await?;
    let (application, client) = manage::client(&state.store, manager, &id).await?;
    manage::delete_client(&state.store, manager, &id, state.clock.now()).await?;
    state.clients.invalidate(client.id.as_str());
    state.access_tokens.invalidate();
    let detail = json!({ "client": client.id.as_str() });
    audit(&state, &headers, &caller, EventKind::ClientDeleted, &application.tenant_id, detail).await?;
    Ok(json(StatusCode::OK, &json!({ "deleted": client.id.as_str() })))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Rotation {
    #[serde(default)]
    grace_seconds: Option<i64>,
}

/// The grace period when none is asked for: an hour, time to deploy.
const DEFAULT_GRACE_SECONDS: i64 = 3_600;

async fn rotate_secret(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for_client(&state, &id).await?;
    let rotation: Rotation = if bytes.is_empty() { Rotation::default() } else { body(&bytes)? };
    let grace = rotation.grace_seconds.unwrap_or(DEFAULT_GRACE_SECONDS);
    let now = state.clock.now();
    let secret = manage::rotate_secret(&state.store, manager, &id, grace, now).await?;
    state.clients.invalidate(&id);
    let (application, _) = manage::client(&state.store, manager, &id).await?;
    let detail = json!({ "client": id, "grace_seconds": grace });
    audit(&state, &headers, &caller, EventKind::ClientSecretRotated, &application.tenant_id, detail).await?;
    Ok(json(
        StatusCode::OK,
        &json!({ "client_id": id, "client_secret": secret.expose(), "previous_secrets_expire_at": now.0 + grace }),
    ))
}
