//! `/jwks` and the key lifecycle as relying parties see it.

use sanus_core::keys::SigningAlg;
use serde_json::Value;

use crate::helpers::{spawn_app, spawn_app_with};
use sanus::config::Secret;

async fn published(app: &crate::helpers::TestApp) -> Vec<Value> {
    let response = app.get("/jwks").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let body: Value = response.json().await.unwrap();
    body["keys"].as_array().unwrap().clone()
}

sanus_core::engine_tests! {
    async fn jwks_publishes_one_public_key_per_algorithm(db: TestDatabase) {
        let app = spawn_app(db).await;
        let keys = published(&app).await;
        let mut algs: Vec<&str> = keys.iter().map(|k| k["alg"].as_str().unwrap()).collect();
        algs.sort_unstable();
        assert_eq!(algs, ["ES256", "EdDSA", "RS256"]);
        for key in &keys {
            for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
                assert!(key.get(private).is_none(), "private member {private} in {key}");
            }
            assert_eq!(key["use"], "sig");
            assert!(key["kid"].as_str().is_some_and(|kid| kid.len() >= 16));
        }
    }

    async fn keys_survive_a_restart_with_the_generated_kek(db: TestDatabase) {
        let app = spawn_app(db).await;
        let first = published(&app).await;
        let again = app.restart().await;
        assert_eq!(published(&again).await, first);
    }

    async fn a_configured_kek_is_used_and_a_wrong_one_stops_start_up(db: TestDatabase) {
        let kek = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
        let app = spawn_app_with(db, |s| s.keys.kek = Some(Secret::new(kek))).await;
        assert_eq!(published(&app).await.len(), 3);
        assert!(!app.settings.server.data_dir.join("kek").exists(), "no generated KEK");

        let mut wrong = app.settings.clone();
        wrong.keys.kek = Some(Secret::new("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
        let error = sanus::Application::build(wrong).await.err().unwrap().to_string();
        assert!(error.contains("key-encryption key does not open signing key"), "{error}");
    }

    async fn rotation_publishes_the_new_keys_first_then_signs_with_them(db: TestDatabase) {
        let app = spawn_app(db).await;
        let before = published(&app).await;
        let old = app.keys.ring().await.unwrap().signing_key(SigningAlg::Es256).unwrap().kid.clone();
        let fresh = app.keys.rotate().await.unwrap();
        assert_eq!(fresh.len(), 3);
        let after = published(&app).await;
        assert_eq!(after.len(), 6, "published at once");
        for key in &before {
            assert!(after.contains(key), "old key still published");
        }
        let signer = async || app.keys.ring().await.unwrap().signing_key(SigningAlg::Es256).unwrap().kid.clone();
        assert_eq!(signer().await, old, "the old key signs while the new one becomes known");
        app.clock.advance(sanus_core::keys::PUBLISH_AHEAD_SECONDS);
        let es256 = signer().await;
        assert!(fresh.iter().any(|k| k.kid == es256), "then the new key signs");
        assert_eq!(published(&app).await.len(), 6, "and the old one stays published");
    }
}
