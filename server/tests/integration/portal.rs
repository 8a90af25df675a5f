//! The developer portal's pages: plain forms (no JavaScript needed), a
//! refused form back with its input and messages (422), secrets shown in
//! the answer to their POST only, and nothing of anyone else's.

use crate::flow::location;
use crate::helpers::{JANE, JANE_PASSWORD, TestApp, spawn_seeded_app};

const DEVELOPERS: &str = r#"
[[tenants]]
id = "rival-dev"
name = "Rival"
kind = "development"

[[memberships]]
tenant = "acme-dev"
user = "jane@acme.example"
roles = ["admin"]

[[applications]]
tenant = "rival-dev"
short_key = "rivalapp"
name = "Rival app"
"#;

async fn jane(app: &TestApp) -> reqwest::Client {
    crate::helpers::jane_signed_in(app, "/portal").await
}

async fn post(app: &TestApp, browser: &reqwest::Client, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    browser.post(app.url(path)).form(fields).send().await.unwrap()
}

async fn page(app: &TestApp, browser: &reqwest::Client, path: &str) -> String {
    let response = browser.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

/// The value of the element with `id`'s text (the first `>` after it to the next `<`).
fn text_of(html: &str, id: &str) -> String {
    let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}"));
    let rest = &html[start..];
    let open = rest.find('>').unwrap() + 1;
    let close = rest[open..].find('<').unwrap();
    rest[open..open + close].to_string()
}

sanus_core::engine_tests! {
    async fn a_contributor_is_told_why_a_tenant_clients_secret_is_not_theirs(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.import(DEVELOPERS).await;
        app.import(r#"
[[users]]
email = "carl@acme.example"
email_verified = true
password = "carl-staple-lantern-tree"

[[memberships]]
tenant = "acme-dev"
user = "carl@acme.example"
roles = ["contributor"]
"#).await;
        let key = sanus_core::applications::ShortKey::parse("tstapp").unwrap();
        let test_app = sanus_core::applications::find_application_by_short_key(&app.store, &key).await.unwrap().unwrap();
        let jane = jane(&app).await;
        let created = post(&app, &jane, &format!("/portal/apps/{}/clients", test_app.id), &[
            ("kind", "m2m"), ("name", "Tenant automation"), ("allowed_scopes", "acme-dev_admin"),
        ]).await;
        assert_eq!(created.status(), 303, "an Admin may");
        let client_page = location(&created);
        let client_page = client_page.split('?').next().unwrap();

        let carl = crate::helpers::signed_in(&app, "carl@acme.example", "carl-staple-lantern-tree", "/portal").await;
        assert!(page(&app, &carl, client_page).await.contains("Tenant automation"), "he sees the client");
        let refused = post(&app, &carl, &format!("{client_page}/secret"), &[("grace_seconds", "0")]).await;
        assert_eq!(refused.status(), 422, "not a 404 for a client he sees");
        let text = refused.text().await.unwrap();
        assert!(text.contains(r#"id="grace-error""#) && text.contains("only the tenant's Admins"), "{text}");
        assert!(text.contains(r#"aria-describedby="grace-error""#));
        assert!(!text.contains(r#"id="client-secret""#));
    }

    async fn an_application_role_alone_shows_no_development_tenant(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.import(DEVELOPERS).await;
        // Dora uses Rival's application with one of its roles; she is none of Rival's developers.
        app.import(r#"
[[applications]]
tenant = "rival-dev"
short_key = "rivalapp"
name = "Rival app"
permissions = ["rivalapp_data.read"]
roles = [{ name = "rivalapp_viewer", permissions = ["rivalapp_data.read"] }]

[[users]]
email = "dora@acme.example"
email_verified = true
password = "dora-staple-lantern-tree"

[[memberships]]
tenant = "rival-dev"
user = "dora@acme.example"
roles = ["rivalapp_viewer"]
"#).await;
        let dora = crate::helpers::signed_in(&app, "dora@acme.example", "dora-staple-lantern-tree", "/portal").await;
        let portal = page(&app, &dora, "/portal").await;
        assert!(!portal.contains("Rival"), "neither the tenant nor its applications: {portal}");
        let status = |path: &'static str| {
            let dora = dora.clone();
            let url = app.url(path);
            async move { dora.get(url).send().await.unwrap().status().as_u16() }
        };
        assert_eq!(status("/orgs/rival-dev").await, 404);
        assert_eq!(status("/api/v1/tenants/rival-dev/applications").await, 404, "not there, rather than forbidden");
        assert_eq!(status("/api/v1/tenants/rival-dev").await, 404);
        // Given a core role there, she sees it.
        app.import(r#"
[[memberships]]
tenant = "rival-dev"
user = "dora@acme.example"
roles = ["reader"]
"#).await;
        assert!(page(&app, &dora, "/portal").await.contains("Rival app"));
        assert_eq!(status("/api/v1/tenants/rival-dev/applications").await, 200);
        let refused = dora.post(app.url("/api/v1/tenants/rival-dev/applications")).json(&serde_json::json!({ "short_key": "doraapp", "name": "Dora's" })).send().await.unwrap();
        assert_eq!(refused.status(), 403, "a reader sees the tenant, so she is told she may not");
    }

    async fn a_developer_builds_an_application_and_its_clients_with_plain_forms(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.import(DEVELOPERS).await;
        assert_eq!(location(&app.get("/portal").await), "/signin?return_to=%2Fportal");
        let jane = jane(&app).await;
        let portal = page(&app, &jane, "/portal").await;
        assert!(portal.contains("ACME Development") && portal.contains("Test app"), "her tenant and its application");
        assert!(!portal.contains("Rival app"), "nobody else's");

        let refused = post(&app, &jane, "/portal/apps", &[("tenant_id", "acme-dev"), ("short_key", "tstapp"), ("name", "")]).await;
        assert_eq!(refused.status(), 422);
        let text = refused.text().await.unwrap();
        assert!(text.contains("this short key is taken") && text.contains(r#"id="app-name-error""#), "every problem at once");
        let taken = post(&app, &jane, "/portal/apps", &[("tenant_id", "acme-dev"), ("short_key", "tstapp"), ("name", "Mine")]).await;
        assert!(taken.text().await.unwrap().contains("This key is taken: choose another."));
        assert!(text.contains(r#"value="tstapp""#), "the input comes back");
        assert_eq!(location(&jane.get(app.url("/portal/apps")).send().await.unwrap()), "/portal");

        let created = post(&app, &jane, "/portal/apps", &[("tenant_id", "acme-dev"), ("short_key", "ward"), ("name", "Ward")]).await;
        let app_path = location(&created);
        assert!(app_path.starts_with("/portal/apps/") && app_path.ends_with("?notice=app-created"), "{app_path}");
        let app_path = app_path.split('?').next().unwrap().to_string();
        assert_eq!(location(&post(&app, &jane, &format!("{app_path}/scopes"), &[("name", "ward_data.read")]).await), format!("{app_path}?notice=scope-added"));
        let bad_scope = post(&app, &jane, &format!("{app_path}/scopes"), &[("name", "other_data")]).await;
        assert_eq!(bad_scope.status(), 422);
        let text = bad_scope.text().await.unwrap();
        assert!(text.contains(r#"id="scope-name-error""#) && text.contains("a scope of this application is named ward_…"));
        // The rules' messages speak the page's language.
        let german = jane.post(app.url(&format!("{app_path}/clients"))).header("accept-language", "de")
            .form(&[("kind", "spa"), ("name", "x"), ("redirect_uris", "http://ward.example/cb")]).send().await.unwrap();
        assert_eq!(german.status(), 422);
        let text = german.text().await.unwrap();
        assert!(text.contains("http://ward.example/cb: verwenden Sie https (http nur für 127.0.0.1, [::1] oder localhost)"), "{text}");

        // A machine client: the answer redirects to its page, which shows
        // the secret once (carried there sealed in a cookie).
        let machine = post(&app, &jane, &format!("{app_path}/clients"), &[
            ("kind", "m2m"), ("name", "Ward backend"), ("allowed_scopes", "ward_data.read"),
        ]).await;
        assert_eq!(machine.status(), 303);
        let client_page = location(&machine);
        assert!(client_page.ends_with("?notice=client-created"), "{client_page}");
        let flash = machine.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(flash.starts_with("sanus_flash_") && flash.contains("HttpOnly") && flash.contains("Max-Age=120"), "{flash}");
        let shown = jane.get(app.url(&client_page)).send().await.unwrap();
        assert_eq!(shown.headers()["cache-control"], "no-store");
        let cookie_name = flash.split('=').next().unwrap().to_string();
        assert!(shown.headers()["set-cookie"].to_str().unwrap().starts_with(&format!("{cookie_name}=;")), "taken, so deleted");
        let html = shown.text().await.unwrap();
        let secret = text_of(&html, "client-secret");
        let client_id = text_of(&html, "client-id");
        assert!(secret.len() >= 43, "{secret}");
        assert!(!flash.contains(&secret), "sealed, never in the clear");
        assert!(html.contains("grant_type=client_credentials"), "the curl call");
        let again = page(&app, &jane, &client_page).await;
        assert!(!again.contains(&secret) && !again.contains(r#"id="client-secret""#), "a reload shows it no more");
        // The cookie opens only the page it was made for, and only for two minutes.
        // Cookies by hand: her session (a second sign-in) and the sealed secret.
        let bare = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let signed_in = bare.post(app.url("/signin"))
            .form(&[("email", JANE), ("password", JANE_PASSWORD), ("return_to", "/portal")]).send().await.unwrap();
        let session = signed_in.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap())
            .find(|v| v.starts_with("sanus_session=")).unwrap().split(';').next().unwrap().to_string();
        let cookie = format!("{session}; {}", flash.split(';').next().unwrap());
        let with_cookie = |path: &str| bare.get(app.url(path)).header("cookie", &cookie).send();
        let elsewhere = with_cookie(&app_path).await.unwrap();
        assert_eq!(elsewhere.status(), 200);
        assert!(!elsewhere.text().await.unwrap().contains(&secret), "another page");
        let replayed = with_cookie(&client_page).await.unwrap();
        assert_eq!(replayed.status(), 200, "her page, in another session");
        assert!(!replayed.text().await.unwrap().contains(&secret), "sealed for the session that made it");
        // In the session that made it: shown, but only for two minutes.
        let make = || bare.post(app.url(&format!("{app_path}/clients"))).header("cookie", &session)
            .form(&[("kind", "m2m"), ("name", "Ward job"), ("allowed_scopes", "ward_data.read")]).send();
        let made = make().await.unwrap();
        let with_flash = |response: &reqwest::Response| {
            let flash = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
            format!("{session}; {flash}")
        };
        let (page_now, cookie_now) = (location(&made), with_flash(&made));
        let shown = bare.get(app.url(&page_now)).header("cookie", &cookie_now).send().await.unwrap().text().await.unwrap();
        assert!(shown.contains(r#"id="client-secret""#), "same session: shown");
        let late = make().await.unwrap();
        let (page_late, cookie_late) = (location(&late), with_flash(&late));
        app.clock.advance(121);
        let late = bare.get(app.url(&page_late)).header("cookie", &cookie_late).send().await.unwrap();
        assert_eq!(late.status(), 200);
        assert!(!late.text().await.unwrap().contains(r#"id="client-secret""#), "too late");
        assert_eq!(location(&jane.get(app.url(&format!("{app_path}/clients"))).send().await.unwrap()), app_path, "a reload creates nothing");

        // The settings: a refused save keeps the input, including the lists.
        let refused = post(&app, &jane, &format!("/portal/clients/{client_id}"), &[
            ("kind", "m2m"), ("name", "Ward backend"), ("redirect_uris", "http://ward.example/<cb>"),
            ("grant_types", "client_credentials"), ("token_endpoint_auth_method", "client_secret_basic"),
            ("access_token_ttl", "soon"), ("metadata", "no equals sign"),
        ]).await;
        assert_eq!(refused.status(), 422);
        let text = refused.text().await.unwrap();
        assert!(text.contains(r#"id="f-access-ttl-error""#) && text.contains(r#"id="f-metadata-error""#), "{text}");
        assert!(text.contains("http://ward.example/&lt;cb&gt;"), "the typed list, escaped");
        let saved = post(&app, &jane, &format!("/portal/clients/{client_id}"), &[
            ("kind", "m2m"), ("name", "Ward backend v2"), ("grant_types", "client_credentials"),
            ("token_endpoint_auth_method", "client_secret_basic"), ("allowed_scopes", "ward_data.read"),
            ("access_token_ttl", "600"), ("metadata", "team=ward"), ("id_token_signed_response_alg", "ES256"),
        ]).await;
        assert_eq!(location(&saved), format!("/portal/clients/{client_id}?notice=client-saved"));
        let stored = sanus_core::clients::find_client(&app.store, &client_id).await.unwrap().unwrap();
        assert_eq!((stored.name.as_str(), stored.access_token_ttl), ("Ward backend v2", 600));
        assert_eq!(stored.metadata.get("team").map(String::as_str), Some("ward"));

        let rotated = post(&app, &jane, &format!("/portal/clients/{client_id}/secret"), &[("grace_seconds", "0")]).await;
        assert_eq!(location(&rotated), format!("/portal/clients/{client_id}?notice=secret-rotated"));
        let new_secret = text_of(&page(&app, &jane, &location(&rotated)).await, "client-secret");
        assert_ne!(new_secret, secret);

        assert_eq!(location(&post(&app, &jane, &format!("/portal/clients/{client_id}/delete"), &[]).await), format!("/portal/clients/{client_id}"), "confirm first");
        assert_eq!(
            location(&post(&app, &jane, &format!("/portal/clients/{client_id}/delete"), &[("confirm", "yes")]).await),
            format!("{app_path}?notice=client-deleted")
        );
        assert_eq!(jane.get(app.url(&format!("/portal/clients/{client_id}"))).send().await.unwrap().status(), 404);

        // Someone else's application does not exist for her.
        let rival = sanus_core::applications::find_application_by_short_key(&app.store, &sanus_core::applications::ShortKey::parse("rivalapp").unwrap()).await.unwrap().unwrap();
        assert_eq!(jane.get(app.url(&format!("/portal/apps/{}", rival.id))).send().await.unwrap().status(), 404);
        assert_eq!(post(&app, &jane, &format!("/portal/apps/{}/scopes", rival.id), &[("name", "rivalapp_x")]).await.status(), 404);

        // A hospital licenses the application; a nurse there holds only its role.
        assert_eq!(post(&app, &jane, &format!("{app_path}/permissions"), &[("name", "ward_beds.read")]).await.status(), 303);
        let role = post(&app, &jane, &format!("{app_path}/roles"), &[("name", "ward_viewer"), ("permissions", "ward_beds.read")]).await;
        assert_eq!(role.status(), 303);
        app.import(r#"
[[tenants]]
id = "hospital"
name = "Hospital"
kind = "organization"

[[users]]
email = "nurse@hospital.example"
email_verified = true

[[licenses]]
id = "hospital-ward"
tenant = "hospital"
application = "ward"
plan = "basic"
seats = 5

[[memberships]]
tenant = "hospital"
user = "nurse@hospital.example"
roles = ["ward_viewer"]
"#).await;

        let refused = post(&app, &jane, &format!("{app_path}/delete"), &[]).await;
        assert_eq!(refused.status(), 422, "confirm first");
        assert_eq!(location(&post(&app, &jane, &format!("{app_path}/delete"), &[("confirm", "yes")]).await), "/portal?notice=app-deleted");
        // The hospital's log tells its Admins who left and why, not who at the vendor deleted it or from where.
        let hospital = sanus_core::tenants::TenantId::from_stored("hospital".into());
        let events = sanus_core::audit::for_tenant(&app.store, &hospital, None, 10).await.unwrap();
        let removed = events.iter().find(|e| e.kind == "member.removed").expect("in the hospital's log");
        assert!(removed.detail.contains("application_deleted") && removed.detail.contains("\"short_key\":\"ward\""), "{removed:?}");
        assert_eq!((removed.user_id.as_deref(), removed.client_id.as_deref(), removed.address.as_deref()), (None, None, None), "{removed:?}");
    }

    async fn initial_access_tokens_are_made_shown_once_and_revoked_in_the_portal(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.import(DEVELOPERS).await;
        let jane = jane(&app).await;
        let key = sanus_core::applications::ShortKey::parse("tstapp").unwrap();
        let id = sanus_core::applications::find_application_by_short_key(&app.store, &key).await.unwrap().unwrap().id;
        let app_path = format!("/portal/apps/{id}");
        let shown = page(&app, &jane, &app_path).await;
        assert!(shown.contains("/oauth2/register"), "the endpoint is shown");

        let refused = post(&app, &jane, &format!("{app_path}/registration-tokens"), &[("description", "CI"), ("days", "90"), ("max_uses", "x")]).await;
        assert_eq!(refused.status(), 422);
        let text = refused.text().await.unwrap();
        assert!(text.contains(r#"id="registration-days-error""#) && text.contains(r#"id="registration-uses-error""#), "both fields");
        assert!(text.contains("from 1 minute to 30 days"), "the rule's own message: {text}");
        assert!(text.contains("Enter a whole number of clients."), "what to do");
        assert!(!text.contains(r#"id="initial-access-token""#));

        let made = post(&app, &jane, &format!("{app_path}/registration-tokens"), &[("description", "Ward rollout"), ("days", "7"), ("max_uses", "2")]).await;
        assert_eq!(location(&made), format!("{app_path}#registration-heading"));
        let text = page(&app, &jane, &app_path).await;
        let token = text_of(&text, "initial-access-token");
        assert!(token.len() >= 43, "{token}");
        assert!(text.contains("Ward rollout"));
        assert!(!page(&app, &jane, &app_path).await.contains(&token), "shown once");
        assert_eq!(location(&jane.get(app.url(&format!("{app_path}/registration-tokens"))).send().await.unwrap()), app_path);

        let registered = app.client.post(app.url("/oauth2/register")).bearer_auth(&token)
            .json(&serde_json::json!({ "redirect_uris": ["https://ward.example/cb"] })).send().await.unwrap();
        assert_eq!(registered.status(), 201);

        let tokens = sanus_core::applications::registration::initial_tokens_of(
            &app.store, &sanus_core::applications::get_application(&app.store, &id).await.unwrap()).await.unwrap();
        assert_eq!((tokens[0].uses, tokens[0].max_uses), (1, 2));
        let revoked = post(&app, &jane, &format!("{app_path}/registration-tokens/{}/revoke", tokens[0].id), &[]).await;
        assert_eq!(location(&revoked), format!("{app_path}?notice=registration-token-revoked"));
        let again = app.client.post(app.url("/oauth2/register")).bearer_auth(&token)
            .json(&serde_json::json!({ "redirect_uris": ["https://ward.example/cb"] })).send().await.unwrap();
        assert_eq!(again.status(), 401, "revoked");
        let events = sanus_core::audit::latest(&app.store, 20).await.unwrap();
        assert!(events.iter().any(|e| e.kind == "client.initial_token_revoked"));
        assert_eq!(post(&app, &jane, &format!("{app_path}/registration-tokens/nothing/revoke"), &[]).await.status(), 404);
    }
}
