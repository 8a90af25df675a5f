//! The management API for developers: applications (short keys, scopes,
//! permissions, roles) and their clients (registration by kind, secrets
//! shown once, rotation with a grace period, deletion that stops tokens at
//! once), for a person's session or a `{short_key}_admin` token.

use serde_json::{Value, json};

use crate::flow::claims_of;
use crate::helpers::{M2M_SECRET, TestApp, spawn_seeded_app};

const DEVELOPERS: &str = r#"
[[tenants]]
id = "klinik"
name = "Klinik"
kind = "organization"

[[tenants]]
id = "rival-dev"
name = "Rival"
kind = "development"

[[memberships]]
tenant = "acme-dev"
user = "jane@acme.example"
roles = ["admin"]

[[memberships]]
tenant = "klinik"
user = "jane@acme.example"
roles = ["admin"]

[[memberships]]
tenant = "rival-dev"
user = "robot@acme.example"
roles = ["admin"]

[[applications]]
tenant = "rival-dev"
short_key = "rivalapp"
name = "Rival app"
"#;

async fn jane(app: &TestApp) -> reqwest::Client {
    crate::helpers::jane_signed_in(app, "/account").await
}

async fn call(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn token(app: &TestApp, id: &str, secret: &str, scope: &str) -> (u16, Value) {
    call(
        app.client
            .post(app.url("/token"))
            .basic_auth(id, Some(secret))
            .form(&[("grant_type", "client_credentials"), ("scope", scope)]),
    )
    .await
}

async fn introspect(app: &TestApp, token: &str) -> Value {
    let response = app
        .client
        .post(app.url("/introspect"))
        .basic_auth("m2m-basic", Some(M2M_SECRET))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    response.json().await.unwrap()
}

async fn rival_id(app: &TestApp) -> String {
    let key = sanus_core::applications::ShortKey::parse("rivalapp").unwrap();
    sanus_core::applications::find_application_by_short_key(&app.store, &key).await.unwrap().unwrap().id.to_string()
}

/// Jane's application `ward` in acme-dev, with the scope `ward_data.read`.
async fn ward(app: &TestApp, jane: &reqwest::Client) -> String {
    let (status, created) = call(
        jane.post(app.url("/api/v1/tenants/acme-dev/applications"))
            .json(&json!({ "short_key": "ward", "name": "Ward", "description": "Ward rounds" })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let (status, scope) = call(
        jane.post(app.url(&format!("/api/v1/applications/{id}/scopes")))
            .json(&json!({ "name": "ward_data.read", "description": "Read ward data" })),
    )
    .await;
    assert_eq!(status, 201, "{scope}");
    id
}

sanus_core::engine_tests! {
    async fn applications_have_unique_short_keys_and_prefixed_names(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.import(DEVELOPERS).await;
        let jane = jane(&app).await;
        let id = ward(&app, &jane).await;

        let taken = call(jane.post(app.url("/api/v1/tenants/acme-dev/applications")).json(&json!({ "short_key": "ward", "name": "Again" }))).await;
        assert_eq!(taken.0, 409, "{}", taken.1);
        let (status, bad) = call(jane.post(app.url("/api/v1/tenants/acme-dev/applications")).json(&json!({ "short_key": "Ward!", "name": " " }))).await;
        assert_eq!(status, 400);
        assert!(bad["fields"]["short_key"][0].as_str().unwrap().contains("lowercase"), "{bad}");
        assert!(bad["fields"]["name"].is_array(), "every wrong field at once: {bad}");
        let (status, _) = call(jane.post(app.url("/api/v1/tenants/acme-dev/applications")).json(&json!({ "short_key": "klinik", "name": "K" }))).await;
        assert_eq!(status, 409, "a tenant's id is no short key: klinik_admin would read as either");
        let (status, org) = call(jane.post(app.url("/api/v1/tenants/klinik/applications")).json(&json!({ "short_key": "klinikapp", "name": "K" }))).await;
        assert_eq!(status, 400, "an organisation is no development tenant: {org}");
        assert_eq!(org["fields"]["tenant"][0], "applications belong to development tenants; create one first");
        let (status, _) = call(jane.post(app.url("/api/v1/tenants/rival-dev/applications")).json(&json!({ "short_key": "mine", "name": "Mine" }))).await;
        assert_eq!(status, 404, "another's tenant does not exist for her");
        let (status, _) = call(jane.post(app.url("/api/v1/tenants/acme-dev/applications")).body("{not json")).await;
        assert_eq!(status, 400);

        for (key, valid, available) in [("ward", true, false), ("newkey", true, true), ("A", false, false), ("tenant", false, false)] {
            let (status, answer) = call(jane.get(app.url(&format!("/api/v1/applications/key-available?short_key={key}")))).await;
            assert_eq!(status, 200);
            assert_eq!((answer["valid"].as_bool(), answer["available"].as_bool()), (Some(valid), Some(available)), "{key}");
        }
        assert_eq!(call(app.client.get(app.url("/api/v1/applications/key-available?short_key=x"))).await.0, 401);
        let (status, twice) = call(jane.get(app.url("/api/v1/applications/key-available?short_key=a&short_key=b"))).await;
        assert_eq!((status, twice["error"].as_str()), (400, Some("invalid")), "the API's JSON error: {twice}");

        let scope = |name: &str| json!({ "name": name });
        assert_eq!(call(jane.post(app.url(&format!("/api/v1/applications/{id}/scopes"))).json(&scope("tstapp_data"))).await.0, 400);
        assert_eq!(call(jane.post(app.url(&format!("/api/v1/applications/{id}/scopes"))).json(&scope("ward_admin"))).await.0, 400);
        assert_eq!(call(jane.post(app.url(&format!("/api/v1/applications/{id}/scopes"))).json(&scope("ward_data.read"))).await.0, 409);
        let long = format!("ward_{}", "x".repeat(100));
        let (status, refused) = call(jane.post(app.url(&format!("/api/v1/applications/{id}/scopes"))).json(&scope(&long))).await;
        assert_eq!((status, refused["fields"]["name"].is_array()), (400, true), "{refused}");
        assert_eq!(call(jane.post(app.url(&format!("/api/v1/applications/{id}/permissions"))).json(&scope("ward_beds.assign"))).await.0, 201);
        let role = call(jane.put(app.url(&format!("/api/v1/applications/{id}/roles/ward_nurse"))).json(&json!({ "permissions": ["ward_beds.assign"] }))).await;
        assert_eq!(role.0, 200, "{}", role.1);
        let twice = call(jane.put(app.url(&format!("/api/v1/applications/{id}/roles/ward_nurse"))).json(&json!({ "permissions": ["ward_beds.assign", "ward_beds.assign"] }))).await;
        assert_eq!(twice.0, 200, "a permission named twice is in the bundle once: {}", twice.1);
        let unknown = call(jane.put(app.url(&format!("/api/v1/applications/{id}/roles/ward_doctor"))).json(&json!({ "permissions": ["ward_nothing"] }))).await;
        assert_eq!(unknown.0, 400);
        let (status, shown) = call(jane.get(app.url(&format!("/api/v1/applications/{id}")))).await;
        assert_eq!(status, 200);
        assert_eq!(shown["short_key"], "ward");
        assert_eq!(shown["scopes"][0]["name"], "ward_data.read");
        assert_eq!(shown["roles"]["ward_nurse"], json!(["ward_beds.assign"]));

        let rival = rival_id(&app).await;
        assert_eq!(call(jane.get(app.url(&format!("/api/v1/applications/{rival}")))).await.0, 404);
        assert_eq!(call(jane.post(app.url(&format!("/api/v1/applications/{rival}/clients"))).json(&json!({ "kind": "spa", "name": "x" }))).await.0, 404);
        assert_eq!(call(jane.delete(app.url(&format!("/api/v1/applications/{rival}")))).await.0, 404);
        let (status, renamed) = call(jane.patch(app.url(&format!("/api/v1/applications/{id}"))).json(&json!({ "name": "Ward rounds" }))).await;
        assert_eq!((status, renamed["name"].as_str()), (200, Some("Ward rounds")));
        let kinds: Vec<String> = sanus_core::audit::latest(&app.store, 20).await.unwrap().into_iter().map(|e| e.kind).collect();
        assert!(kinds.contains(&"application.created".to_string()) && kinds.contains(&"application.changed".to_string()));
    }

    async fn clients_are_registered_by_kind_and_their_secrets_rotate(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.import(DEVELOPERS).await;
        let jane = jane(&app).await;
        let id = ward(&app, &jane).await;
        let clients = format!("/api/v1/applications/{id}/clients");

        let (status, spa) = call(jane.post(app.url(&clients)).json(&json!({
            "kind": "spa", "name": "Ward SPA", "redirect_uris": ["https://ward.example/cb"],
            "web_origins": ["https://ward.example"], "allowed_scopes": ["openid", "ward_data.read"],
        }))).await;
        assert_eq!(status, 201, "{spa}");
        assert!(spa.get("client_secret").is_none(), "a public client has no secret");
        // Lists and texts have bounds well below the body limit.
        let many: Vec<String> = (0..1000).map(|n| format!("https://ward.example/cb{n}")).collect();
        let (status, refused) = call(jane.post(app.url(&clients)).json(&json!({
            "kind": "spa", "name": "Ward SPA", "redirect_uris": many, "description": "d".repeat(5000),
        }))).await;
        assert_eq!(status, 400, "{refused}");
        assert!(refused["fields"]["redirect_uris"].is_array() && refused["fields"]["description"].is_array(), "{refused}");
        assert_eq!(spa["token_endpoint_auth_method"], "none");
        assert_eq!(spa["require_pkce"], true);

        let (status, refused) = call(jane.post(app.url(&clients)).json(&json!({
            "kind": "spa", "name": "", "redirect_uris": ["http://ward.example/cb", "https://ward.example/*"],
            "allowed_scopes": ["tstapp_data.read"], "grant_types": ["client_credentials"], "access_token_ttl": 90000,
            "metadata": { "k1": "v", "k2": "v", "k3": "v", "k4": "v", "k5": "v", "k6": "v", "k7": "v", "k8": "v", "k9": "v", "k10": "v", "k11": "v" },
        }))).await;
        assert_eq!(status, 400, "{refused}");
        for field in ["name", "redirect_uris", "allowed_scopes", "grant_types", "access_token_ttl", "metadata"] {
            assert!(refused["fields"][field].is_array(), "{field}: {refused}");
        }

        let (status, machine) = call(jane.post(app.url(&clients)).json(&json!({
            "kind": "m2m", "name": "Ward backend", "allowed_scopes": ["ward_data.read", "ward_admin"],
            "service_account": "robot@acme.example",
        }))).await;
        assert_eq!(status, 400, "robot is no member of acme-dev: {machine}");
        assert_eq!(machine["fields"]["service_account"][0], "no member of this tenant has this address");
        let (status, machine) = call(jane.post(app.url(&clients)).json(&json!({
            "kind": "m2m", "name": "Ward backend", "allowed_scopes": ["ward_data.read", "ward_admin"],
        }))).await;
        assert_eq!(status, 201, "{machine}");
        let client_id = machine["client_id"].as_str().unwrap().to_string();
        let secret = machine["client_secret"].as_str().unwrap().to_string();
        assert!(secret.len() >= 43, "at least 256 bits");
        let (status, shown) = call(jane.get(app.url(&format!("/api/v1/clients/{client_id}")))).await;
        assert_eq!(status, 200);
        assert!(shown.get("client_secret").is_none() && !shown.to_string().contains(&secret), "shown once");

        let (status, issued) = token(&app, &client_id, &secret, "ward_data.read").await;
        assert_eq!(status, 200, "{issued}");
        let access = issued["access_token"].as_str().unwrap().to_string();
        assert_eq!(claims_of(&access)["scp"], json!(["ward_data.read"]));

        // Rotation: both secrets for the grace period, then only the new one.
        let (status, rotated) = call(jane.post(app.url(&format!("/api/v1/clients/{client_id}/secret"))).json(&json!({ "grace_seconds": 600 }))).await;
        assert_eq!(status, 200, "{rotated}");
        let new_secret = rotated["client_secret"].as_str().unwrap().to_string();
        assert_eq!(token(&app, &client_id, &secret, "ward_data.read").await.0, 200, "the old one in the grace period");
        assert_eq!(token(&app, &client_id, &new_secret, "ward_data.read").await.0, 200);
        app.clock.advance(601);
        assert_eq!(token(&app, &client_id, &secret, "ward_data.read").await.0, 401, "the old one after it");
        assert_eq!(token(&app, &client_id, &new_secret, "ward_data.read").await.0, 200);
        let too_long = call(jane.post(app.url(&format!("/api/v1/clients/{client_id}/secret"))).json(&json!({ "grace_seconds": 8 * 86_400 }))).await;
        assert_eq!(too_long.0, 400);
        let spa_id = spa["client_id"].as_str().unwrap();
        assert_eq!(call(jane.post(app.url(&format!("/api/v1/clients/{spa_id}/secret")))).await.0, 400, "no secret to rotate");

        // Changing the registration; public and confidential do not swap.
        let (status, changed) = call(jane.put(app.url(&format!("/api/v1/clients/{client_id}"))).json(&json!({
            "kind": "m2m", "name": "Ward backend v2", "allowed_scopes": ["ward_data.read"], "access_token_ttl": 300,
        }))).await;
        assert_eq!((status, changed["name"].as_str()), (200, Some("Ward backend v2")), "{changed}");
        let swap = call(jane.put(app.url(&format!("/api/v1/clients/{spa_id}"))).json(&json!({
            "kind": "web", "name": "Now a server", "redirect_uris": ["https://ward.example/cb"],
        }))).await;
        assert_eq!(swap.0, 400, "{}", swap.1);

        // Deleting: its tokens stop at once, and so does the client.
        let (_, fresh) = token(&app, &client_id, &new_secret, "ward_data.read").await;
        let fresh = fresh["access_token"].as_str().unwrap().to_string();
        assert_eq!(introspect(&app, &fresh).await["active"], true);
        assert_eq!(call(jane.delete(app.url(&format!("/api/v1/clients/{client_id}")))).await.0, 200);
        assert_eq!(introspect(&app, &fresh).await["active"], false, "refused at once");
        assert_eq!(token(&app, &client_id, &new_secret, "ward_data.read").await.0, 401);
        assert_eq!(call(jane.get(app.url(&format!("/api/v1/clients/{client_id}")))).await.0, 404);
        let (status, listed) = call(jane.get(app.url(&clients))).await;
        assert_eq!((status, listed["clients"].as_array().unwrap().len()), (200, 1));
    }

    async fn a_short_key_admin_token_manages_its_application_only(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.import(DEVELOPERS).await;
        let jane = jane(&app).await;
        let id = ward(&app, &jane).await;
        let (_, machine) = call(jane.post(app.url(&format!("/api/v1/applications/{id}/clients"))).json(&json!({
            "kind": "m2m", "name": "Ward automation", "allowed_scopes": ["ward_admin"],
        }))).await;
        let (status, issued) = token(&app, machine["client_id"].as_str().unwrap(), machine["client_secret"].as_str().unwrap(), "ward_admin").await;
        assert_eq!(status, 200, "{issued}");
        let bearer = issued["access_token"].as_str().unwrap().to_string();

        let (status, shown) = call(app.client.get(app.url(&format!("/api/v1/applications/{id}"))).bearer_auth(&bearer)).await;
        assert_eq!((status, shown["short_key"].as_str()), (200, Some("ward")));
        let (status, created) = call(app.client.post(app.url(&format!("/api/v1/applications/{id}/clients"))).bearer_auth(&bearer).json(&json!({
            "kind": "spa", "name": "Made by a robot", "redirect_uris": ["https://ward.example/robot"],
        }))).await;
        assert_eq!(status, 201, "{created}");
        let rival = rival_id(&app).await;
        assert_eq!(call(app.client.get(app.url(&format!("/api/v1/applications/{rival}"))).bearer_auth(&bearer)).await.0, 404);
        // The tenant's own management scope is the tenant Admins' to give, not the application's.
        let (status, refused) = call(app.client.post(app.url(&format!("/api/v1/applications/{id}/clients"))).bearer_auth(&bearer).json(&json!({
            "kind": "m2m", "name": "Escalation", "allowed_scopes": ["acme-dev_admin"],
        }))).await;
        assert_eq!(status, 400, "{refused}");
        // Nor may it make a client whose tokens speak for a member (here, the Admin).
        let (status, refused) = call(app.client.post(app.url(&format!("/api/v1/applications/{id}/clients"))).bearer_auth(&bearer).json(&json!({
            "kind": "m2m", "name": "Impostor", "allowed_scopes": ["ward_admin"], "service_account": "jane@acme.example",
        }))).await;
        assert_eq!(status, 400, "{refused}");
        assert!(refused["fields"]["service_account"][0].as_str().unwrap().starts_with("only the tenant's Admins"), "{refused}");
        let (status, acting) = call(jane.post(app.url(&format!("/api/v1/applications/{id}/clients"))).json(&json!({
            "kind": "m2m", "name": "Jane's own", "allowed_scopes": ["ward_admin"], "service_account": "jane@acme.example",
        }))).await;
        assert_eq!(status, 201, "a person may name themselves: {acting}");
        // The robot may still edit that client, but not take over its credentials.
        let own = acting["client_id"].as_str().unwrap();
        let put = |body: Value| app.client.put(app.url(&format!("/api/v1/clients/{own}"))).bearer_auth(&bearer).json(&body);
        let (status, renamed) = call(put(json!({
            "kind": "m2m", "name": "Jane's own, renamed", "allowed_scopes": ["ward_admin"], "service_account": "jane@acme.example",
        }))).await;
        assert_eq!(status, 200, "the account stays as it was: {renamed}");
        let (status, refused) = call(put(json!({
            "kind": "m2m", "name": "Jane's own", "allowed_scopes": ["ward_admin"], "service_account": "jane@acme.example",
            "token_endpoint_auth_method": "client_secret_post",
        }))).await;
        assert_eq!(status, 403, "new credentials are as good as a new secret: {refused}");
        let (status, refused) = call(app.client.post(app.url(&format!("/api/v1/clients/{own}/secret"))).bearer_auth(&bearer).json(&json!({}))).await;
        assert_eq!(status, 403, "{refused}");
        let (status, automation) = call(jane.post(app.url(&format!("/api/v1/applications/{id}/clients"))).json(&json!({
            "kind": "m2m", "name": "Tenant automation", "allowed_scopes": ["acme-dev_admin"],
        }))).await;
        assert_eq!(status, 201, "an Admin of acme-dev may");
        // Nor may the robot take that client's secret: it would be the tenant's Admin then.
        let automation = automation["client_id"].as_str().unwrap();
        let (status, refused) = call(app.client.post(app.url(&format!("/api/v1/clients/{automation}/secret"))).bearer_auth(&bearer).json(&json!({}))).await;
        assert_eq!(status, 403, "{refused}");
        assert!(refused.get("client_secret").is_none());
        let (status, rotated) = call(jane.post(app.url(&format!("/api/v1/clients/{automation}/secret"))).json(&json!({}))).await;
        assert_eq!(status, 200, "the Admin may: {rotated}");
        // Removing a scope takes it from the clients that had it.
        let (_, scoped) = call(jane.post(app.url(&format!("/api/v1/applications/{id}/clients"))).json(&json!({
            "kind": "m2m", "name": "Reader", "allowed_scopes": ["ward_data.read"],
        }))).await;
        // A failure midway changes nothing: the scope stays, and so does its use.
        let scoped_id = scoped["client_id"].as_str().unwrap().to_string();
        let set_scopes = async |value: &str| {
            sqlx::query("UPDATE clients SET allowed_scopes = $1 WHERE id = $2")
                .bind(value.to_string())
                .bind(scoped_id.clone())
                .execute(app.store.pool())
                .await
                .unwrap();
        };
        set_scopes("not a list").await;
        let failed = call(jane.delete(app.url(&format!("/api/v1/applications/{id}/scopes/ward_data.read")))).await;
        assert!(failed.0 >= 500, "{failed:?}");
        set_scopes(r#"["ward_data.read"]"#).await;
        let (_, shown) = call(jane.get(app.url(&format!("/api/v1/applications/{id}")))).await;
        assert_eq!(shown["scopes"][0]["name"], "ward_data.read", "not half removed");
        assert_eq!(call(jane.delete(app.url(&format!("/api/v1/applications/{id}/scopes/ward_data.read")))).await.0, 200);
        let (_, after) = call(jane.get(app.url(&format!("/api/v1/clients/{}", scoped["client_id"].as_str().unwrap())))).await;
        assert_eq!(after["allowed_scopes"], json!([]));
        assert_eq!(call(app.client.get(app.url("/api/v1/tenants/acme-dev/applications")).bearer_auth(&bearer)).await.0, 404, "not the tenant's");
        assert_eq!(call(app.client.get(app.url(&format!("/api/v1/applications/{id}"))).bearer_auth("not-a-token")).await.0, 401);

        // A member whose only role in a tenant is one of the application's.
        assert_eq!(call(jane.post(app.url(&format!("/api/v1/applications/{id}/permissions"))).json(&json!({ "name": "ward_beds.read" }))).await.0, 201);
        let role = call(jane.put(app.url(&format!("/api/v1/applications/{id}/roles/ward_viewer"))).json(&json!({ "permissions": ["ward_beds.read"] }))).await;
        assert_eq!(role.0, 200, "{}", role.1);
        let new = sanus_core::users::NewUser {
            email: sanus_core::users::Email::parse("viewer@acme.example").unwrap(),
            given_name: None,
            family_name: None,
            locale: "en".into(),
        };
        let viewer = sanus_core::users::insert_user(&app.store, new, sanus_core::UnixTime(1)).await.unwrap();
        let dev = sanus_core::tenants::TenantId::from_stored("acme-dev".into());
        let only_role = [sanus_core::organizations::Role::App("ward_viewer".into())];
        sanus_core::organizations::add_member(&app.store, &dev, &viewer.id, &only_role, sanus_core::UnixTime(2)).await.unwrap();

        // Deleting the application deletes its clients: the robot's own token stops too.
        assert_eq!(call(jane.delete(app.url(&format!("/api/v1/applications/{id}")))).await.0, 200);
        // And a membership left without a role ends (nobody is stuck in a tenant without a role, unable to leave).
        assert!(!sanus_core::organizations::is_member(&app.store, &viewer.id, &dev).await.unwrap());
        let events = sanus_core::audit::latest(&app.store, 5).await.unwrap();
        let removed = events.iter().find(|e| e.kind == "member.removed").expect("in the tenant's log");
        assert!(removed.detail.contains("application_deleted") && removed.detail.contains(viewer.id.as_str()), "{removed:?}");
        // Not who deleted it, nor from where: the tenant may be another organisation's (a licensee's).
        assert_eq!((removed.user_id.as_deref(), removed.client_id.as_deref(), removed.address.as_deref()), (None, None, None), "{removed:?}");
        let deleted = events.iter().find(|e| e.kind == "application.deleted").expect("in the developer's log");
        assert!(deleted.user_id.is_some() && deleted.request_id.is_some() && deleted.request_id == removed.request_id, "{deleted:?} {removed:?}");
        let jane_account = sanus_core::users::Email::parse(crate::helpers::JANE).unwrap();
        let jane_id = sanus_core::users::find_user_by_email(&app.store, &jane_account).await.unwrap().unwrap().id;
        assert!(sanus_core::organizations::is_member(&app.store, &jane_id, &dev).await.unwrap(), "her core role stays");
        assert_eq!(call(app.client.get(app.url(&format!("/api/v1/applications/{id}"))).bearer_auth(&bearer)).await.0, 401);
        assert_eq!(call(jane.get(app.url(&format!("/api/v1/applications/{id}")))).await.0, 404);
    }
}
