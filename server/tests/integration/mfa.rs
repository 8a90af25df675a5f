//! Two-step sign-in: setting up an authenticator app in the console, the
//! second step of signing in, recovery codes, and `acr_values`.

use sanus_core::Clock as _;
use serde_json::Value;

use crate::flow::{VERIFIER, claims_of, location, params_of, spa_request, with};
use crate::helpers::{JANE, JANE_PASSWORD, TestApp, client, spawn_seeded_app};

const MFA: &str = "urn:sanus:acr:mfa";

async fn console_sign_in(app: &TestApp, browser: &reqwest::Client) {
    let response = browser
        .post(app.url("/signin"))
        .form(&[("email", JANE), ("password", JANE_PASSWORD), ("return_to", "/account")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), "/account");
}

async fn post(app: &TestApp, browser: &reqwest::Client, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    browser.post(app.url(path)).form(fields).send().await.unwrap()
}

/// The code Jane's authenticator app shows now, for the key on the setup page.
fn code_now(app: &TestApp, key: &str) -> String {
    let secret = totp_rs::Secret::Encoded(key.replace(' ', "")).to_bytes().unwrap();
    let generator = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 0, 30, secret, None, String::new()).unwrap();
    generator.generate(u64::try_from(app.clock.now().seconds()).unwrap())
}

/// Sets up Jane's authenticator app through the console; returns its key
/// and the recovery codes shown.
async fn set_up_totp(app: &TestApp) -> (String, Vec<String>) {
    let browser = client();
    console_sign_in(app, &browser).await;
    assert_eq!(
        location(&post(app, &browser, "/account/totp", &[("password", "not it")]).await),
        "/account?error=mfa-wrong-password"
    );
    assert_eq!(location(&post(app, &browser, "/account/totp", &[("password", JANE_PASSWORD)]).await), "/account/totp");
    let page = browser.get(app.url("/account/totp")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<svg") && page.contains(r#"role="img""#), "a QR code with a name");
    let key: String = page
        .split(r#"id="totp-key""#)
        .nth(1)
        .unwrap()
        .split('>')
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(key.replace(' ', "").len(), 32, "{key}");

    let wrong = if code_now(app, &key) == "000000" { "111111" } else { "000000" };
    assert_eq!(
        location(&post(app, &browser, "/account/totp/confirm", &[("code", wrong)]).await),
        "/account/totp?error=wrong"
    );
    let shown = post(app, &browser, "/account/totp/confirm", &[("code", &code_now(app, &key))]).await;
    assert_eq!((shown.status().as_u16(), shown.headers()["cache-control"].to_str().unwrap()), (200, "no-store"));
    let shown = shown.text().await.unwrap();
    let codes: Vec<String> = shown
        .split(r#"<li class="rounded bg-slate-100 p-2 text-center">"#)
        .skip(1)
        .map(|rest| rest.split('<').next().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10, "{shown}");
    let console = browser.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    assert!(console.contains("10 of 10 recovery codes left"));
    let reload = browser.get(app.url("/account/totp/confirm")).send().await.unwrap();
    assert_eq!(location(&reload), "/account", "the codes are not shown again");
    // The code that confirmed the app is spent: sign-ins need the next one.
    app.clock.advance(30);
    (key, codes)
}

/// Authorizes the spa client in a new browser and signs in with the password.
async fn password_step(app: &TestApp, params: &[(&'static str, String)]) -> (TestApp2, String) {
    let browser = client();
    let interaction = location(&browser.get(app.url("/authorize")).query(params).send().await.unwrap());
    let response = browser
        .post(app.url(&format!("{interaction}/login")))
        .form(&[("email", JANE), ("password", JANE_PASSWORD)])
        .send()
        .await
        .unwrap();
    (TestApp2 { browser }, location(&response))
}

/// A second browser beside the app's own client.
struct TestApp2 {
    browser: reqwest::Client,
}

impl TestApp2 {
    async fn follow(&self, app: &TestApp, mut next: String) -> String {
        for _ in 0..5 {
            if !next.starts_with('/') {
                return next;
            }
            let response = if next.starts_with("/interaction/") {
                self.browser
                    .post(app.url(&format!("{next}/consent")))
                    .form(&[("decision", "allow")])
                    .send()
                    .await
                    .unwrap()
            } else {
                self.browser.get(app.url(&next)).send().await.unwrap()
            };
            next = location(&response);
        }
        panic!("no callback: {next}");
    }
}

sanus_core::engine_tests! {
    async fn an_authenticator_app_then_guards_every_sign_in(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let (key, codes) = set_up_totp(&app).await;

        let (second, next) = password_step(&app, &spa_request()).await;
        assert_eq!(next, "/signin/second-factor", "the password alone is not enough");
        let page = second.browser.get(app.url(&next)).send().await.unwrap();
        assert!(page.headers()["content-security-policy"].to_str().unwrap().contains("https://app.acme.example/callback"));
        assert!(page.text().await.unwrap().contains(r#"autocomplete="one-time-code""#));
        let wrong = if code_now(&app, &key) == "000000" { "111111" } else { "000000" };
        let refused = post(&app, &second.browser, &next, &[("code", wrong)]).await;
        assert_eq!(location(&refused), "/signin/second-factor?error=wrong-4");
        let resumed = post(&app, &second.browser, &next, &[("code", &code_now(&app, &key))]).await;
        assert!(resumed.headers().get_all("set-cookie").iter().any(|c| c.to_str().unwrap().starts_with("sanus_second_factor=;")));
        let callback = second.follow(&app, location(&resumed)).await;
        let tokens: Value = app.exchange(&params_of(&callback)["code"], VERIFIER).await.json().await.unwrap();
        let claims = claims_of(tokens["id_token"].as_str().unwrap());
        assert_eq!(claims["amr"], serde_json::json!(["pwd", "otp", "mfa"]));
        assert_eq!(claims["acr"], MFA);

        // A recovery code works once instead, in any spelling.
        let (third, next) = password_step(&app, &spa_request()).await;
        let typed = codes[3].to_uppercase();
        let resumed = post(&app, &third.browser, &next, &[("code", &typed)]).await;
        assert!(location(&resumed).starts_with("/authorize/resume/"));
        let (fourth, next) = password_step(&app, &spa_request()).await;
        assert!(location(&post(&app, &fourth.browser, &next, &[("code", &codes[3])]).await).contains("error=wrong-4"));

        let kinds: Vec<String> = sanus_core::audit::latest(&app.store, 30).await.unwrap().into_iter().map(|e| e.kind).collect();
        assert!(kinds.iter().any(|k| k == "mfa.totp_enabled"), "{kinds:?}");
    }

    async fn five_wrong_codes_end_the_waiting_sign_in(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let (key, _) = set_up_totp(&app).await;
        let (second, next) = password_step(&app, &spa_request()).await;
        let wrong = if code_now(&app, &key) == "000000" { "111111" } else { "000000" };
        for left in (0..5).rev() {
            let answer = location(&post(&app, &second.browser, &next, &[("code", wrong)]).await);
            assert_eq!(answer, format!("/signin/second-factor?error=wrong-{left}"));
        }
        assert_eq!(location(&post(&app, &second.browser, &next, &[("code", &code_now(&app, &key))]).await), next);
        let page = second.browser.get(app.url(&next)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("This sign-in has ended") && page.contains(r#"href="/signin""#));
    }

    async fn acr_values_demand_a_second_factor(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let demanding = with(spa_request(), "acr_values", Some(MFA));
        // Without an authenticator app the demand cannot be met: the client is told.
        let (first, next) = password_step(&app, &demanding).await;
        let error = first.follow(&app, next).await;
        let params = params_of(&error);
        assert_eq!(params["error"], "unmet_authentication_requirements", "{error}");

        // A session from a password alone (from before the app was set up) does not meet it.
        let callback = app.run_flow(&spa_request()).await;
        assert!(callback.contains("code="));
        let (key, _) = set_up_totp(&app).await;
        let again = location(&app.authorize(&demanding).await);
        assert!(again.starts_with("/interaction/"), "{again}");
        let (second, next) = password_step(&app, &demanding).await;
        let resumed = post(&app, &second.browser, &next, &[("code", &code_now(&app, &key))]).await;
        let callback = second.follow(&app, location(&resumed)).await;
        assert!(params_of(&callback).contains_key("code"), "{callback}");
        // That session now counts: single sign-on straight to the client.
        let direct = location(&second.browser.get(app.url("/authorize")).query(&demanding).send().await.unwrap());
        assert!(direct.starts_with("https://app.acme.example/callback?code="), "{direct}");
    }

    async fn turning_it_off_or_renewing_codes_needs_the_password(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let (key, old_codes) = set_up_totp(&app).await;
        let browser = client();
        let next = browser
            .post(app.url("/signin"))
            .form(&[("email", JANE), ("password", JANE_PASSWORD), ("return_to", "/account")])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&next), "/signin/second-factor");
        assert_eq!(location(&post(&app, &browser, "/signin/second-factor", &[("code", &code_now(&app, &key))]).await), "/account");

        let wrong = post(&app, &browser, "/account/recovery-codes", &[("password", "not the password")]).await;
        assert_eq!(location(&wrong), "/account?error=mfa-wrong-password");
        let console = browser.get(app.url("/account?error=mfa-wrong-password")).send().await.unwrap().text().await.unwrap();
        assert!(console.contains(r#"id="mfa-password-error""#));
        let renewed = post(&app, &browser, "/account/recovery-codes", &[("password", JANE_PASSWORD)]).await;
        assert_eq!(renewed.status(), 200);
        assert!(renewed.text().await.unwrap().contains("Save your recovery codes"));
        assert_eq!(location(&browser.get(app.url("/account/recovery-codes")).send().await.unwrap()), "/account", "shown once");
        // Should recording it fail, the new codes are still shown: the old ones are gone.
        sqlx::query("ALTER TABLE audit_events RENAME TO audit_events_away").execute(app.store.pool()).await.unwrap();
        let unaudited = post(&app, &browser, "/account/recovery-codes", &[("password", JANE_PASSWORD)]).await;
        sqlx::query("ALTER TABLE audit_events_away RENAME TO audit_events").execute(app.store.pool()).await.unwrap();
        assert_eq!(unaudited.status(), 200);
        assert!(unaudited.text().await.unwrap().contains("Save your recovery codes"));
        let (second, step) = password_step(&app, &spa_request()).await;
        assert!(location(&post(&app, &second.browser, &step, &[("code", &old_codes[0])]).await).contains("error=wrong"), "old codes are void");

        let without_code = post(&app, &browser, "/account/delete", &[("password", JANE_PASSWORD), ("confirm", "yes")]).await;
        assert_eq!(location(&without_code), "/account?error=delete-wrong-code", "deleting needs the second factor too");
        // Guessing it is throttled as at sign-in; while the wait lasts, even
        // the right code is not looked at, and the page says to wait.
        let delete = async |code: String| post(&app, &browser, "/account/delete", &[("password", JANE_PASSWORD), ("confirm", "yes"), ("code", &code)]).await;
        let mut guesses = 0;
        while location(&delete("000000".into()).await) == "/account?error=delete-wrong-code" {
            guesses += 1;
            assert!(guesses < 10, "guessing is throttled");
        }
        let waiting = location(&delete(code_now(&app, &key)).await);
        assert!(waiting.starts_with("/account?error=delete-throttled-"), "{waiting}");
        let console = browser.get(app.url(&waiting)).send().await.unwrap().text().await.unwrap();
        assert!(console.contains(r#"id="delete-code-error""#) && console.contains("Too many failed attempts"), "at the code's field");
        assert_eq!(location(&post(&app, &browser, "/account/totp/remove", &[("password", "nope nope")]).await), "/account?error=mfa-wrong-password");
        assert_eq!(location(&post(&app, &browser, "/account/totp/remove", &[("password", JANE_PASSWORD)]).await), "/account?notice=totp-removed");
        let console = browser.get(app.url("/account?notice=totp-removed")).send().await.unwrap().text().await.unwrap();
        assert!(console.contains("Two-step sign-in is off") && console.contains("Set up an authenticator app"));
        let (third, step) = password_step(&app, &spa_request()).await;
        assert!(step.starts_with("/authorize/resume/"), "one step again: {step}");
        drop(third);
    }

    async fn once_set_up_a_password_alone_changes_no_second_factor(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        // Someone who has the password and a session from before.
        let before = client();
        console_sign_in(&app, &before).await;
        let code = params_of(&app.run_flow(&spa_request()).await)["code"].clone();
        let tokens: Value = app.exchange(&code, VERIFIER).await.json().await.unwrap();
        let (key, _) = set_up_totp(&app).await;
        // Turning the app on ended that session and the grants made with the password alone.
        assert_eq!(location(&before.get(app.url("/account")).send().await.unwrap()), "/signin?return_to=/account");
        assert_eq!(app.refresh(tokens["refresh_token"].as_str().unwrap()).await.status(), 400);

        // A session that used no second factor (as one made before the app was set up).
        let jane = sanus_core::users::find_user_by_email(&app.store, &sanus_core::users::Email::parse(JANE).unwrap()).await.unwrap().unwrap();
        let (_, token) = sanus_core::sessions::create_session(&app.store, &jane.id, &["pwd"], None, app.clock.now(), 3600).await.unwrap().unwrap();
        let password_only = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .default_headers([(reqwest::header::COOKIE, format!("sanus_session={token}").parse().unwrap())].into_iter().collect())
            .build()
            .unwrap();
        for path in ["/account/recovery-codes", "/account/totp/remove"] {
            let refused = post(&app, &password_only, path, &[("password", JANE_PASSWORD)]).await;
            assert_eq!(location(&refused), "/account?error=second-factor-first", "{path}");
        }
        let console = password_only.get(app.url("/account?error=second-factor-first")).send().await.unwrap().text().await.unwrap();
        assert!(console.contains(r#"id="mfa-password-error""#) && console.contains("a password alone no longer changes"), "{console}");
        assert!(sanus_core::mfa::mfa_status(&app.store, &jane.id).await.unwrap().totp, "still on");
        // With the second factor, it can.
        let browser = client();
        let next = post(&app, &browser, "/signin", &[("email", JANE), ("password", JANE_PASSWORD), ("return_to", "/account")]).await;
        assert_eq!(location(&next), "/signin/second-factor");
        assert_eq!(location(&post(&app, &browser, "/signin/second-factor", &[("code", &code_now(&app, &key))]).await), "/account");
        assert_eq!(location(&post(&app, &browser, "/account/totp/remove", &[("password", JANE_PASSWORD)]).await), "/account?notice=totp-removed");
    }

    async fn a_deletion_refused_anyway_spends_no_recovery_code(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let (key, codes) = set_up_totp(&app).await;
        let browser = client();
        post(&app, &browser, "/signin", &[("email", JANE), ("password", JANE_PASSWORD), ("return_to", "/account")]).await;
        assert_eq!(location(&post(&app, &browser, "/signin/second-factor", &[("code", &code_now(&app, &key))]).await), "/account");
        let created = post(&app, &browser, "/orgs", &[("name", "Praxis Jane"), ("kind", "organization")]).await;
        assert!(location(&created).ends_with("?notice=created"), "her organisation, with her its only Admin");
        let refused = post(&app, &browser, "/account/delete", &[("password", JANE_PASSWORD), ("confirm", "yes"), ("code", &codes[0])]).await;
        assert_eq!(location(&refused), "/account?error=delete-sole-admin");
        let (second, step) = password_step(&app, &spa_request()).await;
        let resumed = location(&post(&app, &second.browser, &step, &[("code", &codes[0])]).await);
        assert!(resumed.starts_with("/authorize/resume/"), "the code still works: {resumed}");
    }

    async fn a_client_that_demands_a_second_factor_later_ends_grants_made_without_one(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let code = params_of(&app.run_flow(&spa_request()).await)["code"].clone();
        let tokens: Value = app.exchange(&code, VERIFIER).await.json().await.unwrap();
        let refresh = tokens["refresh_token"].as_str().unwrap();
        let mut spa = sanus_core::clients::find_client(&app.store, "spa").await.unwrap().unwrap();
        spa.require_mfa = true;
        assert!(sanus_core::clients::replace_client(&app.store, &spa).await.unwrap());
        app.clock.advance(1); // every instance sees the change within a second
        let refused = app.refresh(refresh).await;
        assert_eq!(refused.status(), 400);
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["error"], "invalid_grant", "{body}");
    }

    async fn a_client_can_demand_the_second_factor_of_everyone(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.import(
            r#"
[[clients]]
application = "tstapp"
client_id = "strict"
kind = "spa"
name = "Strict app"
require_mfa = true
redirect_uris = ["https://app.acme.example/callback"]
"#,
        )
        .await;
        let strict = with(spa_request(), "client_id", Some("strict"));
        let (first, next) = password_step(&app, &strict).await;
        let error = first.follow(&app, next).await;
        assert_eq!(params_of(&error)["error"], "unmet_authentication_requirements", "{error}");

        let (key, _) = set_up_totp(&app).await;
        let (second, next) = password_step(&app, &strict).await;
        assert_eq!(next, "/signin/second-factor");
        let resumed = post(&app, &second.browser, &next, &[("code", &code_now(&app, &key))]).await;
        let callback = second.follow(&app, location(&resumed)).await;
        assert!(params_of(&callback).contains_key("code"), "{callback}");
    }
}
