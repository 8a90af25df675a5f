//! Liveness and readiness for load balancers and orchestrators.
//! `/healthz`: the process answers. `/readyz`: and its database does too.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

async fn healthz() -> impl IntoResponse {
    ([(header::CACHE_CONTROL, "no-store")], Json(json!({ "status": "ok" })))
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let timeout = std::time::Duration::from_secs(state.settings.database.connect_timeout_seconds);
    let database = tokio::time::timeout(timeout, state.store.ping()).await;
    let (status, body) = match database {
        Ok(Ok(())) => (StatusCode::OK, json!({ "status": "ok", "database": "ok" })),
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness check: database unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, json!({ "status": "unavailable", "database": "unavailable" }))
        }
        Err(_) => {
            tracing::warn!("readiness check: database did not answer in time");
            (StatusCode::SERVICE_UNAVAILABLE, json!({ "status": "unavailable", "database": "timeout" }))
        }
    };
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body))
}
