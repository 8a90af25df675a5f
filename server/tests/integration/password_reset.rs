//! Forgotten passwords, with the mail going through a real SMTP
//! conversation to a sink on loopback.

use sanus::config::Secret;
use sanus_core::mail::testing::SmtpSink;
use sanus_core::store::testing::TestDatabase;
use serde_json::Value;

use crate::flow::{VERIFIER, location, params_of, spa_request};
use crate::helpers::{JANE, JANE_PASSWORD, SEED, TestApp, spawn_app_with};

const NEW_PASSWORD: &str = "violet tram harbour 1987";

async fn app_with_smtp(db: TestDatabase) -> (TestApp, SmtpSink) {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = spawn_app_with(db, |settings| settings.mail.smtp_url = Some(Secret::new(url))).await;
    app.import(SEED).await;
    (app, sink)
}

/// The reset path in a mail's raw MIME text (quoted-printable undone).
fn reset_path(raw: &str) -> String {
    let decoded = raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    let start = decoded.find("/password/reset/").expect("a reset link in the mail");
    decoded[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || "/-_".contains(*c)).collect()
}

async fn forgot(app: &TestApp, email: &str) -> reqwest::Response {
    app.client.post(app.url("/password/forgot")).form(&[("email", email)]).send().await.unwrap()
}

async fn choose(app: &TestApp, path: &str, password: &str, confirm: &str) -> String {
    let response =
        app.client.post(app.url(path)).form(&[("password", password), ("confirm", confirm)]).send().await.unwrap();
    location(&response)
}

sanus_core::engine_tests! {
    async fn a_mailed_link_sets_a_new_password_once_and_ends_every_session(db: TestDatabase) {
        let (app, sink) = app_with_smtp(db).await;
        let code = params_of(&app.run_flow(&spa_request()).await)["code"].clone();
        let tokens: Value = app.exchange(&code, VERIFIER).await.json().await.unwrap();

        // The same answer whether or not the account exists.
        for email in ["nobody@acme.example", "not an address", JANE] {
            assert_eq!(location(&forgot(&app, email).await), "/password/forgot?sent=1", "{email}");
        }
        let mails = sink.wait_for(1).await;
        assert_eq!(mails[0].rcpt_to, [format!("<{JANE}>")]);
        let path = reset_path(&mails[0].data);
        let page = app.get(&path).await;
        assert_eq!(page.headers()["cache-control"], "no-store");
        assert!(page.text().await.unwrap().contains(r#"autocomplete="new-password""#));

        for (password, confirm, error) in [
            (NEW_PASSWORD, "something else entirely", "mismatch"),
            ("short", "short", "too_short"),
            ("qwertyuiop123!", "qwertyuiop123!", "common"),
            (JANE, JANE, "same_as_email"),
        ] {
            let back = choose(&app, &path, password, confirm).await;
            assert_eq!(back, format!("{path}?error={error}"));
            let shown = app.get(&back).await.text().await.unwrap();
            assert!(shown.contains(r#"aria-invalid="true""#) && shown.contains(r#"role="alert""#), "{error}");
        }
        assert_eq!(choose(&app, &path, NEW_PASSWORD, NEW_PASSWORD).await, "/password/changed");

        // Signed out everywhere: the refresh token and the access token are dead.
        let refreshed = app.refresh(tokens["refresh_token"].as_str().unwrap()).await;
        assert_eq!(refreshed.status(), 400);
        assert_eq!(app.userinfo(tokens["access_token"].as_str().unwrap()).await.status(), 401);
        // The old password no longer works, the new one does.
        let interaction = location(&app.authorize(&spa_request()).await);
        assert!(interaction.starts_with("/interaction/"), "the SSO session ended too: {interaction}");
        assert_eq!(location(&app.sign_in(&interaction, JANE, JANE_PASSWORD).await), interaction);
        assert!(location(&app.sign_in(&interaction, JANE, NEW_PASSWORD).await).starts_with("/authorize/resume/"));
        // The link worked once.
        assert!(app.get(&path).await.text().await.unwrap().contains("expired or was already used"));
        assert_eq!(choose(&app, &path, "another new password 2", "another new password 2").await, path);

        let events = sanus_core::audit::latest(&app.store, 50).await.unwrap();
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert!(kinds.contains(&"password_reset.requested") && kinds.contains(&"password_reset.completed"), "{kinds:?}");
        assert_eq!(sink.received().len(), 1, "no mail for unknown or malformed addresses");
    }

    async fn one_network_cannot_mail_every_account_and_parallel_requests_mail_once(db: TestDatabase) {
        let (app, sink) = app_with_smtp(db).await;
        // Ten requests for Jane at once: one link (one a minute, counted in turn).
        let mut asked = tokio::task::JoinSet::new();
        for _ in 0..10 {
            let request = app.client.post(app.url("/password/forgot")).form(&[("email", JANE)]);
            asked.spawn(async move { request.send().await.unwrap().status() });
        }
        while let Some(status) = asked.join_next().await {
            assert_eq!(status.unwrap(), 303);
        }
        let mails = sink.wait_for(1).await;
        assert_eq!(mails.len(), 1);
        // Twenty requests from one network, for any addresses, then a wait:
        // said openly, since it tells nothing about any account.
        for n in 10..20 {
            assert_eq!(location(&forgot(&app, &format!("person{n}@acme.example")).await), "/password/forgot?sent=1");
        }
        assert_eq!(location(&forgot(&app, "nobody@acme.example").await), "/password/forgot?wait=60");
        let page = app.get("/password/forgot?wait=60").await.text().await.unwrap();
        assert!(page.contains("Try again in 60 s") && page.contains(r#"aria-describedby="forgot-wait""#), "{page}");
        // A link used is a request that was someone's own: the network gets
        // it back (people behind one NAT are not kept waiting by each other's
        // resets), one per reset done.
        assert_eq!(choose(&app, &reset_path(&mails[0].data), NEW_PASSWORD, NEW_PASSWORD).await, "/password/changed");
        assert_eq!(location(&forgot(&app, "nobody@acme.example").await), "/password/forgot?sent=1");
        assert_eq!(location(&forgot(&app, "nobody@acme.example").await), "/password/forgot?wait=60");
        app.clock.advance(60);
        assert_eq!(location(&forgot(&app, JANE).await), "/password/forgot?sent=1");
        assert_eq!(sink.wait_for(2).await.len(), 2, "a minute later, a second link");
        assert!(sink.received().len() == 2);
    }

    async fn unknown_and_forged_links_offer_a_new_one(db: TestDatabase) {
        let (app, _sink) = app_with_smtp(db).await;
        let page = app.get("/password/reset/forged-token").await.text().await.unwrap();
        assert!(page.contains("expired or was already used") && page.contains(r#"href="/password/forgot""#));
        assert_eq!(choose(&app, "/password/reset/forged-token", NEW_PASSWORD, NEW_PASSWORD).await, "/password/reset/forged-token");
        let forgot_page = app.get("/password/forgot").await.text().await.unwrap();
        assert!(forgot_page.contains(r#"<label for="email""#));
        let sent = app.get("/password/forgot?sent=1").await.text().await.unwrap();
        assert!(sent.contains(r#"role="status""#) && sent.contains("30 minutes"));
    }
}
