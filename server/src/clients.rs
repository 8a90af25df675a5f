//! A per-instance cache of clients and their secret hashes, so that
//! authenticating a client costs no database round trip. Entries live
//! `TTL_SECONDS`; a change made elsewhere (import, another instance)
//! arrives within that time. Secret expiry is checked at use, not load.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use sanus_core::clients::{Client, ClientId, SecretHash, find_client, list_secret_hashes};
use sanus_core::{Store, StoreError, UnixTime};

/// How long a cached client is trusted.
pub const TTL_SECONDS: i64 = 30;
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

#[derive(Default)]
pub struct ClientCache {
    entries: RwLock<HashMap<String, (Arc<CachedClient>, UnixTime)>>,
    /// Hits and misses, for `/metrics`.
    pub lookups: crate::metrics::CacheLookups,
}

impl ClientCache {
    /// The client with this id, from the cache or the database.
    pub async fn get(&self, store: &Store, id: &str, now: UnixTime) -> Result<Option<Arc<CachedClient>>, StoreError> {
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
        let secrets = match ClientId::parse(id) {
            Some(client_id) => list_secret_hashes(store, &client_id).await?,
            None => Vec::new(),
        };
        let cached = Arc::new(CachedClient { client, secrets });
        let mut entries = self.write();
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (_, loaded_at)| now.seconds() - loaded_at.seconds() < TTL_SECONDS);
        }
        if entries.len() < MAX_ENTRIES {
            entries.insert(id.to_string(), (cached.clone(), now));
        }
        Ok(Some(cached))
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
