//! Security headers, cross-origin form protection, request ids.

use sanus::config::PublicUrl;

use crate::helpers::{spawn_app, spawn_app_with};

sanus_core::engine_tests! {
    async fn every_response_carries_the_security_headers(db: TestDatabase) {
        let app = spawn_app(db).await;
        for path in ["/", "/healthz", "/nope", "/pkg/missing.js"] {
            let response = app.get(path).await;
            let headers = response.headers();
            assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(headers["x-frame-options"], "DENY", "{path}");
            assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
            let csp = headers["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
            assert!(headers.get("strict-transport-security").is_none(), "no HSTS over http");
        }
        let json = app.get("/healthz").await;
        assert!(json.headers()["content-security-policy"].to_str().unwrap().starts_with("default-src 'none'"));
    }

    async fn https_public_url_adds_hsts(db: TestDatabase) {
        let app = spawn_app_with(db, |s| s.server.public_url = PublicUrl::parse("https://id.example.org").unwrap()).await;
        let response = app.get("/healthz").await;
        assert!(response.headers()["strict-transport-security"].to_str().unwrap().starts_with("max-age="));
    }

    async fn cross_site_form_posts_are_refused(db: TestDatabase) {
        let app = spawn_app(db).await;
        let attempts: [&[(&str, &str)]; 3] = [
            &[("sec-fetch-site", "cross-site")],
            &[("sec-fetch-site", "same-site")],
            &[("origin", "https://evil.example")],
        ];
        for headers in attempts {
            let mut request = app.client.post(app.url("/locale")).form(&[("locale", "de")]);
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 403, "{headers:?}");
            assert!(response.headers().get("set-cookie").is_none(), "nothing changed");
            assert!(response.text().await.unwrap().contains("submit the form again"));
        }
        let same_origin = app
            .client
            .post(app.url("/locale"))
            .header("sec-fetch-site", "same-origin")
            .form(&[("locale", "de")])
            .send()
            .await
            .unwrap();
        assert_eq!(same_origin.status(), 303);
    }

    async fn request_id_is_returned_and_a_given_one_kept(db: TestDatabase) {
        let app = spawn_app(db).await;
        let response = app.get("/healthz").await;
        let id = response.headers()["x-request-id"].to_str().unwrap();
        assert_eq!(id.len(), 36, "a UUID: {id}");
        let response = app.client.get(app.url("/healthz")).header("x-request-id", "abc-123").send().await.unwrap();
        assert_eq!(response.headers()["x-request-id"], "abc-123");
    }
}
