//! The OpenID Connect / OAuth 2 protocol surface. One module per endpoint;
//! this route table is the single source of what is served (and, once the
//! authorization and token endpoints exist, of the discovery document).
//!
//! - `jwks`: JSON Web Key Set (RFC 7517 §5; OIDC Discovery `jwks_uri`)
//! - `token`: the token endpoint (RFC 6749 §3.2), one module per grant
//!
//! Shared pieces: `client_auth` (RFC 6749 §2.3), `params` (§3.2 form rules),
//! `scope` (§3.3), `access_token` (RFC 9068), `error` (§5.2), `cors`.

pub mod access_token;
pub mod authorize;
pub mod bearer;
pub mod claims;
pub mod client_auth;
pub mod cors;
pub mod discovery;
pub mod end_session;
pub mod error;
pub mod id_token;
pub mod id_token_hint;
pub mod introspection;
pub mod jwks;
pub mod params;
pub mod profession_claims;
pub mod registration;
pub mod revocation;
pub mod scope;
pub mod tenant_claims;
pub mod token;
pub mod userinfo;

use axum::Router;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};

use crate::state::AppState;

/// Path of the JWK Set.
pub const JWKS_PATH: &str = "/jwks";
/// Path of the token endpoint.
pub const TOKEN_PATH: &str = "/token";
/// Path of the authorization endpoint.
pub const AUTHORIZE_PATH: &str = "/authorize";
/// Path of the UserInfo endpoint.
pub const USERINFO_PATH: &str = "/userinfo";
/// Path of the introspection endpoint (RFC 7662).
pub const INTROSPECTION_PATH: &str = "/introspect";
/// Path of the revocation endpoint (RFC 7009).
pub const REVOCATION_PATH: &str = "/revoke";
/// Path of RP-initiated logout.
pub const END_SESSION_PATH: &str = "/end_session";

/// Endpoints other sites call with POST by design, so the cross-origin form
/// guard leaves them alone. Most authenticate the client instead of relying
/// on cookies. The authorization and logout endpoints take a relying
/// party's form (OIDC Core §3.1.2.1, RP-Initiated Logout §2) and send it on
/// as a GET to themselves: the SSO cookie (SameSite=Lax) comes along only
/// then, and nothing is decided on a cross-site POST.
pub const CROSS_ORIGIN_POST_PATHS: &[&str] = &[
    TOKEN_PATH,
    USERINFO_PATH,
    INTROSPECTION_PATH,
    REVOCATION_PATH,
    registration::REGISTRATION_PATH,
    AUTHORIZE_PATH,
    END_SESSION_PATH,
];

/// A relying party's form POSTed across sites to `path`: the same request
/// as a GET to ourselves (without `leave_out`), which brings the SSO cookie
/// (SameSite=Lax) along; `None` for a same-origin POST, handled as it is.
/// The parameters then show in the URL, as they do in any GET request.
pub fn as_get_if_cross_site(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    params: &params::Params,
    leave_out: &[&str],
) -> Option<Response> {
    if crate::http::csrf::is_same_origin(headers, &state.settings.server.public_url.origin()) {
        return None;
    }
    let query = params.to_query(leave_out);
    let location = if query.is_empty() { path.to_string() } else { format!("{path}?{query}") };
    Some(authorize::see_other(&location))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(JWKS_PATH, get(jwks::jwks))
        .route(discovery::OPENID_CONFIGURATION_PATH, get(discovery::configuration))
        .route(discovery::OAUTH_METADATA_PATH, get(discovery::configuration))
        .route(USERINFO_PATH, get(userinfo::userinfo).post(userinfo::userinfo).options(cors::preflight))
        .route(TOKEN_PATH, post(token::token).options(cors::preflight))
        .route(INTROSPECTION_PATH, post(introspection::introspect))
        .route(REVOCATION_PATH, post(revocation::revoke).options(cors::preflight))
        .route(registration::REGISTRATION_PATH, post(registration::register))
        .route(
            "/oauth2/register/{client_id}",
            get(registration::read).put(registration::replace).delete(registration::delete),
        )
        .route(END_SESSION_PATH, get(end_session::end_session_get).post(end_session::end_session_post))
        .route(AUTHORIZE_PATH, get(authorize::authorize_get).post(authorize::authorize_post))
        .route("/authorize/resume/{id}", get(authorize::resume))
        .route("/interaction/{id}/login", post(crate::http::interaction::sign_in))
        .route("/interaction/{id}/consent", post(crate::http::interaction::consent))
        .route("/interaction/{id}/tenant", post(crate::http::interaction::choose_tenant))
}

/// Call before a signature that follows queries (RS256: about a quarter of
/// a millisecond of one core, more on a slow one). Tasks that are ready
/// send their queries first, so the database's threads work on them while
/// this one signs (measured with `sanus-bench`: without it, RS256 code flows
/// per second fell by up to a third at the same CPU per flow).
pub async fn let_queries_go_first() {
    tokio::task::yield_now().await;
}
