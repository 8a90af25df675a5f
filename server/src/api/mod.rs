//! The management API: REST and JSON under `/api/v1`. Authorised by the
//! browser's session (a person, with their roles) or by a Bearer access
//! token from the client-credentials grant carrying `{tenant_id}_admin`
//! (a service acting as an Admin of that tenant and everything below it).
//! The rules are those of `sanus_core::organizations`, as for the pages.
//!
//! Errors: `{"error": "invalid" | "unauthenticated" | "forbidden" |
//! "not_found" | "conflict", "message": "…", "fields": {"name": ["…"]}}` with
//! 400, 401, 403, 404 or 409; never a 500 for a client's mistake.

mod applications;
pub mod document;
mod tenants;
mod views;

use std::collections::BTreeMap;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sanus_core::organizations::{AccessError, Actor, OrgError};
use sanus_core::tenants::TenantId;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;

use crate::http::account::{SignedIn, signed_in};
use crate::oidc::bearer::{bearer_token, validate_access_token};
use crate::state::AppState;

/// Every route of the API with its description: the router and the OpenAPI
/// document come from the same list, so that no route goes undocumented.
fn described() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(document::base()).merge(tenants::routes()).merge(applications::routes())
}

/// The API's routes, and `/api/v1/openapi.json` describing them.
pub fn routes() -> Router<AppState> {
    let (router, _) = described().split_for_parts();
    router.merge(document::routes())
}

/// Who calls.
pub(crate) enum Caller {
    Person(Box<SignedIn>),
    /// A client-credentials token: the tenants of its `{tenant_id}_admin`
    /// scopes, and the applications (short keys) of its `{short_key}_admin`
    /// scopes (one prefix may name either).
    Service {
        client_id: String,
        tenants: Vec<TenantId>,
        applications: Vec<String>,
    },
}

impl Caller {
    /// The actor for an action on `tenant`: the person, or the service
    /// through the first of its tenants that covers `tenant`.
    async fn actor_for<'a>(&'a self, state: &AppState, tenant: &TenantId) -> Result<Actor<'a>, ApiError> {
        match self {
            Self::Person(me) => Ok(Actor::Person(&me.user.id)),
            Self::Service { tenants, .. } => {
                for scope in tenants {
                    let actor = Actor::Service(scope);
                    if sanus_core::organizations::access_of(&state.store, actor, tenant).await?.is_some() {
                        return Ok(actor);
                    }
                }
                Err(ApiError::not_found())
            }
        }
    }
}

/// The caller of this request, or 401.
pub(crate) async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    if let Some(token) = bearer_token(headers) {
        let claims = validate_access_token(state, token).await.map_err(|_| ApiError::unauthenticated())?;
        // Only a client's own token (client credentials: no grant of a
        // person behind it) acts as a service.
        if claims.sub != claims.client_id || claims.fid.is_some() {
            return Err(ApiError::forbidden("Tokens of people cannot use the management API; use the pages."));
        }
        // The client as it is now: a scope taken from it stops working at once.
        let client = state.find_client(&claims.client_id).await?.ok_or_else(ApiError::unauthenticated)?;
        let prefixes: Vec<&str> = claims
            .scope
            .split(' ')
            .filter(|scope| client.allowed_scopes.iter().any(|allowed| allowed == scope))
            .filter_map(|scope| scope.strip_suffix("_admin"))
            .filter(|id| !id.is_empty())
            .collect();
        // `X_admin` is the client's own application when X is that
        // application's short key, and a tenant otherwise: a short key that
        // happens to equal a tenant's id names no tenant here, and a tenant
        // scope never reaches an application of that name elsewhere.
        let own = match prefixes.is_empty() {
            true => None,
            false => Some(sanus_core::applications::get_application(&state.store, &client.application_id).await?),
        };
        let (applications, tenants): (Vec<&str>, Vec<&str>) =
            prefixes.into_iter().partition(|prefix| own.as_ref().is_some_and(|a| *prefix == a.short_key.as_str()));
        return Ok(Caller::Service {
            client_id: claims.client_id.clone(),
            tenants: tenants.into_iter().map(|id| TenantId::from_stored(id.to_string())).collect(),
            applications: applications.into_iter().map(str::to_string).collect(),
        });
    }
    match signed_in(state, headers, state.clock.now()).await? {
        Some(me) => Ok(Caller::Person(Box::new(me))),
        None => Err(ApiError::unauthenticated()),
    }
}

/// An error answer of the management API.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiError {
    #[serde(skip)]
    status: StatusCode,
    /// `invalid`, `unauthenticated`, `forbidden`, `not_found`, `conflict`,
    /// `throttled` or `unavailable`.
    #[schema(example = "invalid")]
    error: &'static str,
    /// What is wrong and what to do, in English.
    message: String,
    /// For `invalid`: the messages of each field that is wrong.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    fields: BTreeMap<String, Vec<String>>,
}

impl ApiError {
    fn new(status: StatusCode, error: &'static str, message: impl Into<String>) -> Self {
        Self { status, error, message: message.into(), fields: BTreeMap::new() }
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Sign in, or send a Bearer access token with a {tenant_id}_admin scope.",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "There is no such resource, or it is not yours to see.")
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    /// 429: too many of these lately.
    pub fn throttled(retry_after_seconds: i64) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            format!("Too many of these lately: try again in {retry_after_seconds} seconds."),
        )
    }

    /// 400 with every field's messages.
    pub fn fields(errors: sanus_core::validation::FieldErrors) -> Self {
        let mut error = Self::new(StatusCode::BAD_REQUEST, "invalid", errors.to_string());
        for field in errors.fields() {
            error.fields.insert(field.to_string(), errors.get(field).into_iter().map(str::to_string).collect());
        }
        error
    }

    /// 400 with the message of one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut error = Self::new(StatusCode::BAD_REQUEST, "invalid", format!("{field}: {message}"));
        error.fields.insert(field.to_string(), vec![message]);
        error
    }
}

impl From<sanus_core::StoreError> for ApiError {
    fn from(error: sanus_core::StoreError) -> Self {
        tracing::error!(%error, "management API failed");
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "Something went wrong on our side. Try again later.")
    }
}

impl From<AccessError> for ApiError {
    fn from(error: AccessError) -> Self {
        match error {
            AccessError::NotFound => Self::not_found(),
            AccessError::Forbidden(permission) => {
                Self::forbidden(format!("This needs the permission {} here.", permission.as_str()))
            }
            AccessError::Store(error) => error.into(),
        }
    }
}

impl From<OrgError> for ApiError {
    fn from(error: OrgError) -> Self {
        match error {
            OrgError::Access(error) => error.into(),
            OrgError::Store(error) => error.into(),
            OrgError::LastAdmin => Self::conflict(error.to_string()),
            OrgError::NotAMember => Self::not_found(),
            OrgError::UnknownRole(_) | OrgError::TooManyRoles | OrgError::NoRoles => {
                Self::invalid("roles", error.to_string())
            }
            OrgError::BadMove => Self::invalid("parent_id", error.to_string()),
            OrgError::NotAnOrganisation => Self::invalid("require_mfa", error.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status;
        let mut response = (status, axum::Json(&self)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// A JSON answer, never cached.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    let mut response = (status, axum::Json(value)).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A JSON request body, or 400 saying what is wrong with it.
pub fn body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|error| ApiError::invalid("body", format!("not the expected JSON: {error}")))
}

/// Records what the caller did to a tenant (the person, or the client).
pub(crate) async fn audit(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    kind: sanus_core::audit::EventKind,
    tenant: &TenantId,
    detail: serde_json::Value,
) -> Result<(), ApiError> {
    let mut event = crate::http::audit_event(kind, headers, None);
    match caller {
        Caller::Person(me) => event.user_id = Some(&me.user.id),
        Caller::Service { client_id, .. } => event.client_id = Some(client_id),
    }
    event.tenant_id = Some(tenant.as_str());
    event.detail = detail;
    state.audit(&event, state.clock.now()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    /// The router and the document come from one list (`described`): a route
    /// added with a plain axum `.route` under `/api/` would be served without
    /// being described. Only the document and its page are. Paths named by
    /// constants count too.
    #[test]
    fn every_route_is_described() {
        fn sources(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    sources(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    found.push(std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        let mut texts = Vec::new();
        sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut texts);
        let lines: Vec<&str> = texts.iter().flat_map(|text| text.lines()).map(str::trim).collect();
        // `const NAME: &str = "/api/…";` anywhere names an API path.
        let api_constants: Vec<&str> = lines
            .iter()
            .filter(|line| {
                line.starts_with("const ") || line.starts_with("pub const ") || line.starts_with("pub(crate) const ")
            })
            .filter(|line| line.contains(": &str = \"/api/"))
            .filter_map(|line| line.split("const ").nth(1)?.split(':').next())
            .collect();
        let routes: Vec<&str> = lines
            .iter()
            .copied()
            // Code, not this test's own expected lines.
            .filter(|line| line.contains(".route(") && !line.starts_with(['"', '[', 'r']))
            .filter(|line| line.contains("(\"/api/") || api_constants.iter().any(|name| line.contains(name)))
            .collect();
        assert_eq!(api_constants, ["API_DOCS_ROUTE"], "the constants found");
        assert_eq!(
            routes,
            [
                r#".route("/api/v1/openapi.json", get(openapi_json))"#,
                ".route(crate::http::ui::API_DOCS_ROUTE, get(docs_page))"
            ],
            "every route under /api/ goes through utoipa_axum's routes! with its #[utoipa::path]"
        );
    }
}
