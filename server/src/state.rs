//! What every handler can reach: storage, settings, the UI's options.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sanus_core::Store;

use crate::config::Settings;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub settings: Arc<Settings>,
    pub leptos_options: LeptosOptions,
    pub assets: app::Assets,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
