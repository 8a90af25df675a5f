//! Signing keys: generation, encryption at rest, rotation, publication.
//!
//! - RFC 7518 §3.1 algorithms `ES256` (the default for access tokens),
//!   `RS256` (the ID token default, OIDC Core §3.1.3.7) and `EdDSA` (RFC 8037).
//! - Private keys are PKCS#8 documents sealed with AES-256-GCM under the
//!   key-encryption key ([`Kek`]); the database never holds them in clear.
//! - RFC 7517 JWK Sets publish the public halves: the active key of each
//!   algorithm plus retired keys until everything they signed has expired.
//!
//! All cryptography is aws-lc-rs. Parsed key pairs are kept in memory
//! ([`KeyRing`]) because parsing a key costs more than signing with it.

mod kek;
mod key_pair;
mod ring;
mod storage;

pub use kek::{Kek, KekError};
pub use key_pair::{KeyPair, Signature};
pub use ring::{
    KeyRing, KeyState, KeyStatus, PUBLISH_AHEAD_SECONDS, SigningKey, ensure_signing_keys, key_states,
    rotate_signing_keys, rotation_due, signs_now,
};
pub use storage::list_signing_keys;

use serde::{Deserialize, Serialize};
use std::fmt;

/// A JWS signing algorithm Sanus issues tokens with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum SigningAlg {
    #[serde(rename = "ES256")]
    Es256,
    #[serde(rename = "RS256")]
    Rs256,
    #[serde(rename = "EdDSA")]
    EdDsa,
}

impl SigningAlg {
    pub const ALL: [SigningAlg; 3] = [SigningAlg::Es256, SigningAlg::Rs256, SigningAlg::EdDsa];

    /// The `alg` value of RFC 7518 / RFC 8037.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::Rs256 => "RS256",
            Self::EdDsa => "EdDSA",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.as_str() == value)
    }
}

impl fmt::Display for SigningAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why keys could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(
        "the key-encryption key does not open signing key {kid}: was keys.kek changed or the data directory replaced?"
    )]
    WrongKek { kid: String },
    #[error("signing key {kid} is unusable: {reason}")]
    Corrupt { kid: String, reason: String },
    #[error("the crypto backend failed to {0}")]
    Crypto(&'static str),
}
