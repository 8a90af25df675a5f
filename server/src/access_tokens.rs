//! Access tokens that come back (UserInfo, introspection, revocation),
//! checked without a database round trip in the common case.
//!
//! - A token's signature is verified once; its claims are kept by the
//!   token's SHA-256 until it expires (at most `MAX_VERIFIED` tokens).
//! - Revocations of tokens that may still be live (revoked families and
//!   jtis) are held in memory, read again from the database once a second
//!   has passed on the clock, and at once after this instance revoked
//!   something. A revocation made by another instance therefore takes
//!   effect here within a second.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use aws_lc_rs::digest::{SHA256, digest};
use sanus_core::clients::MAX_ACCESS_TOKEN_TTL;
use sanus_core::tokens::live_revocations;
use sanus_core::{Store, StoreError, UnixTime};

use crate::oidc::bearer::AccessClaims;

/// How long the revocations read from the database are trusted.
pub const REVOCATIONS_FRESH_SECONDS: i64 = 1;
/// Verified tokens kept; past this, expired ones go, then all.
const MAX_VERIFIED: usize = 50_000;

type TokenDigest = [u8; 32];

#[derive(Default)]
pub struct AccessTokenCache {
    verified: RwLock<HashMap<TokenDigest, Arc<AccessClaims>>>,
    revocations: RwLock<Option<Arc<Revocations>>>,
    reloading: tokio::sync::Mutex<()>,
    /// Hits and misses of `verified`, for `/metrics`.
    pub lookups: crate::metrics::CacheLookups,
}

struct Revocations {
    families: HashSet<String>,
    jtis: HashSet<String>,
    /// Deleted clients and when they were deleted.
    clients: HashMap<String, UnixTime>,
    /// Locked accounts (as subjects).
    locked: HashSet<String>,
    loaded_at: UnixTime,
}

/// The cache key of a token.
pub fn token_digest(token: &str) -> TokenDigest {
    let mut out = [0; 32];
    out.copy_from_slice(digest(&SHA256, token.as_bytes()).as_ref());
    out
}

impl AccessTokenCache {
    /// The claims of a token whose signature was verified before.
    pub fn verified(&self, digest: &TokenDigest) -> Option<Arc<AccessClaims>> {
        let found = self.verified.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(digest).cloned();
        match found {
            Some(_) => self.lookups.hit(),
            None => self.lookups.miss(),
        }
        found
    }

    /// Remembers a token whose signature and issuer were verified.
    pub fn remember(&self, digest: TokenDigest, claims: Arc<AccessClaims>, now: UnixTime) {
        let mut verified = self.verified.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if verified.len() >= MAX_VERIFIED {
            verified.retain(|_, claims| claims.exp > now.seconds());
            if verified.len() >= MAX_VERIFIED {
                verified.clear();
            }
        }
        verified.insert(digest, claims);
    }

    /// Whether the token's family, its jti or its client was revoked, or
    /// its subject's account is locked.
    pub async fn is_revoked(&self, store: &Store, claims: &AccessClaims, now: UnixTime) -> Result<bool, StoreError> {
        let revocations = self.revocations(store, now).await?;
        let client_gone = client_deleted_before(revocations.clients.get(&claims.client_id).copied(), claims.iat);
        Ok(client_gone
            || revocations.jtis.contains(&claims.jti)
            || claims.fid.as_ref().is_some_and(|fid| revocations.families.contains(fid))
            || revocations.locked.contains(&claims.sub))
    }

    /// Call after revoking anything: the next check reads the database.
    pub fn invalidate(&self) {
        *self.revocations.write().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    async fn revocations(&self, store: &Store, now: UnixTime) -> Result<Arc<Revocations>, StoreError> {
        if let Some(current) = self.fresh(now) {
            return Ok(current);
        }
        // One reload at a time; those waiting use its result.
        let _guard = self.reloading.lock().await;
        if let Some(current) = self.fresh(now) {
            return Ok(current);
        }
        let live = live_revocations(store, now.plus_seconds(-MAX_ACCESS_TOKEN_TTL), now).await?;
        let loaded = Arc::new(Revocations {
            families: live.families.into_iter().collect(),
            jtis: live.jtis.into_iter().collect(),
            clients: live.clients.into_iter().collect(),
            locked: live.locked_accounts.into_iter().collect(),
            loaded_at: now,
        });
        *self.revocations.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(loaded.clone());
        Ok(loaded)
    }

    fn fresh(&self, now: UnixTime) -> Option<Arc<Revocations>> {
        let current = self.revocations.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        current.as_ref().filter(|r| now.seconds() - r.loaded_at.seconds() < REVOCATIONS_FRESH_SECONDS).cloned()
    }
}

/// Whether a token issued at `iat` by a client deleted at `deleted` is
/// refused: yes up to a client cache's lifetime after the deletion, since
/// an instance that had not yet seen it may still have issued tokens.
fn client_deleted_before(deleted: Option<UnixTime>, iat: i64) -> bool {
    deleted.is_some_and(|deleted| iat <= deleted.seconds() + crate::clients::TTL_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_of_deleted_clients_are_refused_until_every_cache_has_seen_it() {
        assert!(!client_deleted_before(None, 100), "a live client");
        assert!(client_deleted_before(Some(UnixTime(100)), 50), "issued before");
        assert!(client_deleted_before(Some(UnixTime(100)), 130), "a stale cache on another instance");
        assert!(!client_deleted_before(Some(UnixTime(100)), 131), "a new client with the same id, later");
    }

    fn claims(jti: &str, exp: i64) -> Arc<AccessClaims> {
        Arc::new(
            serde_json::from_value(serde_json::json!({
                "sub": "u", "client_id": "c", "exp": exp, "iat": 1, "jti": jti,
            }))
            .unwrap(),
        )
    }

    #[test]
    fn verified_tokens_are_found_by_digest_only() {
        let cache = AccessTokenCache::default();
        cache.remember(token_digest("a.b.c"), claims("one", 100), UnixTime(1));
        assert_eq!(cache.verified(&token_digest("a.b.c")).map(|c| c.jti.clone()).as_deref(), Some("one"));
        assert!(cache.verified(&token_digest("a.b.d")).is_none());
    }

    #[test]
    fn a_full_cache_drops_expired_tokens_first() {
        let cache = AccessTokenCache::default();
        for index in 0..MAX_VERIFIED {
            let exp = if index == 0 { 1_000 } else { 10 };
            cache.remember(token_digest(&index.to_string()), claims("x", exp), UnixTime(1));
        }
        cache.remember(token_digest("new"), claims("new", 1_000), UnixTime(50));
        assert!(cache.verified(&token_digest("0")).is_some(), "a live token stays");
        assert!(cache.verified(&token_digest("1")).is_none(), "expired ones go");
        assert!(cache.verified(&token_digest("new")).is_some());
    }
}
