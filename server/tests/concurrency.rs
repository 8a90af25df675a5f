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
