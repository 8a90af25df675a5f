//! `GET /jwks`: the public signing keys (RFC 7517 §5), for relying parties
//! and resource servers to verify ID and access tokens. The active key of
//! each algorithm and retired keys whose tokens may still be alive; never a
//! private member. Public data: any origin may read it.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

pub async fn jwks(State(state): State<AppState>) -> Response {
    match state.keys.ring().await {
        Ok(ring) => (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "public, max-age=300"),
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            ],
            ring.jwks_json().to_string(),
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "cannot load the signing keys");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CACHE_CONTROL, "no-store")],
                axum::Json(serde_json::json!({
                    "error": "server_error",
                    "error_description": "The keys are temporarily unavailable."
                })),
            )
                .into_response()
        }
    }
}
