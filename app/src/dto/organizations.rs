//! What the organisation pages show: my organisations, one tenant (its
//! departments, members, invitations and licenses), and an invitation.

use serde::{Deserialize, Serialize};

use super::RegistrationView;

/// A tenant as a link: its id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantRef {
    pub id: String,
    pub name: String,
}

/// A department and the departments below it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeNode {
    pub id: String,
    pub name: String,
    pub children: Vec<TreeNode>,
}

/// `/orgs`: the tenants one is a member of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgsView {
    pub memberships: Vec<MembershipView>,
    pub notice: Option<OrgNotice>,
    pub error: Option<OrgFailure>,
    /// The input the error belongs to (its id), when it belongs to one.
    pub error_field: Option<String>,
    pub max_name_chars: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipView {
    pub tenant: TenantRef,
    /// The organisation and departments above it, top first.
    pub path: Vec<TenantRef>,
    pub kind: String,
    pub roles: Vec<String>,
    pub is_default: bool,
}

/// `/orgs/{id}`: one tenant as the person may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantView {
    pub tenant: TenantRef,
    pub kind: String,
    /// From the organisation down to this tenant's parent.
    pub path: Vec<TenantRef>,
    /// The person's roles here (held here or above) and what they allow.
    pub roles: Vec<String>,
    pub permissions: Vec<String>,
    /// Whether the person is a member here (and so may leave).
    pub member_here: bool,
    /// Everything below this tenant, as a tree.
    pub departments: Vec<TreeNode>,
    /// Where this department may move (with `tenant.update` here, at its
    /// parent and there), as labelled paths.
    pub move_targets: Vec<TenantRef>,
    /// Whether the person may archive this tenant: `tenant.update` here and,
    /// for a department, at its parent.
    pub can_archive: bool,
    pub members: Option<MembersView>,
    pub invitations: Option<Vec<InvitationRowView>>,
    pub licenses: Option<Vec<LicenseView>>,
    /// The roles that may be given here: core roles, then applications'.
    pub assignable_roles: Vec<String>,
    /// An organisation requiring a second factor of its members.
    pub require_mfa: bool,
    pub notice: Option<OrgNotice>,
    pub error: Option<OrgFailure>,
    /// The input the error belongs to (its id), when it belongs to one.
    pub error_field: Option<String>,
    pub max_name_chars: usize,
}

impl TenantView {
    pub fn can(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p == permission)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembersView {
    pub members: Vec<MemberView>,
    pub total: i64,
    /// Zero-based.
    pub page: u32,
    pub per_page: u32,
    pub search: String,
    pub role: String,
    /// The links to the pages before and after, with the same filter.
    pub previous: Option<String>,
    pub next: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: String,
    pub email: String,
    pub name: Option<String>,
    pub roles: Vec<String>,
    pub since: i64,
    pub is_me: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationRowView {
    pub id: String,
    pub email: String,
    pub roles: Vec<String>,
    pub sent_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseView {
    pub id: String,
    pub application: String,
    pub plan: String,
    pub seats: i64,
    pub seats_used: i64,
    pub valid_from: i64,
    pub valid_until: Option<i64>,
    pub valid: bool,
    /// Who holds its seats: user id and address.
    pub holders: Vec<(String, String)>,
}

/// `/invitations/{token}`: what the link leads to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvitationPageView {
    /// Unknown link, or its tenant is gone.
    Unknown,
    Accepted,
    Revoked,
    Expired,
    /// Signed in with the invited address: a button to join.
    Join {
        token: String,
        tenant: String,
        roles: Vec<String>,
        email: String,
    },
    /// Signed in with another address.
    OtherAccount {
        tenant: String,
        invited: String,
        signed_in_as: String,
    },
    /// Not signed in, and the address has an account: sign in first.
    SignIn {
        tenant: String,
        email: String,
        sign_in_href: String,
    },
    /// Nobody has the address yet: register and join in one go.
    Register {
        tenant: String,
        registration: RegistrationView,
    },
}

query_enum! {
    /// What the last action on an organisation page did (`?notice=…`).
    OrgNotice {
        Created => "created",
        Renamed => "renamed",
        DepartmentAdded => "department-added",
        Moved => "moved",
        Archived => "archived",
        Invited => "invited",
        InvitationResent => "invitation-resent",
        InvitationRevoked => "invitation-revoked",
        RolesChanged => "roles-changed",
        MemberRemoved => "member-removed",
        Left => "left",
        DefaultChosen => "default-chosen",
        SeatAssigned => "seat-assigned",
        SeatReleased => "seat-released",
        Joined => "joined",
        MfaSaved => "mfa-saved",
    }
}

query_enum! {
    /// Why the last action on an organisation page was refused (`?error=…`).
    OrgFailure {
        NameEmpty => "name-empty",
        NameTooLong => "name-too-long",
        NameControl => "name-control",
        Forbidden => "forbidden",
        LastAdmin => "last-admin",
        NotAMember => "not-a-member",
        UnknownRole => "unknown-role",
        TooManyRoles => "too-many-roles",
        NoRoles => "no-roles",
        BadMove => "bad-move",
        EmailInvalid => "email-invalid",
        AlreadyMember => "already-member",
        AlreadyInvited => "already-invited",
        TooSoon => "too-soon",
        NotPending => "not-pending",
        NoSeatLeft => "no-seat-left",
        SeatNotMember => "seat-not-member",
        Unconfirmed => "unconfirmed",
        TooManyInvitations => "too-many-invitations",
    }
}

/// An input's id as it may travel in `?field=…`: lower-case letters,
/// digits and hyphens, at most 80 characters.
pub fn field_id(value: &str) -> Option<String> {
    let ok = !value.is_empty()
        && value.len() <= 80
        && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    ok.then(|| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_and_failures_travel_in_the_query() {
        for notice in OrgNotice::ALL {
            assert_eq!(OrgNotice::parse(notice.as_str()), Some(*notice));
        }
        for failure in OrgFailure::ALL {
            assert_eq!(OrgFailure::parse(failure.as_str()), Some(*failure));
        }
        assert_eq!(OrgNotice::parse("nonsense"), None);
        assert_eq!(field_id("roles-0193-ab"), Some("roles-0193-ab".into()));
        for bad in ["", "Name", "a b", "x\"", &"a".repeat(81)] {
            assert_eq!(field_id(bad), None, "{bad:?}");
        }
    }
}
