//! What happens to tokens after the code exchange: single-use codes,
//! PKCE binding, refresh rotation and reuse detection, UserInfo.

use serde_json::Value;

use crate::flow::{CALLBACK, VERIFIER, location, params_of, spa_request};
use crate::helpers::{TestApp, spawn_seeded_app};

async fn fresh_code(app: &TestApp) -> String {
    params_of(&app.run_flow(&spa_request()).await)["code"].clone()
}

async fn error_of(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    body["error"].as_str().unwrap().to_string()
}

sanus_core::engine_tests! {
    async fn a_replayed_code_is_refused_and_revokes_what_it_issued(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let code = fresh_code(&app).await;
        let tokens: Value = app.exchange(&code, VERIFIER).await.json().await.unwrap();
        let access = tokens["access_token"].as_str().unwrap();
        assert_eq!(app.userinfo(access).await.status(), 200);

        assert_eq!(error_of(app.exchange(&code, VERIFIER).await).await, "invalid_grant");
        let refused = app.userinfo(access).await;
        assert_eq!(refused.status(), 401);
        assert!(refused.headers()["www-authenticate"].to_str().unwrap().contains("invalid_token"));
        assert_eq!(error_of(app.refresh(tokens["refresh_token"].as_str().unwrap()).await).await, "invalid_grant");
    }

    async fn the_code_needs_the_right_verifier_client_and_redirect(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let code = fresh_code(&app).await;
        assert_eq!(error_of(app.exchange(&code, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj").await).await, "invalid_grant");

        let code = fresh_code(&app).await;
        let missing = app.client.post(app.url("/token"))
            .form(&[("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", CALLBACK), ("client_id", "spa")])
            .send().await.unwrap();
        assert_eq!(error_of(missing).await, "invalid_grant");

        let code = fresh_code(&app).await;
        let other_client = app.client.post(app.url("/token"))
            .form(&[("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", CALLBACK), ("code_verifier", VERIFIER), ("client_id", "spa2")])
            .send().await.unwrap();
        assert_eq!(error_of(other_client).await, "invalid_grant", "a public client's code is useless to another");

        let code = fresh_code(&app).await;
        let other_redirect = app.client.post(app.url("/token"))
            .form(&[("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", "https://app.acme.example/callback?tenant=1"), ("code_verifier", VERIFIER), ("client_id", "spa")])
            .send().await.unwrap();
        assert_eq!(error_of(other_redirect).await, "invalid_grant");

        let code = fresh_code(&app).await;
        app.clock.advance(61);
        assert_eq!(error_of(app.exchange(&code, VERIFIER).await).await, "invalid_grant", "codes live a minute");
    }

    async fn refresh_tokens_rotate_and_a_reused_one_revokes_the_grant(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let code = fresh_code(&app).await;
        let first: Value = app.exchange(&code, VERIFIER).await.json().await.unwrap();
        let first_refresh = first["refresh_token"].as_str().unwrap();
        let second: Value = app.refresh(first_refresh).await.json().await.unwrap();
        let second_refresh = second["refresh_token"].as_str().unwrap();
        assert_ne!(first_refresh, second_refresh);
        assert!(second["id_token"].as_str().is_some());
        assert_eq!(app.userinfo(second["access_token"].as_str().unwrap()).await.status(), 200);

        assert_eq!(error_of(app.refresh(first_refresh).await).await, "invalid_grant");
        assert_eq!(error_of(app.refresh(second_refresh).await).await, "invalid_grant", "the whole grant is revoked");
        assert_eq!(app.userinfo(second["access_token"].as_str().unwrap()).await.status(), 401);
    }

    async fn refresh_can_narrow_the_scope_but_not_widen_it(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let code = fresh_code(&app).await;
        let tokens: Value = app.exchange(&code, VERIFIER).await.json().await.unwrap();
        let refresh = tokens["refresh_token"].as_str().unwrap();
        let wider = app.client.post(app.url("/token"))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", "spa"), ("scope", "openid tstapp_data.read")])
            .send().await.unwrap();
        assert_eq!(error_of(wider).await, "invalid_scope");
        let narrower: Value = app.client.post(app.url("/token"))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", "spa"), ("scope", "openid email")])
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(narrower["scope"], "openid email", "the refused attempt did not use the token up");
    }

    async fn userinfo_speaks_rfc6750(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let missing = app.client.get(app.url("/userinfo")).send().await.unwrap();
        assert_eq!(missing.status(), 401);
        assert_eq!(missing.headers()["www-authenticate"], "Bearer realm=\"sanus\"");
        assert_eq!(app.userinfo("not.a.token").await.status(), 401);

        let machine: Value = app.client.post(app.url("/token"))
            .basic_auth("m2m-basic", Some(crate::helpers::M2M_SECRET))
            .form(&[("grant_type", "client_credentials")])
            .send().await.unwrap().json().await.unwrap();
        let no_openid = app.userinfo(machine["access_token"].as_str().unwrap()).await;
        assert_eq!(no_openid.status(), 403);
        assert!(no_openid.headers()["www-authenticate"].to_str().unwrap().contains("insufficient_scope"));

        let code = fresh_code(&app).await;
        let tokens: Value = app.exchange(&code, VERIFIER).await.json().await.unwrap();
        let access = tokens["access_token"].as_str().unwrap();
        let by_post = app.client.post(app.url("/userinfo")).bearer_auth(access).send().await.unwrap();
        assert_eq!(by_post.status(), 200);
        app.clock.advance(3_601);
        assert_eq!(app.userinfo(access).await.status(), 401, "expired");
    }

    async fn discovery_describes_exactly_what_is_served(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        for path in ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"] {
            let doc: Value = app.get(path).await.json().await.unwrap();
            assert_eq!(doc["issuer"], app.issuer());
            assert_eq!(doc["code_challenge_methods_supported"], serde_json::json!(["S256"]));
            assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
            for endpoint in ["authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"] {
                let url = doc[endpoint].as_str().unwrap();
                let path = url.strip_prefix(app.issuer()).unwrap();
                assert_ne!(app.get(path).await.status(), 404, "{endpoint} is served");
            }
        }
        let _ = location;
    }
}
