//! Dynamic client registration (RFC 7591) at `POST /oauth2/register`, with an
//! initial access token as the Bearer token (an Admin makes it through the
//! management API or the portal), and client configuration management
//! (RFC 7592) at `/oauth2/register/{client_id}` with the client's registration
//! access token: `GET` reads, `PUT` replaces, `DELETE` deletes.
//!
//! Errors: 400 `{"error": "invalid_redirect_uri" | "invalid_client_metadata",
//! "error_description": …}` (RFC 7591 §3.2.2); 401 with `WWW-Authenticate:
//! Bearer error="invalid_token"` for a missing, unknown, expired, revoked or
//! used-up token, and for a client the token does not open (RFC 7592 §3).
//! Every answer is `Cache-Control: no-store`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sanus_core::applications::registration::{self, ClientInformation, Metadata, RegistrationError};
use sanus_core::applications::{Application, registration::Registered};
use sanus_core::audit::EventKind;
use sanus_core::clients::Client;
use serde_json::json;

use super::bearer::bearer_token;
use crate::state::AppState;

/// Path of the registration endpoint.
/// (`/register` is where people create their accounts.)
pub const REGISTRATION_PATH: &str = "/oauth2/register";

fn answer(status: StatusCode, body: &serde_json::Value) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

fn refused(error: RegistrationError) -> Response {
    match error {
        RegistrationError::InvalidToken => {
            let mut response = answer(
                StatusCode::UNAUTHORIZED,
                &json!({ "error": "invalid_token",
                         "error_description": "The access token is unknown, expired, revoked or used up." }),
            );
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(r#"Bearer error="invalid_token""#));
            response
        }
        RegistrationError::Invalid { error, description } => {
            answer(StatusCode::BAD_REQUEST, &json!({ "error": error, "error_description": description }))
        }
        RegistrationError::Store(error) => {
            tracing::error!(%error, "client registration failed");
            answer(
                StatusCode::SERVICE_UNAVAILABLE,
                &json!({ "error": "temporarily_unavailable", "error_description": "Try again later." }),
            )
        }
    }
}

/// The metadata of a JSON body, or `invalid_client_metadata` saying what
/// is wrong with it.
fn metadata_of(headers: &HeaderMap, bytes: &[u8]) -> Result<Metadata, RegistrationError> {
    let json = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).is_some_and(|value| {
        value.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
    });
    if !json {
        return Err(RegistrationError::Invalid {
            error: "invalid_client_metadata",
            description: "send the metadata as a JSON object with Content-Type: application/json".to_string(),
        });
    }
    serde_json::from_slice(bytes).map_err(|error| RegistrationError::Invalid {
        error: "invalid_client_metadata",
        description: format!("not client metadata: {error}"),
    })
}

fn endpoint(state: &AppState) -> String {
    format!("{}{REGISTRATION_PATH}", super::authorize::issuer(state))
}

/// Audits what a registration did to its client (`initial_token`: the
/// initial access token that registered it).
async fn record(
    state: &AppState,
    headers: &HeaderMap,
    kind: EventKind,
    application: &Application,
    client: &Client,
    initial_token: Option<&str>,
) {
    let mut event = crate::http::audit_event(kind, headers, None);
    event.client_id = Some(client.id.as_str());
    event.tenant_id = Some(application.tenant_id.as_str());
    event.detail = json!({ "client": client.id.as_str(), "kind": client.kind.as_str(),
        "application": application.id.as_str(), "via": "dynamic_registration" });
    if let Some(id) = initial_token {
        event.detail["initial_access_token"] = json!(id);
    }
    if let Err(error) = state.audit(&event, state.clock.now()).await {
        tracing::error!(%error, "could not record a registration event");
    }
}

/// `POST /oauth2/register` (RFC 7591 §3.1).
pub async fn register(State(state): State<AppState>, headers: HeaderMap, bytes: Bytes) -> Response {
    let Some(token) = bearer_token(&headers) else {
        return refused(RegistrationError::InvalidToken);
    };
    let metadata = match metadata_of(&headers, &bytes) {
        Ok(metadata) => metadata,
        Err(error) => return refused(error),
    };
    let now = state.clock.now();
    match registration::register(&state.store, token, metadata, &endpoint(&state), now).await {
        Ok(Registered { client, application, information, initial_token_id }) => {
            let initial = Some(initial_token_id.as_str());
            record(&state, &headers, EventKind::ClientCreated, &application, &client, initial).await;
            answer(StatusCode::CREATED, &serde_json::to_value(&information).unwrap_or_default())
        }
        Err(error) => refused(error),
    }
}

/// The client of the path, if the Bearer token is its registration access
/// token; RFC 7592 §3 answers 401 otherwise, whether or not it exists.
async fn opened(state: &AppState, headers: &HeaderMap, client_id: &str) -> Result<(Application, Client), Response> {
    let Some(token) = bearer_token(headers) else {
        return Err(refused(RegistrationError::InvalidToken));
    };
    match registration::registered_client(&state.store, token, client_id).await {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err(refused(RegistrationError::InvalidToken)),
        Err(error) => Err(refused(error.into())),
    }
}

/// `GET /oauth2/register/{client_id}` (RFC 7592 §2.1).
pub async fn read(State(state): State<AppState>, Path(client_id): Path<String>, headers: HeaderMap) -> Response {
    match opened(&state, &headers, &client_id).await {
        Ok((_, client)) => {
            let information = ClientInformation::of(&client, &endpoint(&state));
            answer(StatusCode::OK, &serde_json::to_value(&information).unwrap_or_default())
        }
        Err(response) => response,
    }
}

/// `PUT /oauth2/register/{client_id}` (RFC 7592 §2.2).
pub async fn replace(
    State(state): State<AppState>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let (application, client) = match opened(&state, &headers, &client_id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let metadata = match metadata_of(&headers, &bytes) {
        Ok(metadata) => metadata,
        Err(error) => return refused(error),
    };
    match registration::replace(&state.store, &application, &client, metadata, state.clock.now()).await {
        Ok(client) => {
            state.clients.invalidate(client.id.as_str());
            record(&state, &headers, EventKind::ClientChanged, &application, &client, None).await;
            let information = ClientInformation::of(&client, &endpoint(&state));
            answer(StatusCode::OK, &serde_json::to_value(&information).unwrap_or_default())
        }
        Err(error) => refused(error),
    }
}

/// `DELETE /oauth2/register/{client_id}` (RFC 7592 §2.3): 204, and the client's
/// tokens stop working at once.
pub async fn delete(State(state): State<AppState>, Path(client_id): Path<String>, headers: HeaderMap) -> Response {
    let (application, client) = match opened(&state, &headers, &client_id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match registration::delete(&state.store, &application, &client, state.clock.now()).await {
        Ok(()) => {
            state.clients.invalidate(client.id.as_str());
            state.access_tokens.invalidate();
            record(&state, &headers, EventKind::ClientDeleted, &application, &client, None).await;
            let mut response = StatusCode::NO_CONTENT.into_response();
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => refused(error),
    }
}
