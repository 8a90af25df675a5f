//! Dynamic client registration (RFC 7591) under initial access tokens that
//! an Admin makes, and client configuration management (RFC 7592) with
//! the registration access token.

use sanus_core::clock::Clock as _;
use serde_json::{Value, json};

use crate::flow::claims_of;
use crate::helpers::{TestApp, jane_signed_in, spawn_seeded_app};

const MEMBERSHIP: &str = r#"
[[memberships]]
tenant = "acme-dev"
user = "jane@acme.example"
roles = ["admin"]

[[tenants]]
id = "rival-dev"
name = "Rival"
kind = "development"

[[applications]]
tenant = "rival-dev"
short_key = "rivalapp"
name = "Rival app"
"#;

async fn call(request: reqwest::RequestBuilder) -> (u16, Value, Option<String>) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let challenge = response.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_string());
    (status, response.json().await.unwrap_or(Value::Null), challenge)
}

/// Jane, signed in, with an application `dyn` that has the scope `dyn_read`.
async fn setup(app: &TestApp) -> (reqwest::Client, String) {
    app.import(MEMBERSHIP).await;
    let jane = jane_signed_in(app, "/account").await;
    let (status, created, _) = call(
        jane.post(app.url("/api/v1/tenants/acme-dev/applications")).json(&json!({ "short_key": "dyn", "name": "Dyn" })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let scope = json!({ "name": "dyn_read" });
    assert_eq!(call(jane.post(app.url(&format!("/api/v1/applications/{id}/scopes"))).json(&scope)).await.0, 201);
    (jane, id)
}

async fn initial_token(app: &TestApp, jane: &reqwest::Client, id: &str, body: Value) -> Value {
    let (status, made, _) =
        call(jane.post(app.url(&format!("/api/v1/applications/{id}/initial-access-tokens"))).json(&body)).await;
    assert_eq!(status, 201, "{made}");
    made
}

async fn register(app: &TestApp, token: &str, metadata: Value) -> (u16, Value, Option<String>) {
    call(app.client.post(app.url("/oauth2/register")).bearer_auth(token).json(&metadata)).await
}

sanus_core::engine_tests! {
    async fn an_initial_access_token_registers_clients_that_manage_themselves(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let (jane, id) = setup(&app).await;
        let discovery: Value = app.get("/.well-known/openid-configuration").await.json().await.unwrap();
        assert_eq!(discovery["registration_endpoint"], format!("{}/oauth2/register", discovery["issuer"].as_str().unwrap()));

        let made = initial_token(&app, &jane, &id, json!({ "description": "CI", "max_uses": 2, "expires_in": 3600 })).await;
        let token = made["token"].as_str().unwrap().to_string();
        assert!(token.len() >= 43, "256 bits");
        assert_eq!((made["uses"].as_i64(), made["usable"].as_bool()), (Some(0), Some(true)));
        let (_, listed, _) = call(jane.get(app.url(&format!("/api/v1/applications/{id}/initial-access-tokens")))).await;
        assert_eq!(listed["initial_access_tokens"][0]["id"], made["id"]);
        assert!(listed["initial_access_tokens"][0].get("token").is_none(), "the token is shown once");

        // No token, a wrong one: 401 with the RFC 6750 challenge.
        let web = json!({ "client_name": "Ward web", "redirect_uris": ["https://ward.example/cb"], "scope": "openid dyn_read" });
        let (status, _, challenge) = call(app.client.post(app.url("/oauth2/register")).json(&web)).await;
        assert_eq!((status, challenge.as_deref()), (401, Some(r#"Bearer error="invalid_token""#)));
        let (status, refused, _) = register(&app, "not-a-token", web.clone()).await;
        assert_eq!((status, refused["error"].as_str()), (401, Some("invalid_token")));

        // Refused metadata, each with the spec's error; no use is spent.
        for (metadata, error) in [
            (json!({ "redirect_uris": ["http://ward.example/cb"] }), "invalid_redirect_uri"),
            (json!({ "redirect_uris": ["https://ward.example/cb#x"] }), "invalid_redirect_uri"),
            (json!({ "redirect_uris": ["https://ward.example/cb"], "scope": "openid dyn_admin" }), "invalid_client_metadata"),
            (json!({ "redirect_uris": ["https://ward.example/cb"], "scope": "openid tstapp_read" }), "invalid_client_metadata"),
            (json!({ "redirect_uris": ["https://ward.example/cb"], "token_endpoint_auth_method": "client_secret_jwt" }), "invalid_client_metadata"),
            (json!({ "grant_types": ["client_credentials"], "token_endpoint_auth_method": "private_key_jwt" }), "invalid_client_metadata"),
            (json!({ "grant_types": ["client_credentials"], "token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "https://ward.example/jwks" }), "invalid_client_metadata"),
            (json!({ "grant_types": ["client_credentials"], "token_endpoint_auth_method": "none" }), "invalid_client_metadata"),
            (json!({ "redirect_uris": "https://ward.example/cb" }), "invalid_client_metadata"),
            (json!({ "redirect_uris": ["https://ward.example/cb"], "response_types": ["code", "id_token"] }), "invalid_client_metadata"),
            (json!({ "grant_types": ["client_credentials"], "response_types": ["code"] }), "invalid_client_metadata"),
        ] {
            let (status, refused, _) = register(&app, &token, metadata.clone()).await;
            assert_eq!((status, refused["error"].as_str()), (400, Some(error)), "{metadata}: {refused}");
            assert!(!refused["error_description"].as_str().unwrap().is_empty());
        }
        let (status, refused, _) =
            call(app.client.post(app.url("/oauth2/register")).bearer_auth(&token).body(web.to_string())).await;
        assert_eq!((status, refused["error"].as_str()), (400, Some("invalid_client_metadata")), "JSON only");

        // A web client: secret, registration access token, its own URI.
        let (status, registered, _) = register(&app, &token, web.clone()).await;
        assert_eq!(status, 201, "{registered}");
        let client_id = registered["client_id"].as_str().unwrap().to_string();
        assert!(registered["client_secret"].as_str().unwrap().len() >= 43);
        assert_eq!(registered["client_secret_expires_at"], 0);
        assert_eq!(registered["token_endpoint_auth_method"], "client_secret_basic");
        assert_eq!(registered["grant_types"], json!(["authorization_code"]));
        assert_eq!(registered["response_types"], json!(["code"]));
        assert_eq!(registered["scope"], "openid dyn_read");
        let configuration_uri = registered["registration_client_uri"].as_str().unwrap().to_string();
        assert!(configuration_uri.ends_with(&format!("/oauth2/register/{client_id}")));
        let web_token = registered["registration_access_token"].as_str().unwrap().to_string();
        let stored = sanus_core::clients::find_client(&app.store, &client_id).await.unwrap().unwrap();
        assert!(!stored.first_party && stored.require_pkce, "never first-party, never without PKCE");

        // A machine client, with the second and last use; it gets tokens.
        let machine = json!({ "client_name": "Ward job", "grant_types": ["client_credentials"], "scope": "dyn_read" });
        let (status, job, _) = register(&app, &token, machine.clone()).await;
        assert_eq!(status, 201, "{job}");
        let (job_id, job_secret) = (job["client_id"].as_str().unwrap(), job["client_secret"].as_str().unwrap());
        let issued: Value = app.client.post(app.url("/token")).basic_auth(job_id, Some(job_secret))
            .form(&[("grant_type", "client_credentials"), ("scope", "dyn_read")]).send().await.unwrap().json().await.unwrap();
        let claims = claims_of(issued["access_token"].as_str().unwrap());
        assert_eq!((claims["scp"].clone(), claims["aud"].clone()), (json!(["dyn_read"]), json!("dyn")));
        let (status, _, _) = register(&app, &token, machine.clone()).await;
        assert_eq!(status, 401, "the token is used up");
        let (_, listed, _) = call(jane.get(app.url(&format!("/api/v1/applications/{id}/initial-access-tokens")))).await;
        assert_eq!((listed["initial_access_tokens"][0]["uses"].as_i64(), listed["initial_access_tokens"][0]["usable"].as_bool()), (Some(2), Some(false)));

        // RFC 7592: the registration access token opens its own client only.
        let (status, read, _) = call(app.client.get(&configuration_uri).bearer_auth(&web_token)).await;
        assert_eq!(status, 200, "{read}");
        assert_eq!(read["client_name"], "Ward web");
        assert!(read.get("client_secret").is_none() && read.get("registration_access_token").is_none());
        let job_token = job["registration_access_token"].as_str().unwrap();
        assert_eq!(call(app.client.get(&configuration_uri).bearer_auth(job_token)).await.0, 401, "another client's token");
        assert_eq!(call(app.client.get(&configuration_uri).bearer_auth(&token)).await.0, 401, "the initial token");
        assert_eq!(call(app.client.get(app.url("/oauth2/register/nothing")).bearer_auth(&web_token)).await.0, 401);

        let (status, refused, _) = call(app.client.put(&configuration_uri).bearer_auth(&web_token).json(&web)).await;
        assert_eq!((status, refused["error"].as_str()), (400, Some("invalid_client_metadata")), "a replacement names its client");
        // What the tenant set in the portal, which the metadata cannot say.
        sqlx::query("UPDATE clients SET require_mfa = 1, access_token_ttl = 120 WHERE id = $1")
            .bind(&client_id).execute(app.store.pool()).await.unwrap();
        let mut renamed = web.clone();
        renamed["client_id"] = json!(client_id);
        renamed["client_name"] = json!("Ward web 2");
        renamed["redirect_uris"] = json!(["https://ward.example/cb", "https://ward.example/cb2"]);
        let (status, replaced, _) = call(app.client.put(&configuration_uri).bearer_auth(&web_token).json(&renamed)).await;
        assert_eq!(status, 200, "{replaced}");
        assert_eq!(replaced["redirect_uris"].as_array().unwrap().len(), 2);
        let secret = registered["client_secret"].as_str().unwrap();
        let stored = sanus_core::clients::find_client(&app.store, &client_id).await.unwrap().unwrap();
        assert_eq!(stored.name, "Ward web 2");
        assert!(stored.require_mfa && stored.access_token_ttl == 120, "the tenant's choices stay");
        assert!(sanus_core::clients::secret_matches(&app.store, &stored.id, &sanus_core::clients::SecretHash::of(secret.as_bytes()), app.clock.now()).await.unwrap(), "the secret stays");

        let deleted = app.client.delete(app.url(&format!("/oauth2/register/{job_id}"))).bearer_auth(job_token).send().await.unwrap();
        assert_eq!(deleted.status(), 204);
        let refused = app.client.post(app.url("/token")).basic_auth(job_id, Some(job_secret))
            .form(&[("grant_type", "client_credentials")]).send().await.unwrap();
        assert_eq!(refused.status(), 401, "a deleted client gets no tokens");
        assert_eq!(call(app.client.get(app.url(&format!("/oauth2/register/{job_id}"))).bearer_auth(job_token)).await.0, 401);

        let events = sanus_core::audit::latest(&app.store, 50).await.unwrap();
        let created = events.iter().filter(|e| e.kind == "client.created" && e.detail.contains("dynamic_registration")).count();
        assert_eq!(created, 2);
        assert!(events.iter().any(|e| e.kind == "client.initial_token_created"));
        assert!(events.iter().any(|e| e.kind == "client.deleted" && e.detail.contains("dynamic_registration")));
        assert!(events.iter().all(|e| !e.detail.contains(&token) && !e.detail.contains(&web_token)), "no token in the audit");
    }

    async fn initial_tokens_expire_are_revoked_and_belong_to_their_application(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let (jane, id) = setup(&app).await;
        let web = json!({ "redirect_uris": ["https://ward.example/cb"] });

        let (status, refused, _) = call(jane.post(app.url(&format!("/api/v1/applications/{id}/initial-access-tokens")))
            .json(&json!({ "max_uses": 0, "expires_in": 40 * 86_400 }))).await;
        assert_eq!(status, 400);
        assert!(refused["fields"]["max_uses"].is_array() && refused["fields"]["expires_in"].is_array(), "{refused}");
        let key = sanus_core::applications::ShortKey::parse("rivalapp").unwrap();
        let rival = sanus_core::applications::find_application_by_short_key(&app.store, &key).await.unwrap().unwrap().id;
        let (status, _, _) = call(jane.post(app.url(&format!("/api/v1/applications/{rival}/initial-access-tokens"))).json(&json!({}))).await;
        assert_eq!(status, 404, "another tenant's application");

        let short = initial_token(&app, &jane, &id, json!({ "expires_in": 60 })).await;
        app.clock.advance(61);
        assert_eq!(register(&app, short["token"].as_str().unwrap(), web.clone()).await.0, 401, "expired");

        let revoked = initial_token(&app, &jane, &id, json!({ "max_uses": 5 })).await;
        let revoked_id = revoked["id"].as_str().unwrap();
        let (status, answer, _) = call(jane.delete(app.url(&format!("/api/v1/applications/{id}/initial-access-tokens/{revoked_id}")))).await;
        assert_eq!((status, answer["usable"].as_bool()), (200, Some(false)));
        assert_eq!(register(&app, revoked["token"].as_str().unwrap(), web.clone()).await.0, 401, "revoked");
        assert_eq!(call(jane.delete(app.url(&format!("/api/v1/applications/{id}/initial-access-tokens/nothing")))).await.0, 404);

        // A key client: public keys instead of a secret.
        let keyed = initial_token(&app, &jane, &id, json!({})).await;
        let jwks = json!({ "keys": [{ "kty": "EC", "crv": "P-256", "kid": "k1", "x": "KjOHipN5wUA8tRGq2deFXMX_rwU2d5Zv5Y8vv43hbwM", "y": "SZlS3Dj9h9T0p5RgPp35AvJG26Jx9FoCwKxjnvwO9_E" }] });
        let (status, robot, _) = register(&app, keyed["token"].as_str().unwrap(), json!({
            "grant_types": ["client_credentials"], "token_endpoint_auth_method": "private_key_jwt", "jwks": jwks, "scope": "dyn_read",
        })).await;
        assert_eq!(status, 201, "{robot}");
        assert!(robot.get("client_secret").is_none() && robot.get("client_secret_expires_at").is_none(), "{robot}");
        assert_eq!(robot["jwks"]["keys"][0]["kid"], "k1");

        // Two registrations racing for the last use: exactly one has it.
        let last = initial_token(&app, &jane, &id, json!({})).await;
        let last = last["token"].as_str().unwrap();
        let (first, second) = tokio::join!(register(&app, last, web.clone()), register(&app, last, web.clone()));
        let mut statuses = [first.0, second.0];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 401]);
    }
}
