//! Server-rendered pages: languages, 404, the hydration boot script.

use crate::helpers::{CSS, JS, WASM, spawn_app};

async fn page(app: &crate::helpers::TestApp, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut request = app.client.get(app.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"), "{path} is HTML");
    (status, response.text().await.unwrap())
}

sanus_core::engine_tests! {
    async fn home_page_is_english_by_default(db: TestDatabase) {
        let app = spawn_app(db).await;
        let (status, html) = page(&app, "/", &[]).await;
        assert_eq!(status, 200);
        assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..80]);
        assert!(html.contains(r#"<html lang="en""#));
        assert!(html.contains("One account for everyone in health care"));
        assert!(html.contains("<title>Sanus – identity for digital health</title>"));
        assert!(html.contains(r#"<main id="main""#), "main landmark");
        assert!(html.contains(r##"href="#main""##), "skip link");
    }

    async fn home_page_follows_accept_language(db: TestDatabase) {
        let app = spawn_app(db).await;
        let (status, html) = page(&app, "/", &[("accept-language", "de-DE,de;q=0.9,en;q=0.5")]).await;
        assert_eq!(status, 200);
        assert!(html.contains(r#"<html lang="de""#));
        assert!(html.contains("Ein Konto für alle im Gesundheitswesen"));
    }

    async fn remembered_language_wins_over_accept_language(db: TestDatabase) {
        let app = spawn_app(db).await;
        let headers = [("accept-language", "de"), ("cookie", "sanus_locale=en")];
        let (_, html) = page(&app, "/", &headers).await;
        assert!(html.contains(r#"<html lang="en""#));
    }

    async fn unknown_address_renders_the_404_page(db: TestDatabase) {
        let app = spawn_app(db).await;
        let (status, html) = page(&app, "/no/such/page", &[("accept-language", "de")]).await;
        assert_eq!(status, 404);
        assert!(html.contains("Seite nicht gefunden"));
        assert!(html.contains(r#"href="/""#), "a way back home");
    }

    async fn sign_in_page_labels_every_input(db: TestDatabase) {
        let app = spawn_app(db).await;
        let (status, html) = page(&app, "/signin", &[]).await;
        assert_eq!(status, 200);
        for id in ["email", "password"] {
            assert!(html.contains(&format!(r#"<label for="{id}""#)), "label for {id}");
            assert!(html.contains(&format!(r#"id="{id}""#)), "input {id}");
        }
        assert!(html.contains(r#"autocomplete="current-password""#));
        // The language switcher sends the browser back here without JavaScript.
        assert!(html.contains(r#"<input type="hidden" name="next" value="/signin""#), "switcher returns to the page");
    }

    async fn pages_load_hashed_assets_with_the_responses_nonce(db: TestDatabase) {
        let app = spawn_app(db).await;
        let response = app.get("/").await;
        let csp = response.headers()["content-security-policy"].to_str().unwrap().to_string();
        let html = response.text().await.unwrap();
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("the page policy has a nonce");
        assert!(html.contains(&format!(r#"nonce="{nonce}""#)), "boot script carries the nonce");
        assert!(html.contains(&format!(r#"href="/pkg/{CSS}""#)));
        assert!(html.contains(&format!(r#"href="/pkg/{JS}""#)));
        assert!(html.contains(&format!("/pkg/{WASM}")));
        let other = app.get("/").await;
        let other_csp = other.headers()["content-security-policy"].to_str().unwrap();
        assert_ne!(csp, other_csp, "a fresh nonce per response");
    }
}
