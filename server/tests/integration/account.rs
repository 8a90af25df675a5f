//! Sanus' own sign-in page and the account console.

use sanus_core::Clock as _;
use sanus_core::users::{Email, find_user_by_email};
use serde_json::Value;

use crate::flow::{VERIFIER, location, params_of, spa_request};
use crate::helpers::{JANE, JANE_PASSWORD, TestApp, client, spawn_seeded_app};

const NEW_PASSWORD: &str = "amber kettle orbit 1291";

/// Signs `browser` in at `/signin`; returns where it was sent.
async fn sign_in(
    app: &TestApp,
    browser: &reqwest::Client,
    email: &str,
    password: &str,
    return_to: &str,
) -> reqwest::Response {
    browser
        .post(app.url("/signin"))
        .form(&[("email", email), ("password", password), ("return_to", return_to)])
        .send()
        .await
        .unwrap()
}

async fn post(app: &TestApp, browser: &reqwest::Client, path: &str, fields: &[(&str, &str)]) -> String {
    location(&browser.post(app.url(path)).form(fields).send().await.unwrap())
}

async fn console(app: &TestApp, browser: &reqwest::Client, query: &str) -> String {
    let response = browser.get(app.url(&format!("/account{query}"))).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    response.text().await.unwrap()
}

sanus_core::engine_tests! {
    async fn a_session_in_use_lasts_and_an_idle_one_ends_after_two_hours(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let browser = client();
        assert_eq!(location(&sign_in(&app, &browser, JANE, JANE_PASSWORD, "/account").await), "/account");
        let console = async || browser.get(app.url("/account")).send().await.unwrap();
        for _ in 0..3 {
            app.clock.advance(90 * 60);
            assert_eq!(console().await.status(), 200, "used every ninety minutes");
        }
        app.clock.advance(sanus_core::sessions::IDLE_SECONDS);
        assert_eq!(location(&console().await), "/signin?return_to=/account", "two hours unused");
        // Nor does an app's silent request find it.
        let silent = browser.get(app.url("/authorize")).query(&crate::flow::with(spa_request(), "prompt", Some("none"))).send().await.unwrap();
        assert!(location(&silent).contains("error=login_required"));
    }

    async fn the_console_asks_for_a_sign_in_and_returns_only_to_this_server(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        assert_eq!(location(&app.get("/account").await), "/signin?return_to=/account");
        let page = app.get("/signin?return_to=/account").await.text().await.unwrap();
        assert!(page.contains(r#"name="return_to" value="/account""#) && page.contains(r#"action="/signin""#));

        let refused = location(&sign_in(&app, &app.client, JANE, "wrong words here", "/account").await);
        assert!(refused.starts_with("/signin?return_to=%2Faccount&email=jane%40acme.example&error=invalid_credentials"), "{refused}");
        let page = app.get(&refused).await.text().await.unwrap();
        assert!(page.contains(r#"id="sign-in-error""#) && page.contains(&format!(r#"value="{JANE}""#)));

        let evil = sign_in(&app, &app.client, JANE, JANE_PASSWORD, "//evil.example/").await;
        assert!(evil.headers()["set-cookie"].to_str().unwrap().starts_with("sanus_session="));
        assert_eq!(location(&evil), "/account", "never to another site");
        let page = console(&app, &app.client, "").await;
        assert!(page.contains(JANE) && page.contains("This browser") && page.contains(r#"action="/account/signout""#));

        assert_eq!(post(&app, &app.client, "/account/signout", &[]).await, "/");
        assert_eq!(location(&app.get("/account").await), "/signin?return_to=/account", "signed out");
        let kinds: Vec<String> = sanus_core::audit::latest(&app.store, 10).await.unwrap().into_iter().map(|e| e.kind).collect();
        assert!(kinds.contains(&"sign_in.succeeded".to_string()) && kinds.contains(&"sign_in.failed".to_string()));
    }

    async fn names_language_and_password_change_with_their_checks(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let elsewhere = client();
        sign_in(&app, &elsewhere, JANE, JANE_PASSWORD, "/account").await;
        sign_in(&app, &app.client, JANE, JANE_PASSWORD, "/account").await;

        let long = "x".repeat(101);
        let error = post(&app, &app.client, "/account/profile", &[("given_name", &long), ("family_name", "Doe"), ("locale", "en")]).await;
        assert_eq!(error, "/account?error=given-name-invalid");
        let page = console(&app, &app.client, "?error=given-name-invalid").await;
        assert!(page.contains(r#"id="given-name-error""#) && page.contains("at most 100 characters"));
        let saved = post(&app, &app.client, "/account/profile", &[("given_name", " Janet "), ("family_name", ""), ("locale", "en")]).await;
        assert_eq!(saved, "/account?notice=profile-saved");
        let jane = find_user_by_email(&app.store, &Email::parse(JANE).unwrap()).await.unwrap().unwrap();
        assert_eq!((jane.given_name.as_deref(), jane.family_name.as_deref(), jane.locale.as_str()), (Some("Janet"), None, "en"));

        let change = |current: &'static str, new: &'static str, confirm: &'static str| {
            [("current", current), ("password", new), ("confirm", confirm)]
        };
        let wrong = post(&app, &app.client, "/account/password", &change("not it at all", NEW_PASSWORD, NEW_PASSWORD)).await;
        assert_eq!(wrong, "/account?error=wrong-password");
        let mismatch = post(&app, &app.client, "/account/password", &change(JANE_PASSWORD, NEW_PASSWORD, "something else")).await;
        assert_eq!(mismatch, "/account?error=new-mismatch");
        let common = post(&app, &app.client, "/account/password", &change(JANE_PASSWORD, "password1234", "password1234")).await;
        assert_eq!(common, "/account?error=new-common");
        assert!(console(&app, &app.client, "?error=new-common").await.contains(r#"id="new-password-error""#));
        let changed = post(&app, &app.client, "/account/password", &change(JANE_PASSWORD, NEW_PASSWORD, NEW_PASSWORD)).await;
        assert_eq!(changed, "/account?notice=password-changed");

        // This browser stays in; the other one is out; only the new password works.
        console(&app, &app.client, "").await;
        assert_eq!(location(&elsewhere.get(app.url("/account")).send().await.unwrap()), "/signin?return_to=/account");
        assert!(location(&sign_in(&app, &client(), JANE, JANE_PASSWORD, "/account").await).contains("error=invalid_credentials"));
        assert_eq!(location(&sign_in(&app, &client(), JANE, NEW_PASSWORD, "/account").await), "/account");
    }

    async fn sessions_and_connected_apps_end_with_their_tokens(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        // The app's browser: signed in through the code flow, holding tokens.
        let code = params_of(&app.run_flow(&spa_request()).await)["code"].clone();
        let tokens: Value = app.exchange(&code, VERIFIER).await.json().await.unwrap();
        let access = tokens["access_token"].as_str().unwrap().to_string();
        assert_eq!(app.userinfo(&access).await.status(), 200);

        let console_browser = client();
        sign_in(&app, &console_browser, JANE, JANE_PASSWORD, "/account").await;
        let page = console(&app, &console_browser, "").await;
        assert!(page.contains("Ward app") && page.contains("See your e-mail address"), "the app and what it may do");
        assert_eq!(page.matches("/end\"").count(), 1, "one other session to end");
        let other = page.split("action=\"/account/sessions/").nth(1).unwrap().split('/').next().unwrap().to_string();

        assert_eq!(post(&app, &console_browser, &format!("/account/sessions/{other}/end"), &[]).await, "/account?notice=session-ended");
        assert_eq!(app.userinfo(&access).await.status(), 401, "what that session issued has ended");
        assert_eq!(app.refresh(tokens["refresh_token"].as_str().unwrap()).await.status(), 400);
        assert!(location(&app.authorize(&spa_request()).await).starts_with("/interaction/"), "signed out there");

        assert_eq!(post(&app, &console_browser, "/account/apps/spa/disconnect", &[]).await, "/account?notice=app-disconnected");
        let page = console(&app, &console_browser, "?notice=app-disconnected").await;
        assert!(!page.contains("/account/apps/spa/disconnect") && page.contains("not allowed any app"));
        // Asking again: the consent screen is back.
        let interaction = location(&app.authorize(&spa_request()).await);
        let signed_in = location(&app.sign_in(&interaction, JANE, JANE_PASSWORD).await);
        assert!(signed_in.starts_with("/authorize/resume/"));
        assert!(location(&app.get(&signed_in).await).starts_with("/interaction/"), "consent is asked again");

        // Another session of this browser ends from the console too.
        assert_eq!(post(&app, &console_browser, "/account/sessions/end-others", &[]).await, "/account?notice=others-ended");
        let kinds: Vec<String> = sanus_core::audit::latest(&app.store, 20).await.unwrap().into_iter().map(|e| e.kind).collect();
        for kind in ["session.ended", "consent.revoked"] {
            assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
        }
    }

    async fn ending_this_browsers_session_signs_it_out(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        sign_in(&app, &app.client, JANE, JANE_PASSWORD, "/account").await;
        let page = console(&app, &app.client, "").await;
        assert!(!page.contains("/end\""), "no button to end this browser's own session from the list");
        let jane = find_user_by_email(&app.store, &Email::parse(JANE).unwrap()).await.unwrap().unwrap();
        let own = sanus_core::account::list_sessions(&app.store, &jane.id, app.clock.now()).await.unwrap().remove(0);
        let response = app.client.post(app.url(&format!("/account/sessions/{}/end", own.id))).send().await.unwrap();
        assert_eq!(location(&response), "/");
        assert!(response.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    }

    async fn the_owner_downloads_their_data_and_deletes_the_account(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let code = params_of(&app.run_flow(&spa_request()).await)["code"].clone();
        let tokens: Value = app.exchange(&code, VERIFIER).await.json().await.unwrap();
        let access = tokens["access_token"].as_str().unwrap().to_string();
        let browser = client();
        assert_eq!(location(&browser.get(app.url("/account/export")).send().await.unwrap()), "/signin?return_to=/account");
        sign_in(&app, &browser, JANE, JANE_PASSWORD, "/account").await;

        let export = browser.get(app.url("/account/export")).send().await.unwrap();
        assert_eq!(export.headers()["content-disposition"], "attachment; filename=\"sanus-account.json\"");
        assert_eq!(export.headers()["cache-control"], "no-store");
        let data: Value = export.json().await.unwrap();
        assert_eq!(data["account"]["email"], JANE);
        assert_eq!(data["connected_apps"][0]["client_id"], "spa");
        assert!(!data.to_string().contains("argon2"));

        let delete = |fields: &'static [(&'static str, &'static str)]| {
            let browser = browser.clone();
            let url = app.url("/account/delete");
            async move { location(&browser.post(url).form(fields).send().await.unwrap()) }
        };
        assert_eq!(delete(&[("password", JANE_PASSWORD)]).await, "/account?error=delete-not-confirmed");
        assert_eq!(delete(&[("password", "wrong words here"), ("confirm", "yes")]).await, "/account?error=delete-wrong-password");
        let page = console(&app, &browser, "?error=delete-wrong-password").await;
        assert!(page.contains(r#"id="delete-password-error""#));
        let deleted = browser
            .post(app.url("/account/delete"))
            .form(&[("password", JANE_PASSWORD), ("confirm", "yes")])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&deleted), "/account/deleted");
        assert!(deleted.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
        assert!(app.get("/account/deleted").await.text().await.unwrap().contains("Your account is deleted"));

        assert!(find_user_by_email(&app.store, &Email::parse(JANE).unwrap()).await.unwrap().is_none());
        assert_eq!(app.userinfo(&access).await.status(), 401, "its tokens stop at once");
        assert_eq!(app.refresh(tokens["refresh_token"].as_str().unwrap()).await.status(), 400);
        assert!(location(&sign_in(&app, &client(), JANE, JANE_PASSWORD, "/account").await).contains("error=invalid_credentials"));
        let kinds: Vec<String> = sanus_core::audit::latest(&app.store, 10).await.unwrap().into_iter().map(|e| e.kind).collect();
        assert!(kinds.iter().any(|k| k == "account.deleted") && kinds.iter().any(|k| k == "account.exported"));
    }

    async fn a_service_account_cannot_delete_itself(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        // Give the seeded robot a password, so that it can sign in to the console.
        let robot = find_user_by_email(&app.store, &Email::parse("robot@acme.example").unwrap()).await.unwrap().unwrap();
        let hash = sanus_core::password::hash_password("robot-correct-horse-battery").unwrap();
        sanus_core::users::set_password_hash(&app.store, &robot.id, Some(&hash), app.clock.now()).await.unwrap();
        sign_in(&app, &app.client, "robot@acme.example", "robot-correct-horse-battery", "/account").await;
        let refused = post(&app, &app.client, "/account/delete", &[("password", "robot-correct-horse-battery"), ("confirm", "yes")]).await;
        assert_eq!(refused, "/account?error=delete-service-account");
        assert!(find_user_by_email(&app.store, &Email::parse("robot@acme.example").unwrap()).await.unwrap().is_some());
    }
}
