//! What developers do with applications and their clients, each step
//! authorised: by a person's (or a tenant service's) `applications.manage`
//! or `clients.manage` in the owning development tenant, or by a service
//! holding the application's own `{short_key}_admin`.
//!
//! Names an application defines (permissions, roles, API scopes) carry its
//! short key as prefix; a client may be allowed only the people's scopes,
//! its application's scopes, its `{short_key}_admin` and its tenant's
//! `{tenant_id}_admin`.

use super::{Application, ApplicationId, ShortKey, get_application, insert_application};
use crate::clients::{Client, ClientId, ClientSecret, ClientSpec};
use crate::clock::UnixTime;
use crate::msg;
use crate::organizations::{AccessError, Actor, Permission, access};
use crate::store::{Store, StoreError};
use crate::tenants::{TenantId, TenantKind};
use crate::users::UserId;
use crate::validation::{FieldErrors, Message};

/// The scopes of people that any client may be allowed (the server's
/// protocol grants them in the code flow only).
pub const PERSON_SCOPES: [&str; 12] = [
    "openid",
    "profile",
    "email",
    "offline_access",
    "offline",
    "tenant_ids",
    "tenants",
    "permissions_core",
    "permissions_app",
    "licenses",
    "profession",
    "professional_profile",
];

/// The longest grace period in which a rotated-out secret still works.
pub const MAX_SECRET_GRACE_SECONDS: i64 = 7 * 86_400;

/// Who manages.
#[derive(Debug, Clone, Copy)]
pub enum Manager<'a> {
    /// A person, or a service with `{tenant_id}_admin`: their permissions
    /// in the application's tenant count.
    Actor(Actor<'a>),
    /// A service holding `{short_key}_admin`: this application only.
    AppAdmin(&'a str),
    /// The holder of an initial or registration access token of this
    /// application (RFC 7591/7592): its clients only.
    Registrar(&'a ApplicationId),
}

impl<'a> From<Actor<'a>> for Manager<'a> {
    fn from(actor: Actor<'a>) -> Self {
        Self::Actor(actor)
    }
}

impl<'a> From<&'a UserId> for Manager<'a> {
    fn from(user: &'a UserId) -> Self {
        Self::Actor(Actor::Person(user))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("applications belong to development tenants")]
    NotDevelopment,
    #[error("{0}")]
    Invalid(FieldErrors),
    #[error("the short key {0} is taken")]
    KeyTaken(String),
    #[error("the name {0} is taken")]
    NameTaken(String),
    #[error("public clients have no secret")]
    NoSecret,
    /// New credentials of a client that acts as someone (a person, or the
    /// tenant's Admin) go only to the tenant's Admins or that person;
    /// `field` is what asked for them.
    #[error("only the tenant's Admins, or the person this client acts as, may give it new credentials")]
    SecretWithheld { field: &'static str },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(field: &str, message: impl Into<Message>) -> ManageError {
    let mut errors = FieldErrors::new();
    errors.add(field, message);
    ManageError::Invalid(errors)
}

/// Whether the manager may do what `permission` allows in `application`.
async fn authorise(
    store: &Store,
    manager: Manager<'_>,
    application: &Application,
    permission: Permission,
) -> Result<(), ManageError> {
    match manager {
        Manager::Actor(actor) => {
            access::require(store, actor, &application.tenant_id, permission).await?;
            Ok(())
        }
        Manager::AppAdmin(key) if key == application.short_key.as_str() => Ok(()),
        Manager::AppAdmin(_) => Err(AccessError::NotFound.into()),
        Manager::Registrar(id) if *id == application.id && permission == Permission::ClientsManage => Ok(()),
        Manager::Registrar(_) => Err(AccessError::NotFound.into()),
    }
}

/// The application, if the manager may act on it with `permission`; an
/// application they cannot see is `NotFound`, as if it did not exist.
pub async fn application(
    store: &Store,
    manager: Manager<'_>,
    id: &str,
    permission: Permission,
) -> Result<Application, ManageError> {
    let application = match get_application(store, &ApplicationId(id.to_string())).await {
        Ok(application) => application,
        Err(StoreError::NotFound) => return Err(AccessError::NotFound.into()),
        Err(error) => return Err(error.into()),
    };
    authorise(store, manager, &application, permission).await?;
    Ok(application)
}

fn check_name(errors: &mut FieldErrors, field: &str, value: &str, max: usize) {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max || value.chars().any(char::is_control) {
        errors.add(
            field,
            msg!("enter 1 to {max} characters on one line", "geben Sie 1 bis {max} Zeichen in einer Zeile ein"),
        );
    }
}

/// Whether a short key is free (well-formed and unused).
pub async fn key_available(store: &Store, key: &str) -> Result<bool, StoreError> {
    let Ok(key) = ShortKey::parse(key) else { return Ok(false) };
    Ok(super::find_application_by_short_key(store, &key).await?.is_none())
}

/// Creates an application in a development tenant.
pub async fn create_application(
    store: &Store,
    actor: Actor<'_>,
    tenant: &TenantId,
    key: &str,
    name: &str,
    description: Option<&str>,
    now: UnixTime,
) -> Result<Application, ManageError> {
    access::require(store, actor, tenant, Permission::ApplicationsManage).await?;
    let kind = crate::tenants::get_tenant(store, tenant).await?.kind;
    if kind != TenantKind::Development {
        return Err(ManageError::NotDevelopment);
    }
    let mut errors = FieldErrors::new();
    let short_key = ShortKey::parse(key.trim());
    if let Err(error) = &short_key {
        errors.add(
            "short_key",
            Message::new(
                error.to_string(),
                "ein Kurzschlüssel hat 2 bis 16 Zeichen: einen Kleinbuchstaben, dann Kleinbuchstaben oder Ziffern",
            ),
        );
    }
    check_name(&mut errors, "name", name, 100);
    if description.is_some_and(|d| d.chars().count() > 1000) {
        errors.add("description", msg!("at most 1000 characters", "höchstens 1000 Zeichen"));
    }
    let Ok(short_key) = short_key else { return Err(ManageError::Invalid(errors)) };
    if !errors.is_empty() {
        // Say everything at once: a taken key too.
        if super::find_application_by_short_key(store, &short_key).await?.is_some() {
            errors.add(
                "short_key",
                msg!(
                    "this short key is taken: choose another",
                    "dieser Kurzschlüssel ist vergeben: wählen Sie einen anderen"
                ),
            );
        }
        return Err(ManageError::Invalid(errors));
    }
    // A key equal to a tenant's id would make `{key}_admin` read as either.
    if crate::tenants::find_tenant(store, &TenantId::from_stored(short_key.as_str().to_string())).await?.is_some() {
        return Err(ManageError::KeyTaken(short_key.as_str().to_string()));
    }
    let description = description.map(str::trim).filter(|d| !d.is_empty());
    match insert_application(store, tenant, short_key.clone(), name.trim(), description, now).await {
        Ok(application) => Ok(application),
        Err(StoreError::Conflict(_)) => Err(ManageError::KeyTaken(short_key.as_str().to_string())),
        Err(error) => Err(error.into()),
    }
}

/// The tenant's applications, by short key.
pub async fn list_applications(
    store: &Store,
    actor: Actor<'_>,
    tenant: &TenantId,
) -> Result<Vec<Application>, ManageError> {
    access::require(store, actor, tenant, Permission::TenantRead).await?;
    Ok(super::list_for_tenant(store, tenant).await?)
}

/// Renames or redescribes (the short key never changes).
pub async fn update_application(
    store: &Store,
    manager: Manager<'_>,
    id: &str,
    name: &str,
    description: Option<&str>,
    now: UnixTime,
) -> Result<Application, ManageError> {
    let application = application(store, manager, id, Permission::ApplicationsManage).await?;
    let mut errors = FieldErrors::new();
    check_name(&mut errors, "name", name, 100);
    if description.is_some_and(|d| d.chars().count() > 1000) {
        errors.add("description", msg!("at most 1000 characters", "höchstens 1000 Zeichen"));
    }
    if !errors.is_empty() {
        return Err(ManageError::Invalid(errors));
    }
    let description = description.map(str::trim).filter(|d| !d.is_empty());
    super::update_application(store, &application.id, name.trim(), description, now).await?;
    Ok(get_application(store, &application.id).await?)
}

/// Deletes the application, its clients (their tokens stop working at
/// once), permissions, roles, scopes and licenses.
pub async fn delete_application(
    store: &Store,
    manager: Manager<'_>,
    id: &str,
    now: UnixTime,
) -> Result<DeletedApplication, ManageError> {
    let application = application(store, manager, id, Permission::ApplicationsManage).await?;
    // A client registered meanwhile makes the last step fail (its row
    // refers to the application): then the next attempt takes it too.
    for attempt in 1..=3 {
        let mut tx = store.pool().begin().await.map_err(StoreError::from)?;
        let clients: Vec<(String,)> = sqlx::query_as("SELECT id FROM clients WHERE application_id = $1")
            .bind(application.id.as_str())
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        for (client,) in &clients {
            delete_client_in(&mut tx, client, now).await?;
        }
        // Members who hold this application's roles: whoever holds nothing
        // else in a tenant is no longer its member (a member has a role).
        let holders: Vec<(String, String)> = sqlx::query_as(
            "SELECT DISTINCT m.tenant_id, m.user_id FROM member_roles m \
             JOIN application_roles r ON r.id = m.application_role_id WHERE r.application_id = $1",
        )
        .bind(application.id.as_str())
        .fetch_all(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        let gone = sqlx::query("DELETE FROM applications WHERE id = $1")
            .bind(application.id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from);
        match gone {
            Ok(_) => {
                let ended_memberships = end_role_less_memberships(&mut tx, holders).await?;
                tx.commit().await.map_err(StoreError::from)?;
                let clients = clients.into_iter().filter_map(|(id,)| ClientId::parse(&id)).collect();
                return Ok(DeletedApplication { clients, ended_memberships });
            }
            Err(StoreError::Conflict(_)) if attempt < 3 => continue,
            Err(error) => return Err(error.into()),
        }
    }
    Ok(DeletedApplication::default())
}

/// What went with a deleted application: its clients, and the memberships
/// that held only its roles (tenant, member), for the tenants' audit logs.
#[derive(Debug, Default)]
pub struct DeletedApplication {
    pub clients: Vec<ClientId>,
    pub ended_memberships: Vec<(TenantId, UserId)>,
}

/// Ends the memberships among `holders` (tenant, user) left without a role.
async fn end_role_less_memberships(
    tx: &mut crate::store::Transaction,
    holders: Vec<(String, String)>,
) -> Result<Vec<(TenantId, UserId)>, StoreError> {
    let mut ended = Vec::new();
    for (tenant, user) in holders {
        let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM member_roles WHERE tenant_id = $1 AND user_id = $2")
            .bind(&tenant)
            .bind(&user)
            .fetch_one(&mut **tx)
            .await?;
        if left == 0 {
            let (tenant, user) = (TenantId::from_stored(tenant), UserId::from_stored(user));
            crate::organizations::end_membership_in(tx, &tenant, &user).await?;
            ended.push((tenant, user));
        }
    }
    Ok(ended)
}

/// One of an application's own API scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppScope {
    pub name: String,
    pub description: Option<String>,
}

pub async fn list_scopes(store: &Store, application: &Application) -> Result<Vec<AppScope>, StoreError> {
    let rows: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT name, description FROM application_scopes WHERE application_id = $1 ORDER BY name")
            .bind(application.id.as_str())
            .fetch_all(store.reads())
            .await?;
    Ok(rows.into_iter().map(|(name, description)| AppScope { name, description }).collect())
}

/// The longest name of a scope, permission or role.
pub const MAX_NAME_CHARS: usize = 100;

fn too_long(name: &str) -> bool {
    name.chars().count() > MAX_NAME_CHARS
}

/// Defines an API scope (`{short_key}_…`).
pub async fn define_scope(
    store: &Store,
    manager: Manager<'_>,
    id: &str,
    name: &str,
    description: Option<&str>,
    now: UnixTime,
) -> Result<AppScope, ManageError> {
    let application = application(store, manager, id, Permission::ApplicationsManage).await?;
    let name = name.trim();
    if !application.short_key.prefixes(name) || !crate::clients::scope_token_is_valid(name) || too_long(name) {
        let key = application.short_key.as_str();
        return Err(invalid(
            "name",
            msg!(
                "a scope of this application is named {key}_… (at most {MAX_NAME_CHARS} characters)",
                "ein Scope dieser Anwendung heißt {key}_… (höchstens {MAX_NAME_CHARS} Zeichen)"
            ),
        ));
    }
    if name == format!("{}_admin", application.short_key.as_str()) {
        return Err(invalid(
            "name",
            msg!(
                "the _admin scope is the management API's; choose another name",
                "der Scope _admin gehört der Verwaltungs-API; wählen Sie einen anderen Namen"
            ),
        ));
    }
    let description = description.map(str::trim).filter(|d| !d.is_empty());
    if description.is_some_and(|d| d.chars().count() > 1000) {
        return Err(invalid("description", msg!("at most 1000 characters", "höchstens 1000 Zeichen")));
    }
    let inserted = sqlx::query(
        "INSERT INTO application_scopes (id, application_id, name, description, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(application.id.as_str())
    .bind(name)
    .bind(description)
    .bind(now.0)
    .execute(store.pool())
    .await;
    match inserted.map_err(StoreError::from) {
        Ok(_) => Ok(AppScope { name: name.to_string(), description: description.map(str::to_owned) }),
        Err(StoreError::Conflict(_)) => Err(ManageError::NameTaken(name.to_string())),
        Err(error) => Err(error.into()),
    }
}

/// Removes an API scope, and takes it from every client of the
/// application: `None` when the application has no scope by that name,
/// else the clients that lost it (their caches must forget them).
pub async fn remove_scope(
    store: &Store,
    manager: Manager<'_>,
    id: &str,
    name: &str,
) -> Result<Option<Vec<ClientId>>, ManageError> {
    let application = application(store, manager, id, Permission::ApplicationsManage).await?;
    // One transaction: the scope and every client's use of it go together
    // or not at all.
    let mut tx = store.pool().begin().await.map_err(StoreError::from)?;
    let removed = sqlx::query("DELETE FROM application_scopes WHERE application_id = $1 AND name = $2")
        .bind(application.id.as_str())
        .bind(name)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    if removed.rows_affected() == 0 {
        tx.rollback().await.map_err(StoreError::from)?;
        return Ok(None);
    }
    // The application's clients' rows first (PostgreSQL: locked until the
    // end; SQLite: the write lock is held), so that only this transaction
    // rewrites their scopes now; only that column is written.
    sqlx::query("UPDATE clients SET updated_at = updated_at WHERE application_id = $1")
        .bind(application.id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, allowed_scopes FROM clients WHERE application_id = $1 ORDER BY id")
            .bind(application.id.as_str())
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::from)?;
    let mut changed = Vec::new();
    for (client, scopes) in rows {
        let mut scopes: Vec<String> = serde_json::from_str(&scopes)
            .map_err(|error| StoreError::Database(sqlx::Error::Decode(Box::new(error))))?;
        if !scopes.iter().any(|s| s == name) {
            continue;
        }
        scopes.retain(|s| s != name);
        let scopes =
            serde_json::to_string(&scopes).map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))?;
        sqlx::query("UPDATE clients SET allowed_scopes = $1 WHERE id = $2")
            .bind(scopes)
            .bind(&client)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        changed.extend(ClientId::parse(&client));
    }
    if !changed.is_empty() {
        crate::clients::clients_changed(&mut tx).await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Some(changed))
}

/// The scopes a client of `application` may be allowed.
async fn allowed_scope_names(store: &Store, application: &Application) -> Result<Vec<String>, StoreError> {
    let defined = list_scopes(store, application).await?.into_iter().map(|s| s.name);
    Ok(grantable_scopes(application, defined))
}

/// The scopes a client of `application` may be allowed, in the order forms
/// list them: its own API scopes (`defined`), the people's, its
/// `{short_key}_admin` and its tenant's `{tenant_id}_admin`.
pub fn grantable_scopes(application: &Application, defined: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut names: Vec<String> = defined.into_iter().collect();
    names.extend(PERSON_SCOPES.iter().map(|s| (*s).to_string()));
    names.push(format!("{}_admin", application.short_key.as_str()));
    names.push(tenant_admin_scope(application));
    names
}

/// A client's registration and the secret to show once (confidential
/// clients, at creation and rotation).
#[derive(Debug)]
pub struct Registered {
    pub client: Client,
    pub secret: Option<ClientSecret>,
}

/// Validates a registration for `application`: the kind's rules, the
/// scopes it may be allowed, and the service account it acts as.
async fn validated(
    store: &Store,
    manager: Manager<'_>,
    application: &Application,
    spec: ClientSpec,
    id: ClientId,
    service_account: Option<&str>,
    now: UnixTime,
) -> Result<Client, ManageError> {
    let allowed = allowed_scope_names(store, application).await?;
    let mut errors = FieldErrors::new();
    let tenant_admin = tenant_admin_scope(application);
    if spec.allowed_scopes.contains(&tenant_admin) && !manages_members(store, manager, application).await? {
        errors.add(
            "allowed_scopes",
            msg!(
                "{tenant_admin}: only the tenant's Admins may give this scope",
                "{tenant_admin}: nur die Admins des Mandanten dürfen diesen Scope vergeben"
            ),
        );
    }
    for scope in &spec.allowed_scopes {
        if !allowed.contains(scope) {
            errors.add(
                "allowed_scopes",
                msg!(
                    "{scope}: not a scope of this application (define it first) nor a standard one",
                    "{scope}: weder ein Scope dieser Anwendung (legen Sie ihn zuerst an) noch ein Standard-Scope"
                ),
            );
        }
    }
    let account = match service_account.map(str::trim).filter(|e| !e.is_empty()) {
        None => None,
        Some(email) => {
            let found = match crate::users::Email::parse(email) {
                Ok(email) => crate::users::find_user_by_email(store, &email).await?,
                Err(_) => None,
            };
            // Only a member of the application's tenant: a client acts as no
            // one else (and the answer says nothing of other addresses).
            let member = match &found {
                Some(user) => crate::organizations::roles_at(store, &user.id, &application.tenant_id).await?.is_some(),
                None => false,
            };
            if !member {
                errors.add(
                    "service_account",
                    msg!(
                        "no member of this tenant has this address",
                        "kein Mitglied dieses Mandanten hat diese Adresse"
                    ),
                );
            }
            found.filter(|_| member).map(|user| user.id)
        }
    };
    let client = spec.validate(id, application.id.clone(), account, now);
    match client {
        Ok(client) if errors.is_empty() => Ok(client),
        Ok(_) => Err(ManageError::Invalid(errors)),
        Err(more) => {
            errors.extend(more);
            Err(ManageError::Invalid(errors))
        }
    }
}

/// Registers a client of the application; confidential clients get a
/// secret (≥ 256 bits), returned once and stored as a hash.
pub async fn create_client(
    store: &Store,
    manager: Manager<'_>,
    application_id: &str,
    spec: ClientSpec,
    service_account: Option<&str>,
    now: UnixTime,
) -> Result<Registered, ManageError> {
    let application = application(store, manager, application_id, Permission::ClientsManage).await?;
    let client = validated(store, manager, &application, spec, ClientId::generate(), service_account, now).await?;
    check_acting_as(store, manager, &application, &client, None).await?;
    Ok(store_new_client(store, client, now).await?)
}

/// A client's tokens speak for its service account: only who may let it
/// act as that person may name them (unless the account stays as it was).
async fn check_acting_as(
    store: &Store,
    manager: Manager<'_>,
    application: &Application,
    client: &Client,
    current: Option<&Client>,
) -> Result<(), ManageError> {
    let Some(account) = &client.service_account else { return Ok(()) };
    if current.is_some_and(|current| current.service_account.as_ref() == Some(account))
        || may_act_as(store, manager, application, account).await?
    {
        return Ok(());
    }
    Err(invalid(
        "service_account",
        msg!(
            "only the tenant's Admins may let a client act as another member; you may name yourself",
            "nur die Admins des Mandanten dürfen einen Client als anderes Mitglied handeln lassen; \
             sich selbst dürfen Sie angeben"
        ),
    ))
}

/// Checks a new client of the application (`clients.manage`) without
/// storing it: dynamic registration checks before it spends a token.
pub async fn check_registration(
    store: &Store,
    manager: Manager<'_>,
    application_id: &str,
    spec: ClientSpec,
    id: ClientId,
    now: UnixTime,
) -> Result<Client, ManageError> {
    let application = application(store, manager, application_id, Permission::ClientsManage).await?;
    validated(store, manager, &application, spec, id, None, now).await
}

/// Stores a checked new client and, when it is confidential, its first
/// secret (returned once), in one transaction: never a confidential client
/// without a secret.
pub async fn store_new_client(store: &Store, client: Client, now: UnixTime) -> Result<Registered, StoreError> {
    let mut tx = store.pool().begin().await?;
    crate::clients::upsert_client_in(&mut tx, &client).await?;
    let secret = if client.uses_secret() {
        let secret = ClientSecret::generate();
        crate::clients::add_client_secret_in(&mut tx, &client.id, &secret.hash(), now, None).await?;
        Some(secret)
    } else {
        None
    };
    tx.commit().await?;
    Ok(Registered { client, secret })
}

/// The client with its application, if the manager may manage it.
pub async fn client(store: &Store, manager: Manager<'_>, id: &str) -> Result<(Application, Client), ManageError> {
    let Some(client) = crate::clients::find_client(store, id).await? else {
        return Err(AccessError::NotFound.into());
    };
    let application = application(store, manager, client.application_id.as_str(), Permission::ClientsManage).await?;
    Ok((application, client))
}

/// The application's clients, by name.
pub async fn list_clients(
    store: &Store,
    manager: Manager<'_>,
    application_id: &str,
) -> Result<Vec<Client>, ManageError> {
    let application = application(store, manager, application_id, Permission::ClientsManage).await?;
    Ok(clients_of(store, &application).await?)
}

/// The application's clients, by name, for a caller that checked the
/// manager's right to see them.
pub async fn clients_of(store: &Store, application: &Application) -> Result<Vec<Client>, StoreError> {
    let ids: Vec<(String,)> = sqlx::query_as("SELECT id FROM clients WHERE application_id = $1 ORDER BY name, id")
        .bind(application.id.as_str())
        .fetch_all(store.reads())
        .await?;
    let mut clients = Vec::with_capacity(ids.len());
    for (id,) in ids {
        if let Some(client) = crate::clients::find_client(store, &id).await? {
            clients.push(client);
        }
    }
    Ok(clients)
}

/// Replaces a client's registration (its id, application, secrets and
/// creation time stay). A client cannot change between public and
/// confidential: register a new one.
pub async fn update_client(
    store: &Store,
    manager: Manager<'_>,
    id: &str,
    spec: ClientSpec,
    service_account: Option<&str>,
    now: UnixTime,
) -> Result<Client, ManageError> {
    let (application, current) = client(store, manager, id).await?;
    let mut client = validated(store, manager, &application, spec, current.id.clone(), service_account, now).await?;
    check_acting_as(store, manager, &application, &client, Some(&current)).await?;
    // New credentials (another way to authenticate, other keys) are as good
    // as a new secret: only for who may hold one of this client.
    if (client.auth_method != current.auth_method || client.jwks != current.jwks)
        && !may_hold_secret(store, manager, &application, &current).await?
    {
        return Err(ManageError::SecretWithheld { field: "token_endpoint_auth_method" });
    }
    if client.is_confidential() != current.is_confidential() {
        return Err(invalid(
            "token_endpoint_auth_method",
            "a client cannot switch between public and confidential: register a new one",
        ));
    }
    // A pairwise client's sector is fixed: moving it would change every
    // person's `sub`, or hand it another sector's subjects.
    if current.subject_type == crate::clients::SubjectType::Pairwise && client.sector() != current.sector() {
        let (sector, now_sector) = (current.sector().unwrap_or_default(), client.sector().unwrap_or("none"));
        return Err(invalid(
            "sector_identifier_uri",
            msg!(
                "the sector stays {sector} (not {now_sector}): changing it would change every person's sub; register a new client",
                "der Sektor bleibt {sector} (nicht {now_sector}): eine Änderung würde das sub jeder Person ändern; registrieren Sie einen neuen Client"
            ),
        ));
    }
    client.created_at = current.created_at;
    if !crate::clients::replace_client(store, &client).await? {
        // Deleted meanwhile: it stays deleted.
        return Err(AccessError::NotFound.into());
    }
    Ok(client)
}

/// Inside a transaction: the client's tokens are refused from now on and
/// its registration, secrets, grants and consents are gone.
async fn delete_client_in(tx: &mut crate::store::Transaction, id: &str, now: UnixTime) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO revoked_clients (client_id, revoked_at, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (client_id) DO UPDATE SET revoked_at = excluded.revoked_at, expires_at = excluded.expires_at",
    )
    .bind(id)
    .bind(now.0)
    .bind(now.plus_seconds(crate::clients::MAX_ACCESS_TOKEN_TTL + 3_600).0)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM clients WHERE id = $1").bind(id).execute(&mut **tx).await?;
    crate::clients::clients_changed(tx).await
}

/// `{tenant_id}_admin`: the scope that makes a client an Admin of the
/// application's tenant.
fn tenant_admin_scope(application: &Application) -> String {
    format!("{}_admin", application.tenant_id.as_str())
}

/// Whether `manager` may manage the tenant's members. The tenant's
/// management scope makes a client an Admin of the tenant, so only they may
/// hand it out, or hold the secret of a client that has it.
async fn manages_members(store: &Store, manager: Manager<'_>, application: &Application) -> Result<bool, StoreError> {
    match manager {
        Manager::Actor(actor) => {
            match access::require(store, actor, &application.tenant_id, Permission::MembersManage).await {
                Ok(_) => Ok(true),
                Err(AccessError::Store(error)) => Err(error),
                Err(_) => Ok(false),
            }
        }
        Manager::AppAdmin(_) | Manager::Registrar(_) => Ok(false),
    }
}

/// Whether `manager` may let a client act as `account` (its tokens carry
/// that person as `sub`): the person themselves, or the tenant's Admins.
async fn may_act_as(
    store: &Store,
    manager: Manager<'_>,
    application: &Application,
    account: &UserId,
) -> Result<bool, StoreError> {
    if matches!(manager, Manager::Actor(Actor::Person(me)) if me == account) {
        return Ok(true);
    }
    manages_members(store, manager, application).await
}

/// Whether `manager` may hold a new secret of `client`, that is, get what
/// the client gets: its tenant management scope, the person it acts as.
async fn may_hold_secret(
    store: &Store,
    manager: Manager<'_>,
    application: &Application,
    client: &Client,
) -> Result<bool, StoreError> {
    if client.allowed_scopes.contains(&tenant_admin_scope(application))
        && !manages_members(store, manager, application).await?
    {
        return Ok(false);
    }
    match &client.service_account {
        Some(account) => may_act_as(store, manager, application, account).await,
        None => Ok(true),
    }
}

/// Deletes the client: every token it holds stops working at once.
pub async fn delete_client(store: &Store, manager: Manager<'_>, id: &str, now: UnixTime) -> Result<(), ManageError> {
    let (_, client) = client(store, manager, id).await?;
    let mut tx = store.pool().begin().await.map_err(StoreError::from)?;
    delete_client_in(&mut tx, client.id.as_str(), now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// A new secret for a confidential client; the old ones keep working for
/// `grace_seconds` (0: they stop now), at most a week.
pub async fn rotate_secret(
    store: &Store,
    manager: Manager<'_>,
    id: &str,
    grace_seconds: i64,
    now: UnixTime,
) -> Result<ClientSecret, ManageError> {
    if !(0..=MAX_SECRET_GRACE_SECONDS).contains(&grace_seconds) {
        return Err(invalid(
            "grace_seconds",
            msg!(
                "between 0 and {MAX_SECRET_GRACE_SECONDS} seconds",
                "zwischen 0 und {MAX_SECRET_GRACE_SECONDS} Sekunden"
            ),
        ));
    }
    let (application, client) = client(store, manager, id).await?;
    if !client.uses_secret() {
        return Err(ManageError::NoSecret);
    }
    // The new secret gives what the client has: only to who may give that.
    if !may_hold_secret(store, manager, &application, &client).await? {
        return Err(ManageError::SecretWithheld { field: "grace_seconds" });
    }
    let ends = now.plus_seconds(grace_seconds);
    let secret = ClientSecret::generate();
    let mut tx = store.pool().begin().await.map_err(StoreError::from)?;
    sqlx::query(
        "UPDATE client_secrets SET expires_at = $1 WHERE client_id = $2 AND (expires_at IS NULL OR expires_at > $1)",
    )
    .bind(ends.0)
    .bind(client.id.as_str())
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    sqlx::query(
        "INSERT INTO client_secrets (id, client_id, secret_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, NULL)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(client.id.as_str())
    .bind(secret.hash().as_str())
    .bind(now.0)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    crate::clients::clients_changed(&mut tx).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(secret)
}

/// The application's permissions, by name.
pub async fn list_permissions(store: &Store, application: &Application) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT name FROM application_permissions WHERE application_id = $1 ORDER BY name")
            .bind(application.id.as_str())
            .fetch_all(store.reads())
            .await?;
    Ok(rows.into_iter().map(|(name,)| name).collect())
}

/// The application's roles and the permissions each bundles.
pub async fn list_roles(
    store: &Store,
    application: &Application,
) -> Result<std::collections::BTreeMap<String, Vec<String>>, StoreError> {
    let roles = access::app_role_permissions(store, &application.id).await?;
    Ok(roles
        .0
        .into_iter()
        .map(|(role, mut permissions)| {
            permissions.sort();
            (role, permissions)
        })
        .collect())
}

/// Defines a permission (`{short_key}_…`; again: no change).
pub async fn define_permission(
    store: &Store,
    manager: Manager<'_>,
    id: &str,
    name: &str,
    now: UnixTime,
) -> Result<(), ManageError> {
    let application = application(store, manager, id, Permission::ApplicationsManage).await?;
    let name = name.trim();
    if !application.short_key.prefixes(name) || !crate::clients::scope_token_is_valid(name) || too_long(name) {
        let key = application.short_key.as_str();
        return Err(invalid(
            "name",
            msg!(
                "a permission of this application is named {key}_… (at most {MAX_NAME_CHARS} characters)",
                "eine Berechtigung dieser Anwendung heißt {key}_… (höchstens {MAX_NAME_CHARS} Zeichen)"
            ),
        ));
    }
    crate::organizations::define_app_permission(store, &application, name, now).await?;
    Ok(())
}

/// Defines a role as a bundle of the application's permissions (again:
/// the bundle is replaced).
pub async fn define_role(
    store: &Store,
    manager: Manager<'_>,
    id: &str,
    name: &str,
    permissions: &[String],
    now: UnixTime,
) -> Result<(), ManageError> {
    let application = application(store, manager, id, Permission::ApplicationsManage).await?;
    let key = application.short_key.as_str();
    let name = name.trim();
    if !application.short_key.prefixes(name) || crate::organizations::Role::parse(name).is_none() || too_long(name) {
        return Err(invalid(
            "name",
            msg!(
                "a role of this application is named {key}_… (letters, digits, _ . -; at most {MAX_NAME_CHARS} characters)",
                "eine Rolle dieser Anwendung heißt {key}_… (Buchstaben, Ziffern, _ . -; höchstens {MAX_NAME_CHARS} Zeichen)"
            ),
        ));
    }
    let defined = list_permissions(store, &application).await?;
    let unknown: Vec<&String> = permissions.iter().filter(|p| !defined.contains(p)).collect();
    if !unknown.is_empty() {
        let list = unknown.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ");
        return Err(invalid(
            "permissions",
            msg!("not permissions of this application: {list}", "keine Berechtigungen dieser Anwendung: {list}"),
        ));
    }
    match crate::organizations::define_app_role(store, &application, name, permissions, now).await {
        Ok(()) => Ok(()),
        Err(StoreError::Conflict(_)) => Err(ManageError::NameTaken(name.to_string())),
        Err(error) => Err(error.into()),
    }
}
