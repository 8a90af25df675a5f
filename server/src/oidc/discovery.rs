//! Discovery: OpenID Provider Metadata (OpenID Connect Discovery 1.0 §3)
//! at `/.well-known/openid-configuration`, and the same document as OAuth 2.0
//! Authorization Server Metadata (RFC 8414 §2) at
//! `/.well-known/oauth-authorization-server`. Built once from the route
//! table and the supported features; `issuer` is the public URL exactly.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sanus_core::clients::AuthMethod;
use sanus_core::keys::SigningAlg;
use serde_json::{Value, json};

use super::scope::USER_SCOPES;
use super::{
    AUTHORIZE_PATH, END_SESSION_PATH, INTROSPECTION_PATH, JWKS_PATH, REVOCATION_PATH, TOKEN_PATH, USERINFO_PATH,
};
use crate::state::AppState;

pub const OPENID_CONFIGURATION_PATH: &str = "/.well-known/openid-configuration";
pub const OAUTH_METADATA_PATH: &str = "/.well-known/oauth-authorization-server";

/// The metadata document for `issuer`.
pub fn document(issuer: &str, trust_framework: &str) -> Value {
    let endpoint = |path: &str| format!("{issuer}{path}");
    // jsonwebtoken names its algorithms as JOSE does (`RS256` …).
    let assertion_algorithms: Vec<String> =
        super::client_auth::ASSERTION_ALGORITHMS.iter().map(|alg| format!("{alg:?}")).collect();
    let claims_supported: Vec<&str> = [
        "sub",
        "iss",
        "aud",
        "exp",
        "iat",
        "auth_time",
        "nonce",
        "acr",
        "amr",
        "sid",
        "azp",
        "at_hash",
        "name",
        "given_name",
        "family_name",
        "locale",
        "email",
        "email_verified",
    ]
    .into_iter()
    .chain(super::tenant_claims::CLAIMS)
    .chain(super::profession_claims::CLAIMS)
    .chain(sanus_core::professions::FIELDS.iter().map(|f| f.id))
    .collect();
    json!({
        "issuer": issuer,
        "authorization_endpoint": endpoint(AUTHORIZE_PATH),
        "token_endpoint": endpoint(TOKEN_PATH),
        "userinfo_endpoint": endpoint(USERINFO_PATH),
        "jwks_uri": endpoint(JWKS_PATH),
        "introspection_endpoint": endpoint(INTROSPECTION_PATH),
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "introspection_endpoint_auth_signing_alg_values_supported": assertion_algorithms,
        "revocation_endpoint": endpoint(REVOCATION_PATH),
        "registration_endpoint": endpoint(super::registration::REGISTRATION_PATH),
        "end_session_endpoint": endpoint(END_SESSION_PATH),
        "revocation_endpoint_auth_methods_supported": AuthMethod::ALL.map(AuthMethod::as_str),
        "scopes_supported": USER_SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials", "password"],
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": SigningAlg::ALL.map(SigningAlg::as_str),
        "token_endpoint_auth_methods_supported": AuthMethod::ALL.map(AuthMethod::as_str),
        "token_endpoint_auth_signing_alg_values_supported": assertion_algorithms,
        "revocation_endpoint_auth_signing_alg_values_supported": assertion_algorithms,
        "code_challenge_methods_supported": ["S256"],
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "claims_supported": claims_supported,
        "acr_values_supported": [sanus_core::mfa::ACR_PASSWORD, sanus_core::mfa::ACR_MFA],
        "ui_locales_supported": ["en", "de"],
        "authorization_response_iss_parameter_supported": true,
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        // OpenID Connect for Identity Assurance 1.0 (professional profiles).
        "verified_claims_supported": true,
        "trust_frameworks_supported": [trust_framework],
        "evidence_supported": ["document"],
        "documents_supported": [super::profession_claims::DOCUMENT_TYPE],
        "documents_check_methods_supported": [super::profession_claims::CHECK_METHOD],
        "claims_in_verified_claims_supported": super::profession_claims::claims_in_verified_claims(),
    })
}

pub async fn configuration(State(state): State<AppState>) -> Response {
    let mut response = ([(header::CONTENT_TYPE, "application/json")], state.discovery.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_built_from_the_routes() {
        let doc = document("https://id.example.org", "sanus_professional");
        assert_eq!(doc["issuer"], "https://id.example.org");
        assert_eq!(doc["token_endpoint"], "https://id.example.org/token");
        assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
        assert!(!doc["response_types_supported"].as_array().unwrap().iter().any(|t| t == "token"));
        assert_eq!(doc["acr_values_supported"], json!(["urn:sanus:acr:pwd", "urn:sanus:acr:mfa"]));
        assert_eq!(doc["verified_claims_supported"], json!(true));
        assert_eq!(doc["trust_frameworks_supported"], json!(["sanus_professional"]));
        assert_eq!(doc["evidence_supported"], json!(["document"]));
        assert_eq!(doc["documents_supported"], json!(["professional_license"]), "required with document evidence");
        assert_eq!(doc["documents_check_methods_supported"], json!(["vri"]));
        let in_verified = doc["claims_in_verified_claims_supported"].as_array().unwrap();
        assert!(in_verified.iter().any(|c| c == "lanr") && in_verified.iter().any(|c| c == "profession"));
        let claims = doc["claims_supported"].as_array().unwrap();
        for claim in ["profession", "profession_status", "verified_claims", "lanr", "telematik_id"] {
            assert!(claims.iter().any(|c| c == claim), "{claim}");
        }
        let scopes = doc["scopes_supported"].as_array().unwrap();
        assert!(scopes.iter().any(|s| s == "professional_profile"));
    }
}
