//! OAuth clients (RFC 6749 §2) of an application: their registration
//! (OIDC Dynamic Client Registration §2 names the fields), the rules a
//! registration must satisfy, their secrets, and their storage.

mod rules;
mod secret;
mod storage;

pub use rules::{is_loopback_host, parse_redirect_uri, parse_web_origin, scope_token_is_valid};
pub use secret::{ClientSecret, SecretHash};
pub(crate) use storage::clients_changed;
pub use storage::{
    add_client_secret, add_client_secret_in, client_allows_origin, clients_version, find_client, get_client,
    list_secret_hashes, origin_is_registered, replace_client, replace_client_secrets, secret_matches, upsert_client,
    upsert_client_in,
};

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::applications::ApplicationId;
use crate::clock::UnixTime;
use crate::keys::SigningAlg;
use crate::users::UserId;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClientId(String);

impl ClientId {
    /// A new random id: 128 bits, base64url.
    pub fn generate() -> Self {
        Self(crate::random::url_safe(16))
    }

    /// An id chosen by an operator (import) or read back: 1 to 100 visible ASCII characters.
    pub fn parse(value: &str) -> Option<Self> {
        let ok = !value.is_empty() && value.len() <= 100 && value.bytes().all(|b| b.is_ascii_graphic());
        ok.then(|| Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a client is; decides the safe defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ClientKind {
    /// Single-page app: public, code + PKCE, refresh tokens, CORS.
    Spa,
    /// Regular web app with a server that keeps a secret.
    Web,
    /// Native or mobile app: public, private-use or loopback redirects.
    Native,
    /// Machine to machine: client credentials only.
    M2m,
}

impl ClientKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Spa => "spa",
            Self::Web => "web",
            Self::Native => "native",
            Self::M2m => "m2m",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Spa, Self::Web, Self::Native, Self::M2m].into_iter().find(|k| k.as_str() == value)
    }

    pub fn default_auth_method(self) -> AuthMethod {
        match self {
            Self::Spa | Self::Native => AuthMethod::None,
            Self::Web | Self::M2m => AuthMethod::ClientSecretBasic,
        }
    }

    pub fn default_grant_types(self) -> Vec<GrantType> {
        match self {
            Self::Spa | Self::Web | Self::Native => {
                vec![GrantType::AuthorizationCode, GrantType::RefreshToken]
            }
            Self::M2m => vec![GrantType::ClientCredentials],
        }
    }
}

/// How a client authenticates at the token endpoint (OIDC Core §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// A public client: no secret, PKCE protects its codes.
    None,
    ClientSecretBasic,
    ClientSecretPost,
    /// A JWT signed with one of the client's registered keys (`jwks`),
    /// RFC 7523 §2.2: no shared secret at all.
    PrivateKeyJwt,
}

impl AuthMethod {
    pub const ALL: [AuthMethod; 4] = [Self::None, Self::ClientSecretBasic, Self::ClientSecretPost, Self::PrivateKeyJwt];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::PrivateKeyJwt => "private_key_jwt",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == value)
    }

    /// Whether the client can authenticate (keeps a secret or a key).
    pub fn is_confidential(self) -> bool {
        self != Self::None
    }

    /// Whether it authenticates with a secret Sanus generated.
    pub fn uses_secret(self) -> bool {
        matches!(self, Self::ClientSecretBasic | Self::ClientSecretPost)
    }
}

/// An OAuth grant a client may use at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
    ClientCredentials,
    /// The legacy resource owner password grant (RFC 6749 §4.3), which
    /// RFC 9700 §2.4 forbids: only for first-party confidential clients
    /// whose registration accepted the warning (`password_grant_risk_accepted`).
    Password,
}

impl GrantType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            Self::RefreshToken => "refresh_token",
            Self::ClientCredentials => "client_credentials",
            Self::Password => "password",
        }
    }
}

/// What `sub` a client sees (OpenID Connect Core §8).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SubjectType {
    /// The person's id, the same for every client.
    #[default]
    Public,
    /// An id of its own per sector (a host), so that clients of different
    /// sectors cannot tell they see the same person.
    Pairwise,
}

impl SubjectType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Pairwise => "pairwise",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Public, Self::Pairwise].into_iter().find(|t| t.as_str() == value)
    }
}

/// A client's registration as submitted (import file, the portal and the
/// management API). Unset fields take the safe defaults of its `kind`.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    /// The name people see on the consent screen: 1 to 100 characters.
    pub name: String,
    /// What the client is for, for its developers.
    #[serde(default)]
    pub description: Option<String>,
    /// What the client is: `spa`, `web`, `native` or `m2m`. Decides the defaults.
    pub kind: ClientKind,
    /// An https address of the logo shown on the consent screen.
    #[serde(default)]
    pub logo_uri: Option<String>,
    /// The client's home page.
    #[serde(default)]
    pub client_uri: Option<String>,
    /// The client's privacy policy, linked on the consent screen.
    #[serde(default)]
    pub policy_uri: Option<String>,
    /// The client's terms of service, linked on the consent screen.
    #[serde(default)]
    pub tos_uri: Option<String>,
    /// Unset: `none` for `spa` and `native`, `client_secret_basic` otherwise.
    #[serde(default)]
    pub token_endpoint_auth_method: Option<AuthMethod>,
    /// Exact addresses the code may be sent to: https, http only on
    /// loopback, private-use schemes for native apps; no wildcards or fragments.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Exact addresses a person may be sent to after signing out.
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// Origins (scheme, host, port) whose browser scripts may call the token endpoint (CORS).
    #[serde(default)]
    pub web_origins: Vec<String>,
    /// Unset: `authorization_code` and `refresh_token`, or `client_credentials` for `m2m`.
    #[serde(default)]
    pub grant_types: Option<Vec<GrantType>>,
    /// Every scope the client may ask for.
    #[serde(default)]
    pub allowed_scopes: Vec<String>,
    /// PKCE with S256 on every authorization request. Unset: required.
    #[serde(default)]
    pub require_pkce: Option<bool>,
    /// A first-party client skips the consent screen.
    #[serde(default)]
    pub first_party: bool,
    /// Everyone signing in to this client needs a second factor.
    #[serde(default)]
    pub require_mfa: bool,
    /// Every authorization request asks the person for the active tenant
    /// (`tenant_id` in the tokens), as if it carried `tenant_hint`.
    #[serde(default)]
    pub tenant_context: bool,
    /// Seconds an access token lives: 60 to 86400. Unset: 3600.
    #[serde(default)]
    pub access_token_ttl: Option<i64>,
    /// Seconds a refresh token lives unused. Unset: 30 days.
    #[serde(default)]
    pub refresh_token_ttl: Option<i64>,
    /// How ID tokens are signed. Unset: `RS256`.
    #[serde(default)]
    pub id_token_signed_response_alg: Option<SigningAlg>,
    /// At most 10 keys, values of at most 256 characters.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    /// For `private_key_jwt`: the JWK Set of public keys the client signs
    /// its assertions with (`{"keys": [...]}`; RSA, EC P-256/P-384 or
    /// Ed25519; no private parts).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub jwks: Option<serde_json::Value>,
    /// The authorization endpoint's response types: `["code"]` (with PKCE)
    /// for a client using `authorization_code`, none otherwise. Unset: so.
    #[serde(default)]
    pub response_types: Option<Vec<String>>,
    /// `public` (unset) or `pairwise`.
    #[serde(default)]
    pub subject_type: Option<SubjectType>,
    /// For `pairwise`: an https URL whose host names the sector; every
    /// redirect URI's host must be that host or below it. Unset: the sector
    /// is the redirect URIs' one host.
    #[serde(default)]
    pub sector_identifier_uri: Option<String>,
    /// Must be `true` when `grant_types` holds `password`: the registration
    /// accepts that this client sees people's passwords, which cannot be
    /// protected by a second factor, and that RFC 9700 forbids the grant.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub password_grant_risk_accepted: bool,
}

impl From<&Client> for ClientSpec {
    /// The registration that gives this client again (for export).
    fn from(client: &Client) -> Self {
        Self {
            name: client.name.clone(),
            description: client.description.clone(),
            kind: client.kind,
            logo_uri: client.logo_uri.clone(),
            client_uri: client.client_uri.clone(),
            policy_uri: client.policy_uri.clone(),
            tos_uri: client.tos_uri.clone(),
            token_endpoint_auth_method: Some(client.auth_method),
            redirect_uris: client.redirect_uris.clone(),
            post_logout_redirect_uris: client.post_logout_redirect_uris.clone(),
            web_origins: client.web_origins.clone(),
            grant_types: Some(client.grant_types.clone()),
            allowed_scopes: client.allowed_scopes.clone(),
            require_pkce: Some(client.require_pkce),
            first_party: client.first_party,
            require_mfa: client.require_mfa,
            tenant_context: client.tenant_context,
            access_token_ttl: Some(client.access_token_ttl),
            refresh_token_ttl: Some(client.refresh_token_ttl),
            id_token_signed_response_alg: Some(client.id_token_alg),
            metadata: client.metadata.clone(),
            password_grant_risk_accepted: client.grant_types.contains(&GrantType::Password),
            jwks: client.jwks.as_deref().and_then(|text| serde_json::from_str(text).ok()),
            response_types: None,
            subject_type: (client.subject_type != SubjectType::Public).then_some(client.subject_type),
            sector_identifier_uri: client.sector_identifier_uri.clone(),
        }
    }
}

/// A client as the protocol uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: ClientId,
    pub application_id: ApplicationId,
    pub kind: ClientKind,
    pub name: String,
    pub description: Option<String>,
    pub logo_uri: Option<String>,
    pub client_uri: Option<String>,
    pub policy_uri: Option<String>,
    pub tos_uri: Option<String>,
    pub auth_method: AuthMethod,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub web_origins: Vec<String>,
    pub grant_types: Vec<GrantType>,
    pub allowed_scopes: Vec<String>,
    pub require_pkce: bool,
    pub first_party: bool,
    pub require_mfa: bool,
    pub tenant_context: bool,
    pub access_token_ttl: i64,
    pub refresh_token_ttl: i64,
    pub id_token_alg: SigningAlg,
    pub service_account: Option<UserId>,
    pub metadata: BTreeMap<String, String>,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
    pub subject_type: SubjectType,
    pub sector_identifier_uri: Option<String>,
    /// The sector of a pairwise client (a host), fixed at registration.
    pub sector: Option<String>,
    /// For `private_key_jwt`: the JWK Set, as JSON.
    pub jwks: Option<String>,
}

impl Client {
    pub fn allows_grant(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    /// The response types it may ask for: `code`, with `authorization_code`.
    pub fn response_types(&self) -> Vec<&'static str> {
        if self.allows_grant(GrantType::AuthorizationCode) { vec!["code"] } else { vec![] }
    }

    /// The sector of a pairwise client (OpenID Connect Core §8.1), fixed
    /// when it was registered. `None` for a public client.
    pub fn sector(&self) -> Option<&str> {
        match self.subject_type {
            SubjectType::Pairwise => self.sector.as_deref(),
            SubjectType::Public => None,
        }
    }

    pub fn is_confidential(&self) -> bool {
        self.auth_method.is_confidential()
    }

    /// Whether it authenticates with a secret (and so has secrets to rotate).
    pub fn uses_secret(&self) -> bool {
        self.auth_method.uses_secret()
    }
}

/// Defaults, as documented beside each field.
pub const DEFAULT_ACCESS_TOKEN_TTL: i64 = 3_600;
pub const MAX_ACCESS_TOKEN_TTL: i64 = 86_400;
pub const DEFAULT_REFRESH_TOKEN_TTL: i64 = 30 * 86_400;
pub const MAX_REFRESH_TOKEN_TTL: i64 = 365 * 86_400;
