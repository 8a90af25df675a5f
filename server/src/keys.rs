//! The signing keys as the server uses them: opened at start-up (made on
//! first start), reloaded at most once a minute so that a rotation by
//! another instance or by `sanus keys rotate` is picked up, and rotated on
//! schedule. A rotated-in key is published `PUBLISH_AHEAD_SECONDS` (two
//! reloads) before it signs, so every instance's JWKS has it by then.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, RwLock};

use jsonwebtoken::DecodingKey;

use sanus_core::keys::{Kek, KeyError, KeyRing, KeyStatus, ensure_signing_keys, rotate_signing_keys, rotation_due};
use sanus_core::{Clock, Store, UnixTime};

use crate::config::{KeySettings, Settings};
use crate::startup::StartupError;

/// How long a loaded key ring is used before it is read again.
pub const RELOAD_AFTER_SECONDS: i64 = 60;

pub struct Keys {
    kek: Kek,
    store: Store,
    clock: Arc<dyn Clock>,
    settings: KeySettings,
    current: RwLock<Arc<Loaded>>,
    reloading: tokio::sync::Mutex<()>,
}

/// A loaded ring with its verification keys parsed once, by `kid`.
struct Loaded {
    ring: Arc<KeyRing>,
    verification: HashMap<String, DecodingKey>,
    at: UnixTime,
}

impl Loaded {
    fn new(ring: KeyRing, at: UnixTime) -> Arc<Self> {
        let verification = ring.jwks()["keys"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|jwk| {
                let kid = jwk["kid"].as_str()?.to_string();
                let jwk = serde_json::from_value::<jsonwebtoken::jwk::Jwk>(jwk.clone()).ok()?;
                Some((kid, DecodingKey::from_jwk(&jwk).ok()?))
            })
            .collect();
        Arc::new(Self { ring: Arc::new(ring), verification, at })
    }
}

impl Keys {
    /// Seals `plaintext` under the key-encryption key for `context` (which
    /// never names a signing key): only this server and its siblings open it,
    /// and only for the same context.
    pub fn seal_for(&self, context: &str, plaintext: &[u8]) -> Option<String> {
        self.kek.seal(&format!("sealed-for:{context}"), plaintext).ok()
    }

    /// Opens what `seal_for` sealed for the same context.
    pub fn open_for(&self, context: &str, sealed: &str) -> Option<Vec<u8>> {
        self.kek.open(&format!("sealed-for:{context}"), sealed).ok()
    }

    /// Resolves the KEK, makes missing keys, rotates if due, loads the ring.
    pub async fn open(settings: &Settings, store: Store, clock: Arc<dyn Clock>) -> Result<Self, StartupError> {
        let kek = match &settings.keys.kek {
            Some(text) => Kek::from_base64(text.expose()).map_err(StartupError::Kek)?,
            None => {
                if store.engine() == sanus_core::Engine::Postgres {
                    tracing::warn!(
                        "keys.kek is not set: the key-encryption key lives in the data directory; \
                         instances sharing this database need the same keys.kek"
                    );
                }
                Kek::load_or_create(&kek_path(&settings.server.data_dir)).map_err(StartupError::Kek)?
            }
        };
        let now = clock.now();
        ensure_signing_keys(&store, &kek, now).await?;
        let loaded = Loaded::new(KeyRing::load(&store, &kek, now).await?, now);
        let keys = Self {
            kek,
            store,
            clock,
            settings: settings.keys.clone(),
            current: RwLock::new(loaded),
            reloading: tokio::sync::Mutex::new(()),
        };
        keys.rotate_if_due().await?;
        Ok(keys)
    }

    /// The key ring, read again from the database when it is over a minute old.
    /// The key-encryption key, for other secrets kept sealed (TOTP).
    pub fn kek(&self) -> &Kek {
        &self.kek
    }

    pub async fn ring(&self) -> Result<Arc<KeyRing>, KeyError> {
        Ok(self.loaded().await?.ring.clone())
    }

    /// The key that verifies signatures by the published key `kid`. A kid
    /// this instance does not know yet (another instance's new key) reads
    /// the ring again, at most once a second.
    pub async fn verification_key(&self, kid: &str) -> Result<Option<DecodingKey>, KeyError> {
        let loaded = self.loaded().await?;
        if let Some(key) = loaded.verification.get(kid) {
            return Ok(Some(key.clone()));
        }
        let now = self.clock.now();
        if now.seconds() - loaded.at.seconds() < 1 {
            return Ok(None);
        }
        let _guard = self.reloading.lock().await;
        let current = self.snapshot();
        let current = if Arc::ptr_eq(&current, &loaded) { self.reload(now).await? } else { current };
        Ok(current.verification.get(kid).cloned())
    }

    async fn loaded(&self) -> Result<Arc<Loaded>, KeyError> {
        let now = self.clock.now();
        let loaded = self.snapshot();
        let handover_due = loaded.ring.next_handover().is_some_and(|at| now >= at);
        if now.seconds() - loaded.at.seconds() < RELOAD_AFTER_SECONDS && !handover_due {
            return Ok(loaded);
        }
        // One request reloads; the others keep using the current ring.
        let Ok(_guard) = self.reloading.try_lock() else {
            return Ok(loaded);
        };
        self.reload(now).await
    }

    fn snapshot(&self) -> Arc<Loaded> {
        self.current.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    async fn reload(&self, now: UnixTime) -> Result<Arc<Loaded>, KeyError> {
        let loaded = Loaded::new(KeyRing::load(&self.store, &self.kek, now).await?, now);
        *self.current.write().unwrap_or_else(std::sync::PoisonError::into_inner) = loaded.clone();
        Ok(loaded)
    }

    /// Rotates when the active keys are older than `keys.rotate_after_days`.
    pub async fn rotate_if_due(&self) -> Result<bool, KeyError> {
        if self.settings.rotate_after_days == 0 {
            return Ok(false);
        }
        let now = self.clock.now();
        let max_age = i64::from(self.settings.rotate_after_days) * 86_400;
        if !rotation_due(&self.store, now, max_age).await? {
            return Ok(false);
        }
        self.rotate().await?;
        Ok(true)
    }

    /// Rotates now (`sanus keys rotate`): the new keys are published at once
    /// and sign from `PUBLISH_AHEAD_SECONDS` on.
    pub async fn rotate(&self) -> Result<Vec<KeyStatus>, KeyError> {
        let now = self.clock.now();
        let fresh =
            rotate_signing_keys(&self.store, &self.kek, now, i64::from(self.settings.publish_retired_seconds)).await?;
        self.reload(now).await?;
        Ok(fresh)
    }
}

/// Where the generated KEK lives in the data directory.
pub fn kek_path(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("kek")
}
