//! The management API's OpenAPI 3.1 document, generated from the handlers'
//! `#[utoipa::path]` descriptions and the types of `views` (served at
//! `/api/v1/openapi.json`), and the readable page made from it
//! (`/api/v1/docs`).

use std::sync::OnceLock;

use app::dto::{
    ApiDocsView, ApiFieldView, ApiGroupView, ApiOperationView, ApiResponseView, ApiSchemaView, ApiTypeView,
};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;
use utoipa::OpenApi as _;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder, ServerBuilder};

use super::ApiError;
use crate::http::cookies;
use crate::state::AppState;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Sanus management API",
        version = "1",
        description = "Tenants, their members and invitations, applications with their scopes, permissions and \
            roles, and OAuth clients.\n\nAuthorise with the browser's session (what the pages do) or with a \
            Bearer access token from the client-credentials grant that carries `{tenant_id}_admin` (a service \
            acting as an Admin of that tenant and everything below it) or `{short_key}_admin` (the manager of \
            that application). Anything the caller may not see answers 404, as if it did not exist.\n\nErrors \
            are JSON: `{\"error\": \"invalid\", \"message\": \"…\", \"fields\": {\"name\": [\"…\"]}}`; a \
            client's mistake never gets a 500.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    tags(
        (name = "tenants", description = "Organisations, development tenants and departments; members, invitations and the audit log."),
        (name = "applications", description = "What a development tenant builds: applications with their scopes, permissions and roles."),
        (name = "clients", description = "OAuth clients of an application, and their secrets."),
    ),
    components(schemas(ApiError)),
)]
struct Base;

/// The document's parts that no route gives: information, tags, the ways
/// to authenticate, and the error answers every operation may give.
pub(super) fn base() -> OpenApi {
    let mut document = Base::openapi();
    let components = document.components.get_or_insert_default();
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some(
                    "An access token from the token endpoint's client_credentials grant with a \
                     `{tenant_id}_admin` or `{short_key}_admin` scope.",
                ))
                .build(),
        ),
    );
    components.add_security_scheme(
        "session",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            cookies::SESSION,
            "The session of a person signed in to Sanus in this browser (the portal's pages).",
        ))),
    );
    for (name, status_text) in ERRORS {
        let response = ResponseBuilder::new()
            .description(*status_text)
            .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ApiError"))).build())
            .build();
        components.responses.insert((*name).to_string(), RefOr::T(response));
    }
    document.security = Some(vec![
        SecurityRequirement::new("bearer", Vec::<String>::new()),
        SecurityRequirement::new("session", Vec::<String>::new()),
    ]);
    document
}

/// The error answers shared by the operations, by component name.
const ERRORS: &[(&str, &str)] = &[
    ("Invalid", "400: the request is not right; `fields` says what is wrong with each field."),
    ("Unauthenticated", "401: no session and no valid Bearer token."),
    ("Forbidden", "403: the caller may see this but not do it."),
    ("NotFound", "404: there is no such thing, or it is not the caller's to see."),
    ("Unavailable", "503: something went wrong on our side; try again later."),
];

/// The whole document, made once.
pub fn document() -> &'static OpenApi {
    static DOCUMENT: OnceLock<OpenApi> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let (_, mut document) = super::described().split_for_parts();
        add_error_answers(&mut document);
        document
    })
}

/// Every operation may answer 401, 403 and 503; one with path parameters
/// 404; one with a body or parameters 400. Operations say their own 409s
/// and 429s. An answer described by no words gets its status's name.
fn add_error_answers(document: &mut OpenApi) {
    for item in document.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        for operation in operations.into_iter().flatten() {
            let parameters = operation.parameters.as_ref().map_or(&[][..], Vec::as_slice);
            let in_path = parameters
                .iter()
                .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == utoipa::openapi::path::ParameterIn::Path));
            let takes_input = !parameters.is_empty() || operation.request_body.is_some();
            let wanted = [
                ("400", "Invalid", takes_input),
                ("401", "Unauthenticated", true),
                ("403", "Forbidden", true),
                ("404", "NotFound", in_path),
                ("503", "Unavailable", true),
            ];
            // OpenAPI 3.1 requires every answer to say what it is.
            for (status, response) in operation.responses.responses.iter_mut() {
                if let RefOr::T(response) = response
                    && response.description.is_empty()
                {
                    let code = status.parse::<u16>().ok().and_then(|code| http::StatusCode::from_u16(code).ok());
                    response.description = code.and_then(|code| code.canonical_reason()).unwrap_or("").to_string();
                }
            }
            for (status, name, applies) in wanted {
                if applies {
                    operation
                        .responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
                }
            }
        }
    }
}

/// The document with this server's address, as JSON.
fn served(state: &AppState) -> Value {
    let mut document = document().clone();
    let issuer = state.settings.server.public_url.as_str().trim_end_matches('/').to_string();
    document.servers = Some(vec![ServerBuilder::new().url(issuer).build()]);
    serde_json::to_value(&document).unwrap_or(Value::Null)
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi_json))
        .route(crate::http::ui::API_DOCS_ROUTE, get(docs_page))
}

/// `GET /api/v1/docs`: the reference, readable by people.
async fn docs_page(State(state): State<AppState>, request: Request<Body>) -> Response {
    let view = page_view(&served(&state), "/api/v1/openapi.json");
    crate::http::ui::render_loaded(&state, request, app::LoadedApiDocs(view), None).await
}

/// What the page shows, read off the document.
pub fn page_view(document: &Value, document_url: &str) -> ApiDocsView {
    let text = |value: &Value| words(value.as_str().unwrap_or_default());
    let schemas = &document["components"]["schemas"];
    let auth = document["components"]["securitySchemes"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, scheme)| (name.clone(), text(&scheme["description"])))
        .collect();
    let mut groups: Vec<ApiGroupView> = document["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|tag| ApiGroupView {
            name: text(&tag["name"]),
            description: text(&tag["description"]),
            operations: vec![],
        })
        .collect();
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for method in ["get", "post", "put", "patch", "delete"] {
            let operation = &item[method];
            if operation.is_null() {
                continue;
            }
            let view = ApiOperationView {
                id: text(&operation["operationId"]),
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                summary: text(&operation["summary"]),
                description: text(&operation["description"]),
                parameters: operation["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| ApiFieldView {
                        name: text(&p["name"]),
                        place: text(&p["in"]),
                        kind: type_of(&p["schema"]),
                        required: p["required"].as_bool().unwrap_or(false),
                        description: text(&p["description"]),
                    })
                    .collect(),
                body: operation["requestBody"]["content"]["application/json"]["schema"]
                    .as_object()
                    .map(|_| type_of(&operation["requestBody"]["content"]["application/json"]["schema"])),
                responses: operation["responses"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(status, response)| {
                        let response = resolve(document, response);
                        let schema = &response["content"]["application/json"]["schema"];
                        ApiResponseView {
                            status: status.clone(),
                            description: text(&response["description"]),
                            body: schema.as_object().map(|_| type_of(schema)),
                        }
                    })
                    .collect(),
            };
            let tag = text(&operation["tags"][0]);
            match groups.iter_mut().find(|group| group.name == tag) {
                Some(group) => group.operations.push(view),
                None => groups.push(ApiGroupView { name: tag, description: String::new(), operations: vec![view] }),
            }
        }
    }
    let schemas = schemas
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, schema)| ApiSchemaView {
            name: name.clone(),
            description: text(&schema["description"]),
            fields: properties(document, schema),
            values: schema["enum"].as_array().into_iter().flatten().map(text).collect(),
        })
        .collect();
    ApiDocsView {
        title: text(&document["info"]["title"]),
        version: text(&document["info"]["version"]),
        description: text(&document["info"]["description"]),
        document_url: document_url.to_string(),
        auth,
        groups,
        schemas,
    }
}

/// Text from doc comments: lines joined into paragraphs, as Markdown would.
fn words(text: &str) -> String {
    text.split("\n\n")
        .map(|paragraph| paragraph.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The thing a `$ref` names (a response or a schema), or the value itself.
fn resolve<'a>(document: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str().and_then(|target| target.strip_prefix("#/")) {
        Some(pointer) => document.pointer(&format!("/{pointer}")).unwrap_or(&Value::Null),
        None => value,
    }
}

/// The properties of an object schema, those of the schemas it is made of
/// (`allOf`, from `#[serde(flatten)]`) included.
fn properties(document: &Value, schema: &Value) -> Vec<ApiFieldView> {
    let mut fields = Vec::new();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        fields.extend(properties(document, resolve(document, part)));
    }
    let required: Vec<&str> = schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        fields.push(ApiFieldView {
            name: name.clone(),
            place: String::new(),
            kind: type_of(property),
            required: required.contains(&name.as_str()),
            description: words(property["description"].as_str().unwrap_or_default()),
        });
    }
    fields
}

/// A schema's type in words.
fn type_of(schema: &Value) -> ApiTypeView {
    if let Some(name) = schema["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
        return ApiTypeView { text: name.to_string(), schema: Some(name.to_string()) };
    }
    for combined in ["oneOf", "anyOf", "allOf"] {
        if let Some(parts) = schema[combined].as_array() {
            let named: Vec<&Value> = parts.iter().filter(|p| p["type"] != "null").collect();
            let nullable = named.len() < parts.len();
            if let [only] = named.as_slice() {
                let mut kind = type_of(only);
                if nullable {
                    kind.text.push_str(" or null");
                }
                return kind;
            }
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let nullable = types.contains(&"null");
    let mut kind = match types.iter().find(|t| **t != "null").copied() {
        Some("array") => {
            let inner = type_of(&schema["items"]);
            ApiTypeView { text: format!("array of {}", inner.text), schema: inner.schema }
        }
        Some("object") if schema["additionalProperties"].is_object() => {
            let inner = type_of(&schema["additionalProperties"]);
            ApiTypeView { text: format!("map of {}", inner.text), schema: inner.schema }
        }
        Some(other) => ApiTypeView { text: other.to_string(), schema: None },
        None => ApiTypeView { text: "any".to_string(), schema: None },
    };
    if nullable {
        kind.text.push_str(" or null");
    }
    kind
}

/// `GET /api/v1/openapi.json`: public, like discovery; any origin may read it.
async fn openapi_json(State(state): State<AppState>) -> Response {
    let mut response = axum::Json(served(&state)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}
