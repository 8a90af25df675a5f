use super::access::{app_role_permissions, licenses_claim};
use super::invitations::{self, AcceptError, InviteError, State};
use super::licenses::{self, NewLicense, SeatError};
use super::*;
use crate::applications::{Application, insert_application};
use crate::tenants::get_tenant;
use crate::users::{Email, NewUser, User, insert_user};

fn name(value: &str) -> TenantName {
    TenantName::parse(value).unwrap()
}

/// An account with a confirmed address.
async fn user(store: &Store, email: &str) -> User {
    let created = unconfirmed(store, email).await;
    crate::users::update_user_profile(store, &created.id, None, None, "en", true, UnixTime(1)).await.unwrap();
    crate::users::get_user(store, &created.id).await.unwrap()
}

async fn unconfirmed(store: &Store, email: &str) -> User {
    let new = NewUser { email: Email::parse(email).unwrap(), given_name: None, family_name: None, locale: "en".into() };
    insert_user(store, new, UnixTime(1)).await.unwrap()
}

/// An organisation of `admin` with a department and a ward below it.
async fn hospital(store: &Store, admin: &User) -> (Tenant, Tenant, Tenant) {
    let root =
        create_organization(store, &admin.id, TenantKind::Organization, name("Klinikum"), UnixTime(10)).await.unwrap();
    let surgery = add_department(store, &admin.id, &root.id, name("Chirurgie"), UnixTime(11)).await.unwrap();
    let ward = add_department(store, &admin.id, &surgery.id, name("Station 3"), UnixTime(12)).await.unwrap();
    (root, surgery, ward)
}

fn denied(result: Result<impl std::fmt::Debug, OrgError>) -> Option<Permission> {
    match result {
        Err(OrgError::Access(AccessError::Forbidden(permission))) => Some(permission),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn hidden<T: std::fmt::Debug>(result: Result<T, OrgError>) {
    assert!(matches!(result, Err(OrgError::Access(AccessError::NotFound))), "expected NotFound, got {result:?}");
}

async fn app(store: &Store, tenant: &TenantId, key: &str) -> Application {
    let key = ShortKey::parse(key).unwrap();
    insert_application(store, tenant, key, "Test app", None, UnixTime(1)).await.unwrap()
}

crate::engine_tests! {
    async fn the_creator_is_admin_and_roles_reach_every_department(db: TestDatabase) {
        let store = db.migrated_store().await;
        let ada = user(&store, "ada@example.org").await;
        let (root, surgery, ward) = hospital(&store, &ada).await;
        assert_eq!(ward.root_id, root.id);
        let at_ward = roles_at(&store, &ada.id, &ward.id).await.unwrap().unwrap();
        assert_eq!(at_ward.roles, [Role::Core(CoreRole::Admin)], "inherited from the organisation");
        let reach = reach(&store, &ada.id).await.unwrap();
        assert_eq!(reach.tenant_ids().len(), 3);
        assert_eq!(reach.root_tenant_ids(), [root.id.as_str()]);
        assert_eq!(reach.default_tenant_id.as_ref(), Some(&root.id), "the first organisation is the default");
        assert!(reach.get(&root.id).unwrap().member && !reach.get(&ward.id).unwrap().member);
        let tree = reach.hierarchy();
        assert_eq!(tree[0]["name"], "Klinikum");
        assert_eq!(tree[0]["children"][0]["name"], "Chirurgie");
        assert_eq!(tree[0]["children"][0]["children"][0]["id"], ward.id.as_str());
        let permissions = reach.core_permissions();
        assert_eq!(permissions[surgery.id.as_str()].as_array().unwrap().len(), Permission::ALL.len());
    }

    async fn each_core_role_may_do_exactly_its_actions(db: TestDatabase) {
        let store = db.migrated_store().await;
        let ada = user(&store, "ada@example.org").await;
        let (root, surgery, _) = hospital(&store, &ada).await;
        let license = licenses::grant(&store, &NewLicense {
            tenant_id: root.id.clone(),
            application_id: app(&store, &root.id, "tstapp").await.id,
            plan: "basic".into(), seats: 5, valid_from: UnixTime(0), valid_until: None,
        }, UnixTime(1)).await.unwrap();
        for role in [CoreRole::Contributor, CoreRole::Reader, CoreRole::External] {
            let who = user(&store, &format!("{}@example.org", role.as_str())).await;
            add_member(&store, &root.id, &who.id, &[Role::Core(role)], UnixTime(20)).await.unwrap();
            let may = |p: Permission| role.grants(p);
            // Every action, at the department (roles are inherited).
            let outcome = add_department(&store, &who.id, &surgery.id, name("X"), UnixTime(30)).await;
            assert_eq!(outcome.is_ok(), may(Permission::TenantUpdate), "{role:?} adds a department");
            if outcome.is_err() { assert_eq!(denied(outcome), Some(Permission::TenantUpdate)); }
            let outcome = rename_tenant(&store, &who.id, &surgery.id, name("Chirurgie"), UnixTime(30)).await;
            assert_eq!(outcome.is_ok(), may(Permission::TenantUpdate), "{role:?} renames");
            let outcome = departments(&store, &who.id, &root.id).await;
            assert!(outcome.is_ok(), "{role:?} sees the departments");
            let outcome = list_members(&store, &who.id, &root.id, &MemberQuery::default()).await;
            assert_eq!(outcome.is_ok(), may(Permission::MembersRead), "{role:?} lists members");
            let outcome = invitations::invite(&store, &who.id, &root.id, &Email::parse("new@example.org").unwrap(), &["reader".into()], UnixTime(30)).await;
            assert_eq!(outcome.is_ok(), may(Permission::MembersInvite), "{role:?} invites");
            let outcome = set_member_roles(&store, &who.id, &root.id, &ada.id, &["reader".into()], UnixTime(30)).await;
            assert_eq!(denied(outcome), Some(Permission::MembersManage), "{role:?} changes roles");
            let outcome = remove_member(&store, &who.id, &root.id, &ada.id, UnixTime(30)).await;
            assert_eq!(denied(outcome), Some(Permission::MembersManage), "{role:?} removes");
            let outcome = licenses::list(&store, &who.id, &root.id).await;
            assert_eq!(outcome.is_ok(), may(Permission::LicensesRead), "{role:?} sees licenses");
            let outcome = licenses::assign_seat(&store, &who.id, &root.id, &license, &who.id, UnixTime(30)).await;
            assert!(matches!(outcome, Err(SeatError::Org(OrgError::Access(AccessError::Forbidden(_))))), "{role:?} assigns seats");
            let outcome = archive_tenant(&store, &who.id, &surgery.id, UnixTime(30)).await;
            assert_eq!(denied(outcome), Some(Permission::TenantUpdate), "{role:?} archives");
        }
        // The Admin may do all of it.
        let reader = find_member(&store, &ada, &root.id, "reader@example.org").await;
        set_member_roles(&store, &ada.id, &root.id, &reader, &["contributor".into(), "reader".into()], UnixTime(40)).await.unwrap();
        let access = roles_at(&store, &reader, &root.id).await.unwrap().unwrap();
        assert_eq!(access.roles, [Role::Core(CoreRole::Contributor), Role::Core(CoreRole::Reader)]);
        licenses::assign_seat(&store, &ada.id, &root.id, &license, &reader, UnixTime(41)).await.unwrap();
        remove_member(&store, &ada.id, &root.id, &reader, UnixTime(42)).await.unwrap();
        assert!(roles_at(&store, &reader, &root.id).await.unwrap().is_none());
        let (used,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM license_seats").fetch_one(store.pool()).await.unwrap();
        assert_eq!(used, 0, "a removed member's seats are free again");
    }

    async fn nothing_of_one_organisation_is_visible_from_another(db: TestDatabase) {
        let store = db.migrated_store().await;
        let ada = user(&store, "ada@example.org").await;
        let bob = user(&store, "bob@example.org").await;
        let (a_root, a_dept, _) = hospital(&store, &ada).await;
        let b_root = create_organization(&store, &bob.id, TenantKind::Development, name("Bobs"), UnixTime(5)).await.unwrap();
        for tenant in [&a_root.id, &a_dept.id] {
            hidden(departments(&store, &bob.id, tenant).await);
            hidden(list_members(&store, &bob.id, tenant, &MemberQuery::default()).await);
            hidden(rename_tenant(&store, &bob.id, tenant, name("Mine"), UnixTime(6)).await);
            hidden(add_department(&store, &bob.id, tenant, name("Mine"), UnixTime(6)).await);
            hidden(remove_member(&store, &bob.id, tenant, &ada.id, UnixTime(6)).await);
            hidden(archive_tenant(&store, &bob.id, tenant, UnixTime(6)).await);
            hidden(set_default_tenant(&store, &bob.id, tenant).await);
            hidden(licenses::list(&store, &bob.id, tenant).await);
            let invite = invitations::invite(&store, &bob.id, tenant, &Email::parse("x@example.org").unwrap(), &["admin".into()], UnixTime(6)).await;
            assert!(matches!(invite, Err(InviteError::Org(OrgError::Access(AccessError::NotFound)))));
        }
        // Moving across organisations is refused, even for an Admin of both.
        add_member(&store, &b_root.id, &ada.id, &[Role::Core(CoreRole::Admin)], UnixTime(7)).await.unwrap();
        assert!(matches!(move_department(&store, &ada.id, &a_dept.id, &b_root.id, UnixTime(8)).await, Err(OrgError::BadMove)));
        assert_eq!(reach(&store, &bob.id).await.unwrap().tenant_ids(), [b_root.id.as_str()]);
        // Ada's reach within one organisation holds only that organisation.
        let in_a = reach_in(&store, &ada.id, Some(&a_dept.id)).await.unwrap();
        assert!(in_a.tenants.iter().all(|t| t.root_id == a_root.id) && in_a.tenant_ids().len() == 3, "{in_a:?}");
        let in_b = reach_in(&store, &ada.id, Some(&b_root.id)).await.unwrap();
        assert_eq!(in_b.tenant_ids(), [b_root.id.as_str()]);
        assert_eq!(reach(&store, &ada.id).await.unwrap().tenant_ids().len(), 4);
    }

    async fn the_last_admin_stays(db: TestDatabase) {
        let store = db.migrated_store().await;
        let ada = user(&store, "ada@example.org").await;
        let (root, surgery, _) = hospital(&store, &ada).await;
        assert!(matches!(remove_member(&store, &ada.id, &root.id, &ada.id, UnixTime(20)).await, Err(OrgError::LastAdmin)));
        assert!(matches!(set_member_roles(&store, &ada.id, &root.id, &ada.id, &["reader".into()], UnixTime(20)).await, Err(OrgError::LastAdmin)));
        assert_eq!(sole_admin_of(&store, &ada.id).await.unwrap().len(), 1);
        // An Admin of a department only may go.
        let dora = user(&store, "dora@example.org").await;
        add_member(&store, &surgery.id, &dora.id, &[Role::Core(CoreRole::Admin)], UnixTime(21)).await.unwrap();
        remove_member(&store, &dora.id, &surgery.id, &dora.id, UnixTime(22)).await.unwrap();
        // With a second Admin, the first may step down or leave.
        let bob = user(&store, "bob@example.org").await;
        add_member(&store, &root.id, &bob.id, &[Role::Core(CoreRole::Admin)], UnixTime(23)).await.unwrap();
        assert!(sole_admin_of(&store, &ada.id).await.unwrap().is_empty());
        set_member_roles(&store, &ada.id, &root.id, &ada.id, &["reader".into()], UnixTime(24)).await.unwrap();
        assert!(matches!(remove_member(&store, &bob.id, &root.id, &bob.id, UnixTime(25)).await, Err(OrgError::LastAdmin)));
        remove_member(&store, &ada.id, &root.id, &ada.id, UnixTime(26)).await.unwrap();
        assert!(reach(&store, &ada.id).await.unwrap().is_empty());
        assert!(matches!(set_member_roles(&store, &bob.id, &root.id, &ada.id, &["reader".into()], UnixTime(27)).await, Err(OrgError::NotAMember)));
        assert!(matches!(set_member_roles(&store, &bob.id, &root.id, &bob.id, &[], UnixTime(27)).await, Err(OrgError::NoRoles)));
        assert!(matches!(set_member_roles(&store, &bob.id, &root.id, &bob.id, &["owner".into()], UnixTime(27)).await, Err(OrgError::UnknownRole(_))));
    }

    async fn a_departments_admin_neither_archives_nor_moves_it(db: TestDatabase) {
        let store = db.migrated_store().await;
        let ada = user(&store, "ada@example.org").await;
        let dora = user(&store, "dora@example.org").await;
        let (root, surgery, ward) = hospital(&store, &ada).await;
        let icu = add_department(&store, &ada.id, &root.id, name("Intensiv"), UnixTime(13)).await.unwrap();
        add_member(&store, &surgery.id, &dora.id, &[Role::Core(CoreRole::Admin)], UnixTime(20)).await.unwrap();
        // Whether her department exists, and where, is the organisation's choice.
        assert_eq!(denied(archive_tenant(&store, &dora.id, &surgery.id, UnixTime(21)).await), Some(Permission::TenantUpdate));
        add_member(&store, &icu.id, &dora.id, &[Role::Core(CoreRole::Admin)], UnixTime(22)).await.unwrap();
        let moved = move_department(&store, &dora.id, &surgery.id, &icu.id, UnixTime(23)).await;
        assert_eq!(denied(moved), Some(Permission::TenantUpdate), "not even below another department of hers");
        assert_eq!(get_tenant(&store, &surgery.id).await.unwrap().parent_id, Some(root.id.clone()));
        // Below her department, it is hers.
        let below = add_department(&store, &dora.id, &surgery.id, name("Station 4"), UnixTime(24)).await.unwrap();
        move_department(&store, &dora.id, &ward.id, &below.id, UnixTime(25)).await.unwrap();
        assert_eq!(archive_tenant(&store, &dora.id, &below.id, UnixTime(26)).await.unwrap(), 2);
        assert_eq!(archive_tenant(&store, &ada.id, &surgery.id, UnixTime(27)).await.unwrap(), 1);
    }

    async fn archiving_hides_a_subtree_and_moves_keep_the_tree_a_tree(db: TestDatabase) {
        let store = db.migrated_store().await;
        let ada = user(&store, "ada@example.org").await;
        let (root, surgery, ward) = hospital(&store, &ada).await;
        let icu = add_department(&store, &ada.id, &root.id, name("Intensiv"), UnixTime(13)).await.unwrap();
        assert!(matches!(move_department(&store, &ada.id, &surgery.id, &ward.id, UnixTime(14)).await, Err(OrgError::BadMove)), "below itself");
        assert!(matches!(move_department(&store, &ada.id, &root.id, &icu.id, UnixTime(14)).await, Err(OrgError::BadMove)), "an organisation");
        move_department(&store, &ada.id, &ward.id, &icu.id, UnixTime(15)).await.unwrap();
        assert_eq!(get_tenant(&store, &ward.id).await.unwrap().parent_id, Some(icu.id.clone()));
        assert_eq!(archive_tenant(&store, &ada.id, &icu.id, UnixTime(16)).await.unwrap(), 2);
        let reach = reach(&store, &ada.id).await.unwrap();
        assert_eq!(reach.tenant_ids().len(), 2, "Intensiv and the ward below it are gone");
        assert!(reach.get(&ward.id).is_none());
        assert!(roles_at(&store, &ada.id, &ward.id).await.unwrap().is_none());
        hidden(add_department(&store, &ada.id, &icu.id, name("Neu"), UnixTime(17)).await);
        assert_eq!(departments(&store, &ada.id, &root.id).await.unwrap().len(), 1);
    }

    async fn invitations_work_once_for_the_invited_address(db: TestDatabase) {
        let store = db.migrated_store().await;
        let ada = user(&store, "ada@example.org").await;
        let (root, surgery, _) = hospital(&store, &ada).await;
        let email = Email::parse("New.Nurse@Example.org").unwrap();
        let (invitation, token) = invitations::invite(&store, &ada.id, &surgery.id, &email, &["contributor".into()], UnixTime(100)).await.unwrap();
        assert_eq!(invitation.state(UnixTime(100)), State::Pending);
        let again = invitations::invite(&store, &ada.id, &surgery.id, &email, &["reader".into()], UnixTime(101)).await;
        assert!(matches!(again, Err(InviteError::AlreadyInvited)));
        assert!(matches!(invitations::resend(&store, &ada.id, &surgery.id, &invitation.id, UnixTime(120)).await, Err(InviteError::TooSoon)));
        let (_, token2) = invitations::resend(&store, &ada.id, &surgery.id, &invitation.id, UnixTime(200)).await.unwrap();
        assert!(invitations::find(&store, &token).await.unwrap().is_none(), "the old link stopped working");
        let stranger = user(&store, "someone@example.org").await;
        assert!(matches!(invitations::accept(&store, &token2, &stranger, UnixTime(201)).await, Err(AcceptError::OtherAddress { .. })));
        let nurse = unconfirmed(&store, "new.nurse@example.org").await;
        assert!(!nurse.email_verified);
        let joined = invitations::accept(&store, &token2, &nurse, UnixTime(202)).await.unwrap();
        assert_eq!(joined.id, surgery.id);
        let access = roles_at(&store, &nurse.id, &surgery.id).await.unwrap().unwrap();
        assert_eq!(access.roles, [Role::Core(CoreRole::Contributor)]);
        assert!(roles_at(&store, &nurse.id, &root.id).await.unwrap().is_none(), "a department's member does not see above it");
        assert!(crate::users::get_user(&store, &nurse.id).await.unwrap().email_verified, "the link proved the address");
        assert!(matches!(invitations::accept(&store, &token2, &nurse, UnixTime(203)).await, Err(AcceptError::NotPending(State::Accepted))));
        assert!(invitations::pending(&store, &ada.id, &surgery.id, UnixTime(203)).await.unwrap().is_empty());
        let member_again = invitations::invite(&store, &ada.id, &surgery.id, &email, &["reader".into()], UnixTime(204)).await;
        assert!(matches!(member_again, Err(InviteError::AlreadyMember)));

        // Revoked and expired links do not work.
        let other = Email::parse("late@example.org").unwrap();
        let late = user(&store, "late@example.org").await;
        let (revoked, token) = invitations::invite(&store, &ada.id, &root.id, &other, &["reader".into()], UnixTime(300)).await.unwrap();
        invitations::revoke(&store, &ada.id, &root.id, &revoked.id, UnixTime(301)).await.unwrap();
        assert!(matches!(invitations::accept(&store, &token, &late, UnixTime(302)).await, Err(AcceptError::NotPending(State::Revoked))));
        let (_, token) = invitations::invite(&store, &ada.id, &root.id, &other, &["reader".into()], UnixTime(400)).await.unwrap();
        let expired = UnixTime(400 + invitations::LIFETIME_SECONDS);
        assert!(matches!(invitations::accept(&store, &token, &late, expired).await, Err(AcceptError::NotPending(State::Expired))));
        assert!(matches!(invitations::accept(&store, "nonsense", &late, UnixTime(401)).await, Err(AcceptError::Unknown)));
        // An invitation of one tenant cannot be revoked through another.
        let (pending, _) = invitations::invite(&store, &ada.id, &root.id, &Email::parse("p@example.org").unwrap(), &["reader".into()], UnixTime(500)).await.unwrap();
        assert!(invitations::revoke(&store, &ada.id, &surgery.id, &pending.id, UnixTime(501)).await.is_err());
        assert_eq!(invitations::pending(&store, &ada.id, &root.id, UnixTime(502)).await.unwrap().len(), 2, "late@ and p@");
    }

    async fn only_roles_of_applications_the_organisation_uses_can_be_given(db: TestDatabase) {
        let store = db.migrated_store().await;
        let ada = user(&store, "ada@example.org").await;
        let bob = user(&store, "bob@example.org").await;
        let nurse = user(&store, "nurse@example.org").await;
        let (root, surgery, _) = hospital(&store, &ada).await;
        add_member(&store, &surgery.id, &nurse.id, &[Role::Core(CoreRole::Reader)], UnixTime(20)).await.unwrap();
        // Bob's company develops an application; Ada's hospital neither develops nor licenses it.
        let vendor = create_organization(&store, &bob.id, TenantKind::Development, name("Vendor"), UnixTime(2)).await.unwrap();
        let application = app(&store, &vendor.id, "vendor").await;
        define_app_permission(&store, &application, "vendor_all", UnixTime(3)).await.unwrap();
        define_app_role(&store, &application, "vendor_admin", &["vendor_all".into()], UnixTime(3)).await.unwrap();
        let roles = ["vendor_admin".to_string()];
        let given = set_member_roles(&store, &ada.id, &surgery.id, &nurse.id, &roles, UnixTime(30)).await;
        assert!(matches!(given, Err(OrgError::UnknownRole(_))), "{given:?}");
        let invited = invitations::invite(&store, &ada.id, &root.id, &Email::parse("new@example.org").unwrap(), &roles, UnixTime(30)).await;
        assert!(matches!(invited, Err(InviteError::Org(OrgError::UnknownRole(_)))), "{invited:?}");
        assert!(!assignable_roles(&store, &root.id, UnixTime(30)).await.unwrap().contains(&roles[0]), "not even its name is shown");
        // Its developer may give it; so may the hospital once it holds a license, until the license ends.
        set_member_roles(&store, &bob.id, &vendor.id, &bob.id, &["admin".into(), roles[0].clone()], UnixTime(31)).await.unwrap();
        let license = NewLicense {
            tenant_id: surgery.id.clone(),
            application_id: application.id.clone(),
            plan: "pro".into(),
            seats: 5,
            valid_from: UnixTime(0),
            valid_until: Some(UnixTime(100)),
        };
        licenses::grant(&store, &license, UnixTime(32)).await.unwrap();
        assert!(assignable_roles(&store, &root.id, UnixTime(33)).await.unwrap().contains(&roles[0]));
        set_member_roles(&store, &ada.id, &surgery.id, &nurse.id, &roles, UnixTime(33)).await.unwrap();
        // With an application's role only, the nurse does not see the department: not there, rather than refused.
        hidden(departments(&store, &nurse.id, &surgery.id).await);
        hidden(set_member_roles(&store, &nurse.id, &surgery.id, &nurse.id, &["reader".into()], UnixTime(33)).await);
        // Invited while the license holds, accepted after it ended: without the application's role.
        let both = ["reader".to_string(), roles[0].clone()];
        let (_, late_token) = invitations::invite(&store, &ada.id, &surgery.id, &Email::parse("late@example.org").unwrap(), &both, UnixTime(40)).await.unwrap();
        let (_, only_token) = invitations::invite(&store, &ada.id, &surgery.id, &Email::parse("only@example.org").unwrap(), &roles, UnixTime(40)).await.unwrap();
        let (_, kept_token) = invitations::invite(&store, &ada.id, &surgery.id, &Email::parse("kept@example.org").unwrap(), &both, UnixTime(40)).await.unwrap();
        let kept = user(&store, "kept@example.org").await;
        invitations::accept(&store, &kept_token, &kept, UnixTime(99)).await.unwrap();
        let access = roles_at(&store, &kept.id, &surgery.id).await.unwrap().unwrap();
        assert_eq!(access.roles, [Role::Core(CoreRole::Reader), Role::App(roles[0].clone())], "accepted in time");
        let late = user(&store, "late@example.org").await;
        invitations::accept(&store, &late_token, &late, UnixTime(100)).await.unwrap();
        assert_eq!(roles_at(&store, &late.id, &surgery.id).await.unwrap().unwrap().roles, [Role::Core(CoreRole::Reader)]);
        let only = user(&store, "only@example.org").await;
        invitations::accept(&store, &only_token, &only, UnixTime(100)).await.unwrap();
        let access = roles_at(&store, &only.id, &surgery.id).await.unwrap().unwrap();
        assert_eq!(access.roles, [Role::Core(CoreRole::External)], "a member still, seeing the tenant only");
        let ended = set_member_roles(&store, &ada.id, &surgery.id, &nurse.id, &roles, UnixTime(100)).await;
        assert!(matches!(ended, Err(OrgError::UnknownRole(_))), "{ended:?}");
        assert!(!assignable_roles(&store, &root.id, UnixTime(100)).await.unwrap().contains(&roles[0]));
        // However long the list, a bounded number of roles and no lookup per repetition.
        let many: Vec<String> = (0..=MAX_ROLES).map(|n| format!("vendor_r{n}")).collect();
        let refused = set_member_roles(&store, &ada.id, &surgery.id, &nurse.id, &many, UnixTime(34)).await;
        assert!(matches!(refused, Err(OrgError::TooManyRoles)), "{refused:?}");
        let repeated = vec!["Reader".to_string(); 10_000];
        set_member_roles(&store, &ada.id, &surgery.id, &nurse.id, &repeated, UnixTime(35)).await.unwrap();
    }

    async fn application_roles_and_licenses_reach_the_claims(db: TestDatabase) {
        let store = db.migrated_store().await;
        let ada = user(&store, "ada@example.org").await;
        let (root, surgery, ward) = hospital(&store, &ada).await;
        let dev = create_organization(&store, &ada.id, TenantKind::Development, name("Dev"), UnixTime(2)).await.unwrap();
        let application = app(&store, &dev.id, "tstapp").await;
        for permission in ["tstapp_data.read", "tstapp_data.write"] {
            define_app_permission(&store, &application, permission, UnixTime(3)).await.unwrap();
        }
        define_app_role(&store, &application, "tstapp_viewer", &["tstapp_data.read".into()], UnixTime(3)).await.unwrap();
        define_app_role(&store, &application, "tstapp_editor", &["tstapp_data.read".into(), "tstapp_data.write".into()], UnixTime(3)).await.unwrap();
        assert!(define_app_role(&store, &application, "other_role", &[], UnixTime(3)).await.is_err(), "the short key prefixes every name");
        assert!(define_app_role(&store, &application, "tstapp_bad", &["tstapp_nothing".into()], UnixTime(3)).await.is_err());
        let nurse = user(&store, "nurse@example.org").await;
        add_member(&store, &root.id, &nurse.id, &[Role::Core(CoreRole::Reader), Role::App("tstapp_viewer".into())], UnixTime(20)).await.unwrap();
        add_member(&store, &ward.id, &nurse.id, &[Role::App("tstapp_editor".into())], UnixTime(21)).await.unwrap();
        let reach = reach(&store, &nurse.id).await.unwrap();
        let by_role = app_role_permissions(&store, &application.id).await.unwrap();
        let claim = reach.app_permissions(&by_role);
        assert_eq!(claim[root.id.as_str()], serde_json::json!(["tstapp_data.read"]));
        assert_eq!(claim[surgery.id.as_str()], serde_json::json!(["tstapp_data.read"]));
        assert_eq!(claim[ward.id.as_str()], serde_json::json!(["tstapp_data.read", "tstapp_data.write"]));
        assert!(claim.get(dev.id.as_str()).is_none());
        assert_eq!(reach.core_permissions()[ward.id.as_str()], serde_json::json!(["tenant.read", "members.read", "licenses.read"]));

        let license = licenses::grant(&store, &NewLicense {
            tenant_id: root.id.clone(), application_id: application.id.clone(), plan: "pro".into(), seats: 1,
            valid_from: UnixTime(0), valid_until: Some(UnixTime(1000)),
        }, UnixTime(1)).await.unwrap();
        licenses::grant(&store, &NewLicense {
            tenant_id: dev.id.clone(), application_id: application.id.clone(), plan: "dev".into(), seats: 1,
            valid_from: UnixTime(0), valid_until: None,
        }, UnixTime(1)).await.unwrap();
        licenses::assign_seat(&store, &ada.id, &root.id, &license, &nurse.id, UnixTime(30)).await.unwrap();
        let claim = licenses_claim(&store, &nurse.id, &reach, &application.id, UnixTime(31)).await.unwrap();
        assert_eq!(claim.as_array().unwrap().len(), 1, "only licenses of the nurse's tenants: {claim}");
        assert_eq!((claim[0]["plan"].as_str(), claim[0]["seat"].as_bool()), (Some("pro"), Some(true)));
        assert_eq!(licenses_claim(&store, &nurse.id, &reach, &application.id, UnixTime(1000)).await.unwrap(), serde_json::json!([]), "expired");
        let full = licenses::assign_seat(&store, &ada.id, &root.id, &license, &ada.id, UnixTime(32)).await;
        assert!(matches!(full, Err(SeatError::NoSeatLeft)));
        let stranger = user(&store, "stranger@example.org").await;
        assert!(matches!(licenses::assign_seat(&store, &ada.id, &root.id, &license, &stranger.id, UnixTime(33)).await, Err(SeatError::NotAMember)));
        let holders = licenses::seat_holders(&store, &ada.id, &root.id, &license).await.unwrap();
        assert_eq!(holders, [(nurse.id.clone(), "nurse@example.org".to_string())]);
        assert!(licenses::seat_holders(&store, &stranger.id, &root.id, &license).await.is_err(), "not the stranger's to see");
        assert!(licenses::release_seat(&store, &ada.id, &root.id, &license, &nurse.id).await.unwrap());
        let listed = licenses::list(&store, &ada.id, &root.id).await.unwrap();
        assert_eq!((listed.len(), listed[0].seats_used, listed[0].application_name.as_str()), (1, 0, "Test app"));
    }

    async fn inviting_needs_a_confirmed_address_and_has_a_budget(db: TestDatabase) {
        let store = db.migrated_store().await;
        let ada = user(&store, "ada@example.org").await;
        let (root, _, _) = hospital(&store, &ada).await;
        let eve = unconfirmed(&store, "eve@example.org").await;
        add_member(&store, &root.id, &eve.id, &[Role::Core(CoreRole::Admin)], UnixTime(20)).await.unwrap();
        let to = |i: usize| Email::parse(&format!("person{i}@example.org")).unwrap();
        let refused = invitations::invite(&store, &eve.id, &root.id, &to(0), &["reader".into()], UnixTime(30)).await;
        assert!(matches!(refused, Err(InviteError::Unconfirmed)));
        let limit = crate::throttle::INVITATIONS_PER_INVITER.free_failures as usize + 1; // fifty in a row
        for i in 0..limit {
            invitations::invite(&store, &ada.id, &root.id, &to(i), &["reader".into()], UnixTime(40)).await.unwrap();
        }
        let throttled = invitations::invite(&store, &ada.id, &root.id, &to(limit + 1), &["reader".into()], UnixTime(41)).await;
        assert!(matches!(throttled, Err(InviteError::TooMany { retry_after_seconds }) if retry_after_seconds > 0), "{throttled:?}");
        // Sending one again counts too: once the wait is over, it may go,
        // and the next invitation waits longer.
        let first = invitations::pending(&store, &ada.id, &root.id, UnixTime(120)).await.unwrap().remove(0);
        invitations::resend(&store, &ada.id, &root.id, &first.id, UnixTime(120)).await.unwrap();
        let next = invitations::invite(&store, &ada.id, &root.id, &to(limit + 2), &["reader".into()], UnixTime(121)).await;
        assert!(matches!(next, Err(InviteError::TooMany { retry_after_seconds: 119 })), "{next:?}");
        // A service (a tenant admin token) has a budget of its own.
        let service = Actor::Service(&root.id);
        for i in 0..limit {
            let to = to(100 + i);
            invitations::invite(&store, service, &root.id, &to, &["reader".into()], UnixTime(42)).await.unwrap();
        }
        let throttled = invitations::invite(&store, service, &root.id, &to(200), &["reader".into()], UnixTime(43)).await;
        assert!(matches!(throttled, Err(InviteError::TooMany { .. })), "{throttled:?}");
    }

    async fn an_invitation_that_could_not_be_stored_costs_no_budget(db: TestDatabase) {
        let store = db.migrated_store().await;
        let ada = user(&store, "ada@example.org").await;
        let (root, _, _) = hospital(&store, &ada).await;
        let to = |i: usize| Email::parse(&format!("person{i}@example.org")).unwrap();
        let free = crate::throttle::INVITATIONS_PER_INVITER.free_failures as usize;
        for i in 0..free {
            invitations::invite(&store, &ada.id, &root.id, &to(i), &["reader".into()], UnixTime(40)).await.unwrap();
        }
        // The last one before the wait fails to be stored: it is given back.
        sqlx::query("ALTER TABLE invitations RENAME TO invitations_away").execute(store.pool()).await.unwrap();
        let failed = invitations::invite(&store, &ada.id, &root.id, &to(free), &["reader".into()], UnixTime(41)).await;
        sqlx::query("ALTER TABLE invitations_away RENAME TO invitations").execute(store.pool()).await.unwrap();
        assert!(matches!(failed, Err(InviteError::Org(OrgError::Store(_)))), "{failed:?}");
        invitations::invite(&store, &ada.id, &root.id, &to(free), &["reader".into()], UnixTime(42)).await.unwrap();
        let next = invitations::invite(&store, &ada.id, &root.id, &to(free + 1), &["reader".into()], UnixTime(42)).await;
        assert!(matches!(next, Err(InviteError::TooMany { retry_after_seconds: 60 })), "{next:?}");
    }

    async fn members_are_searched_filtered_and_paged(db: TestDatabase) {
        let store = db.migrated_store().await;
        let ada = user(&store, "ada@example.org").await;
        let (root, _, _) = hospital(&store, &ada).await;
        for i in 0..25 {
            let who = user(&store, &format!("m{i:02}@example.org")).await;
            let role = if i % 5 == 0 { CoreRole::Reader } else { CoreRole::Contributor };
            add_member(&store, &root.id, &who.id, &[Role::Core(role)], UnixTime(20)).await.unwrap();
        }
        let page = |search: Option<&str>, role: Option<Role>, page: u32| MemberQuery { search: search.map(str::to_owned), role, page, per_page: 10 };
        let first = list_members(&store, &ada.id, &root.id, &page(None, None, 0)).await.unwrap();
        assert_eq!((first.total, first.members.len(), first.members[0].email.as_str()), (26, 10, "ada@example.org"));
        let last = list_members(&store, &ada.id, &root.id, &page(None, None, 2)).await.unwrap();
        assert_eq!(last.members.len(), 6);
        let readers = list_members(&store, &ada.id, &root.id, &page(None, Some(Role::Core(CoreRole::Reader)), 0)).await.unwrap();
        assert_eq!(readers.total, 5);
        let found = list_members(&store, &ada.id, &root.id, &page(Some("M1"), None, 0)).await.unwrap();
        assert_eq!(found.total, 10, "m10..m19, any case");
        let literal = list_members(&store, &ada.id, &root.id, &page(Some("%"), None, 0)).await.unwrap();
        assert_eq!(literal.total, 0, "% is a character, not a wildcard");
    }

    async fn an_organisation_can_require_a_second_factor_of_its_members(db: TestDatabase) {
        let store = db.migrated_store().await;
        let ada = user(&store, "ada@example.org").await;
        let (root, surgery, ward) = hospital(&store, &ada).await;
        let nurse = user(&store, "nurse@example.org").await;
        add_member(&store, &ward.id, &nurse.id, &[Role::Core(CoreRole::Reader)], UnixTime(20)).await.unwrap();
        assert!(!organisation_requires_mfa(&store, &nurse.id).await.unwrap());
        assert!(matches!(set_require_mfa(&store, &ada.id, &surgery.id, true, UnixTime(21)).await, Err(OrgError::NotAnOrganisation)));
        assert!(matches!(set_require_mfa(&store, &nurse.id, &root.id, true, UnixTime(21)).await, Err(OrgError::Access(AccessError::NotFound))));
        set_require_mfa(&store, &ada.id, &root.id, true, UnixTime(22)).await.unwrap();
        assert!(requires_mfa(&store, &root.id).await.unwrap());
        assert!(organisation_requires_mfa(&store, &nurse.id).await.unwrap(), "a department's member too");
        let outsider = user(&store, "outsider@example.org").await;
        assert!(!organisation_requires_mfa(&store, &outsider.id).await.unwrap());
        archive_tenant(&store, &ada.id, &ward.id, UnixTime(23)).await.unwrap();
        assert!(!organisation_requires_mfa(&store, &nurse.id).await.unwrap(), "archived memberships do not count");
    }

    async fn the_default_tenant_is_one_the_person_reaches(db: TestDatabase) {
        let store = db.migrated_store().await;
        let ada = user(&store, "ada@example.org").await;
        let (root, surgery, _) = hospital(&store, &ada).await;
        set_default_tenant(&store, &ada.id, &surgery.id).await.unwrap();
        assert_eq!(reach(&store, &ada.id).await.unwrap().default_tenant_id, Some(surgery.id.clone()));
        archive_tenant(&store, &ada.id, &surgery.id, UnixTime(50)).await.unwrap();
        assert_eq!(reach(&store, &ada.id).await.unwrap().default_tenant_id, None, "archived");
        set_default_tenant(&store, &ada.id, &root.id).await.unwrap();
        let refused = crate::account::delete_account(&store, &ada.id, UnixTime(60)).await;
        assert!(matches!(refused, Err(crate::account::DeleteError::SoleAdmin(ref names)) if names == &["Klinikum"]), "{refused:?}");
        let bob = user(&store, "bob@example.org").await;
        add_member(&store, &root.id, &bob.id, &[Role::Core(CoreRole::Admin)], UnixTime(61)).await.unwrap();
        crate::account::delete_account(&store, &ada.id, UnixTime(62)).await.unwrap();
        let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM memberships").fetch_one(store.pool()).await.unwrap();
        assert_eq!(left, 1, "ada's membership ended with her account; bob's stays");
    }
}

/// The organisations whose only Admin `user` is (the check account deletion makes).
async fn sole_admin_of(store: &Store, user: &UserId) -> Result<Vec<String>, StoreError> {
    let mut tx = store.pool().begin().await?;
    let names = lock_and_find_sole_admin(&mut tx, user, UnixTime(0)).await?;
    tx.rollback().await?;
    Ok(names)
}

async fn find_member(store: &Store, admin: &User, tenant: &TenantId, email: &str) -> UserId {
    let query = MemberQuery { search: Some(email.into()), role: None, page: 0, per_page: 10 };
    list_members(store, &admin.id, tenant, &query).await.unwrap().members.remove(0).user_id
}
