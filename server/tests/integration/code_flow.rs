//! The authorization code flow end to end over HTTP, and every rule that
//! can make it fail.

use serde_json::Value;

use crate::flow::{CALLBACK, VERIFIER, claims_of, location, params_of, spa_request, with};
use crate::helpers::{JANE, JANE_PASSWORD, PORTAL_SECRET, spawn_seeded_app};

sanus_core::engine_tests! {
    async fn sign_in_consent_and_code_exchange_issue_all_tokens(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let interaction = location(&app.authorize(&spa_request()).await);
        assert!(interaction.starts_with("/interaction/"), "{interaction}");
        let page = app.get(&interaction).await;
        assert_eq!(page.status(), 200);
        let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
        assert!(csp.contains(&format!("form-action 'self' {CALLBACK};")), "the page may lead to the client: {csp}");
        let html = page.text().await.unwrap();
        assert!(html.contains("Ward app") && html.contains(r#"type="password""#));

        let resume = location(&app.sign_in(&interaction, JANE, "jane-correct-horse-battery").await);
        assert_eq!(resume, interaction.replace("/interaction/", "/authorize/resume/"));
        let back = location(&app.client.get(app.url(&resume)).send().await.unwrap());
        assert_eq!(back, interaction, "consent is next");
        let consent = app.get(&interaction).await.text().await.unwrap();
        assert!(consent.contains("See your e-mail address") && consent.contains(JANE), "{consent}");
        assert!(consent.contains("https://app.acme.example/privacy"));
        let resume = location(&app.decide(&interaction, "allow").await);
        let callback = location(&app.client.get(app.url(&resume)).send().await.unwrap());
        assert!(callback.starts_with(CALLBACK), "{callback}");
        let response = params_of(&callback);
        assert_eq!(response["state"], "st-123");
        assert_eq!(response["iss"], app.issuer());

        let tokens = app.exchange(&response["code"], VERIFIER).await;
        assert_eq!(tokens.status(), 200);
        assert_eq!(tokens.headers()["cache-control"], "no-store");
        let tokens: Value = tokens.json().await.unwrap();
        assert_eq!(tokens["scope"], "openid profile email offline_access");
        assert!(tokens["refresh_token"].as_str().is_some());
        let id = claims_of(tokens["id_token"].as_str().unwrap());
        assert_eq!(id["aud"], "spa");
        assert_eq!(id["nonce"], "n-456");
        assert_eq!(id["amr"], serde_json::json!(["pwd"]));
        assert_eq!(id["email"], JANE);
        assert_eq!(id["name"], "Jane Doe");
        assert!(id["sid"].as_str().is_some() && id["auth_time"].as_i64().is_some() && id["at_hash"].as_str().is_some());
        let access = claims_of(tokens["access_token"].as_str().unwrap());
        assert_eq!(access["sub"], id["sub"]);
        assert_eq!(access["client_id"], "spa");

        let info: Value = app.userinfo(tokens["access_token"].as_str().unwrap()).await.json().await.unwrap();
        assert_eq!(info["sub"], id["sub"]);
        assert_eq!(info["email_verified"], true);
        assert_eq!(info["locale"], "de");
    }

    async fn a_second_request_signs_in_silently_with_the_sso_session(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.run_flow(&spa_request()).await;
        let callback = location(&app.authorize(&spa_request()).await);
        assert!(callback.starts_with(CALLBACK), "no password, no consent the second time: {callback}");
        let silent = location(&app.authorize(&with(spa_request(), "prompt", Some("none"))).await);
        assert!(params_of(&silent).contains_key("code"));
        // prompt=login asks for the password again; max_age=0 too.
        for (name, value) in [("prompt", "login"), ("max_age", "0")] {
            app.clock.advance(1);
            let next = location(&app.authorize(&with(spa_request(), name, Some(value))).await);
            assert!(next.starts_with("/interaction/"), "{name}={value}: {next}");
        }
    }

    async fn max_age_reuses_a_fresh_enough_session_and_not_an_older_one(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.run_flow(&spa_request()).await;
        let silent = |max_age: &str| with(with(spa_request(), "prompt", Some("none")), "max_age", Some(max_age));
        app.clock.advance(60);
        let fresh = params_of(&location(&app.authorize(&silent("60")).await));
        let tokens: Value = app.exchange(&fresh["code"], VERIFIER).await.json().await.unwrap();
        let id = claims_of(tokens["id_token"].as_str().unwrap());
        assert!(id["iat"].as_i64().unwrap() - id["auth_time"].as_i64().unwrap() >= 60, "the sign-in's time: {id}");
        let old = params_of(&location(&app.authorize(&silent("59")).await));
        assert_eq!(old["error"], "login_required");
    }

    async fn login_hint_fills_in_the_e_mail_address(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let interaction = location(&app.authorize(&with(spa_request(), "login_hint", Some(JANE))).await);
        let page = app.get(&interaction).await.text().await.unwrap();
        assert!(page.contains(&format!(r#"value="{JANE}""#)), "{page}");
    }

    async fn prompt_consent_asks_again_although_consent_was_given(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.run_flow(&spa_request()).await;
        let interaction = location(&app.authorize(&with(spa_request(), "prompt", Some("consent"))).await);
        let page = app.get(&interaction).await.text().await.unwrap();
        assert!(page.contains(&format!("action=\"{interaction}/consent\"")), "{page}");
        let denied = location(&app.decide(&interaction, "deny").await);
        assert_eq!(params_of(&denied)["error"], "access_denied");
    }

    async fn the_session_cookie_is_http_only_and_same_site_lax(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let interaction = location(&app.authorize(&spa_request()).await);
        let signed_in = app.sign_in(&interaction, JANE, JANE_PASSWORD).await;
        let cookie = signed_in.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap())
            .find(|c| c.starts_with("sanus_session=")).unwrap().to_string();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
        assert!(!cookie.contains("Secure"), "plain http in tests; Secure under https (cookies.rs)");
    }

    async fn under_https_the_session_cookie_is_host_only_and_a_planted_one_counts_for_nothing(db: TestDatabase) {
        let app = crate::helpers::spawn_app_with(db, |s| {
            s.server.public_url = sanus::config::PublicUrl::parse("https://id.example.org").unwrap();
        })
        .await;
        app.import(crate::helpers::SEED).await;
        let browser = crate::helpers::client();
        let signed_in = browser.post(app.url("/signin"))
            .form(&[("email", JANE), ("password", JANE_PASSWORD), ("return_to", "/account")]).send().await.unwrap();
        let cookie = signed_in.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap())
            .find(|c| c.contains("sanus_session=")).unwrap().to_string();
        assert!(cookie.starts_with("__Host-sanus_session=") && cookie.contains("; Secure") && cookie.contains("Path=/"), "{cookie}");
        assert!(!cookie.contains("Domain"), "{cookie}");
        let token = cookie.trim_start_matches("__Host-sanus_session=").split(';').next().unwrap().to_string();
        let console = async |cookie: String| {
            let fresh = crate::helpers::client();
            fresh.get(app.url("/account")).header("cookie", cookie).send().await.unwrap()
        };
        assert_eq!(console(format!("__Host-sanus_session={token}")).await.status(), 200);
        // The same value under the plain name, as another host of the domain could set it: not a session here.
        assert_eq!(location(&console(format!("sanus_session={token}")).await), "/signin?return_to=/account");
    }

    async fn a_failing_database_is_our_fault_on_the_page_not_the_applications(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.store.close().await;
        let page = app.authorize(&spa_request()).await;
        assert_eq!(page.status(), 503);
        let html = page.text().await.unwrap();
        assert!(html.contains("Something went wrong on our side") && !html.contains("incomplete"), "{html}");
    }

    async fn first_party_clients_skip_consent(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let request = vec![
            ("client_id", "portal".to_string()),
            ("redirect_uri", "https://portal.acme.example/cb".into()),
            ("response_type", "code".into()),
            ("scope", "openid".into()),
            ("code_challenge", crate::flow::CHALLENGE.into()),
            ("code_challenge_method", "S256".into()),
        ];
        let interaction = location(&app.authorize(&request).await);
        let resume = location(&app.sign_in(&interaction, JANE, "jane-correct-horse-battery").await);
        let callback = location(&app.client.get(app.url(&resume)).send().await.unwrap());
        let code = params_of(&callback)["code"].clone();
        let tokens: Value = app.client.post(app.url("/token"))
            .basic_auth("portal", Some(PORTAL_SECRET))
            .form(&[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", "https://portal.acme.example/cb"), ("code_verifier", VERIFIER)])
            .send().await.unwrap().json().await.unwrap();
        let header = jsonwebtoken::decode_header(tokens["id_token"].as_str().unwrap()).unwrap();
        assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256, "the client's registered ID token algorithm");
        assert!(tokens.get("refresh_token").is_none(), "no offline_access, no refresh token");
    }

    async fn wrong_password_and_unknown_user_get_the_same_answer(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let interaction = location(&app.authorize(&spa_request()).await);
        for (email, password) in [(JANE, "wrong-password"), ("nobody@acme.example", "whatever"), ("not-an-email", "x")] {
            let again = location(&app.sign_in(&interaction, email, password).await);
            assert_eq!(again, interaction);
            let page = app.get(&interaction).await.text().await.unwrap();
            assert!(page.contains("The e-mail address or the password is not correct"), "{email}");
        }
    }

    async fn repeated_failures_slow_sign_in_down_and_a_success_clears_them(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let interaction = location(&app.authorize(&spa_request()).await);
        let page = async || app.get(&interaction).await.text().await.unwrap();
        for attempt in 1..=5 {
            app.sign_in(&interaction, JANE, "wrong-password").await;
            assert!(page().await.contains("The e-mail address or the password is not correct"), "attempt {attempt}");
        }
        app.sign_in(&interaction, JANE, "wrong-password").await;
        assert!(page().await.contains("Too many failed attempts. Try again in 1 s."));
        // While the wait lasts, even the right password is not looked at.
        assert_eq!(location(&app.sign_in(&interaction, JANE, JANE_PASSWORD).await), interaction);
        assert!(page().await.contains("Too many failed attempts"));
        // Another account from the same address is not held up.
        app.sign_in(&interaction, "someone@acme.example", "guess").await;
        assert!(page().await.contains("The e-mail address or the password is not correct"));

        app.clock.advance(1);
        let resumed = location(&app.sign_in(&interaction, JANE, JANE_PASSWORD).await);
        assert!(resumed.starts_with("/authorize/resume/"), "{resumed}");

        let events = sanus_core::audit::latest(&app.store, 20).await.unwrap();
        let kinds: Vec<&str> = events.iter().rev().map(|e| e.kind.as_str()).collect();
        let mut expected = vec!["sign_in.failed"; 6];
        expected.extend(["sign_in.throttled", "sign_in.failed", "sign_in.succeeded"]);
        assert_eq!(kinds, expected);
        assert!(events.iter().all(|e| e.address.as_deref() == Some("127.0.0.1") && e.request_id.is_some()));
        assert!(events.iter().all(|e| e.client_id.as_deref() == Some("spa")));
        assert!(!events.iter().any(|e| e.detail.contains(JANE_PASSWORD) || e.detail.contains("wrong-password")));
    }

    async fn the_sign_in_page_speaks_the_requested_ui_locales_unless_the_person_chose(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let interaction = location(&app.authorize(&with(spa_request(), "ui_locales", Some("fr de-CH en"))).await);
        let page = app.client.get(app.url(&interaction)).header("accept-language", "en").send().await.unwrap();
        let html = page.text().await.unwrap();
        assert!(html.contains(r#"<html lang="de""#), "ui_locales over Accept-Language");
        assert!(html.contains("Anmelden"));
        let chosen = app.client.get(app.url(&interaction)).header("cookie", "sanus_locale=en").send().await.unwrap();
        assert!(chosen.text().await.unwrap().contains(r#"<html lang="en""#), "the remembered choice wins");
    }

    async fn a_full_password_pool_asks_to_try_again_and_counts_nothing_against_the_account(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let interaction = location(&app.authorize(&spa_request()).await);
        let saturated = app.passwords.saturate();
        for _ in 0..6 {
            assert_eq!(location(&app.sign_in(&interaction, JANE, JANE_PASSWORD).await), interaction);
            let page = app.get(&interaction).await.text().await.unwrap();
            assert!(page.contains("your password could not be checked"), "{page}");
            assert!(!page.contains("not correct"));
        }
        let events = sanus_core::audit::latest(&app.store, 20).await.unwrap();
        assert!(events.is_empty(), "no failure recorded: {events:?}");
        assert!(app.metrics().await.contains("sanus_password_checks_refused_total 6\n"));

        // Six refusals were no failures: no wait, and the next try signs in.
        drop(saturated);
        let resumed = location(&app.sign_in(&interaction, JANE, JANE_PASSWORD).await);
        assert!(resumed.starts_with("/authorize/resume/"), "{resumed}");
    }

    async fn unknown_accounts_are_throttled_like_real_ones(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let interaction = location(&app.authorize(&spa_request()).await);
        for _ in 0..6 {
            app.sign_in(&interaction, "Nobody@acme.example", "guess").await;
        }
        let page = app.get(&interaction).await.text().await.unwrap();
        assert!(page.contains("Too many failed attempts. Try again in 1 s."), "{page}");
        app.sign_in(&interaction, "nobody@ACME.example", "guess").await;
        let events = sanus_core::audit::latest(&app.store, 1).await.unwrap();
        assert_eq!(events[0].kind, "sign_in.throttled", "the same account, however it is written");
        assert_eq!(events[0].user_id, None);
    }

    async fn parallel_guesses_are_counted_before_any_password_is_checked(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        // Thirty wrong passwords at once: only the five free ones and the
        // sixth (which starts the wait) are checked; the others wait, even
        // though none of the checks had finished when they came in.
        let mut guesses = tokio::task::JoinSet::new();
        for n in 0..30 {
            let request = app.client.post(app.url("/signin")).form(&[
                ("email", JANE.to_string()),
                ("password", format!("guess number {n}")),
                ("return_to", "/account".to_string()),
            ]);
            guesses.spawn(async move { request.send().await.unwrap().status() });
        }
        while let Some(status) = guesses.join_next().await {
            assert_eq!(status.unwrap(), 303);
        }
        let events = sanus_core::audit::latest(&app.store, 50).await.unwrap();
        let count = |kind: &str| events.iter().filter(|e| e.kind == kind).count();
        assert_eq!((count("sign_in.failed"), count("sign_in.throttled")), (6, 24));
    }

    async fn unregistered_redirect_uris_get_an_error_page_never_a_redirect(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        for uri in [
            "https://evil.example/callback",
            "https://app.acme.example/callback/extra",
            "https://app.acme.example/callback?x=1",
            "https://app.acme.example/Callback",
        ] {
            let response = app.authorize(&with(spa_request(), "redirect_uri", Some(uri))).await;
            assert_eq!(response.status(), 400, "{uri}");
            assert!(response.headers().get("location").is_none());
            assert!(response.text().await.unwrap().contains("has not registered"), "{uri}");
        }
        // An id no client can have (PostgreSQL refuses a NUL byte in text) is unknown too.
        for id in ["nobody", "\0"] {
            let unknown = app.authorize(&with(spa_request(), "client_id", Some(id))).await;
            assert_eq!(unknown.status(), 400, "{id:?}");
            assert!(unknown.text().await.unwrap().contains("not registered with Sanus"), "{id:?}");
        }
        let registered_query = location(&app.authorize(&with(spa_request(), "redirect_uri", Some("https://app.acme.example/callback?tenant=1"))).await);
        assert!(registered_query.starts_with("/interaction/"));
    }

    async fn bad_requests_go_back_to_the_client_with_state_and_iss(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let cases = [
            (with(spa_request(), "code_challenge", None), "invalid_request"),
            (with(spa_request(), "code_challenge_method", Some("plain")), "invalid_request"),
            (with(spa_request(), "code_challenge_method", None), "invalid_request"),
            (with(spa_request(), "code_challenge", Some("short")), "invalid_request"),
            (with(spa_request(), "scope", Some("openid tstapp_admin")), "invalid_scope"),
            (with(spa_request(), "response_type", Some("token")), "unsupported_response_type"),
            (with(spa_request(), "response_type", None), "invalid_request"),
            (with(spa_request(), "prompt", Some("none login")), "invalid_request"),
            (with(spa_request(), "max_age", Some("-1")), "invalid_request"),
            (with(spa_request(), "request", Some("eyJ...")), "request_not_supported"),
            (with(spa_request(), "prompt", Some("none")), "login_required"),
        ];
        for (request, error) in cases {
            let callback = location(&app.authorize(&request).await);
            assert!(callback.starts_with(CALLBACK), "{callback}");
            let params = params_of(&callback);
            assert_eq!(params["error"], error, "{request:?}");
            assert_eq!(params["state"], "st-123");
            assert_eq!(params["iss"], app.issuer());
            assert!(!params.contains_key("code"));
        }
        let fragment = location(&app.authorize(&with(with(spa_request(), "response_mode", Some("fragment")), "prompt", Some("none"))).await);
        assert!(fragment.starts_with(&format!("{CALLBACK}#error=login_required")), "{fragment}");
    }

    async fn prompt_none_without_consent_is_consent_required(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let interaction = location(&app.authorize(&spa_request()).await);
        app.sign_in(&interaction, JANE, "jane-correct-horse-battery").await;
        let callback = location(&app.authorize(&with(spa_request(), "prompt", Some("none"))).await);
        assert_eq!(params_of(&callback)["error"], "consent_required");
    }

    async fn denying_consent_tells_the_client_access_denied(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let interaction = location(&app.authorize(&spa_request()).await);
        app.sign_in(&interaction, JANE, "jane-correct-horse-battery").await;
        let callback = location(&app.decide(&interaction, "deny").await);
        let params = params_of(&callback);
        assert_eq!(params["error"], "access_denied");
        assert_eq!(params["state"], "st-123");
        assert_eq!(app.get(&interaction).await.status(), 404, "the interaction is over");
    }

    async fn form_post_answers_with_a_self_submitting_form(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.run_flow(&spa_request()).await;
        let response = app.authorize(&with(spa_request(), "response_mode", Some("form_post"))).await;
        assert_eq!(response.status(), 200);
        let csp = response.headers()["content-security-policy"].to_str().unwrap().to_string();
        assert!(csp.contains(&format!("form-action 'self' {CALLBACK};")), "{csp}");
        let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_string();
        let html = response.text().await.unwrap();
        assert!(html.contains(&format!(r#"<form method="post" action="{CALLBACK}">"#)), "{html}");
        assert!(html.contains(r#"name="code""#) && html.contains(&format!(r#"name="iss" value="{}""#, app.issuer())));
        assert!(html.contains(&format!(r#"<script nonce="{nonce}">"#)));
    }

    async fn interactions_belong_to_the_browser_that_started_them(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let interaction = location(&app.authorize(&spa_request()).await);
        let stranger = crate::helpers::client();
        let page = stranger.get(app.url(&interaction)).send().await.unwrap();
        assert_eq!(page.status(), 404);
        let attempt = stranger.post(app.url(&format!("{interaction}/login"))).form(&[("email", JANE), ("password", "jane-correct-horse-battery")]).send().await.unwrap();
        assert_eq!(attempt.status(), 400);
        assert!(attempt.headers().get("set-cookie").is_none(), "no session for the stranger");
    }

    async fn interactions_expire(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let interaction = location(&app.authorize(&spa_request()).await);
        app.clock.advance(31 * 60);
        assert_eq!(app.get(&interaction).await.status(), 404);
    }
}

mod relying_party {
    //! The whole flow as a standard relying-party library drives it.

    use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims};
    use openidconnect::{
        AuthorizationCode, ClientId, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse as _, PkceCodeChallenge,
        RedirectUrl, Scope, TokenResponse as _,
    };

    use crate::flow::{CALLBACK, location, params_of};
    use crate::helpers::spawn_seeded_app;

    sanus_core::engine_tests! {
        async fn the_openidconnect_crate_signs_in_verifies_the_id_token_and_reads_userinfo(db: TestDatabase) {
            let app = spawn_seeded_app(db).await;
            let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
            let metadata = CoreProviderMetadata::discover_async(IssuerUrl::new(app.issuer().to_string()).unwrap(), &http)
                .await
                .unwrap();
            let client = CoreClient::from_provider_metadata(metadata, ClientId::new("spa".into()), None)
                .set_redirect_uri(RedirectUrl::new(CALLBACK.into()).unwrap());
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            let (url, csrf, nonce) = client
                .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
                .add_scope(Scope::new("email".into()))
                .add_scope(Scope::new("profile".into()))
                .set_pkce_challenge(challenge)
                .url();

            // The browser's part, with the test app's cookie jar.
            let path = url.as_str().strip_prefix(app.issuer()).unwrap().to_string();
            let first = app.client.get(app.url(&path)).send().await.unwrap();
            let mut next = location(&first);
            while !next.starts_with(CALLBACK) {
                let response = if next.starts_with("/interaction/") && app.get(&next).await.text().await.unwrap().contains("type=\"password\"") {
                    app.sign_in(&next, crate::helpers::JANE, crate::helpers::JANE_PASSWORD).await
                } else if next.starts_with("/interaction/") {
                    app.decide(&next, "allow").await
                } else {
                    app.client.get(app.url(&next)).send().await.unwrap()
                };
                next = location(&response);
            }
            let params = params_of(&next);
            assert_eq!(&params["state"], csrf.secret());

            let tokens = client
                .exchange_code(AuthorizationCode::new(params["code"].clone()))
                .unwrap()
                .set_pkce_verifier(verifier)
                .request_async(&http)
                .await
                .unwrap();
            let id_token = tokens.id_token().expect("an ID token");
            // Signature (RS256 by default) against the JWKS, issuer, audience, nonce, expiry.
            let claims = id_token.claims(&client.id_token_verifier(), &nonce).unwrap();
            assert_eq!(claims.email().unwrap().as_str(), crate::helpers::JANE);
            let at_hash = claims.access_token_hash().unwrap();
            let expected = openidconnect::AccessTokenHash::from_token(tokens.access_token(), id_token.signing_alg().unwrap(), id_token.signing_key(&client.id_token_verifier()).unwrap()).unwrap();
            assert_eq!(at_hash, &expected);

            let info: CoreUserInfoClaims = client
                .user_info(tokens.access_token().clone(), None)
                .unwrap()
                .request_async(&http)
                .await
                .unwrap();
            assert_eq!(info.subject(), claims.subject());
        }
    }
}
