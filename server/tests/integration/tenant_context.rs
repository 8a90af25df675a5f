//! The active tenant: a client that asks for one (always, or with
//! `tenant_hint`) gets the person's choice as `tenant_id` in both tokens.

use sanus_core::UnixTime;
use sanus_core::organizations::{add_department, create_organization};
use sanus_core::tenants::{Tenant, TenantKind, TenantName};
use sanus_core::users::{Email, find_user_by_email};
use serde_json::Value;

use crate::flow::{VERIFIER, claims_of, location, params_of, spa_request, with};
use crate::helpers::{JANE, JANE_PASSWORD, TestApp, spawn_seeded_app};

const PICKING_CLIENT: &str = r#"
[[clients]]
application = "tstapp"
client_id = "spa-tenant"
kind = "spa"
name = "Ward app with tenants"
redirect_uris = ["https://app.acme.example/callback"]
tenant_context = true
first_party = true
"#;

/// Jane's organisation and its department.
async fn organisation(app: &TestApp) -> (Tenant, Tenant) {
    let jane = find_user_by_email(&app.store, &Email::parse(JANE).unwrap()).await.unwrap().unwrap();
    let name = |n: &str| TenantName::parse(n).unwrap();
    let now = UnixTime(1_700_000_000);
    let root =
        create_organization(&app.store, &jane.id, TenantKind::Organization, name("Klinikum"), now).await.unwrap();
    let ward = add_department(&app.store, &jane.id, &root.id, name("Station 3"), now).await.unwrap();
    (root, ward)
}

fn picking(params: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut request = with(spa_request(), "client_id", Some("spa-tenant"));
    for (name, value) in params {
        request = with(request, name, Some(value));
    }
    request
}

/// Signs Jane in on the interaction the request starts; returns where she is sent then.
async fn signed_in_at(app: &TestApp, request: &[(&'static str, String)]) -> String {
    let interaction = location(&app.authorize(request).await);
    let resume = location(&app.sign_in(&interaction, JANE, JANE_PASSWORD).await);
    location(&app.client.get(app.url(&resume)).send().await.unwrap())
}

async fn tokens_of(app: &TestApp, callback: &str, client_id: &str) -> Value {
    let code = params_of(callback)["code"].clone();
    let response = app
        .client
        .post(app.url("/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", crate::flow::CALLBACK),
            ("code_verifier", VERIFIER),
            ("client_id", client_id),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

sanus_core::engine_tests! {
    async fn a_person_with_several_tenants_picks_one_and_both_tokens_carry_it(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.import(PICKING_CLIENT).await;
        let (root, ward) = organisation(&app).await;
        let picker = signed_in_at(&app, &picking(&[])).await;
        assert!(picker.starts_with("/interaction/"), "the picker: {picker}");
        let page = app.get(&picker).await.text().await.unwrap();
        assert!(page.contains(&format!(r#"action="{picker}/tenant""#)) && page.contains("Klinikum › Station 3"), "{page}");
        // A tenant she cannot access is no choice: the picker again.
        let refused = app.client.post(app.url(&format!("{picker}/tenant"))).form(&[("tenant_id", "someone-elses")]).send().await.unwrap();
        assert_eq!(location(&refused), picker);
        let chosen = app.client.post(app.url(&format!("{picker}/tenant"))).form(&[("tenant_id", ward.id.as_str())]).send().await.unwrap();
        let callback = location(&app.client.get(app.url(&location(&chosen))).send().await.unwrap());
        assert!(callback.starts_with(crate::flow::CALLBACK), "{callback}");
        let tokens = tokens_of(&app, &callback, "spa-tenant").await;
        assert_eq!(claims_of(tokens["id_token"].as_str().unwrap())["tenant_id"], ward.id.as_str());
        assert_eq!(claims_of(tokens["access_token"].as_str().unwrap())["tenant_id"], ward.id.as_str());
        // Refreshing keeps it.
        let refreshed: Value = app.client.post(app.url("/token"))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", tokens["refresh_token"].as_str().unwrap()), ("client_id", "spa-tenant")])
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(claims_of(refreshed["access_token"].as_str().unwrap())["tenant_id"], ward.id.as_str());

        // A new request with a hint the person can access skips the picker (the SSO session stands).
        let callback = location(&app.authorize(&picking(&[("tenant_hint", root.id.as_str())])).await);
        let tokens = tokens_of(&app, &callback, "spa-tenant").await;
        assert_eq!(claims_of(tokens["id_token"].as_str().unwrap())["tenant_id"], root.id.as_str(), "a new request changes it");
        // A hint she cannot access: the picker. prompt=none cannot show it.
        assert!(location(&app.authorize(&picking(&[("tenant_hint", "not-hers")])).await).starts_with("/interaction/"));
        let none = location(&app.authorize(&picking(&[("prompt", "none")])).await);
        assert_eq!(params_of(&none)["error"], "interaction_required");
        let malformed = location(&app.authorize(&picking(&[("tenant_hint", "a b")])).await);
        assert_eq!(params_of(&malformed)["error"], "invalid_request");
    }

    async fn a_hint_alone_asks_for_a_tenant_and_one_tenant_needs_no_choice(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let jane = find_user_by_email(&app.store, &Email::parse(JANE).unwrap()).await.unwrap().unwrap();
        let root = create_organization(&app.store, &jane.id, TenantKind::Organization, TenantName::parse("Praxis").unwrap(), UnixTime(1)).await.unwrap();
        // The plain client, no tenant context: no tenant_id.
        let callback = app.run_flow(&spa_request()).await;
        assert!(claims_of(tokens_of(&app, &callback, "spa").await["id_token"].as_str().unwrap()).get("tenant_id").is_none());
        // With a hint it asks, and the only tenant is the answer.
        let callback = location(&app.authorize(&with(spa_request(), "tenant_hint", Some("unknown-one"))).await);
        let tokens = tokens_of(&app, &callback, "spa").await;
        assert_eq!(claims_of(tokens["access_token"].as_str().unwrap())["tenant_id"], root.id.as_str());
    }
}
