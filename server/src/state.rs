//! What every handler can reach: storage, keys, clock, settings, the UI's options.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sanus_core::{Clock, Store};

use crate::config::Settings;
use crate::keys::Keys;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub settings: Arc<Settings>,
    pub leptos_options: LeptosOptions,
    pub assets: app::Assets,
    pub keys: Arc<Keys>,
    pub clock: Arc<dyn Clock>,
    /// The discovery document, built once at start-up.
    pub discovery: Arc<str>,
    /// Permits for password hashing on the blocking pool: one per core.
    pub password_pool: Arc<tokio::sync::Semaphore>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
