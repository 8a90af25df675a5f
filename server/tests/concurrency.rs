//! Load-shaped regressions, in their own process. In the integration
//! binary, this multi-threaded runtime beside the other tests'
//! single-threaded runtimes sometimes hung (the cause is not found yet;
//! a server runs exactly one runtime, and 2,000 concurrent renders against
//! the release binary pass).

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

#[path = "integration/flow.rs"]
mod flow;
#[path = "integration/helpers.rs"]
mod helpers;

/// Regression: the interaction page renders inside `Suspend`; a `<Title>`
/// closing over a signal from a disposed first pass made about one render
/// in two hundred panic under concurrency. Many concurrent renders on a
/// multi-threaded runtime, as in production.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_interaction_page_survives_concurrent_renders() {
    let db = sanus_core::store::testing::TestDatabase::new(sanus_core::store::Engine::Sqlite).await.unwrap();
    let app = std::sync::Arc::new(helpers::spawn_seeded_app(db).await);
    let interaction = flow::location(&app.authorize(&flow::spa_request()).await);
    let mut renders = Vec::new();
    for _ in 0..16 {
        let (app, interaction) = (app.clone(), interaction.clone());
        renders.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for _ in 0..25 {
                statuses.push(app.get(&interaction).await.status().as_u16());
            }
            statuses
        }));
    }
    for render in renders {
        assert!(render.await.unwrap().iter().all(|s| *s == 200));
    }
}

/// The same for the pages rendered from data their handlers loaded (the
/// account console and the organisation pages): a `<Title>` reading the
/// language signal panicked in a few renders of a hundred under load.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loaded_pages_survive_concurrent_renders() {
    let db = sanus_core::store::testing::TestDatabase::new(sanus_core::store::Engine::Sqlite).await.unwrap();
    let app = std::sync::Arc::new(helpers::spawn_seeded_app(db).await);
    let signed_in = app
        .client
        .post(app.url("/signin"))
        .form(&[("email", helpers::JANE), ("password", helpers::JANE_PASSWORD), ("return_to", "/orgs")])
        .send()
        .await
        .unwrap();
    assert_eq!(flow::location(&signed_in), "/orgs");
    let created = app.client.post(app.url("/orgs")).form(&[("name", "Klinikum")]).send().await.unwrap();
    let tenant = flow::location(&created).split('?').next().unwrap().to_string();
    let mut renders = Vec::new();
    for worker in 0..16 {
        let (app, tenant) = (app.clone(), tenant.clone());
        renders.push(tokio::spawn(async move {
            let path = ["/orgs", tenant.as_str(), "/account"][worker % 3].to_string();
            let mut statuses = Vec::new();
            for _ in 0..25 {
                statuses.push(app.get(&path).await.status().as_u16());
            }
            (path, statuses)
        }));
    }
    for render in renders {
        let (path, statuses) = render.await.unwrap();
        assert!(statuses.iter().all(|s| *s == 200), "{path}: {statuses:?}");
    }
}
