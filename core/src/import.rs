//! Declarative, idempotent import of tenants, users, applications and
//! clients (`sanus import FILE`), until the portal and the management API
//! exist, and for reproducible test and demo setups.
//!
//! Everything in the file is parsed and checked before anything is written;
//! then each entry is created or brought up to date, so running the same
//! file twice changes nothing. Client secrets in the file are hashed before
//! they are stored and are never printed.

use serde::{Deserialize, Serialize};

use crate::applications::{
    Application, ApplicationId, ShortKey, find_application_by_short_key, insert_application, update_application,
};
use crate::clients::{ClientId, ClientSecret, ClientSpec, find_client, replace_client_secrets, upsert_client};
use crate::clock::UnixTime;
use crate::organizations::RoleScope::Everywhere;
use crate::store::{Store, StoreError};
use crate::tenants::{NewTenant, TenantId, TenantKind, TenantName, upsert_tenant_with_id};
use crate::users::{
    Email, NewUser, find_user_by_email, find_user_for_sign_in, insert_user, set_password_hash, update_user_profile,
};
use crate::validation::FieldErrors;

/// The import file.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ImportFile {
    #[serde(default)]
    pub tenants: Vec<TenantEntry>,
    #[serde(default)]
    pub users: Vec<UserEntry>,
    #[serde(default)]
    pub applications: Vec<ApplicationEntry>,
    #[serde(default)]
    pub clients: Vec<ClientEntry>,
    #[serde(default)]
    pub memberships: Vec<MembershipEntry>,
    #[serde(default)]
    pub licenses: Vec<LicenseEntry>,
}

/// A person in a tenant with roles (core roles by name, application roles
/// by their prefixed name). The file is the truth for the roles listed:
/// the member holds at least these afterwards.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MembershipEntry {
    pub tenant: String,
    /// The member's e-mail address (in the file or the database).
    pub user: String,
    pub roles: Vec<String>,
}

/// An application licensed to a tenant.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LicenseEntry {
    /// A stable id of your choosing: lowercase letters, digits and `-`.
    pub id: String,
    pub tenant: String,
    /// The application's short key.
    pub application: String,
    pub plan: String,
    pub seats: i64,
    /// Unix seconds; from the import's time when absent.
    #[serde(default)]
    pub valid_from: Option<i64>,
    #[serde(default)]
    pub valid_until: Option<i64>,
}

/// A role an application defines, as the bundle of its permissions.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AppRoleEntry {
    pub name: String,
    #[serde(default)]
    pub permissions: Vec<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TenantEntry {
    /// A stable id of your choosing: lowercase letters, digits and `-`.
    pub id: String,
    pub name: String,
    pub kind: TenantKind,
    /// The parent tenant's id, for a department.
    #[serde(default)]
    pub parent: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UserEntry {
    pub email: String,
    #[serde(default)]
    pub given_name: Option<String>,
    #[serde(default)]
    pub family_name: Option<String>,
    #[serde(default = "default_locale")]
    pub locale: String,
    #[serde(default)]
    pub email_verified: bool,
    /// A password in clear, for demo and test accounts: hashed with argon2id
    /// on import, never stored or printed as given.
    #[serde(default)]
    pub password: Option<String>,
}

fn default_locale() -> String {
    "en".into()
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationEntry {
    /// The owning tenant's id (a development tenant).
    pub tenant: String,
    pub short_key: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Its permissions (`{short_key}_…`).
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Its roles, each a bundle of its permissions.
    #[serde(default)]
    pub roles: Vec<AppRoleEntry>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClientEntry {
    /// The owning application's short key.
    pub application: String,
    pub client_id: String,
    /// The secret in clear; stored as a hash. Confidential clients only.
    #[serde(default)]
    pub secret: Option<String>,
    /// For client-credentials clients: the e-mail of the user it acts as.
    #[serde(default)]
    pub service_account: Option<String>,
    #[serde(flatten)]
    pub spec: ClientSpec,
}

/// What an import did, by kind of entry: (created, updated).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub tenants: (usize, usize),
    pub users: (usize, usize),
    pub applications: (usize, usize),
    pub clients: (usize, usize),
    pub memberships: (usize, usize),
    pub licenses: (usize, usize),
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts = [
            ("tenants", self.tenants),
            ("users", self.users),
            ("applications", self.applications),
            ("clients", self.clients),
            ("memberships", self.memberships),
            ("licenses", self.licenses),
        ];
        let text: Vec<String> = parts
            .iter()
            .map(|(name, (created, updated))| format!("{name}: {created} created, {updated} up to date or updated"))
            .collect();
        f.write_str(&text.join("; "))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file is not valid {format}: {message}")]
    Syntax { format: &'static str, message: String },
    #[error("the file has errors: {0}")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Parses TOML or JSON (by `format`: "toml" or "json").
pub fn parse(text: &str, format: &str) -> Result<ImportFile, ImportError> {
    match format {
        "json" => {
            serde_json::from_str(text).map_err(|e| ImportError::Syntax { format: "JSON", message: e.to_string() })
        }
        _ => toml::from_str(text).map_err(|e| ImportError::Syntax {
            format: "TOML",
            message: e.to_string().lines().collect::<Vec<_>>().join(" "),
        }),
    }
}

fn tenant_id_is_valid(id: &str) -> bool {
    TenantId::parse(id).is_some()
}

/// Checks the whole file, then writes it.
pub async fn apply(store: &Store, file: ImportFile, now: UnixTime) -> Result<ImportReport, ImportError> {
    let mut errors = FieldErrors::new();
    let mut tenants = Vec::new();
    for (i, entry) in file.tenants.iter().enumerate() {
        let field = |name: &str| format!("tenants[{i}].{name}");
        if !tenant_id_is_valid(&entry.id) {
            errors.add(field("id"), "1 to 64 lowercase letters, digits or -");
        }
        match TenantName::parse(&entry.name) {
            Ok(name) => tenants.push((
                TenantId::from_stored(entry.id.clone()),
                NewTenant { parent_id: entry.parent.clone().map(TenantId::from_stored), kind: entry.kind, name },
            )),
            Err(e) => errors.add(field("name"), e.to_string()),
        }
    }
    let mut users = Vec::new();
    for (i, entry) in file.users.iter().enumerate() {
        match Email::parse(&entry.email) {
            Ok(email) => users.push((email, entry)),
            Err(e) => errors.add(format!("users[{i}].email"), e.to_string()),
        }
    }
    let mut applications = Vec::new();
    for (i, entry) in file.applications.iter().enumerate() {
        match ShortKey::parse(&entry.short_key) {
            Ok(key) => {
                let names = entry
                    .permissions
                    .iter()
                    .map(|p| ("permissions", p))
                    .chain(entry.roles.iter().map(|r| ("roles", &r.name)));
                for (list, name) in names {
                    if !key.prefixes(name) || !crate::clients::scope_token_is_valid(name) {
                        errors.add(
                            format!("applications[{i}].{list}"),
                            format!("{name:?} must start with {}_", key.as_str()),
                        );
                    }
                }
                for role in &entry.roles {
                    if let Some(missing) = role.permissions.iter().find(|p| !entry.permissions.contains(p)) {
                        errors.add(
                            format!("applications[{i}].roles"),
                            format!("{missing:?} is not among the permissions"),
                        );
                    }
                }
                applications.push((key, entry));
            }
            Err(e) => errors.add(format!("applications[{i}].short_key"), e.to_string()),
        }
    }
    // Everything memberships and licenses name must exist in the file or the
    // database: the whole file is checked before anything is written.
    let mut known_tenants: Vec<&str> = file.tenants.iter().map(|t| t.id.as_str()).collect();
    for id in file.memberships.iter().map(|m| m.tenant.as_str()).chain(file.licenses.iter().map(|l| l.tenant.as_str()))
    {
        if !known_tenants.contains(&id)
            && crate::tenants::find_tenant(store, &TenantId::from_stored(id.to_string())).await?.is_some()
        {
            known_tenants.push(id);
        }
    }
    for (i, entry) in file.memberships.iter().enumerate() {
        if entry.roles.is_empty() {
            errors.add(format!("memberships[{i}].roles"), "at least one role");
        }
        for role in &entry.roles {
            match crate::organizations::Role::parse(role) {
                None => errors.add(
                    format!("memberships[{i}].roles"),
                    format!("{role:?} is no core role and no application role name"),
                ),
                Some(crate::organizations::Role::App(name)) => {
                    let in_file = file.applications.iter().any(|a| a.roles.iter().any(|r| r.name == name));
                    if !in_file
                        && crate::organizations::resolve_roles(store, Everywhere, std::slice::from_ref(&name))
                            .await
                            .is_err()
                    {
                        errors.add(
                            format!("memberships[{i}].roles"),
                            format!("no application defines the role {name:?}"),
                        );
                    }
                }
                Some(crate::organizations::Role::Core(_)) => {}
            }
        }
        match Email::parse(&entry.user) {
            Err(_) => errors.add(format!("memberships[{i}].user"), "an e-mail address"),
            Ok(email) => {
                let in_file = file.users.iter().any(|u| u.email.trim().eq_ignore_ascii_case(entry.user.trim()));
                if !in_file && find_user_by_email(store, &email).await?.is_none() {
                    errors.add(format!("memberships[{i}].user"), "no user with this e-mail in the file or database");
                }
            }
        }
        if !known_tenants.contains(&entry.tenant.as_str()) {
            errors.add(format!("memberships[{i}].tenant"), format!("no tenant {:?}", entry.tenant));
        }
    }
    for (i, entry) in file.licenses.iter().enumerate() {
        if !known_tenants.contains(&entry.tenant.as_str()) {
            errors.add(format!("licenses[{i}].tenant"), format!("no tenant {:?}", entry.tenant));
        }
        let in_file = file.applications.iter().any(|a| a.short_key == entry.application);
        let in_store = match ShortKey::parse(&entry.application) {
            Ok(key) => find_application_by_short_key(store, &key).await?.is_some(),
            Err(_) => false,
        };
        if !in_file && !in_store {
            errors.add(format!("licenses[{i}].application"), format!("no application {:?}", entry.application));
        }
        if !tenant_id_is_valid(&entry.id) {
            errors.add(format!("licenses[{i}].id"), "1 to 64 lowercase letters, digits or -");
        }
        if entry.seats < 0 {
            errors.add(format!("licenses[{i}].seats"), "0 or more");
        }
        if entry.plan.trim().is_empty() || entry.plan.len() > 100 {
            errors.add(format!("licenses[{i}].plan"), "1 to 100 characters");
        }
    }
    for (i, entry) in file.clients.iter().enumerate() {
        if ClientId::parse(&entry.client_id).is_none() {
            errors.add(format!("clients[{i}].client_id"), "1 to 100 visible ASCII characters");
        }
        let confidential = entry.spec.token_endpoint_auth_method.unwrap_or(entry.spec.kind.default_auth_method());
        let exists = match ClientId::parse(&entry.client_id) {
            Some(id) => find_client(store, id.as_str()).await?.is_some(),
            None => false,
        };
        match (&entry.secret, confidential.uses_secret()) {
            // An existing client keeps its secrets (an export holds none).
            (None, true) if exists => {}
            (None, true) => errors.add(format!("clients[{i}].secret"), "a new confidential client needs a secret"),
            (Some(_), false) => {
                errors.add(format!("clients[{i}].secret"), "this client has no secret (public, or private_key_jwt)")
            }
            (Some(secret), true) if secret.len() < 32 => {
                errors.add(format!("clients[{i}].secret"), "use at least 32 random characters")
            }
            _ => {}
        }
        let in_file = file.applications.iter().any(|a| a.short_key == entry.application);
        let in_store = match ShortKey::parse(&entry.application) {
            Ok(key) => find_application_by_short_key(store, &key).await?.is_some(),
            Err(_) => false,
        };
        if !in_file && !in_store {
            errors.add(format!("clients[{i}].application"), format!("no application {:?}", entry.application));
        }
        if let Some(email) = &entry.service_account {
            let in_file = file.users.iter().any(|u| u.email.trim().eq_ignore_ascii_case(email.trim()));
            let in_store = match Email::parse(email) {
                Ok(email) => find_user_by_email(store, &email).await?.is_some(),
                Err(_) => false,
            };
            if !in_file && !in_store {
                errors.add(format!("clients[{i}].service_account"), "no user with this e-mail in the file or database");
            }
        }
        // The registration rules, with stand-in ids: the real ones come below.
        let placeholder = ClientId::generate();
        let account = entry.service_account.as_ref().map(|_| crate::users::UserId::generate());
        if let Err(found) = entry.spec.clone().validate(placeholder, ApplicationId::generate(), account, now) {
            for name in found.fields() {
                for message in found.get(name) {
                    errors.add(format!("clients[{i}].{name}"), message);
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(ImportError::Invalid(errors));
    }

    let mut report = ImportReport::default();
    for (id, tenant) in tenants {
        count(&mut report.tenants, upsert_tenant_with_id(store, &id, tenant, now).await?);
    }
    for (email, entry) in users {
        let existing = find_user_by_email(store, &email).await?;
        count(&mut report.users, existing.is_none());
        let user_id = match existing {
            Some(user) => user.id,
            None => {
                let new = NewUser {
                    email: email.clone(),
                    given_name: entry.given_name.clone(),
                    family_name: entry.family_name.clone(),
                    locale: entry.locale.clone(),
                };
                insert_user(store, new, now).await?.id
            }
        };
        // The file is the truth for names, language and verification.
        update_user_profile(
            store,
            &user_id,
            entry.given_name.as_deref(),
            entry.family_name.as_deref(),
            &entry.locale,
            entry.email_verified,
            now,
        )
        .await?;
        if let Some(password) = &entry.password {
            // Re-hash only when the password changed: importing twice changes nothing.
            let current = find_user_for_sign_in(store, &email).await?.and_then(|account| account.password_hash);
            if !crate::password::verify_password(password, current.as_deref()) {
                let hash = crate::password::hash_password(password)
                    .map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))?;
                set_password_hash(store, &user_id, Some(&hash), now).await?;
            }
        }
    }
    for (key, entry) in applications {
        let tenant = TenantId::from_stored(entry.tenant.clone());
        match find_application_by_short_key(store, &key).await? {
            Some(Application { id, tenant_id, .. }) if tenant_id == tenant => {
                update_application(store, &id, &entry.name, entry.description.as_deref(), now).await?;
                count(&mut report.applications, false);
            }
            Some(_) => return Err(StoreError::Conflict("applications_tenant".into()).into()),
            None => {
                insert_application(store, &tenant, key.clone(), &entry.name, entry.description.as_deref(), now).await?;
                count(&mut report.applications, true);
            }
        }
        let application = find_application_by_short_key(store, &key).await?.ok_or(StoreError::NotFound)?;
        for permission in &entry.permissions {
            crate::organizations::define_app_permission(store, &application, permission, now).await?;
        }
        for role in &entry.roles {
            crate::organizations::define_app_role(store, &application, &role.name, &role.permissions, now).await?;
        }
    }
    for (i, entry) in file.clients.into_iter().enumerate() {
        let field = |name: &str| format!("clients[{i}].{name}");
        let invalid = |name: &str, message: String| {
            let mut errors = FieldErrors::new();
            errors.add(field(name), message);
            ImportError::Invalid(errors)
        };
        let key = ShortKey::parse(&entry.application).map_err(|e| invalid("application", e.to_string()))?;
        let application = find_application_by_short_key(store, &key)
            .await?
            .ok_or_else(|| invalid("application", format!("no application {key:?}", key = key.as_str())))?;
        let service_account = match &entry.service_account {
            None => None,
            Some(email) => {
                let email = Email::parse(email).map_err(|e| invalid("service_account", e.to_string()))?;
                let user = find_user_by_email(store, &email).await?.ok_or_else(|| {
                    invalid("service_account", "no user with this e-mail in the file or database".into())
                })?;
                Some(user.id)
            }
        };
        let id = ClientId::parse(&entry.client_id).ok_or_else(|| invalid("client_id", "invalid".into()))?;
        let existing = find_client(store, id.as_str()).await?;
        let created_at = existing.as_ref().map_or(now, |c| c.created_at);
        let mut client = entry.spec.validate(id, application.id, service_account, now).map_err(|errors| {
            let mut prefixed = FieldErrors::new();
            for name in errors.fields() {
                for message in errors.get(name) {
                    prefixed.add(field(name), message);
                }
            }
            ImportError::Invalid(prefixed)
        })?;
        client.created_at = created_at;
        upsert_client(store, &client).await?;
        if let Some(secret) = entry.secret {
            replace_client_secrets(store, &client.id, &ClientSecret::from_presented(&secret).hash(), now).await?;
        }
        count(&mut report.clients, existing.is_none());
    }
    for (i, entry) in file.memberships.into_iter().enumerate() {
        let invalid = |name: &str, message: String| {
            let mut errors = FieldErrors::new();
            errors.add(format!("memberships[{i}].{name}"), message);
            ImportError::Invalid(errors)
        };
        let email = Email::parse(&entry.user).map_err(|e| invalid("user", e.to_string()))?;
        let user = find_user_by_email(store, &email)
            .await?
            .ok_or_else(|| invalid("user", "no user with this e-mail in the file or database".into()))?;
        let tenant = TenantId::from_stored(entry.tenant.clone());
        if crate::tenants::find_tenant(store, &tenant).await?.is_none() {
            return Err(invalid("tenant", format!("no tenant {:?}", entry.tenant)));
        }
        // The operator's file may give any application's roles.
        let roles = crate::organizations::resolve_roles(store, Everywhere, &entry.roles)
            .await
            .map_err(|e| invalid("roles", e.to_string()))?;
        let roles: Vec<crate::organizations::Role> = roles.into_iter().map(|(role, _)| role).collect();
        let existed = crate::organizations::is_member(store, &user.id, &tenant).await?;
        crate::organizations::add_member(store, &tenant, &user.id, &roles, now).await?;
        count(&mut report.memberships, !existed);
    }
    for (i, entry) in file.licenses.into_iter().enumerate() {
        let key = ShortKey::parse(&entry.application).ok();
        let application = match &key {
            Some(key) => find_application_by_short_key(store, key).await?,
            None => None,
        };
        let Some(application) = application else {
            let mut errors = FieldErrors::new();
            errors.add(format!("licenses[{i}].application"), format!("no application {:?}", entry.application));
            return Err(ImportError::Invalid(errors));
        };
        let license = crate::organizations::licenses::NewLicense {
            tenant_id: TenantId::from_stored(entry.tenant),
            application_id: application.id,
            plan: entry.plan.trim().to_string(),
            seats: entry.seats,
            valid_from: entry.valid_from.map_or(now, UnixTime),
            valid_until: entry.valid_until.map(UnixTime),
        };
        let created = crate::organizations::licenses::upsert_with_id(store, &entry.id, &license, now).await?;
        count(&mut report.licenses, created);
    }
    Ok(report)
}

fn count(counter: &mut (usize, usize), created: bool) {
    if created {
        counter.0 += 1;
    } else {
        counter.1 += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::{get_client, secret_matches};

    const FILE: &str = r#"
[[tenants]]
id = "acme-dev"
name = "ACME Development"
kind = "development"

[[tenants]]
id = "acme-dev-lab"
name = "Lab"
kind = "development"
parent = "acme-dev"

[[users]]
email = "robot@acme.example"
given_name = "Robot"
email_verified = true
password = "robot-password-for-tests"

[[applications]]
tenant = "acme-dev"
short_key = "tstapp"
name = "Test app"
permissions = ["tstapp_data.read", "tstapp_data.write"]
roles = [{ name = "tstapp_editor", permissions = ["tstapp_data.read", "tstapp_data.write"] }]

[[memberships]]
tenant = "acme-dev"
user = "robot@acme.example"
roles = ["admin", "tstapp_editor"]

[[licenses]]
id = "acme-lab-tstapp"
tenant = "acme-dev-lab"
application = "tstapp"
plan = "team"
seats = 5

[[clients]]
application = "tstapp"
client_id = "tstapp-m2m"
secret = "0123456789abcdef0123456789abcdef"
kind = "m2m"
name = "Test backend"
allowed_scopes = ["tstapp_datamanagement"]
service_account = "robot@acme.example"

[[clients]]
application = "tstapp"
client_id = "tstapp-spa"
kind = "spa"
name = "Test SPA"
redirect_uris = ["https://app.acme.example/callback"]
web_origins = ["https://app.acme.example"]
"#;

    crate::engine_tests! {
        async fn importing_twice_creates_once_and_changes_nothing(db: TestDatabase) {
            let store = db.migrated_store().await;
            let report = apply(&store, parse(FILE, "toml").unwrap(), UnixTime(100)).await.unwrap();
            let expected = ImportReport { tenants: (2, 0), users: (1, 0), applications: (1, 0), clients: (2, 0), memberships: (1, 0), licenses: (1, 0) };
            assert_eq!(report, expected);
            let client = get_client(&store, &ClientId::parse("tstapp-m2m").unwrap()).await.unwrap();
            let again = apply(&store, parse(FILE, "toml").unwrap(), UnixTime(200)).await.unwrap();
            let expected = ImportReport { tenants: (0, 2), users: (0, 1), applications: (0, 1), clients: (0, 2), memberships: (0, 1), licenses: (0, 1) };
            assert_eq!(again, expected);
            let robot_id = find_user_by_email(&store, &Email::parse("robot@acme.example").unwrap()).await.unwrap().unwrap().id;
            let reach = crate::organizations::reach(&store, &robot_id).await.unwrap();
            assert_eq!(reach.tenant_ids().len(), 2, "the membership reaches the department");
            let lab = reach.get(&TenantId::from_stored("acme-dev-lab".into())).unwrap();
            assert!(lab.roles.contains(&crate::organizations::Role::App("tstapp_editor".into())));
            let listed = crate::organizations::licenses::list(&store, &robot_id, &TenantId::from_stored("acme-dev-lab".into())).await.unwrap();
            assert_eq!((listed.len(), listed[0].seats, listed[0].plan.as_str()), (1, 5, "team"));
            let after = get_client(&store, &client.id).await.unwrap();
            assert_eq!(after.created_at, UnixTime(100));
            let secret = ClientSecret::from_presented("0123456789abcdef0123456789abcdef");
            assert!(secret_matches(&store, &client.id, &secret.hash(), UnixTime(300)).await.unwrap());
            assert!(after.service_account.is_some());
            let robot = Email::parse("robot@acme.example").unwrap();
            let hash = find_user_for_sign_in(&store, &robot).await.unwrap().unwrap().password_hash;
            let hash = hash.unwrap();
            assert!(hash.starts_with("$argon2id$") && !hash.contains("robot-password"));
            assert!(crate::password::verify_password("robot-password-for-tests", Some(&hash)));
            let stored: Vec<(String,)> = sqlx::query_as("SELECT secret_hash FROM client_secrets").fetch_all(store.pool()).await.unwrap();
            assert!(stored.iter().all(|(h,)| !h.contains("0123456789abcdef0123")), "stored hashed");
        }

        async fn memberships_and_licenses_naming_nothing_write_nothing(db: TestDatabase) {
            let store = db.migrated_store().await;
            let broken = format!("{FILE}\n[[memberships]]\ntenant = \"nowhere\"\nuser = \"ghost@acme.example\"\nroles = [\"tstapp_ghost\"]\n\n[[licenses]]\nid = \"l2\"\ntenant = \"nowhere\"\napplication = \"ghostapp\"\nplan = \"x\"\nseats = 1\n");
            let error = apply(&store, parse(&broken, "toml").unwrap(), UnixTime(1)).await.unwrap_err().to_string();
            for field in ["memberships[1].tenant", "memberships[1].user", "memberships[1].roles", "licenses[1].tenant", "licenses[1].application"] {
                assert!(error.contains(field), "{field} in {error}");
            }
            assert!(crate::tenants::find_tenant(&store, &TenantId::from_stored("acme-dev".into())).await.unwrap().is_none(), "nothing written");
        }

        async fn an_invalid_file_writes_nothing(db: TestDatabase) {
            let store = db.migrated_store().await;
            let broken = FILE.replace("short_key = \"tstapp\"", "short_key = \"Tst-App\"")
                .replace("secret = \"0123456789abcdef0123456789abcdef\"", "secret = \"short\"")
                .replace("https://app.acme.example/callback", "http://app.acme.example/callback");
            let error = apply(&store, parse(&broken, "toml").unwrap(), UnixTime(1)).await.unwrap_err();
            let ImportError::Invalid(errors) = error else { panic!("{error}") };
            assert!(!errors.get("applications[0].short_key").is_empty());
            assert!(!errors.get("clients[0].secret").is_empty());
            assert!(!errors.get("clients[0].application").is_empty(), "{errors}");
            assert!(errors.get("clients[1].redirect_uris").iter().any(|m| m.contains("use https")), "{errors}");
            let tenants: Vec<(String,)> = sqlx::query_as("SELECT id FROM tenants").fetch_all(store.pool()).await.unwrap();
            assert!(tenants.is_empty());
        }
    }

    #[test]
    fn json_works_too_and_syntax_errors_are_one_line() {
        let file = parse(r#"{"tenants": [{"id": "t", "name": "T", "kind": "organization"}]}"#, "json").unwrap();
        assert_eq!(file.tenants.len(), 1);
        let error = parse("[[tenants]\nid=", "toml").unwrap_err().to_string();
        assert!(!error.contains('\n'), "{error}");
        let typo = "[[clients]]\napplication = \"a\"\nclient_id = \"c\"\nkind = \"spa\"\nname = \"n\"\nredirect_uri = [\"https://x\"]\n";
        let error = parse(typo, "toml").unwrap_err().to_string();
        assert!(error.contains("unknown field `redirect_uri`"), "{error}");
    }
}
