//! What the operators' console shows (`/admin/...`), as the server loaded it.

use serde::{Deserialize, Serialize};

/// `/admin/users`: the search and what it found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUsersView {
    pub query: String,
    pub users: Vec<AdminUserRow>,
    /// Whether there may be more than were shown.
    pub more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUserRow {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    pub email_verified: bool,
    pub created_at: i64,
    pub locked: bool,
}

/// `/admin/users/{id}`: one account, and what may be done to it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUserView {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    pub email_verified: bool,
    pub locale: String,
    pub created_at: i64,
    pub has_password: bool,
    pub lock: Option<AdminLockView>,
    pub totp: bool,
    pub recovery_codes_left: i64,
    pub passkeys: usize,
    pub sessions: Vec<AdminSessionRow>,
    pub memberships: Vec<AdminMembershipRow>,
    pub platform_roles: Vec<String>,
    /// The operator is looking at their own account (it cannot be locked).
    pub own: bool,
    /// What was just done (`locked`, `unlocked`, `sessions_ended`, `reset_sent`).
    pub notice: Option<String>,
    /// A refused lock: the reason as typed, and what is wrong with it.
    pub reason: String,
    pub reason_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminLockView {
    pub locked_at: i64,
    pub locked_by: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminSessionRow {
    pub device: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub amr: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminMembershipRow {
    pub tenant_id: String,
    pub tenant_name: String,
    pub roles: Vec<String>,
}

/// `/admin/tenants`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminTenantsView {
    pub query: String,
    pub tenants: Vec<AdminTenantRow>,
    pub more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminTenantRow {
    pub id: String,
    pub name: String,
    /// `organization` or `development`.
    pub kind: String,
    /// The organisation a department belongs to.
    pub organisation: Option<String>,
    pub archived: bool,
    pub members: i64,
    pub applications: i64,
    pub created_at: i64,
}

/// `/admin/keys`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminKeysView {
    pub keys: Vec<AdminKeyRow>,
    /// Seconds a new key is published before it signs.
    pub publish_ahead_seconds: i64,
    /// `rotated` after the rotate button.
    pub notice: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminKeyRow {
    pub kid: String,
    pub alg: String,
    pub created_at: i64,
    /// `signs`, `hands_over` (signs until `until`), `announced` (signs from
    /// `until`), `published` (until `until`), `retired`.
    pub state: String,
    pub until: Option<i64>,
}

/// `/admin/audit`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminAuditView {
    pub kind: String,
    pub user: String,
    pub client: String,
    pub tenant: String,
    pub address: String,
    /// `kind` names no kind or family; `user` names no account.
    pub errors: Vec<(String, String)>,
    pub families: Vec<String>,
    pub events: Vec<AdminEventRow>,
    /// The query string of the next (older) page.
    pub next: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminEventRow {
    pub at: i64,
    pub kind: String,
    pub user_id: Option<String>,
    pub user_email: Option<String>,
    pub client_id: Option<String>,
    pub tenant_id: Option<String>,
    pub address: Option<String>,
    pub request_id: Option<String>,
    pub detail: String,
}
