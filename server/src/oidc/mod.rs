//! The OpenID Connect / OAuth 2 protocol surface. One module per endpoint;
//! this route table is the single source of what is served (and, once the
//! authorization and token endpoints exist, of the discovery document).
//!
//! - `jwks`: JSON Web Key Set (RFC 7517 §5; OIDC Discovery `jwks_uri`)

pub mod jwks;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

/// Path of the JWK Set.
pub const JWKS_PATH: &str = "/jwks";

pub fn routes() -> Router<AppState> {
    Router::new().route(JWKS_PATH, get(jwks::jwks))
}
