//! The handles statements run on: [`Connections`] (a PostgreSQL pool, or a
//! fixed set of SQLite connections), a [`Connection`] taken from one, and a
//! [`Transaction`] on it.
//!
//! SQLite's connections are not in a sqlx pool. Each one is served by a
//! thread of its own, and a pool adds two things to every statement: a task
//! spawned to give the connection back when the statement ends, and a ping
//! of the connection's thread before it goes back (unconditional in
//! sqlx-core 0.9). On a connection in this process, nothing can be lost that
//! a ping would find, and the spawned task kept the connection busy until
//! the caller's task yielded: with one writer connection, every write waited
//! for it. A connection here goes back the moment its handle is dropped.
//! sqlx's SQLite driver runs a connection's commands in the order they were
//! sent, so a rollback sent when a [`Transaction`] is dropped runs before the
//! next user's first statement.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures_core::future::BoxFuture;
use futures_core::stream::BoxStream;
use futures_util::TryStreamExt as _;
use sqlx::any::{AnyConnectOptions, AnyQueryResult, AnyRow, AnyStatement, AnyTypeInfo};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Database, Describe, Either, Execute, Executor, SqlStr};
use sqlx_core::ext::async_stream::TryAsyncStream;
use sqlx_core::transaction::TransactionManager;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};

type Manager = <Any as Database>::TransactionManager;

/// Where statements run: a pool of PostgreSQL connections, or SQLite's
/// connections of one kind (the writer, or the readers). Cheap to clone.
/// `&Connections` is an [`Executor`]: each statement takes a connection for
/// its own duration.
#[derive(Debug, Clone)]
pub struct Connections(Kind);

#[derive(Debug, Clone)]
enum Kind {
    Pool(AnyPool),
    Set(Arc<ConnectionSet>),
}

impl Connections {
    pub(super) fn pool(pool: AnyPool) -> Self {
        Self(Kind::Pool(pool))
    }

    /// Up to `max` SQLite connections, `open` among them; the others are
    /// opened when first needed (`read_only`: `PRAGMA query_only`). A
    /// request for one fails with [`sqlx::Error::PoolTimedOut`] after
    /// `acquire_timeout`.
    pub(super) fn set(
        options: AnyConnectOptions,
        read_only: bool,
        max: u32,
        acquire_timeout: Duration,
        open: Vec<AnyConnection>,
    ) -> Self {
        let max = max.max(1);
        Self(Kind::Set(Arc::new(ConnectionSet {
            opened: AtomicU32::new(u32::try_from(open.len()).unwrap_or(max)),
            idle: Mutex::new(open),
            free: Arc::new(Semaphore::new(max as usize)),
            max,
            acquire_timeout,
            options,
            read_only,
        })))
    }

    /// A connection of its own, until the handle is dropped. Waits, first
    /// come first served, while every connection is in use; as a pool does,
    /// gives up after the store's connect timeout.
    pub async fn acquire(&self) -> Result<Connection, sqlx::Error> {
        match &self.0 {
            Kind::Pool(pool) => Ok(Connection(Held::Pooled(pool.acquire().await?))),
            Kind::Set(set) => set.acquire().await.map(|held| Connection(Held::Set(held))),
        }
    }

    /// An open connection now, or `None` while every one is in use.
    pub fn try_acquire(&self) -> Option<Connection> {
        match &self.0 {
            Kind::Pool(pool) => pool.try_acquire().map(|conn| Connection(Held::Pooled(conn))),
            Kind::Set(set) => set.try_acquire().map(|held| Connection(Held::Set(held))),
        }
    }

    /// Starts a transaction on a connection of its own. Dropped without
    /// [`Transaction::commit`], it is rolled back.
    pub async fn begin(&self) -> Result<Transaction, sqlx::Error> {
        let mut conn = self.acquire().await?;
        Manager::begin(&mut conn, None).await?;
        Ok(Transaction { conn, open: true })
    }

    /// Connections open.
    pub fn size(&self) -> u32 {
        match &self.0 {
            Kind::Pool(pool) => pool.size(),
            Kind::Set(set) => set.opened.load(Ordering::Acquire),
        }
    }

    /// Connections open and not in use.
    pub fn num_idle(&self) -> usize {
        match &self.0 {
            Kind::Pool(pool) => pool.num_idle(),
            Kind::Set(set) => set.idle().len(),
        }
    }

    /// Waits for every connection in use to come back, then closes them all.
    /// Later requests for a connection fail with [`sqlx::Error::PoolClosed`].
    pub async fn close(&self) {
        match &self.0 {
            Kind::Pool(pool) => pool.close().await,
            Kind::Set(set) => set.close().await,
        }
    }
}

/// SQLite's connections: the idle ones, and one permit per connection that
/// is idle or not opened yet. A permit is taken before a connection and given
/// back after it, so a holder of a permit finds an idle connection or may
/// open one.
struct ConnectionSet {
    idle: Mutex<Vec<AnyConnection>>,
    free: Arc<Semaphore>,
    max: u32,
    opened: AtomicU32,
    acquire_timeout: Duration,
    options: AnyConnectOptions,
    read_only: bool,
}

impl fmt::Debug for ConnectionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionSet")
            .field("max", &self.max)
            .field("opened", &self.opened)
            .field("read_only", &self.read_only)
            .finish_non_exhaustive()
    }
}

impl ConnectionSet {
    async fn acquire(self: &Arc<Self>) -> Result<SetConnection, sqlx::Error> {
        let permit = match self.free.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(TryAcquireError::Closed) => return Err(sqlx::Error::PoolClosed),
            Err(TryAcquireError::NoPermits) => {
                tokio::time::timeout(self.acquire_timeout, self.free.clone().acquire_owned())
                    .await
                    .map_err(|_| sqlx::Error::PoolTimedOut)?
                    .map_err(|_| sqlx::Error::PoolClosed)?
            }
        };
        let conn = match self.pop() {
            Some(conn) => conn,
            None => {
                let conn = super::open_sqlite(&self.options, self.read_only).await?;
                self.opened.fetch_add(1, Ordering::AcqRel);
                conn
            }
        };
        Ok(SetConnection { conn: Some(conn), set: self.clone(), _permit: permit })
    }

    fn try_acquire(self: &Arc<Self>) -> Option<SetConnection> {
        let permit = self.free.clone().try_acquire_owned().ok()?;
        let conn = self.pop()?;
        Some(SetConnection { conn: Some(conn), set: self.clone(), _permit: permit })
    }

    fn idle(&self) -> MutexGuard<'_, Vec<AnyConnection>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn pop(&self) -> Option<AnyConnection> {
        self.idle().pop()
    }

    async fn close(&self) {
        let Ok(all) = self.free.acquire_many(self.max).await else {
            return; // closed already
        };
        self.free.close();
        let connections = std::mem::take(&mut *self.idle());
        self.opened.store(0, Ordering::Release);
        drop(all);
        for conn in connections {
            if let Err(error) = sqlx::Connection::close(conn).await {
                tracing::warn!(%error, "closing a database connection failed");
            }
        }
    }
}

/// A connection of a [`ConnectionSet`]: back in the set when dropped.
struct SetConnection {
    conn: Option<AnyConnection>,
    set: Arc<ConnectionSet>,
    // Dropped after `drop` has put the connection back.
    _permit: OwnedSemaphorePermit,
}

impl Drop for SetConnection {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.set.idle().push(conn);
        }
    }
}

/// A connection of its own; back to its [`Connections`] when dropped.
pub struct Connection(Held);

enum Held {
    Pooled(PoolConnection<Any>),
    Set(SetConnection),
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Connection")
    }
}

impl Deref for Connection {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match &self.0 {
            Held::Pooled(conn) => conn,
            // Some until dropped.
            Held::Set(held) => held.conn.as_ref().unwrap_or_else(|| unreachable!("a held connection is there")),
        }
    }
}

impl DerefMut for Connection {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match &mut self.0 {
            Held::Pooled(conn) => conn,
            Held::Set(held) => held.conn.as_mut().unwrap_or_else(|| unreachable!("a held connection is there")),
        }
    }
}

/// A transaction on a connection of its own. `&mut *tx` runs statements in
/// it; dropped without [`Transaction::commit`], it is rolled back.
#[derive(Debug)]
pub struct Transaction {
    conn: Connection,
    open: bool,
}

impl Transaction {
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        Manager::commit(&mut self.conn).await?;
        self.open = false;
        Ok(())
    }

    pub async fn rollback(mut self) -> Result<(), sqlx::Error> {
        Manager::rollback(&mut self.conn).await?;
        self.open = false;
        Ok(())
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        if self.open {
            // Queued on the connection, ahead of whatever its next user sends.
            Manager::start_rollback(&mut self.conn);
        }
    }
}

impl Deref for Transaction {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.conn
    }
}

impl DerefMut for Transaction {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }
}

impl<'c> Executor<'c> for &'c Connections {
    type Database = Any;

    fn fetch_many<'e, 'q: 'e, E>(self, query: E) -> BoxStream<'e, Result<Either<AnyQueryResult, AnyRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Any>,
    {
        match &self.0 {
            Kind::Pool(pool) => pool.fetch_many(query),
            Kind::Set(set) => Box::pin(TryAsyncStream::new(move |yielder| async move {
                let mut conn = set.acquire().await?;
                let conn = conn.conn.as_mut().ok_or(sqlx::Error::PoolClosed)?;
                let mut results = conn.fetch_many(query);
                while let Some(result) = results.try_next().await? {
                    yielder.r#yield(result).await;
                }
                Ok(())
            })),
        }
    }

    fn fetch_optional<'e, 'q: 'e, E>(self, query: E) -> BoxFuture<'e, Result<Option<AnyRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Any>,
    {
        Box::pin(async move { self.acquire().await?.fetch_optional(query).await })
    }

    fn prepare_with<'e>(
        self,
        sql: SqlStr,
        parameters: &'e [AnyTypeInfo],
    ) -> BoxFuture<'e, Result<AnyStatement, sqlx::Error>>
    where
        'c: 'e,
    {
        Box::pin(async move { self.acquire().await?.prepare_with(sql, parameters).await })
    }

    fn describe<'e>(self, sql: SqlStr) -> BoxFuture<'e, Result<Describe<Any>, sqlx::Error>>
    where
        'c: 'e,
    {
        Box::pin(async move { self.acquire().await?.describe(sql).await })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::store::{Engine, Store, StoreOptions};

    const INSERT: &str = "INSERT INTO audit_events (id, at, kind, detail) VALUES ($1, 1, 'test', '{}')";
    const COUNT: &str = "SELECT COUNT(*) FROM audit_events WHERE kind = 'test'";

    async fn count(store: &Store) -> i64 {
        sqlx::query_as::<_, (i64,)>(COUNT).fetch_one(store.reads()).await.unwrap().0
    }

    crate::engine_tests! {
        async fn a_dropped_transaction_is_rolled_back_before_the_connection_is_used_again(db: TestDatabase) {
            let store = db.migrated_store().await;
            let mut tx = store.pool().begin().await.unwrap();
            sqlx::query(INSERT).bind("dropped").execute(&mut *tx).await.unwrap();
            drop(tx);
            // On SQLite the next statement runs on the very same connection.
            sqlx::query(INSERT).bind("kept").execute(store.pool()).await.unwrap();
            let mut tx = store.pool().begin().await.unwrap();
            sqlx::query(INSERT).bind("committed").execute(&mut *tx).await.unwrap();
            tx.commit().await.unwrap();
            let mut tx = store.pool().begin().await.unwrap();
            sqlx::query(INSERT).bind("rolled-back").execute(&mut *tx).await.unwrap();
            tx.rollback().await.unwrap();
            let ids: Vec<(String,)> =
                sqlx::query_as("SELECT id FROM audit_events WHERE kind = 'test' ORDER BY id").fetch_all(store.reads()).await.unwrap();
            assert_eq!(ids, [("committed".to_string(),), ("kept".to_string(),)]);
        }

        async fn a_statement_abandoned_midway_leaves_its_connection_usable(db: TestDatabase) {
            let store = db.migrated_store().await;
            // Polled once, then dropped: the statement may be on its way to
            // the database, or done, or not started.
            for id in ["a", "b", "c"] {
                let statement = sqlx::query(INSERT).bind(id).execute(store.pool());
                let _ = futures_util::FutureExt::now_or_never(statement);
            }
            let mut tx = store.pool().begin().await.unwrap();
            sqlx::query(INSERT).bind("after").execute(&mut *tx).await.unwrap();
            tx.commit().await.unwrap();
            let (after,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_events WHERE id = 'after'")
                .fetch_one(store.reads())
                .await
                .unwrap();
            assert_eq!(after, 1);
        }

        async fn rows_stream_from_a_reader(db: TestDatabase) {
            let store = db.migrated_store().await;
            for i in 0..120 {
                sqlx::query(INSERT).bind(format!("e{i:03}")).execute(store.pool()).await.unwrap();
            }
            let mut rows = sqlx::query_as::<_, (String,)>("SELECT id FROM audit_events WHERE kind = 'test' ORDER BY id")
                .fetch(store.reads());
            let mut seen = 0;
            while let Some((id,)) = futures_util::TryStreamExt::try_next(&mut rows).await.unwrap() {
                assert_eq!(id, format!("e{seen:03}"));
                seen += 1;
            }
            assert_eq!(seen, 120);
            assert_eq!(count(&store).await, 120);
        }

        async fn a_busy_writer_makes_the_next_writer_wait_then_time_out(db: TestDatabase) {
            let options = StoreOptions { max_connections: 2, connect_timeout: Duration::from_millis(50), ..db.options() };
            let store = Store::connect(&options).await.unwrap();
            store.migrate().await.unwrap();
            let held: Vec<_> = match store.engine() {
                Engine::Sqlite => vec![store.pool().acquire().await.unwrap()],
                Engine::Postgres => vec![store.pool().acquire().await.unwrap(), store.pool().acquire().await.unwrap()],
            };
            assert!(store.pool().try_acquire().is_none());
            let waited = sqlx::query(INSERT).bind("late").execute(store.pool()).await.unwrap_err();
            assert!(matches!(waited, sqlx::Error::PoolTimedOut), "{waited}");
            drop(held);
            sqlx::query(INSERT).bind("now").execute(store.pool()).await.unwrap();
            assert_eq!(count(&store).await, 1);
        }

        async fn closing_waits_for_connections_in_use_then_refuses_more(db: TestDatabase) {
            let store = db.migrated_store().await;
            let mut tx = store.pool().begin().await.unwrap();
            sqlx::query(INSERT).bind("in-flight").execute(&mut *tx).await.unwrap();
            let closing = tokio::spawn({
                let store = store.clone();
                async move { store.close().await }
            });
            tokio::task::yield_now().await;
            assert!(!closing.is_finished(), "close waits for the open transaction");
            tx.commit().await.unwrap();
            closing.await.unwrap();
            let refused = sqlx::query(INSERT).bind("after").execute(store.pool()).await.unwrap_err();
            assert!(matches!(refused, sqlx::Error::PoolClosed), "{refused}");
            assert_eq!(store.connections(), (0, 0), "nothing is open any more");
        }
    }
}
