//! Static assets: long caching for hashed names, precompressed files,
//! compression of dynamic responses.

use crate::helpers::{JS, spawn_app};

fn raw_client() -> reqwest::Client {
    reqwest::Client::builder().no_gzip().build().unwrap()
}

sanus_core::engine_tests! {
    async fn hashed_assets_are_immutable_and_served_precompressed(db: TestDatabase) {
        let app = spawn_app(db).await;
        let response = raw_client()
            .get(app.url(&format!("/pkg/{JS}")))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "public, max-age=31536000, immutable");
        assert_eq!(response.headers()["content-encoding"], "gzip");
        assert!(response.headers()["content-type"].to_str().unwrap().contains("javascript"));
        assert_eq!(response.bytes().await.unwrap().as_ref(), b"precompressed-gzip-marker");

        let plain = raw_client().get(app.url(&format!("/pkg/{JS}"))).send().await.unwrap();
        assert!(plain.headers().get("content-encoding").is_none());
        assert!(plain.text().await.unwrap().starts_with("export default"));
    }

    async fn unhashed_files_are_revalidated_and_missing_ones_404(db: TestDatabase) {
        let app = spawn_app(db).await;
        let favicon = app.get("/favicon.svg").await;
        assert_eq!(favicon.status(), 200);
        assert_eq!(favicon.headers()["cache-control"], "public, no-cache");
        let missing = app.get("/pkg/sanus.ffffffffffffffff.js").await;
        assert_eq!(missing.status(), 404);
        assert!(missing.headers().get("cache-control").is_none());
    }

    async fn pages_are_compressed_when_the_browser_accepts_it(db: TestDatabase) {
        let app = spawn_app(db).await;
        let response = raw_client()
            .get(app.url("/"))
            .header("accept-encoding", "br, gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-encoding"], "br");
        // Small JSON answers are cheaper to send than to compress.
        let jwks = raw_client().get(app.url("/jwks")).header("accept-encoding", "br, gzip").send().await.unwrap();
        assert!(jwks.headers().get("content-encoding").is_none());
    }
}
