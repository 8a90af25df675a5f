//! What every handler can reach: storage, keys, clock, settings, the UI's options.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sanus_core::{Clock, Store};

use crate::config::Settings;
use crate::keys::Keys;

/// Cloned for every request (by each extractor and middleware that takes
/// it): one reference count, whatever it holds.
#[derive(Clone)]
pub struct AppState(Arc<State>);

impl AppState {
    pub fn new(state: State) -> Self {
        Self(Arc::new(state))
    }
}

impl std::ops::Deref for AppState {
    type Target = State;

    fn deref(&self) -> &State {
        &self.0
    }
}

pub struct State {
    pub store: Store,
    pub settings: Arc<Settings>,
    pub leptos_options: LeptosOptions,
    pub assets: Arc<app::Assets>,
    pub keys: Arc<Keys>,
    pub clock: Arc<dyn Clock>,
    /// Clients and their secret hashes, cached for `clients::TTL_SECONDS`.
    pub clients: Arc<crate::clients::ClientCache>,
    /// The discovery document, built once at start-up.
    pub discovery: Arc<str>,
    /// Where argon2 runs: a few dedicated threads.
    pub passwords: Arc<crate::passwords::PasswordPool>,
    /// Verified access tokens and the revocations that still matter.
    pub access_tokens: Arc<crate::access_tokens::AccessTokenCache>,
    /// SMTP, or the development outbox.
    pub mailer: sanus_core::mail::Mailer,
    /// The WebAuthn relying party; `None` when the public URL's host is an
    /// IP address (browsers allow passkeys only for domain names).
    pub passkeys: Option<Arc<webauthn_rs::Webauthn>>,
    /// What `/metrics` reports.
    pub metrics: Arc<crate::metrics::Metrics>,
}

impl AppState {
    /// A client by id, through the per-instance cache.
    pub async fn find_client(&self, id: &str) -> Result<Option<sanus_core::clients::Client>, sanus_core::StoreError> {
        let cached = self.clients.get(&self.store, id, self.clock.now()).await?;
        Ok(cached.map(|c| c.client.clone()))
    }
}

impl AppState {
    /// Records an audit event and counts it for `/metrics`.
    pub async fn audit(
        &self,
        event: &sanus_core::audit::Event<'_>,
        now: sanus_core::UnixTime,
    ) -> Result<(), sanus_core::StoreError> {
        sanus_core::audit::record(&self.store, event, now).await?;
        self.metrics.audited(event);
        Ok(())
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
