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

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use sanus_core::applications::get_application;
use sanus_core::applications::manage::{self, ManageError, Manager};
use sanus_core::applications::registration;
use sanus_core::audit::EventKind;
use sanus_core::clients::ClientSpec;
use sanus_core::organizations::{Actor, Permission};
use sanus_core::tenants::TenantId;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::{
    ApplicationChange, ApplicationDeleted, ApplicationDetail, ApplicationList, ApplicationView, ClientList,
    ClientRegistration, ClientView, Deleted, InitialTokenList, InitialTokenView, KeyAvailability, NewApplication,
    NewInitialToken, PermissionView, Removed, RoleBundle, RoleView, RotatedSecret, Rotation, ScopeView,
};
use super::{ApiError, Caller, audit, body, caller, json};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(key_available))
        .routes(routes!(show, update, remove))
        .routes(routes!(add_scope))
        .routes(routes!(remove_scope))
        .routes(routes!(add_permission))
        .routes(routes!(put_role))
        .routes(routes!(clients, create_client))
        .routes(routes!(show_client, update_client, delete_client))
        .routes(routes!(rotate_secret))
        .routes(routes!(initial_tokens, create_initial_token))
        .routes(routes!(revoke_initial_token))
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
            ManageError::SecretWithheld { .. } => ApiError::forbidden(format!("{error}.")),
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

/// A development tenant's applications (`tenant.read`).
#[utoipa::path(get, path = "/api/v1/tenants/{id}/applications", tag = "applications",
    operation_id = "listApplications",
    params(("id" = String, Path, description = "The development tenant's id")),
    responses((status = 200, body = ApplicationList)))]
async fn list(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let tenant = TenantId::parse(&id).ok_or_else(ApiError::not_found)?;
    let actor = caller.actor_for(&state, &tenant).await?;
    let applications = manage::list_applications(&state.store, actor, &tenant).await?;
    Ok(json(
        StatusCode::OK,
        &ApplicationList { applications: applications.iter().map(ApplicationView::from).collect() },
    ))
}

/// Creates an application in a development tenant (`applications.manage`).
#[utoipa::path(post, path = "/api/v1/tenants/{id}/applications", tag = "applications",
    operation_id = "createApplication",
    params(("id" = String, Path, description = "The development tenant's id")),
    request_body = NewApplication,
    responses((status = 201, body = ApplicationView), (status = 409, description = "The short key is taken", body = ApiError)))]
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
    Ok(json(StatusCode::CREATED, &ApplicationView::from(&application)))
}

/// Whether a short key can be had: for forms that say so as one types.
#[utoipa::path(get, path = "/api/v1/applications/key-available", tag = "applications",
    operation_id = "shortKeyAvailable",
    params(("short_key" = String, Query, description = "The key wanted")),
    responses((status = 200, body = KeyAvailability)))]
async fn key_available(State(state): State<AppState>, headers: HeaderMap, RawQuery(query): RawQuery) -> ApiResult {
    caller(&state, &headers).await?;
    // Read by hand, so that a bad query gets the API's JSON error too.
    let query = query.unwrap_or_default();
    let mut keys = url::form_urlencoded::parse(query.as_bytes()).filter(|(name, _)| name == "short_key");
    let wanted = keys.next().map(|(_, value)| value).unwrap_or_default();
    if keys.next().is_some() {
        return Err(ApiError::invalid("short_key", "give it once"));
    }
    let key = wanted.trim();
    let valid = sanus_core::applications::ShortKey::parse(key).is_ok();
    let available = valid && manage::key_available(&state.store, key).await?;
    Ok(json(StatusCode::OK, &KeyAvailability { short_key: key.to_string(), valid, available }))
}

/// An application with its scopes, permissions and roles
/// (`applications.manage`, or `{short_key}_admin`).
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "applications", operation_id = "getApplication",
    params(("id" = String, Path, description = "The application's id")),
    responses((status = 200, body = ApplicationDetail)))]
async fn show(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for(&state, &id).await?;
    let application = manage::application(&state.store, manager, &id, Permission::ApplicationsManage).await?;
    let scopes = manage::list_scopes(&state.store, &application).await?;
    let permissions = manage::list_permissions(&state.store, &application).await?;
    let roles = manage::list_roles(&state.store, &application).await?;
    let scopes = scopes.into_iter().map(|s| ScopeView { name: s.name, description: s.description }).collect();
    Ok(json(
        StatusCode::OK,
        &ApplicationDetail { application: ApplicationView::from(&application), scopes, permissions, roles },
    ))
}

/// Renames an application (`applications.manage`, or `{short_key}_admin`);
/// its short key stays.
#[utoipa::path(patch, path = "/api/v1/applications/{id}", tag = "applications", operation_id = "updateApplication",
    params(("id" = String, Path, description = "The application's id")),
    request_body = ApplicationChange, responses((status = 200, body = ApplicationView)))]
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
    Ok(json(StatusCode::OK, &ApplicationView::from(&application)))
}

/// Deletes an application and its clients; their tokens stop working at
/// once (`applications.manage`, or `{short_key}_admin`).
#[utoipa::path(delete, path = "/api/v1/applications/{id}", tag = "applications", operation_id = "deleteApplication",
    params(("id" = String, Path, description = "The application's id")),
    responses((status = 200, body = ApplicationDeleted)))]
async fn remove(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for(&state, &id).await?;
    let application = manage::application(&state.store, manager, &id, Permission::ApplicationsManage).await?;
    let deleted = manage::delete_application(&state.store, manager, &id, state.clock.now()).await?;
    let clients = deleted.clients;
    for client in &clients {
        state.clients.invalidate(client.as_str());
    }
    state.access_tokens.invalidate();
    let detail = json!({ "application": application.id.as_str(), "short_key": application.short_key.as_str(),
        "clients": clients.iter().map(|c| c.as_str()).collect::<Vec<_>>() });
    audit(&state, &headers, &caller, EventKind::ApplicationDeleted, &application.tenant_id, detail).await?;
    crate::http::record_ended_memberships(&state, &headers, &application, &deleted.ended_memberships).await?;
    let deleted = ApplicationDeleted { deleted: application.id.as_str().to_string(), clients_deleted: clients.len() };
    Ok(json(StatusCode::OK, &deleted))
}

/// The application's tenant, for the audit record.
async fn tenant_of(state: &AppState, id: &str) -> Result<TenantId, ApiError> {
    // The change just went through with the manager's rights: no second check.
    let id = sanus_core::applications::ApplicationId::from_stored(id.to_string());
    match get_application(&state.store, &id).await {
        Ok(application) => Ok(application.tenant_id),
        Err(sanus_core::StoreError::NotFound) => Err(ApiError::not_found()),
        Err(error) => Err(error.into()),
    }
}

/// Defines an API scope of the application (`applications.manage`, or
/// `{short_key}_admin`).
#[utoipa::path(post, path = "/api/v1/applications/{id}/scopes", tag = "applications", operation_id = "addScope",
    params(("id" = String, Path, description = "The application's id")),
    request_body = ScopeView,
    responses((status = 201, body = ScopeView), (status = 409, description = "The scope exists", body = ApiError)))]
async fn add_scope(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for(&state, &id).await?;
    let new: ScopeView = body(&bytes)?;
    let scope =
        manage::define_scope(&state.store, manager, &id, &new.name, new.description.as_deref(), state.clock.now())
            .await?;
    let tenant = tenant_of(&state, &id).await?;
    let detail = json!({ "application": id, "change": "scope_added", "scope": scope.name });
    audit(&state, &headers, &caller, EventKind::ApplicationChanged, &tenant, detail).await?;
    Ok(json(StatusCode::CREATED, &ScopeView { name: scope.name, description: scope.description }))
}

/// Removes an API scope, from the application and from every client
/// allowed it.
#[utoipa::path(delete, path = "/api/v1/applications/{id}/scopes/{name}", tag = "applications",
    operation_id = "removeScope",
    params(("id" = String, Path, description = "The application's id"), ("name" = String, Path, description = "The scope")),
    responses((status = 200, body = Removed)))]
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
    let tenant = tenant_of(&state, &id).await?;
    let detail = json!({ "application": id, "change": "scope_removed", "scope": name });
    audit(&state, &headers, &caller, EventKind::ApplicationChanged, &tenant, detail).await?;
    Ok(json(StatusCode::OK, &Removed { removed: name }))
}

/// Defines a permission of the application, for its roles.
#[utoipa::path(post, path = "/api/v1/applications/{id}/permissions", tag = "applications",
    operation_id = "addPermission",
    params(("id" = String, Path, description = "The application's id")),
    request_body = PermissionView,
    responses((status = 201, body = PermissionView), (status = 409, description = "The permission exists", body = ApiError)))]
async fn add_permission(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for(&state, &id).await?;
    let new: PermissionView = body(&bytes)?;
    let name = new.name.trim().to_string();
    manage::define_permission(&state.store, manager, &id, &name, state.clock.now()).await?;
    let tenant = tenant_of(&state, &id).await?;
    let detail = json!({ "application": id, "change": "permission_added", "permission": name });
    audit(&state, &headers, &caller, EventKind::ApplicationChanged, &tenant, detail).await?;
    Ok(json(StatusCode::CREATED, &PermissionView { name }))
}

/// Defines a role, or replaces its permissions.
#[utoipa::path(put, path = "/api/v1/applications/{id}/roles/{name}", tag = "applications", operation_id = "putRole",
    params(("id" = String, Path, description = "The application's id"), ("name" = String, Path, description = "The role, `{short_key}_…`")),
    request_body = RoleBundle, responses((status = 200, body = RoleView)))]
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
    let tenant = tenant_of(&state, &id).await?;
    let detail =
        json!({ "application": id, "change": "role_defined", "role": name, "permissions": bundle.permissions });
    audit(&state, &headers, &caller, EventKind::ApplicationChanged, &tenant, detail).await?;
    Ok(json(StatusCode::OK, &RoleView { name, permissions: bundle.permissions }))
}

/// The application's clients (`clients.manage`, or `{short_key}_admin`).
#[utoipa::path(get, path = "/api/v1/applications/{id}/clients", tag = "clients", operation_id = "listClients",
    params(("id" = String, Path, description = "The application's id")),
    responses((status = 200, body = ClientList)))]
async fn clients(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for(&state, &id).await?;
    let clients = manage::list_clients(&state.store, manager, &id).await?;
    Ok(json(StatusCode::OK, &ClientList { clients: clients.iter().map(ClientView::from).collect() }))
}

/// A registration from a request body: the fields of `ClientSpec`, each
/// checked (an unknown one is refused), and the service account.
fn registration_of(bytes: &[u8]) -> Result<ClientRegistration, ApiError> {
    let mut fields: serde_json::Map<String, Value> = body(bytes)?;
    let service_account = match fields.remove("service_account") {
        None | Some(Value::Null) => None,
        Some(Value::String(address)) => Some(address),
        Some(_) => return Err(ApiError::invalid("service_account", "an e-mail address")),
    };
    let spec: ClientSpec = serde_json::from_value(Value::Object(fields))
        .map_err(|error| ApiError::invalid("body", format!("not a client registration: {error}")))?;
    Ok(ClientRegistration { spec, service_account })
}

/// Registers a client of the application; a confidential client's secret
/// is in this answer once, and never again.
#[utoipa::path(post, path = "/api/v1/applications/{id}/clients", tag = "clients", operation_id = "createClient",
    params(("id" = String, Path, description = "The application's id")),
    request_body = ClientRegistration, responses((status = 201, body = ClientView)))]
async fn create_client(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for(&state, &id).await?;
    let registration = registration_of(&bytes)?;
    let now = state.clock.now();
    let service_account = registration.service_account.as_deref();
    let registered = manage::create_client(&state.store, manager, &id, registration.spec, service_account, now).await?;
    let tenant = tenant_of(&state, &id).await?;
    let detail = json!({ "client": registered.client.id.as_str(), "kind": registered.client.kind.as_str() });
    audit(&state, &headers, &caller, EventKind::ClientCreated, &tenant, detail).await?;
    let mut shown = ClientView::from(&registered.client);
    shown.client_secret = registered.secret.as_ref().map(|secret| secret.expose().to_string());
    Ok(json(StatusCode::CREATED, &shown))
}

/// A client's registration (never its secret).
#[utoipa::path(get, path = "/api/v1/clients/{id}", tag = "clients", operation_id = "getClient",
    params(("id" = String, Path, description = "The client_id")),
    responses((status = 200, body = ClientView)))]
async fn show_client(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for_client(&state, &id).await?;
    let (_, client) = manage::client(&state.store, manager, &id).await?;
    Ok(json(StatusCode::OK, &ClientView::from(&client)))
}

/// Replaces a client's registration; its id and secrets stay.
#[utoipa::path(put, path = "/api/v1/clients/{id}", tag = "clients", operation_id = "replaceClient",
    params(("id" = String, Path, description = "The client_id")),
    request_body = ClientRegistration, responses((status = 200, body = ClientView)))]
async fn update_client(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for_client(&state, &id).await?;
    let registration = registration_of(&bytes)?;
    let service_account = registration.service_account.as_deref();
    let now = state.clock.now();
    let client = manage::update_client(&state.store, manager, &id, registration.spec, service_account, now).await?;
    state.clients.invalidate(client.id.as_str());
    let tenant = tenant_of(&state, client.application_id.as_str()).await?;
    let detail = json!({ "client": client.id.as_str() });
    audit(&state, &headers, &caller, EventKind::ClientChanged, &tenant, detail).await?;
    Ok(json(StatusCode::OK, &ClientView::from(&client)))
}

/// Deletes a client; its tokens stop working at once.
#[utoipa::path(delete, path = "/api/v1/clients/{id}", tag = "clients", operation_id = "deleteClient",
    params(("id" = String, Path, description = "The client_id")),
    responses((status = 200, body = Deleted)))]
async fn delete_client(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for_client(&state, &id).await?;
    let (application, client) = manage::client(&state.store, manager, &id).await?;
    manage::delete_client(&state.store, manager, &id, state.clock.now()).await?;
    state.clients.invalidate(client.id.as_str());
    state.access_tokens.invalidate();
    let detail = json!({ "client": client.id.as_str() });
    audit(&state, &headers, &caller, EventKind::ClientDeleted, &application.tenant_id, detail).await?;
    Ok(json(StatusCode::OK, &Deleted { deleted: client.id.as_str().to_string() }))
}

/// The grace period when none is asked for: an hour, time to deploy.
const DEFAULT_GRACE_SECONDS: i64 = 3_600;

/// Gives a confidential client a new secret, shown in this answer once; the
/// secrets before keep working for the grace period.
#[utoipa::path(post, path = "/api/v1/clients/{id}/secret", tag = "clients", operation_id = "rotateClientSecret",
    params(("id" = String, Path, description = "The client_id")),
    request_body(content = Option<Rotation>, description = "Optional: the grace period"),
    responses((status = 200, body = RotatedSecret)))]
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
    let client = sanus_core::clients::find_client(&state.store, &id).await?.ok_or_else(ApiError::not_found)?;
    let tenant = tenant_of(&state, client.application_id.as_str()).await?;
    let detail = json!({ "client": id, "grace_seconds": grace });
    audit(&state, &headers, &caller, EventKind::ClientSecretRotated, &tenant, detail).await?;
    let rotated = RotatedSecret {
        client_id: id,
        client_secret: secret.expose().to_string(),
        previous_secrets_expire_at: now.0 + grace,
    };
    Ok(json(StatusCode::OK, &rotated))
}

/// The application's initial access tokens for dynamic client registration
/// (`clients.manage`, or `{short_key}_admin`), without the tokens.
#[utoipa::path(get, path = "/api/v1/applications/{id}/initial-access-tokens", tag = "clients",
    operation_id = "listInitialAccessTokens",
    params(("id" = String, Path, description = "The application's id")),
    responses((status = 200, body = InitialTokenList)))]
async fn initial_tokens(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for(&state, &id).await?;
    let tokens = registration::list_initial_tokens(&state.store, manager, &id).await?;
    let now = state.clock.now();
    let listed = tokens.iter().map(|token| InitialTokenView::of(token, now)).collect();
    Ok(json(StatusCode::OK, &InitialTokenList { initial_access_tokens: listed }))
}

/// Makes an initial access token: the Bearer token with which a program
/// registers clients of this application at `POST /oauth2/register` (RFC 7591).
/// The token is in this answer once.
#[utoipa::path(post, path = "/api/v1/applications/{id}/initial-access-tokens", tag = "clients",
    operation_id = "createInitialAccessToken",
    params(("id" = String, Path, description = "The application's id")),
    request_body(content = Option<NewInitialToken>, description = "Optional: validity, uses and a description"),
    responses((status = 201, body = InitialTokenView)))]
async fn create_initial_token(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for(&state, &id).await?;
    let new: NewInitialToken = if bytes.is_empty() { NewInitialToken::default() } else { body(&bytes)? };
    let now = state.clock.now();
    let (initial, token) = registration::create_initial_token(
        &state.store,
        manager,
        &id,
        new.description.as_deref(),
        new.expires_in,
        new.max_uses,
        now,
    )
    .await?;
    let tenant = tenant_of(&state, &id).await?;
    let detail = json!({ "application": id, "initial_access_token": initial.id, "max_uses": initial.max_uses,
        "expires_at": initial.expires_at.0 });
    audit(&state, &headers, &caller, EventKind::InitialTokenCreated, &tenant, detail).await?;
    let mut shown = InitialTokenView::of(&initial, now);
    shown.token = Some(token);
    Ok(json(StatusCode::CREATED, &shown))
}

/// Revokes an initial access token: it registers no more clients; those it
/// registered stay.
#[utoipa::path(delete, path = "/api/v1/applications/{id}/initial-access-tokens/{token_id}", tag = "clients",
    operation_id = "revokeInitialAccessToken",
    params(("id" = String, Path, description = "The application's id"), ("token_id" = String, Path, description = "The token's id")),
    responses((status = 200, body = InitialTokenView)))]
async fn revoke_initial_token(
    State(state): State<AppState>,
    Path((id, token_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult {
    let caller = caller(&state, &headers).await?;
    let manager = caller.manager_for(&state, &id).await?;
    let now = state.clock.now();
    let revoked = registration::revoke_initial_token(&state.store, manager, &id, &token_id, now).await?;
    let tenant = tenant_of(&state, &id).await?;
    let detail = json!({ "application": id, "initial_access_token": revoked.id });
    audit(&state, &headers, &caller, EventKind::InitialTokenRevoked, &tenant, detail).await?;
    Ok(json(StatusCode::OK, &InitialTokenView::of(&revoked, now)))
}
