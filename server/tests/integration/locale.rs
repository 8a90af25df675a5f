//! `POST /locale`: switching languages without JavaScript.

use crate::helpers::spawn_app;

sanus_core::engine_tests! {
    async fn switching_language_remembers_it_and_returns_to_the_page(db: TestDatabase) {
        let app = spawn_app(db).await;
        let response = app
            .client
            .post(app.url("/locale"))
            .form(&[("locale", "de"), ("next", "/signin")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()["location"], "/signin");
        let cookie = response.headers()["set-cookie"].to_str().unwrap();
        assert!(cookie.starts_with("sanus_locale=de;"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
        // The client's cookie store now sends it: the next page is German.
        let html = app.get("/signin").await.text().await.unwrap();
        assert!(html.contains(r#"<html lang="de""#));
        assert!(html.contains("E-Mail-Adresse"));
    }

    async fn unknown_language_is_a_clear_400(db: TestDatabase) {
        let app = spawn_app(db).await;
        let response = app.client.post(app.url("/locale")).form(&[("locale", "xx")]).send().await.unwrap();
        assert_eq!(response.status(), 400);
        assert!(response.text().await.unwrap().contains("Choose English (en) or Deutsch (de)"));
    }

    async fn switching_never_redirects_off_site(db: TestDatabase) {
        let app = spawn_app(db).await;
        for next in ["https://evil.example/", "//evil.example/x", "/\\evil.example"] {
            let response = app
                .client
                .post(app.url("/locale"))
                .form(&[("locale", "en"), ("next", next)])
                .send()
                .await
                .unwrap();
            assert_eq!(response.headers()["location"], "/", "{next}");
        }
    }
}
