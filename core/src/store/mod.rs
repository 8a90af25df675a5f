//! Storage: one code path for SQLite (the embedded default) and PostgreSQL,
//! through sqlx's `Any` driver and one portable migrations tree.
//!
//! Portability rules for every query in `core`: `$1` placeholders, `TEXT`
//! ids and JSON, `BIGINT` unix seconds, flags as `SMALLINT` 0/1 read into
//! `i16` (the Any driver cannot read SQLite's `BOOLEAN`); no engine-only types.

mod connections;
mod error;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, ConnectOptions as _};

pub use connections::{Connection, Connections, Transaction};
pub use error::StoreError;

/// The database engine behind a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// The engine a database URL names, or `None` for an unsupported scheme.
    pub fn from_url(url: &str) -> Option<Self> {
        let scheme = url.split_once(':')?.0;
        match scheme {
            "sqlite" => Some(Self::Sqlite),
            "postgres" | "postgresql" => Some(Self::Postgres),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }

    /// The SQL for the character with this ASCII code.
    pub fn chr(self, code: u8) -> String {
        match self {
            Self::Sqlite => format!("char({code})"),
            Self::Postgres => format!("chr({code})"),
        }
    }

    /// The SQL aggregate that joins the text `expr` of a group's rows with
    /// the character `separator` (NULL for no rows): one row instead of
    /// many, which matters on SQLite, where every row crosses from the
    /// database thread to the caller on its own.
    pub fn join_agg(self, expr: &str, separator: u8) -> String {
        match self {
            Self::Sqlite => format!("group_concat({expr}, char({separator}))"),
            Self::Postgres => format!("string_agg({expr}, chr({separator}))"),
        }
    }
}

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// `sqlite:/path/to/file.db` or `postgres://user:password@host:port/db`.
    pub url: String,
    pub max_connections: u32,
    /// How long start-up and `/readyz` wait for a connection.
    pub connect_timeout: Duration,
}

/// A pooled PostgreSQL connection idle for longer than this is pinged
/// before use; one used more recently is taken as alive (HikariCP's rule).
const CHECK_IDLE_AFTER: Duration = Duration::from_secs(1);

/// WAL pages after which a commit copies the log back into the database
/// (SQLite's default: 1,000). Every write rewrites whole pages of the tables
/// and indexes it touches, mostly the same ones again and again; a longer
/// log copies each of them once for many commits. At most about 64 MiB of log.
const WAL_AUTOCHECKPOINT_PAGES: u32 = 16_000;

/// The handle every storage function takes: the connections plus the engine
/// they talk to.
///
/// On SQLite, [`Store::pool`] is exactly one connection, and every write
/// goes through it. SQLite lets one connection write at a time; a second
/// writer sleeps in SQLite's busy handler (1, 2, 5, 10 … ms) until the first
/// commits. Queued in the server instead, writers take turns without sleeping,
/// and the one connection's page cache is never invalidated by another
/// writer. Reads outside a transaction use [`Store::reads`], the other
/// connections, opened `query_only`, so that they never hold up a write;
/// readers never block the writer in WAL mode. These connections are not a
/// sqlx pool: see [`Connections`].
/// On PostgreSQL both are the same pool.
#[derive(Debug, Clone)]
pub struct Store {
    pool: Connections,
    reads: Connections,
    engine: Engine,
    /// How to open another SQLite connection (a backup's). Never
    /// PostgreSQL's, whose options hold a password that `Debug` would print.
    sqlite_options: Option<AnyConnectOptions>,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// How PostgreSQL's pool opens and hands out connections.
fn pool_options(max_connections: u32, acquire_timeout: Duration) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max_connections.max(1))
        .acquire_timeout(acquire_timeout)
        // sqlx pings every connection it hands out: a storage round trip
        // per query. Only a connection that sat idle is checked (below).
        .test_before_acquire(false)
        .before_acquire(move |conn, meta| {
            Box::pin(async move {
                // A server's connection may have been cut while idle (a
                // restart, a failover); one in use a moment ago is alive.
                if meta.idle_for < CHECK_IDLE_AFTER {
                    return Ok(true);
                }
                match sqlx::Connection::ping(conn).await {
                    Ok(()) => Ok(true),
                    Err(error) => {
                        tracing::info!(%error, "an idle database connection was lost; opening another");
                        Ok(false)
                    }
                }
            })
        })
}

/// Opens one SQLite connection. Per connection: enforce foreign keys, wait
/// for a writer of another process (`sanus import`) instead of failing, fsync
/// at checkpoints, and checkpoint less often (see WAL_AUTOCHECKPOINT_PAGES).
/// A reader refuses to write, so a write routed to it fails in the tests.
///
/// The driver runs each connection on a thread of its own, started by the
/// thread that connects; a new thread inherits the cores its starter may
/// run on, and the server may keep each of its async workers on one core
/// (`server.pin_workers`). So the connection is made from a thread of
/// tokio's blocking pool, which may run on every core, and its own thread
/// may too: opened by a pinned worker, it would share that worker's core.
async fn open_sqlite(options: &AnyConnectOptions, read_only: bool) -> Result<AnyConnection, sqlx::Error> {
    let (options, runtime) = (options.clone(), tokio::runtime::Handle::current());
    let mut conn = tokio::task::spawn_blocking(move || runtime.block_on(options.connect()))
        .await
        .map_err(|_| sqlx::Error::WorkerCrashed)??;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "PRAGMA foreign_keys = ON; \
         PRAGMA busy_timeout = 5000; \
         PRAGMA synchronous = NORMAL; \
         PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}; \
         PRAGMA query_only = {};",
        if read_only { "ON" } else { "OFF" }
    )))
    .execute(&mut conn)
    .await?;
    Ok(conn)
}

impl Store {
    /// Opens the connections and checks that the database answers, so that an
    /// unreachable database stops start-up with a clear message.
    ///
    /// On SQLite, one of `max_connections` writes and the others (at least
    /// one) only read; see [`Store`].
    pub async fn connect(options: &StoreOptions) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let engine = Engine::from_url(&options.url)
            .ok_or_else(|| StoreError::UnsupportedUrl { url: redact_url(&options.url) })?;
        let connect_options = AnyConnectOptions::from_str(&options.url)
            .map_err(|source| StoreError::connect(&options.url, source))?
            .disable_statement_logging();
        let failed = |source| StoreError::connect(&options.url, source);
        let (pool, reads) = match engine {
            Engine::Sqlite => {
                let mut writer = open_sqlite(&connect_options, false).await.map_err(failed)?;
                // Persistent in the database file: readers never block the writer.
                sqlx::query("PRAGMA journal_mode = WAL").execute(&mut writer).await.map_err(failed)?;
                let readers = options.max_connections.saturating_sub(1);
                let timeout = options.connect_timeout;
                (
                    Connections::set(connect_options.clone(), false, 1, timeout, vec![writer]),
                    // Opened when first needed, as many as reads run at once.
                    Connections::set(connect_options.clone(), true, readers, timeout, Vec::new()),
                )
            }
            Engine::Postgres => {
                let pool = pool_options(options.max_connections, options.connect_timeout)
                    .connect_with(connect_options.clone())
                    .await
                    .map_err(failed)?;
                let pool = Connections::pool(pool);
                (pool.clone(), pool)
            }
        };
        let sqlite_options = (engine == Engine::Sqlite).then_some(connect_options);
        Ok(Self { pool, reads, engine, sqlite_options })
    }

    /// Applies every migration not yet applied, in order. Forward only.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        MIGRATOR.run(&mut *conn).await.map_err(StoreError::Migrate)
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Every write, and every read that is not routed to [`Store::reads`].
    pub fn pool(&self) -> &Connections {
        &self.pool
    }

    /// For every read outside a transaction. A read here sees every committed
    /// write, but never a transaction still open on the writer; a check that
    /// must hold until a write commits belongs in the writer's transaction.
    pub fn reads(&self) -> &Connections {
        &self.reads
    }

    /// Connections open and idle, over both handles.
    pub fn connections(&self) -> (u32, usize) {
        let (mut size, mut idle) = (self.pool.size(), self.pool.num_idle());
        if self.engine == Engine::Sqlite {
            size += self.reads.size();
            idle += self.reads.num_idle();
        }
        (size, idle)
    }

    /// A consistent copy of the embedded SQLite database at `path`, taken
    /// while it is in use (`VACUUM INTO`). `path` must not exist yet.
    /// PostgreSQL is backed up with its own tools (`pg_dump`).
    pub async fn backup_sqlite(&self, path: &std::path::Path) -> Result<(), StoreError> {
        let Some(options) = &self.sqlite_options else {
            return Err(StoreError::Backup("sanus backup copies the embedded SQLite database; back PostgreSQL up with pg_dump (docs/operations.md)".into()));
        };
        if path.exists() {
            return Err(StoreError::Backup(format!("{} exists already: name a new file", path.display())));
        }
        let Some(target) = path.to_str() else {
            return Err(StoreError::Backup(format!("{} is not a UTF-8 path", path.display())));
        };
        // On a connection of its own, allowed to write the copy: the copy is
        // a read of the database, so the writer goes on meanwhile.
        let mut conn = open_sqlite(options, false).await?;
        sqlx::query("VACUUM INTO $1").bind(target).execute(&mut conn).await?;
        sqlx::Connection::close(conn).await?;
        Ok(())
    }

    /// Closes every connection; waits for those in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
        self.reads.close().await;
    }
}

/// A `LIKE … ESCAPE '\\'` pattern that finds `search` (lowercased)
/// anywhere; `None` for an empty search. `%`, `_` and `\\` match themselves.
pub fn like_contains(search: &str) -> Option<String> {
    let search = search.trim();
    if search.is_empty() {
        return None;
    }
    let escaped: String = search
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            other => vec![other],
        })
        .collect();
    Some(format!("%{escaped}%"))
}

/// A database URL with its password replaced, safe to print and log.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // Cannot fail: a URL with a password has a host.
            let _ = parsed.set_password(Some("********"));
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) => url.split('@').next_back().unwrap_or_default().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_follows_the_url_scheme() {
        let cases = [
            ("sqlite:/var/lib/sanus/sanus.db", Some(Engine::Sqlite)),
            ("sqlite::memory:", Some(Engine::Sqlite)),
            ("postgres://u@localhost/sanus", Some(Engine::Postgres)),
            ("postgresql://u@localhost/sanus", Some(Engine::Postgres)),
            ("mysql://u@localhost/sanus", None),
            ("sanus.db", None),
        ];
        for (url, expected) in cases {
            assert_eq!(Engine::from_url(url), expected, "{url}");
        }
    }

    #[test]
    fn redacted_urls_never_show_the_password() {
        let redacted = redact_url("postgres://sanus:s3cret@db.example:5432/sanus");
        assert!(!redacted.contains("s3cret"), "{redacted}");
        assert!(redacted.contains("sanus:********@db.example:5432/sanus"), "{redacted}");
        assert_eq!(redact_url("sqlite:/tmp/sanus.db"), "sqlite:/tmp/sanus.db");
        assert!(!redact_url("not a url:hunter2@x").contains("hunter2"));
    }

    #[tokio::test]
    async fn unreachable_database_is_a_connect_error_without_password() {
        let options = StoreOptions {
            // Port 1 on loopback: nothing listens there.
            url: "postgres://sanus:s3cret@127.0.0.1:1/sanus".into(),
            max_connections: 1,
            connect_timeout: Duration::from_secs(2),
        };
        let error = Store::connect(&options).await.err().map(|e| e.to_string());
        let error = error.unwrap_or_default();
        assert!(error.starts_with("cannot connect to the database"), "{error}");
        assert!(!error.contains("s3cret"), "{error}");
    }

    crate::engine_tests! {
        async fn a_database_of_the_previous_schema_migrates_with_its_data(db: TestDatabase) {
            use crate::users::{Email, find_user_by_email};
            let store = Store::connect(&db.options()).await.unwrap();
            // The schema of the first release: up to the revoked access tokens.
            MIGRATOR.run_to(20261122000011, &mut *store.pool().acquire().await.unwrap()).await.unwrap();
            // An account as that release wrote it (today's code writes newer columns).
            sqlx::query(
                "INSERT INTO users (id, email, email_normalized, email_verified, given_name, locale, created_at, updated_at, \
                 password_hash) VALUES ('u1', 'kept@example.org', 'kept@example.org', 1, 'Kept', 'de', 1, 1, '$argon2id$x')",
            )
            .execute(store.pool())
            .await
            .unwrap();

            store.migrate().await.unwrap();
            let email = Email::parse("kept@example.org").unwrap();
            let found = find_user_by_email(&store, &email).await.unwrap().unwrap();
            assert_eq!((found.id.as_str(), found.given_name.as_deref(), found.email_verified), ("u1", Some("Kept"), true));
            let event = crate::audit::Event::new(crate::audit::EventKind::SignInSucceeded);
            crate::audit::record(&store, &event, crate::UnixTime(2)).await.unwrap();
            store.migrate().await.unwrap();
        }

        async fn a_database_of_the_last_release_migrates_and_its_clients_and_accounts_work(db: TestDatabase) {
            use crate::users::UserId;
            let store = Store::connect(&db.options()).await.unwrap();
            // The schema the previous release left (its last migration).
            MIGRATOR.run_to(20261123000036, &mut *store.pool().acquire().await.unwrap()).await.unwrap();
            for statement in [
                "INSERT INTO users (id, email, email_normalized, email_verified, locale, created_at, updated_at) \
                 VALUES ('u1', 'kept@example.org', 'kept@example.org', 1, 'de', 1, 1)",
                "INSERT INTO tenants (id, parent_id, root_id, kind, name, created_at, updated_at) \
                 VALUES ('t1', NULL, 't1', 'development', 'Dev', 1, 1)",
                "INSERT INTO applications (id, tenant_id, short_key, name, created_at, updated_at) \
                 VALUES ('a1', 't1', 'oldapp', 'Old app', 1, 1)",
                "INSERT INTO clients (id, application_id, kind, name, token_endpoint_auth_method, redirect_uris, \
                 post_logout_redirect_uris, grant_types, allowed_scopes, require_pkce, first_party, access_token_ttl, \
                 refresh_token_ttl, id_token_signed_response_alg, metadata, created_at, updated_at) \
                 VALUES ('old-spa', 'a1', 'spa', 'Old SPA', 'none', '[\"https://old.example/cb\"]', '[]', \
                 '[\"authorization_code\",\"refresh_token\"]', '[]', 1, 0, 300, 2592000, 'RS256', '{}', 1, 1)",
                "INSERT INTO audit_events (id, at, kind, user_id, detail) VALUES ('e1', 5, 'sign_in.succeeded', 'u1', '{}')",
            ] {
                sqlx::query(statement).execute(store.pool()).await.unwrap();
            }

            store.migrate().await.unwrap();
            let client = crate::clients::find_client(&store, "old-spa").await.unwrap().expect("the client is read");
            assert_eq!((client.name.as_str(), client.redirect_uris.len()), ("Old SPA", 1));
            assert_eq!(crate::clients::clients_version(&store).await.unwrap(), 0, "the new version row is there");
            let user = UserId::from_stored("u1".into());
            assert!(!crate::admin::is_locked(&store, &user).await.unwrap(), "nobody is locked by the upgrade");
            let filter = crate::audit::Filter { user_id: Some("u1"), ..crate::audit::Filter::default() };
            let events = crate::audit::search(&store, filter, 10).await.unwrap();
            assert_eq!((events.len(), events[0].user_email.as_deref()), (1, Some("kept@example.org")));
            // The newer code writes to the upgraded database too.
            crate::clients::upsert_client(&store, &client).await.unwrap();
            assert_eq!(crate::clients::clients_version(&store).await.unwrap(), 1);
        }

        async fn sqlite_writes_on_one_connection_and_reads_on_the_others(db: TestDatabase) {
            let store = db.migrated_store().await;
            let insert = |id: &str| format!("INSERT INTO audit_events (id, at, kind, detail) VALUES ('{id}', 1, 'test', '{{}}')");
            let count = "SELECT COUNT(*) FROM audit_events WHERE kind = 'test'";
            if store.engine() == Engine::Postgres {
                // One pool: both handles write.
                sqlx::query(sqlx::AssertSqlSafe(insert("e1"))).execute(store.reads()).await.unwrap();
                return;
            }
            assert_eq!(store.connections(), (1, 1), "the writer is open; readers open when first needed");
            let refused = sqlx::query(sqlx::AssertSqlSafe(insert("e1"))).execute(store.reads()).await.unwrap_err();
            assert!(refused.to_string().contains("readonly"), "a write routed to the readers fails: {refused}");
            let mut tx = store.pool().begin().await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(insert("e2"))).execute(&mut *tx).await.unwrap();
            assert!(store.pool().try_acquire().is_none(), "a second writer waits in the server, not in SQLite");
            let (seen,): (i64,) = sqlx::query_as(count).fetch_one(store.reads()).await.unwrap();
            assert_eq!(seen, 0, "readers go on while the writer is busy, and see only what is committed");
            tx.commit().await.unwrap();
            let (seen,): (i64,) = sqlx::query_as(count).fetch_one(store.reads()).await.unwrap();
            assert_eq!(seen, 1, "a reader sees a commit at once");
            assert_eq!(store.pool().size(), 1, "one writer connection");
            assert!(store.connections().0 >= 2, "the writer and a reader are open");
        }

        async fn concurrent_read_modify_write_transactions_all_commit(db: TestDatabase) {
            // On SQLite, a transaction that read before another connection
            // committed cannot write (SQLITE_BUSY_SNAPSHOT, no busy wait
            // helps): with one writer connection that cannot happen.
            let store = db.migrated_store().await;
            if store.engine() == Engine::Postgres {
                return; // read committed: this pattern needs SELECT … FOR UPDATE there
            }
            sqlx::query("INSERT INTO audit_events (id, at, kind, detail) VALUES ('counter', 0, 'test', '{}')")
                .execute(store.pool())
                .await
                .unwrap();
            let tasks: Vec<_> = (0..32)
                .map(|_| {
                    let store = store.clone();
                    tokio::spawn(async move {
                        let mut tx = store.pool().begin().await?;
                        let (n,): (i64,) = sqlx::query_as("SELECT at FROM audit_events WHERE id = 'counter'")
                            .fetch_one(&mut *tx)
                            .await?;
                        tokio::task::yield_now().await;
                        sqlx::query("UPDATE audit_events SET at = $1 WHERE id = 'counter'")
                            .bind(n + 1)
                            .execute(&mut *tx)
                            .await?;
                        tx.commit().await
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap().unwrap();
            }
            let (n,): (i64,) =
                sqlx::query_as("SELECT at FROM audit_events WHERE id = 'counter'").fetch_one(store.reads()).await.unwrap();
            assert_eq!(n, 32, "no update was lost or refused");
        }

        async fn backups_copy_sqlite_and_send_postgres_to_pg_dump(db: TestDatabase) {
            let store = db.migrated_store().await;
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("copy.db");
            let outcome = store.backup_sqlite(&path).await;
            if store.engine() == Engine::Postgres {
                assert!(outcome.unwrap_err().to_string().contains("pg_dump"));
                return;
            }
            outcome.unwrap();
            let copy = Store::connect(&StoreOptions {
                url: format!("sqlite:{}", path.display()),
                max_connections: 1,
                connect_timeout: Duration::from_secs(5),
            })
            .await
            .unwrap();
            let (tables,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'")
                .fetch_one(copy.pool())
                .await
                .unwrap();
            assert!(tables > 10, "the schema came along: {tables} tables");
            assert!(store.backup_sqlite(&path).await.unwrap_err().to_string().contains("exists already"));
        }
    }

    #[tokio::test]
    async fn unsupported_scheme_is_named() {
        let options = StoreOptions {
            url: "mysql://root:pw@localhost/sanus".into(),
            max_connections: 1,
            connect_timeout: Duration::from_secs(1),
        };
        let error = Store::connect(&options).await.err().map(|e| e.to_string());
        let error = error.unwrap_or_default();
        assert!(error.contains("sqlite:"), "{error}");
        assert!(!error.contains(":pw@"), "{error}");
    }
}
