//! One signing key pair of each supported algorithm: generation, PKCS#8
//! round trip, the public JWK (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2) and the
//! raw JWS signature (RFC 7515 §5.1; ECDSA as fixed-width R‖S, RFC 7518 §3.4).

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RSA_PKCS1_SHA256, RsaKeyPair,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::{KeyError, SigningAlg};

/// A parsed private key, ready to sign.
pub enum KeyPair {
    Es256(EcdsaKeyPair),
    Rs256(RsaKeyPair),
    EdDsa(Ed25519KeyPair),
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyPair({}, [redacted])", self.alg())
    }
}

/// A JWS signature's bytes.
pub type Signature = Vec<u8>;

impl KeyPair {
    /// A new random key and its PKCS#8 document. RSA keys are 2048 bits.
    pub fn generate(alg: SigningAlg) -> Result<(Self, Vec<u8>), KeyError> {
        let failed = || KeyError::Crypto("generate a key");
        let pkcs8 = match alg {
            SigningAlg::Es256 => EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
                .and_then(|pair| pair.to_pkcs8v1())
                .map_err(|_| failed())?
                .as_ref()
                .to_vec(),
            SigningAlg::Rs256 => RsaKeyPair::generate(KeySize::Rsa2048)
                .and_then(|pair| pair.as_der())
                .map_err(|_| failed())?
                .as_ref()
                .to_vec(),
            SigningAlg::EdDsa => {
                Ed25519KeyPair::generate().and_then(|pair| pair.to_pkcs8()).map_err(|_| failed())?.as_ref().to_vec()
            }
        };
        let pair = Self::from_pkcs8(alg, &pkcs8).map_err(|_| failed())?;
        Ok((pair, pkcs8))
    }

    pub fn from_pkcs8(alg: SigningAlg, pkcs8: &[u8]) -> Result<Self, String> {
        let reject = |e: aws_lc_rs::error::KeyRejected| e.to_string();
        Ok(match alg {
            SigningAlg::Es256 => {
                Self::Es256(EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8).map_err(reject)?)
            }
            SigningAlg::Rs256 => Self::Rs256(RsaKeyPair::from_pkcs8(pkcs8).map_err(reject)?),
            SigningAlg::EdDsa => Self::EdDsa(Ed25519KeyPair::from_pkcs8(pkcs8).map_err(reject)?),
        })
    }

    pub fn alg(&self) -> SigningAlg {
        match self {
            Self::Es256(_) => SigningAlg::Es256,
            Self::Rs256(_) => SigningAlg::Rs256,
            Self::EdDsa(_) => SigningAlg::EdDsa,
        }
    }

    /// The public JWK with `kid`, `alg` and `use: sig`. Holds no private part.
    pub fn public_jwk(&self, kid: &str) -> Result<Value, KeyError> {
        let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
        let alg = self.alg().as_str();
        Ok(match self {
            Self::Es256(pair) => {
                // Uncompressed SEC1 point: 0x04 ‖ X (32) ‖ Y (32).
                let point = pair.public_key().as_ref();
                if point.len() != 65 || point[0] != 0x04 {
                    return Err(KeyError::Crypto("encode an EC public key"));
                }
                json!({"kty": "EC", "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..]),
                       "kid": kid, "alg": alg, "use": "sig"})
            }
            Self::Rs256(pair) => {
                let public = pair.public_key();
                json!({"kty": "RSA", "n": b64(public.modulus().big_endian_without_leading_zero()),
                       "e": b64(public.exponent().big_endian_without_leading_zero()),
                       "kid": kid, "alg": alg, "use": "sig"})
            }
            Self::EdDsa(pair) => {
                json!({"kty": "OKP", "crv": "Ed25519", "x": b64(pair.public_key().as_ref()),
                       "kid": kid, "alg": alg, "use": "sig"})
            }
        })
    }

    /// The JWS signature over `message` (the signing input `header.payload`).
    pub fn sign(&self, message: &[u8]) -> Result<Signature, KeyError> {
        let failed = |_| KeyError::Crypto("sign");
        match self {
            Self::Es256(pair) => Ok(pair.sign(&SystemRandom::new(), message).map_err(failed)?.as_ref().to_vec()),
            Self::Rs256(pair) => {
                let mut signature = vec![0u8; pair.public_modulus_len()];
                pair.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut signature).map_err(failed)?;
                Ok(signature)
            }
            Self::EdDsa(pair) => Ok(pair.sign(message).as_ref().to_vec()),
        }
    }
}
