//! The key ring: the active signing key of each algorithm, parsed once, and
//! the JWK Set to publish; plus the two operations that change the keys:
//! making sure each algorithm has one, and rotating them.

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde_json::{Value, json};

use super::storage::{SigningKeyRow, insert_signing_key, list_published_keys, retire_active_keys};
use super::{Kek, KeyError, KeyPair, SigningAlg};
use crate::clock::UnixTime;
use crate::store::Store;

/// A key that signs: its id and its parsed private key.
#[derive(Debug)]
pub struct SigningKey {
    pub kid: String,
    pub pair: KeyPair,
}

impl SigningKey {
    pub fn alg(&self) -> SigningAlg {
        self.pair.alg()
    }

    /// A compact JWS (RFC 7515 §7.1) over `claims` with the header
    /// `{"alg", "typ", "kid"}`. `typ` is e.g. `JWT` or `at+jwt` (RFC 9068).
    pub fn sign_jwt(&self, typ: &str, claims: &impl Serialize) -> Result<String, KeyError> {
        #[derive(Serialize)]
        struct Header<'a> {
            alg: &'static str,
            typ: &'a str,
            kid: &'a str,
        }
        let header = serde_json::to_vec(&Header { alg: self.alg().as_str(), typ, kid: &self.kid })
            .map_err(|_| KeyError::Crypto("encode a JWS header"))?;
        let payload = serde_json::to_vec(claims).map_err(|_| KeyError::Crypto("encode JWT claims"))?;
        let mut token = URL_SAFE_NO_PAD.encode(header);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(payload, &mut token);
        let signature = self.pair.sign(token.as_bytes())?;
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(signature, &mut token);
        Ok(token)
    }
}

/// A key's life, without any private part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyStatus {
    pub kid: String,
    pub alg: SigningAlg,
    pub created_at: UnixTime,
    /// When it stopped signing; `None` while active.
    pub retired_at: Option<UnixTime>,
    /// When it leaves the JWKS; `None` while active.
    pub unpublish_at: Option<UnixTime>,
}

/// The keys in use at one moment.
#[derive(Debug)]
pub struct KeyRing {
    active: HashMap<SigningAlg, Arc<SigningKey>>,
    /// When another key takes over signing (a handover in progress).
    next_handover: Option<UnixTime>,
    jwks: Value,
    /// `jwks` serialised once: the JWKS endpoint serves it as is.
    jwks_json: Arc<str>,
}

impl KeyRing {
    /// Loads the published keys; opens the private key of the key that signs
    /// each algorithm now (see [`signs_now`]; the others are only published).
    pub async fn load(store: &Store, kek: &Kek, now: UnixTime) -> Result<Self, KeyError> {
        let rows = list_published_keys(store, now).await?;
        let mut statuses = Vec::with_capacity(rows.len());
        let mut keys = Vec::with_capacity(rows.len());
        for row in &rows {
            statuses.push(row.status()?);
            let public: Value = serde_json::from_str(&row.public_jwk).map_err(|e| KeyError::Corrupt {
                kid: row.kid.clone(),
                reason: format!("public JWK is not JSON: {e}"),
            })?;
            keys.push(public);
        }
        let mut active = HashMap::new();
        for alg in SigningAlg::ALL {
            if let Some(index) = signs_now(&statuses, alg, now) {
                active.insert(alg, Arc::new(open_key(kek, &rows[index], alg)?));
            }
        }
        let next_handover = statuses
            .iter()
            .flat_map(|k| [k.retired_at, Some(k.created_at.plus_seconds(PUBLISH_AHEAD_SECONDS))])
            .flatten()
            .filter(|at| *at > now)
            .min();
        let jwks = json!({ "keys": keys });
        let jwks_json = jwks.to_string().into();
        Ok(Self { active, next_handover, jwks, jwks_json })
    }

    /// When the signing key of some algorithm changes next: a ring loaded
    /// before then must be loaded again at that moment.
    pub fn next_handover(&self) -> Option<UnixTime> {
        self.next_handover
    }

    /// The key that signs with `alg` now, if there is one.
    pub fn signing_key(&self, alg: SigningAlg) -> Option<&Arc<SigningKey>> {
        self.active.get(&alg)
    }

    /// The JWK Set (RFC 7517 §5): public keys only.
    pub fn jwks(&self) -> &Value {
        &self.jwks
    }

    pub fn jwks_json(&self) -> &Arc<str> {
        &self.jwks_json
    }
}

/// How long a new key is published before it signs: longer than any
/// instance keeps a loaded key ring (a minute) plus the time relying parties
/// may cache the JWKS (`Cache-Control: max-age=300`) plus a minute, so that
/// every JWKS anyone holds has the key before the first token it signs
/// reaches them.
pub const PUBLISH_AHEAD_SECONDS: i64 = 60 + 300 + 60;

/// Which of `keys` signs `alg` at `now`: among those not yet retired, the
/// newest published for at least [`PUBLISH_AHEAD_SECONDS`]; failing that, the
/// one handing over (a retirement set), else the one published longest (a
/// first start). Every instance picks the same key from the same rows.
pub fn signs_now(keys: &[KeyStatus], alg: SigningAlg, now: UnixTime) -> Option<usize> {
    let candidates =
        || keys.iter().enumerate().filter(|(_, k)| k.alg == alg && k.retired_at.is_none_or(|retired| retired > now));
    let ready = |k: &KeyStatus| k.created_at.plus_seconds(PUBLISH_AHEAD_SECONDS) <= now;
    candidates()
        .filter(|(_, k)| ready(k))
        .max_by_key(|(_, k)| (k.created_at, k.kid.clone()))
        .or_else(|| candidates().min_by_key(|(_, k)| (k.retired_at.is_none(), k.created_at, k.kid.clone())))
        .map(|(index, _)| index)
}

/// Where a key stands at one moment, as `sanus keys list` and the
/// operators' console show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    /// Signs its algorithm's tokens.
    Signs,
    /// Signs until then, when a rotated-in key takes over.
    HandsOver { until: UnixTime },
    /// Published, and signs from then on.
    Announced { from: UnixTime },
    /// Retired; published until then, so that what it signed verifies.
    Published { until: UnixTime },
    /// Gone from the JWKS.
    Retired,
}

/// The state of each of `keys` (in the same order) at `now`.
pub fn key_states(keys: &[KeyStatus], now: UnixTime) -> Vec<KeyState> {
    let signing: Vec<usize> = SigningAlg::ALL.into_iter().filter_map(|alg| signs_now(keys, alg, now)).collect();
    keys.iter()
        .enumerate()
        .map(|(index, key)| match (signing.contains(&index), key.retired_at, key.unpublish_at) {
            (true, Some(until), _) => KeyState::HandsOver { until },
            (true, None, _) => KeyState::Signs,
            (false, None, _) => KeyState::Announced { from: key.created_at.plus_seconds(PUBLISH_AHEAD_SECONDS) },
            (false, _, Some(until)) if until > now => KeyState::Published { until },
            (false, _, _) => KeyState::Retired,
        })
        .collect()
}

/// Whether some algorithm's active key is at least `max_age_seconds` old.
pub async fn rotation_due(store: &Store, now: UnixTime, max_age_seconds: i64) -> Result<bool, KeyError> {
    let rows = list_published_keys(store, now).await?;
    let cutoff = now.plus_seconds(-max_age_seconds);
    Ok(SigningAlg::ALL.into_iter().any(|alg| {
        rows.iter()
            .filter(|r| r.alg == alg.as_str() && r.retired_at.is_none())
            .map(|r| UnixTime(r.created_at))
            .max()
            .is_some_and(|newest| newest <= cutoff)
    }))
}

fn open_key(kek: &Kek, row: &SigningKeyRow, alg: SigningAlg) -> Result<SigningKey, KeyError> {
    let pkcs8 = kek.open(&row.kid, &row.private_key)?;
    let pair = KeyPair::from_pkcs8(alg, &pkcs8).map_err(|reason| KeyError::Corrupt { kid: row.kid.clone(), reason })?;
    Ok(SigningKey { kid: row.kid.clone(), pair })
}

/// A new key row for `alg`: random kid, sealed private key, public JWK.
fn new_key_row(kek: &Kek, alg: SigningAlg, now: UnixTime) -> Result<(SigningKeyRow, KeyStatus), KeyError> {
    let (pair, pkcs8) = KeyPair::generate(alg)?;
    let kid = crate::random::url_safe(16);
    let public_jwk = pair.public_jwk(&kid)?.to_string();
    let row = SigningKeyRow {
        private_key: kek.seal(&kid, &pkcs8)?,
        kid,
        alg: alg.as_str().to_string(),
        public_jwk,
        created_at: now.0,
        retired_at: None,
        unpublish_at: None,
    };
    let status = row.status()?;
    Ok((row, status))
}

/// Gives every algorithm without an active key a new one (first start).
/// Returns the keys it made.
pub async fn ensure_signing_keys(store: &Store, kek: &Kek, now: UnixTime) -> Result<Vec<KeyStatus>, KeyError> {
    let rows = list_published_keys(store, now).await?;
    let mut made = Vec::new();
    for alg in SigningAlg::ALL {
        let has_active = rows.iter().any(|r| r.alg == alg.as_str() && r.retired_at.is_none());
        if !has_active {
            let (row, status) = new_key_row(kek, alg, now)?;
            insert_signing_key(store.pool(), &row).await?;
            tracing::info!(kid = %status.kid, alg = %alg, "generated a signing key");
            made.push(status);
        }
    }
    Ok(made)
}

/// Replaces the active key of every algorithm with a new one, in one
/// transaction. The new keys are published now and sign from
/// [`PUBLISH_AHEAD_SECONDS`] on; the old ones sign until then and stay
/// published for `publish_retired_seconds` more, the longest lifetime of
/// anything they signed.
pub async fn rotate_signing_keys(
    store: &Store,
    kek: &Kek,
    now: UnixTime,
    publish_retired_seconds: i64,
) -> Result<Vec<KeyStatus>, KeyError> {
    // Generate first (RSA takes a moment), then write everything at once.
    let fresh: Vec<_> = SigningAlg::ALL.into_iter().map(|alg| new_key_row(kek, alg, now)).collect::<Result<_, _>>()?;
    let mut tx = store.pool().begin().await.map_err(crate::store::StoreError::from)?;
    for (row, status) in &fresh {
        let last_signature = now.plus_seconds(PUBLISH_AHEAD_SECONDS);
        retire_active_keys(&mut *tx, status.alg, last_signature, last_signature.plus_seconds(publish_retired_seconds))
            .await?;
        insert_signing_key(&mut *tx, row).await?;
    }
    tx.commit().await.map_err(crate::store::StoreError::from)?;
    for (_, status) in &fresh {
        tracing::info!(kid = %status.kid, alg = %status.alg, "rotated to a new signing key");
    }
    Ok(fresh.into_iter().map(|(_, status)| status).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::list_signing_keys;

    fn decode_segment(segment: &str) -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(segment).unwrap()).unwrap()
    }

    #[test]
    fn tokens_verify_with_the_published_jwk_for_every_algorithm() {
        for alg in SigningAlg::ALL {
            let (pair, _) = KeyPair::generate(alg).unwrap();
            let key = SigningKey { kid: "k1".into(), pair };
            let token = key.sign_jwt("at+jwt", &json!({"sub": "u1", "exp": 4_000_000_000u64})).unwrap();
            let header = decode_segment(token.split('.').next().unwrap());
            assert_eq!(header, json!({"alg": alg.as_str(), "typ": "at+jwt", "kid": "k1"}));

            let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(key.pair.public_jwk("k1").unwrap()).unwrap();
            let decoding = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
            let algorithm = match alg {
                SigningAlg::Es256 => jsonwebtoken::Algorithm::ES256,
                SigningAlg::Rs256 => jsonwebtoken::Algorithm::RS256,
                SigningAlg::EdDsa => jsonwebtoken::Algorithm::EdDSA,
            };
            let mut validation = jsonwebtoken::Validation::new(algorithm);
            validation.validate_aud = false;
            let data =
                jsonwebtoken::decode::<Value>(&token, &decoding, &validation).unwrap_or_else(|e| panic!("{alg}: {e}"));
            assert_eq!(data.claims["sub"], "u1");

            // A flipped payload bit must not verify.
            let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
            parts[1] = URL_SAFE_NO_PAD.encode(br#"{"sub":"u2","exp":4000000000}"#);
            assert!(jsonwebtoken::decode::<Value>(&parts.join("."), &decoding, &validation).is_err(), "{alg}");
        }
    }

    #[test]
    fn public_jwks_hold_no_private_members() {
        for alg in SigningAlg::ALL {
            let (pair, _) = KeyPair::generate(alg).unwrap();
            let jwk = pair.public_jwk("k").unwrap();
            for private in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] {
                assert!(jwk.get(private).is_none(), "{alg} JWK has {private}");
            }
            assert_eq!(jwk["use"], "sig");
        }
    }

    crate::engine_tests! {
        async fn first_start_makes_one_key_per_algorithm_and_only_once(db: TestDatabase) {
            let store = db.migrated_store().await;
            let (kek, _) = Kek::generate().unwrap();
            let made = ensure_signing_keys(&store, &kek, UnixTime(1_000)).await.unwrap();
            assert_eq!(made.len(), 3);
            assert!(ensure_signing_keys(&store, &kek, UnixTime(1_001)).await.unwrap().is_empty());
            let ring = KeyRing::load(&store, &kek, UnixTime(1_002)).await.unwrap();
            for alg in SigningAlg::ALL {
                assert_eq!(ring.signing_key(alg).unwrap().alg(), alg);
            }
            assert_eq!(ring.jwks()["keys"].as_array().unwrap().len(), 3);
        }

        async fn rotation_publishes_the_new_key_first_and_the_old_until_its_tokens_expire(db: TestDatabase) {
            let store = db.migrated_store().await;
            let (kek, _) = Kek::generate().unwrap();
            ensure_signing_keys(&store, &kek, UnixTime(1_000)).await.unwrap();
            let before = KeyRing::load(&store, &kek, UnixTime(1_000)).await.unwrap();
            let old_kid = before.signing_key(SigningAlg::Es256).unwrap().kid.clone();
            let kids = |ring: &KeyRing| -> Vec<String> {
                ring.jwks()["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_string()).collect()
            };

            let fresh = rotate_signing_keys(&store, &kek, UnixTime(2_000), 600).await.unwrap();
            let new_kid = fresh.iter().find(|k| k.alg == SigningAlg::Es256).unwrap().kid.clone();
            let ahead = UnixTime(2_000 + PUBLISH_AHEAD_SECONDS);
            let announced = KeyRing::load(&store, &kek, UnixTime(ahead.0 - 1)).await.unwrap();
            assert_eq!(announced.signing_key(SigningAlg::Es256).unwrap().kid, old_kid, "the old key signs on");
            assert!(kids(&announced).contains(&new_kid), "while the new one is published");
            assert_eq!(kids(&announced).len(), 6);

            let during = KeyRing::load(&store, &kek, UnixTime(ahead.0 + 599)).await.unwrap();
            assert_eq!(during.signing_key(SigningAlg::Es256).unwrap().kid, new_kid, "the new key signs");
            assert!(kids(&during).contains(&old_kid), "the old one verifies what it signed");

            let after = KeyRing::load(&store, &kek, UnixTime(ahead.0 + 600)).await.unwrap();
            assert_eq!(kids(&after).len(), 3, "retired keys leave after the window");
            assert!(!rotation_due(&store, UnixTime(2_000 + 99), 100).await.unwrap());
            assert!(rotation_due(&store, UnixTime(2_000 + 100), 100).await.unwrap());
            let all = list_signing_keys(&store).await.unwrap();
            let old = all.iter().find(|k| k.kid == old_kid).unwrap();
            assert_eq!((old.retired_at, old.unpublish_at), (Some(ahead), Some(UnixTime(ahead.0 + 600))));
        }

        async fn a_rotation_in_the_second_of_the_first_start_still_hands_over(db: TestDatabase) {
            let store = db.migrated_store().await;
            let (kek, _) = Kek::generate().unwrap();
            ensure_signing_keys(&store, &kek, UnixTime(1_000)).await.unwrap();
            let first = KeyRing::load(&store, &kek, UnixTime(1_000)).await.unwrap();
            rotate_signing_keys(&store, &kek, UnixTime(1_000), 600).await.unwrap();
            for at in [1_000, 1_000 + PUBLISH_AHEAD_SECONDS - 1] {
                let ring = KeyRing::load(&store, &kek, UnixTime(at)).await.unwrap();
                for alg in SigningAlg::ALL {
                    assert_eq!(ring.signing_key(alg).unwrap().kid, first.signing_key(alg).unwrap().kid, "{alg} at {at}");
                }
            }
        }

        async fn each_key_has_one_state_through_a_rotation(db: TestDatabase) {
            let store = db.migrated_store().await;
            let (kek, _) = Kek::generate().unwrap();
            ensure_signing_keys(&store, &kek, UnixTime(1_000)).await.unwrap();
            rotate_signing_keys(&store, &kek, UnixTime(2_000), 600).await.unwrap();
            let keys = list_signing_keys(&store).await.unwrap();
            let handover = UnixTime(2_000 + PUBLISH_AHEAD_SECONDS);
            let count = |at: i64, state: KeyState| key_states(&keys, UnixTime(at)).into_iter().filter(|s| *s == state).count();
            assert_eq!(count(2_001, KeyState::HandsOver { until: handover }), 3);
            assert_eq!(count(2_001, KeyState::Announced { from: handover }), 3);
            assert_eq!(count(handover.0, KeyState::Signs), 3);
            assert_eq!(count(handover.0, KeyState::Published { until: UnixTime(handover.0 + 600) }), 3);
            assert_eq!(count(handover.0 + 600, KeyState::Retired), 3);
        }

        async fn two_rotations_in_quick_succession_hand_over_in_order(db: TestDatabase) {
            let store = db.migrated_store().await;
            let (kek, _) = Kek::generate().unwrap();
            ensure_signing_keys(&store, &kek, UnixTime(1_000)).await.unwrap();
            let signer = |at: i64| {
                let (store, kek) = (&store, &kek);
                async move { KeyRing::load(store, kek, UnixTime(at)).await.unwrap().signing_key(SigningAlg::Rs256).unwrap().kid.clone() }
            };
            let first = signer(1_000).await;
            let rs256 = |fresh: Vec<KeyStatus>| fresh.into_iter().find(|k| k.alg == SigningAlg::Rs256).unwrap().kid;
            let second = rs256(rotate_signing_keys(&store, &kek, UnixTime(2_000), 600).await.unwrap());
            let third = rs256(rotate_signing_keys(&store, &kek, UnixTime(2_030), 600).await.unwrap());
            assert_eq!(signer(2_060).await, first);
            assert_eq!(signer(2_000 + PUBLISH_AHEAD_SECONDS + 5).await, second);
            assert_eq!(signer(2_030 + PUBLISH_AHEAD_SECONDS + 5).await, third);
        }

        async fn a_different_kek_cannot_load_the_keys(db: TestDatabase) {
            let store = db.migrated_store().await;
            let (kek, _) = Kek::generate().unwrap();
            ensure_signing_keys(&store, &kek, UnixTime(1)).await.unwrap();
            let (other, _) = Kek::generate().unwrap();
            let error = KeyRing::load(&store, &other, UnixTime(2)).await.unwrap_err();
            assert!(matches!(error, KeyError::WrongKek { .. }), "{error}");
        }

        async fn stored_private_keys_are_sealed(db: TestDatabase) {
            let store = db.migrated_store().await;
            let (kek, _) = Kek::generate().unwrap();
            ensure_signing_keys(&store, &kek, UnixTime(1)).await.unwrap();
            let rows: Vec<(String, String, String)> =
                sqlx::query_as("SELECT kid, alg, private_key FROM signing_keys").fetch_all(store.pool()).await.unwrap();
            assert_eq!(rows.len(), 3);
            for (kid, alg, private_key) in rows {
                let alg = SigningAlg::parse(&alg).unwrap();
                // What is stored is not a key; what the KEK opens is.
                let raw = base64::engine::general_purpose::STANDARD.decode(&private_key).unwrap();
                assert!(KeyPair::from_pkcs8(alg, &raw).is_err(), "{alg} stored in clear");
                let opened = kek.open(&kid, &private_key).unwrap();
                assert!(KeyPair::from_pkcs8(alg, &opened).is_ok(), "{alg}");
            }
        }
    }
}
