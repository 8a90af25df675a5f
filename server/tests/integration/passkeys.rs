//! Passkeys over HTTP. A whole ceremony needs an authenticator: the browser
//! specs run it with Chromium's virtual one; here, what the server decides
//! on its own: the options, the ceremony cookie, refusals.

use sanus::config::PublicUrl;
use serde_json::Value;

use crate::flow::{location, spa_request};
use crate::helpers::{JANE, JANE_PASSWORD, SEED, TestApp, spawn_app_with, spawn_seeded_app};

/// An app whose public URL names a host, as passkeys need.
async fn app_on_localhost(db: sanus_core::store::testing::TestDatabase) -> TestApp {
    let app = spawn_app_with(db, |s| s.server.public_url = PublicUrl::parse("http://localhost:3000").unwrap()).await;
    app.import(SEED).await;
    app
}

async fn post_json(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    app.client.post(app.url(path)).json(&body).send().await.unwrap()
}

sanus_core::engine_tests! {
    async fn a_passkey_is_removed_with_the_password_from_a_session_that_used_a_second_factor(db: TestDatabase) {
        let app = app_on_localhost(db).await;
        let jane = sanus_core::users::find_user_by_email(&app.store, &sanus_core::users::Email::parse(JANE).unwrap()).await.unwrap().unwrap();
        sqlx::query("INSERT INTO passkeys (id, user_id, name, credential, created_at) VALUES ('pk1', $1, 'Work laptop', '{}', 1)")
            .bind(jane.id.as_str())
            .execute(app.store.pool())
            .await
            .unwrap();
        let browser = |token: String| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .default_headers([(reqwest::header::COOKIE, format!("sanus_session={token}").parse().unwrap())].into_iter().collect())
                .build()
                .unwrap()
        };
        let session = async |amr: &[&str]| {
            let now = sanus_core::Clock::now(&app.clock);
            browser(sanus_core::sessions::create_session(&app.store, &jane.id, amr, None, now, 3600).await.unwrap().unwrap().1)
        };
        let remove = async |browser: &reqwest::Client, password: &str| {
            let response = browser.post(app.url("/account/passkeys/remove")).form(&[("id", "pk1"), ("password", password)]).send().await.unwrap();
            location(&response)
        };
        // The password alone, which may be all someone stole, neither removes a passkey nor adds one.
        let password_only = session(&["pwd"]).await;
        assert_eq!(remove(&password_only, "not it").await, "/account?error=passkey-wrong-password");
        assert_eq!(remove(&password_only, JANE_PASSWORD).await, "/account?error=passkey-second-factor-first");
        let console = password_only.get(app.url("/account?error=passkey-second-factor-first")).send().await.unwrap().text().await.unwrap();
        assert!(console.contains(r#"id="passkey-password-error""#) && console.contains(r#"<option value="pk1">Work laptop</option>"#), "{console}");
        let added = password_only.post(app.url("/account/passkeys/begin")).json(&serde_json::json!({ "password": JANE_PASSWORD })).send().await.unwrap();
        assert_eq!(added.status(), 403);
        assert_eq!(added.json::<Value>().await.unwrap()["error"], "second_factor_first");
        // Nor does it set up an authenticator app, or see or confirm one being set up.
        let totp = password_only.post(app.url("/account/totp")).form(&[("password", JANE_PASSWORD)]).send().await.unwrap();
        assert_eq!(location(&totp), "/account?error=second-factor-first");
        sanus_core::mfa::begin_totp(&app.store, app.keys.kek(), &jane.id, "Sanus", JANE, sanus_core::Clock::now(&app.clock)).await.unwrap();
        assert_eq!(location(&password_only.get(app.url("/account/totp")).send().await.unwrap()), "/account?error=second-factor-first");
        let confirm = password_only.post(app.url("/account/totp/confirm")).form(&[("code", "123456")]).send().await.unwrap();
        assert_eq!(location(&confirm), "/account?error=second-factor-first");
        // Signed in with a passkey, the password removes it.
        let with_passkey = session(&["hwk", "mfa"]).await;
        assert_eq!(remove(&with_passkey, JANE_PASSWORD).await, "/account?notice=passkey-removed");
        assert!(sanus_core::passkeys::list(&app.store, &jane.id).await.unwrap().is_empty());
    }

    async fn a_console_ceremony_asks_for_a_discoverable_key_and_refuses_forgeries(db: TestDatabase) {
        let app = app_on_localhost(db).await;
        assert_eq!(post_json(&app, "/account/passkeys/begin", serde_json::json!({})).await.status(), 401, "signed in only");
        let signed_in = app
            .client
            .post(app.url("/signin"))
            .form(&[("email", JANE), ("password", JANE_PASSWORD), ("return_to", "/account")])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&signed_in), "/account");
        let console = app.get("/account").await.text().await.unwrap();
        assert!(console.contains(r#"id="passkeys-heading""#) && console.contains("No passkeys yet"));

        let wrong = post_json(&app, "/account/passkeys/begin", serde_json::json!({ "password": "not hers" })).await;
        assert_eq!(wrong.status(), 403, "a session alone does not add a passkey");
        let begin = post_json(&app, "/account/passkeys/begin", serde_json::json!({ "password": JANE_PASSWORD })).await;
        assert_eq!(begin.status(), 200);
        assert_eq!(begin.headers()["cache-control"], "no-store");
        assert!(begin.headers()["set-cookie"].to_str().unwrap().starts_with("sanus_webauthn="));
        let options: Value = begin.json().await.unwrap();
        assert_eq!(options["publicKey"]["rp"]["id"], "localhost");
        assert_eq!(options["publicKey"]["user"]["name"], JANE);
        assert_eq!(options["publicKey"]["authenticatorSelection"]["residentKey"], "required");

        let forged = serde_json::json!({
            "name": "Forged",
            "credential": {
                "id": "AAAA", "rawId": "AAAA", "type": "public-key",
                "response": { "attestationObject": "AAAA", "clientDataJSON": "AAAA" },
                "extensions": {}
            }
        });
        let refused = post_json(&app, "/account/passkeys/finish", forged.clone()).await;
        assert_eq!(refused.status(), 400);
        assert_eq!(refused.json::<Value>().await.unwrap()["error"], "not_accepted");
        let again = post_json(&app, "/account/passkeys/finish", forged).await;
        assert_eq!(again.status(), 400, "the ceremony was spent");
        assert!(!app.get("/account").await.text().await.unwrap().contains("Forged"));
    }

    async fn a_sign_in_ceremony_starts_for_anyone_and_refuses_unknown_keys(db: TestDatabase) {
        let app = app_on_localhost(db).await;
        let interaction = location(&app.authorize(&spa_request()).await);
        let page = app.get(&interaction).await.text().await.unwrap();
        assert!(!page.contains("Sign in with a passkey"), "the button appears only once the page runs its script");
        let id = interaction.trim_start_matches("/interaction/");
        let begin = post_json(&app, "/signin/passkey/begin", serde_json::json!({ "interaction": id })).await;
        assert_eq!(begin.status(), 200);
        let options: Value = begin.json().await.unwrap();
        assert_eq!(options["publicKey"]["userVerification"], "required");
        assert!(options.get("mediation").is_none(), "a button starts it, not autofill");
        let unknown = serde_json::json!({
            "credential": {
                "id": "AAAA", "rawId": "AAAA", "type": "public-key",
                "response": { "authenticatorData": "AAAA", "clientDataJSON": "AAAA", "signature": "AAAA", "userHandle": "AAAA" },
                "extensions": {}
            }
        });
        let refused = post_json(&app, "/signin/passkey/finish", unknown).await;
        assert_eq!(refused.status(), 400);
        assert!(refused.headers().get("set-cookie").is_none(), "nobody is signed in");
        let kinds: Vec<String> = sanus_core::audit::latest(&app.store, 5).await.unwrap().into_iter().map(|e| e.kind).collect();
        assert!(kinds.iter().any(|k| k == "sign_in.failed"), "{kinds:?}");
    }

    async fn without_a_host_name_there_are_no_passkeys(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let off = post_json(&app, "/signin/passkey/begin", serde_json::json!({})).await;
        assert_eq!(off.status(), 404);
        assert_eq!(off.json::<Value>().await.unwrap()["error"], "passkeys_off");
        app.client
            .post(app.url("/signin"))
            .form(&[("email", JANE), ("password", JANE_PASSWORD), ("return_to", "/account")])
            .send()
            .await
            .unwrap();
        assert!(app.get("/account").await.text().await.unwrap().contains("Passkeys are not available here"));
    }
}
