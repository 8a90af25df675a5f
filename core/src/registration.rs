//! Self-service registration: the rules a new account's form must meet,
//! and creating the account. Whether anyone may register, and with which
//! e-mail domains, is the operator's choice (`Policy`). An address that
//! already has an account is not an error the form shows (that would tell
//! strangers who has an account): `register` reports it to the caller,
//! which answers exactly as for a new account and mails the owner instead.

use crate::clock::UnixTime;
use crate::password_policy::{PasswordRuleError, check_new_password};
use crate::store::{Store, StoreError};
use crate::users::{Email, EmailError, NewUser, User, find_user_by_email, insert_user_with};

/// Names longer than this are refused.
pub const MAX_NAME_CHARS: usize = 100;

/// A name an account cannot have: too long, or with characters that hide
/// or reorder text (apps and consent screens show it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameInvalid;

/// A given or family name as typed, for an account (at registration and in
/// the account console): trimmed, empty means none, at most
/// `MAX_NAME_CHARS` characters, none of them a control character or one
/// that hides or reorders text.
pub fn name(typed: &str) -> Result<Option<String>, NameInvalid> {
    let name = typed.trim();
    if name.chars().any(sanus_professions::numbers::hides_text) {
        return Err(NameInvalid);
    }
    match name.chars().count() {
        0 => Ok(None),
        n if n > MAX_NAME_CHARS => Err(NameInvalid),
        _ => Ok(Some(name.to_string())),
    }
}

/// What the operator allows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    pub open: bool,
    /// Lowercase domains an address must end in (`@` + domain, exactly);
    /// empty: any.
    pub domains: Vec<String>,
    /// Terms to accept: the form requires the box to be ticked.
    pub terms_required: bool,
}

impl Policy {
    pub fn allows_domain(&self, email: &Email) -> bool {
        let domain = email.normalized().rsplit_once('@').map(|(_, d)| d.to_string()).unwrap_or_default();
        self.domains.is_empty() || self.domains.contains(&domain)
    }
}

/// The form as posted.
#[derive(Debug, Clone, Default)]
pub struct Form {
    pub email: String,
    pub password: String,
    pub confirm: String,
    pub given_name: String,
    pub family_name: String,
    pub locale: String,
    pub accepted_terms: bool,
}

/// What is wrong with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldError {
    Email(EmailError),
    /// The address is outside the allowed domains.
    EmailDomain,
    Password(PasswordRuleError),
    /// The two passwords differ.
    Mismatch,
    GivenNameInvalid,
    FamilyNameInvalid,
    TermsNotAccepted,
}

/// A form that met every rule.
#[derive(Debug, Clone)]
pub struct Checked {
    pub user: NewUser,
    pub password: String,
    pub accepted_terms: bool,
}

/// Checks every field and reports all problems at once.
pub fn check(form: Form, policy: &Policy, supported_locales: &[&str]) -> Result<Checked, Vec<FieldError>> {
    let mut errors = Vec::new();
    let email = Email::parse(&form.email).map_err(|e| errors.push(FieldError::Email(e))).ok();
    if email.as_ref().is_some_and(|email| !policy.allows_domain(email)) {
        errors.push(FieldError::EmailDomain);
    }
    if let Err(rule) = check_new_password(&form.password, email.as_ref().map_or(form.email.trim(), Email::as_str)) {
        errors.push(FieldError::Password(rule));
    } else if form.password != form.confirm {
        errors.push(FieldError::Mismatch);
    }
    let given_name = name(&form.given_name).map_err(|_| errors.push(FieldError::GivenNameInvalid)).ok().flatten();
    let family_name = name(&form.family_name).map_err(|_| errors.push(FieldError::FamilyNameInvalid)).ok().flatten();
    if policy.terms_required && !form.accepted_terms {
        errors.push(FieldError::TermsNotAccepted);
    }
    let locale = supported_locales.iter().find(|l| **l == form.locale).or(supported_locales.first());
    match email {
        Some(email) if errors.is_empty() => Ok(Checked {
            user: NewUser { email, given_name, family_name, locale: locale.map_or("en", |l| l).to_string() },
            password: form.password,
            accepted_terms: form.accepted_terms,
        }),
        _ => Err(errors),
    }
}

/// An account whose address was never confirmed (and that was never used)
/// is replaced by a new registration after this long, once its links have
/// expired: so that whoever registered someone else's address cannot hold it.
pub const UNCONFIRMED_KEPT_SECONDS: i64 = 24 * 3600;

/// What registering did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registered {
    /// A new, unverified account.
    Created(User),
    /// The address already had this account (confirmed, or registered
    /// less than a day ago); nothing changed.
    Exists(User),
}

/// Creates the account with its password (an argon2id PHC string) and the
/// time the terms were accepted. An existing account of the address that
/// was never confirmed and is older than a day is deleted first.
pub async fn register(
    store: &Store,
    checked: Checked,
    password_hash: &str,
    now: UnixTime,
) -> Result<Registered, StoreError> {
    let email = checked.user.email.clone();
    let terms_accepted_at = checked.accepted_terms.then_some(now);
    // Never confirmed, never used, its links expired, and no client acts
    // as it: nobody proved it theirs, so a new registration replaces it.
    let stale: Option<(String,)> = sqlx::query_as(
        "SELECT u.id FROM users u WHERE u.email_normalized = $1 AND u.email_verified = 0 AND u.created_at <= $2 \
         AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.user_id = u.id) \
         AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.user_id = u.id) \
         AND NOT EXISTS (SELECT 1 FROM token_families f WHERE f.user_id = u.id) \
         AND NOT EXISTS (SELECT 1 FROM clients k WHERE k.service_account_user_id = u.id) \
         AND NOT EXISTS (SELECT 1 FROM email_verifications v WHERE v.user_id = u.id AND v.expires_at > $3)",
    )
    .bind(email.normalized())
    .bind(now.0 - UNCONFIRMED_KEPT_SECONDS)
    .bind(now.0)
    .fetch_optional(store.reads())
    .await?;
    if let Some((stale,)) = stale {
        sqlx::query("DELETE FROM users WHERE id = $1 AND email_verified = 0").bind(stale).execute(store.pool()).await?;
    }
    let created = insert_user_with(store, checked.user, Some(password_hash), terms_accepted_at, now).await;
    match created {
        Ok(user) => Ok(Registered::Created(user)),
        Err(StoreError::Conflict(_)) => match find_user_by_email(store, &email).await? {
            Some(user) => Ok(Registered::Exists(user)),
            None => Err(StoreError::NotFound),
        },
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::find_user_for_sign_in;

    const LOCALES: &[&str] = &["en", "de"];

    fn form() -> Form {
        Form {
            email: " Jane@Klinik.example ".into(),
            password: "correct horse battery staple".into(),
            confirm: "correct horse battery staple".into(),
            given_name: " Jane ".into(),
            family_name: String::new(),
            locale: "de".into(),
            accepted_terms: true,
        }
    }

    fn open() -> Policy {
        Policy { open: true, domains: vec![], terms_required: true }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("  Jane "), Ok(Some("Jane".into())));
        assert_eq!(name("   "), Ok(None));
        assert_eq!(name(&"ä".repeat(MAX_NAME_CHARS)), Ok(Some("ä".repeat(MAX_NAME_CHARS))), "characters, not bytes");
        assert_eq!(name(&"x".repeat(MAX_NAME_CHARS + 1)), Err(NameInvalid));
        assert_eq!(name("Jane\u{202E}eod"), Err(NameInvalid), "a bidi override");
        assert_eq!(name("Ja\nne"), Err(NameInvalid));
        assert_eq!(name("Mohammad\u{200C}reza"), Ok(Some("Mohammad\u{200C}reza".into())), "joiners belong to scripts");
    }

    #[test]
    fn a_good_form_passes_trimmed() {
        let checked = check(form(), &open(), LOCALES).unwrap();
        assert_eq!(checked.user.email.as_str(), "Jane@Klinik.example");
        assert_eq!((checked.user.given_name.as_deref(), checked.user.family_name.as_deref()), (Some("Jane"), None));
        assert_eq!(checked.user.locale, "de");
        let other = check(Form { locale: "fr".into(), ..form() }, &open(), LOCALES).unwrap();
        assert_eq!(other.user.locale, "en", "an unknown language falls back to the first");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let bad = Form {
            email: "not an address".into(),
            password: "short".into(),
            confirm: "other".into(),
            given_name: "x".repeat(MAX_NAME_CHARS + 1),
            family_name: "y".repeat(MAX_NAME_CHARS + 1),
            locale: "en".into(),
            accepted_terms: false,
        };
        let errors = check(bad, &open(), LOCALES).unwrap_err();
        assert_eq!(
            errors,
            [
                FieldError::Email(EmailError::Malformed),
                FieldError::Password(PasswordRuleError::TooShort),
                FieldError::GivenNameInvalid,
                FieldError::FamilyNameInvalid,
                FieldError::TermsNotAccepted,
            ]
        );
        let mismatch = check(Form { confirm: "something else entirely".into(), ..form() }, &open(), LOCALES);
        assert_eq!(mismatch.unwrap_err(), [FieldError::Mismatch]);
        let common =
            check(Form { password: "password1234".into(), confirm: "password1234".into(), ..form() }, &open(), LOCALES);
        assert_eq!(common.unwrap_err(), [FieldError::Password(PasswordRuleError::Common)]);
    }

    #[test]
    fn domains_and_terms_follow_the_policy() {
        let limited = Policy { open: true, domains: vec!["klinik.example".into()], terms_required: false };
        assert!(check(form(), &limited, LOCALES).is_ok());
        let elsewhere = Form { email: "jane@sub.klinik.example".into(), ..form() };
        assert_eq!(check(elsewhere, &limited, LOCALES).unwrap_err(), [FieldError::EmailDomain]);
        assert!(check(Form { accepted_terms: false, ..form() }, &limited, LOCALES).is_ok(), "no terms to accept");
    }

    crate::engine_tests! {
        async fn registering_stores_the_password_and_an_address_registers_once(db: TestDatabase) {
            let store = db.migrated_store().await;
            let created = register(&store, check(form(), &open(), LOCALES).unwrap(), "$argon2id$h", UnixTime(7)).await.unwrap();
            let Registered::Created(jane) = created else { panic!("not created: {created:?}") };
            assert!(!jane.email_verified);
            let hash = find_user_for_sign_in(&store, &Email::parse("jane@klinik.example").unwrap()).await.unwrap().unwrap().password_hash;
            assert_eq!(hash.as_deref(), Some("$argon2id$h"));
            let (accepted,): (Option<i64>,) = sqlx::query_as("SELECT terms_accepted_at FROM users WHERE id = $1")
                .bind(jane.id.as_str())
                .fetch_one(store.pool())
                .await
                .unwrap();
            assert_eq!(accepted, Some(7));

            let again = Form { email: "JANE@klinik.example".into(), ..form() };
            let second = register(&store, check(again, &open(), LOCALES).unwrap(), "$argon2id$other", UnixTime(8)).await.unwrap();
            assert_eq!(second, Registered::Exists(jane.clone()));
            let hash = find_user_for_sign_in(&store, &Email::parse("jane@klinik.example").unwrap()).await.unwrap().unwrap().password_hash;
            assert_eq!(hash.as_deref(), Some("$argon2id$h"), "the existing password stays");

            // Never confirmed and a day old: a new registration replaces it.
            let later = UnixTime(7 + UNCONFIRMED_KEPT_SECONDS);
            let third = Form { email: "jane@klinik.example".into(), ..form() };
            let replaced = register(&store, check(third, &open(), LOCALES).unwrap(), "$argon2id$new", later).await.unwrap();
            let Registered::Created(fresh) = replaced else { panic!("not replaced: {replaced:?}") };
            assert_ne!(fresh.id, jane.id);
            let hash = find_user_for_sign_in(&store, &Email::parse("jane@klinik.example").unwrap()).await.unwrap().unwrap().password_hash;
            assert_eq!(hash.as_deref(), Some("$argon2id$new"));
        }
    }
}
