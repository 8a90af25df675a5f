//! The Leptos pages: server-side rendering of every UI route, and of the
//! 404 page for any other address.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse as _, Response};
use http::request::Parts;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{LeptosRoutes as _, generate_route_list};

use super::security_headers::CspNonce;
use crate::state::AppState;

pub fn routes(state: &AppState) -> Router<AppState> {
    let routes = generate_route_list(app::App);
    let assets = state.assets.clone();
    let context = request_context(state);
    Router::new()
        .leptos_routes_with_context(state, routes, context, move || app::shell(assets.clone()))
        .route("/api/{*fn_name}", axum::routing::post(server_fns))
        .fallback(not_found)
}

/// Server functions (`app::api`), with the same context as the pages.
async fn server_fns(State(state): State<AppState>, request: Request<Body>) -> Response {
    leptos_axum::handle_server_fns_with_context(request_context(&state), request).await.into_response()
}

/// Renders the app for an address no route matches: its router shows the
/// 404 page and sets the status.
async fn not_found(State(state): State<AppState>, request: Request<Body>) -> Response {
    let assets = state.assets.clone();
    let handler =
        leptos_axum::render_app_to_stream_with_context(request_context(&state), move || app::shell(assets.clone()));
    handler(request).await.into_response()
}

/// What pages and server functions find in their context: the response's
/// CSP nonce and the interaction loader.
fn request_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let loader = super::interaction::loader(state.clone());
    move || {
        provide_request_context();
        provide_context(loader.clone());
    }
}

/// Hands the response's CSP nonce to the renderer, so that the inline boot
/// script carries the nonce the `Content-Security-Policy` header allows.
fn provide_request_context() {
    let nonce = use_context::<Parts>().and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(nonce) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce.as_str()));
    }
}
