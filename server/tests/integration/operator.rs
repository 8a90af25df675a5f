//! The operator pages: only for accounts made operators on the command line.

use sanus_core::Clock as _;
use sanus_core::users::Email;

use crate::flow::location;
use crate::helpers::{JANE, JANE_PASSWORD, spawn_seeded_app};

sanus_core::engine_tests! {
    async fn only_operators_read_the_development_outbox(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        assert_eq!(location(&app.get("/admin/outbox").await), "/signin?return_to=/admin/outbox");
        let signed_in = app
            .client
            .post(app.url("/signin"))
            .form(&[("email", JANE), ("password", JANE_PASSWORD), ("return_to", "/admin/outbox")])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&signed_in), "/admin/outbox");
        let refused = app.get("/admin/outbox").await;
        assert_eq!(refused.status(), 403);
        assert!(refused.text().await.unwrap().contains("sanus admin grant"));
        assert!(!app.get("/account").await.text().await.unwrap().contains("/admin/outbox"));

        let mail = sanus_core::mail::password_reset_mail("en", "someone@example.org", "http://x.example/password/reset/abc");
        let mailer = sanus_core::mail::Mailer::new("Sanus <no-reply@example.org>", None).unwrap();
        mailer.send(&app.store, &mail, app.clock.now()).await.unwrap();
        sanus_core::platform_roles::grant(&app.store, &Email::parse(JANE).unwrap(), sanus_core::platform_roles::Role::Operator, app.clock.now()).await.unwrap();

        let page = app.get("/admin/outbox").await;
        assert_eq!((page.status().as_u16(), page.headers()["cache-control"].to_str().unwrap()), (200, "no-store"));
        let page = page.text().await.unwrap();
        assert!(page.contains("Your link to reset your password") && page.contains("someone@example.org"));
        assert!(page.contains("/password/reset/abc") && page.contains("No mail leaves this server"));
        assert!(app.get("/account").await.text().await.unwrap().contains(r#"href="/admin""#), "the console links it");
    }
}
