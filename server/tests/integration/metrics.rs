//! `/metrics`: what is counted, where it is served, and that no label names
//! a person, a client or a path outside the route table.

use crate::helpers::{JANE, M2M_SECRET, METRICS_TOKEN as TOKEN, spawn_app_with, spawn_seeded_app};

/// The value of the sample `series` (name and labels exactly as written).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

sanus_core::engine_tests! {
    async fn counts_requests_tokens_sign_ins_and_caches_by_template(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        for _ in 0..2 {
            let issued = app.client.post(app.url("/token")).basic_auth("m2m-basic", Some(M2M_SECRET))
                .form(&[("grant_type", "client_credentials")]).send().await.unwrap();
            assert_eq!(issued.status(), 200);
        }
        let refused = app.client.post(app.url("/token")).basic_auth("m2m-basic", Some("not-the-secret"))
            .form(&[("grant_type", "client_credentials")]).send().await.unwrap();
        assert_eq!(refused.status(), 401);
        let unsupported = app.client.post(app.url("/token")).form(&[("grant_type", "implicit")]).send().await.unwrap();
        assert_eq!(unsupported.status(), 400);
        let wrong = app.client.post(app.url("/signin"))
            .form(&[("email", JANE), ("password", "not jane's password"), ("return_to", "/account")])
            .send().await.unwrap();
        assert_eq!(wrong.status(), 303, "back to the form, with the error");
        assert_eq!(app.get("/oauth2/register/some-client-id").await.status(), 401);
        assert_eq!(app.get("/no/such/page/jane@acme.example").await.status(), 404);

        let refused = app.get("/metrics").await;
        assert_eq!((refused.status().as_u16(), refused.headers()["www-authenticate"].to_str().unwrap()), (401, "Bearer"));
        let wrong = app.client.get(app.url("/metrics")).bearer_auth("metrics-token-0123456789abcdef012345678X").send().await.unwrap();
        assert_eq!(wrong.status(), 401);
        let scraped = app.client.get(app.url("/metrics")).bearer_auth(TOKEN).send().await.unwrap();
        assert_eq!(scraped.status(), 200);
        assert_eq!(scraped.headers()["content-type"], "application/openmetrics-text; version=1.0.0; charset=utf-8");
        assert_eq!(scraped.headers()["cache-control"], "no-store");
        let text = scraped.text().await.unwrap();
        assert!(text.ends_with("# EOF\n"));
        let value = |series: &str| sample(&text, series).unwrap_or_else(|| panic!("no {series} in\n{text}"));
        assert_eq!(value(r#"sanus_http_requests_total{method="POST",route="/token",status="200"}"#), 2.0);
        assert_eq!(value(r#"sanus_http_requests_total{method="POST",route="/token",status="401"}"#), 1.0);
        assert_eq!(value(r#"sanus_http_request_duration_seconds_count{method="POST",route="/token"}"#), 4.0);
        assert_eq!(value(r#"sanus_http_requests_total{method="GET",route="/oauth2/register/{client_id}",status="401"}"#), 1.0);
        assert_eq!(value(r#"sanus_http_requests_total{method="GET",route="unmatched",status="404"}"#), 1.0);
        assert_eq!(value(r#"sanus_http_requests_total{method="GET",route="/metrics",status="401"}"#), 2.0);
        assert_eq!(value(r#"sanus_tokens_issued_total{grant="client_credentials"}"#), 2.0);
        assert_eq!(value(r#"sanus_token_errors_total{grant="client_credentials",error="invalid_client"}"#), 1.0);
        assert_eq!(value(r#"sanus_token_errors_total{grant="unsupported",error="unsupported_grant_type"}"#), 1.0);
        assert_eq!(value(r#"sanus_sign_ins_total{outcome="failed",reason="invalid_credentials"}"#), 1.0);
        assert_eq!(value(r#"sanus_audit_events_total{kind="sign_in.failed"}"#), 1.0);
        // The first lookup of the client loaded it; the others found it.
        assert_eq!(value(r#"sanus_client_cache_lookups_total{result="miss"}"#), 1.0);
        assert_eq!(value(r#"sanus_client_cache_lookups_total{result="hit"}"#), 2.0);
        assert_eq!(value(r#"sanus_password_checks_queued"#), 0.0);
        assert_eq!(value(r#"sanus_password_checks_refused_total"#), 0.0);
        assert_eq!(value(r#"sanus_db_max_connections"#), 3.0);
        let idle = value(r#"sanus_db_connections{state="idle"}"#);
        let in_use = value(r#"sanus_db_connections{state="in_use"}"#);
        assert!(idle + in_use >= 1.0 && idle + in_use <= 3.0, "{idle} + {in_use}");
        assert!(value("sanus_process_resident_memory_bytes") > 1_000_000.0);
        for private in ["m2m-basic", "acme", "jane", "some-client-id", "not-the-secret", "/no/such"] {
            assert!(!text.contains(private), "{private} in\n{text}");
        }
    }

    async fn a_separate_address_serves_the_metrics_instead(db: TestDatabase) {
        let app = spawn_app_with(db, |settings| {
            settings.metrics.bind = Some("127.0.0.1:0".parse().unwrap());
            settings.metrics.bearer_token = None;
        })
        .await;
        assert_eq!(app.get("/metrics").await.status(), 404, "not on the main listener");
        let address = app.metrics_address.expect("a metrics listener");
        assert_ne!(address, app.address);
        let scraped = app.client.get(format!("http://{address}/metrics")).send().await.unwrap();
        assert_eq!(scraped.status(), 200);
        let text = scraped.text().await.unwrap();
        assert_eq!(sample(&text, r#"sanus_http_requests_total{method="GET",route="unmatched",status="404"}"#), Some(1.0));
        let other = app.client.get(format!("http://{address}/healthz")).send().await.unwrap();
        assert_eq!(other.status(), 404, "the metrics listener serves nothing else");
    }

    async fn without_a_token_or_an_address_the_main_listener_serves_none(db: TestDatabase) {
        let app = spawn_app_with(db, |settings| settings.metrics.bearer_token = None).await;
        assert_eq!(app.get("/metrics").await.status(), 404);
        assert_eq!(app.metrics_address, None);
    }

    async fn metrics_can_be_turned_off(db: TestDatabase) {
        let app = spawn_app_with(db, |settings| {
            settings.metrics.enabled = false;
            settings.metrics.bind = Some("127.0.0.1:0".parse().unwrap());
        }).await;
        assert_eq!(app.get("/metrics").await.status(), 404);
        assert_eq!(app.metrics_address, None);
    }
}
