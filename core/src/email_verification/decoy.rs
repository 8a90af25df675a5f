//! The code page a registration gets when its address already has an
//! account. A new account's page counts wrong codes (five, then the code is
//! void), lets a new mail be asked for once a minute and ten times a day,
//! and moves to a new page with each new mail; a page that did none of this
//! would tell anyone who registers an address whether it has an account.
//! A decoy does all of it, without an account: its code was never made, so
//! no typed one matches, and nothing in it names the address.

use super::{CODE_LIFETIME_SECONDS, CodeOutcome, LINK_LIFETIME_SECONDS, Proof, Started, held, wrong};
use crate::clock::UnixTime;
use crate::store::{Store, StoreError};

/// A new decoy page for the browser whose proof cookie hashes to
/// `proof_hash`; its id is the page's, as a real verification's would be.
pub async fn start(store: &Store, proof_hash: &str, now: UnixTime) -> Result<String, StoreError> {
    let id = crate::random::url_safe(16);
    insert(store.pool(), &id, &id, Some(proof_hash), now).await?;
    Ok(id)
}

async fn insert<'e, E>(
    executor: E,
    id: &str,
    chain: &str,
    proof_hash: Option<&str>,
    now: UnixTime,
) -> Result<(), StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO registration_decoys (id, chain, proof_hash, code_expires_at, code_failures, created_at, \
         expires_at, used_at) VALUES ($1, $2, $3, $4, 0, $5, $6, NULL)",
    )
    .bind(id)
    .bind(chain)
    .bind(proof_hash)
    .bind(now.plus_seconds(CODE_LIFETIME_SECONDS).0)
    .bind(now.0)
    .bind(now.plus_seconds(LINK_LIFETIME_SECONDS).0)
    .execute(executor)
    .await?;
    Ok(())
}

/// Decoy `id` while a code could be typed there: the hash of the proof
/// cookie it keeps (only that browser is asked for the code).
pub async fn find(store: &Store, id: &str, now: UnixTime) -> Result<Option<Option<String>>, StoreError> {
    let row: Option<(Option<String>,)> = sqlx::query_as(
        "SELECT proof_hash FROM registration_decoys WHERE id = $1 AND used_at IS NULL AND code_expires_at > $2",
    )
    .bind(id)
    .bind(now.0)
    .fetch_optional(store.reads())
    .await?;
    Ok(row.map(|(proof_hash,)| proof_hash))
}

/// A code typed on page `id` when no real verification has that id: a
/// decoy takes one of its tries, as a real code would; anything else is
/// `Unusable`, as an unknown page is.
pub(super) async fn type_code(store: &Store, id: &str, now: UnixTime) -> Result<CodeOutcome, StoreError> {
    let tries: Option<(i64,)> = sqlx::query_as(
        "UPDATE registration_decoys SET code_failures = code_failures + 1 \
         WHERE id = $1 AND used_at IS NULL AND code_expires_at > $2 AND code_failures < $3 \
         RETURNING code_failures",
    )
    .bind(id)
    .bind(now.0)
    .bind(super::CODE_MAX_FAILURES)
    .fetch_optional(store.pool())
    .await?;
    Ok(tries.map_or(CodeOutcome::Unusable, |(tries,)| wrong(tries)))
}

/// A new mail asked for on decoy page `id` (made within the last day),
/// within the limits a real account's mails have: `None` when `id` is no
/// decoy; otherwise `TooSoon`, `DailyLimit` or a new page (`Decoy`), which
/// voids the earlier ones. The new page keeps the proof only for the
/// browser that carries it, as a real resend does.
pub async fn resend(store: &Store, id: &str, proof: Proof<'_>, now: UnixTime) -> Result<Option<Started>, StoreError> {
    let mut tx = store.pool().begin().await?;
    let chain: Option<(String,)> =
        sqlx::query_as("SELECT chain FROM registration_decoys WHERE id = $1 AND created_at > $2")
            .bind(id)
            .bind(now.0 - 24 * 3600)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((chain,)) = chain else {
        tx.rollback().await?;
        return Ok(None);
    };
    // One at a time per chain, as per account for real ones: writing the
    // chain's rows locks them (PostgreSQL) or takes the write lock (SQLite).
    sqlx::query("UPDATE registration_decoys SET created_at = created_at WHERE chain = $1")
        .bind(&chain)
        .execute(&mut *tx)
        .await?;
    let recent: Vec<(String, i64, Option<String>)> = sqlx::query_as(
        "SELECT id, created_at, proof_hash FROM registration_decoys WHERE chain = $1 AND created_at > $2 \
         ORDER BY created_at DESC, id",
    )
    .bind(&chain)
    .bind(now.0 - 24 * 3600)
    .fetch_all(&mut *tx)
    .await?;
    let Some((latest, at, kept)) = recent.first() else {
        tx.rollback().await?;
        return Ok(None);
    };
    if let Some(held) = held(latest, *at, recent.len(), now) {
        tx.commit().await?;
        return Ok(Some(held));
    }
    let proof_hash = match proof {
        Proof::Fresh(hash) => Some(hash),
        Proof::Carried(hash) => kept.as_deref().filter(|kept| *kept == hash),
        Proof::None => None,
    };
    sqlx::query("UPDATE registration_decoys SET used_at = $1 WHERE chain = $2 AND used_at IS NULL")
        .bind(now.0)
        .bind(&chain)
        .execute(&mut *tx)
        .await?;
    let id = crate::random::url_safe(16);
    insert(&mut *tx, &id, &chain, proof_hash, now).await?;
    tx.commit().await?;
    Ok(Some(Started::Decoy { id }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email_verification::{MAILS_PER_DAY, RESEND_AFTER_SECONDS, verify_code};

    crate::engine_tests! {
        async fn a_decoy_counts_tries_and_limits_mails_like_a_real_page(db: TestDatabase) {
            let store = db.migrated_store().await;
            let page = start(&store, "proof", UnixTime(1_000)).await.unwrap();
            assert_eq!(find(&store, &page, UnixTime(1_000)).await.unwrap(), Some(Some("proof".to_string())));
            for tries_left in (1..=4).rev() {
                let typed = verify_code(&store, &page, "123456", UnixTime(1_001)).await.unwrap();
                assert_eq!(typed, CodeOutcome::Wrong { tries_left });
            }
            assert_eq!(verify_code(&store, &page, "123456", UnixTime(1_001)).await.unwrap(), CodeOutcome::Unusable);
            assert_eq!(verify_code(&store, &page, "654321", UnixTime(1_001)).await.unwrap(), CodeOutcome::Unusable);
            assert_eq!(verify_code(&store, "no-such-page", "123456", UnixTime(1_001)).await.unwrap(), CodeOutcome::Unusable);

            // A new mail: not within the minute; then a new page, which keeps
            // the proof only for the browser that carries it.
            let too_soon = resend(&store, &page, Proof::Carried("proof"), UnixTime(1_059)).await.unwrap();
            assert_eq!(too_soon, Some(Started::TooSoon { id: page.clone() }));
            let Some(Started::Decoy { id: second }) = resend(&store, &page, Proof::Carried("other"), UnixTime(1_060)).await.unwrap() else {
                panic!("a new page")
            };
            assert_ne!(second, page);
            assert_eq!(find(&store, &page, UnixTime(1_060)).await.unwrap(), None, "the new mail voids the old page");
            assert_eq!(find(&store, &second, UnixTime(1_060)).await.unwrap(), Some(None));
            assert_eq!(verify_code(&store, &second, "1", UnixTime(1_061)).await.unwrap(), CodeOutcome::Wrong { tries_left: 4 });
            // Its code expires as a real one does.
            let late = UnixTime(1_060 + CODE_LIFETIME_SECONDS);
            assert_eq!(verify_code(&store, &second, "1", late).await.unwrap(), CodeOutcome::Unusable);

            // Ten mails a day, counted over the whole chain (asked for on any of its pages).
            let mut latest = second;
            let mut at = 1_060;
            for _ in 2..MAILS_PER_DAY {
                at += RESEND_AFTER_SECONDS;
                let Some(Started::Decoy { id }) = resend(&store, &page, Proof::None, UnixTime(at)).await.unwrap() else {
                    panic!("a new page")
                };
                latest = id;
            }
            at += RESEND_AFTER_SECONDS;
            assert_eq!(resend(&store, &page, Proof::None, UnixTime(at)).await.unwrap(), Some(Started::DailyLimit { id: latest }));
            assert_eq!(resend(&store, "no-such-page", Proof::None, UnixTime(at)).await.unwrap(), None);
        }
    }
}
