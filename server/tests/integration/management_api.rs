//! The management API for tenants: a person's session or a service's
//! `{tenant_id}_admin` token; 400 with field errors, 401, 403, 404, 409.

use serde_json::{Value, json};

use crate::flow::{VERIFIER, params_of, spa_request};
use crate::helpers::{TestApp, spawn_seeded_app};

const KLINIK: &str = r#"
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
id = "other"
name = "Other"
kind = "organization"

[[memberships]]
tenant = "klinik"
user = "jane@acme.example"
roles = ["admin"]

[[memberships]]
tenant = "other"
user = "robot@acme.example"
roles = ["admin"]

[[clients]]
application = "tstapp"
client_id = "klinik-admin"
secret = "klinik-admin-secret-0123456789abcdef0123"
kind = "m2m"
name = "Klinik backend"
allowed_scopes = ["klinik_admin"]
"#;

async fn jane(app: &TestApp) -> reqwest::Client {
    crate::helpers::jane_signed_in(app, "/orgs").await
}

async fn call(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn service_token(app: &TestApp) -> String {
    let response = app
        .client
        .post(app.url("/token"))
        .basic_auth("klinik-admin", Some("klinik-admin-secret-0123456789abcdef0123"))
        .form(&[("grant_type", "client_credentials"), ("scope", "klinik_admin")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_string()
}

sanus_core::engine_tests! {
    async fn a_person_manages_tenants_with_their_session(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.import(KLINIK).await;
        let unauthenticated = app.client.get(app.url("/api/v1/tenants")).send().await.unwrap();
        assert_eq!(unauthenticated.status(), 401);
        assert_eq!(unauthenticated.headers()["www-authenticate"], "Bearer");
        let browser = jane(&app).await;
        let url = |path: &str| app.url(&format!("/api/v1{path}"));

        let (status, listed) = call(browser.get(url("/tenants"))).await;
        assert_eq!(status, 200);
        let ids: Vec<&str> = listed["tenants"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
        assert!(ids.contains(&"klinik") && ids.contains(&"klinik-ward") && !ids.contains(&"other"), "{ids:?}");

        let (status, created) = call(browser.post(url("/tenants")).json(&json!({ "name": "Praxis Neu", "kind": "development" }))).await;
        assert_eq!((status, created["kind"].as_str()), (201, Some("development")));
        let (status, refused) = call(browser.post(url("/tenants")).json(&json!({ "name": " " }))).await;
        assert_eq!((status, refused["error"].as_str()), (400, Some("invalid")));
        assert!(refused["fields"]["name"][0].as_str().unwrap().contains("name"), "{refused}");
        let (status, refused) = call(browser.post(url("/tenants")).body("not json").header("content-type", "application/json")).await;
        assert_eq!((status, refused["fields"]["body"].is_array()), (400, true));

        let (status, shown) = call(browser.get(url("/tenants/klinik-ward"))).await;
        assert_eq!(status, 200);
        assert_eq!(shown["roles"], json!(["admin"]), "inherited");
        let (status, _) = call(browser.get(url("/tenants/other"))).await;
        assert_eq!(status, 404, "not hers");

        let (status, department) = call(browser.post(url("/tenants/klinik/departments")).json(&json!({ "name": "Labor" }))).await;
        assert_eq!((status, department["parent_id"].as_str()), (201, Some("klinik")));
        let (status, invited) = call(browser.post(url("/tenants/klinik/invitations")).json(&json!({ "email": "new@klinik.example", "roles": ["reader"] }))).await;
        assert_eq!((status, invited["state"].as_str()), (201, Some("pending")));
        let (status, again) = call(browser.post(url("/tenants/klinik/invitations")).json(&json!({ "email": "new@klinik.example", "roles": ["reader"] }))).await;
        assert_eq!((status, again["error"].as_str()), (409, Some("conflict")));
        let (status, bad) = call(browser.post(url("/tenants/klinik/invitations")).json(&json!({ "email": "new2@klinik.example", "roles": ["owner"] }))).await;
        assert_eq!((status, bad["fields"]["roles"].is_array()), (400, true));

        let (status, members) = call(browser.get(url("/tenants/klinik/members?q=jane"))).await;
        assert_eq!((status, members["total"].as_i64()), (200, Some(1)));
        let jane_id = members["members"][0]["user_id"].as_str().unwrap().to_string();
        let (status, last) = call(browser.put(url(&format!("/tenants/klinik/members/{jane_id}/roles"))).json(&json!({ "roles": ["reader"] }))).await;
        assert_eq!((status, last["error"].as_str()), (409, Some("conflict")), "the last Admin stays");
        // The answer is what was stored, as the member list shows it.
        let (status, set) = call(browser.put(url(&format!("/tenants/klinik/members/{jane_id}/roles"))).json(&json!({ "roles": ["Reader", " admin", "ADMIN"] }))).await;
        assert_eq!(status, 200, "{set}");
        let (_, members) = call(browser.get(url("/tenants/klinik/members?q=jane"))).await;
        assert_eq!(set["roles"], members["members"][0]["roles"]);
        assert_eq!(set["roles"], json!(["admin", "reader"]));
        let (status, _) = call(browser.get(url("/tenants/klinik/members?per_page=1000"))).await;
        assert_eq!(status, 400);
        let (status, bad) = call(browser.get(url("/tenants/klinik/members?page=abc"))).await;
        assert_eq!((status, bad["fields"]["page"].is_array()), (400, true), "JSON at its parameter: {bad}");

        let (status, log) = call(browser.get(url("/tenants/klinik/audit?limit=10"))).await;
        assert_eq!(status, 200);
        let kinds: Vec<&str> = log["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert!(kinds.contains(&"member.invited") && kinds.contains(&"tenant.department_added"), "{kinds:?}");
        let (status, _) = call(browser.get(url("/tenants/other/audit"))).await;
        assert_eq!(status, 404, "another organisation's log");
        let (status, _) = call(browser.get(url("/tenants/klinik/audit?limit=0"))).await;
        assert_eq!(status, 400);
        let (status, patched) = call(browser.patch(url("/tenants/klinik")).json(&json!({ "name": "Klinik Nord", "require_mfa": false }))).await;
        assert_eq!((status, patched["tenant"]["name"].as_str()), (200, Some("Klinik Nord")));
        let (status, _) = call(browser.delete(url(&format!("/tenants/{}", department["id"].as_str().unwrap())))).await;
        assert_eq!(status, 200);
        let (status, _) = call(browser.get(url(&format!("/tenants/{}", department["id"].as_str().unwrap())))).await;
        assert_eq!(status, 404, "archived");
    }

    async fn a_service_acts_on_its_tenant_and_below_with_a_tenant_admin_token(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.import(KLINIK).await;
        let token = service_token(&app).await;
        let url = |path: &str| app.url(&format!("/api/v1{path}"));
        let (status, members) = call(app.client.get(url("/tenants/klinik/members")).bearer_auth(&token)).await;
        assert_eq!((status, members["total"].as_i64()), (200, Some(1)));
        let (status, _) = call(app.client.get(url("/tenants/klinik-ward")).bearer_auth(&token)).await;
        assert_eq!(status, 200, "below its tenant");
        let (status, _) = call(app.client.get(url("/tenants/other")).bearer_auth(&token)).await;
        assert_eq!(status, 404, "another organisation");
        let (status, _) = call(app.client.post(url("/tenants")).bearer_auth(&token).json(&json!({ "name": "Mine" }))).await;
        assert_eq!(status, 403);
        let (status, invited) = call(app.client.post(url("/tenants/klinik-ward/invitations")).bearer_auth(&token).json(&json!({ "email": "nurse@klinik.example", "roles": ["contributor"] }))).await;
        assert_eq!(status, 201, "{invited}");
        let (status, listed) = call(app.client.get(url("/tenants")).bearer_auth(&token)).await;
        assert_eq!((status, listed["tenants"][0]["id"].as_str()), (200, Some("klinik")));
        let events = sanus_core::audit::latest(&app.store, 5).await.unwrap();
        assert!(events.iter().any(|e| e.kind == "member.invited" && e.client_id.as_deref() == Some("klinik-admin")));
        let (status, _) = call(app.client.get(url("/tenants/klinik")).bearer_auth("not-a-token")).await;
        assert_eq!(status, 401);
        // A department's setting of organisations changes nothing, not even half.
        let (status, _) = call(app.client.patch(url("/tenants/klinik-ward")).bearer_auth(&token).json(&json!({ "name": "Renamed", "require_mfa": true }))).await;
        assert_eq!(status, 400);
        let (_, ward) = call(app.client.get(url("/tenants/klinik-ward")).bearer_auth(&token)).await;
        assert_eq!(ward["tenant"]["name"], "Ward");

        // A person's token from the code flow is no service token.
        let callback = app.run_flow(&spa_request()).await;
        let code = params_of(&callback)["code"].clone();
        let tokens: Value = app.exchange(&code, VERIFIER).await.json().await.unwrap();
        let (status, _) = call(app.client.get(url("/tenants/klinik")).bearer_auth(tokens["access_token"].as_str().unwrap())).await;
        assert_eq!(status, 403);

        // The scope taken from the client (here by an import, seen within the
        // client cache's 30 seconds): its token stops working.
        app.import(&KLINIK.replace(r#"allowed_scopes = ["klinik_admin"]"#, "allowed_scopes = []")).await;
        app.clock.advance(sanus::clients::TTL_SECONDS + 1);
        let (status, _) = call(app.client.get(url("/tenants/klinik/members")).bearer_auth(&token)).await;
        assert_eq!(status, 404);
    }
}
