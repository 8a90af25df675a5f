//! Second factors: TOTP (RFC 6238: SHA-1, six digits, 30-second steps, one
//! step of clock skew either way), recovery codes, and the sign-in that
//! waits for one of them after a correct password.
//!
//! The TOTP secret is sealed under the key-encryption key; a code is
//! accepted at most once (the step it matched is remembered and older or
//! equal steps are refused). Recovery codes are ten at a time, single use,
//! stored as SHA-256.

use rand::Rng as _;

use crate::clients::SecretHash;
use crate::clock::UnixTime;
use crate::keys::{Kek, KeyError};
use crate::store::{Store, StoreError};
use crate::users::UserId;

/// The `acr` of a sign-in with a password only …
pub const ACR_PASSWORD: &str = "urn:sanus:acr:pwd";
/// … and of one with a second factor (`amr` contains `mfa`).
pub const ACR_MFA: &str = "urn:sanus:acr:mfa";
/// The `amr` of a password plus an authenticator app's code …
pub const AMR_TOTP: [&str; 3] = ["pwd", "otp", "mfa"];
/// … and of a password plus a recovery code.
pub const AMR_RECOVERY_CODE: [&str; 2] = ["pwd", "mfa"];

/// Whether a sign-in with these methods used a second factor.
pub fn is_multi_factor(amr: &[String]) -> bool {
    amr.iter().any(|m| m == "mfa")
}

/// The `acr` a sign-in with these methods reached.
pub fn acr_of(amr: &[String]) -> &'static str {
    if is_multi_factor(amr) { ACR_MFA } else { ACR_PASSWORD }
}

/// TOTP parameters every authenticator app understands.
const DIGITS: usize = 6;
const STEP_SECONDS: i64 = 30;
const SKEW_STEPS: i64 = 1;
/// 160-bit secrets, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;
pub const RECOVERY_CODES: usize = 10;
/// Letters and digits that cannot be mistaken for one another.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
const RECOVERY_CODE_CHARS: usize = 10;
/// How long a password-checked sign-in waits for its second factor.
pub const PENDING_LIFETIME_SECONDS: i64 = 10 * 60;
/// Wrong codes that end a waiting sign-in.
pub const PENDING_MAX_FAILURES: i64 = 5;
/// How long an authenticator app being set up waits for its first code
/// (the setup began with the password; it must not linger for a session
/// thief to finish).
pub const SETUP_SECONDS: i64 = 10 * 60;

/// What an authenticator app needs to be set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpSetup {
    /// The secret in base32, for typing it in by hand.
    pub secret_base32: String,
    /// `otpauth://totp/Issuer:account?secret=…&issuer=Issuer`.
    pub uri: String,
    /// The URI as a QR code (SVG markup).
    pub qr_svg: String,
}

/// What the account has set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MfaStatus {
    pub totp: bool,
    /// Set up, waiting for its first code.
    pub totp_pending: bool,
    pub recovery_codes_left: i64,
}

impl MfaStatus {
    /// Whether signing in needs a second factor.
    pub fn required(&self) -> bool {
        self.totp
    }
}

fn aad(user_id: &UserId) -> String {
    format!("totp:{user_id}")
}

fn totp(secret: Vec<u8>, issuer: &str, account: &str) -> Result<totp_rs::TOTP, KeyError> {
    let issuer = issuer.replace(':', " ");
    let account = account.replace(':', " ");
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, DIGITS, 0, STEP_SECONDS as u64, secret, Some(issuer), account)
        .map_err(|_| KeyError::Crypto("set up a TOTP generator"))
}

fn setup_of(secret: Vec<u8>, issuer: &str, account: &str) -> Result<TotpSetup, KeyError> {
    let generator = totp(secret, issuer, account)?;
    let uri = generator.get_url();
    let qr_svg = qrcode::QrCode::with_error_correction_level(uri.as_bytes(), qrcode::EcLevel::M)
        .map_err(|_| KeyError::Crypto("draw a QR code"))?
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(TotpSetup { secret_base32: generator.get_secret_base32(), uri, qr_svg })
}

/// Starts setting up an authenticator app (replacing one not yet
/// confirmed). `None` when one is already confirmed: remove it first.
pub async fn begin_totp(
    store: &Store,
    kek: &Kek,
    user_id: &UserId,
    issuer: &str,
    account: &str,
    now: UnixTime,
) -> Result<Option<TotpSetup>, KeyError> {
    let secret = crate::random::bytes::<SECRET_BYTES>().to_vec();
    let sealed = kek.seal(&aad(user_id), &secret)?;
    let stored = sqlx::query(
        "INSERT INTO totp_credentials (user_id, secret_sealed, created_at, confirmed_at, last_used_step) \
         VALUES ($1, $2, $3, NULL, 0) \
         ON CONFLICT (user_id) DO UPDATE SET secret_sealed = excluded.secret_sealed, created_at = excluded.created_at \
         WHERE totp_credentials.confirmed_at IS NULL",
    )
    .bind(user_id.as_str())
    .bind(sealed)
    .bind(now.0)
    .execute(store.pool())
    .await
    .map_err(StoreError::from)?;
    if stored.rows_affected() == 0 {
        return Ok(None);
    }
    setup_of(secret, issuer, account).map(Some)
}

/// The setup waiting for its first code, to show it again.
pub async fn pending_totp(
    store: &Store,
    kek: &Kek,
    user_id: &UserId,
    issuer: &str,
    account: &str,
    now: UnixTime,
) -> Result<Option<TotpSetup>, KeyError> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT secret_sealed FROM totp_credentials WHERE user_id = $1 AND confirmed_at IS NULL AND created_at > $2",
    )
    .bind(user_id.as_str())
    .bind(now.0 - SETUP_SECONDS)
    .fetch_optional(store.reads())
    .await
    .map_err(StoreError::from)?;
    match row {
        Some((sealed,)) => setup_of(kek.open(&aad(user_id), &sealed)?, issuer, account).map(Some),
        None => Ok(None),
    }
}

/// The step a typed code matches within the allowed skew, if any.
fn matching_step(secret: Vec<u8>, typed: &str, now: UnixTime) -> Result<Option<i64>, KeyError> {
    let code: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let generator = totp(secret, "Sanus", "account")?;
    let current = now.0.div_euclid(STEP_SECONDS);
    // Every candidate is computed and compared in constant time.
    let mut matched = None;
    for step in current - SKEW_STEPS..=current + SKEW_STEPS {
        let expected = generator.generate(u64::try_from(step * STEP_SECONDS).unwrap_or_default());
        if aws_lc_rs::constant_time::verify_slices_are_equal(expected.as_bytes(), code.as_bytes()).is_ok() {
            matched = Some(step);
        }
    }
    Ok(matched)
}

/// Checks a code against the account's secret (`confirmed`: the set-up
/// one, or the one waiting for its first code) and spends its step.
async fn check(
    store: &Store,
    kek: &Kek,
    user_id: &UserId,
    typed: &str,
    confirmed: bool,
    now: UnixTime,
) -> Result<bool, KeyError> {
    let (select, spend) = if confirmed {
        (
            "SELECT secret_sealed FROM totp_credentials WHERE user_id = $1 AND confirmed_at IS NOT NULL",
            "UPDATE totp_credentials SET last_used_step = $1, confirmed_at = COALESCE(confirmed_at, $2) \
             WHERE user_id = $3 AND last_used_step < $1 AND confirmed_at IS NOT NULL",
        )
    } else {
        (
            "SELECT secret_sealed FROM totp_credentials WHERE user_id = $1 AND confirmed_at IS NULL AND created_at > $2",
            "UPDATE totp_credentials SET last_used_step = $1, confirmed_at = $2 \
             WHERE user_id = $3 AND last_used_step < $1 AND confirmed_at IS NULL",
        )
    };
    let query = sqlx::query_as(select).bind(user_id.as_str());
    // A setup waiting for its first code counts only while it is fresh.
    let query = if confirmed { query } else { query.bind(now.0 - SETUP_SECONDS) };
    let row: Option<(String,)> = query.fetch_optional(store.pool()).await.map_err(StoreError::from)?;
    let Some((sealed,)) = row else { return Ok(false) };
    let Some(step) = matching_step(kek.open(&aad(user_id), &sealed)?, typed, now)? else { return Ok(false) };
    // Spends the step: a code never works twice, nor an older one after it.
    let spent = sqlx::query(spend)
        .bind(step)
        .bind(now.0)
        .bind(user_id.as_str())
        .execute(store.pool())
        .await
        .map_err(StoreError::from)?;
    Ok(spent.rows_affected() == 1)
}

/// Confirms a new authenticator app with its first code.
pub async fn confirm_totp(
    store: &Store,
    kek: &Kek,
    user_id: &UserId,
    typed: &str,
    now: UnixTime,
) -> Result<bool, KeyError> {
    check(store, kek, user_id, typed, false, now).await
}

/// Checks a sign-in code of the set-up authenticator app.
pub async fn check_totp(
    store: &Store,
    kek: &Kek,
    user_id: &UserId,
    typed: &str,
    now: UnixTime,
) -> Result<bool, KeyError> {
    check(store, kek, user_id, typed, true, now).await
}

/// Removes the authenticator app and the recovery codes that go with it.
pub async fn remove_totp(store: &Store, user_id: &UserId) -> Result<bool, StoreError> {
    let mut tx = store.pool().begin().await?;
    let removed = sqlx::query("DELETE FROM totp_credentials WHERE user_id = $1")
        .bind(user_id.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected()
        > 0;
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id.as_str()).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(removed)
}

fn recovery_hash(user_id: &UserId, code: &str) -> String {
    SecretHash::of(format!("{user_id}:{code}").as_bytes()).as_str().to_string()
}

/// A recovery code as typed: case, spaces and dashes do not matter.
fn normalize_recovery(typed: &str) -> String {
    typed.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// Ten new recovery codes (`xxxxx-xxxxx`, about 49 bits each); the old
/// ones stop working. Shown once: only their hashes are kept.
pub async fn new_recovery_codes(store: &Store, user_id: &UserId, now: UnixTime) -> Result<Vec<String>, StoreError> {
    let codes: Vec<String> = {
        // The generator is not `Send`: it must be gone before the first await.
        let mut rng = rand::rng();
        (0..RECOVERY_CODES)
            .map(|_| {
                let chars: String = (0..RECOVERY_CODE_CHARS)
                    .map(|_| char::from(RECOVERY_ALPHABET[rng.random_range(0..RECOVERY_ALPHABET.len())]))
                    .collect();
                format!("{}-{}", &chars[..5], &chars[5..])
            })
            .collect()
    };
    let mut tx = store.pool().begin().await?;
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id.as_str()).execute(&mut *tx).await?;
    for code in &codes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash, created_at, used_at) VALUES ($1, $2, $3, NULL)")
            .bind(user_id.as_str())
            .bind(recovery_hash(user_id, &normalize_recovery(code)))
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(codes)
}

/// Uses a recovery code once.
pub async fn use_recovery_code(
    store: &Store,
    user_id: &UserId,
    typed: &str,
    now: UnixTime,
) -> Result<bool, StoreError> {
    let code = normalize_recovery(typed);
    if code.len() != RECOVERY_CODE_CHARS {
        return Ok(false);
    }
    let used =
        sqlx::query("UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL")
            .bind(now.0)
            .bind(user_id.as_str())
            .bind(recovery_hash(user_id, &code))
            .execute(store.pool())
            .await?;
    Ok(used.rows_affected() == 1)
}

/// What the account has set up, in one query.
pub async fn mfa_status(store: &Store, user_id: &UserId) -> Result<MfaStatus, StoreError> {
    let (totp, pending, left): (i64, i64, i64) = sqlx::query_as(
        "SELECT \
           (SELECT COUNT(*) FROM totp_credentials WHERE user_id = $1 AND confirmed_at IS NOT NULL), \
           (SELECT COUNT(*) FROM totp_credentials WHERE user_id = $1 AND confirmed_at IS NULL), \
           (SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL)",
    )
    .bind(user_id.as_str())
    .fetch_one(store.reads())
    .await?;
    Ok(MfaStatus { totp: totp > 0, totp_pending: pending > 0, recovery_codes_left: left })
}

/// A sign-in waiting for its second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSignIn {
    pub user_id: UserId,
    /// The authorization request to continue, if any …
    pub interaction_id: Option<String>,
    /// … or the page of Sanus to go to.
    pub return_to: Option<String>,
    pub failures: i64,
}

/// Records that the password was right; returns the token for the cookie.
pub async fn start_pending_sign_in(
    store: &Store,
    user_id: &UserId,
    interaction_id: Option<&str>,
    return_to: Option<&str>,
    now: UnixTime,
) -> Result<String, StoreError> {
    let token = crate::random::url_safe(32);
    // One waiting sign-in per account: a new one ends the others, so that
    // many password checks cannot stack up tries for parallel guessing.
    // The account's row first: parallel sign-ins end each other in turn.
    let mut tx = store.pool().begin().await?;
    sqlx::query("UPDATE users SET updated_at = updated_at WHERE id = $1")
        .bind(user_id.as_str())
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE pending_second_factors SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
        .bind(now.0)
        .bind(user_id.as_str())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO pending_second_factors (token_hash, user_id, interaction_id, return_to, failures, created_at, \
         expires_at, used_at) VALUES ($1, $2, $3, $4, 0, $5, $6, NULL)",
    )
    .bind(SecretHash::of(token.as_bytes()).as_str())
    .bind(user_id.as_str())
    .bind(interaction_id)
    .bind(return_to)
    .bind(now.0)
    .bind(now.plus_seconds(PENDING_LIFETIME_SECONDS).0)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// The waiting sign-in of a cookie token, while it may still finish.
pub async fn find_pending_sign_in(
    store: &Store,
    token: &str,
    now: UnixTime,
) -> Result<Option<PendingSignIn>, StoreError> {
    let row: Option<(String, Option<String>, Option<String>, i64)> = sqlx::query_as(
        "SELECT user_id, interaction_id, return_to, failures FROM pending_second_factors \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 AND failures < $3",
    )
    .bind(SecretHash::of(token.as_bytes()).as_str())
    .bind(now.0)
    .bind(PENDING_MAX_FAILURES)
    .fetch_optional(store.reads())
    .await?;
    Ok(row.map(|(user_id, interaction_id, return_to, failures)| PendingSignIn {
        user_id: UserId::from_stored(user_id),
        interaction_id,
        return_to,
        failures,
    }))
}

/// Takes one of the waiting sign-in's tries before its code is checked
/// (atomically, so that parallel requests cannot get more than five);
/// returns the tries left after this one, `None` when it is over.
pub async fn take_pending_try(store: &Store, token: &str, now: UnixTime) -> Result<Option<i64>, StoreError> {
    let row: Option<(i64,)> = sqlx::query_as(
        "UPDATE pending_second_factors SET failures = failures + 1 \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 AND failures < $3 RETURNING failures",
    )
    .bind(SecretHash::of(token.as_bytes()).as_str())
    .bind(now.0)
    .bind(PENDING_MAX_FAILURES)
    .fetch_optional(store.pool())
    .await?;
    Ok(row.map(|(failures,)| PENDING_MAX_FAILURES - failures))
}

/// Ends a waiting sign-in once its second factor was right; `false` when
/// it was finished already (a second, parallel request).
pub async fn finish_pending_sign_in(store: &Store, token: &str, now: UnixTime) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE pending_second_factors SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL")
        .bind(now.0)
        .bind(SecretHash::of(token.as_bytes()).as_str())
        .execute(store.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::{Email, NewUser, insert_user};

    fn kek() -> Kek {
        Kek::generate().unwrap().0
    }

    async fn user(store: &Store) -> UserId {
        let new = NewUser {
            email: Email::parse("jane@example.org").unwrap(),
            given_name: None,
            family_name: None,
            locale: "en".into(),
        };
        insert_user(store, new, UnixTime(1)).await.unwrap().id
    }

    /// The code an authenticator app shows at `at` for this setup.
    fn code_at(setup: &TotpSetup, at: i64) -> String {
        let generator = totp_rs::TOTP::from_url(&setup.uri).unwrap();
        generator.generate(u64::try_from(at).unwrap())
    }

    #[test]
    fn the_acr_follows_the_methods() {
        let methods = |m: &[&str]| m.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        assert_eq!(acr_of(&methods(&["pwd"])), ACR_PASSWORD);
        assert_eq!(acr_of(&methods(&AMR_TOTP)), ACR_MFA);
        assert_eq!(acr_of(&methods(&AMR_RECOVERY_CODE)), ACR_MFA);
    }

    #[test]
    fn the_setup_speaks_otpauth_and_draws_a_qr_code() {
        let setup = setup_of(vec![7; SECRET_BYTES], "Sanus Klinikum", "jane@example.org").unwrap();
        assert!(setup.uri.starts_with("otpauth://totp/Sanus%20Klinikum:jane%40example.org?secret="), "{}", setup.uri);
        assert!(setup.uri.contains("&issuer=Sanus%20Klinikum"));
        assert_eq!(setup.secret_base32.len(), 32, "160 bits in base32");
        assert!(setup.qr_svg.contains("<svg") && setup.qr_svg.contains("</svg>"));
    }

    #[test]
    fn codes_match_within_one_step_either_way() {
        let secret = vec![3; SECRET_BYTES];
        let generator = totp(secret.clone(), "Sanus", "a").unwrap();
        let now = UnixTime(1_000_000_000);
        let at = |offset: i64| generator.generate(u64::try_from(now.0 + offset).unwrap());
        assert_eq!(matching_step(secret.clone(), &at(0), now).unwrap(), Some(now.0 / 30));
        assert_eq!(matching_step(secret.clone(), &at(-30), now).unwrap(), Some(now.0 / 30 - 1));
        assert_eq!(matching_step(secret.clone(), &at(30), now).unwrap(), Some(now.0 / 30 + 1));
        assert_eq!(matching_step(secret.clone(), &at(-90), now).unwrap(), None, "too old");
        let spaced = format!("{} {}", &at(0)[..3], &at(0)[3..]);
        assert!(matching_step(secret.clone(), &spaced, now).unwrap().is_some());
        assert_eq!(matching_step(secret, "12345a", now).unwrap(), None);
    }

    crate::engine_tests! {
        async fn an_authenticator_is_active_only_after_its_first_code_and_codes_work_once(db: TestDatabase) {
            let store = db.migrated_store().await;
            let (kek, jane) = (kek(), user(&store).await);
            let now = UnixTime(1_700_000_000);
            let setup = begin_totp(&store, &kek, &jane, "Sanus", "jane@example.org", now).await.unwrap().unwrap();
            assert_eq!(pending_totp(&store, &kek, &jane, "Sanus", "jane@example.org", now).await.unwrap(), Some(setup.clone()));
            let late = UnixTime(now.0 + SETUP_SECONDS);
            assert_eq!(pending_totp(&store, &kek, &jane, "Sanus", "jane@example.org", late).await.unwrap(), None, "a setup does not linger");
            assert!(!confirm_totp(&store, &kek, &jane, &code_at(&setup, late.0), late).await.unwrap());
            assert_eq!(mfa_status(&store, &jane).await.unwrap(), MfaStatus { totp: false, totp_pending: true, recovery_codes_left: 0 });
            assert!(!check_totp(&store, &kek, &jane, &code_at(&setup, now.0), now).await.unwrap(), "not active yet");
            assert!(!confirm_totp(&store, &kek, &jane, "000000", now).await.unwrap() || code_at(&setup, now.0) == "000000");
            assert!(confirm_totp(&store, &kek, &jane, &code_at(&setup, now.0), now).await.unwrap());
            assert!(mfa_status(&store, &jane).await.unwrap().required());
            assert!(begin_totp(&store, &kek, &jane, "Sanus", "j", now).await.unwrap().is_none(), "remove it first");

            // The confirming code and any older one are spent; the next step's code works once.
            assert!(!check_totp(&store, &kek, &jane, &code_at(&setup, now.0), now).await.unwrap(), "no replay");
            let later = UnixTime(now.0 + 30);
            assert!(check_totp(&store, &kek, &jane, &code_at(&setup, later.0), later).await.unwrap());
            assert!(!check_totp(&store, &kek, &jane, &code_at(&setup, later.0), later).await.unwrap());
            assert!(!check_totp(&store, &kek, &jane, &code_at(&setup, now.0), later).await.unwrap(), "older steps neither");

            assert!(remove_totp(&store, &jane).await.unwrap());
            assert_eq!(mfa_status(&store, &jane).await.unwrap(), MfaStatus::default());
            let other = kek.seal("totp:someone-else", b"x").unwrap();
            assert!(kek.open(&aad(&jane), &other).is_err(), "a secret is bound to its account");
        }

        async fn recovery_codes_work_once_and_a_new_set_replaces_the_old(db: TestDatabase) {
            let store = db.migrated_store().await;
            let jane = user(&store).await;
            let codes = new_recovery_codes(&store, &jane, UnixTime(10)).await.unwrap();
            assert_eq!(codes.len(), RECOVERY_CODES);
            assert!(codes.iter().all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'));
            let typed = codes[0].to_uppercase().replace('-', " ");
            assert!(use_recovery_code(&store, &jane, &typed, UnixTime(11)).await.unwrap());
            assert!(!use_recovery_code(&store, &jane, &codes[0], UnixTime(12)).await.unwrap(), "single use");
            assert!(!use_recovery_code(&store, &jane, "abcde-fghjk", UnixTime(12)).await.unwrap());
            assert_eq!(mfa_status(&store, &jane).await.unwrap().recovery_codes_left, 9);
            let fresh = new_recovery_codes(&store, &jane, UnixTime(20)).await.unwrap();
            assert!(!use_recovery_code(&store, &jane, &codes[1], UnixTime(21)).await.unwrap(), "the old set is gone");
            assert!(use_recovery_code(&store, &jane, &fresh[9], UnixTime(21)).await.unwrap());
        }

        async fn a_waiting_sign_in_ends_after_ten_minutes_five_wrong_codes_or_its_use(db: TestDatabase) {
            let store = db.migrated_store().await;
            let jane = user(&store).await;
            let token = start_pending_sign_in(&store, &jane, Some("i1"), None, UnixTime(100)).await.unwrap();
            let found = find_pending_sign_in(&store, &token, UnixTime(101)).await.unwrap().unwrap();
            assert_eq!((found.user_id, found.interaction_id.as_deref()), (jane.clone(), Some("i1")));
            assert!(find_pending_sign_in(&store, &token, UnixTime(100 + PENDING_LIFETIME_SECONDS)).await.unwrap().is_none());
            for left in (0..PENDING_MAX_FAILURES).rev() {
                assert_eq!(take_pending_try(&store, &token, UnixTime(102)).await.unwrap(), Some(left));
            }
            assert_eq!(take_pending_try(&store, &token, UnixTime(102)).await.unwrap(), None, "no sixth try");
            assert!(find_pending_sign_in(&store, &token, UnixTime(102)).await.unwrap().is_none(), "tried too often");

            let other = start_pending_sign_in(&store, &jane, None, Some("/account"), UnixTime(100)).await.unwrap();
            assert!(finish_pending_sign_in(&store, &other, UnixTime(103)).await.unwrap());
            assert!(!finish_pending_sign_in(&store, &other, UnixTime(103)).await.unwrap(), "once");
            assert!(find_pending_sign_in(&store, &other, UnixTime(104)).await.unwrap().is_none());
        }
    }
}
