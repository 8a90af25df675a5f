//! Logging and tracing.
//!
//! - **Logs**: tracing events as readable lines or JSON objects on standard
//!   output. Every event inside a request carries the request's id through
//!   the `request` span (see `http::request_span`). Standard error carries
//!   only the one-line reason when Sanus cannot start.
//! - **Traces** (off unless `traces.otlp_endpoint` is set): the same spans,
//!   sent in batches over OTLP/HTTP (protobuf) to an OpenTelemetry
//!   collector. A request's span continues the trace of an incoming W3C
//!   `traceparent` header. The batches go out from a thread of their own, on
//!   a one-thread runtime of their own, so a slow collector never holds up
//!   a request; when the queue is full, spans are dropped, not requests.

use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_http::{HttpClient, HttpError};
use opentelemetry_otlp::{WithExportConfig as _, WithHttpConfig as _};
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer as _;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

use crate::config::{LogFormat, LogSettings, TraceSettings};

/// Keeps the trace exporter alive; dropping it sends what is still queued.
#[must_use = "traces stop when this is dropped"]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take()
            && let Err(error) = provider.shutdown()
        {
            eprintln!("sanus: the last traces could not be sent: {error}");
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_secs(1));
        }
    }
}

/// Installs the global subscriber once; later calls (tests) change nothing.
/// `RUST_LOG`, when set, wins over `log.filter`.
pub fn init(settings: &LogSettings) {
    drop(init_with_traces(settings, &TraceSettings::default()));
}

/// As `init`, and sends traces when `traces.otlp_endpoint` is set. An
/// exporter that cannot be built is reported on standard error, and Sanus
/// runs without traces.
pub fn init_with_traces(log: &LogSettings, traces: &TraceSettings) -> Telemetry {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|value| EnvFilter::try_new(value).ok())
        .unwrap_or_else(|| EnvFilter::new(&log.filter));
    let fmt = tracing_subscriber::fmt::layer().with_span_events(FmtSpan::NONE).with_writer(std::io::stdout);
    let fmt = match log.format {
        LogFormat::Human => fmt.with_target(false).boxed(),
        LogFormat::Json => fmt.json().flatten_event(true).with_current_span(true).with_span_list(false).boxed(),
    };
    let mut telemetry = Telemetry { provider: None, runtime: None };
    if let Some(endpoint) = &traces.otlp_endpoint {
        match exporter(endpoint, traces) {
            Ok((provider, runtime)) => {
                opentelemetry::global::set_text_map_propagator(
                    opentelemetry_sdk::propagation::TraceContextPropagator::new(),
                );
                telemetry = Telemetry { provider: Some(provider), runtime: Some(runtime) };
            }
            Err(error) => eprintln!("sanus: traces are off: {error}"),
        }
    }
    // Each layer has its own filter: `log.filter = "warn"` must not stop
    // the request spans (info) from being traced.
    let traced = telemetry.provider.as_ref().map(|provider| {
        tracing_opentelemetry::layer().with_tracer(provider.tracer("sanus")).with_filter(EnvFilter::new("info"))
    });
    let _ = tracing_subscriber::registry().with(fmt.with_filter(filter)).with(traced).try_init();
    telemetry
}

fn exporter(
    endpoint: &str,
    traces: &TraceSettings,
) -> Result<(SdkTracerProvider, tokio::runtime::Runtime), Box<dyn std::error::Error>> {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).thread_name("sanus-otlp").enable_all().build()?;
    let client = Client {
        http: reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?,
        runtime: runtime.handle().clone(),
    };
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(client)
        .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
        .with_endpoint(endpoint)
        .with_timeout(Duration::from_secs(10))
        .build()?;
    let resource = opentelemetry_sdk::Resource::builder()
        .with_service_name(traces.service_name.clone())
        .with_attribute(opentelemetry::KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
        .build();
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        // By trace id, not by the caller's flag: a caller continues its trace
        // here, but cannot make Sanus trace everything it sends.
        .with_sampler(Sampler::TraceIdRatioBased(traces.sample_ratio))
        .with_resource(resource)
        .build();
    Ok((provider, runtime))
}

/// OTLP/HTTP requests, sent by reqwest on the exporter's own runtime (the
/// batch processor's thread has none).
#[derive(Debug)]
struct Client {
    http: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

#[async_trait::async_trait]
impl HttpClient for Client {
    async fn send_bytes(
        &self,
        request: http::Request<bytes::Bytes>,
    ) -> Result<http::Response<bytes::Bytes>, HttpError> {
        let (parts, body) = request.into_parts();
        let http = self.http.clone();
        let sent = self.runtime.spawn(async move {
            let response =
                http.request(parts.method, parts.uri.to_string()).headers(parts.headers).body(body).send().await?;
            let (status, headers) = (response.status(), response.headers().clone());
            Ok::<_, reqwest::Error>((status, headers, response.bytes().await?))
        });
        let (status, headers, body) = sent.await??;
        let mut response = http::Response::new(body);
        *response.status_mut() = status;
        *response.headers_mut() = headers;
        Ok(response)
    }
}

/// Continues the trace of an incoming `traceparent` header in `span`
/// (nothing when traces are off: the default propagator reads nothing).
pub fn continue_trace(span: &tracing::Span, headers: &http::HeaderMap) {
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&opentelemetry_http::HeaderExtractor(headers))
    });
    let _ = span.set_parent(parent);
}
