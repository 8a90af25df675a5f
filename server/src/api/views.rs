//! What the management API takes and answers, as types: the handlers
//! serialise exactly these, and the OpenAPI document's schemas are derived
//! from them, so the two cannot drift apart.

use std::collections::BTreeMap;

use sanus_core::applications::Application;
use sanus_core::clients::{AuthMethod, Client, ClientKind, ClientSpec, GrantType, SubjectType};
use sanus_core::keys::SigningAlg;
use sanus_core::organizations as orgs;
use sanus_core::tenants::{Tenant, TenantId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A tenant: an organisation (no parent) or one of its departments.
#[derive(Serialize, ToSchema)]
pub struct TenantView {
    pub id: String,
    pub name: String,
    /// `organization` or `development`.
    #[schema(example = "organization")]
    pub kind: &'static str,
    /// The tenant above; none for an organisation.
    pub parent_id: Option<String>,
    /// The organisation the tenant belongs to (itself for an organisation).
    pub root_id: String,
}

impl From<&orgs::Reached> for TenantView {
    fn from(tenant: &orgs::Reached) -> Self {
        Self {
            id: tenant.id.to_string(),
            name: tenant.name.clone(),
            kind: tenant.kind.as_str(),
            parent_id: tenant.parent_id.as_ref().map(TenantId::to_string),
            root_id: tenant.root_id.to_string(),
        }
    }
}

impl From<&Tenant> for TenantView {
    fn from(tenant: &Tenant) -> Self {
        Self {
            id: tenant.id.to_string(),
            name: tenant.name.clone(),
            kind: tenant.kind.as_str(),
            parent_id: tenant.parent_id.as_ref().map(TenantId::to_string),
            root_id: tenant.root_id.to_string(),
        }
    }
}

/// The tenants the caller can reach.
#[derive(Serialize, ToSchema)]
pub struct TenantList {
    pub tenants: Vec<TenantView>,
}

/// A tenant with what the caller may do there.
#[derive(Serialize, ToSchema)]
pub struct TenantDetail {
    pub tenant: TenantView,
    /// The caller's roles here (held here or above).
    pub roles: Vec<String>,
    /// The core permissions those roles give.
    pub permissions: Vec<&'static str>,
    /// Whether every member needs a second factor (organisations only).
    pub require_mfa: bool,
}

/// A new organisation or development tenant; its creator becomes its Admin.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTenant {
    /// 1 to 100 characters on one line.
    pub name: String,
    /// `organization` (the default) or `development`.
    #[serde(default)]
    pub kind: Option<String>,
}

/// A change to a tenant; what is left out stays.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantPatch {
    #[serde(default)]
    pub name: Option<String>,
    /// Organisations only.
    #[serde(default)]
    pub require_mfa: Option<bool>,
}

/// A name, and nothing else.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDepartment {
    /// 1 to 100 characters on one line.
    pub name: String,
}

/// What archiving did.
#[derive(Serialize, ToSchema)]
pub struct Archived {
    /// How many tenants were archived: the one asked for and every department below it.
    pub archived: u64,
}

/// The departments directly below a tenant.
#[derive(Serialize, ToSchema)]
pub struct DepartmentList {
    pub departments: Vec<TenantView>,
}

/// A member of a tenant.
#[derive(Serialize, ToSchema)]
pub struct MemberView {
    pub user_id: String,
    pub email: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    /// `Admin`, `Contributor`, `Reader` or `External`, or roles of applications.
    pub roles: Vec<String>,
    /// When the person joined (unix seconds).
    pub since: i64,
}

impl From<&orgs::Member> for MemberView {
    fn from(member: &orgs::Member) -> Self {
        Self {
            user_id: member.user_id.as_str().to_string(),
            email: member.email.clone(),
            given_name: member.given_name.clone(),
            family_name: member.family_name.clone(),
            roles: member.roles.iter().map(|role| role.as_str().to_string()).collect(),
            since: member.since.seconds(),
        }
    }
}

/// One page of a tenant's members.
#[derive(Serialize, ToSchema)]
pub struct MemberPage {
    pub members: Vec<MemberView>,
    /// Members matching the query, on every page.
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// A member's roles, all of them (replacing the ones before).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RolesChange {
    /// `Admin`, `Contributor`, `Reader`, `External`, or roles of applications.
    pub roles: Vec<String>,
}

/// A member's roles now.
#[derive(Serialize, ToSchema)]
pub struct MemberRoles {
    pub user_id: String,
    pub roles: Vec<String>,
}

/// An invitation to join a tenant.
#[derive(Serialize, ToSchema)]
pub struct InvitationView {
    pub id: String,
    pub email: String,
    pub roles: Vec<String>,
    /// Unix seconds.
    pub sent_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
    /// `pending`, `accepted`, `revoked` or `expired`.
    #[schema(example = "pending")]
    pub state: &'static str,
}

/// A tenant's pending invitations.
#[derive(Serialize, ToSchema)]
pub struct InvitationList {
    pub invitations: Vec<InvitationView>,
}

/// Who is invited, with which roles.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    pub email: String,
    pub roles: Vec<String>,
}

/// One event of the audit log.
#[derive(Serialize, ToSchema)]
pub struct AuditEventView {
    /// Unix seconds.
    pub at: i64,
    /// What happened, e.g. `client.created`.
    pub kind: String,
    /// The person who acted, if any.
    pub user_id: Option<String>,
    /// The client that acted or was used, if any.
    pub client_id: Option<String>,
    /// The caller's address.
    pub address: Option<String>,
    pub request_id: Option<String>,
    /// What the event concerns; never a secret.
    pub detail: serde_json::Value,
}

/// Events, newest first.
#[derive(Serialize, ToSchema)]
pub struct AuditLog {
    pub events: Vec<AuditEventView>,
}

/// An application a development tenant builds.
#[derive(Serialize, ToSchema)]
pub struct ApplicationView {
    pub id: String,
    /// The development tenant that owns it.
    pub tenant_id: String,
    /// Globally unique and immutable: `[a-z][a-z0-9]{1,15}`. Every scope,
    /// permission and role of the application starts with it and `_`.
    #[schema(example = "rounds")]
    pub short_key: String,
    pub name: String,
    pub description: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
}

impl From<&Application> for ApplicationView {
    fn from(application: &Application) -> Self {
        Self {
            id: application.id.as_str().to_string(),
            tenant_id: application.tenant_id.as_str().to_string(),
            short_key: application.short_key.as_str().to_string(),
            name: application.name.clone(),
            description: application.description.clone(),
            created_at: application.created_at.0,
            updated_at: application.updated_at.0,
        }
    }
}

/// A development tenant's applications.
#[derive(Serialize, ToSchema)]
pub struct ApplicationList {
    pub applications: Vec<ApplicationView>,
}

/// An application with everything it defines.
#[derive(Serialize, ToSchema)]
pub struct ApplicationDetail {
    #[serde(flatten)]
    pub application: ApplicationView,
    pub scopes: Vec<ScopeView>,
    pub permissions: Vec<String>,
    /// Each role's permissions, by role name.
    pub roles: BTreeMap<String, Vec<String>>,
}

/// A new application.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    /// `[a-z][a-z0-9]{1,15}`, free (see `key-available`), never changed afterwards.
    #[schema(example = "rounds")]
    pub short_key: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// An application's new name and description.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationChange {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// Whether a short key can be had.
#[derive(Serialize, ToSchema)]
pub struct KeyAvailability {
    pub short_key: String,
    /// Whether it has the right form.
    pub valid: bool,
    /// Whether it has the right form and nobody has it.
    pub available: bool,
}

/// What deleting an application did.
#[derive(Serialize, ToSchema)]
pub struct ApplicationDeleted {
    pub deleted: String,
    /// Its clients, deleted with it; their tokens stop working at once.
    pub clients_deleted: usize,
}

/// An API scope of an application.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeView {
    /// `{short_key}_…`
    #[schema(example = "rounds_data.read")]
    pub name: String,
    /// What it allows, in words the consent screen shows.
    #[serde(default)]
    pub description: Option<String>,
}

/// A permission of an application.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PermissionView {
    /// `{short_key}_…`
    #[schema(example = "rounds_ward.write")]
    pub name: String,
}

/// A role's permissions, all of them.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleBundle {
    pub permissions: Vec<String>,
}

/// A role of an application and its permissions.
#[derive(Serialize, ToSchema)]
pub struct RoleView {
    pub name: String,
    pub permissions: Vec<String>,
}

/// What a deletion removed.
#[derive(Serialize, ToSchema)]
pub struct Removed {
    pub removed: String,
}

/// The id of what was deleted.
#[derive(Serialize, ToSchema)]
pub struct Deleted {
    pub deleted: String,
}

/// The id of the invitation withdrawn.
#[derive(Serialize, ToSchema)]
pub struct Revoked {
    pub revoked: String,
}

/// A client's registration as the API takes it: the fields of `ClientSpec`,
/// and the service account a machine client acts as.
#[derive(Serialize, ToSchema)]
pub struct ClientRegistration {
    #[serde(flatten)]
    pub spec: ClientSpec,
    /// The e-mail address of the account a client-credentials client acts
    /// as; it must be a member of the application's tenant.
    pub service_account: Option<String>,
}

/// A client as the API shows it; `client_secret` only in the answer that
/// made the secret.
#[derive(Serialize, ToSchema)]
pub struct ClientView {
    pub client_id: String,
    pub application_id: String,
    pub kind: ClientKind,
    pub name: String,
    pub description: Option<String>,
    pub logo_uri: Option<String>,
    pub client_uri: Option<String>,
    pub policy_uri: Option<String>,
    pub tos_uri: Option<String>,
    pub token_endpoint_auth_method: AuthMethod,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub web_origins: Vec<String>,
    pub grant_types: Vec<GrantType>,
    /// `["code"]` with `authorization_code`; nothing else is offered.
    pub response_types: Vec<&'static str>,
    pub allowed_scopes: Vec<String>,
    pub require_pkce: bool,
    pub first_party: bool,
    pub require_mfa: bool,
    pub tenant_context: bool,
    /// Seconds.
    pub access_token_ttl: i64,
    /// Seconds.
    pub refresh_token_ttl: i64,
    pub id_token_signed_response_alg: SigningAlg,
    pub subject_type: SubjectType,
    pub sector_identifier_uri: Option<String>,
    /// For `private_key_jwt`: the client's public keys (a JWK Set).
    #[schema(value_type = Option<Object>)]
    pub jwks: Option<serde_json::Value>,
    pub metadata: BTreeMap<String, String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
    /// The new secret, shown this once: keep it on a server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

impl From<&Client> for ClientView {
    fn from(client: &Client) -> Self {
        Self {
            client_id: client.id.as_str().to_string(),
            application_id: client.application_id.as_str().to_string(),
            kind: client.kind,
            name: client.name.clone(),
            description: client.description.clone(),
            logo_uri: client.logo_uri.clone(),
            client_uri: client.client_uri.clone(),
            policy_uri: client.policy_uri.clone(),
            tos_uri: client.tos_uri.clone(),
            token_endpoint_auth_method: client.auth_method,
            redirect_uris: client.redirect_uris.clone(),
            post_logout_redirect_uris: client.post_logout_redirect_uris.clone(),
            web_origins: client.web_origins.clone(),
            grant_types: client.grant_types.clone(),
            response_types: client.response_types(),
            allowed_scopes: client.allowed_scopes.clone(),
            require_pkce: client.require_pkce,
            first_party: client.first_party,
            require_mfa: client.require_mfa,
            tenant_context: client.tenant_context,
            access_token_ttl: client.access_token_ttl,
            refresh_token_ttl: client.refresh_token_ttl,
            id_token_signed_response_alg: client.id_token_alg,
            subject_type: client.subject_type,
            sector_identifier_uri: client.sector_identifier_uri.clone(),
            jwks: client.jwks.as_deref().and_then(|text| serde_json::from_str(text).ok()),
            metadata: client.metadata.clone(),
            created_at: client.created_at.0,
            updated_at: client.updated_at.0,
            client_secret: None,
        }
    }
}

/// An application's clients.
#[derive(Serialize, ToSchema)]
pub struct ClientList {
    pub clients: Vec<ClientView>,
}

/// How long the secrets before stay valid.
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rotation {
    /// 0 to 604800 (7 days). Unset: 3600.
    #[serde(default)]
    pub grace_seconds: Option<i64>,
}

/// A client's new secret, shown this once.
#[derive(Serialize, ToSchema)]
pub struct RotatedSecret {
    pub client_id: String,
    pub client_secret: String,
    /// Unix seconds: until then the secrets before still work.
    pub previous_secrets_expire_at: i64,
}

/// A new initial access token for dynamic client registration (RFC 7591).
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInitialToken {
    /// Who it is for, for you: at most 200 characters.
    #[serde(default)]
    pub description: Option<String>,
    /// Seconds it stays valid: 60 to 2592000 (30 days). Unset: 86400.
    #[serde(default)]
    pub expires_in: Option<i64>,
    /// How many clients it may register: 1 to 1000. Unset: 1.
    #[serde(default)]
    pub max_uses: Option<i64>,
}

/// An initial access token: the Bearer token of `POST /oauth2/register`, for
/// clients of one application.
#[derive(Serialize, ToSchema)]
pub struct InitialTokenView {
    pub id: String,
    pub description: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
    pub max_uses: i64,
    /// Clients registered with it so far.
    pub uses: i64,
    /// Unix seconds, once revoked.
    pub revoked_at: Option<i64>,
    /// Whether it may register another client now.
    pub usable: bool,
    /// The token, in the answer that made it and never again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl InitialTokenView {
    pub fn of(token: &sanus_core::applications::registration::InitialAccessToken, now: sanus_core::UnixTime) -> Self {
        Self {
            id: token.id.clone(),
            description: token.description.clone(),
            created_at: token.created_at.0,
            expires_at: token.expires_at.0,
            max_uses: token.max_uses,
            uses: token.uses,
            revoked_at: token.revoked_at.map(|at| at.0),
            usable: token.usable(now),
            token: None,
        }
    }
}

/// An application's initial access tokens, newest first.
#[derive(Serialize, ToSchema)]
pub struct InitialTokenList {
    pub initial_access_tokens: Vec<InitialTokenView>,
}
