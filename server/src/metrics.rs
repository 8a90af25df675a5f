//! Prometheus metrics, in the OpenMetrics text format at `/metrics`: only on
//! `metrics.bind` when that is set, else on the main listener when a
//! `metrics.bearer_token` guards it (the main listener faces everyone).
//!
//! Every label has a small, fixed set of values: routes are the route table's
//! templates (`/oauth2/register/{client_id}`, never the id), unmatched paths
//! are `unmatched`, error codes and audit kinds come from enums. Nothing
//! that names a person, a client or a token is ever a label.
//!
//! Counters are counted where things happen; the gauges (database pool,
//! password queue, memory) are read when scraped.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use sanus_core::audit::EventKind;

use crate::state::AppState;

pub const ROUTE: &str = "/metrics";
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct GrantLabels {
    grant: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TokenErrorLabels {
    grant: &'static str,
    error: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SignInLabels {
    outcome: &'static str,
    reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

/// Lookups in one of the per-instance caches, by `result` (`hit`/`miss`).
#[derive(Clone, Default)]
pub struct CacheLookups(Family<ResultLabels, Counter>);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabels {
    result: &'static str,
}

impl CacheLookups {
    pub fn hit(&self) {
        self.0.get_or_create(&ResultLabels { result: "hit" }).inc();
    }

    pub fn miss(&self) {
        self.0.get_or_create(&ResultLabels { result: "miss" }).inc();
    }

    #[cfg(test)]
    pub fn count(&self, result: &'static str) -> u64 {
        self.0.get_or_create(&ResultLabels { result }).get()
    }
}

/// What the password pool reports: jobs waiting, jobs running, refusals.
#[derive(Default)]
pub struct PasswordPoolStats {
    pub queued: Gauge,
    pub running: Gauge,
    pub refused: Counter,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    tokens: Family<GrantLabels, Counter>,
    token_errors: Family<TokenErrorLabels, Counter>,
    audit_events: Family<KindLabels, Counter>,
    sign_ins: Family<SignInLabels, Counter>,
    db_connections: Family<StateLabels, Gauge>,
    db_max_connections: Gauge,
    resident_memory: Gauge,
}

/// The parts whose numbers live elsewhere and are registered here.
pub struct Sources<'a> {
    pub clients: &'a CacheLookups,
    pub access_tokens: &'a CacheLookups,
    pub passwords: &'a PasswordPoolStats,
}

impl Metrics {
    pub fn new(sources: Sources<'_>) -> Self {
        let mut registry = Registry::with_prefix("sanus");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register_with_unit(
            "http_request_duration",
            "Time from a request's arrival to its answer's headers, by method and route template",
            prometheus_client::registry::Unit::Seconds,
            latency.clone(),
        );
        let tokens = Family::<GrantLabels, Counter>::default();
        registry.register("tokens_issued", "Successful token responses, by grant", tokens.clone());
        let token_errors = Family::<TokenErrorLabels, Counter>::default();
        registry.register("token_errors", "Token requests refused, by grant and OAuth error", token_errors.clone());
        let audit_events = Family::<KindLabels, Counter>::default();
        registry.register("audit_events", "Audit events recorded, by kind", audit_events.clone());
        let sign_ins = Family::<SignInLabels, Counter>::default();
        registry.register("sign_ins", "Sign-in attempts, by outcome and reason", sign_ins.clone());
        registry.register(
            "client_cache_lookups",
            "Client lookups by the token, introspection and authorization endpoints, by result",
            sources.clients.0.clone(),
        );
        registry.register(
            "access_token_cache_lookups",
            "Access tokens presented again (UserInfo, introspection), by whether their verification was cached",
            sources.access_tokens.0.clone(),
        );
        registry.register(
            "password_checks_queued",
            "Password hashes waiting for an argon2 thread",
            sources.passwords.queued.clone(),
        );
        registry.register(
            "password_checks_running",
            "Password hashes being computed now",
            sources.passwords.running.clone(),
        );
        registry.register(
            "password_checks_refused",
            "Password checks refused because the queue was full",
            sources.passwords.refused.clone(),
        );
        let db_connections = Family::<StateLabels, Gauge>::default();
        registry.register("db_connections", "Database connections of this instance, by state", db_connections.clone());
        let db_max_connections = Gauge::default();
        registry.register(
            "db_max_connections",
            "The configured size of this instance's database pool",
            db_max_connections.clone(),
        );
        let resident_memory = Gauge::default();
        registry.register_with_unit(
            "process_resident_memory",
            "Resident memory of the process",
            prometheus_client::registry::Unit::Bytes,
            resident_memory.clone(),
        );
        let build = Family::<VersionLabels, Gauge>::default();
        build.get_or_create(&VersionLabels { version: env!("CARGO_PKG_VERSION") }).set(1);
        registry.register("build_info", "The running version of Sanus", build);
        Self {
            registry,
            requests,
            latency,
            tokens,
            token_errors,
            audit_events,
            sign_ins,
            db_connections,
            db_max_connections,
            resident_memory,
        }
    }

    /// One answered request.
    fn request(&self, method: &Method, route: &str, status: u16, seconds: f64) {
        let method = method_label(method);
        self.requests.get_or_create(&RequestLabels { method, route: route.to_string(), status }).inc();
        self.latency.get_or_create(&RouteLabels { method, route: route.to_string() }).observe(seconds);
    }

    /// A token response: `error` is `None` when tokens were issued.
    pub fn token_request(&self, grant: &'static str, error: Option<&'static str>) {
        match error {
            None => self.tokens.get_or_create(&GrantLabels { grant }).inc(),
            Some(error) => self.token_errors.get_or_create(&TokenErrorLabels { grant, error }).inc(),
        };
    }

    /// A recorded audit event; sign-ins are also counted by outcome.
    pub fn audited(&self, event: &sanus_core::audit::Event<'_>) {
        self.audit_events.get_or_create(&KindLabels { kind: event.kind.as_str() }).inc();
        let outcome = match event.kind {
            EventKind::SignInSucceeded => "succeeded",
            EventKind::SignInFailed => "failed",
            EventKind::SignInThrottled => "throttled",
            _ => return,
        };
        let reason = event.detail.get("reason").and_then(|r| r.as_str()).filter(|r| is_code(r)).unwrap_or("");
        self.sign_ins.get_or_create(&SignInLabels { outcome, reason: reason.to_string() }).inc();
    }

    /// The text Prometheus scrapes, with the gauges read now.
    pub fn render(&self, state: &AppState) -> String {
        let (size, idle) = state.store.connections();
        let size = i64::from(size);
        let idle = i64::try_from(idle).unwrap_or(i64::MAX);
        self.db_connections.get_or_create(&StateLabels { state: "idle" }).set(idle);
        self.db_connections.get_or_create(&StateLabels { state: "in_use" }).set(size - idle);
        self.db_max_connections.set(i64::from(state.settings.database.max_connections));
        if let Some(bytes) = resident_bytes() {
            self.resident_memory.set(bytes);
        }
        let mut text = String::new();
        if let Err(error) = prometheus_client::encoding::text::encode(&mut text, &self.registry) {
            tracing::error!(%error, "cannot encode the metrics");
        }
        text
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VersionLabels {
    version: &'static str,
}

/// From half a millisecond to about 16 s, doubling.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_5, 2.0, 16))
}

/// The standard methods by name; anything else is `other`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// A machine-made reason (`invalid_credentials`, `email_not_verified`).
fn is_code(text: &str) -> bool {
    (1..=40).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

/// `VmRSS` of `/proc/self/status`, where there is one (Linux).
fn resident_bytes() -> Option<i64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: i64 = line.trim_start_matches("VmRSS:").trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kib * 1024)
}

/// Counts and times every request by its route template.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request.extensions().get::<MatchedPath>().map(|path| path.as_str().to_owned());
    let response = next.run(request).await;
    let route = route.as_deref().unwrap_or("unmatched");
    state.metrics.request(&method, route, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`: with the bearer token, when one is configured.
pub async fn scrape(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = &state.settings.metrics.bearer_token {
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .unwrap_or("");
        let expected = token.expose().trim();
        if aws_lc_rs::constant_time::verify_slices_are_equal(presented.as_bytes(), expected.as_bytes()).is_err() {
            let mut refused = StatusCode::UNAUTHORIZED.into_response();
            refused.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return refused;
        }
    }
    let mut response = state.metrics.render(&state).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The router of a separate metrics listener (`metrics.bind`).
pub fn router(state: AppState) -> axum::Router {
    axum::Router::new().route(ROUTE, axum::routing::get(scrape)).with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_codes_or_nothing() {
        assert!(is_code("invalid_credentials"));
        assert!(is_code("email_not_verified"));
        assert!(!is_code(""));
        assert!(!is_code("jane@example.org"));
        assert!(!is_code("Invalid"));
        assert!(!is_code(&"a".repeat(41)));
    }

    #[test]
    fn methods_outside_the_standard_ones_share_a_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::from_bytes(b"PROPFIND").unwrap()), "other");
    }

    #[test]
    fn the_text_names_every_family_once_with_the_prefix() {
        let clients = CacheLookups::default();
        let access_tokens = CacheLookups::default();
        let passwords = PasswordPoolStats::default();
        let metrics = Metrics::new(Sources { clients: &clients, access_tokens: &access_tokens, passwords: &passwords });
        metrics.request(&Method::POST, "/token", 200, 0.002);
        metrics.token_request("client_credentials", None);
        metrics.token_request("authorization_code", Some("invalid_grant"));
        clients.hit();
        clients.miss();
        clients.hit();
        passwords.queued.set(3);
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &metrics.registry).unwrap();
        assert!(
            text.contains("sanus_http_requests_total{method=\"POST\",route=\"/token\",status=\"200\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("sanus_http_request_duration_seconds_count{method=\"POST\",route=\"/token\"} 1"),
            "{text}"
        );
        assert!(text.contains("sanus_tokens_issued_total{grant=\"client_credentials\"} 1"), "{text}");
        assert!(text.contains("sanus_token_errors_total{grant=\"authorization_code\",error=\"invalid_grant\"} 1"));
        assert!(text.contains("sanus_client_cache_lookups_total{result=\"hit\"} 2"), "{text}");
        assert!(text.contains("sanus_password_checks_queued 3"), "{text}");
        assert!(text.contains("sanus_build_info{version="), "{text}");
        assert!(text.ends_with("# EOF\n"));
        for line in text.lines().filter(|line| line.starts_with("# TYPE")) {
            let name = line.split_whitespace().nth(2).unwrap();
            assert_eq!(text.matches(&format!("# TYPE {name} ")).count(), 1, "{name} twice");
        }
        assert_eq!(clients.count("hit"), 2);
    }
}
