//! Evidence: the documents a person uploads to prove their profile (a
//! licence to practise, a chamber ID card). PDF, PNG or JPEG, told by
//! their content rather than their name; at most 10 MB each and
//! [`MAX_FILES`] per person. Only the person and verifiers ever see them,
//! and they cannot change while a verifier looks at them (`pending`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{Status, find_in};
use crate::clock::UnixTime;
use crate::store::{Store, StoreError};
use crate::users::UserId;

/// The largest file accepted: 10 MB.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// How many files one person may keep.
pub const MAX_FILES: i64 = 10;
/// The longest file name kept (longer ones are cut).
const NAME_MAX_CHARS: usize = 120;

/// The kinds of file accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    Pdf,
    Png,
    Jpeg,
}

impl MediaType {
    /// What the content is, by its first bytes (the name and the browser's
    /// word for it are not trusted).
    pub fn sniff(content: &[u8]) -> Option<Self> {
        if content.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if content.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if content.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else {
            None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Pdf, Self::Png, Self::Jpeg].into_iter().find(|m| m.as_str() == value)
    }

    pub fn is_image(self) -> bool {
        matches!(self, Self::Png | Self::Jpeg)
    }
}

/// A stored file, without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub id: String,
    pub file_name: String,
    pub media_type: MediaType,
    pub size: i64,
    /// Hex SHA-256 of the content: verifiers can compare copies.
    pub sha256: String,
    pub uploaded_at: UnixTime,
}

/// Why a file was refused.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error("choose a file")]
    Empty,
    #[error("the file is larger than 10 MB")]
    TooLarge,
    #[error("only PDF, PNG and JPEG files are accepted")]
    UnsupportedType,
    #[error("you keep the most files allowed; remove one first")]
    TooMany,
    #[error("declare your profession first")]
    NoProfile,
    #[error("the files cannot change while a verifier reviews them")]
    Locked,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A file name fit to show and to offer for download: its last path part,
/// without control characters or quotes, at most 120 characters.
pub fn clean_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !sanus_professions::numbers::hides_text(*c) && !matches!(c, '"' | '\'' | ';'))
        .take(NAME_MAX_CHARS)
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() { "evidence".to_string() } else { cleaned.to_string() }
}

/// The profile may take or lose files: it exists and no verifier has it.
/// Takes the profile's row first (PostgreSQL: a row lock; SQLite: the
/// write lock), so that a submission or another upload waits for this one.
async fn ensure_editable(
    tx: &mut crate::store::Transaction,
    user: &UserId,
    now: UnixTime,
) -> Result<(), EvidenceError> {
    super::lock_profile(tx, user).await?;
    match find_in(&mut **tx, user, now).await? {
        None => Err(EvidenceError::NoProfile),
        Some(profile) if profile.status == Status::Pending => Err(EvidenceError::Locked),
        Some(_) => Ok(()),
    }
}

/// Stores an uploaded file after checking its size and kind.
pub async fn add(
    store: &Store,
    user: &UserId,
    file_name: &str,
    content: &[u8],
    now: UnixTime,
) -> Result<Evidence, EvidenceError> {
    if content.is_empty() {
        return Err(EvidenceError::Empty);
    }
    if content.len() > MAX_BYTES {
        return Err(EvidenceError::TooLarge);
    }
    let media_type = MediaType::sniff(content).ok_or(EvidenceError::UnsupportedType)?;
    let mut tx = store.pool().begin().await.map_err(StoreError::from)?;
    ensure_editable(&mut tx, user, now).await?;
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM profile_evidence WHERE user_id = $1")
        .bind(user.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    if count >= MAX_FILES {
        return Err(EvidenceError::TooMany);
    }
    let evidence = Evidence {
        id: uuid::Uuid::now_v7().to_string(),
        file_name: clean_file_name(file_name),
        media_type,
        size: i64::try_from(content.len()).unwrap_or(i64::MAX),
        sha256: crate::clients::SecretHash::of(content).as_str().to_string(),
        uploaded_at: now,
    };
    sqlx::query(
        "INSERT INTO profile_evidence (id, user_id, file_name, media_type, size, sha256, content_base64, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&evidence.id)
    .bind(user.as_str())
    .bind(&evidence.file_name)
    .bind(media_type.as_str())
    .bind(evidence.size)
    .bind(&evidence.sha256)
    .bind(STANDARD.encode(content))
    .bind(now.0)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(evidence)
}

type Row = (String, String, String, i64, String, i64);

fn from_row((id, file_name, media_type, size, sha256, uploaded_at): Row) -> Evidence {
    Evidence {
        id,
        file_name,
        media_type: MediaType::parse(&media_type).unwrap_or(MediaType::Pdf),
        size,
        sha256,
        uploaded_at: UnixTime(uploaded_at),
    }
}

/// The person's files, oldest first.
pub async fn list(store: &Store, user: &UserId) -> Result<Vec<Evidence>, StoreError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, file_name, media_type, size, sha256, uploaded_at FROM profile_evidence \
         WHERE user_id = $1 ORDER BY uploaded_at, id",
    )
    .bind(user.as_str())
    .fetch_all(store.reads())
    .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// One of the person's files with its content; `None` when the person has
/// no file with this id (whoever else's it may be).
pub async fn content(store: &Store, user: &UserId, id: &str) -> Result<Option<(Evidence, Vec<u8>)>, StoreError> {
    let row: Option<(String, String, String, i64, String, i64, String)> = sqlx::query_as(
        "SELECT id, file_name, media_type, size, sha256, uploaded_at, content_base64 FROM profile_evidence \
         WHERE user_id = $1 AND id = $2",
    )
    .bind(user.as_str())
    .bind(id)
    .fetch_optional(store.reads())
    .await?;
    Ok(row.and_then(|(id, file_name, media_type, size, sha256, uploaded_at, content)| {
        let bytes = STANDARD.decode(content).ok()?;
        Some((from_row((id, file_name, media_type, size, sha256, uploaded_at)), bytes))
    }))
}

/// Removes one of the person's files; `false` when there is no such file.
/// A file the current verification rests on takes the verification with
/// it (the profile is `validated` again); `Some(true)` in `.1` says so.
pub async fn remove(store: &Store, user: &UserId, id: &str, now: UnixTime) -> Result<(bool, bool), EvidenceError> {
    let mut tx = store.pool().begin().await.map_err(StoreError::from)?;
    ensure_editable(&mut tx, user, now).await?;
    let dropped = sqlx::query(
        "UPDATE professional_profiles SET state = 'validated', verified_at = NULL, verified_until = NULL, \
         updated_at = $1 WHERE user_id = $2 AND state = 'verified' \
         AND case_id IN (SELECT case_id FROM case_evidence WHERE evidence_id = $3)",
    )
    .bind(now.0)
    .bind(user.as_str())
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?
    .rows_affected()
        > 0;
    let removed = sqlx::query("DELETE FROM profile_evidence WHERE user_id = $1 AND id = $2")
        .bind(user.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    if removed.rows_affected() == 0 {
        // No such file: nothing may change.
        return Ok((false, false));
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok((true, dropped))
}
