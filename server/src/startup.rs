//! Start-up and shutdown: open the database and migrate it, load the site
//! manifest, bind the listener, serve until told to stop.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use leptos::config::LeptosOptions;
use sanus_core::keys::{KekError, KeyError};
use sanus_core::mail::Mailer;
use sanus_core::{Clock, Store, StoreError, SystemClock};
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::config::{Secret, Settings};
use crate::http;
use crate::keys::Keys;
use crate::state::AppState;

/// Why Sanus could not start: one line for the operator.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("invalid key-encryption key (keys.kek): {0}")]
    Kek(KekError),
    #[error(transparent)]
    Keys(#[from] KeyError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("the site manifest {path} is unreadable: {reason}")]
    SiteManifest { path: String, reason: String },
    #[error("import of {path}: {source}")]
    Import { path: String, source: sanus_core::import::ImportError },
    #[error("cannot read {path}: {source}")]
    ReadFile { path: String, source: std::io::Error },
    #[error("cannot write {path}: {source}")]
    WriteFile { path: String, source: std::io::Error },
    #[error("the server stopped with an error: {0}")]
    Serve(std::io::Error),
    /// A command was given something it cannot work with.
    #[error("{0}")]
    Usage(String),
    #[error("mail settings: {0}")]
    Mail(sanus_core::mail::MailError),
}

/// A built, bound, migrated Sanus, ready to run.
pub struct Application {
    listener: TcpListener,
    local_addr: SocketAddr,
    /// `metrics.bind`'s listener, when set.
    metrics_listener: Option<(TcpListener, SocketAddr)>,
    state: AppState,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// As `build`, with the clock every time-dependent rule reads (tests
    /// pass one they can move).
    pub async fn build_with_clock(settings: Settings, clock: Arc<dyn Clock>) -> Result<Self, StartupError> {
        let listener = TcpListener::bind(settings.server.bind)
            .await
            .map_err(|source| StartupError::Bind { addr: settings.server.bind, source })?;
        Self::build_on(listener, settings, clock).await
    }

    /// As `build_with_clock`, on a listener bound beforehand (tests that need
    /// the port in `server.public_url` before start-up).
    pub async fn build_on(
        listener: TcpListener,
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartupError> {
        let metrics_listener = match settings.metrics.bind.filter(|_| settings.metrics.enabled) {
            Some(addr) => {
                let bound = TcpListener::bind(addr).await.map_err(|source| StartupError::Bind { addr, source })?;
                let local = bound.local_addr().map_err(|source| StartupError::Bind { addr, source })?;
                Some((bound, local))
            }
            None => None,
        };
        let store = open_store(&settings).await?;
        let keys = Keys::open(&settings, store.clone(), clock.clone()).await?;
        let assets = http::assets::load_manifest(&settings.server.site_dir)?;
        let local_addr =
            listener.local_addr().map_err(|source| StartupError::Bind { addr: settings.server.bind, source })?;
        let leptos_options = LeptosOptions::builder()
            .output_name("sanus")
            .site_root(settings.server.site_dir.display().to_string())
            .site_pkg_dir("pkg")
            .site_addr(local_addr)
            .build();
        let discovery = crate::oidc::discovery::document(
            settings.server.public_url.as_str(),
            &settings.professions.trust_framework,
        )
        .to_string()
        .into();
        let mailer = Mailer::new(&settings.mail.from, settings.mail.smtp_url.as_ref().map(Secret::expose))
            .map_err(StartupError::Mail)?;
        if mailer.is_outbox() {
            tracing::warn!(
                "mail.smtp_url is not set: mail is not sent but kept in the development outbox; operators read \
                 it at /admin/outbox or with `sanus outbox`"
            );
        }
        let passkeys = match sanus_core::passkeys::relying_party(settings.server.public_url.as_str()) {
            Ok(rp) => Some(Arc::new(rp)),
            Err(error) => {
                tracing::info!(%error, "passkeys are off: server.public_url must name a host (e.g. localhost)");
                None
            }
        };
        let clients = Arc::new(crate::clients::ClientCache::default());
        let passwords = Arc::new(crate::passwords::PasswordPool::per_core());
        let access_tokens = Arc::new(crate::access_tokens::AccessTokenCache::default());
        let metrics = Arc::new(crate::metrics::Metrics::new(crate::metrics::Sources {
            clients: &clients.lookups,
            access_tokens: &access_tokens.lookups,
            passwords: &passwords.stats,
        }));
        let state = AppState::new(crate::state::State {
            store,
            settings: Arc::new(settings),
            leptos_options,
            assets: Arc::new(assets),
            keys: Arc::new(keys),
            clock,
            discovery,
            clients,
            passwords,
            access_tokens,
            mailer,
            passkeys,
            metrics,
        });
        Ok(Self { listener, local_addr, metrics_listener, state })
    }

    /// The address actually bound (tests bind port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    /// The address of the separate metrics listener, when `metrics.bind` is set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener.as_ref().map(|(_, addr)| *addr)
    }

    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// Where passwords are checked (tests fill it with `saturate`).
    pub fn passwords(&self) -> &Arc<crate::passwords::PasswordPool> {
        &self.state.passwords
    }

    pub fn keys(&self) -> &Arc<Keys> {
        &self.state.keys
    }

    /// Serves until `shutdown` completes, then stops accepting connections
    /// and lets in-flight requests finish within the grace period.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartupError> {
        let grace = Duration::from_secs(self.state.settings.server.shutdown_grace_seconds);
        let store = self.state.store.clone();
        let rotation = tokio::spawn(rotate_on_schedule(self.state.keys.clone()));
        let expiry = tokio::spawn(hourly_upkeep(self.state.clone()));
        let metrics_settings = &self.state.settings.metrics;
        if metrics_settings.enabled && metrics_settings.bind.is_none() && metrics_settings.bearer_token.is_none() {
            tracing::info!("/metrics is off: set metrics.bind (a private address) or metrics.bearer_token");
        }
        let metrics = self.metrics_listener.map(|(listener, addr)| {
            tracing::info!(address = %addr, "serving /metrics");
            let router = crate::metrics::router(self.state.clone());
            tokio::spawn(async move {
                if let Err(error) = axum::serve(listener, router).await {
                    tracing::error!(%error, "the metrics listener stopped");
                }
            })
        });
        let router = http::router(self.state);
        tracing::info!(address = %self.local_addr, "listening");

        let stopping = Arc::new(Notify::new());
        let signal = {
            let stopping = stopping.clone();
            async move {
                shutdown.await;
                tracing::info!(grace_seconds = grace.as_secs(), "shutting down: finishing in-flight requests");
                stopping.notify_one();
            }
        };
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        let serve = axum::serve(self.listener, service).with_graceful_shutdown(signal);
        let result = tokio::select! {
            result = serve => result.map_err(StartupError::Serve),
            () = async { stopping.notified().await; tokio::time::sleep(grace).await } => {
                tracing::warn!("grace period over: closing the remaining connections");
                Ok(())
            }
        };
        rotation.abort();
        expiry.abort();
        if let Some(metrics) = metrics {
            metrics.abort();
        }
        store.close().await;
        tracing::info!("stopped");
        result
    }
}

/// Checks hourly whether the signing keys are due for rotation.
async fn rotate_on_schedule(keys: Arc<Keys>) {
    let mut hourly = tokio::time::interval(Duration::from_secs(3_600));
    hourly.tick().await; // the first tick is immediate; start-up has just checked
    loop {
        hourly.tick().await;
        if let Err(error) = keys.rotate_if_due().await {
            tracing::error!(%error, "scheduled key rotation failed");
        }
    }
}

/// At start-up, then hourly: ends professional verifications that ran out
/// (a profile past its date already reads as unverified before that),
/// forgets client assertions that expired (a replay check needs them only
/// until then), and lets go of what `retention` no longer keeps.
async fn hourly_upkeep(state: AppState) {
    let mut hourly = tokio::time::interval(Duration::from_secs(3_600));
    loop {
        hourly.tick().await;
        http::professions::expire_verifications(&state).await;
        if let Err(error) = sanus_core::tokens::forget_spent_assertions(&state.store, state.clock.now()).await {
            tracing::error!(%error, "cannot forget expired client assertions");
        }
        let policy = state.settings.retention.policy();
        match sanus_core::retention::purge(&state.store, policy, state.clock.now()).await {
            Ok(purged) if !purged.is_empty() => tracing::info!(?purged, "deleted records past their retention"),
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "cannot delete records past their retention"),
        }
    }
}

/// Connects and migrates; makes the data directory when something lives
/// there (the embedded database, the generated key-encryption key).
async fn open_store(settings: &Settings) -> Result<Store, StartupError> {
    let embedded_db = settings.database.url.as_deref().is_none_or(|u| u.trim().is_empty());
    if embedded_db || settings.keys.kek.is_none() {
        let dir = &settings.server.data_dir;
        std::fs::create_dir_all(dir)
            .map_err(|source| StartupError::DataDir { path: dir.display().to_string(), source })?;
    }
    let store = Store::connect(&settings.store_options()).await?;
    store.migrate().await?;
    tracing::info!(engine = store.engine().as_str(), "database ready");
    Ok(store)
}

/// `sanus migrate`: bring the schema up to date and stop.
pub async fn migrate(settings: &Settings) -> Result<(), StartupError> {
    let store = open_store(settings).await?;
    store.close().await;
    Ok(())
}

/// `sanus backup FILE`: a consistent copy of the embedded database. The
/// schema is left as it is: a backup never migrates.
pub async fn backup(settings: &Settings, path: &std::path::Path) -> Result<(), StartupError> {
    let store = Store::connect(&settings.store_options()).await?;
    let copied = store.backup_sqlite(path).await;
    store.close().await;
    Ok(copied?)
}

/// For commands that read (`sanus outbox`, `sanus audit`): opens the
/// store, runs `read`, closes it.
pub async fn read_store<T>(
    settings: &Settings,
    read: impl AsyncFnOnce(&Store) -> Result<T, StoreError>,
) -> Result<T, StartupError> {
    let store = open_store(settings).await?;
    let read = read(&store).await;
    store.close().await;
    Ok(read?)
}

/// `sanus import FILE`: tenants, users, applications, clients from TOML or JSON.
pub async fn import(
    settings: &Settings,
    path: &std::path::Path,
) -> Result<sanus_core::import::ImportReport, StartupError> {
    let shown = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|source| StartupError::ReadFile { path: shown.clone(), source })?;
    let format = if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) { "json" } else { "toml" };
    let file = sanus_core::import::parse(&text, format)
        .map_err(|source| StartupError::Import { path: shown.clone(), source })?;
    let store = open_store(settings).await?;
    let now = SystemClock.now();
    let report = sanus_core::import::apply(&store, file, now)
        .await
        .map_err(|source| StartupError::Import { path: shown, source });
    store.close().await;
    report
}

/// `sanus export FILE`: the directory in the import format; the text, and
/// the file written unless FILE is `-`.
pub async fn export(settings: &Settings, path: &std::path::Path) -> Result<String, StartupError> {
    let shown = path.display().to_string();
    let format = if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) { "json" } else { "toml" };
    let file = read_store(settings, async |store| sanus_core::export::export(store).await).await?;
    let text = sanus_core::export::render(&file, format)
        .map_err(|message| StartupError::Usage(format!("cannot write the export: {message}")))?;
    if path.as_os_str() != "-" {
        std::fs::write(path, &text).map_err(|source| StartupError::WriteFile { path: shown, source })?;
    }
    Ok(text)
}

/// `sanus keys rotate`: new signing keys now; the old ones stay published.
pub async fn rotate_keys(settings: &Settings) -> Result<Vec<sanus_core::keys::KeyStatus>, StartupError> {
    let store = open_store(settings).await?;
    let keys = Keys::open(settings, store.clone(), Arc::new(SystemClock)).await?;
    let fresh = keys.rotate().await?;
    store.close().await;
    Ok(fresh)
}

/// `sanus keys list`: every signing key, without private parts.
pub async fn list_keys(settings: &Settings) -> Result<Vec<sanus_core::keys::KeyStatus>, StartupError> {
    let store = open_store(settings).await?;
    // Opening makes the first keys on a new database, as `serve` would.
    Keys::open(settings, store.clone(), Arc::new(SystemClock)).await?;
    let keys = sanus_core::keys::list_signing_keys(&store).await?;
    store.close().await;
    Ok(keys)
}

/// Completes on SIGTERM or SIGINT (Ctrl-C).
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
