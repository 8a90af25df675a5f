//! The organisation claims (the scopes of ../shared/PRODUCT.md), computed
//! when tokens are issued so that a change (a new role, an archived
//! department) shows in the next token:
//!
//! | scope              | access token         | ID token and UserInfo                                  |
//! |--------------------|----------------------|--------------------------------------------------------|
//! | `tenant_ids`       | `tenant_ids`         | `tenant_ids`, `root_tenant_ids`, `default_tenant_id`   |
//! | `tenants`          | —                    | `tenants` (the reachable hierarchy, with names)        |
//! | `permissions_core` | —                    | `permissions_core` (`{tenant_id: [permission]}`)       |
//! | `permissions_app`  | `permissions_app`    | `permissions_app` (the client's application's)         |
//! | `licenses`         | `licenses`           | `licenses` (of the client's application)               |
//!
//! Every rule behind them lives in `sanus_core::organizations`.

use sanus_core::UnixTime;
use sanus_core::clients::Client;
use sanus_core::organizations::access::{app_role_permissions, licenses_claim, reach};
use sanus_core::users::UserId;
use serde_json::{Map, Value, json};

use crate::state::AppState;

pub const TENANT_IDS: &str = "tenant_ids";
pub const TENANTS: &str = "tenants";
pub const PERMISSIONS_CORE: &str = "permissions_core";
pub const PERMISSIONS_APP: &str = "permissions_app";
pub const LICENSES: &str = "licenses";

/// The organisation scopes, in the order discovery lists them.
pub const SCOPES: [&str; 5] = [TENANT_IDS, TENANTS, PERMISSIONS_CORE, PERMISSIONS_APP, LICENSES];

/// The claims names discovery lists.
pub const CLAIMS: [&str; 8] = [
    "tenant_id",
    "tenant_ids",
    "root_tenant_ids",
    "default_tenant_id",
    "tenants",
    "permissions_core",
    "permissions_app",
    "licenses",
];

/// The organisation claims of one grant, for each token.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct TenantClaims {
    pub access_token: Map<String, Value>,
    pub id_token: Map<String, Value>,
}

/// Adds `tenant_id` to both tokens: the active tenant chosen for the grant,
/// while the person can still access it.
pub async fn active_tenant(
    state: &AppState,
    user: &UserId,
    tenant: Option<&str>,
    claims: &mut TenantClaims,
) -> Result<(), sanus_core::StoreError> {
    let Some(tenant) = tenant else { return Ok(()) };
    let id = sanus_core::tenants::TenantId::from_stored(tenant.to_string());
    if sanus_core::organizations::roles_at(&state.store, user, &id).await?.is_some() {
        claims.access_token.insert("tenant_id".into(), json!(tenant));
        claims.id_token.insert("tenant_id".into(), json!(tenant));
    }
    Ok(())
}

/// Computes the claims the granted scopes ask for; nothing (and no query)
/// when none of them was granted.
pub async fn tenant_claims(
    state: &AppState,
    client: &Client,
    user: &UserId,
    scopes: &[String],
    now: UnixTime,
) -> Result<TenantClaims, sanus_core::StoreError> {
    let has = |scope: &str| scopes.iter().any(|s| s == scope);
    let mut claims = TenantClaims::default();
    if !SCOPES.iter().any(|scope| has(scope)) {
        return Ok(claims);
    }
    let reach = reach(&state.store, user).await?;
    let both = |claims: &mut TenantClaims, name: &str, value: Value| {
        claims.access_token.insert(name.into(), value.clone());
        claims.id_token.insert(name.into(), value);
    };
    if has(TENANT_IDS) {
        both(&mut claims, "tenant_ids", json!(reach.tenant_ids()));
        claims.id_token.insert("root_tenant_ids".into(), json!(reach.root_tenant_ids()));
        if let Some(default) = &reach.default_tenant_id {
            claims.id_token.insert("default_tenant_id".into(), json!(default.as_str()));
        }
    }
    if has(TENANTS) {
        claims.id_token.insert("tenants".into(), reach.hierarchy());
    }
    if has(PERMISSIONS_CORE) {
        claims.id_token.insert("permissions_core".into(), reach.core_permissions());
    }
    if has(PERMISSIONS_APP) {
        let roles = app_role_permissions(&state.store, &client.application_id).await?;
        both(&mut claims, "permissions_app", reach.app_permissions(&roles));
    }
    if has(LICENSES) {
        let licenses = licenses_claim(&state.store, user, &reach, &client.application_id, now).await?;
        both(&mut claims, "licenses", licenses);
    }
    Ok(claims)
}
