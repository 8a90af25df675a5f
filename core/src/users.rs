//! Users: the one account a person keeps across organisations and apps.
//! This module holds the identity basics (id, e-mail, names, language);
//! credentials, MFA and professional profiles build on it.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::clock::UnixTime;
use crate::store::{Store, StoreError};

/// Stable, opaque user id (a UUIDv7); the `sub` claim is derived from it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UserId(String);

impl UserId {
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An id read back from storage.
    pub fn from_stored(value: String) -> Self {
        Self(value)
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why an e-mail address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("enter an e-mail address")]
    Empty,
    #[error("an e-mail address has at most 254 characters")]
    TooLong,
    #[error("an e-mail address looks like name@example.org")]
    Malformed,
}

/// An e-mail address as the user typed it (trimmed), checked for shape.
/// Deliverability is proven by verification, not by parsing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let email = input.trim();
        if email.is_empty() {
            return Err(EmailError::Empty);
        }
        if email.chars().count() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = email.rsplit_once('@').ok_or(EmailError::Malformed)?;
        let shape_ok = !local.is_empty()
            && local.len() <= 64
            && !domain.is_empty()
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && !local.contains('@');
        if !shape_ok {
            return Err(EmailError::Malformed);
        }
        Ok(Self(email.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form uniqueness is decided on: two spellings that differ only in
    /// case are one address.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub email_verified: bool,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub locale: String,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
}

/// A person's name as shown and as the `name` claim: the given and family
/// names joined by a space; `None` when there is neither.
pub fn display_name(given_name: Option<&str>, family_name: Option<&str>) -> Option<String> {
    let name = [given_name, family_name].into_iter().flatten().collect::<Vec<_>>().join(" ");
    (!name.trim().is_empty()).then_some(name)
}

/// The account as stored beside a grant (JSON), to build its claims later.
#[derive(serde::Serialize, serde::Deserialize)]
struct Snapshot {
    id: String,
    email: String,
    email_verified: bool,
    given_name: Option<String>,
    family_name: Option<String>,
    locale: String,
    created_at: i64,
    updated_at: i64,
}

impl User {
    /// See [`display_name`].
    pub fn display_name(&self) -> Option<String> {
        display_name(self.given_name.as_deref(), self.family_name.as_deref())
    }

    pub fn to_snapshot(&self) -> String {
        let snapshot = Snapshot {
            id: self.id.0.clone(),
            email: self.email.clone(),
            email_verified: self.email_verified,
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            locale: self.locale.clone(),
            created_at: self.created_at.0,
            updated_at: self.updated_at.0,
        };
        serde_json::to_string(&snapshot).unwrap_or_default()
    }

    pub fn from_snapshot(json: &str) -> Option<Self> {
        let s: Snapshot = serde_json::from_str(json).ok()?;
        Some(Self {
            id: UserId(s.id),
            email: s.email,
            email_verified: s.email_verified,
            given_name: s.given_name,
            family_name: s.family_name,
            locale: s.locale,
            created_at: UnixTime(s.created_at),
            updated_at: UnixTime(s.updated_at),
        })
    }
}

/// What it takes to create an account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub locale: String,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    #[sqlx(flatten)]
    fields: UserFields,
}

/// A user's columns but the id, for queries that read the id elsewhere.
#[derive(sqlx::FromRow)]
pub(crate) struct UserFields {
    email: String,
    email_verified: i16,
    given_name: Option<String>,
    family_name: Option<String>,
    locale: String,
    created_at: i64,
    updated_at: i64,
}

impl UserFields {
    pub(crate) fn into_user(self, id: UserId) -> User {
        User {
            id,
            email: self.email,
            email_verified: self.email_verified != 0,
            given_name: self.given_name,
            family_name: self.family_name,
            locale: self.locale,
            created_at: UnixTime(self.created_at),
            updated_at: UnixTime(self.updated_at),
        }
    }
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        row.fields.into_user(UserId(row.id))
    }
}

/// The columns `UserRow` reads, as a literal for `concat!`.
macro_rules! user_columns {
    () => {
        "id, email, email_verified, given_name, family_name, locale, created_at, updated_at"
    };
}

/// Creates an account; `Conflict` when the address is taken in any spelling.
pub async fn insert_user(store: &Store, new: NewUser, now: UnixTime) -> Result<User, StoreError> {
    insert_user_with(store, new, None, None, now).await
}

/// Creates an account with its password (an argon2id PHC string) and the
/// time its terms were accepted, in one statement.
pub(crate) async fn insert_user_with(
    store: &Store,
    new: NewUser,
    password_hash: Option<&str>,
    terms_accepted_at: Option<UnixTime>,
    now: UnixTime,
) -> Result<User, StoreError> {
    let user = User {
        id: UserId::generate(),
        email: new.email.as_str().to_string(),
        email_verified: false,
        given_name: new.given_name,
        family_name: new.family_name,
        locale: new.locale,
        created_at: now,
        updated_at: now,
    };
    sqlx::query(
        "INSERT INTO users (id, email, email_normalized, email_verified, given_name, \
         family_name, locale, created_at, updated_at, password_hash, terms_accepted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(user.id.as_str())
    .bind(&user.email)
    .bind(new.email.normalized())
    .bind(i16::from(user.email_verified))
    .bind(user.given_name.as_deref())
    .bind(user.family_name.as_deref())
    .bind(&user.locale)
    .bind(now.0)
    .bind(now.0)
    .bind(password_hash)
    .bind(terms_accepted_at.map(|t| t.0))
    .execute(store.pool())
    .await?;
    Ok(user)
}

/// Updates the names, language and verification flag of an account.
pub async fn update_user_profile(
    store: &Store,
    id: &UserId,
    given_name: Option<&str>,
    family_name: Option<&str>,
    locale: &str,
    email_verified: bool,
    now: UnixTime,
) -> Result<(), StoreError> {
    let result = sqlx::query(
        "UPDATE users SET given_name = $1, family_name = $2, locale = $3, email_verified = $4, updated_at = $5 \
         WHERE id = $6",
    )
    .bind(given_name)
    .bind(family_name)
    .bind(locale)
    .bind(i16::from(email_verified))
    .bind(now.0)
    .bind(id.as_str())
    .execute(store.pool())
    .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Updates what the person edits in the account console: names and
/// language (never the verification flag, which only a proof changes).
pub async fn update_names_and_language(
    store: &Store,
    id: &UserId,
    given_name: Option<&str>,
    family_name: Option<&str>,
    locale: &str,
    now: UnixTime,
) -> Result<(), StoreError> {
    let result =
        sqlx::query("UPDATE users SET given_name = $1, family_name = $2, locale = $3, updated_at = $4 WHERE id = $5")
            .bind(given_name)
            .bind(family_name)
            .bind(locale)
            .bind(now.0)
            .bind(id.as_str())
            .execute(store.pool())
            .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Sets (or, with `None`, removes) the account's password hash.
pub async fn set_password_hash(store: &Store, id: &UserId, phc: Option<&str>, now: UnixTime) -> Result<(), StoreError> {
    let result = sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(phc)
        .bind(now.0)
        .bind(id.as_str())
        .execute(store.pool())
        .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// An account as signing in needs it, read in one query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInAccount {
    pub user: User,
    /// Its password hash (PHC string); none for accounts without a password.
    pub password_hash: Option<String>,
    /// An operator locked it (see `admin::lock_account`).
    pub locked: bool,
}

/// The account with this e-mail, for signing in.
pub async fn find_user_for_sign_in(store: &Store, email: &Email) -> Result<Option<SignInAccount>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        password_hash: Option<String>,
        locked: i64,
    }
    let row: Option<Row> = sqlx::query_as(concat!(
        "SELECT ",
        user_columns!(),
        ", password_hash, CASE WHEN ",
        crate::admin::locked_sql!("users.id"),
        " THEN 1 ELSE 0 END AS locked FROM users WHERE email_normalized = $1"
    ))
    .bind(email.normalized())
    .fetch_optional(store.reads())
    .await?;
    Ok(row.map(|r| SignInAccount { user: User::from(r.user), password_hash: r.password_hash, locked: r.locked != 0 }))
}

pub async fn find_user_by_email(store: &Store, email: &Email) -> Result<Option<User>, StoreError> {
    let row: Option<UserRow> =
        sqlx::query_as(concat!("SELECT ", user_columns!(), " FROM users WHERE email_normalized = $1"))
            .bind(email.normalized())
            .fetch_optional(store.reads())
            .await?;
    Ok(row.map(User::from))
}

pub async fn get_user(store: &Store, id: &UserId) -> Result<User, StoreError> {
    let row: UserRow = sqlx::query_as(concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1"))
        .bind(id.as_str())
        .fetch_one(store.reads())
        .await?;
    Ok(row.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_the_given_and_family_names_joined() {
        assert_eq!(display_name(Some("Ada"), Some("Lovelace")).as_deref(), Some("Ada Lovelace"));
        assert_eq!(display_name(Some("Ada"), None).as_deref(), Some("Ada"));
        assert_eq!(display_name(None, Some("Lovelace")).as_deref(), Some("Lovelace"));
        assert_eq!(display_name(None, None), None);
        assert_eq!(display_name(Some(" "), None), None);
    }

    #[test]
    fn email_shapes() {
        let ok = ["a@b.de", "  Ärztin.Muster@praxis.example  ", "x+tag@sub.example.org"];
        for input in ok {
            assert!(Email::parse(input).is_ok(), "{input}");
        }
        let bad = [
            ("", EmailError::Empty),
            ("   ", EmailError::Empty),
            ("no-at-sign", EmailError::Malformed),
            ("@example.org", EmailError::Malformed),
            ("user@", EmailError::Malformed),
            ("user@.example", EmailError::Malformed),
            ("user@example..org", EmailError::Malformed),
            ("us er@example.org", EmailError::Malformed),
            ("a@b@c.de", EmailError::Malformed),
        ];
        for (input, expected) in bad {
            assert_eq!(Email::parse(input), Err(expected), "{input:?}");
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
    }

    #[test]
    fn email_is_trimmed_and_normalised_to_lower_case() {
        let email = Email::parse(" Jane.Doe@Example.ORG ").unwrap();
        assert_eq!(email.as_str(), "Jane.Doe@Example.ORG");
        assert_eq!(email.normalized(), "jane.doe@example.org");
    }

    mod storage {
        use super::*;

        fn new_user(email: &str) -> NewUser {
            NewUser {
                email: Email::parse(email).unwrap(),
                given_name: Some("Jane".into()),
                family_name: None,
                locale: "de".into(),
            }
        }

        crate::engine_tests! {
            async fn inserted_user_is_found_by_any_spelling_of_its_email(db: TestDatabase) {
                let store = db.migrated_store().await;
                let created = insert_user(&store, new_user("Jane@Example.org"), UnixTime(100)).await.unwrap();
                let found = find_user_by_email(&store, &Email::parse("jane@EXAMPLE.org").unwrap())
                    .await
                    .unwrap();
                assert_eq!(found.as_ref(), Some(&created));
                assert_eq!(get_user(&store, &created.id).await.unwrap(), created);
                assert!(!created.email_verified);
            }

            async fn second_account_with_the_same_email_conflicts(db: TestDatabase) {
                let store = db.migrated_store().await;
                insert_user(&store, new_user("jane@example.org"), UnixTime(100)).await.unwrap();
                let error = insert_user(&store, new_user("JANE@example.org"), UnixTime(101))
                    .await
                    .unwrap_err();
                assert!(matches!(error, StoreError::Conflict(ref c) if c.contains("email_normalized")), "{error:?}");
            }

            async fn unknown_user_is_not_found(db: TestDatabase) {
                let store = db.migrated_store().await;
                let error = get_user(&store, &UserId::generate()).await.unwrap_err();
                assert!(matches!(error, StoreError::NotFound), "{error:?}");
                let nobody = Email::parse("nobody@example.org").unwrap();
                assert_eq!(find_user_by_email(&store, &nobody).await.unwrap(), None);
            }
        }
    }
}
