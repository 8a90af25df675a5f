//! A per-instance cache of clients and their secret hashes, so that
//! authenticating a client costs no database round trip.
//!
//! - Every change to a client, its secrets or its origins raises the
//!   clients' cache version in the database (in the change's transaction).
//!   Once a second at most, a lookup reads that one row; when it moved, the
//!   whole cache is dropped. A change made on another instance, by `sanus
//!   import` or by dynamic registration therefore takes effect here within
//!   `VERSION_CHECK_SECONDS`: a deleted client or a revoked secret stops
//!   working everywhere within a second.
//! - Entries also expire after `TTL_SECONDS`, should a change ever bypass
//!   the version.
//! - Secret expiry (rotation grace) is checked at use, not load.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use sanus_core::clients::{Client, SecretHash, clients_version, find_client, list_secret_hashes};
use sanus_core::{Store, StoreError, UnixTime};

/// How long a cached client is trusted at most.
pub const TTL_SECONDS: i64 = 30;
/// How often the clients' cache version is read.
pub const VERSION_CHECK_SECONDS: i64 = 1;
/// Bound on entries: clients are few; this only caps memory under abuse.
const MAX_ENTRIES: usize = 10_000;

pub struct CachedClient {
    pub client: Client,
    secrets: Vec<(SecretHash, Option<UnixTime>)>,
}

impl CachedClient {
    /// Whether `presented` is an unexpired secret, comparing every
    /// candidate in constant time.
    pub fn secret_matches(&self, presented: &SecretHash, now: UnixTime) -> bool {
        let mut found = false;
        for (hash, expires_at) in &self.secrets {
            found |= hash.matches(presented) && expires_at.is_none_or(|t| t > now);
        }
        found
    }
}

pub struct ClientCache {
    entries: RwLock<HashMap<String, (Arc<CachedClient>, UnixTime)>>,
    /// The clients' cache version the entries belong to (`i64::MIN`: none read yet).
    version: AtomicI64,
    /// When the version was last read (unix seconds).
    version_read_at: AtomicI64,
    checking: tokio::sync::Mutex<()>,
    /// Hits and misses, for `/metrics`.
    pub lookups: crate::metrics::CacheLookups,
}

impl Default for ClientCache {
    fn default() -> Self {
        Self {
            entries: RwLock::default(),
            version: AtomicI64::new(i64::MIN),
            version_read_at: AtomicI64::new(i64::MIN),
            checking: tokio::sync::Mutex::new(()),
            lookups: crate::metrics::CacheLookups::default(),
        }
    }
}

impl ClientCache {
    /// The client with this id, from the cache or the database.
    pub async fn get(&self, store: &Store, id: &str, now: UnixTime) -> Result<Option<Arc<CachedClient>>, StoreError> {
        self.check_version(store, now).await?;
        let version = self.version.load(Ordering::Acquire);
        if let Some((cached, loaded_at)) = self.read().get(id)
            && now.seconds() - loaded_at.seconds() < TTL_SECONDS
        {
            self.lookups.hit();
            return Ok(Some(cached.clone()));
        }
        self.lookups.miss();
        let Some(client) = find_client(store, id).await? else {
            self.write().remove(id);
            return Ok(None);
        };
        let secrets = list_secret_hashes(store, &client.id).await?;
        let cached = Arc::new(CachedClient { client, secrets });
        let mut entries = self.write();
        if self.version.load(Ordering::Acquire) != version {
            // The cache was dropped while this was read: it may be older than that.
            return Ok(Some(cached));
        }
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (_, loaded_at)| now.seconds() - loaded_at.seconds() < TTL_SECONDS);
        }
        if entries.len() < MAX_ENTRIES {
            entries.insert(id.to_string(), (cached.clone(), now));
        }
        Ok(Some(cached))
    }

    /// Reads the clients' cache version when it is `VERSION_CHECK_SECONDS`
    /// old; drops every entry when it moved. One lookup reads, the others
    /// go on with the cache as it is.
    async fn check_version(&self, store: &Store, now: UnixTime) -> Result<(), StoreError> {
        let read_at = self.version_read_at.load(Ordering::Acquire);
        if now.seconds().saturating_sub(read_at) < VERSION_CHECK_SECONDS {
            return Ok(());
        }
        let Ok(_guard) = self.checking.try_lock() else {
            return Ok(());
        };
        let version = clients_version(store).await?;
        if self.version.load(Ordering::Acquire) != version {
            let mut entries = self.write();
            entries.clear();
            self.version.store(version, Ordering::Release);
        }
        self.version_read_at.store(now.seconds(), Ordering::Release);
        Ok(())
    }

    /// Forgets a client at once (after a change made by this instance).
    pub fn invalidate(&self, id: &str) {
        self.write().remove(id);
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, (Arc<CachedClient>, UnixTime)>> {
        self.entries.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, (Arc<CachedClient>, UnixTime)>> {
        self.entries.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
