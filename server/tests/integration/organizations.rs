//! The organisation pages over HTTP: creating an organisation and its
//! departments, inviting (an existing account and a new person who
//! registers from the mail), roles and their limits, isolation, and the
//! answers to bad input.

use sanus_core::UnixTime;
use sanus_core::organizations::{CoreRole, Role, add_member};
use sanus_core::tenants::TenantId;
use sanus_core::users::{Email, find_user_by_email};

use crate::flow::location;
use crate::helpers::{JANE, JANE_PASSWORD, TestApp, client};
use crate::registration::{app_with, decoded, link_of};

const NEW_PASSWORD: &str = "lantern meadow quartz 42";

async fn signed_in(app: &TestApp, email: &str, password: &str) -> reqwest::Client {
    crate::helpers::signed_in(app, email, password, "/orgs").await
}

async fn post(app: &TestApp, browser: &reqwest::Client, path: &str, fields: &[(&str, &str)]) -> String {
    location(&browser.post(app.url(path)).form(fields).send().await.unwrap())
}

async fn page(app: &TestApp, browser: &reqwest::Client, path: &str) -> (u16, String) {
    let response = browser.get(app.url(path)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Creates an organisation as `browser`; returns its page's path.
async fn create(app: &TestApp, browser: &reqwest::Client, name: &str) -> String {
    let created = post(app, browser, "/orgs", &[("name", name), ("kind", "organization")]).await;
    let path = created.strip_suffix("?notice=created").unwrap_or_else(|| panic!("{created}")).to_string();
    assert!(path.starts_with("/orgs/"), "{path}");
    path
}

async fn application(app: &TestApp) -> sanus_core::applications::Application {
    let key = sanus_core::applications::ShortKey::parse("tstapp").unwrap();
    sanus_core::applications::find_application_by_short_key(&app.store, &key).await.unwrap().unwrap()
}

fn tenant_of(path: &str) -> TenantId {
    TenantId::from_stored(path.trim_start_matches("/orgs/").to_string())
}

sanus_core::engine_tests! {
    async fn an_admin_builds_an_organisation_and_a_new_person_joins_from_the_mail(db: TestDatabase) {
        let (app, sink) = app_with(db, |_| {}).await;
        let jane = signed_in(&app, JANE, JANE_PASSWORD).await;
        assert_eq!(location(&app.get("/orgs").await), "/signin?return_to=%2Forgs", "signed out: to sign-in and back");
        let org = create(&app, &jane, "Klinikum Nord").await;
        let (status, html) = page(&app, &jane, &format!("{org}?notice=created")).await;
        assert_eq!(status, 200);
        assert!(html.contains("Klinikum Nord") && html.contains(r#"id="org-notice""#), "{html}");

        let added = post(&app, &jane, &format!("{org}/departments"), &[("name", "Kardiologie")]).await;
        assert_eq!(added, format!("{org}?notice=department-added"));
        let jane_id = find_user_by_email(&app.store, &Email::parse(JANE).unwrap()).await.unwrap().unwrap().id;
        let cardiology = sanus_core::organizations::departments(&app.store, &jane_id, &tenant_of(&org)).await.unwrap().remove(0);
        post(&app, &jane, &format!("/orgs/{}/departments", cardiology.id), &[("name", "Station K1")]).await;
        let (_, html) = page(&app, &jane, &org).await;
        let (outer, inner) = (html.find("Kardiologie").unwrap(), html.find("Station K1").expect("the tree shows every level"));
        assert!(outer < inner, "the ward under its department");

        let invited = post(&app, &jane, &format!("{org}/invitations"), &[("email", "Nurse.New@Klinik.example"), ("roles", "contributor"), ("roles", "reader")]).await;
        assert_eq!(invited, format!("{org}?notice=invited"));
        let mail = sink.wait_for(1).await.remove(0);
        assert_eq!(mail.rcpt_to, ["<Nurse.New@Klinik.example>"]);
        assert!(decoded(&mail.data).contains("Klinikum Nord"));
        let link = link_of(&mail.data, "/invitations/");
        let (_, html) = page(&app, &jane, &org).await;
        assert!(html.contains("Nurse.New@Klinik.example"), "the pending invitation is listed");

        // The invited person has no account: they register from the link.
        let newcomer = client();
        let (status, html) = page(&app, &newcomer, &link).await;
        assert_eq!(status, 200);
        assert!(html.contains(&format!(r#"action="{link}/register""#)) && html.contains("readonly"), "{html}");
        let refused = newcomer.post(app.url(&format!("{link}/register")))
            .form(&[("email", "someone.else@example.org"), ("password", "short"), ("confirm", "short"), ("locale", "en")])
            .send().await.unwrap();
        assert_eq!(refused.status(), 422);
        let html = refused.text().await.unwrap();
        assert!(html.contains(r#"id="new-password-error""#) && html.contains("Nurse.New@Klinik.example"), "the invited address stays");
        let joined = newcomer.post(app.url(&format!("{link}/register")))
            .form(&[("email", "someone.else@example.org"), ("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD), ("given_name", "Nora"), ("locale", "de")])
            .send().await.unwrap();
        assert!(joined.headers()["set-cookie"].to_str().unwrap().starts_with("sanus_session="), "signed in at once");
        assert_eq!(location(&joined), format!("{org}?notice=joined"));
        let nora = find_user_by_email(&app.store, &Email::parse("nurse.new@klinik.example").unwrap()).await.unwrap().unwrap();
        assert!(nora.email_verified, "the invitation proved the address");
        assert!(find_user_by_email(&app.store, &Email::parse("someone.else@example.org").unwrap()).await.unwrap().is_none());
        let (status, html) = page(&app, &newcomer, &org).await;
        assert_eq!(status, 200);
        assert!(html.contains("Kardiologie") && html.contains("Contributor"), "{html}");
        assert!(!html.contains("/invitations\""), "a Contributor cannot invite");
        let (_, members) = page(&app, &jane, &format!("{org}?q=nurse")).await;
        assert!(members.contains("nurse.new@klinik.example") || members.contains("Nurse.New@Klinik.example"), "{members}");
        let (status, _) = page(&app, &newcomer, &link).await;
        assert_eq!(status, 410, "the link worked once");
        let kinds: Vec<String> = sanus_core::audit::latest(&app.store, 20).await.unwrap().into_iter().map(|e| e.kind).collect();
        for kind in ["tenant.created", "tenant.department_added", "member.invited", "member.invitation_accepted", "registration.created"] {
            assert!(kinds.contains(&kind.to_string()), "{kind} in {kinds:?}");
        }
    }

    async fn an_existing_account_accepts_after_signing_in_with_the_invited_address(db: TestDatabase) {
        let (app, sink) = app_with(db, |_| {}).await;
        let jane = signed_in(&app, JANE, JANE_PASSWORD).await;
        let org = create(&app, &jane, "Praxis Süd").await;
        // Jane invites the service's robot account (it exists, with no password here).
        let robot = "robot@acme.example";
        post(&app, &jane, &format!("{org}/invitations"), &[("email", robot), ("roles", "reader")]).await;
        let link = link_of(&sink.wait_for(1).await.remove(0).data, "/invitations/");
        let (_, html) = page(&app, &client(), &link).await;
        assert!(html.contains("/signin?return_to=%2Finvitations%2F"), "sign in first: {html}");
        // Signed in as someone else: told so, nothing joins.
        let (_, html) = page(&app, &jane, &link).await;
        assert!(html.contains("robot@acme.example") && !html.contains("/accept"), "{html}");
        assert_eq!(post(&app, &jane, &format!("{link}/accept"), &[]).await, link);
        assert_eq!(sanus_core::organizations::list_members(&app.store, &find_user_by_email(&app.store, &Email::parse(JANE).unwrap()).await.unwrap().unwrap().id, &tenant_of(&org), &Default::default()).await.unwrap().total, 1);
    }

    async fn roles_limit_what_a_member_sees_and_does_and_strangers_see_nothing(db: TestDatabase) {
        let (app, _sink) = app_with(db, |_| {}).await;
        let jane = signed_in(&app, JANE, JANE_PASSWORD).await;
        let org = create(&app, &jane, "Pflegeheim").await;
        let tenant = tenant_of(&org);
        // A second person, a Reader here.
        let register = app.client.post(app.url("/register"))
            .form(&[("email", "reader@klinik.example"), ("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD), ("locale", "en")])
            .send().await.unwrap();
        assert_eq!(register.status(), 303);
        let reader = find_user_by_email(&app.store, &Email::parse("reader@klinik.example").unwrap()).await.unwrap().unwrap();
        sanus_core::users::update_user_profile(&app.store, &reader.id, None, None, "en", true, UnixTime(1)).await.unwrap();
        let browser = signed_in(&app, "reader@klinik.example", NEW_PASSWORD).await;
        let (status, _) = page(&app, &browser, &org).await;
        assert_eq!(status, 404, "not a member: as if it did not exist");
        assert_eq!(browser.post(app.url(&format!("{org}/departments"))).form(&[("name", "Mine")]).send().await.unwrap().status(), 404);

        add_member(&app.store, &tenant, &reader.id, &[Role::Core(CoreRole::Reader)], UnixTime(1)).await.unwrap();
        let (status, html) = page(&app, &browser, &org).await;
        assert_eq!(status, 200);
        assert!(html.contains("Members") && !html.contains(&format!(r#"action="{org}/departments""#)) && !html.contains(&format!(r#"action="{org}/invitations""#)));
        let refused = post(&app, &browser, &format!("{org}/invitations"), &[("email", "x@example.org"), ("roles", "admin")]).await;
        assert_eq!(refused, format!("{org}?error=forbidden"));
        let (_, html) = page(&app, &browser, &refused).await;
        assert!(html.contains(r#"id="org-error""#) && html.contains("Ask an Admin"));

        // Jane is the last Admin: she can neither leave nor drop the role.
        let jane_id = find_user_by_email(&app.store, &Email::parse(JANE).unwrap()).await.unwrap().unwrap().id;
        assert_eq!(post(&app, &jane, &format!("{org}/leave"), &[]).await, format!("{org}?error=last-admin"));
        let roles = post(&app, &jane, &format!("{org}/members/{jane_id}/roles"), &[("roles", "reader")]).await;
        assert_eq!(roles, format!("{org}?error=last-admin&field=roles-{jane_id}"));
        // She makes the Reader a Contributor, then removes them.
        let changed = post(&app, &jane, &format!("{org}/members/{}/roles", reader.id), &[("roles", "contributor")]).await;
        assert_eq!(changed, format!("{org}?notice=roles-changed"));
        let none = post(&app, &jane, &format!("{org}/members/{}/roles", reader.id), &[]).await;
        assert_eq!(none, format!("{org}?error=no-roles&field=roles-{}", reader.id));
        assert_eq!(post(&app, &jane, &format!("{org}/members/{}/remove", reader.id), &[]).await, format!("{org}?notice=member-removed"));
        assert_eq!(page(&app, &browser, &org).await.0, 404);
    }

    async fn an_organisation_that_requires_a_second_factor_keeps_its_members_out_of_apps_without_one(db: TestDatabase) {
        let (app, _sink) = app_with(db, |_| {}).await;
        let jane = signed_in(&app, JANE, JANE_PASSWORD).await;
        let org = create(&app, &jane, "Strenge Klinik").await;
        let (_, html) = page(&app, &jane, &org).await;
        assert!(html.contains(r#"id="require-mfa""#) && !html.contains(r#"id="require-mfa" name="require_mfa" type="checkbox" value="yes" checked"#));
        // Without the rule, Jane (no second factor) signs in to the app.
        let callback = app.run_flow(&crate::flow::spa_request()).await;
        assert!(crate::flow::params_of(&callback).contains_key("code"), "{callback}");
        let code = crate::flow::params_of(&callback)["code"].clone();
        let tokens: serde_json::Value = app.exchange(&code, crate::flow::VERIFIER).await.json().await.unwrap();
        assert_eq!(post(&app, &jane, &format!("{org}/mfa"), &[("require_mfa", "yes")]).await, format!("{org}?notice=mfa-saved"));
        let callback = app.run_flow(&crate::flow::with(crate::flow::spa_request(), "prompt", Some("login"))).await;
        assert_eq!(crate::flow::params_of(&callback)["error"], "unmet_authentication_requirements", "{callback}");
        // Grants made without a second factor end at their next refresh.
        let refused = app.refresh(tokens["refresh_token"].as_str().unwrap()).await;
        assert_eq!(refused.status(), 400);
        let body: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(body["error"], "invalid_grant");
        // A department has no such setting of its own.
        let department = post(&app, &jane, &format!("{org}/departments"), &[("name", "Station")]).await;
        assert!(department.ends_with("notice=department-added"));
        let tenant = tenant_of(&org);
        let jane_id = find_user_by_email(&app.store, &Email::parse(JANE).unwrap()).await.unwrap().unwrap().id;
        let departments = sanus_core::organizations::departments(&app.store, &jane_id, &tenant).await.unwrap();
        let station = format!("/orgs/{}", departments[0].id);
        assert_eq!(post(&app, &jane, &format!("{station}/mfa"), &[("require_mfa", "yes")]).await, format!("{station}?error=forbidden"));
        let kinds: Vec<String> = sanus_core::audit::latest(&app.store, 10).await.unwrap().into_iter().map(|e| e.kind).collect();
        assert!(kinds.contains(&"tenant.changed".to_string()));
    }

    async fn an_admin_gives_and_takes_back_the_seats_of_a_license(db: TestDatabase) {
        let (app, _sink) = app_with(db, |_| {}).await;
        let jane = signed_in(&app, JANE, JANE_PASSWORD).await;
        let org = create(&app, &jane, "Praxis mit Lizenz").await;
        let key = sanus_core::applications::ShortKey::parse("tstapp").unwrap();
        let application = sanus_core::applications::find_application_by_short_key(&app.store, &key).await.unwrap().unwrap();
        let license = sanus_core::organizations::licenses::NewLicense {
            tenant_id: tenant_of(&org), application_id: application.id, plan: "praxis".into(), seats: 1,
            valid_from: UnixTime(0), valid_until: None,
        };
        let license = sanus_core::organizations::licenses::grant(&app.store, &license, UnixTime(1)).await.unwrap();
        let seats = format!("{org}/licenses/{license}/seats");
        let refused = post(&app, &jane, &seats, &[("email", "nobody@example.org")]).await;
        assert_eq!(refused, format!("{org}?error=seat-not-member&field=seat-{license}"));
        let (_, html) = page(&app, &jane, &refused).await;
        assert!(html.contains(&format!(r#"id="seat-{license}-error""#)), "the message is at its field");
        assert_eq!(post(&app, &jane, &seats, &[("email", JANE)]).await, format!("{org}?notice=seat-assigned"));
        let (_, html) = page(&app, &jane, &org).await;
        assert!(html.contains("1 of 1 seats given") && html.contains("/release"), "{html}");
        let jane_id = find_user_by_email(&app.store, &Email::parse(JANE).unwrap()).await.unwrap().unwrap().id;
        assert_eq!(post(&app, &jane, &format!("{seats}/{jane_id}/release"), &[]).await, format!("{org}?notice=seat-released"));
        let (_, html) = page(&app, &jane, &org).await;
        assert!(html.contains("0 of 1 seats given"));
    }

    async fn a_department_member_sees_only_from_the_department_down(db: TestDatabase) {
        let (app, _sink) = app_with(db, |_| {}).await;
        let jane = signed_in(&app, JANE, JANE_PASSWORD).await;
        let org = create(&app, &jane, "Geheime Holding").await;
        post(&app, &jane, &format!("{org}/departments"), &[("name", "Station Ost")]).await;
        let jane_id = find_user_by_email(&app.store, &Email::parse(JANE).unwrap()).await.unwrap().unwrap().id;
        let station = sanus_core::organizations::departments(&app.store, &jane_id, &tenant_of(&org)).await.unwrap().remove(0);
        let register = app.client.post(app.url("/register"))
            .form(&[("email", "staff@klinik.example"), ("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD), ("locale", "en")])
            .send().await.unwrap();
        assert_eq!(register.status(), 303);
        let staff = find_user_by_email(&app.store, &Email::parse("staff@klinik.example").unwrap()).await.unwrap().unwrap();
        sanus_core::users::update_user_profile(&app.store, &staff.id, None, None, "en", true, UnixTime(1)).await.unwrap();
        add_member(&app.store, &station.id, &staff.id, &[Role::Core(CoreRole::Reader)], UnixTime(2)).await.unwrap();
        let browser = signed_in(&app, "staff@klinik.example", NEW_PASSWORD).await;
        let (status, html) = page(&app, &browser, &format!("/orgs/{}", station.id)).await;
        assert_eq!(status, 200);
        assert!(html.contains("Station Ost") && !html.contains("Geheime Holding"), "nothing of the organisation above: {html}");
        // Application roles alone show no tenant page.
        sanus_core::organizations::define_app_permission(&app.store, &application(&app).await, "tstapp_data.read", UnixTime(3)).await.unwrap();
        sanus_core::organizations::define_app_role(&app.store, &application(&app).await, "tstapp_viewer", &["tstapp_data.read".into()], UnixTime(3)).await.unwrap();
        let give = format!("/orgs/{}/members/{}/roles", station.id, staff.id);
        // Not before the organisation uses the application.
        assert!(post(&app, &jane, &give, &[("roles", "tstapp_viewer")]).await.contains("error=unknown-role"));
        assert!(!page(&app, &jane, &org).await.1.contains("tstapp_viewer"), "not offered either");
        let license = sanus_core::organizations::licenses::NewLicense {
            tenant_id: tenant_of(&org),
            application_id: application(&app).await.id,
            plan: "basic".into(),
            seats: 1,
            valid_from: UnixTime(0),
            valid_until: None,
        };
        sanus_core::organizations::licenses::grant(&app.store, &license, UnixTime(3)).await.unwrap();
        assert!(page(&app, &jane, &org).await.1.contains("tstapp_viewer"));
        post(&app, &jane, &give, &[("roles", "tstapp_viewer")]).await;
        assert_eq!(page(&app, &browser, &format!("/orgs/{}", station.id)).await.0, 404);
    }

    async fn a_departments_admin_is_offered_no_archive_and_cannot_archive_it(db: TestDatabase) {
        let (app, _sink) = app_with(db, |_| {}).await;
        let jane = signed_in(&app, JANE, JANE_PASSWORD).await;
        let org = create(&app, &jane, "Klinikum Nord").await;
        post(&app, &jane, &format!("{org}/departments"), &[("name", "Station Ost")]).await;
        let jane_id = find_user_by_email(&app.store, &Email::parse(JANE).unwrap()).await.unwrap().unwrap().id;
        let station = sanus_core::organizations::departments(&app.store, &jane_id, &tenant_of(&org)).await.unwrap().remove(0);
        let register = app.client.post(app.url("/register"))
            .form(&[("email", "head@klinik.example"), ("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD), ("locale", "en")])
            .send().await.unwrap();
        assert_eq!(register.status(), 303);
        let head = find_user_by_email(&app.store, &Email::parse("head@klinik.example").unwrap()).await.unwrap().unwrap();
        sanus_core::users::update_user_profile(&app.store, &head.id, None, None, "en", true, UnixTime(1)).await.unwrap();
        add_member(&app.store, &station.id, &head.id, &[Role::Core(CoreRole::Admin)], UnixTime(2)).await.unwrap();
        let browser = signed_in(&app, "head@klinik.example", NEW_PASSWORD).await;
        let station_page = format!("/orgs/{}", station.id);
        let (status, html) = page(&app, &browser, &station_page).await;
        assert_eq!(status, 200);
        assert!(html.contains(&format!("action=\"{station_page}/rename\"")), "she runs the department: {html}");
        assert!(!html.contains("archive-heading"), "but does not decide whether it exists");
        let refused = post(&app, &browser, &format!("{station_page}/archive"), &[("confirm", "yes")]).await;
        assert!(refused.starts_with(&format!("{station_page}?error=")), "{refused}");
        assert_eq!(page(&app, &browser, &station_page).await.0, 200, "still there");
        // The organisation's Admin is offered it.
        assert!(page(&app, &jane, &station_page).await.1.contains("archive-heading"));
    }

    async fn bad_input_gets_a_message_at_its_field_and_changes_nothing(db: TestDatabase) {
        let (app, _sink) = app_with(db, |_| {}).await;
        let jane = signed_in(&app, JANE, JANE_PASSWORD).await;
        assert_eq!(post(&app, &jane, "/orgs", &[("name", "   ")]).await, "/orgs?error=name-empty&field=org-name");
        let (_, html) = page(&app, &jane, "/orgs?error=name-empty&field=org-name").await;
        assert!(html.contains(r#"id="org-name-error""#) && html.contains(r#"aria-invalid="true""#), "{html}");
        let long = "x".repeat(101);
        assert_eq!(post(&app, &jane, "/orgs", &[("name", &long)]).await, "/orgs?error=name-too-long&field=org-name");
        let org = create(&app, &jane, "Ambulanz").await;
        assert_eq!(post(&app, &jane, &format!("{org}/invitations"), &[("email", "not-an-address"), ("roles", "reader")]).await, format!("{org}?error=email-invalid&field=invite-email"));
        assert_eq!(post(&app, &jane, &format!("{org}/invitations"), &[("email", "a@example.org"), ("roles", "owner")]).await, format!("{org}?error=unknown-role&field=invite-roles"));
        assert_eq!(post(&app, &jane, &format!("{org}/invitations"), &[("email", "a@example.org")]).await, format!("{org}?error=no-roles&field=invite-roles"));
        assert_eq!(post(&app, &jane, &format!("{org}/invitations"), &[("email", JANE), ("roles", "reader")]).await, format!("{org}?error=already-member&field=invite-email"));
        assert_eq!(post(&app, &jane, &format!("{org}/move"), &[("parent_id", "nonsense")]).await, format!("{org}?error=bad-move"));
        assert_eq!(page(&app, &jane, "/orgs/%3Cscript%3E").await.0, 404);
        assert_eq!(page(&app, &jane, "/invitations/unknown-token").await.0, 404);
        let jane_id = find_user_by_email(&app.store, &Email::parse(JANE).unwrap()).await.unwrap().unwrap().id;
        let pending = sanus_core::organizations::invitations::pending(&app.store, &jane_id, &tenant_of(&org), UnixTime(1)).await.unwrap();
        assert!(pending.is_empty(), "no refused invitation was stored");
        assert_eq!(post(&app, &jane, &format!("{org}/archive"), &[]).await, org, "archiving needs the box ticked");
        assert_eq!(post(&app, &jane, &format!("{org}/archive"), &[("confirm", "yes")]).await, "/orgs?notice=archived");
        assert_eq!(page(&app, &jane, &org).await.0, 404, "archived");
    }
}
