//! Pairwise subject identifiers (OpenID Connect Core §8.1): clients of one
//! sector see the same `sub` for a person, clients of another sector a
//! different one, and neither sees the person's id; UserInfo,
//! introspection and logout take the pairwise `sub` back.

use sanus_core::clock::Clock as _;
use serde_json::{Value, json};

use crate::flow::{CHALLENGE, VERIFIER, claims_of, location, params_of, spa_request, with};
use crate::helpers::{JANE, M2M_SECRET, TestApp, spawn_seeded_app};

const PAIRWISE: &str = r#"
[[clients]]
application = "tstapp"
client_id = "ward-a"
kind = "spa"
name = "Ward A"
first_party = true
subject_type = "pairwise"
sector_identifier_uri = "https://wards.example"
redirect_uris = ["https://a.wards.example/cb"]
allowed_scopes = ["openid", "email", "offline_access"]

[[clients]]
application = "tstapp"
client_id = "ward-b"
kind = "spa"
name = "Ward B"
first_party = true
subject_type = "pairwise"
sector_identifier_uri = "https://wards.example"
redirect_uris = ["https://b.wards.example/cb"]
allowed_scopes = ["openid", "email", "offline_access"]

[[clients]]
application = "tstapp"
client_id = "lab-web"
secret = "lab-web-secret-0123456789abcdef0123456789"
kind = "web"
name = "Lab web"
first_party = true
subject_type = "pairwise"
redirect_uris = ["https://lab.example/web"]
allowed_scopes = ["openid", "email", "offline_access"]
grant_types = ["authorization_code", "refresh_token"]

[[clients]]
application = "tstapp"
client_id = "lab"
kind = "spa"
name = "Lab"
first_party = true
subject_type = "pairwise"
redirect_uris = ["https://lab.example/cb"]
allowed_scopes = ["openid", "email", "offline_access"]
"#;

/// Signs Jane in to `client` and returns its token response.
async fn tokens(app: &TestApp, client: &str, redirect: &str) -> Value {
    tokens_as(app, client, None, redirect).await
}

async fn tokens_as(app: &TestApp, client: &str, secret: Option<&str>, redirect: &str) -> Value {
    let request = with(with(spa_request(), "client_id", Some(client)), "redirect_uri", Some(redirect));
    let request = with(request, "scope", Some("openid email offline_access"));
    let request = with(request, "code_challenge", Some(CHALLENGE));
    let callback = app.run_flow(&request).await;
    let code = params_of(&callback)["code"].clone();
    let mut request = app.client.post(app.url("/token"));
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", redirect),
        ("code_verifier", VERIFIER),
    ];
    match secret {
        Some(secret) => request = request.basic_auth(client, Some(secret)),
        None => form.push(("client_id", client)),
    }
    let response = request.form(&form).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

sanus_core::engine_tests! {
    async fn each_sector_sees_its_own_subject(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.import(PAIRWISE).await;
        let discovery: Value = app.get("/.well-known/openid-configuration").await.json().await.unwrap();
        assert_eq!(discovery["subject_types_supported"], json!(["public", "pairwise"]));
        let jane = sanus_core::users::find_user_by_email(&app.store, &sanus_core::users::Email::parse(JANE).unwrap())
            .await.unwrap().unwrap().id;

        let a = tokens(&app, "ward-a", "https://a.wards.example/cb").await;
        let b = tokens(&app, "ward-b", "https://b.wards.example/cb").await;
        let lab = tokens(&app, "lab", "https://lab.example/cb").await;
        let public = tokens(&app, "spa", crate::flow::CALLBACK).await;
        let sub = |t: &Value| claims_of(t["id_token"].as_str().unwrap())["sub"].as_str().unwrap().to_string();
        assert_eq!(sub(&public), jane.as_str(), "a public client sees the id");
        assert_ne!(sub(&a), jane.as_str());
        assert_eq!(sub(&a), sub(&b), "one sector, one subject");
        assert_ne!(sub(&a), sub(&lab), "another sector, another subject");
        assert_eq!(sub(&tokens(&app, "ward-a", "https://a.wards.example/cb").await), sub(&a), "it stays");
        let access = claims_of(a["access_token"].as_str().unwrap());
        assert_eq!(access["sub"].as_str(), Some(sub(&a).as_str()), "the access token too");

        // UserInfo, introspection and a refreshed ID token keep to it.
        let info: Value = app.userinfo(a["access_token"].as_str().unwrap()).await.json().await.unwrap();
        assert_eq!((info["sub"].as_str(), info["email"].as_str()), (Some(sub(&a).as_str()), Some(JANE)));
        let introspected: Value = app.client.post(app.url("/introspect")).basic_auth("m2m-basic", Some(M2M_SECRET))
            .form(&[("token", a["access_token"].as_str().unwrap())]).send().await.unwrap().json().await.unwrap();
        assert_eq!((introspected["active"].as_bool(), introspected["sub"].as_str()), (Some(true), Some(sub(&a).as_str())));
        // A refresh token introspects for the client holding it, in its sector.
        let web = tokens_as(&app, "lab-web", Some("lab-web-secret-0123456789abcdef0123456789"), "https://lab.example/web").await;
        assert_eq!(sub(&web), sub(&lab), "one host, one sector");
        let introspected: Value = app.client.post(app.url("/introspect")).basic_auth("lab-web", Some("lab-web-secret-0123456789abcdef0123456789"))
            .form(&[("token", web["refresh_token"].as_str().unwrap())]).send().await.unwrap().json().await.unwrap();
        assert_eq!((introspected["active"].as_bool(), introspected["sub"].as_str()), (Some(true), Some(sub(&lab).as_str())), "{introspected}");

        // The sector stays: moving it would change every person's sub.
        let current = sanus_core::clients::find_client(&app.store, "lab-web").await.unwrap().unwrap();
        let mut moved = sanus_core::clients::ClientSpec::from(&current);
        moved.redirect_uris = vec!["https://other.example/web".into()];
        let manager = sanus_core::applications::manage::Manager::AppAdmin("tstapp");
        let refused = sanus_core::applications::manage::update_client(&app.store, manager, "lab-web", moved, None, app.clock.now()).await;
        let Err(sanus_core::applications::manage::ManageError::Invalid(errors)) = refused else { panic!("moved: {refused:?}") };
        assert!(errors.get("sector_identifier_uri")[0].contains("the sector stays lab.example"), "{errors}");
        let refreshed: Value = app.client.post(app.url("/token"))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", a["refresh_token"].as_str().unwrap()), ("client_id", "ward-a")])
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(sub(&refreshed), sub(&a));

        // Logout with the pairwise ID token as the hint ends her session without asking.
        let id_token = a["id_token"].as_str().unwrap();
        let logout = app.client.get(app.url("/end_session")).query(&[("id_token_hint", id_token)]).send().await.unwrap();
        assert_eq!(logout.status(), 200);
        let again = app.authorize(&with(with(spa_request(), "client_id", Some("ward-a")), "redirect_uri", Some("https://a.wards.example/cb"))).await;
        assert!(location(&again).starts_with("/interaction/"), "signed out: she signs in again");
    }
}
