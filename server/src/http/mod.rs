//! HTTP: the route table and the layers every request passes through.
//!
//! Outermost first: request id → metrics → trace span → panic guard → security
//! headers → compression → cross-origin form guard → routes.

pub mod account;
pub mod assets;
pub mod client_address;
pub mod cookies;
pub mod csrf;
pub mod flash;
pub mod forms;
pub mod health;
pub mod interaction;
pub mod locale;
pub mod operator;
pub mod organizations;
pub mod passkeys;
pub mod password_reset;
pub mod portal;
pub mod professions;
pub mod registration;
pub mod second_factor;
pub mod security_headers;
pub mod sign_in;
pub mod ui;

use axum::Router;
use axum::http::{Extensions, HeaderMap, HeaderName, Request, StatusCode, Version, header};
use axum::middleware;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::state::AppState;

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// An audit event of this request: its client address and request id set.
pub fn audit_event(
    kind: sanus_core::audit::EventKind,
    headers: &HeaderMap,
    address: Option<std::net::IpAddr>,
) -> sanus_core::audit::Event<'_> {
    let mut event = sanus_core::audit::Event::new(kind);
    event.address = address.map(|a| a.to_string());
    event.request_id = headers.get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok());
    event
}

/// Records, in each tenant's audit log, a membership that deleting
/// `application` ended (the member held only its roles there). Without who
/// deleted it or from where: the tenant may be a licensee, another
/// organisation than the developer's, whose Admins would otherwise see the
/// developer's account and address. The developer's own log has those, in
/// the `application.deleted` record with the same request id.
pub async fn record_ended_memberships(
    state: &AppState,
    headers: &HeaderMap,
    application: &sanus_core::applications::Application,
    ended: &[(sanus_core::tenants::TenantId, sanus_core::users::UserId)],
) -> Result<(), sanus_core::StoreError> {
    for (tenant, member) in ended {
        let mut event = audit_event(sanus_core::audit::EventKind::MemberRemoved, headers, None);
        event.tenant_id = Some(tenant.as_str());
        event.detail = serde_json::json!({
            "member": member.as_str(),
            "reason": "application_deleted",
            "application": application.id.as_str(),
            "short_key": application.short_key.as_str(),
        });
        state.audit(&event, state.clock.now()).await?;
    }
    Ok(())
}

/// "Something went wrong on our side", in the request's language (503:
/// the cause is in the log, and trying again later may well work).
pub fn unavailable_page(state: &AppState, headers: &HeaderMap) -> axum::response::Response {
    let t = app::i18n::locale_of_headers(headers).texts();
    let body = format!("<p class=\"mt-4 text-slate-700\">{}</p>", t.server_error_text);
    crate::oidc::authorize::simple_page(state, headers, StatusCode::SERVICE_UNAVAILABLE, t.flow_error_title, &body)
}

/// A form posted to a handler that may answer with a page: the form, and
/// the request's parts (headers, the CSP nonce) to render that page with.
pub async fn form_and_parts<T: serde::de::DeserializeOwned>(
    state: &AppState,
    request: axum::extract::Request,
) -> Result<(T, http::request::Parts), axum::response::Response> {
    use axum::extract::FromRequest as _;
    use axum::response::IntoResponse as _;
    let (parts, body) = request.into_parts();
    let rebuilt = axum::extract::Request::from_parts(parts.clone(), body);
    match axum::Form::<T>::from_request(rebuilt, state).await {
        Ok(axum::Form(form)) => Ok((form, parts)),
        Err(rejection) => Err(rejection.into_response()),
    }
}

pub fn router(state: AppState) -> Router {
    let layers = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID_HEADER, MakeRequestUuid))
        .layer(middleware::from_fn_with_state(state.clone(), crate::metrics::track))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID_HEADER))
        .layer(CatchPanicLayer::custom(security_headers::panic_response))
        .layer(middleware::from_fn_with_state(state.clone(), security_headers::apply))
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest).compress_when(pages_only()))
        .layer(middleware::from_fn_with_state(state.clone(), csrf::reject_cross_origin));

    let mut router = Router::new();
    if state.settings.metrics.on_main_listener() {
        router = router.route(crate::metrics::ROUTE, axum::routing::get(crate::metrics::scrape));
    }
    router
        .merge(health::routes())
        .merge(locale::routes())
        .merge(crate::oidc::routes())
        .merge(assets::routes(&state.settings.server.site_dir))
        .merge(crate::api::routes())
        .merge(ui::routes(&state))
        .layer(layers)
        .with_state(state)
}

/// Compress HTML pages on the fly (static files come precompressed). Small
/// JSON answers (tokens, keys) are not worth the CPU: compressing a 1 KB
/// JWKS costs more than serving it.
fn pages_only() -> impl Predicate {
    DefaultPredicate::new().and(is_html as fn(StatusCode, Version, &HeaderMap, &Extensions) -> bool)
}

fn is_html(_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"))
}

/// The span of one request: its id, method and path. The query string is
/// left out on purpose: it can carry codes and tokens; so are the path
/// segments that are secrets themselves (mailed links).
fn request_span<B>(request: &Request<B>) -> tracing::Span {
    let id = request.headers().get(&REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("-");
    let span = tracing::info_span!(
        "request",
        id = %id,
        method = %request.method(),
        path = %loggable_path(request.uri().path()),
    );
    crate::telemetry::continue_trace(&span, request.headers());
    span
}

/// Paths whose next segment is a secret (the token of a mailed link).
const SECRET_SEGMENT_AFTER: [&str; 3] = ["/password/reset/", "/email/confirm/", "/invitations/"];

/// The path with the token of a mailed link replaced by `…`.
fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in SECRET_SEGMENT_AFTER {
        if let Some(rest) = path.strip_prefix(prefix) {
            let after = rest.find('/').map_or("", |slash| &rest[slash..]);
            return format!("{prefix}…{after}").into();
        }
    }
    path.into()
}

#[cfg(test)]
mod tests {
    #[test]
    fn mailed_link_tokens_stay_out_of_the_log() {
        assert_eq!(super::loggable_path("/password/reset/s3cret"), "/password/reset/…");
        assert_eq!(super::loggable_path("/email/confirm/s3cret"), "/email/confirm/…");
        assert_eq!(super::loggable_path("/invitations/s3cret/accept"), "/invitations/…/accept");
        assert_eq!(super::loggable_path("/email/verify/abc/resend"), "/email/verify/abc/resend");
        assert_eq!(super::loggable_path("/token"), "/token");
    }
}
