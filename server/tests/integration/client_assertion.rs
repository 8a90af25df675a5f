//! `private_key_jwt` client authentication (RFC 7523 §2.2): a client that
//! registered public keys proves itself with a JWT signed by one of them,
//! at the token, introspection and revocation endpoints; each assertion
//! works once, for Sanus only, for a short while.

use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use sanus_core::clock::Clock as _;
use serde_json::{Value, json};

use crate::flow::claims_of;
use crate::helpers::{TestApp, jane_signed_in, spawn_seeded_app};

// Test keys only: generated for these tests, signing nothing else.
const KEY_1: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgiHiiOWdHF0a2VpLJ
bumh5yjZqu9aaBJZ0fIltSWq0v2hRANCAAQqM4eKk3nBQDy1EarZ14Vcxf+vBTZ3
lm/ljy+/jeFvA0mZUtw4/YfU9KeUYD6d+QLyRtuicfRaAsCsY578Dvfx
-----END PRIVATE KEY-----";
const KEY_2: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgt0yCNpvbDeOLv/6M
iOk0T9tl+gfEWpqrpP22jTNU5iOhRANCAARiDoUptp5nA7QgsljoshsSR+sHN4WQ
OP/Kd9V5+RDpY5ixhdFelGg++IdvUhZLx/Xi6arFsM2px+I/HplCR3j0
-----END PRIVATE KEY-----";

const SIGNER: &str = r#"
[[clients]]
application = "tstapp"
client_id = "signer"
kind = "m2m"
name = "Lab robot"
token_endpoint_auth_method = "private_key_jwt"
allowed_scopes = ["tstapp_data.read"]
jwks = { keys = [{ kty = "EC", crv = "P-256", kid = "k1", use = "sig", alg = "ES256", x = "KjOHipN5wUA8tRGq2deFXMX_rwU2d5Zv5Y8vv43hbwM", y = "SZlS3Dj9h9T0p5RgPp35AvJG26Jx9FoCwKxjnvwO9_E" }] }
"#;

fn assertion(app: &TestApp, key: &str, aud: &str, lifetime: i64, jti: &str) -> String {
    let now = app.clock.now().0;
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("k1".into());
    let claims = json!({ "iss": "signer", "sub": "signer", "aud": aud, "exp": now + lifetime, "iat": now, "jti": jti });
    let body: String = key.lines().filter(|line| !line.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD.decode(body).unwrap();
    encode(&header, &claims, &EncodingKey::from_ec_der(&der)).unwrap()
}

async fn token_with(app: &TestApp, assertion: &str) -> (u16, Value) {
    let response = app
        .client
        .post(app.url("/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", assertion),
        ])
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

sanus_core::engine_tests! {
    async fn a_client_proves_itself_with_a_jwt_signed_by_its_registered_key(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.import(SIGNER).await;
        let discovery: Value = app.get("/.well-known/openid-configuration").await.json().await.unwrap();
        assert!(discovery["token_endpoint_auth_methods_supported"].as_array().unwrap().contains(&json!("private_key_jwt")));
        assert!(discovery["token_endpoint_auth_signing_alg_values_supported"].as_array().unwrap().contains(&json!("ES256")));
        let issuer = discovery["issuer"].as_str().unwrap().to_string();
        let token_endpoint = format!("{issuer}/token");

        let first = assertion(&app, KEY_1, &token_endpoint, 60, "jti-1");
        let (status, issued) = token_with(&app, &first).await;
        assert_eq!(status, 200, "{issued}");
        let claims = claims_of(issued["access_token"].as_str().unwrap());
        assert_eq!((claims["client_id"].as_str(), claims["scp"].clone()), (Some("signer"), json!(["tstapp_data.read"])));
        assert_eq!(token_with(&app, &assertion(&app, KEY_1, &issuer, 60, "jti-issuer")).await.0, 200, "the issuer is an audience too");

        for (refused, why) in [
            (first.clone(), "replayed"),
            (assertion(&app, KEY_1, "https://elsewhere.example/token", 60, "jti-2"), "another audience"),
            (assertion(&app, KEY_1, &token_endpoint, -1, "jti-3"), "expired"),
            (assertion(&app, KEY_1, &token_endpoint, 3_600, "jti-4"), "valid for too long"),
            (assertion(&app, KEY_2, &token_endpoint, 60, "jti-5"), "another key"),
            ("not.a.jwt".to_string(), "garbage"),
        ] {
            let (status, answer) = token_with(&app, &refused).await;
            assert_eq!((status, answer["error"].as_str()), (401, Some("invalid_client")), "{why}");
        }
        let secret = app.client.post(app.url("/token")).basic_auth("signer", Some("a-guessed-secret-0123456789abcdef"))
            .form(&[("grant_type", "client_credentials")]).send().await.unwrap();
        assert_eq!(secret.status(), 401, "a key client has no secret");
        let wrong_type = app.client.post(app.url("/token"))
            .form(&[("grant_type", "client_credentials"), ("client_assertion_type", "urn:other"), ("client_assertion", first.as_str())])
            .send().await.unwrap();
        assert_eq!(wrong_type.status(), 401);

        // The introspection endpoint takes assertions too.
        let introspected: Value = app.client.post(app.url("/introspect"))
            .form(&[("token", issued["access_token"].as_str().unwrap()),
                    ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                    ("client_assertion", assertion(&app, KEY_1, &format!("{issuer}/introspect"), 60, "jti-6").as_str())])
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(introspected["active"], true);

        // The hourly upkeep forgets a jti once its assertion could no longer be used.
        app.clock.advance(61);
        let live = assertion(&app, KEY_1, &token_endpoint, 60, "jti-7");
        assert_eq!(token_with(&app, &live).await.0, 200);
        let before = remembered(&app).await;
        assert!(before >= 2, "{before}");
        let forgotten = sanus_core::tokens::forget_spent_assertions(&app.store, app.clock.now()).await.unwrap();
        assert_eq!(forgotten, (before - 1) as u64, "all but the live one");
        assert_eq!(remembered(&app).await, 1);
        assert_eq!(token_with(&app, &live).await.0, 401, "the live one is still refused a second time");
    }

    async fn registrations_carry_public_keys_only(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.import("[[memberships]]\ntenant = \"acme-dev\"\nuser = \"jane@acme.example\"\nroles = [\"admin\"]\n").await;
        let jane = jane_signed_in(&app, "/account").await;
        let key = sanus_core::applications::ShortKey::parse("tstapp").unwrap();
        let id = sanus_core::applications::find_application_by_short_key(&app.store, &key).await.unwrap().unwrap().id;
        let create = |jwks: Value| {
            jane.post(app.url(&format!("/api/v1/applications/{id}/clients")))
                .json(&json!({ "kind": "m2m", "name": "Robot", "token_endpoint_auth_method": "private_key_jwt", "jwks": jwks }))
                .send()
        };
        let public = json!({ "kty": "EC", "crv": "P-256", "kid": "k1", "x": "KjOHipN5wUA8tRGq2deFXMX_rwU2d5Zv5Y8vv43hbwM", "y": "SZlS3Dj9h9T0p5RgPp35AvJG26Jx9FoCwKxjnvwO9_E" });
        let mut private = public.clone();
        private["d"] = json!("iHiiOWdHF0a2VpLJbumh5yjZqu9aaBJZ0fIltSWq0v0");
        for (jwks, expected) in [
            (Value::Null, "needs the public keys"),
            (json!({ "keys": [private] }), "register only the public part"),
            (json!({ "keys": [{ "kty": "oct", "k": "c2VjcmV0" }] }), "register only the public part"),
            (json!({ "keys": [{ "kty": "EC", "crv": "P-256", "x": "AA", "y": "AA" }] }), "not a public RSA, EC"),
            (json!({ "keys": [public.clone(), public.clone()] }), "distinct kids"),
            (json!({ "keys": [] }), "1 to 10 keys"),
        ] {
            let refused: Value = create(jwks.clone()).await.unwrap().json().await.unwrap();
            let message = refused["fields"]["jwks"][0].as_str().unwrap_or_default();
            assert!(message.contains(expected), "{jwks}: {refused}");
        }
        let created = create(json!({ "keys": [public] })).await.unwrap();
        assert_eq!(created.status(), 201);
        let created: Value = created.json().await.unwrap();
        assert!(created.get("client_secret").is_none(), "no secret for a key client");
        assert_eq!(created["token_endpoint_auth_method"], "private_key_jwt");
    }
}

async fn remembered(app: &TestApp) -> i64 {
    sanus_core::tokens::remembered_assertions(&app.store).await.unwrap()
}
