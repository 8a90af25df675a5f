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

/// One `token.reuse_detected` event, naming Jane, the client, the kind of
/// token and its grant, and counted in the metrics.
async fn assert_reuse_audited(app: &TestApp, token: &str) {
    let events = sanus_core::audit::latest(&app.store, 50).await.unwrap();
    let reuses: Vec<_> = events.iter().filter(|event| event.kind == "token.reuse_detected").collect();
    assert_eq!(reuses.len(), 1, "{events:?}");
    let jane = sanus_core::users::find_user_by_email(
        &app.store,
        &sanus_core::users::Email::parse(crate::helpers::JANE).unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(reuses[0].user_id.as_deref(), Some(jane.id.as_str()));
    assert_eq!(reuses[0].client_id.as_deref(), Some("spa"));
    let detail: Value = serde_json::from_str(&reuses[0].detail).unwrap();
    assert_eq!(detail["token"], token);
    assert!(detail["family"].as_str().is_some_and(|family| !family.is_empty()));
    let metrics = app.metrics().await;
    assert!(metrics.contains("sanus_audit_events_total{kind=\"token.reuse_detected\"} 1\n"), "{metrics}");
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
        assert_reuse_audited(&app, "authorization_code").await;
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
        assert_reuse_audited(&app, "refresh_token").await;
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

mod introspection_revocation_logout {
    use serde_json::Value;

    use crate::flow::{VERIFIER, location, params_of, spa_request, with};
    use crate::helpers::{M2M_SECRET, POST_SECRET, TestApp, spawn_seeded_app};

    async fn introspect(app: &TestApp, token: &str) -> Value {
        let response = app
            .client
            .post(app.url("/introspect"))
            .basic_auth("m2m-basic", Some(M2M_SECRET))
            .form(&[("token", token)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "no-store");
        response.json().await.unwrap()
    }

    /// The hidden fields of a page's form, in order.
    fn hidden_inputs(html: &str) -> Vec<(String, String)> {
        html.split("<input type=\"hidden\" name=\"")
            .skip(1)
            .map(|rest| {
                let (name, rest) = rest.split_once('"').unwrap();
                let value = rest.split_once("value=\"").unwrap().1.split_once('"').unwrap().0;
                (name.to_string(), value.replace("&amp;", "&"))
            })
            .collect()
    }

    async fn user_tokens(app: &TestApp) -> Value {
        let code = params_of(&app.run_flow(&spa_request()).await)["code"].clone();
        app.exchange(&code, VERIFIER).await.json().await.unwrap()
    }

    sanus_core::engine_tests! {
        async fn introspection_reports_live_tokens_and_nothing_else(db: TestDatabase) {
            let app = spawn_seeded_app(db).await;
            let tokens = user_tokens(&app).await;
            let access = introspect(&app, tokens["access_token"].as_str().unwrap()).await;
            assert_eq!(access["active"], true);
            assert_eq!(access["client_id"], "spa");
            assert_eq!(access["scope"], "openid profile email offline_access");
            assert_eq!(access["token_type"], "Bearer");
            assert!(access["exp"].as_i64().is_some() && access["sub"].as_str().is_some());
            // Refresh tokens only for the client that holds them.
            let refresh = introspect(&app, tokens["refresh_token"].as_str().unwrap()).await;
            assert_eq!(refresh, serde_json::json!({"active": false}));
            for junk in ["nonsense", "a.b.c", ""] {
                let body = app.client.post(app.url("/introspect")).basic_auth("m2m-basic", Some(M2M_SECRET)).form(&[("token", junk)]).send().await.unwrap();
                let status = body.status();
                let body: Value = body.json().await.unwrap();
                if junk.is_empty() {
                    assert_eq!((status.as_u16(), body["error"].as_str()), (400, Some("invalid_request")));
                } else {
                    assert_eq!(body, serde_json::json!({"active": false}), "{junk}");
                }
            }
            let public = app.client.post(app.url("/introspect")).form(&[("token", "x"), ("client_id", "spa")]).send().await.unwrap();
            assert_eq!(public.status(), 401, "public clients may not introspect");
            let wrong = app.client.post(app.url("/introspect")).basic_auth("m2m-basic", Some("wrong")).form(&[("token", "x")]).send().await.unwrap();
            assert_eq!(wrong.status(), 401);
        }

        async fn expired_tokens_introspect_as_inactive(db: TestDatabase) {
            let app = spawn_seeded_app(db).await;
            let tokens = user_tokens(&app).await;
            let access = tokens["access_token"].as_str().unwrap();
            let expires_in = tokens["expires_in"].as_i64().unwrap();
            app.clock.advance(expires_in - 1);
            assert_eq!(introspect(&app, access).await["active"], true);
            app.clock.advance(1);
            assert_eq!(introspect(&app, access).await, serde_json::json!({"active": false}));
        }

        async fn a_replayed_code_stops_its_tokens_introspecting(db: TestDatabase) {
            let app = spawn_seeded_app(db).await;
            let code = params_of(&app.run_flow(&spa_request()).await)["code"].clone();
            let tokens: Value = app.exchange(&code, VERIFIER).await.json().await.unwrap();
            let access = tokens["access_token"].as_str().unwrap();
            assert_eq!(introspect(&app, access).await["active"], true);
            assert_eq!(app.exchange(&code, VERIFIER).await.status(), 400);
            assert_eq!(introspect(&app, access).await["active"], false);
        }

        async fn offline_is_a_synonym_of_offline_access(db: TestDatabase) {
            let app = spawn_seeded_app(db).await;
            let code = params_of(&app.run_flow(&with(spa_request(), "scope", Some("openid offline"))).await)["code"].clone();
            let tokens: Value = app.exchange(&code, VERIFIER).await.json().await.unwrap();
            assert!(tokens["refresh_token"].as_str().is_some(), "{tokens}");
            let refreshed = app.refresh(tokens["refresh_token"].as_str().unwrap()).await;
            assert_eq!(refreshed.status(), 200);
        }

        async fn revocation_and_userinfo_answers_are_not_stored(db: TestDatabase) {
            let app = spawn_seeded_app(db).await;
            let tokens = user_tokens(&app).await;
            let access = tokens["access_token"].as_str().unwrap();
            let info = app.userinfo(access).await;
            assert_eq!((info.status().as_u16(), info.headers()["cache-control"].to_str().unwrap()), (200, "no-store"));
            let revoked = app.client.post(app.url("/revoke")).form(&[("token", access), ("client_id", "spa")]).send().await.unwrap();
            assert_eq!((revoked.status().as_u16(), revoked.headers()["cache-control"].to_str().unwrap()), (200, "no-store"));
            let refused = app.userinfo(access).await;
            assert_eq!((refused.status().as_u16(), refused.headers()["cache-control"].to_str().unwrap()), (401, "no-store"));
        }

        async fn a_revocation_on_another_instance_takes_effect_within_a_second(db: TestDatabase) {
            let app = spawn_seeded_app(db).await;
            let other = app.another_instance().await;
            let tokens = user_tokens(&app).await;
            let access = tokens["access_token"].as_str().unwrap();
            assert_eq!(introspect(&other, access).await["active"], true);
            let revoked = app.client.post(app.url("/revoke")).form(&[("token", access), ("client_id", "spa")]).send().await.unwrap();
            assert_eq!(revoked.status(), 200);
            assert_eq!(introspect(&app, access).await["active"], false, "at once where it was revoked");
            // Within the second, the other instance answers from memory ...
            assert_eq!(introspect(&other, access).await["active"], true);
            // ... and reads the revocations again once it has passed.
            other.clock.advance(1);
            assert_eq!(introspect(&other, access).await["active"], false);
            assert_eq!(other.userinfo(access).await.status(), 401);
        }

        async fn revoking_a_refresh_token_ends_the_grant(db: TestDatabase) {
            let app = spawn_seeded_app(db).await;
            let tokens = user_tokens(&app).await;
            let refresh = tokens["refresh_token"].as_str().unwrap();
            let access = tokens["access_token"].as_str().unwrap();
            let revoked = app.client.post(app.url("/revoke")).form(&[("token", refresh), ("client_id", "spa")]).send().await.unwrap();
            assert_eq!(revoked.status(), 200);
            assert_eq!(introspect(&app, access).await["active"], false, "its access tokens stop introspecting as active");
            assert_eq!(app.refresh(refresh).await.status(), 400);
            let unknown = app.client.post(app.url("/revoke")).form(&[("token", "never-issued"), ("client_id", "spa")]).send().await.unwrap();
            assert_eq!(unknown.status(), 200, "unknown tokens: 200 all the same");
        }

        async fn locking_a_service_account_stops_its_client_credentials_tokens(db: TestDatabase) {
            let app = spawn_seeded_app(db).await;
            let machine: Value = app.client.post(app.url("/token")).basic_auth("m2m-basic", Some(M2M_SECRET))
                .form(&[("grant_type", "client_credentials")]).send().await.unwrap().json().await.unwrap();
            let token = machine["access_token"].as_str().unwrap();
            let active = async || -> Value {
                app.client.post(app.url("/introspect"))
                    .form(&[("token", token), ("client_id", "m2m-post"), ("client_secret", POST_SECRET)])
                    .send().await.unwrap().json().await.unwrap()
            };
            assert_eq!(active().await["active"], true);
            let email = |e: &str| sanus_core::users::Email::parse(e).unwrap();
            let robot = sanus_core::users::find_user_by_email(&app.store, &email("robot@acme.example")).await.unwrap().unwrap();
            let jane = sanus_core::users::find_user_by_email(&app.store, &email(crate::helpers::JANE)).await.unwrap().unwrap();
            sanus_core::admin::lock_account(&app.store, &robot.id, &jane.id, "leaked secret", sanus_core::UnixTime(1)).await.unwrap();
            app.clock.advance(1); // every instance reads revocations again within a second
            assert_eq!(active().await["active"], false, "its tokens have no grant to revoke: the lock stops them");
            sanus_core::admin::unlock_account(&app.store, &robot.id, sanus_core::UnixTime(2)).await.unwrap();
            app.clock.advance(1);
            assert_eq!(active().await["active"], true, "a lock, not a revocation: lifted, they count again");
        }

        async fn revoking_a_client_credentials_token_and_other_clients_tokens(db: TestDatabase) {
            let app = spawn_seeded_app(db).await;
            let machine: Value = app.client.post(app.url("/token")).basic_auth("m2m-basic", Some(M2M_SECRET))
                .form(&[("grant_type", "client_credentials")]).send().await.unwrap().json().await.unwrap();
            let token = machine["access_token"].as_str().unwrap();
            // Another client cannot revoke it, and is told so (RFC 7009 §2.1).
            let other = app.client.post(app.url("/revoke")).form(&[("token", token), ("client_id", "m2m-post"), ("client_secret", POST_SECRET)]).send().await.unwrap();
            assert_eq!(other.status(), 400);
            assert_eq!(other.json::<Value>().await.unwrap()["error"], "unauthorized_client");
            let users = user_tokens(&app).await;
            let refresh = users["refresh_token"].as_str().unwrap();
            let other = app.client.post(app.url("/revoke")).basic_auth("m2m-basic", Some(M2M_SECRET)).form(&[("token", refresh)]).send().await.unwrap();
            assert_eq!(other.status(), 400);
            assert_eq!(app.refresh(refresh).await.status(), 200, "left alone");
            assert_eq!(introspect(&app, token).await["active"], true);
            let own = app.client.post(app.url("/revoke")).basic_auth("m2m-basic", Some(M2M_SECRET)).form(&[("token", token), ("token_type_hint", "access_token")]).send().await.unwrap();
            assert_eq!(own.status(), 200);
            assert_eq!(introspect(&app, token).await["active"], false);
            let bad_hint = app.client.post(app.url("/revoke")).basic_auth("m2m-basic", Some(M2M_SECRET)).form(&[("token", token), ("token_type_hint", "id_token")]).send().await.unwrap();
            assert_eq!(bad_hint.status(), 400);
        }

        async fn logout_ends_the_sso_session_and_returns_to_the_client(db: TestDatabase) {
            let app = spawn_seeded_app(db).await;
            let tokens = user_tokens(&app).await;
            let id_token = tokens["id_token"].as_str().unwrap();
            let response = app.client.get(app.url("/end_session"))
                .query(&[("id_token_hint", id_token), ("post_logout_redirect_uri", "https://app.acme.example/"), ("state", "bye")])
                .send().await.unwrap();
            assert_eq!(location(&response), "https://app.acme.example/?state=bye");
            assert!(response.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
            let after = location(&app.authorize(&with(spa_request(), "prompt", Some("none"))).await);
            assert_eq!(params_of(&after)["error"], "login_required");
        }

        async fn logout_without_a_hint_asks_first_and_refuses_unregistered_targets(db: TestDatabase) {
            let app = spawn_seeded_app(db).await;
            user_tokens(&app).await;
            let page = app.get("/end_session").await;
            assert_eq!(page.status(), 200);
            assert!(page.text().await.unwrap().contains("Do you want to sign out"));
            // Still signed in.
            let silent = location(&app.authorize(&with(spa_request(), "prompt", Some("none"))).await);
            assert!(params_of(&silent).contains_key("code"));
            let cross_site = app.client.post(app.url("/end_session")).header("sec-fetch-site", "cross-site").form(&[("confirm", "yes")]).send().await.unwrap();
            assert_eq!(location(&cross_site), "/end_session", "no other site can sign people out");
            let silent = location(&app.authorize(&with(spa_request(), "prompt", Some("none"))).await);
            assert!(params_of(&silent).contains_key("code"));
            let confirmed = app.client.post(app.url("/end_session")).form(&[("confirm", "yes")]).send().await.unwrap();
            assert_eq!(confirmed.status(), 200);
            assert!(confirmed.text().await.unwrap().contains("You are signed out"));

            let evil = app.client.get(app.url("/end_session")).query(&[("client_id", "spa"), ("post_logout_redirect_uri", "https://evil.example/")]).send().await.unwrap();
            assert_eq!(evil.status(), 400);
            assert!(evil.headers().get("location").is_none());
        }

        async fn a_hint_that_does_not_verify_is_not_used_and_the_user_is_asked(db: TestDatabase) {
            let app = spawn_seeded_app(db).await;
            let tokens = user_tokens(&app).await;
            let access_token = tokens["access_token"].as_str().unwrap();
            for hint in ["a.b.c", access_token] {
                let page = app.client.get(app.url("/end_session"))
                    .query(&[("id_token_hint", hint), ("post_logout_redirect_uri", "https://app.acme.example/"), ("state", "bye")])
                    .send().await.unwrap();
                assert_eq!(page.status(), 200, "{hint}");
                let carried = hidden_inputs(&page.text().await.unwrap());
                assert_eq!(carried, [("state".to_string(), "bye".to_string()), ("confirm".into(), "yes".into())], "no client to send the user back to");
                let silent = location(&app.authorize(&with(spa_request(), "prompt", Some("none"))).await);
                assert!(params_of(&silent).contains_key("code"), "still signed in");
            }
            // Named by `client_id`, the client is known without the hint.
            let page = app.client.get(app.url("/end_session"))
                .query(&[("id_token_hint", "a.b.c"), ("client_id", "spa"), ("post_logout_redirect_uri", "https://app.acme.example/")])
                .send().await.unwrap();
            let carried = hidden_inputs(&page.text().await.unwrap());
            let confirmed = app.client.post(app.url("/end_session")).form(&carried).send().await.unwrap();
            assert_eq!(location(&confirmed), "https://app.acme.example/");
        }

        async fn logout_with_the_hint_of_an_earlier_session_asks_then_returns_to_the_client(db: TestDatabase) {
            let app = spawn_seeded_app(db).await;
            let earlier = user_tokens(&app).await;
            // Signed in again since: another session.
            let again = params_of(&app.run_flow(&with(spa_request(), "prompt", Some("login"))).await);
            assert!(again.contains_key("code"));
            let page = app.client.get(app.url("/end_session"))
                .query(&[("id_token_hint", earlier["id_token"].as_str().unwrap()), ("post_logout_redirect_uri", "https://app.acme.example/"), ("state", "bye")])
                .send().await.unwrap();
            assert_eq!(page.status(), 200);
            let carried = hidden_inputs(&page.text().await.unwrap());
            assert!(carried.contains(&("client_id".to_string(), "spa".to_string())), "{carried:?}");
            let confirmed = app.client.post(app.url("/end_session")).form(&carried).send().await.unwrap();
            assert_eq!(location(&confirmed), "https://app.acme.example/?state=bye");
            let after = location(&app.authorize(&with(spa_request(), "prompt", Some("none"))).await);
            assert_eq!(params_of(&after)["error"], "login_required");
        }

        async fn an_id_token_hint_must_name_the_person_signed_in(db: TestDatabase) {
            let app = spawn_seeded_app(db).await;
            app.import(r#"
[[users]]
email = "max@acme.example"
given_name = "Max"
email_verified = true
password = "max-correct-horse-battery"
"#).await;
            let janes = user_tokens(&app).await;
            let hint = janes["id_token"].as_str().unwrap();
            let silent = with(with(spa_request(), "prompt", Some("none")), "id_token_hint", Some(hint));
            let answer = params_of(&location(&app.authorize(&silent).await));
            assert!(answer.contains_key("code"), "the hint names Jane, who is signed in: {answer:?}");

            // Signs in at `interaction` and follows the flow to the client.
            let sign_in_and_follow = async |interaction: String, email: &str, password: &str| {
                let mut next = location(&app.sign_in(&interaction, email, password).await);
                while next.starts_with('/') {
                    let response = if next.starts_with("/interaction/") {
                        app.decide(&next, "allow").await
                    } else {
                        app.client.get(app.url(&next)).send().await.unwrap()
                    };
                    next = location(&response);
                }
                params_of(&next)
            };
            // Max signs in in the same browser.
            let interaction = location(&app.authorize(&with(spa_request(), "prompt", Some("login"))).await);
            let answer = sign_in_and_follow(interaction, "max@acme.example", "max-correct-horse-battery").await;
            assert!(answer.contains_key("code"), "{answer:?}");

            let answer = params_of(&location(&app.authorize(&silent).await));
            assert_eq!(answer["error"], "login_required", "Jane is not signed in here any more");
            let interactive = location(&app.authorize(&with(spa_request(), "id_token_hint", Some(hint))).await);
            assert!(interactive.starts_with("/interaction/"), "Jane is asked to sign in: {interactive}");
            // Whoever signs in there, the code is Jane's only.
            let answer = sign_in_and_follow(interactive, "max@acme.example", "max-correct-horse-battery").await;
            assert_eq!(answer["error"], "login_required", "{answer:?}");
            let interactive = location(&app.authorize(&with(spa_request(), "id_token_hint", Some(hint))).await);
            let answer = sign_in_and_follow(interactive, crate::helpers::JANE, crate::helpers::JANE_PASSWORD).await;
            assert!(answer.contains_key("code"), "{answer:?}");

            for forged in ["a.b.c", janes["access_token"].as_str().unwrap()] {
                let answer = params_of(&location(&app.authorize(&with(spa_request(), "id_token_hint", Some(forged))).await));
                assert_eq!(answer["error"], "invalid_request", "{forged}");
                assert_eq!(answer["state"], "st-123");
            }
        }

        async fn a_relying_party_posts_to_authorize_and_end_session_as_a_form(db: TestDatabase) {
            let app = spawn_seeded_app(db).await;
            let tokens = user_tokens(&app).await;
            // A form on the client's site: the browser says where it comes
            // from, and sends no SameSite=Lax cookie along.
            let silent = with(spa_request(), "prompt", Some("none"));
            let posted = app.client.post(app.url("/authorize")).header("sec-fetch-site", "cross-site").form(&silent).send().await.unwrap();
            let as_get = location(&posted);
            let query = as_get.strip_prefix("/authorize?").unwrap();
            let resent: std::collections::HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
            assert_eq!(resent, silent.iter().map(|(name, value)| (name.to_string(), value.clone())).collect());
            let answer = location(&app.client.get(app.url(&as_get)).send().await.unwrap());
            assert!(params_of(&answer).contains_key("code"), "the session is seen: {answer}");

            let posted = app.client.post(app.url("/end_session")).header("sec-fetch-site", "cross-site")
                .form(&[("id_token_hint", tokens["id_token"].as_str().unwrap()), ("post_logout_redirect_uri", "https://app.acme.example/"), ("state", "bye"), ("confirm", "yes")])
                .send().await.unwrap();
            let as_get = location(&posted);
            assert!(as_get.starts_with("/end_session?") && !as_get.contains("confirm"), "{as_get}");
            let still = location(&app.authorize(&silent).await);
            assert!(params_of(&still).contains_key("code"), "a cross-site POST decides nothing");
            assert_eq!(location(&app.client.get(app.url(&as_get)).send().await.unwrap()), "https://app.acme.example/?state=bye");
            let after = location(&app.authorize(&silent).await);
            assert_eq!(params_of(&after)["error"], "login_required");
        }
    }
}
