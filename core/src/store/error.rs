//! Storage errors: what callers can act on (not found, conflict) apart from
//! what only an operator can (connection, migration, driver failures).

use super::redact_url;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or foreign-key rule refused the change; carries the
    /// constraint (or column) that refused it.
    #[error("conflict on {0}")]
    Conflict(String),
    #[error(
        "the database URL {url} is not supported: use sqlite:<path> or postgres://user:password@host:port/database"
    )]
    UnsupportedUrl { url: String },
    #[error("cannot connect to the database at {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("database migration failed: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("backup: {0}")]
    Backup(String),
}

impl StoreError {
    pub(crate) fn connect(url: &str, source: sqlx::Error) -> Self {
        let reason = match &source {
            sqlx::Error::PoolTimedOut => "no connection within the timeout".to_string(),
            sqlx::Error::Io(io) => io.to_string(),
            other => other.to_string(),
        };
        // Drivers may echo the URL; never let a password through.
        let reason = match url::Url::parse(url).ok().and_then(|u| u.password().map(str::to_owned)) {
            Some(password) if !password.is_empty() => reason.replace(&password, "********"),
            _ => reason,
        };
        Self::Connect { url: redact_url(url), reason }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() || db.is_foreign_key_violation() => {
                let constraint = db
                    .constraint()
                    .map(str::to_owned)
                    // SQLite names the columns instead: "UNIQUE constraint failed: users.email".
                    .or_else(|| db.message().rsplit(": ").next().map(str::to_owned))
                    .unwrap_or_default();
                Self::Conflict(constraint)
            }
            other => Self::Database(other),
        }
    }
}
