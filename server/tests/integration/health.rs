//! `/healthz` and `/readyz`.

use crate::helpers::spawn_app;

sanus_core::engine_tests! {
    async fn healthz_answers_ok(db: TestDatabase) {
        let app = spawn_app(db).await;
        let response = app.get("/healthz").await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body, serde_json::json!({ "status": "ok" }));
    }

    async fn readyz_reports_a_reachable_database(db: TestDatabase) {
        let app = spawn_app(db).await;
        let response = app.get("/readyz").await;
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body, serde_json::json!({ "status": "ok", "database": "ok" }));
    }

    async fn readyz_reports_an_unavailable_database_with_503(db: TestDatabase) {
        let app = spawn_app(db).await;
        app.store.close().await;
        let response = app.get("/readyz").await;
        assert_eq!(response.status(), 503);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], "unavailable");
        // Liveness does not depend on the database.
        assert_eq!(app.get("/healthz").await.status(), 200);
    }
}
