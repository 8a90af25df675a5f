//! Fresh databases for tests, on both engines.
//!
//! SQLite: a file in a temporary directory. PostgreSQL: a new database in the
//! cluster named by `SANUS_TEST_POSTGRES_URL` (the test command starts one on
//! a loopback port). Without that variable the PostgreSQL variant of a test
//! is skipped, unless `SANUS_TEST_REQUIRE_POSTGRES=1`, which the test command
//! sets so that skipping can never pass for success.

use std::time::Duration;

use sqlx::{Connection as _, Executor as _};

use super::{Engine, Store, StoreOptions};

/// Environment variable with the URL of a PostgreSQL server for tests.
pub const POSTGRES_URL_VAR: &str = "SANUS_TEST_POSTGRES_URL";
/// Set to `1` to fail instead of skipping when no PostgreSQL is configured.
pub const REQUIRE_POSTGRES_VAR: &str = "SANUS_TEST_REQUIRE_POSTGRES";

/// An empty database that lives as long as this value: the SQLite file's
/// directory is removed, the PostgreSQL database dropped, so that a
/// long-lived development cluster does not fill the disk.
#[derive(Debug)]
pub struct TestDatabase {
    pub url: String,
    pub engine: Engine,
    _dir: Option<tempfile::TempDir>,
    /// The server's URL and the database's name, to drop it.
    postgres: Option<(String, String)>,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((server, name)) = self.postgres.take() else { return };
        // Dropped inside a test's runtime, which cannot be blocked on: a
        // thread with its own runtime drops the database (and ends any
        // connection a test left open).
        let dropper = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            runtime.block_on(async {
                let drop_database = async {
                    let mut admin = sqlx::AnyConnection::connect(&server).await?;
                    // The name is ours: a fixed prefix and a UUID's hex digits.
                    admin.execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).await?;
                    admin.close().await
                };
                match tokio::time::timeout(Duration::from_secs(10), drop_database).await {
                    Ok(Ok(())) => {}
                    Ok(Err(error)) => eprintln!("could not drop test database {name}: {error}"),
                    Err(_) => eprintln!("could not drop test database {name}: timed out"),
                }
            });
        });
        let _ = dropper.join();
    }
}

impl TestDatabase {
    /// A fresh, empty (unmigrated) database, or `None` when the engine is not
    /// available here and not required.
    pub async fn new(engine: Engine) -> Option<Self> {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
                let url = format!("sqlite:{}?mode=rwc", dir.path().join("sanus.db").display());
                Some(Self { url, engine, _dir: Some(dir), postgres: None })
            }
            Engine::Postgres => {
                let Ok(server) = std::env::var(POSTGRES_URL_VAR) else {
                    if std::env::var(REQUIRE_POSTGRES_VAR).as_deref() == Ok("1") {
                        panic!("{REQUIRE_POSTGRES_VAR}=1 but {POSTGRES_URL_VAR} is not set");
                    }
                    eprintln!("skipped: {POSTGRES_URL_VAR} is not set");
                    return None;
                };
                sqlx::any::install_default_drivers();
                let name = format!("sanus_test_{}", uuid::Uuid::now_v7().simple());
                let mut admin = sqlx::AnyConnection::connect(&server)
                    .await
                    .unwrap_or_else(|e| panic!("connect to {POSTGRES_URL_VAR}: {e}"));
                admin
                    // The name is ours: a fixed prefix and a UUID's hex digits.
                    .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .await
                    .unwrap_or_else(|e| panic!("create database {name}: {e}"));
                let _ = admin.close().await;
                let mut url =
                    url::Url::parse(&server).unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR} is not a URL: {e}"));
                url.set_path(&name);
                Some(Self { url: url.to_string(), engine, _dir: None, postgres: Some((server, name)) })
            }
        }
    }

    pub fn options(&self) -> StoreOptions {
        StoreOptions { url: self.url.clone(), max_connections: 5, connect_timeout: Duration::from_secs(10) }
    }

    /// Connects and applies all migrations.
    pub async fn migrated_store(&self) -> Store {
        let store = Store::connect(&self.options()).await.unwrap_or_else(|e| panic!("connect: {e}"));
        store.migrate().await.unwrap_or_else(|e| panic!("migrate: {e}"));
        store
    }
}

/// Writes each async test twice, once per engine:
///
/// ```text
/// sanus_core::engine_tests! {
///     async fn inserting_twice_conflicts(store: Store) { ... }
/// }
/// ```
/// gives `sqlite::inserting_twice_conflicts` and `postgres::inserting_twice_conflicts`.
#[macro_export]
macro_rules! engine_tests {
    ($(async fn $name:ident($db:ident : TestDatabase) $body:block)*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    let Some($db) = $crate::store::testing::TestDatabase::new(
                        $crate::store::Engine::Sqlite,
                    ).await else { return };
                    $body
                }
            )*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    let Some($db) = $crate::store::testing::TestDatabase::new(
                        $crate::store::Engine::Postgres,
                    ).await else { return };
                    $body
                }
            )*
        }
    };
}
