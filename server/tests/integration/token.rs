//! The token endpoint: client authentication, the client credentials grant,
//! RFC 9068 access tokens, errors, CORS.

use base64::Engine as _;
use serde_json::Value;

use crate::flow::claims_of;
use crate::helpers::{M2M_SECRET, POST_SECRET, TestApp, spawn_seeded_app};

async fn post_token(app: &TestApp, form: &[(&str, &str)], basic: Option<(&str, &str)>) -> reqwest::Response {
    let mut request = app.client.post(app.url("/token")).form(form);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    request.send().await.unwrap()
}

async fn error_of(response: reqwest::Response, status: u16) -> String {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert!(body["error_description"].as_str().is_some_and(|d| !d.is_empty()), "{body}");
    body["error"].as_str().unwrap().to_string()
}

/// Verifies `token` against the app's published JWKS, returns header and claims.
async fn verify(app: &TestApp, token: &str) -> (jsonwebtoken::Header, Value) {
    let header = jsonwebtoken::decode_header(token).unwrap();
    let jwks: jsonwebtoken::jwk::JwkSet = app.get("/jwks").await.json().await.unwrap();
    let jwk = jwks.find(header.kid.as_deref().unwrap()).expect("signed with a published key");
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(header.alg);
    validation.validate_aud = false;
    validation.set_issuer(&[app.issuer()]);
    let data = jsonwebtoken::decode::<Value>(token, &key, &validation).unwrap();
    (header, data.claims)
}

sanus_core::engine_tests! {
    async fn client_credentials_issue_an_rfc9068_access_token(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let response = post_token(&app, &[("grant_type", "client_credentials"), ("scope", "tstapp_datamanagement")], Some(("m2m-basic", M2M_SECRET))).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "no-store");
        assert_eq!(response.headers()["pragma"], "no-cache");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["token_type"], "bearer");
        assert_eq!(body["expires_in"], 600);
        assert_eq!(body["scope"], "tstapp_datamanagement");

        let (header, claims) = verify(&app, body["access_token"].as_str().unwrap()).await;
        assert_eq!(header.typ.as_deref(), Some("at+jwt"));
        assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
        assert_eq!(claims["iss"], app.issuer());
        assert_eq!(claims["aud"], "tstapp");
        assert_eq!(claims["client_id"], "m2m-basic");
        assert_eq!(claims["scope"], "tstapp_datamanagement");
        assert_eq!(claims["scp"], serde_json::json!(["tstapp_datamanagement"]));
        assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 600);
        assert!(claims["jti"].as_str().is_some_and(|j| j.len() >= 22));
        let robot = sanus_core::users::find_user_by_email(&app.store, &sanus_core::users::Email::parse("robot@acme.example").unwrap())
            .await.unwrap().unwrap();
        assert_eq!(claims["sub"], robot.id.as_str(), "the service account is the subject");
    }

    async fn without_scope_the_client_gets_all_it_is_allowed(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let response = post_token(&app, &[("grant_type", "client_credentials")], Some(("m2m-basic", M2M_SECRET))).await;
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["scope"], "tstapp_datamanagement tstapp_data.read");

        // Allowed a person's scopes too (for its users' flows): without a
        // user, the default leaves them out.
        app.import(r#"
[[clients]]
application = "tstapp"
client_id = "m2m-wide"
secret = "m2m-wide-secret-0123456789abcdef012345"
kind = "m2m"
name = "Wide backend"
allowed_scopes = ["openid", "profile", "tstapp_data.read"]
"#).await;
        let response = post_token(&app, &[("grant_type", "client_credentials")], Some(("m2m-wide", "m2m-wide-secret-0123456789abcdef012345"))).await;
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["scope"], "tstapp_data.read");
        assert_eq!(claims_of(body["access_token"].as_str().unwrap())["scp"], serde_json::json!(["tstapp_data.read"]));
    }

    async fn an_id_no_client_can_have_is_an_unknown_client(db: TestDatabase) {
        // PostgreSQL refuses text with a NUL byte: a client's mistake, not the server's.
        let app = spawn_seeded_app(db).await;
        let form = [("grant_type", "client_credentials"), ("client_id", "\0"), ("client_secret", "x")];
        assert_eq!(error_of(post_token(&app, &form, None).await, 401).await, "invalid_client");
        let form = [("grant_type", "client_credentials")];
        assert_eq!(error_of(post_token(&app, &form, Some(("m2m\0", "x"))).await, 401).await, "invalid_client");
    }

    async fn client_secret_post_works_and_methods_cannot_be_mixed(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let ok = post_token(&app, &[("grant_type", "client_credentials"), ("client_id", "m2m-post"), ("client_secret", POST_SECRET)], None).await;
        assert_eq!(ok.status(), 200);
        let (_, claims) = verify(&app, ok.json::<Value>().await.unwrap()["access_token"].as_str().unwrap()).await;
        assert_eq!(claims["sub"], "m2m-post", "without a service account the client is the subject");

        let registered_other = post_token(&app, &[("grant_type", "client_credentials")], Some(("m2m-post", POST_SECRET))).await;
        assert_eq!(error_of(registered_other, 401).await, "invalid_client");
        let both = post_token(&app, &[("grant_type", "client_credentials"), ("client_secret", POST_SECRET)], Some(("m2m-post", POST_SECRET))).await;
        assert_eq!(error_of(both, 400).await, "invalid_request");
    }

    async fn wrong_or_missing_credentials_are_401_invalid_client(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let attempts = [
            (vec![("grant_type", "client_credentials")], Some(("m2m-basic", "wrong-secret"))),
            (vec![("grant_type", "client_credentials")], Some(("nobody", M2M_SECRET))),
            (vec![("grant_type", "client_credentials")], None),
            (vec![("grant_type", "client_credentials"), ("client_id", "m2m-basic")], None),
        ];
        for (form, basic) in attempts {
            let response = post_token(&app, &form, basic).await;
            assert!(response.headers()["www-authenticate"].to_str().unwrap().starts_with("Basic"), "{form:?}");
            assert_eq!(error_of(response, 401).await, "invalid_client", "{form:?} {basic:?}");
        }
    }

    async fn scopes_outside_the_clients_allowance_are_invalid_scope(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        for scope in ["tstapp_admin", "openid", "tstapp_data.read other_api", "bad\"scope"] {
            let response = post_token(&app, &[("grant_type", "client_credentials"), ("scope", scope)], Some(("m2m-basic", M2M_SECRET))).await;
            assert_eq!(error_of(response, 400).await, "invalid_scope", "{scope}");
        }
    }

    async fn a_public_client_cannot_use_client_credentials(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let response = post_token(&app, &[("grant_type", "client_credentials"), ("client_id", "spa")], None).await;
        assert_eq!(error_of(response, 400).await, "unauthorized_client");
    }

    async fn malformed_requests_get_the_specs_errors(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let basic = Some(("m2m-basic", M2M_SECRET));
        assert_eq!(error_of(post_token(&app, &[("scope", "x")], basic).await, 400).await, "invalid_request");
        assert_eq!(error_of(post_token(&app, &[("grant_type", "implicit")], basic).await, 400).await, "unsupported_grant_type");
        // Grants the client was not registered for.
        for grant in ["authorization_code", "refresh_token", "password"] {
            let response = post_token(&app, &[("grant_type", grant), ("code", "x"), ("refresh_token", "x")], basic).await;
            assert_eq!(error_of(response, 400).await, "unauthorized_client", "{grant}");
        }
        let repeated = app.client.post(app.url("/token"))
            .basic_auth("m2m-basic", Some(M2M_SECRET))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials&scope=a&scope=b")
            .send().await.unwrap();
        assert_eq!(error_of(repeated, 400).await, "invalid_request");
        let json = app.client.post(app.url("/token"))
            .basic_auth("m2m-basic", Some(M2M_SECRET))
            .json(&serde_json::json!({"grant_type": "client_credentials"}))
            .send().await.unwrap();
        assert_eq!(error_of(json, 400).await, "invalid_request");
    }

    async fn browsers_of_registered_origins_may_call_the_token_endpoint(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let preflight = |origin: &'static str| {
            app.client.request(reqwest::Method::OPTIONS, app.url("/token"))
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .send()
        };
        let allowed = preflight("https://app.acme.example").await.unwrap();
        assert_eq!(allowed.status(), 204);
        assert_eq!(allowed.headers()["access-control-allow-origin"], "https://app.acme.example");
        assert!(allowed.headers()["access-control-allow-methods"].to_str().unwrap().contains("POST"));
        let refused = preflight("https://evil.example").await.unwrap();
        assert!(refused.headers().get("access-control-allow-origin").is_none());

        // A cross-site POST reaches the endpoint (no CSRF guard here) and
        // the registered origin may read the answer.
        let response = app.client.post(app.url("/token"))
            .header("origin", "https://app.acme.example")
            .header("sec-fetch-site", "cross-site")
            .form(&[("grant_type", "client_credentials"), ("client_id", "spa")])
            .send().await.unwrap();
        assert_eq!(response.headers()["access-control-allow-origin"], "https://app.acme.example");
        assert_eq!(error_of(response, 400).await, "unauthorized_client");

        // A confidential client from a browser origin it did not register.
        let response = app.client.post(app.url("/token"))
            .header("origin", "https://evil.example")
            .basic_auth("m2m-basic", Some(M2M_SECRET))
            .form(&[("grant_type", "client_credentials")])
            .send().await.unwrap();
        assert!(response.headers().get("access-control-allow-origin").is_none());
        assert_eq!(error_of(response, 401).await, "invalid_client");
    }

    async fn the_openidconnect_crate_gets_a_client_credentials_token(db: TestDatabase) {
        use openidconnect::core::CoreClient;
        use openidconnect::{ClientId, ClientSecret, IssuerUrl, JsonWebKeySet, OAuth2TokenResponse as _, Scope, TokenUrl};
        let app = spawn_seeded_app(db).await;
        let client = CoreClient::new(ClientId::new("m2m-basic".into()), IssuerUrl::new("http://127.0.0.1".into()).unwrap(), JsonWebKeySet::default())
            .set_client_secret(ClientSecret::new(M2M_SECRET.into()))
            .set_token_uri(TokenUrl::new(app.url("/token")).unwrap());
        let http = reqwest::ClientBuilder::new()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let token = client
            .exchange_client_credentials()
            .add_scope(Scope::new("tstapp_data.read".into()))
            .request_async(&http)
            .await
            .unwrap();
        assert_eq!(token.scopes().unwrap()[0].as_str(), "tstapp_data.read");
        assert_eq!(token.expires_in().unwrap().as_secs(), 600);
        let payload = token.access_token().secret().split('.').nth(1).unwrap().to_string();
        let claims: Value = serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        assert_eq!(claims["client_id"], "m2m-basic");
    }
}

mod client_cache {
    use crate::helpers::{M2M_SECRET, SEED, spawn_seeded_app};

    sanus_core::engine_tests! {
        async fn a_changed_secret_takes_effect_within_the_cache_lifetime(db: TestDatabase) {
            let app = spawn_seeded_app(db).await;
            let token = |secret: &'static str| {
                app.client.post(app.url("/token")).basic_auth("m2m-basic", Some(secret)).form(&[("grant_type", "client_credentials")]).send()
            };
            assert_eq!(token(M2M_SECRET).await.unwrap().status(), 200);
            let rotated = "m2m-basic-new-secret-0123456789abcdef01";
            app.import(&SEED.replace(M2M_SECRET, rotated)).await;
            app.clock.advance(sanus::clients::TTL_SECONDS);
            assert_eq!(token(M2M_SECRET).await.unwrap().status(), 401, "the old secret no longer works");
            assert_eq!(token(rotated).await.unwrap().status(), 200);
        }
    }
}
