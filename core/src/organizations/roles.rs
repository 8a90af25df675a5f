//! The core roles and the core permissions each one holds. The one table of
//! who may do what in a tenant: the pages, the management API and the token
//! claims all read it through [`CoreRole::permissions`].

use serde::{Deserialize, Serialize};

/// Something a member may do in a tenant (and its departments).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Permission {
    /// See the tenant, its departments and its settings.
    #[serde(rename = "tenant.read")]
    TenantRead,
    /// Rename the tenant; add, rename, move and archive departments.
    #[serde(rename = "tenant.update")]
    TenantUpdate,
    /// See who is a member, with which roles.
    #[serde(rename = "members.read")]
    MembersRead,
    /// Invite people; see, resend and revoke invitations.
    #[serde(rename = "members.invite")]
    MembersInvite,
    /// Change members' roles and remove members.
    #[serde(rename = "members.manage")]
    MembersManage,
    /// Create and change the applications a development tenant owns.
    #[serde(rename = "applications.manage")]
    ApplicationsManage,
    /// Create and change those applications' OAuth clients.
    #[serde(rename = "clients.manage")]
    ClientsManage,
    /// See the tenant's licenses and who holds their seats.
    #[serde(rename = "licenses.read")]
    LicensesRead,
    /// Give and take the seats of the tenant's licenses.
    #[serde(rename = "licenses.assign")]
    LicensesAssign,
    /// Read the audit log of the tenant and its departments.
    #[serde(rename = "audit.read")]
    AuditRead,
}

impl Permission {
    pub const ALL: [Self; 10] = [
        Self::TenantRead,
        Self::TenantUpdate,
        Self::MembersRead,
        Self::MembersInvite,
        Self::MembersManage,
        Self::ApplicationsManage,
        Self::ClientsManage,
        Self::LicensesRead,
        Self::LicensesAssign,
        Self::AuditRead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TenantRead => "tenant.read",
            Self::TenantUpdate => "tenant.update",
            Self::MembersRead => "members.read",
            Self::MembersInvite => "members.invite",
            Self::MembersManage => "members.manage",
            Self::ApplicationsManage => "applications.manage",
            Self::ClientsManage => "clients.manage",
            Self::LicensesRead => "licenses.read",
            Self::LicensesAssign => "licenses.assign",
            Self::AuditRead => "audit.read",
        }
    }
}

/// The four fixed roles every tenant has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CoreRole {
    /// Everything, including members, structure and licenses.
    Admin,
    /// Works on the tenant's content (applications, clients) but not on its
    /// members or structure.
    Contributor,
    /// Reads the tenant, its members and licenses; changes nothing.
    Reader,
    /// Someone from outside: sees that the tenant exists, nothing more.
    External,
}

impl CoreRole {
    pub const ALL: [Self; 4] = [Self::Admin, Self::Contributor, Self::Reader, Self::External];

    /// The name stored and shown in tokens: lower case.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Contributor => "contributor",
            Self::Reader => "reader",
            Self::External => "external",
        }
    }

    /// A core role by its name, in any case (`Admin` or `admin`).
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str().eq_ignore_ascii_case(value.trim()))
    }

    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Self::Admin => &Permission::ALL,
            Self::Contributor => &[TenantRead, MembersRead, ApplicationsManage, ClientsManage],
            Self::Reader => &[TenantRead, MembersRead, LicensesRead],
            Self::External => &[TenantRead],
        }
    }

    pub fn grants(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }
}

/// A role a member holds in a tenant: one of the core roles, or a role an
/// application defines (named with its short key: `tstapp_admin`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Role {
    Core(CoreRole),
    App(String),
}

impl Role {
    /// A core role's name, or else an application role's (`{short_key}_…`).
    /// Whether that application role exists is for the store to say.
    pub fn parse(value: &str) -> Option<Self> {
        if let Some(core) = CoreRole::parse(value) {
            return Some(Self::Core(core));
        }
        let (prefix, rest) = value.split_once('_')?;
        let valid = crate::applications::ShortKey::parse(prefix).is_ok()
            && !rest.is_empty()
            && rest.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | ':'));
        valid.then(|| Self::App(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Core(role) => role.as_str(),
            Self::App(name) => name,
        }
    }
}

/// Whether someone with these core permissions sees the tenant they hold
/// them at: every core role does; application roles alone do not, and to
/// such a person the tenant is not there (its page and the API answer 404).
pub fn sees_tenant(permissions: &[Permission]) -> bool {
    permissions.contains(&Permission::TenantRead)
}

/// The core permissions a set of roles holds, sorted, without duplicates.
pub fn core_permissions<'a>(roles: impl IntoIterator<Item = &'a Role>) -> Vec<Permission> {
    let mut permissions: Vec<Permission> = roles
        .into_iter()
        .filter_map(|role| match role {
            Role::Core(core) => Some(core.permissions().iter().copied()),
            Role::App(_) => None,
        })
        .flatten()
        .collect();
    permissions.sort_unstable();
    permissions.dedup();
    permissions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_table() {
        use Permission::*;
        // Admin holds everything; every other role a strict subset.
        assert_eq!(CoreRole::Admin.permissions(), Permission::ALL);
        for role in [CoreRole::Contributor, CoreRole::Reader, CoreRole::External] {
            assert!(role.permissions().len() < Permission::ALL.len(), "{role:?}");
            assert!(role.grants(TenantRead), "{role:?} sees the tenant");
            for members in [MembersInvite, MembersManage, TenantUpdate, LicensesAssign, AuditRead] {
                assert!(!role.grants(members), "only Admins change members and structure: {role:?} {members:?}");
            }
        }
        assert!(CoreRole::Contributor.grants(ApplicationsManage) && CoreRole::Contributor.grants(ClientsManage));
        assert!(!CoreRole::Reader.grants(ApplicationsManage));
        assert!(CoreRole::Reader.grants(LicensesRead) && !CoreRole::Contributor.grants(LicensesRead));
        assert_eq!(CoreRole::External.permissions(), [TenantRead]);
    }

    #[test]
    fn permissions_serialise_as_their_names() {
        for permission in Permission::ALL {
            assert_eq!(serde_json::to_value(permission).unwrap(), permission.as_str());
        }
    }

    #[test]
    fn roles_parse_by_name() {
        assert_eq!(Role::parse("Admin"), Some(Role::Core(CoreRole::Admin)));
        assert_eq!(Role::parse(" reader "), Some(Role::Core(CoreRole::Reader)));
        assert_eq!(Role::parse("tstapp_admin"), Some(Role::App("tstapp_admin".into())));
        for bad in ["", "owner", "tstapp_", "_admin", "Tst_admin", "tstapp_a b", "x_admin"] {
            assert_eq!(Role::parse(bad), None, "{bad:?}");
        }
        let roles = [Role::Core(CoreRole::Reader), Role::App("tstapp_admin".into()), Role::Core(CoreRole::External)];
        assert_eq!(
            core_permissions(&roles),
            [Permission::TenantRead, Permission::MembersRead, Permission::LicensesRead]
        );
    }
}
