//! Dynamic client registration (RFC 7591) and client configuration
//! management (RFC 7592).
//!
//! An Admin (anyone with `clients.manage` in the application's tenant, or
//! its `{short_key}_admin` service) makes an **initial access token** for one
//! application, valid for a while and a number of registrations. Whoever
//! holds it may register clients of that application at the registration
//! endpoint, with the standard metadata. Each registered client gets a
//! **registration access token** that reads, replaces and deletes its own
//! registration, and nothing else. Both are 256-bit random strings of which
//! only the SHA-256 is kept.
//!
//! What a registration cannot do, whatever it asks for: be first-party (the
//! consent screen is always shown), turn PKCE off, or get a management scope
//! (`{…}_admin`): those an Admin gives in the portal.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::manage::{self, ManageError, Manager};
use super::{Application, ApplicationId, get_application};
use crate::clients::{AuthMethod, Client, ClientId, ClientKind, ClientSpec, GrantType, SecretHash};
use crate::clock::UnixTime;
use crate::keys::SigningAlg;
use crate::msg;
use crate::organizations::{AccessError, Permission};
use crate::store::{Store, StoreError};
use crate::validation::FieldErrors;

/// How long an initial access token lives unless told: a day.
pub const DEFAULT_INITIAL_TOKEN_SECONDS: i64 = 86_400;
/// The longest an initial access token may live: 30 days.
pub const MAX_INITIAL_TOKEN_SECONDS: i64 = 30 * 86_400;
/// The most registrations one initial access token may make.
pub const MAX_INITIAL_TOKEN_USES: i64 = 1_000;

/// An initial access token, without the token (shown once, when made).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitialAccessToken {
    pub id: String,
    pub application_id: ApplicationId,
    pub description: Option<String>,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub max_uses: i64,
    pub uses: i64,
    pub revoked_at: Option<UnixTime>,
}

impl InitialAccessToken {
    /// Whether it may register another client at `now`.
    pub fn usable(&self, now: UnixTime) -> bool {
        self.revoked_at.is_none() && self.expires_at.0 > now.0 && self.uses < self.max_uses
    }
}

type TokenRow = (String, String, Option<String>, i64, i64, i64, i64, Option<i64>);

/// The columns of a `TokenRow`.
macro_rules! token_columns {
    () => {
        "id, application_id, description, created_at, expires_at, CAST(max_uses AS BIGINT), \
         CAST(uses AS BIGINT), revoked_at"
    };
}

fn token_of(row: TokenRow) -> InitialAccessToken {
    let (id, application_id, description, created_at, expires_at, max_uses, uses, revoked_at) = row;
    InitialAccessToken {
        id,
        application_id: ApplicationId::from_stored(application_id),
        description,
        created_at: UnixTime(created_at),
        expires_at: UnixTime(expires_at),
        max_uses,
        uses,
        revoked_at: revoked_at.map(UnixTime),
    }
}

/// The rules of a new initial access token, every problem at once: valid
/// 60 seconds to 30 days, for 1 to 1000 registrations, a description of at
/// most 200 characters on one line.
pub fn check_initial_token(description: Option<&str>, expires_in: i64, max_uses: i64) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if !(60..=MAX_INITIAL_TOKEN_SECONDS).contains(&expires_in) {
        errors.add(
            "expires_in",
            msg!(
                "from 1 minute to 30 days ({MAX_INITIAL_TOKEN_SECONDS} seconds)",
                "von 1 Minute bis 30 Tage ({MAX_INITIAL_TOKEN_SECONDS} Sekunden)"
            ),
        );
    }
    if !(1..=MAX_INITIAL_TOKEN_USES).contains(&max_uses) {
        errors.add(
            "max_uses",
            msg!(
                "between 1 and {MAX_INITIAL_TOKEN_USES} registrations",
                "zwischen 1 und {MAX_INITIAL_TOKEN_USES} Registrierungen"
            ),
        );
    }
    if let Some(text) = description.map(str::trim).filter(|d| !d.is_empty())
        && (text.chars().count() > 200 || text.chars().any(char::is_control))
    {
        errors.add("description", msg!("at most 200 characters on one line", "höchstens 200 Zeichen in einer Zeile"));
    }
    errors
}

/// Makes an initial access token for the application (`clients.manage`):
/// valid `expires_in` seconds (default a day, at most 30) for `max_uses`
/// registrations (default 1, at most 1000). The token is returned this once.
pub async fn create_initial_token(
    store: &Store,
    manager: Manager<'_>,
    application_id: &str,
    description: Option<&str>,
    expires_in: Option<i64>,
    max_uses: Option<i64>,
    now: UnixTime,
) -> Result<(InitialAccessToken, String), ManageError> {
    let application = manage::application(store, manager, application_id, Permission::ClientsManage).await?;
    let expires_in = expires_in.unwrap_or(DEFAULT_INITIAL_TOKEN_SECONDS);
    let max_uses = max_uses.unwrap_or(1);
    let errors = check_initial_token(description, expires_in, max_uses);
    if !errors.is_empty() {
        return Err(ManageError::Invalid(errors));
    }
    let description = description.map(str::trim).filter(|d| !d.is_empty());
    let token = crate::random::url_safe(32);
    let initial = InitialAccessToken {
        id: crate::random::url_safe(12),
        application_id: application.id.clone(),
        description: description.map(str::to_string),
        created_at: now,
        expires_at: now.plus_seconds(expires_in),
        max_uses,
        uses: 0,
        revoked_at: None,
    };
    sqlx::query(
        "INSERT INTO initial_access_tokens \
         (id, application_id, token_hash, description, created_at, expires_at, max_uses, uses) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0)",
    )
    .bind(&initial.id)
    .bind(initial.application_id.as_str())
    .bind(SecretHash::of(token.as_bytes()).as_str())
    .bind(&initial.description)
    .bind(now.0)
    .bind(initial.expires_at.0)
    .bind(max_uses as i32)
    .execute(store.pool())
    .await
    .map_err(StoreError::from)?;
    Ok((initial, token))
}

/// The application's initial access tokens, newest first (`clients.manage`).
pub async fn list_initial_tokens(
    store: &Store,
    manager: Manager<'_>,
    application_id: &str,
) -> Result<Vec<InitialAccessToken>, ManageError> {
    let application = manage::application(store, manager, application_id, Permission::ClientsManage).await?;
    Ok(initial_tokens_of(store, &application).await?)
}

/// The application's initial access tokens, newest first, for a caller that
/// checked the right to see them.
pub async fn initial_tokens_of(
    store: &Store,
    application: &Application,
) -> Result<Vec<InitialAccessToken>, StoreError> {
    let rows: Vec<TokenRow> = sqlx::query_as(concat!(
        "SELECT ",
        token_columns!(),
        " FROM initial_access_tokens WHERE application_id = $1 ORDER BY created_at DESC, id"
    ))
    .bind(application.id.as_str())
    .fetch_all(store.reads())
    .await?;
    Ok(rows.into_iter().map(token_of).collect())
}

/// Revokes an initial access token of the application: it registers no
/// more clients (those it registered stay). `NotFound` for another's.
pub async fn revoke_initial_token(
    store: &Store,
    manager: Manager<'_>,
    application_id: &str,
    token_id: &str,
    now: UnixTime,
) -> Result<InitialAccessToken, ManageError> {
    let application = manage::application(store, manager, application_id, Permission::ClientsManage).await?;
    sqlx::query(
        "UPDATE initial_access_tokens SET revoked_at = $1 \
         WHERE id = $2 AND application_id = $3 AND revoked_at IS NULL",
    )
    .bind(now.0)
    .bind(token_id)
    .bind(application.id.as_str())
    .execute(store.pool())
    .await
    .map_err(StoreError::from)?;
    let row: Option<TokenRow> = sqlx::query_as(concat!(
        "SELECT ",
        token_columns!(),
        " FROM initial_access_tokens WHERE id = $1 AND application_id = $2"
    ))
    .bind(token_id)
    .bind(application.id.as_str())
    .fetch_optional(store.reads())
    .await
    .map_err(StoreError::from)?;
    row.map(token_of).ok_or_else(|| AccessError::NotFound.into())
}

/// Client metadata as RFC 7591 §2 (and OpenID Connect Dynamic Client
/// Registration) names it. Metadata Sanus does not know is ignored, as
/// §2 asks.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Metadata {
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub token_endpoint_auth_method: Option<String>,
    #[serde(default)]
    pub grant_types: Option<Vec<String>>,
    #[serde(default)]
    pub response_types: Option<Vec<String>>,
    #[serde(default)]
    pub client_name: Option<String>,
    #[serde(default)]
    pub client_uri: Option<String>,
    #[serde(default)]
    pub logo_uri: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub contacts: Vec<String>,
    #[serde(default)]
    pub tos_uri: Option<String>,
    #[serde(default)]
    pub policy_uri: Option<String>,
    #[serde(default)]
    pub software_id: Option<String>,
    #[serde(default)]
    pub software_version: Option<String>,
    /// OpenID Connect: `web` (the default) or `native`.
    #[serde(default)]
    pub application_type: Option<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    #[serde(default)]
    pub id_token_signed_response_alg: Option<String>,
    /// For `private_key_jwt`: the client's public keys (RFC 7591 §2).
    #[serde(default)]
    pub jwks: Option<serde_json::Value>,
    /// Not supported: Sanus does not fetch keys; `jwks` instead.
    #[serde(default)]
    pub jwks_uri: Option<String>,
    /// OpenID Connect: `public` (the default) or `pairwise`.
    #[serde(default)]
    pub subject_type: Option<String>,
    #[serde(default)]
    pub sector_identifier_uri: Option<String>,
    /// RFC 7592: a replacement names the client it replaces.
    #[serde(default)]
    pub client_id: Option<String>,
}

/// A refused registration (RFC 7591 §3.2.2), or a token that opens nothing.
#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    /// No such token, or it is expired, revoked or used up: 401.
    #[error("the access token is unknown, expired, revoked or used up")]
    InvalidToken,
    /// 400 with `invalid_redirect_uri` or `invalid_client_metadata`.
    #[error("{error}: {description}")]
    Invalid { error: &'static str, description: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid_metadata(description: impl Into<String>) -> RegistrationError {
    RegistrationError::Invalid { error: "invalid_client_metadata", description: description.into() }
}

impl From<ManageError> for RegistrationError {
    fn from(error: ManageError) -> Self {
        match error {
            ManageError::Store(error) | ManageError::Access(AccessError::Store(error)) => Self::Store(error),
            ManageError::Access(_) => Self::InvalidToken,
            ManageError::Invalid(errors) => {
                let error = match errors.fields().any(|field| field == "redirect_uris") {
                    true => "invalid_redirect_uri",
                    false => "invalid_client_metadata",
                };
                Self::Invalid { error, description: errors.to_string() }
            }
            other => invalid_metadata(other.to_string()),
        }
    }
}

/// The metadata as a registration Sanus can check: the kind is read off
/// the grant types, the authentication method and the redirect URIs.
fn spec_of(metadata: Metadata) -> Result<ClientSpec, RegistrationError> {
    let auth_method = match metadata.token_endpoint_auth_method.as_deref() {
        // RFC 7591 §2: client_secret_basic unless told.
        None => AuthMethod::ClientSecretBasic,
        Some(method) => AuthMethod::parse(method).ok_or_else(|| {
            invalid_metadata(format!(
                "token_endpoint_auth_method {method} is not supported: use client_secret_basic, \
                 client_secret_post, private_key_jwt or none"
            ))
        })?,
    };
    if metadata.jwks_uri.is_some() && metadata.jwks.is_none() {
        return Err(invalid_metadata("jwks_uri is not supported: Sanus does not fetch keys; register them as jwks"));
    }
    let mut grant_types = Vec::new();
    for grant in metadata.grant_types.unwrap_or_else(|| vec!["authorization_code".to_string()]) {
        let grant = match grant.as_str() {
            "authorization_code" => GrantType::AuthorizationCode,
            "refresh_token" => GrantType::RefreshToken,
            "client_credentials" => GrantType::ClientCredentials,
            other => {
                return Err(invalid_metadata(format!(
                    "grant type {other} is not supported: use authorization_code, refresh_token or client_credentials"
                )));
            }
        };
        if !grant_types.contains(&grant) {
            grant_types.push(grant);
        }
    }
    let code = grant_types.contains(&GrantType::AuthorizationCode);
    let native_redirect = metadata.redirect_uris.iter().any(|uri| !uri.starts_with("https://"));
    let kind = if grant_types == [GrantType::ClientCredentials] {
        ClientKind::M2m
    } else if auth_method.is_confidential() {
        ClientKind::Web
    } else if metadata.application_type.as_deref() == Some("native") || native_redirect {
        ClientKind::Native
    } else {
        ClientKind::Spa
    };
    if let Some(kind) = metadata.application_type.as_deref()
        && kind != "web"
        && kind != "native"
    {
        return Err(invalid_metadata(format!("application_type {kind}: web or native")));
    }
    let scopes: Vec<String> = match metadata.scope {
        Some(scope) => scope.split_whitespace().map(str::to_string).collect(),
        None if code => vec!["openid".to_string(), "profile".to_string(), "email".to_string()],
        None => vec![],
    };
    if let Some(scope) = scopes.iter().find(|scope| scope.ends_with("_admin")) {
        return Err(invalid_metadata(format!(
            "{scope} cannot be registered dynamically: an Admin gives management scopes in the developer portal"
        )));
    }
    let id_token_signed_response_alg =
        match metadata.id_token_signed_response_alg.as_deref() {
            None => None,
            Some(alg) => Some(SigningAlg::ALL.into_iter().find(|a| a.as_str() == alg).ok_or_else(|| {
                invalid_metadata(format!("id_token_signed_response_alg {alg}: RS256, ES256 or EdDSA"))
            })?),
        };
    let subject_type = match metadata.subject_type.as_deref() {
        None => None,
        Some(kind) => Some(
            crate::clients::SubjectType::parse(kind)
                .ok_or_else(|| invalid_metadata(format!("subject_type {kind}: public or pairwise")))?,
        ),
    };
    // A browser app calls the token endpoint from its redirect URIs' origins.
    let web_origins = match kind {
        ClientKind::Spa => {
            let mut origins: Vec<String> = metadata
                .redirect_uris
                .iter()
                .filter_map(|uri| url::Url::parse(uri).ok())
                .map(|uri| uri.origin().ascii_serialization())
                .collect();
            origins.dedup();
            origins
        }
        _ => vec![],
    };
    let mut extra = BTreeMap::new();
    if !metadata.contacts.is_empty() {
        extra.insert("contacts".to_string(), metadata.contacts.join(" "));
    }
    for (key, value) in [("software_id", metadata.software_id), ("software_version", metadata.software_version)] {
        if let Some(value) = value {
            extra.insert(key.to_string(), value);
        }
    }
    Ok(ClientSpec {
        name: metadata.client_name.unwrap_or_else(|| "Registered client".to_string()),
        description: Some("Registered dynamically (RFC 7591)".to_string()),
        kind,
        logo_uri: metadata.logo_uri,
        client_uri: metadata.client_uri,
        policy_uri: metadata.policy_uri,
        tos_uri: metadata.tos_uri,
        token_endpoint_auth_method: Some(auth_method),
        redirect_uris: metadata.redirect_uris,
        post_logout_redirect_uris: metadata.post_logout_redirect_uris,
        web_origins,
        grant_types: Some(grant_types),
        allowed_scopes: scopes,
        require_pkce: Some(true),
        first_party: false,
        require_mfa: false,
        tenant_context: false,
        access_token_ttl: None,
        refresh_token_ttl: None,
        id_token_signed_response_alg,
        metadata: extra,
        password_grant_risk_accepted: false,
        jwks: metadata.jwks,
        // The client rules check them (code, with authorization_code only).
        response_types: metadata.response_types,
        subject_type,
        sector_identifier_uri: metadata.sector_identifier_uri,
    })
}

/// A registered client as RFC 7591 §3.2.1 answers it. The secret and the
/// registration access token are there only in the answer that made them.
#[derive(Debug, Clone, Serialize)]
pub struct ClientInformation {
    pub client_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    pub client_id_issued_at: i64,
    /// 0: the secret does not expire (present when there is a secret).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret_expires_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_access_token: Option<String>,
    pub registration_client_uri: String,
    pub client_name: String,
    pub application_type: &'static str,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub token_endpoint_auth_method: &'static str,
    pub grant_types: Vec<&'static str>,
    pub response_types: Vec<&'static str>,
    pub scope: String,
    pub id_token_signed_response_alg: &'static str,
    pub subject_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sector_identifier_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tos_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software_version: Option<String>,
}

impl ClientInformation {
    /// The client's registration; `registration_endpoint` is the issuer's
    /// `/oauth2/register`.
    pub fn of(client: &Client, registration_endpoint: &str) -> Self {
        Self {
            client_id: client.id.as_str().to_string(),
            client_secret: None,
            client_id_issued_at: client.created_at.0,
            client_secret_expires_at: client.uses_secret().then_some(0),
            registration_access_token: None,
            registration_client_uri: format!("{registration_endpoint}/{}", client.id.as_str()),
            client_name: client.name.clone(),
            application_type: if client.kind == ClientKind::Native { "native" } else { "web" },
            redirect_uris: client.redirect_uris.clone(),
            post_logout_redirect_uris: client.post_logout_redirect_uris.clone(),
            token_endpoint_auth_method: client.auth_method.as_str(),
            grant_types: client.grant_types.iter().map(|g| g.as_str()).collect(),
            response_types: client.response_types(),
            scope: client.allowed_scopes.join(" "),
            id_token_signed_response_alg: client.id_token_alg.as_str(),
            subject_type: client.subject_type.as_str(),
            sector_identifier_uri: client.sector_identifier_uri.clone(),
            client_uri: client.client_uri.clone(),
            logo_uri: client.logo_uri.clone(),
            policy_uri: client.policy_uri.clone(),
            tos_uri: client.tos_uri.clone(),
            jwks: client.jwks.as_deref().and_then(|text| serde_json::from_str(text).ok()),
            contacts: client
                .metadata
                .get("contacts")
                .map(|c| c.split(' ').map(str::to_string).collect())
                .unwrap_or_default(),
            software_id: client.metadata.get("software_id").cloned(),
            software_version: client.metadata.get("software_version").cloned(),
        }
    }
}

/// A client just registered, with what its answer shows once.
#[derive(Debug)]
pub struct Registered {
    pub client: Client,
    pub application: Application,
    pub information: ClientInformation,
    /// The initial access token that registered it (its id, for the audit).
    pub initial_token_id: String,
}

/// The unspent initial access token with this value.
async fn usable_initial_token(
    store: &Store,
    token: &str,
    now: UnixTime,
) -> Result<Option<InitialAccessToken>, StoreError> {
    let row: Option<TokenRow> =
        sqlx::query_as(concat!("SELECT ", token_columns!(), " FROM initial_access_tokens WHERE token_hash = $1"))
            .bind(SecretHash::of(token.as_bytes()).as_str())
            .fetch_optional(store.reads())
            .await?;
    Ok(row.map(token_of).filter(|initial| initial.usable(now)))
}

/// Registers a client under an initial access token (RFC 7591 §3). The
/// metadata is checked before a use of the token is spent; two
/// registrations racing for its last use cannot both have it.
pub async fn register(
    store: &Store,
    initial_token: &str,
    metadata: Metadata,
    registration_endpoint: &str,
    now: UnixTime,
) -> Result<Registered, RegistrationError> {
    let initial = usable_initial_token(store, initial_token, now).await?.ok_or(RegistrationError::InvalidToken)?;
    let spec = spec_of(metadata)?;
    let manager = Manager::Registrar(&initial.application_id);
    let application_id = initial.application_id.as_str();
    let client = manage::check_registration(store, manager, application_id, spec, ClientId::generate(), now).await?;
    // Spending the use, storing the client, its secret and its registration
    // access token: all of it, or none.
    let secret = client.uses_secret().then(crate::clients::ClientSecret::generate);
    let registration_token = crate::random::url_safe(32);
    let mut tx = store.pool().begin().await.map_err(StoreError::from)?;
    let spent = sqlx::query(
        "UPDATE initial_access_tokens SET uses = uses + 1 \
         WHERE id = $1 AND uses < max_uses AND revoked_at IS NULL AND expires_at > $2",
    )
    .bind(&initial.id)
    .bind(now.0)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    if spent.rows_affected() != 1 {
        return Err(RegistrationError::InvalidToken);
    }
    crate::clients::upsert_client_in(&mut tx, &client).await?;
    if let Some(secret) = &secret {
        crate::clients::add_client_secret_in(&mut tx, &client.id, &secret.hash(), now, None).await?;
    }
    sqlx::query(
        "INSERT INTO registration_access_tokens (client_id, token_hash, issued_at, initial_token_id) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(client.id.as_str())
    .bind(SecretHash::of(registration_token.as_bytes()).as_str())
    .bind(now.0)
    .bind(&initial.id)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    tx.commit().await.map_err(StoreError::from)?;
    let registered = manage::Registered { client, secret };
    let mut information = ClientInformation::of(&registered.client, registration_endpoint);
    information.client_secret = registered.secret.as_ref().map(|secret| secret.expose().to_string());
    information.registration_access_token = Some(registration_token);
    let application = get_application(store, &initial.application_id).await?;
    Ok(Registered { client: registered.client, application, information, initial_token_id: initial.id })
}

/// The client `client_id` and its application, if `token` is its
/// registration access token (RFC 7592 §2).
pub async fn registered_client(
    store: &Store,
    token: &str,
    client_id: &str,
) -> Result<Option<(Application, Client)>, StoreError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT client_id FROM registration_access_tokens WHERE token_hash = $1")
            .bind(SecretHash::of(token.as_bytes()).as_str())
            .fetch_optional(store.reads())
            .await?;
    let Some((owner,)) = row.filter(|(owner,)| owner == client_id) else {
        return Ok(None);
    };
    let Some(client) = crate::clients::find_client(store, &owner).await? else {
        return Ok(None);
    };
    let application = get_application(store, &client.application_id).await?;
    Ok(Some((application, client)))
}

/// Replaces a registration (RFC 7592 §2.2): the body names the client, and
/// holds all its metadata (what is left out takes the defaults again).
/// What the tenant decided and the metadata cannot say (a second factor,
/// the active tenant, lifetimes, the description, the service account)
/// stays; first party only while the redirect URIs stay too (a first-party
/// client skips consent, so it must not be sent elsewhere).
pub async fn replace(
    store: &Store,
    application: &Application,
    client: &Client,
    metadata: Metadata,
    now: UnixTime,
) -> Result<Client, RegistrationError> {
    if metadata.client_id.as_deref() != Some(client.id.as_str()) {
        return Err(invalid_metadata("client_id: name the client this registration replaces"));
    }
    let mut spec = spec_of(metadata)?;
    spec.description.clone_from(&client.description);
    spec.first_party = client.first_party && spec.redirect_uris == client.redirect_uris;
    spec.require_mfa = client.require_mfa;
    spec.tenant_context = client.tenant_context;
    spec.access_token_ttl = Some(client.access_token_ttl);
    spec.refresh_token_ttl = Some(client.refresh_token_ttl);
    let service_account = match &client.service_account {
        Some(id) => Some(crate::users::get_user(store, id).await?.email),
        None => None,
    };
    let manager = Manager::Registrar(&application.id);
    Ok(manage::update_client(store, manager, client.id.as_str(), spec, service_account.as_deref(), now).await?)
}

/// Deletes a registration (RFC 7592 §2.3): its tokens stop working at once.
pub async fn delete(
    store: &Store,
    application: &Application,
    client: &Client,
    now: UnixTime,
) -> Result<(), RegistrationError> {
    Ok(manage::delete_client(store, Manager::Registrar(&application.id), client.id.as_str(), now).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata(json: serde_json::Value) -> Metadata {
        serde_json::from_value(json).unwrap()
    }

    fn error_of(result: Result<ClientSpec, RegistrationError>) -> String {
        match result {
            Err(RegistrationError::Invalid { error, description }) => format!("{error}: {description}"),
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn metadata_reads_as_the_kind_it_describes() {
        let web = spec_of(metadata(serde_json::json!({ "redirect_uris": ["https://rp.example/cb"] }))).unwrap();
        assert_eq!((web.kind, web.token_endpoint_auth_method), (ClientKind::Web, Some(AuthMethod::ClientSecretBasic)));
        assert_eq!(web.grant_types, Some(vec![GrantType::AuthorizationCode]));
        assert_eq!(web.allowed_scopes, ["openid", "profile", "email"]);
        assert!(!web.first_party && web.require_pkce == Some(true));

        let spa = spec_of(metadata(serde_json::json!({
            "redirect_uris": ["https://spa.example/cb", "https://spa.example/silent"],
            "token_endpoint_auth_method": "none", "grant_types": ["authorization_code", "refresh_token"],
            "scope": "openid offline_access", "client_name": "SPA", "software_id": "x1", "contacts": ["a@x.example"],
        })))
        .unwrap();
        assert_eq!(spa.kind, ClientKind::Spa);
        assert_eq!(spa.web_origins, ["https://spa.example"]);
        assert_eq!(spa.metadata.get("software_id").map(String::as_str), Some("x1"));

        let native = spec_of(metadata(serde_json::json!({
            "redirect_uris": ["com.example.app:/cb"], "token_endpoint_auth_method": "none",
        })))
        .unwrap();
        assert_eq!(native.kind, ClientKind::Native);

        let machine = spec_of(metadata(serde_json::json!({
            "grant_types": ["client_credentials"], "scope": "ward_data.read",
        })))
        .unwrap();
        assert_eq!((machine.kind, machine.redirect_uris.len()), (ClientKind::M2m, 0));
    }

    #[test]
    fn what_sanus_does_not_do_is_refused_by_name() {
        for (json, expected) in [
            (
                serde_json::json!({ "token_endpoint_auth_method": "client_secret_jwt" }),
                "client_secret_jwt is not supported",
            ),
            (
                serde_json::json!({ "token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "https://x.example/j" }),
                "jwks_uri is not supported",
            ),
            (serde_json::json!({ "grant_types": ["implicit"] }), "grant type implicit is not supported"),
            (serde_json::json!({ "grant_types": ["password"] }), "grant type password is not supported"),
            (serde_json::json!({ "scope": "openid acme_admin" }), "acme_admin cannot be registered dynamically"),
            (serde_json::json!({ "application_type": "tv" }), "application_type tv"),
            (serde_json::json!({ "id_token_signed_response_alg": "none" }), "RS256, ES256 or EdDSA"),
        ] {
            let refused = error_of(spec_of(metadata(json.clone())));
            assert!(refused.starts_with("invalid_client_metadata") && refused.contains(expected), "{json}: {refused}");
        }
    }

    #[test]
    fn unknown_metadata_is_ignored_and_wrong_types_are_not() {
        let spec = spec_of(metadata(serde_json::json!({
            "redirect_uris": ["https://rp.example/cb"], "frontchannel_logout_uri": "https://rp.example/fc",
        })))
        .unwrap();
        assert_eq!(spec.redirect_uris, ["https://rp.example/cb"]);
        assert!(serde_json::from_value::<Metadata>(serde_json::json!({ "redirect_uris": "https://x" })).is_err());
    }
}
