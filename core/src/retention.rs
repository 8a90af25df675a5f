//! What is kept, and for how long. Run hourly by the server:
//!
//! - the audit log and the development outbox, for as many days as
//!   configured (0: forever);
//! - records that can no longer be used, a grace period after they ran
//!   out: sessions (30 days after they ended, so the account console and
//!   the audit log still make sense of recent ones), authorization requests,
//!   refresh tokens, reset and confirmation links, decoy code pages,
//!   half-done second factors and passkey ceremonies (a day), revocations
//!   of tokens that have expired anyway, and password-guessing counts a
//!   week old.
//!
//! Token families (grants) are kept: a revoked grant must stay revoked for
//! as long as any token it issued could be shown, and they are few.

use crate::clock::UnixTime;
use crate::store::{Store, StoreError};

const DAY: i64 = 86_400;

/// How long the audit log and the outbox are kept, in days (0: forever).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub audit_days: u32,
    pub outbox_days: u32,
}

/// Each table's statement: rows older than the cut-off `$1` go.
const EXPIRED: [(&str, &str, i64); 12] = [
    ("sessions", "DELETE FROM sessions WHERE COALESCE(ended_at, expires_at) < $1 OR expires_at < $1", 30 * DAY),
    ("interactions", "DELETE FROM interactions WHERE expires_at < $1", DAY),
    ("refresh_tokens", "DELETE FROM refresh_tokens WHERE expires_at < $1", DAY),
    ("password_resets", "DELETE FROM password_resets WHERE expires_at < $1", DAY),
    ("email_verifications", "DELETE FROM email_verifications WHERE expires_at < $1", DAY),
    ("registration_decoys", "DELETE FROM registration_decoys WHERE expires_at < $1", DAY),
    ("pending_second_factors", "DELETE FROM pending_second_factors WHERE expires_at < $1", DAY),
    ("webauthn_ceremonies", "DELETE FROM webauthn_ceremonies WHERE expires_at < $1", DAY),
    ("revoked_access_tokens", "DELETE FROM revoked_access_tokens WHERE expires_at < $1", 0),
    ("revoked_families", "DELETE FROM revoked_families WHERE expires_at < $1", 0),
    ("revoked_clients", "DELETE FROM revoked_clients WHERE expires_at < $1", 0),
    ("sign_in_throttle", "DELETE FROM sign_in_throttle WHERE last_failure_at < $1 AND blocked_until < $1", 7 * DAY),
];

/// Deletes what `policy` and the fixed rules above let go; returns how
/// many rows left each table (only tables that lost some).
pub async fn purge(store: &Store, policy: Policy, now: UnixTime) -> Result<Vec<(&'static str, u64)>, StoreError> {
    let mut purged = Vec::new();
    let mut run = async |table: &'static str, statement: &'static str, keep_seconds: i64| -> Result<(), StoreError> {
        let deleted = sqlx::query(statement).bind(now.0 - keep_seconds).execute(store.pool()).await?.rows_affected();
        if deleted > 0 {
            purged.push((table, deleted));
        }
        Ok(())
    };
    if policy.audit_days > 0 {
        run("audit_events", "DELETE FROM audit_events WHERE at < $1", i64::from(policy.audit_days) * DAY).await?;
    }
    if policy.outbox_days > 0 {
        run("mail_outbox", "DELETE FROM mail_outbox WHERE created_at < $1", i64::from(policy.outbox_days) * DAY)
            .await?;
    }
    for (table, statement, keep_seconds) in EXPIRED {
        run(table, statement, keep_seconds).await?;
    }
    Ok(purged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{Event, EventKind, latest, record};
    use crate::sessions::{create_session, find_session};
    use crate::users::{Email, NewUser, insert_user};

    crate::engine_tests! {
        async fn old_records_go_and_live_ones_stay(db: TestDatabase) {
            let store = db.migrated_store().await;
            let user = NewUser { email: Email::parse("p@example.org").unwrap(), given_name: None, family_name: None, locale: "en".into() };
            let user = insert_user(&store, user, UnixTime(0)).await.unwrap();
            record(&store, &Event::new(EventKind::SignInFailed), UnixTime(DAY)).await.unwrap();
            record(&store, &Event::new(EventKind::SignInSucceeded), UnixTime(10 * DAY)).await.unwrap();
            let (old, _) = create_session(&store, &user.id, &["pwd"], None, UnixTime(0), 3_600).await.unwrap().unwrap();
            let (live, _) = create_session(&store, &user.id, &["pwd"], None, UnixTime(40 * DAY), 3_600).await.unwrap().unwrap();
            sqlx::query("INSERT INTO revoked_access_tokens (jti, expires_at) VALUES ('gone', $1), ('live', $2)")
                .bind(20 * DAY).bind(100 * DAY).execute(store.pool()).await.unwrap();

            let now = UnixTime(40 * DAY);
            let keep_all = Policy { audit_days: 0, outbox_days: 0 };
            let purged = purge(&store, keep_all, now).await.unwrap();
            assert_eq!(purged, [("sessions", 1), ("revoked_access_tokens", 1)]);
            assert_eq!(latest(&store, 10).await.unwrap().len(), 2, "0 keeps the audit log");
            assert!(find_session(&store, &live.id, now).await.unwrap().is_some());
            let _ = old;

            let thirty = Policy { audit_days: 35, outbox_days: 30 };
            assert_eq!(purge(&store, thirty, now).await.unwrap(), [("audit_events", 1)]);
            assert_eq!(latest(&store, 10).await.unwrap()[0].kind, "sign_in.succeeded");
            assert!(purge(&store, thirty, now).await.unwrap().is_empty(), "nothing twice");
        }
    }
}
