//! What the developer portal shows: the development tenants and their
//! applications (`/portal`), one application (`/portal/apps/{id}`), and one
//! client with its integration details (`/portal/clients/{id}`).

use serde::{Deserialize, Serialize};

use super::TenantRef;

/// Field id → message, for the form the page shows again.
pub type FieldMessages = Vec<(String, String)>;

/// `/portal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalView {
    pub tenants: Vec<DevTenantView>,
    /// The refused "new application" form: what was typed, and what is wrong.
    pub entered: NewApplicationEntered,
    pub errors: FieldMessages,
    pub notice: Option<PortalNotice>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApplicationEntered {
    pub tenant_id: String,
    pub short_key: String,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevTenantView {
    pub tenant: TenantRef,
    /// Whether the person may create applications here.
    pub can_create: bool,
    pub applications: Vec<AppRowView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppRowView {
    pub id: String,
    pub short_key: String,
    pub name: String,
    pub description: Option<String>,
}

/// `/portal/apps/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppPageView {
    pub app: AppRowView,
    pub tenant: TenantRef,
    pub scopes: Vec<(String, Option<String>)>,
    pub permissions: Vec<String>,
    pub roles: Vec<(String, Vec<String>)>,
    pub clients: Vec<ClientRowView>,
    /// Dynamic client registration: the endpoint and the initial access tokens.
    pub registration: DynamicRegistrationView,
    /// The scopes a client may be allowed, in the order the form shows them.
    pub grantable_scopes: Vec<String>,
    pub errors: FieldMessages,
    /// Which form the errors belong to (`app`, `scope`, `permission`, `role`, `client`, `delete`).
    pub failed_form: Option<String>,
    pub entered: Vec<(String, String)>,
    pub notice: Option<PortalNotice>,
}

/// Dynamic client registration (RFC 7591) for an application.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DynamicRegistrationView {
    /// `{issuer}/oauth2/register`.
    pub endpoint: String,
    pub tokens: Vec<InitialTokenRow>,
    /// The token just made: in the answer to the form, once.
    pub new_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InitialTokenRow {
    pub id: String,
    pub description: Option<String>,
    /// Unix seconds.
    pub expires_at: i64,
    pub uses: i64,
    pub max_uses: i64,
    pub usable: bool,
    pub revoked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientRowView {
    pub id: String,
    pub name: String,
    pub kind: String,
}

/// `/portal/clients/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientPageView {
    pub app: AppRowView,
    pub client: ClientForm,
    pub grantable_scopes: Vec<String>,
    pub integration: IntegrationView,
    /// A secret just made: shown in this answer only.
    pub new_secret: Option<String>,
    pub confidential: bool,
    pub errors: FieldMessages,
    pub notice: Option<PortalNotice>,
}

/// A client's registration as the form shows it (lists one per line).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientForm {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub description: String,
    pub logo_uri: String,
    pub client_uri: String,
    pub policy_uri: String,
    pub tos_uri: String,
    pub redirect_uris: String,
    pub post_logout_redirect_uris: String,
    pub web_origins: String,
    pub grant_types: Vec<String>,
    pub auth_method: String,
    pub allowed_scopes: Vec<String>,
    pub require_pkce: bool,
    pub first_party: bool,
    /// The registration accepts the password grant's risks.
    pub password_grant_risk_accepted: bool,
    pub require_mfa: bool,
    pub tenant_context: bool,
    pub access_token_ttl: String,
    pub refresh_token_ttl: String,
    pub id_token_alg: String,
    /// `public` or `pairwise`.
    pub subject_type: String,
    pub sector_identifier_uri: String,
    /// For `private_key_jwt`: the JWK Set, as JSON.
    pub jwks: String,
    pub service_account: String,
    /// `key=value`, one per line.
    pub metadata: String,
}

/// What an integrator needs, ready to copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationView {
    pub issuer: String,
    pub discovery_url: String,
    pub client_id: String,
    pub scopes: String,
    pub redirect_uris: Vec<String>,
    pub endpoints: Vec<(String, String)>,
    /// For browser and native apps: an oidc-client-ts / react-oidc-context configuration.
    pub snippet: Option<String>,
    /// For machine clients: a `curl` call for a token.
    pub curl: Option<String>,
}

query_enum! {
    /// What the last action in the portal did (`?notice=…`).
    PortalNotice {
        AppCreated => "app-created",
        AppSaved => "app-saved",
        AppDeleted => "app-deleted",
        ScopeAdded => "scope-added",
        ScopeRemoved => "scope-removed",
        PermissionAdded => "permission-added",
        RoleSaved => "role-saved",
        ClientCreated => "client-created",
        ClientSaved => "client-saved",
        ClientDeleted => "client-deleted",
        SecretRotated => "secret-rotated",
        RegistrationTokenRevoked => "registration-token-revoked",
    }
}
