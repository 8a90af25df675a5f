//! Start-up and shutdown: open the database and migrate it, load the site
//! manifest, bind the listener, serve until told to stop.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use leptos::config::LeptosOptions;
use sanus_core::{Store, StoreError};
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::config::Settings;
use crate::http;
use crate::state::AppState;

/// Why Sanus could not start: one line for the operator.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the site manifest {path} is unreadable: {reason}")]
    SiteManifest { path: String, reason: String },
    #[error("the server stopped with an error: {0}")]
    Serve(std::io::Error),
}

/// A built, bound, migrated Sanus, ready to run.
pub struct Application {
    listener: TcpListener,
    local_addr: SocketAddr,
    state: AppState,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let store = open_store(&settings).await?;
        let assets = http::assets::load_manifest(&settings.server.site_dir)?;
        let listener = TcpListener::bind(settings.server.bind)
            .await
            .map_err(|source| StartupError::Bind {
                addr: settings.server.bind,
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| StartupError::Bind {
            addr: settings.server.bind,
            source,
        })?;
        let leptos_options = LeptosOptions::builder()
            .output_name("sanus")
            .site_root(settings.server.site_dir.display().to_string())
            .site_pkg_dir("pkg")
            .site_addr(local_addr)
            .build();
        let state = AppState {
            store,
            settings: Arc::new(settings),
            leptos_options,
            assets,
        };
        Ok(Self {
            listener,
            local_addr,
            state,
        })
    }

    /// The address actually bound (tests bind port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// Serves until `shutdown` completes, then stops accepting connections
    /// and lets in-flight requests finish within the grace period.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartupError> {
        let grace = Duration::from_secs(self.state.settings.server.shutdown_grace_seconds);
        let store = self.state.store.clone();
        let router = http::router(self.state);
        tracing::info!(address = %self.local_addr, "listening");

        let stopping = Arc::new(Notify::new());
        let signal = {
            let stopping = stopping.clone();
            async move {
                shutdown.await;
                tracing::info!(
                    grace_seconds = grace.as_secs(),
                    "shutting down: finishing in-flight requests"
                );
                stopping.notify_one();
            }
        };
        let serve = axum::serve(self.listener, router).with_graceful_shutdown(signal);
        let result = tokio::select! {
            result = serve => result.map_err(StartupError::Serve),
            () = async { stopping.notified().await; tokio::time::sleep(grace).await } => {
                tracing::warn!("grace period over: closing the remaining connections");
                Ok(())
            }
        };
        store.close().await;
        tracing::info!("stopped");
        result
    }
}

async fn open_store(settings: &Settings) -> Result<Store, StartupError> {
    if settings
        .database
        .url
        .as_deref()
        .is_none_or(|u| u.trim().is_empty())
    {
        let dir = &settings.server.data_dir;
        std::fs::create_dir_all(dir).map_err(|source| StartupError::DataDir {
            path: dir.display().to_string(),
            source,
        })?;
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
