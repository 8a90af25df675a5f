//! `sanus export`: what the directory holds, in the import format
//! (`docs/import.md`), so that it can be kept under version control,
//! reviewed, and imported again. Secrets and passwords are never exported:
//! importing into the same database keeps them; a new database needs a
//! `secret` for each confidential client and a password (or a reset) for
//! each person. Archived tenants are left out.

use std::collections::BTreeMap;

use crate::applications::manage::{list_permissions, list_roles};
use crate::applications::{ApplicationId, get_application};
use crate::clients::{ClientSpec, find_client};
use crate::import::{
    AppRoleEntry, ApplicationEntry, ClientEntry, ImportFile, LicenseEntry, MembershipEntry, TenantEntry, UserEntry,
};
use crate::store::{Store, StoreError};
use crate::tenants::TenantKind;
use crate::users::{UserId, get_user};

/// Everything exportable, parents before children.
pub async fn export(store: &Store) -> Result<ImportFile, StoreError> {
    Ok(ImportFile {
        tenants: tenants(store).await?,
        users: users(store).await?,
        applications: applications(store).await?,
        clients: clients(store).await?,
        memberships: memberships(store).await?,
        licenses: licenses(store).await?,
    })
}

/// The file as TOML (`toml`) or JSON (`json`).
pub fn render(file: &ImportFile, format: &str) -> Result<String, String> {
    match format {
        "json" => serde_json::to_string_pretty(file).map_err(|e| e.to_string()),
        _ => toml::to_string(file).map_err(|e| e.to_string()),
    }
}

async fn tenants(store: &Store) -> Result<Vec<TenantEntry>, StoreError> {
    let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, name, kind, parent_id FROM tenants WHERE archived_at IS NULL ORDER BY created_at, id",
    )
    .fetch_all(store.reads())
    .await?;
    // Parents first: repeatedly take those whose parent is already out.
    let mut left = rows;
    let mut out: Vec<TenantEntry> = Vec::new();
    while !left.is_empty() {
        let before = left.len();
        let (ready, rest): (Vec<_>, Vec<_>) = left
            .into_iter()
            .partition(|(_, _, _, parent)| parent.as_ref().is_none_or(|p| out.iter().any(|t| &t.id == p)));
        out.extend(ready.into_iter().map(|(id, name, kind, parent)| TenantEntry {
            id,
            name,
            kind: TenantKind::parse(&kind).unwrap_or(TenantKind::Organization),
            parent,
        }));
        left = rest;
        if left.len() == before {
            // Below an archived tenant: not exported, like their parent.
            break;
        }
    }
    Ok(out)
}

async fn users(store: &Store) -> Result<Vec<UserEntry>, StoreError> {
    let ids: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM users ORDER BY email_normalized").fetch_all(store.reads()).await?;
    let mut users = Vec::with_capacity(ids.len());
    for (id,) in ids {
        let user = get_user(store, &UserId::from_stored(id)).await?;
        users.push(UserEntry {
            email: user.email,
            given_name: user.given_name,
            family_name: user.family_name,
            locale: user.locale,
            email_verified: user.email_verified,
            password: None,
        });
    }
    Ok(users)
}

async fn applications(store: &Store) -> Result<Vec<ApplicationEntry>, StoreError> {
    let ids: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM applications ORDER BY short_key").fetch_all(store.reads()).await?;
    let mut applications = Vec::with_capacity(ids.len());
    for (id,) in ids {
        let application = get_application(store, &ApplicationId::from_stored(id)).await?;
        let permissions = list_permissions(store, &application).await?;
        let roles = list_roles(store, &application).await?;
        applications.push(ApplicationEntry {
            tenant: application.tenant_id.to_string(),
            short_key: application.short_key.as_str().to_string(),
            name: application.name,
            description: application.description,
            permissions,
            roles: roles.into_iter().map(|(name, permissions)| AppRoleEntry { name, permissions }).collect(),
        });
    }
    Ok(applications)
}

async fn clients(store: &Store) -> Result<Vec<ClientEntry>, StoreError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.id, a.short_key FROM clients c JOIN applications a ON a.id = c.application_id ORDER BY a.short_key, c.id",
    )
    .fetch_all(store.reads())
    .await?;
    let mut clients = Vec::with_capacity(rows.len());
    for (id, short_key) in rows {
        let Some(client) = find_client(store, &id).await? else { continue };
        let service_account = match &client.service_account {
            Some(user) => Some(get_user(store, user).await?.email),
            None => None,
        };
        clients.push(ClientEntry {
            application: short_key,
            client_id: client.id.to_string(),
            secret: None,
            service_account,
            spec: ClientSpec::from(&client),
        });
    }
    Ok(clients)
}

async fn memberships(store: &Store) -> Result<Vec<MembershipEntry>, StoreError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT r.tenant_id, u.email, r.role FROM member_roles r JOIN users u ON u.id = r.user_id \
         JOIN tenants t ON t.id = r.tenant_id WHERE t.archived_at IS NULL ORDER BY r.tenant_id, u.email, r.role",
    )
    .fetch_all(store.reads())
    .await?;
    let mut grouped: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (tenant, email, role) in rows {
        grouped.entry((tenant, email)).or_default().push(role);
    }
    Ok(grouped.into_iter().map(|((tenant, user), roles)| MembershipEntry { tenant, user, roles }).collect())
}

/// id, tenant, application's short key, plan, seats, valid from, valid until.
type LicenseRow = (String, String, String, String, i64, i64, Option<i64>);

async fn licenses(store: &Store) -> Result<Vec<LicenseEntry>, StoreError> {
    let rows: Vec<LicenseRow> = sqlx::query_as(
        "SELECT l.id, l.tenant_id, a.short_key, l.plan, l.seats, l.valid_from, l.valid_until FROM licenses l \
         JOIN applications a ON a.id = l.application_id JOIN tenants t ON t.id = l.tenant_id \
         WHERE t.archived_at IS NULL ORDER BY l.id",
    )
    .fetch_all(store.reads())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, tenant, application, plan, seats, valid_from, valid_until)| LicenseEntry {
            id,
            tenant,
            application,
            plan,
            seats,
            valid_from: Some(valid_from),
            valid_until,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::UnixTime;
    use crate::import::{apply, parse};

    const DIRECTORY: &str = r#"
[[tenants]]
id = "klinik"
name = "Klinik"
kind = "organization"

[[tenants]]
id = "klinik-ward"
name = "Ward"
kind = "organization"
parent = "klinik"

[[tenants]]
id = "dev"
name = "Dev"
kind = "development"

[[users]]
email = "ada@example.org"
given_name = "Ada"
email_verified = true
password = "ada-correct-horse-battery-staple"

[[applications]]
tenant = "dev"
short_key = "ward"
name = "Ward"
permissions = ["ward_beds.assign"]
roles = [{ name = "ward_nurse", permissions = ["ward_beds.assign"] }]

[[clients]]
application = "ward"
client_id = "ward-backend"
kind = "m2m"
name = "Backend"
secret = "0123456789abcdef0123456789abcdef"
allowed_scopes = ["ward_data.read"]

[[clients]]
application = "ward"
client_id = "ward-spa"
kind = "spa"
name = "SPA"
redirect_uris = ["https://ward.example/cb"]

[[memberships]]
tenant = "klinik-ward"
user = "ada@example.org"
roles = ["admin", "ward_nurse"]

[[licenses]]
id = "klinik-ward-2026"
tenant = "klinik"
application = "ward"
plan = "clinic"
seats = 10
"#;

    crate::engine_tests! {
        async fn an_export_imports_again_and_changes_nothing(db: TestDatabase) {
            let store = db.migrated_store().await;
            apply(&store, parse(DIRECTORY, "toml").unwrap(), UnixTime(1_700_000_000)).await.unwrap();
            let exported = export(&store).await.unwrap();
            let order: Vec<&str> = exported.tenants.iter().map(|t| t.id.as_str()).collect();
            assert_eq!(order.len(), 3);
            let at = |id: &str| order.iter().position(|t| *t == id).unwrap();
            assert!(at("klinik") < at("klinik-ward"), "a parent before its departments: {order:?}");
            assert_eq!(exported.clients.len(), 2);
            assert!(exported.clients.iter().all(|c| c.secret.is_none()), "never a secret");
            assert!(exported.users.iter().all(|u| u.password.is_none()), "never a password");
            assert_eq!(exported.memberships[0].roles, ["admin", "ward_nurse"]);
            for format in ["toml", "json"] {
                let text = render(&exported, format).unwrap();
                assert!(!text.contains("0123456789abcdef"), "{format}");
                let again = parse(&text, format).unwrap();
                let report = apply(&store, again, UnixTime(1_700_000_100)).await.unwrap();
                assert_eq!(report.tenants.0 + report.users.0 + report.applications.0 + report.clients.0, 0, "{format}: nothing new");
            }
            let client = find_client(&store, "ward-backend").await.unwrap().unwrap();
            let secret = crate::clients::ClientSecret::from_presented("0123456789abcdef0123456789abcdef");
            assert!(crate::clients::secret_matches(&store, &client.id, &secret.hash(), UnixTime(1_700_000_200)).await.unwrap(), "its secret kept");
        }
    }
}
