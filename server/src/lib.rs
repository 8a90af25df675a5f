//! The Sanus server as a library: `Application::build(settings)` is what the
//! binary, the integration tests, the end-to-end tests and the benchmarks
//! all start.

pub mod access_tokens;
pub mod api;
pub mod cli;
pub mod clients;
pub mod config;
pub mod http;
pub mod keys;
pub mod metrics;
pub mod oidc;
pub mod passwords;
pub mod runtime;
pub mod startup;
pub mod state;
pub mod telemetry;

pub use config::Settings;
pub use startup::{Application, StartupError};
