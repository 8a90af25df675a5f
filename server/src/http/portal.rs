//! The developer portal's pages and forms:
//!
//! - `GET /portal`, `POST /portal/apps` (a new application);
//! - `GET /portal/apps/{id}` and its forms: rename, `scopes`,
//!   `scopes/{name}/remove`, `permissions`, `roles`, `clients`,
//!   `registration-tokens`, `registration-tokens/{id}/revoke`, `delete`;
//! - `GET /portal/clients/{id}` and its forms: save, `secret`, `delete`.
//!
//! Every rule is `sanus_core::applications::manage`'s, as for the
//! management API. A refused form comes back with its input and a message
//! at each field (422); a new or rotated secret and a new initial access
//! token are shown once, on the page the form redirects to (`flash`).

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use sanus_core::applications::Application;
use sanus_core::applications::manage::{self, ManageError, Manager};
use sanus_core::applications::registration;
use sanus_core::audit::EventKind;
use sanus_core::clients::{Client, ClientKind, ClientSpec, GrantType};
use sanus_core::msg;
use sanus_core::organizations::{self as orgs, AccessError, Permission};
use sanus_core::tenants::{TenantId, TenantKind};
use serde::Deserialize;
use serde_json::{Value, json};

use super::account::SignedIn;
use super::client_address::Peer;
use super::flash;
use super::forms::{Acting, Posted, encode, failed, me_or, not_found, path_id};
use crate::oidc::authorize::see_other;
use crate::state::AppState;
use app::dto::{
    AppPageView, AppRowView, ClientForm, ClientPageView, ClientRowView, DevTenantView, DynamicRegistrationView,
    FieldMessages, InitialTokenRow, IntegrationView, NewApplicationEntered, PortalNotice, PortalView, TenantRef,
};

const PORTAL: &str = "/portal";
/// The body of a portal form, at most.
const FORM_LIMIT: usize = 64 * 1024;

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    notice: Option<String>,
}

/// The field messages in the page's language.
fn messages(errors: &sanus_core::validation::FieldErrors, language: &str) -> FieldMessages {
    errors
        .fields()
        .flat_map(|f| errors.messages(f).iter().map(move |m| (f.to_string(), m.in_language(language).to_string())))
        .collect()
}

fn one(field: &str, message: impl Into<String>) -> FieldMessages {
    vec![(field.to_string(), message.into())]
}

/// A portal change for the audit log: who, from where, which tenant.
async fn record(
    state: &AppState,
    headers: &HeaderMap,
    peer: &Peer,
    me: &SignedIn,
    kind: EventKind,
    tenant: &TenantId,
    detail: Value,
) -> Result<(), Response> {
    let acting = Acting { state, headers, peer, user: &me.user.id, now: state.clock.now() };
    acting.record(kind, tenant, detail).await
}

fn app_row(application: &Application) -> AppRowView {
    AppRowView {
        id: application.id.to_string(),
        short_key: application.short_key.as_str().to_string(),
        name: application.name.clone(),
        description: application.description.clone(),
    }
}

/// How a refused management step is answered.
enum Refused {
    /// Messages at the form's fields.
    Fields(FieldMessages),
    /// A page of its own: 404 for what the person cannot see, the error
    /// page for our failures.
    Page(Response),
}

fn refusal(state: &AppState, headers: &HeaderMap, error: ManageError) -> Refused {
    let locale = app::i18n::locale_of_headers(headers);
    let (t, language) = (locale.texts(), locale.as_str());
    Refused::Fields(match error {
        ManageError::Access(AccessError::Store(error)) | ManageError::Store(error) => {
            return Refused::Page(failed(state, headers, &error));
        }
        ManageError::Access(_) => return Refused::Page(not_found(state, headers)),
        ManageError::NotDevelopment => one("tenant", t.portal.no_tenants),
        ManageError::Invalid(errors) => messages(&errors, language),
        ManageError::KeyTaken(_) => one("short_key", t.portal.key_taken),
        ManageError::NameTaken(name) => {
            one("name", msg!("{name}: taken", "{name}: vergeben").in_language(language).to_string())
        }
        ManageError::NoSecret => one(
            "token_endpoint_auth_method",
            msg!("a public client has no secret", "ein öffentlicher Client hat kein Geheimnis").in_language(language),
        ),
        // The person sees the client: saying why is no secret.
        ManageError::SecretWithheld { field } => one(
            field,
            msg!(
                "this client acts as someone: only the tenant's Admins, or that person, may give it a new secret or other credentials",
                "dieser Client handelt im Namen einer Person oder des Mandanten: nur dessen Admins oder diese Person dürfen ihm ein neues Geheimnis oder andere Zugangsdaten geben"
            )
            .in_language(language),
        ),
    })
}

impl Refused {
    /// The answer for a page that has no form to show the messages at.
    fn page_or(self, otherwise: impl FnOnce() -> Response) -> Response {
        match self {
            Self::Page(response) => response,
            Self::Fields(_) => otherwise(),
        }
    }
}

async fn portal_view(state: &AppState, me: &SignedIn) -> Result<PortalView, sanus_core::StoreError> {
    let reach = orgs::reach(&state.store, &me.user.id).await?;
    let mut tenants = Vec::new();
    for tenant in reach.tenants.iter().filter(|t| t.kind == TenantKind::Development) {
        let permissions = orgs::roles::core_permissions(&tenant.roles);
        if !orgs::roles::sees_tenant(&permissions) {
            continue;
        }
        let applications = sanus_core::applications::list_for_tenant(&state.store, &tenant.id).await?;
        tenants.push(DevTenantView {
            tenant: TenantRef { id: tenant.id.to_string(), name: reach.label(&tenant.id) },
            can_create: permissions.contains(&Permission::ApplicationsManage),
            applications: applications.iter().map(app_row).collect(),
        });
    }
    Ok(PortalView { tenants, entered: NewApplicationEntered::default(), errors: Vec::new(), notice: None })
}

/// `GET /portal`.
pub async fn portal_page(
    State(state): State<AppState>,
    Query(query): Query<NoticeQuery>,
    request: Request<Body>,
) -> Response {
    let now = state.clock.now();
    let headers = request.headers().clone();
    let me = match me_or(&state, &headers, PORTAL, now).await {
        Ok(me) => me,
        Err(response) => return response,
    };
    let mut view = match portal_view(&state, &me).await {
        Ok(view) => view,
        Err(error) => return failed(&state, &headers, &error),
    };
    view.notice = query.notice.as_deref().and_then(PortalNotice::parse);
    super::ui::render_loaded(&state, request, app::LoadedPortal(view), None).await
}

async fn form_of(request: Request<Body>) -> Result<(http::request::Parts, Posted), Response> {
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, FORM_LIMIT).await {
        Ok(bytes) => Ok((parts, Posted::parse(&bytes))),
        Err(_) => Err(see_other(PORTAL)),
    }
}

/// `POST /portal/apps`: a new application.
pub async fn create_app(State(state): State<AppState>, peer: Peer, request: Request<Body>) -> Response {
    let now = state.clock.now();
    let (parts, form) = match form_of(request).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let headers = parts.headers.clone();
    let me = match me_or(&state, &headers, PORTAL, now).await {
        Ok(me) => me,
        Err(response) => return response,
    };
    let entered = NewApplicationEntered {
        tenant_id: form.one("tenant_id").to_string(),
        short_key: form.one("short_key").trim().to_string(),
        name: form.one("name").to_string(),
        description: form.one("description").to_string(),
    };
    let Some(tenant) = TenantId::parse(&entered.tenant_id) else { return not_found(&state, &headers) };
    let description = Some(entered.description.as_str()).filter(|d| !d.trim().is_empty());
    let actor = orgs::Actor::Person(&me.user.id);
    match manage::create_application(&state.store, actor, &tenant, &entered.short_key, &entered.name, description, now)
        .await
    {
        Ok(application) => {
            let detail = json!({ "application": application.id.as_str(), "short_key": application.short_key.as_str() });
            if let Err(response) =
                record(&state, &headers, &peer, &me, EventKind::ApplicationCreated, &tenant, detail).await
            {
                return response;
            }
            see_other(&format!("{PORTAL}/apps/{}?notice={}", application.id, PortalNotice::AppCreated.as_str()))
        }
        Err(error) => {
            let errors = match refusal(&state, &headers, error) {
                Refused::Fields(errors) => errors,
                Refused::Page(response) => return response,
            };
            let mut view = match portal_view(&state, &me).await {
                Ok(view) => view,
                Err(error) => return failed(&state, &headers, &error),
            };
            view.entered = entered;
            view.errors = errors;
            let request = Request::from_parts(parts, Body::empty());
            super::ui::render_loaded_as(&state, request, app::LoadedPortal(view), StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
    }
}

async fn app_view(state: &AppState, application: &Application) -> Result<AppPageView, sanus_core::StoreError> {
    let tenant = sanus_core::tenants::get_tenant(&state.store, &application.tenant_id).await?;
    let scopes = manage::list_scopes(&state.store, application).await?;
    let permissions = manage::list_permissions(&state.store, application).await?;
    let roles = manage::list_roles(&state.store, application).await?;
    let clients = manage::clients_of(&state.store, application).await?;
    let now = state.clock.now();
    let tokens = registration::initial_tokens_of(&state.store, application).await?;
    let registration = DynamicRegistrationView {
        endpoint: format!("{}{}", crate::oidc::authorize::issuer(state), crate::oidc::registration::REGISTRATION_PATH),
        tokens: tokens
            .into_iter()
            .map(|token| InitialTokenRow {
                usable: token.usable(now),
                revoked: token.revoked_at.is_some(),
                id: token.id,
                description: token.description,
                expires_at: token.expires_at.0,
                uses: token.uses,
                max_uses: token.max_uses,
            })
            .collect(),
        new_token: None,
    };
    Ok(AppPageView {
        registration,
        app: app_row(application),
        tenant: TenantRef { id: tenant.id.to_string(), name: tenant.name },
        grantable_scopes: manage::grantable_scopes(application, scopes.iter().map(|s| s.name.clone())),
        scopes: scopes.into_iter().map(|s| (s.name, s.description)).collect(),
        permissions,
        roles: roles.into_iter().collect(),
        clients: clients
            .into_iter()
            .map(|c| ClientRowView { id: c.id.to_string(), name: c.name, kind: c.kind.as_str().to_string() })
            .collect(),
        errors: Vec::new(),
        failed_form: None,
        entered: Vec::new(),
        notice: None,
    })
}

/// The application of the path, if the person may manage its clients.
async fn app_of(state: &AppState, headers: &HeaderMap, me: &SignedIn, id: &str) -> Result<Application, Response> {
    let Some(id) = path_id(id) else { return Err(not_found(state, headers)) };
    match manage::application(&state.store, Manager::from(&me.user.id), &id, Permission::ClientsManage).await {
        Ok(application) => Ok(application),
        Err(error) => Err(refusal(state, headers, error).page_or(|| not_found(state, headers))),
    }
}

/// `GET /portal/apps/{id}`.
pub async fn app_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<NoticeQuery>,
    request: Request<Body>,
) -> Response {
    let now = state.clock.now();
    let headers = request.headers().clone();
    let me = match me_or(&state, &headers, &format!("{PORTAL}/apps/{id}"), now).await {
        Ok(me) => me,
        Err(response) => return response,
    };
    let application = match app_of(&state, &headers, &me, &id).await {
        Ok(application) => application,
        Err(response) => return response,
    };
    let mut view = match app_view(&state, &application).await {
        Ok(view) => view,
        Err(error) => return failed(&state, &headers, &error),
    };
    view.notice = query.notice.as_deref().and_then(PortalNotice::parse);
    let page = app_page_key(application.id.as_str());
    view.registration.new_token = flash::take(&state, &headers, &page);
    let mut response = super::ui::render_loaded(&state, request, app::LoadedPortalApp(view), None).await;
    flash::clear(&state, &headers, &page, &mut response);
    response
}

/// The page a new initial access token is shown on.
fn app_page_key(id: &str) -> String {
    format!("{PORTAL}/apps/{id}")
}

/// The page a client's new secret is shown on.
fn client_page_key(id: &str) -> String {
    format!("{PORTAL}/clients/{id}")
}

pub async fn to_portal() -> Response {
    see_other(PORTAL)
}

pub async fn to_app(Path(params): Path<BTreeMap<String, String>>) -> Response {
    let id = params.get("id").and_then(|id| path_id(id)).unwrap_or_default();
    see_other(&format!("{PORTAL}/apps/{id}"))
}

pub async fn to_client(Path(params): Path<BTreeMap<String, String>>) -> Response {
    let id: String =
        url::form_urlencoded::byte_serialize(params.get("id").map(String::as_bytes).unwrap_or_default()).collect();
    see_other(&format!("{PORTAL}/clients/{id}"))
}

/// The id of the path, then the segments of the form's action.
fn path_parts(params: &BTreeMap<String, String>) -> Vec<String> {
    let id = params.get("id").cloned().unwrap_or_default();
    let action = params.get("rest").map(String::as_str).unwrap_or_default();
    std::iter::once(id).chain(action.split('/').filter(|s| !s.is_empty()).map(str::to_string)).collect()
}

/// What an application form did: done (with a notice and what to audit),
/// or refused with field messages.
enum Outcome {
    Done(PortalNotice, Value),
    Refused(FieldMessages),
}

/// `POST /portal/apps/{id}[/{form}]`: the application's forms.
pub async fn app_form(
    State(state): State<AppState>,
    peer: Peer,
    Path(params): Path<BTreeMap<String, String>>,
    request: Request<Body>,
) -> Response {
    let path = path_parts(&params);
    let now = state.clock.now();
    let (parts, form) = match form_of(request).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let headers = parts.headers.clone();
    let id = path.first().cloned().unwrap_or_default();
    let here = format!("{PORTAL}/apps/{id}");
    let me = match me_or(&state, &headers, &here, now).await {
        Ok(me) => me,
        Err(response) => return response,
    };
    let application = match app_of(&state, &headers, &me, &id).await {
        Ok(application) => application,
        Err(response) => return response,
    };
    let manager = Manager::from(&me.user.id);
    let app_id = application.id.to_string();
    let action: Vec<&str> = path.iter().skip(1).map(String::as_str).collect();
    let (form_name, result): (&str, Result<Outcome, ManageError>) = match action.as_slice() {
        [] => {
            let description = Some(form.one("description")).filter(|d| !d.trim().is_empty());
            let done =
                manage::update_application(&state.store, manager, &app_id, form.one("name"), description, now).await;
            ("app", done.map(|_| Outcome::Done(PortalNotice::AppSaved, json!({ "change": "renamed" }))))
        }
        ["scopes"] => {
            let description = Some(form.one("description")).filter(|d| !d.trim().is_empty());
            let done = manage::define_scope(&state.store, manager, &app_id, form.one("name"), description, now).await;
            let outcome = |s: manage::AppScope| {
                Outcome::Done(PortalNotice::ScopeAdded, json!({ "change": "scope_added", "scope": s.name }))
            };
            ("scope", done.map(outcome))
        }
        ["scopes", name, "remove"] => match manage::remove_scope(&state.store, manager, &app_id, name).await {
            Ok(None) => return not_found(&state, &headers),
            done => {
                for client in done.iter().flatten().flatten() {
                    state.clients.invalidate(client.as_str());
                }
                let detail = json!({ "change": "scope_removed", "scope": name });
                ("scope", done.map(|_| Outcome::Done(PortalNotice::ScopeRemoved, detail)))
            }
        },
        ["permissions"] => {
            let done = manage::define_permission(&state.store, manager, &app_id, form.one("name"), now).await;
            let detail = json!({ "change": "permission_added", "permission": form.one("name").trim() });
            ("permission", done.map(|()| Outcome::Done(PortalNotice::PermissionAdded, detail)))
        }
        ["roles"] => {
            let permissions = form.all("permissions");
            let done = manage::define_role(&state.store, manager, &app_id, form.one("name"), &permissions, now).await;
            let detail =
                json!({ "change": "role_defined", "role": form.one("name").trim(), "permissions": permissions });
            ("role", done.map(|()| Outcome::Done(PortalNotice::RoleSaved, detail)))
        }
        ["delete"] if form.one("confirm") != "yes" => {
            let t = app::i18n::locale_of_headers(&headers).texts();
            ("delete", Ok(Outcome::Refused(one("confirm", t.portal.delete_confirm))))
        }
        ["delete"] => match manage::delete_application(&state.store, manager, &app_id, now).await {
            Ok(deleted) => {
                for client in &deleted.clients {
                    state.clients.invalidate(client.as_str());
                }
                state.access_tokens.invalidate();
                let detail = json!({ "application": app_id, "short_key": application.short_key.as_str(), "clients": deleted.clients.len() });
                let tenant = &application.tenant_id;
                if let Err(response) =
                    record(&state, &headers, &peer, &me, EventKind::ApplicationDeleted, tenant, detail).await
                {
                    return response;
                }
                let ended = &deleted.ended_memberships;
                if let Err(error) = super::record_ended_memberships(&state, &headers, &application, ended).await {
                    return failed(&state, &headers, &error);
                }
                return see_other(&format!("{PORTAL}?notice={}", PortalNotice::AppDeleted.as_str()));
            }
            Err(error) => ("delete", Err(error)),
        },
        ["clients"] => return create_client(&state, &headers, &peer, &me, &application, &form, parts).await,
        ["registration-tokens"] => {
            return create_initial_token(&state, &headers, &peer, &me, &application, &form, parts).await;
        }
        ["registration-tokens", token, "revoke"] => {
            match registration::revoke_initial_token(&state.store, manager, &app_id, token, now).await {
                Ok(revoked) => {
                    let detail = json!({ "application": app_id, "initial_access_token": revoked.id });
                    let (kind, tenant) = (EventKind::InitialTokenRevoked, &application.tenant_id);
                    if let Err(response) = record(&state, &headers, &peer, &me, kind, tenant, detail).await {
                        return response;
                    }
                    let notice = PortalNotice::RegistrationTokenRevoked.as_str();
                    return see_other(&format!("{here}?notice={notice}"));
                }
                Err(error) => ("registration", Err(error)),
            }
        }
        _ => return not_found(&state, &headers),
    };
    let errors = match result {
        Ok(Outcome::Done(notice, mut detail)) => {
            detail["application"] = json!(app_id);
            let kind = EventKind::ApplicationChanged;
            if let Err(response) = record(&state, &headers, &peer, &me, kind, &application.tenant_id, detail).await {
                return response;
            }
            return see_other(&format!("{here}?notice={}", notice.as_str()));
        }
        Ok(Outcome::Refused(errors)) => errors,
        Err(error) => match refusal(&state, &headers, error) {
            Refused::Fields(errors) => errors,
            Refused::Page(response) => return response,
        },
    };
    refused_app_page(&state, parts, &application, form_name, errors, form_entered(&form)).await
}

fn form_entered(form: &Posted) -> Vec<(String, String)> {
    ["name", "kind", "redirect_uris", "description"]
        .into_iter()
        .map(|k| (k.to_string(), form.one(k).to_string()))
        .collect()
}

async fn refused_app_page(
    state: &AppState,
    parts: http::request::Parts,
    application: &Application,
    form_name: &str,
    errors: FieldMessages,
    entered: Vec<(String, String)>,
) -> Response {
    let mut view = match app_view(state, application).await {
        Ok(view) => view,
        Err(error) => return failed(state, &parts.headers, &error),
    };
    view.errors = errors;
    view.failed_form = Some(form_name.to_string());
    view.entered = entered;
    let request = Request::from_parts(parts, Body::empty());
    super::ui::render_loaded_as(state, request, app::LoadedPortalApp(view), StatusCode::UNPROCESSABLE_ENTITY).await
}

/// A new initial access token from the form (validity in days, uses); the
/// answer is the application's page with the token, once.
async fn create_initial_token(
    state: &AppState,
    headers: &HeaderMap,
    peer: &Peer,
    me: &SignedIn,
    application: &Application,
    form: &Posted,
    parts: http::request::Parts,
) -> Response {
    let locale = app::i18n::locale_of_headers(headers);
    let t = locale.texts();
    // The form asks for days; the rules are core's, every problem at once
    // (a number that cannot be read stands in as the default meanwhile).
    let number = |field: &str| form.one(field).trim().parse::<i64>().ok();
    let expires_in = number("days").map(|days| days.saturating_mul(86_400));
    let uses = number("max_uses");
    let description = Some(form.one("description")).filter(|d| !d.trim().is_empty());
    let checked = registration::check_initial_token(
        description,
        expires_in.unwrap_or(registration::DEFAULT_INITIAL_TOKEN_SECONDS),
        uses.unwrap_or(1),
    );
    let mut errors = messages(&checked, locale.as_str());
    if expires_in.is_none() {
        errors.push(("expires_in".to_string(), t.portal.registration_days_error.to_string()));
    }
    if uses.is_none() {
        errors.push(("max_uses".to_string(), t.portal.registration_uses_error.to_string()));
    }
    let entered = vec![("description".to_string(), form.one("description").to_string())];
    if !errors.is_empty() {
        return refused_app_page(state, parts, application, "registration", errors, entered).await;
    }
    let manager = Manager::from(&me.user.id);
    let now = state.clock.now();
    let app_id = application.id.to_string();
    match registration::create_initial_token(&state.store, manager, &app_id, description, expires_in, uses, now).await {
        Ok((initial, token)) => {
            let detail = json!({ "application": app_id, "initial_access_token": initial.id,
                "max_uses": initial.max_uses, "expires_at": initial.expires_at.0 });
            let (kind, tenant) = (EventKind::InitialTokenCreated, &application.tenant_id);
            if let Err(response) = record(state, headers, peer, me, kind, tenant, detail).await {
                return response;
            }
            let location = format!("{PORTAL}/apps/{app_id}#registration-heading");
            flash::redirect_showing(state, headers, &location, &app_page_key(&app_id), &token)
        }
        Err(error) => match refusal(state, headers, error) {
            Refused::Fields(errors) => {
                refused_app_page(state, parts, application, "registration", errors, entered).await
            }
            Refused::Page(response) => response,
        },
    }
}

fn lines(value: &str) -> Vec<String> {
    value.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

/// A new client from the short form: the kind's defaults, a name, its
/// redirect URIs and scopes. The answer shows the secret once.
async fn create_client(
    state: &AppState,
    headers: &HeaderMap,
    peer: &Peer,
    me: &SignedIn,
    application: &Application,
    form: &Posted,
    parts: http::request::Parts,
) -> Response {
    let now = state.clock.now();
    let kind = ClientKind::parse(form.one("kind")).unwrap_or(ClientKind::Spa);
    let spec = json!({
        "kind": kind.as_str(),
        "name": form.one("name"),
        "redirect_uris": lines(form.one("redirect_uris")),
        "allowed_scopes": form.all("allowed_scopes"),
    });
    let spec: ClientSpec = match serde_json::from_value(spec) {
        Ok(spec) => spec,
        Err(error) => {
            let errors = one("name", error.to_string());
            return refused_app_page(state, parts, application, "client", errors, form_entered(form)).await;
        }
    };
    let manager = Manager::from(&me.user.id);
    match manage::create_client(&state.store, manager, application.id.as_str(), spec, None, now).await {
        Ok(registered) => {
            let detail = json!({ "client": registered.client.id.as_str(), "kind": kind.as_str() });
            if let Err(response) =
                record(state, headers, peer, me, EventKind::ClientCreated, &application.tenant_id, detail).await
            {
                return response;
            }
            let id = registered.client.id.as_str();
            let location = format!("{PORTAL}/clients/{}?notice={}", encode(id), PortalNotice::ClientCreated.as_str());
            match &registered.secret {
                Some(secret) => {
                    flash::redirect_showing(state, headers, &location, &client_page_key(id), secret.expose())
                }
                None => see_other(&location),
            }
        }
        Err(error) => match refusal(state, headers, error) {
            Refused::Fields(errors) => {
                refused_app_page(state, parts, application, "client", errors, form_entered(form)).await
            }
            Refused::Page(response) => response,
        },
    }
}

fn client_form(client: &Client, service_account: Option<String>) -> ClientForm {
    ClientForm {
        id: client.id.to_string(),
        kind: client.kind.as_str().to_string(),
        name: client.name.clone(),
        description: client.description.clone().unwrap_or_default(),
        logo_uri: client.logo_uri.clone().unwrap_or_default(),
        client_uri: client.client_uri.clone().unwrap_or_default(),
        policy_uri: client.policy_uri.clone().unwrap_or_default(),
        tos_uri: client.tos_uri.clone().unwrap_or_default(),
        redirect_uris: client.redirect_uris.join("\n"),
        post_logout_redirect_uris: client.post_logout_redirect_uris.join("\n"),
        web_origins: client.web_origins.join("\n"),
        grant_types: client.grant_types.iter().map(|g| g.as_str().to_string()).collect(),
        auth_method: client.auth_method.as_str().to_string(),
        allowed_scopes: client.allowed_scopes.clone(),
        require_pkce: client.require_pkce,
        first_party: client.first_party,
        password_grant_risk_accepted: client.grant_types.contains(&GrantType::Password),
        require_mfa: client.require_mfa,
        tenant_context: client.tenant_context,
        access_token_ttl: client.access_token_ttl.to_string(),
        refresh_token_ttl: client.refresh_token_ttl.to_string(),
        id_token_alg: client.id_token_alg.as_str().to_string(),
        subject_type: client.subject_type.as_str().to_string(),
        sector_identifier_uri: client.sector_identifier_uri.clone().unwrap_or_default(),
        jwks: client
            .jwks
            .as_deref()
            .and_then(|text| serde_json::from_str::<Value>(text).ok())
            .and_then(|jwks| serde_json::to_string_pretty(&jwks).ok())
            .unwrap_or_default(),
        service_account: service_account.unwrap_or_default(),
        metadata: client.metadata.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("\n"),
    }
}

fn integration(state: &AppState, client: &Client) -> IntegrationView {
    use crate::oidc::{
        AUTHORIZE_PATH, END_SESSION_PATH, INTROSPECTION_PATH, JWKS_PATH, REVOCATION_PATH, TOKEN_PATH, USERINFO_PATH,
    };
    let issuer = state.settings.server.public_url.as_str().to_string();
    let scopes = client.allowed_scopes.join(" ");
    let endpoint = |path: &str| format!("{issuer}{path}");
    let snippet = client.allows_grant(GrantType::AuthorizationCode).then(|| {
        let redirect = client.redirect_uris.first().cloned().unwrap_or_default();
        let logout = client.post_logout_redirect_uris.first().cloned().unwrap_or_else(|| redirect.clone());
        let scope = if scopes.is_empty() { "openid".to_string() } else { scopes.clone() };
        format!(
            "// oidc-client-ts: new UserManager(oidcConfig)\n// react-oidc-context: <AuthProvider {{...oidcConfig}}>\nconst oidcConfig = {{\n  authority: \"{issuer}\",\n  client_id: \"{}\",\n  redirect_uri: \"{redirect}\",\n  post_logout_redirect_uri: \"{logout}\",\n  response_type: \"code\",\n  scope: \"{scope}\",\n}};",
            client.id
        )
    });
    let curl = client.allows_grant(GrantType::ClientCredentials).then(|| {
        // People's scopes are refused to a client acting as itself.
        let own: Vec<&str> =
            client.allowed_scopes.iter().map(String::as_str).filter(|s| !manage::PERSON_SCOPES.contains(s)).collect();
        let scope = if own.is_empty() { String::new() } else { format!("  -d scope='{}' \\\n", own.join(" ")) };
        format!(
            "curl -u '{}:YOUR_CLIENT_SECRET' \\\n  -d grant_type=client_credentials \\\n{scope}  {}",
            client.id,
            endpoint(TOKEN_PATH)
        )
    });
    IntegrationView {
        discovery_url: endpoint(crate::oidc::discovery::OPENID_CONFIGURATION_PATH),
        client_id: client.id.to_string(),
        scopes,
        redirect_uris: client.redirect_uris.clone(),
        endpoints: [
            ("authorization_endpoint", AUTHORIZE_PATH),
            ("token_endpoint", TOKEN_PATH),
            ("userinfo_endpoint", USERINFO_PATH),
            ("jwks_uri", JWKS_PATH),
            ("end_session_endpoint", END_SESSION_PATH),
            ("revocation_endpoint", REVOCATION_PATH),
            ("introspection_endpoint", INTROSPECTION_PATH),
        ]
        .into_iter()
        .map(|(name, path)| (name.to_string(), endpoint(path)))
        .collect(),
        snippet,
        curl,
        issuer,
    }
}

#[allow(clippy::too_many_arguments)]
async fn render_client(
    state: &AppState,
    request: Request<Body>,
    application: &Application,
    client: &Client,
    new_secret: Option<String>,
    notice: Option<PortalNotice>,
    errors: FieldMessages,
    entered: Option<ClientForm>,
) -> Response {
    let service_account = match &client.service_account {
        Some(id) => sanus_core::users::get_user(&state.store, id).await.ok().map(|u| u.email),
        None => None,
    };
    let scopes = match manage::list_scopes(&state.store, application).await {
        Ok(scopes) => scopes.into_iter().map(|s| s.name).collect::<Vec<_>>(),
        Err(error) => return failed(state, request.headers(), &error),
    };
    let view = ClientPageView {
        app: app_row(application),
        client: entered.unwrap_or_else(|| client_form(client, service_account)),
        grantable_scopes: manage::grantable_scopes(application, scopes),
        integration: integration(state, client),
        new_secret,
        confidential: client.uses_secret(),
        errors: errors.clone(),
        notice,
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    super::ui::render_loaded_as(state, request, app::LoadedPortalClient(view), status).await
}

/// The client of the path with its application, if the person may manage it.
async fn client_of(
    state: &AppState,
    headers: &HeaderMap,
    me: &SignedIn,
    id: &str,
) -> Result<(Application, Client), Response> {
    let Some(id) = sanus_core::clients::ClientId::parse(id) else { return Err(not_found(state, headers)) };
    match manage::client(&state.store, Manager::from(&me.user.id), id.as_str()).await {
        Ok(found) => Ok(found),
        Err(error) => Err(refusal(state, headers, error).page_or(|| not_found(state, headers))),
    }
}

/// `GET /portal/clients/{id}`.
pub async fn client_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<NoticeQuery>,
    request: Request<Body>,
) -> Response {
    let now = state.clock.now();
    let headers = request.headers().clone();
    let me = match me_or(&state, &headers, &format!("{PORTAL}/clients/{id}"), now).await {
        Ok(me) => me,
        Err(response) => return response,
    };
    let (application, client) = match client_of(&state, &headers, &me, &id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let notice = query.notice.as_deref().and_then(PortalNotice::parse);
    let page = client_page_key(client.id.as_str());
    let secret = flash::take(&state, &headers, &page);
    let mut response = render_client(&state, request, &application, &client, secret, notice, Vec::new(), None).await;
    flash::clear(&state, &headers, &page, &mut response);
    response
}

/// The settings form as a registration, or what is wrong with its numbers
/// and metadata before the rules look at it.
fn spec_from_form(form: &Posted, language: &str) -> Result<(ClientSpec, Option<String>), FieldMessages> {
    let mut errors = Vec::new();
    let number = |field: &str, errors: &mut FieldMessages| -> Option<i64> {
        let value = form.one(field).trim();
        if value.is_empty() {
            return None;
        }
        let message = msg!("enter a number of seconds", "geben Sie eine Anzahl Sekunden ein");
        value.parse().map_err(|_| errors.push((field.to_string(), message.in_language(language).to_string()))).ok()
    };
    let access = number("access_token_ttl", &mut errors);
    let refresh = number("refresh_token_ttl", &mut errors);
    let mut metadata = BTreeMap::new();
    for line in lines(form.one("metadata")) {
        match line.split_once('=') {
            Some((key, value)) => {
                metadata.insert(key.trim().to_string(), value.trim().to_string());
            }
            None => {
                let message = msg!("{line}: write key=value", "{line}: schreiben Sie schlüssel=wert");
                errors.push(("metadata".to_string(), message.in_language(language).to_string()));
            }
        }
    }
    let optional = |field: &str| Some(form.one(field).trim().to_string()).filter(|v| !v.is_empty());
    let jwks = match optional("jwks").map(|text| serde_json::from_str::<Value>(&text)) {
        None => Value::Null,
        Some(Ok(jwks)) => jwks,
        Some(Err(_)) => {
            let message = msg!(
                "not JSON: paste the JWK Set {{\"keys\": [...]}}",
                "kein JSON: fügen Sie das JWK Set {{\"keys\": [...]}} ein"
            );
            errors.push(("jwks".to_string(), message.in_language(language).to_string()));
            Value::Null
        }
    };
    let spec = json!({
        "kind": form.one("kind"),
        "name": form.one("name"),
        "description": optional("description"),
        "logo_uri": optional("logo_uri"),
        "client_uri": optional("client_uri"),
        "policy_uri": optional("policy_uri"),
        "tos_uri": optional("tos_uri"),
        "token_endpoint_auth_method": optional("token_endpoint_auth_method"),
        "redirect_uris": lines(form.one("redirect_uris")),
        "post_logout_redirect_uris": lines(form.one("post_logout_redirect_uris")),
        "web_origins": lines(form.one("web_origins")),
        "grant_types": form.all("grant_types"),
        "allowed_scopes": form.all("allowed_scopes"),
        "require_pkce": form.one("require_pkce") == "true",
        "first_party": form.one("first_party") == "true",
        "password_grant_risk_accepted": form.one("password_grant_risk_accepted") == "true",
        "require_mfa": form.one("require_mfa") == "true",
        "tenant_context": form.one("tenant_context") == "true",
        "access_token_ttl": access,
        "refresh_token_ttl": refresh,
        "id_token_signed_response_alg": optional("id_token_signed_response_alg"),
        "subject_type": optional("subject_type"),
        "jwks": jwks,
        "sector_identifier_uri": optional("sector_identifier_uri"),
        "metadata": metadata,
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    serde_json::from_value(spec)
        .map(|spec| (spec, optional("service_account")))
        .map_err(|error| one("name", format!("the form is not a registration: {error}")))
}

/// What the settings form showed, to show it again when refused.
fn entered_form(form: &Posted, id: &str) -> ClientForm {
    let checked = |field: &str| form.one(field) == "true";
    ClientForm {
        id: id.to_string(),
        kind: form.one("kind").to_string(),
        name: form.one("name").to_string(),
        description: form.one("description").to_string(),
        logo_uri: form.one("logo_uri").to_string(),
        client_uri: form.one("client_uri").to_string(),
        policy_uri: form.one("policy_uri").to_string(),
        tos_uri: form.one("tos_uri").to_string(),
        redirect_uris: form.one("redirect_uris").to_string(),
        post_logout_redirect_uris: form.one("post_logout_redirect_uris").to_string(),
        web_origins: form.one("web_origins").to_string(),
        grant_types: form.all("grant_types"),
        auth_method: form.one("token_endpoint_auth_method").to_string(),
        allowed_scopes: form.all("allowed_scopes"),
        require_pkce: checked("require_pkce"),
        first_party: checked("first_party"),
        password_grant_risk_accepted: checked("password_grant_risk_accepted"),
        require_mfa: checked("require_mfa"),
        tenant_context: checked("tenant_context"),
        access_token_ttl: form.one("access_token_ttl").to_string(),
        refresh_token_ttl: form.one("refresh_token_ttl").to_string(),
        id_token_alg: form.one("id_token_signed_response_alg").to_string(),
        subject_type: form.one("subject_type").to_string(),
        sector_identifier_uri: form.one("sector_identifier_uri").to_string(),
        jwks: form.one("jwks").to_string(),
        service_account: form.one("service_account").to_string(),
        metadata: form.one("metadata").to_string(),
    }
}

/// `POST /portal/clients/{id}[/secret|/delete]`.
pub async fn client_form_post(
    State(state): State<AppState>,
    peer: Peer,
    Path(params): Path<BTreeMap<String, String>>,
    request: Request<Body>,
) -> Response {
    let path = path_parts(&params);
    let now = state.clock.now();
    let (parts, form) = match form_of(request).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let headers = parts.headers.clone();
    let id = path.first().cloned().unwrap_or_default();
    let here = format!("{PORTAL}/clients/{id}");
    let me = match me_or(&state, &headers, &here, now).await {
        Ok(me) => me,
        Err(response) => return response,
    };
    let (application, client) = match client_of(&state, &headers, &me, &id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let manager = Manager::from(&me.user.id);
    let action: Vec<&str> = path.iter().skip(1).map(String::as_str).collect();
    match action.as_slice() {
        [] => {
            let refused = |errors: FieldMessages| {
                let entered = entered_form(&form, client.id.as_str());
                let request = Request::from_parts(parts.clone(), Body::empty());
                let (state, application, client) = (&state, &application, &client);
                async move { render_client(state, request, application, client, None, None, errors, Some(entered)).await }
            };
            let language = app::i18n::locale_of_headers(&headers).as_str();
            let (spec, service_account) = match spec_from_form(&form, language) {
                Ok(found) => found,
                Err(errors) => return refused(errors).await,
            };
            match manage::update_client(
                &state.store,
                manager,
                client.id.as_str(),
                spec,
                service_account.as_deref(),
                now,
            )
            .await
            {
                Ok(saved) => {
                    state.clients.invalidate(saved.id.as_str());
                    let detail = json!({ "client": saved.id.as_str() });
                    if let Err(response) =
                        record(&state, &headers, &peer, &me, EventKind::ClientChanged, &application.tenant_id, detail)
                            .await
                    {
                        return response;
                    }
                    see_other(&format!("{here}?notice={}", PortalNotice::ClientSaved.as_str()))
                }
                Err(error) => match refusal(&state, &headers, error) {
                    Refused::Fields(errors) => refused(errors).await,
                    Refused::Page(response) => response,
                },
            }
        }
        ["secret"] => {
            let grace = form.one("grace_seconds").parse::<i64>().unwrap_or(3_600);
            match manage::rotate_secret(&state.store, manager, client.id.as_str(), grace, now).await {
                Ok(secret) => {
                    state.clients.invalidate(client.id.as_str());
                    let detail = json!({ "client": client.id.as_str(), "grace_seconds": grace });
                    if let Err(response) = record(
                        &state,
                        &headers,
                        &peer,
                        &me,
                        EventKind::ClientSecretRotated,
                        &application.tenant_id,
                        detail,
                    )
                    .await
                    {
                        return response;
                    }
                    let id = client.id.as_str();
                    let notice = PortalNotice::SecretRotated.as_str();
                    let location = format!("{PORTAL}/clients/{}?notice={notice}", encode(id));
                    flash::redirect_showing(&state, &headers, &location, &client_page_key(id), secret.expose())
                }
                Err(error) => match refusal(&state, &headers, error) {
                    Refused::Fields(errors) => {
                        let request = Request::from_parts(parts, Body::empty());
                        render_client(&state, request, &application, &client, None, None, errors, None).await
                    }
                    Refused::Page(response) => response,
                },
            }
        }
        ["delete"] if form.one("confirm") != "yes" => see_other(&here),
        ["delete"] => match manage::delete_client(&state.store, manager, client.id.as_str(), now).await {
            Ok(()) => {
                state.clients.invalidate(client.id.as_str());
                state.access_tokens.invalidate();
                let detail = json!({ "client": client.id.as_str() });
                if let Err(response) =
                    record(&state, &headers, &peer, &me, EventKind::ClientDeleted, &application.tenant_id, detail).await
                {
                    return response;
                }
                see_other(&format!("{PORTAL}/apps/{}?notice={}", application.id, PortalNotice::ClientDeleted.as_str()))
            }
            Err(error) => refusal(&state, &headers, error).page_or(|| see_other(&here)),
        },
        _ => not_found(&state, &headers),
    }
}
