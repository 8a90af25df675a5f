//! The legacy password grant (RFC 6749 §4.3): only for a first-party
//! confidential client whose registration accepted the warning; checked
//! and throttled like the sign-in page; refused where it would skip a
//! second factor, a confirmation or a consent.

use serde_json::{Value, json};

use crate::flow::claims_of;
use crate::helpers::{JANE, JANE_PASSWORD, M2M_SECRET, TestApp, spawn_seeded_app};

const LEGACY_SECRET: &str = "legacy-secret-0123456789abcdef0123456789";

const LEGACY: &str = r#"
[[clients]]
application = "tstapp"
client_id = "legacy"
secret = "legacy-secret-0123456789abcdef0123456789"
kind = "web"
name = "Legacy ward terminal"
first_party = true
grant_types = ["authorization_code", "refresh_token", "password"]
password_grant_risk_accepted = true
redirect_uris = ["https://legacy.acme.example/cb"]
allowed_scopes = ["openid", "profile", "email", "offline_access", "profession"]

[[clients]]
application = "tstapp"
client_id = "legacy-mfa"
secret = "legacy-secret-0123456789abcdef0123456789"
kind = "web"
name = "Legacy with MFA"
first_party = true
require_mfa = true
grant_types = ["authorization_code", "password"]
password_grant_risk_accepted = true
redirect_uris = ["https://legacy.acme.example/cb"]
allowed_scopes = ["openid"]
"#;

async fn password(
    app: &TestApp,
    client: (&str, &str),
    username: &str,
    pass: &str,
    scope: Option<&str>,
) -> (u16, Value) {
    let mut form = vec![("grant_type", "password"), ("username", username), ("password", pass)];
    if let Some(scope) = scope {
        form.push(("scope", scope));
    }
    let response =
        app.client.post(app.url("/token")).basic_auth(client.0, Some(client.1)).form(&form).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

sanus_core::engine_tests! {
    async fn a_full_password_pool_is_temporarily_unavailable_not_a_wrong_password(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.import(LEGACY).await;
        let saturated = app.passwords.saturate();
        let (status, body) = password(&app, ("legacy", LEGACY_SECRET), JANE, JANE_PASSWORD, None).await;
        assert_eq!((status, body["error"].as_str()), (503, Some("temporarily_unavailable")), "{body}");
        drop(saturated);
        let (status, body) = password(&app, ("legacy", LEGACY_SECRET), JANE, JANE_PASSWORD, None).await;
        assert_eq!(status, 200, "{body}");
    }

    async fn a_first_party_client_that_accepted_the_warning_gets_tokens_for_a_password(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.import(LEGACY).await;
        let discovery: Value = app.get("/.well-known/openid-configuration").await.json().await.unwrap();
        assert!(discovery["grant_types_supported"].as_array().unwrap().contains(&json!("password")));

        let (status, issued) = password(&app, ("legacy", LEGACY_SECRET), JANE, JANE_PASSWORD, Some("openid email offline_access")).await;
        assert_eq!(status, 200, "{issued}");
        let id_token = claims_of(issued["id_token"].as_str().unwrap());
        assert_eq!((id_token["aud"].as_str(), id_token["amr"].clone()), (Some("legacy"), json!(["pwd"])));
        assert_eq!(id_token["email"], JANE);
        let refresh = issued["refresh_token"].as_str().unwrap();
        let refreshed = app.client.post(app.url("/token")).basic_auth("legacy", Some(LEGACY_SECRET))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh)]).send().await.unwrap();
        assert_eq!(refreshed.status(), 200, "its refresh token rotates like any other");

        // Wrong and unknown: the same answer.
        let (status, wrong) = password(&app, ("legacy", LEGACY_SECRET), JANE, "nope", None).await;
        assert_eq!((status, wrong["error"].as_str()), (400, Some("invalid_grant")));
        let (_, unknown) = password(&app, ("legacy", LEGACY_SECRET), "nobody@acme.example", "nope", None).await;
        assert_eq!(unknown["error_description"], wrong["error_description"]);
        let events = sanus_core::audit::latest(&app.store, 20).await.unwrap();
        assert!(events.iter().any(|e| e.kind == "sign_in.succeeded" && e.detail.contains("password_grant")));
        assert!(events.iter().any(|e| e.kind == "sign_in.failed" && e.client_id.as_deref() == Some("legacy")));
        assert!(events.iter().all(|e| !e.detail.contains(JANE_PASSWORD)), "no password in the audit");

        // What the grant cannot do, it refuses.
        let (status, refused) = password(&app, ("legacy", LEGACY_SECRET), JANE, JANE_PASSWORD, Some("openid profession")).await;
        assert_eq!((status, refused["error"].as_str()), (400, Some("invalid_scope")), "{refused}");
        let (status, refused) = password(&app, ("legacy-mfa", LEGACY_SECRET), JANE, JANE_PASSWORD, None).await;
        assert_eq!((status, refused["error"].as_str()), (400, Some("invalid_grant")));
        assert!(refused["error_description"].as_str().unwrap().contains("second factor"));
        let (status, refused) = password(&app, ("m2m-basic", M2M_SECRET), JANE, JANE_PASSWORD, None).await;
        assert_eq!((status, refused["error"].as_str()), (400, Some("unauthorized_client")));
        let (status, _) = password(&app, ("legacy", "wrong-secret"), JANE, JANE_PASSWORD, None).await;
        assert_eq!(status, 401, "the client authenticates first");

        // Guessing is throttled like on the sign-in page.
        let mut throttled = None;
        for _ in 0..8 {
            let (_, answer) = password(&app, ("legacy", LEGACY_SECRET), JANE, "guess", None).await;
            if answer["error_description"].as_str().unwrap().starts_with("Too many failed attempts") {
                throttled = Some(answer);
                break;
            }
        }
        assert!(throttled.is_some(), "throttled after a few failures");
        let (status, _) = password(&app, ("legacy", LEGACY_SECRET), JANE, JANE_PASSWORD, None).await;
        assert_eq!(status, 400, "even the right password waits");
    }

    async fn a_locked_account_gets_no_tokens_for_its_password(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.import(LEGACY).await;
        let email = |address: &str| sanus_core::users::Email::parse(address).unwrap();
        let jane = sanus_core::users::find_user_by_email(&app.store, &email(JANE)).await.unwrap().unwrap();
        let robot = sanus_core::users::find_user_by_email(&app.store, &email("robot@acme.example")).await.unwrap().unwrap();
        sanus_core::admin::lock_account(&app.store, &jane.id, &robot.id, "phished", sanus_core::UnixTime(1)).await.unwrap();
        let (status, refused) = password(&app, ("legacy", LEGACY_SECRET), JANE, JANE_PASSWORD, None).await;
        assert_eq!((status, refused["error"].as_str()), (400, Some("invalid_grant")), "{refused}");
        assert_eq!(refused["error_description"], "This account is locked.");
        let events = sanus_core::audit::latest(&app.store, 5).await.unwrap();
        let failed = events.iter().find(|e| e.kind == "sign_in.failed").expect("recorded");
        assert_eq!(failed.user_id.as_deref(), Some(jane.id.as_str()));
        assert!(failed.detail.contains("account_locked"), "{}", failed.detail);
        assert!(events.iter().all(|e| e.kind != "sign_in.succeeded"));
    }

    async fn the_password_grant_needs_the_warning_accepted_a_secret_and_a_first_party_client(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.import("[[memberships]]\ntenant = \"acme-dev\"\nuser = \"jane@acme.example\"\nroles = [\"admin\"]\n").await;
        let jane = crate::helpers::jane_signed_in(&app, "/account").await;
        let key = sanus_core::applications::ShortKey::parse("tstapp").unwrap();
        let id = sanus_core::applications::find_application_by_short_key(&app.store, &key).await.unwrap().unwrap().id;
        let create = |body: Value| jane.post(app.url(&format!("/api/v1/applications/{id}/clients"))).json(&body).send();
        let base = json!({ "kind": "web", "name": "Legacy", "first_party": true, "redirect_uris": ["https://l.example/cb"],
            "grant_types": ["authorization_code", "password"] });

        let refused: Value = create(base.clone()).await.unwrap().json().await.unwrap();
        assert!(refused["fields"]["password_grant_risk_accepted"][0].as_str().unwrap().contains("RFC 9700"), "{refused}");
        let mut third_party = base.clone();
        third_party["first_party"] = json!(false);
        third_party["password_grant_risk_accepted"] = json!(true);
        let refused: Value = create(third_party).await.unwrap().json().await.unwrap();
        assert!(refused["fields"]["grant_types"][0].as_str().unwrap().contains("first-party"), "{refused}");
        let mut accepted = base.clone();
        accepted["password_grant_risk_accepted"] = json!(true);
        let created = create(accepted).await.unwrap();
        assert_eq!(created.status(), 201);
        let created: Value = created.json().await.unwrap();
        assert_eq!(created["grant_types"], json!(["authorization_code", "password"]));
    }
}
