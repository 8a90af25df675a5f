//! Outgoing mail. Through SMTP (lettre: implicit TLS with `smtps://`,
//! STARTTLS with `smtp://…?tls=required`, authentication from the URL's user
//! and password) when the operator configured a server; otherwise into the
//! development outbox, a table only operators read. Every mail has a plain
//! text and an HTML part.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};

use crate::clock::UnixTime;
use crate::html::escape;
use crate::store::{Store, StoreError};

/// How long one SMTP conversation may take.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("{0:?} is not a mailbox like \"Sanus <no-reply@example.org>\"")]
    From(String),
    /// The URL is not repeated: it may hold a password.
    #[error("not an SMTP URL like smtps://user:password@smtp.example.org:465 ({0})")]
    Url(String),
    #[error("{0:?} is not an e-mail address")]
    Recipient(String),
    #[error("cannot build the message: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("the SMTP server refused or failed: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One mail to one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Where mail goes.
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
}

impl Mailer {
    /// `smtp_url` `None`: the development outbox. Needs a Tokio runtime
    /// (the SMTP connection pool runs a task).
    pub fn new(from: &str, smtp_url: Option<&str>) -> Result<Self, MailError> {
        let from = parse_from(from)?;
        let smtp = match smtp_url {
            None => None,
            Some(url) => Some(smtp_builder(url)?.timeout(Some(SMTP_TIMEOUT)).build()),
        };
        Ok(Self { from, smtp })
    }

    /// Checks the settings `new` would take, without connecting.
    pub fn check(from: &str, smtp_url: Option<&str>) -> Result<(), MailError> {
        parse_from(from)?;
        if let Some(url) = smtp_url {
            smtp_builder(url)?;
        }
        Ok(())
    }

    /// Whether mail only goes to the development outbox.
    pub fn is_outbox(&self) -> bool {
        self.smtp.is_none()
    }

    pub async fn send(&self, store: &Store, mail: &Mail, now: UnixTime) -> Result<(), MailError> {
        let to = mail.to.parse::<Mailbox>().map_err(|_| MailError::Recipient(mail.to.clone()))?;
        let Some(smtp) = &self.smtp else {
            return Ok(store_in_outbox(store, mail, now).await?);
        };
        let message = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()))?;
        smtp.send(message).await?;
        Ok(())
    }
}

fn parse_from(from: &str) -> Result<Mailbox, MailError> {
    from.parse::<Mailbox>().map_err(|_| MailError::From(from.to_string()))
}

fn smtp_builder(url: &str) -> Result<lettre::transport::smtp::AsyncSmtpTransportBuilder, MailError> {
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|error| MailError::Url(error.to_string()))
}

async fn store_in_outbox(store: &Store, mail: &Mail, now: UnixTime) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO mail_outbox (id, created_at, recipient, subject, text_body, html_body) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(now.0)
    .bind(&mail.to)
    .bind(&mail.subject)
    .bind(&mail.text)
    .bind(&mail.html)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// A mail in the development outbox.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxMail {
    pub created_at: i64,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
}

/// The outbox, newest first, at most `limit`.
pub async fn outbox(store: &Store, limit: i64) -> Result<Vec<OutboxMail>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT created_at, recipient, subject, text_body, html_body FROM mail_outbox \
         ORDER BY created_at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(store.reads())
    .await?)
}

/// The mail with a password reset link, in the account's language.
pub fn password_reset_mail(locale: &str, to: &str, link: &str) -> Mail {
    let (subject, intro, action, outro) = if locale.starts_with("de") {
        (
            "Ihr Link zum Zurücksetzen des Passworts",
            "Sie (oder jemand anderes) haben ein neues Passwort für Ihr Sanus-Konto angefordert.",
            "Neues Passwort wählen",
            "Der Link funktioniert einmal und 30 Minuten lang. Danach werden Sie überall abgemeldet. \
             Wenn Sie nichts angefordert haben, ignorieren Sie diese E-Mail: Ihr Passwort bleibt, wie es ist.",
        )
    } else {
        (
            "Your link to reset your password",
            "You (or someone else) asked for a new password for your Sanus account.",
            "Choose a new password",
            "The link works once, for 30 minutes. Afterwards you are signed out everywhere. \
             If you did not ask for this, ignore this mail: your password stays as it is.",
        )
    };
    link_mail(to, subject.to_string(), intro, None, action, link, outro)
}

/// The invitation into a tenant: who invites, where, and the link (7 days,
/// once), in the inviter's language.
pub fn invitation_mail(locale: &str, to: &str, inviter: Option<&str>, tenant: &str, link: &str) -> Mail {
    let (subject, intro, action, outro) = if locale.starts_with("de") {
        (
            format!("Einladung zu {tenant} in Sanus"),
            match inviter {
                Some(inviter) => format!("{inviter} lädt Sie ein, {tenant} in Sanus beizutreten."),
                None => format!("Sie sind eingeladen, {tenant} in Sanus beizutreten."),
            },
            "Einladung ansehen",
            "Der Link funktioniert einmal und 7 Tage lang. Wer noch kein Sanus-Konto hat, kann damit eines anlegen. \
             Wenn Sie die Einladung nicht erwartet haben, ignorieren Sie diese E-Mail.",
        )
    } else {
        (
            format!("Invitation to {tenant} on Sanus"),
            match inviter {
                Some(inviter) => format!("{inviter} invites you to join {tenant} on Sanus."),
                None => format!("You are invited to join {tenant} on Sanus."),
            },
            "See the invitation",
            "The link works once, for 7 days. If you have no Sanus account yet, you can create one from it. \
             If you did not expect this invitation, ignore this mail.",
        )
    };
    link_mail(to, subject, &intro, None, action, link, outro)
}

/// The mail that proves an address: the code to type on the page that
/// asked for it, and a link for another device or later.
pub fn email_verification_mail(locale: &str, to: &str, code: &str, link: &str) -> Mail {
    let spaced = format!("{} {}", &code[..code.len() / 2], &code[code.len() / 2..]);
    let (subject, intro, action, outro) = if locale.starts_with("de") {
        (
            format!("Ihr Sanus-Code: {spaced}"),
            "Bitte bestätigen Sie, dass diese E-Mail-Adresse Ihnen gehört: Geben Sie diesen Code auf der Seite ein, \
             die danach gefragt hat.",
            "Oder bestätigen Sie mit diesem Link (auch auf einem anderen Gerät)",
            "Der Code gilt 15 Minuten, der Link 24 Stunden. Wenn Sie sich nicht registriert haben, ignorieren Sie \
             diese E-Mail: Ohne Bestätigung wird die Adresse nicht verwendet.",
        )
    } else {
        (
            format!("Your Sanus code: {spaced}"),
            "Please confirm that this e-mail address is yours: enter this code on the page that asked for it.",
            "Or confirm with this link (also on another device)",
            "The code works for 15 minutes, the link for 24 hours. If you did not register, ignore this mail: \
             without confirmation the address is not used.",
        )
    };
    link_mail(to, subject, intro, Some(&spaced), action, link, outro)
}

/// The mail a registration with an address that already has an account
/// sends instead: to its owner, with a way back in.
pub fn account_exists_mail(locale: &str, to: &str, reset_link: Option<&str>) -> Mail {
    let (subject, intro, action, outro) = if locale.starts_with("de") {
        (
            "Sie haben bereits ein Sanus-Konto",
            "Jemand (vielleicht Sie) wollte mit dieser Adresse ein neues Sanus-Konto anlegen. Es gibt bereits eines: \
             Melden Sie sich damit an.",
            "Passwort vergessen? Hier ein neues wählen (einmal, 30 Minuten lang)",
            "Wenn Sie das nicht waren, ignorieren Sie diese E-Mail: Es hat sich nichts geändert.",
        )
    } else {
        (
            "You already have a Sanus account",
            "Someone (maybe you) tried to create a new Sanus account with this address. There already is one: \
             sign in with it.",
            "Forgot your password? Choose a new one here (once, for 30 minutes)",
            "If this was not you, ignore this mail: nothing has changed.",
        )
    };
    match reset_link {
        Some(link) => link_mail(to, subject.to_string(), intro, None, action, link, outro),
        None => Mail {
            to: to.to_string(),
            subject: subject.to_string(),
            text: format!("{intro}\n\n{outro}\n"),
            html: format!("<p>{}</p><p>{}</p>", escape(intro), escape(outro)),
        },
    }
}

/// The note to an account's previous address after it moved to another.
pub fn email_changed_mail(locale: &str, previous: &str, new: &str) -> Mail {
    let (subject, text) = if locale.starts_with("de") {
        (
            "Die E-Mail-Adresse Ihres Sanus-Kontos wurde geändert",
            format!(
                "Ihr Sanus-Konto verwendet ab jetzt die Adresse {new}. Diese Adresse ({previous}) gehört nicht mehr dazu. \
                 Wenn Sie das nicht waren, wenden Sie sich sofort an den Betreiber Ihres Sanus-Dienstes."
            ),
        )
    } else {
        (
            "The e-mail address of your Sanus account was changed",
            format!(
                "Your Sanus account uses the address {new} from now on. This address ({previous}) no longer belongs \
                 to it. If this was not you, contact the operator of your Sanus service at once."
            ),
        )
    };
    Mail {
        to: previous.to_string(),
        subject: subject.to_string(),
        html: format!("<p>{}</p>", escape(&text)),
        text: format!("{text}\n"),
    }
}

/// The note to an address another account asked to move to: it stays
/// this account's, and nothing changed.
pub fn address_taken_mail(locale: &str, to: &str) -> Mail {
    let (subject, text) = if locale.starts_with("de") {
        (
            "Ein anderes Sanus-Konto wollte Ihre E-Mail-Adresse übernehmen",
            "Jemand (vielleicht Sie) wollte ein anderes Sanus-Konto auf diese Adresse umstellen. Sie gehört schon zu \
             Ihrem Konto und bleibt dabei; es hat sich nichts geändert. Wenn Sie zwei Konten haben und nur eines \
             behalten möchten: Melden Sie sich mit dem anderen an und löschen Sie es in der Kontoverwaltung.",
        )
    } else {
        (
            "Another Sanus account asked for your e-mail address",
            "Someone (maybe you) tried to move another Sanus account to this address. It already belongs to your \
             account and stays with it: nothing has changed. If you have two accounts and want to keep only one, \
             sign in to the other one and delete it in the account console.",
        )
    };
    Mail {
        to: to.to_string(),
        subject: subject.to_string(),
        html: format!("<p>{}</p>", escape(text)),
        text: format!("{text}\n"),
    }
}

/// A step on the way to a verified professional profile, as mailed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfessionMail<'a> {
    Submitted,
    Verified,
    Rejected {
        reason: &'a str,
    },
    /// The verification ran out.
    Expired,
    /// A change to the profile ended the verification or the submission.
    Dropped,
}

/// The mail at each transition of a professional profile, with a link to
/// the profile page.
pub fn profession_mail(locale: &str, to: &str, step: ProfessionMail<'_>, link: &str) -> Mail {
    let de = locale.starts_with("de");
    let (subject, intro, outro) = match (step, de) {
        (ProfessionMail::Submitted, true) => (
            "Ihr Berufsprofil wurde eingereicht",
            "Ihr Berufsprofil wartet nun auf die Prüfung. Wir schreiben Ihnen, sobald entschieden ist.".to_string(),
            "Solange es geprüft wird, ändern Sie es bitte nur, wenn nötig: Jede Änderung zieht die Einreichung zurück.",
        ),
        (ProfessionMail::Submitted, false) => (
            "Your professional profile was submitted",
            "Your professional profile is now waiting for a verifier. We will write to you when they have decided."
                .to_string(),
            "While it is reviewed, change it only if you must: any change withdraws the submission.",
        ),
        (ProfessionMail::Verified, true) => (
            "Ihr Berufsprofil ist verifiziert",
            "Ihr Berufsprofil wurde anhand Ihrer Nachweise bestätigt.".to_string(),
            "Apps, denen Sie es erlauben, erhalten Ihre Angaben nun als verifiziert.",
        ),
        (ProfessionMail::Verified, false) => (
            "Your professional profile is verified",
            "A verifier confirmed your professional profile against your documents.".to_string(),
            "Apps you allow to see it now receive your details as verified.",
        ),
        (ProfessionMail::Rejected { reason }, true) => (
            "Ihr Berufsprofil konnte nicht verifiziert werden",
            format!("Ihr Berufsprofil konnte nicht bestätigt werden. Die Begründung: „{reason}“"),
            "Sie können Ihre Angaben oder Nachweise ergänzen und das Profil erneut einreichen.",
        ),
        (ProfessionMail::Rejected { reason }, false) => (
            "Your professional profile could not be verified",
            format!("A verifier could not confirm your professional profile. Their reason: “{reason}”"),
            "You can correct your details or add documents, and submit the profile again.",
        ),
        (ProfessionMail::Expired, true) => (
            "Die Verifizierung Ihres Berufsprofils ist abgelaufen",
            "Die Verifizierung Ihres Berufsprofils ist abgelaufen. Apps erhalten Ihre Angaben nun als nicht verifiziert."
                .to_string(),
            "Reichen Sie das Profil mit aktuellen Nachweisen erneut ein, um es wieder verifizieren zu lassen.",
        ),
        (ProfessionMail::Expired, false) => (
            "The verification of your professional profile expired",
            "The verification of your professional profile ran out. Apps now receive your details as not verified."
                .to_string(),
            "Submit the profile again with current documents to have it verified again.",
        ),
        (ProfessionMail::Dropped, true) => (
            "Ihr Berufsprofil hat sich geändert",
            "Sie haben Ihr Berufsprofil geändert. Damit endete seine Verifizierung oder Einreichung.".to_string(),
            "Reichen Sie es erneut ein, wenn Sie so weit sind. Wenn Sie nichts geändert haben, ändern Sie sofort Ihr Passwort.",
        ),
        (ProfessionMail::Dropped, false) => (
            "Your professional profile changed",
            "You changed your professional profile, so its verification or submission ended.".to_string(),
            "Submit it again when you are ready. If you did not change it, change your password at once.",
        ),
    };
    let action = if de { "Berufsprofil öffnen" } else { "Open your professional profile" };
    link_mail(to, subject.to_string(), &intro, None, action, link, outro)
}

/// A mail of an introduction, an optional code set apart, a link with what
/// it does, and a closing note; as text and as HTML.
fn link_mail(
    to: &str,
    subject: String,
    intro: &str,
    code: Option<&str>,
    action: &str,
    link: &str,
    outro: &str,
) -> Mail {
    let text_code = code.map(|code| format!("    {code}\n\n")).unwrap_or_default();
    let html_code = code
        .map(|code| format!("<p style=\"font-size:1.5em;font-weight:bold;letter-spacing:0.1em\">{}</p>", escape(code)))
        .unwrap_or_default();
    Mail {
        to: to.to_string(),
        subject,
        text: format!("{intro}\n\n{text_code}{action}:\n{link}\n\n{outro}\n"),
        html: format!(
            "<p>{intro}</p>{html_code}<p><a href=\"{link}\">{action}</a></p><p>{outro}</p>",
            intro = escape(intro),
            link = escape(link),
            action = escape(action),
            outro = escape(outro),
        ),
    }
}

/// An SMTP server on loopback for tests: accepts every message and keeps it.
#[cfg(any(test, feature = "test-support"))]
pub mod testing {
    use std::net::SocketAddr;
    use std::sync::{Arc, Mutex};

    use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
    use tokio::net::TcpListener;
    use tokio::sync::Notify;

    /// A message as the sink received it.
    #[derive(Debug, Clone)]
    pub struct Received {
        pub mail_from: String,
        pub rcpt_to: Vec<String>,
        /// The raw message (headers and MIME body), dot-unstuffed.
        pub data: String,
    }

    #[derive(Clone, Default)]
    pub struct SmtpSink {
        received: Arc<Mutex<Vec<Received>>>,
        arrived: Arc<Notify>,
        address: Option<SocketAddr>,
    }

    impl SmtpSink {
        /// Listens on 127.0.0.1 on a free port until the runtime ends.
        pub async fn start() -> Self {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("bind: {e}"));
            let sink = Self { address: listener.local_addr().ok(), ..Self::default() };
            let serving = sink.clone();
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let sink = serving.clone();
                    tokio::spawn(async move {
                        let _ = sink.converse(stream).await;
                    });
                }
            });
            sink
        }

        /// `smtp://127.0.0.1:PORT` (plain SMTP: loopback only).
        pub fn url(&self) -> String {
            self.address.map(|a| format!("smtp://{a}")).unwrap_or_default()
        }

        /// The messages so far.
        pub fn received(&self) -> Vec<Received> {
            self.received.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
        }

        /// Waits until at least `count` messages arrived (no sleeping: the
        /// sink wakes the waiter), at most 10 seconds.
        pub async fn wait_for(&self, count: usize) -> Vec<Received> {
            let waiting = async {
                loop {
                    let arrived = self.arrived.notified();
                    let received = self.received();
                    if received.len() >= count {
                        return received;
                    }
                    arrived.await;
                }
            };
            tokio::time::timeout(std::time::Duration::from_secs(10), waiting)
                .await
                .unwrap_or_else(|_| panic!("no {count} mails arrived at the SMTP sink"))
        }

        async fn converse(&self, stream: tokio::net::TcpStream) -> std::io::Result<()> {
            let (reader, mut writer) = stream.into_split();
            let mut lines = BufReader::new(reader).lines();
            writer.write_all(b"220 sink ESMTP\r\n").await?;
            let (mut mail_from, mut rcpt_to) = (String::new(), Vec::new());
            while let Some(line) = lines.next_line().await? {
                let upper = line.to_ascii_uppercase();
                if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                    writer.write_all(b"250-sink\r\n250 8BITMIME\r\n").await?;
                } else if upper.starts_with("MAIL FROM:") {
                    mail_from = line[10..].trim().to_string();
                    writer.write_all(b"250 ok\r\n").await?;
                } else if upper.starts_with("RCPT TO:") {
                    rcpt_to.push(line[8..].trim().to_string());
                    writer.write_all(b"250 ok\r\n").await?;
                } else if upper == "DATA" {
                    writer.write_all(b"354 go ahead\r\n").await?;
                    let mut data = String::new();
                    while let Some(line) = lines.next_line().await? {
                        if line == "." {
                            break;
                        }
                        data.push_str(line.strip_prefix('.').unwrap_or(&line));
                        data.push('\n');
                    }
                    let received = Received { mail_from: mail_from.clone(), rcpt_to: rcpt_to.clone(), data };
                    self.received.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(received);
                    self.arrived.notify_waiters();
                    rcpt_to.clear();
                    writer.write_all(b"250 queued\r\n").await?;
                } else if upper == "QUIT" {
                    writer.write_all(b"221 bye\r\n").await?;
                    break;
                } else {
                    // RSET, NOOP and the rest: accepted.
                    writer.write_all(b"250 ok\r\n").await?;
                }
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::SmtpSink;
    use super::*;

    fn mail() -> Mail {
        Mail {
            to: "jane@example.org".into(),
            subject: "Grüße".into(),
            text: "Hello Jane".into(),
            html: "<p>Hello Jane</p>".into(),
        }
    }

    // A runtime: the SMTP transport's connection pool starts a task.
    #[tokio::test]
    async fn settings_are_checked_without_repeating_the_url() {
        assert!(matches!(Mailer::new("not a mailbox", None), Err(MailError::From(_))));
        let error =
            Mailer::new("Sanus <no-reply@example.org>", Some("http://user:hunter2@x")).err().map(|e| e.to_string());
        assert!(error.as_deref().unwrap_or_default().starts_with("not an SMTP URL"), "{error:?}");
        assert!(!error.unwrap_or_default().contains("hunter2"));
        assert!(Mailer::new("Sanus <no-reply@example.org>", None).unwrap().is_outbox());
        assert!(
            Mailer::check("Sanus <no-reply@example.org>", Some("smtp://relay.example.org:587?tls=required")).is_ok()
        );
        assert!(matches!(Mailer::check("x", None), Err(MailError::From(_))));
        assert!(!Mailer::new("no-reply@example.org", Some("smtps://u:p@smtp.example.org")).unwrap().is_outbox());
    }

    #[test]
    fn reset_mails_speak_the_account_language_and_carry_the_link() {
        let link = "https://id.example.org/password/reset/abc?x=1&y=2";
        let de = password_reset_mail("de", "jane@example.org", link);
        assert!(de.subject.contains("Passwort") && de.text.contains(link));
        assert!(de.html.contains("https://id.example.org/password/reset/abc?x=1&amp;y=2"));
        let en = password_reset_mail("en", "jane@example.org", link);
        assert!(en.text.contains("30 minutes") && en.text.contains(link));
    }

    #[test]
    fn verification_mails_set_the_code_apart_and_carry_the_link() {
        let link = "https://id.example.org/email/confirm/abc";
        let en = email_verification_mail("en", "jane@example.org", "123456", link);
        assert_eq!(en.subject, "Your Sanus code: 123 456");
        assert!(en.text.contains("    123 456\n") && en.text.contains(link) && en.text.contains("15 minutes"));
        assert!(en.html.contains(">123 456</p>") && en.html.contains(link));
        let de = email_verification_mail("de-DE", "jane@example.org", "123456", link);
        assert!(de.text.contains("15 Minuten") && de.subject.contains("123 456"));
        let exists = account_exists_mail("en", "jane@example.org", Some(link));
        assert!(exists.text.contains("already is one") && exists.text.contains(link));
        let changed = email_changed_mail("en", "old@example.org", "new@example.org");
        assert_eq!(changed.to, "old@example.org");
        assert!(changed.text.contains("new@example.org") && changed.html.contains("old@example.org"));
        let without = account_exists_mail("de", "jane@example.org", None);
        assert!(without.subject.contains("bereits") && !without.text.contains("http"));
    }

    #[tokio::test]
    async fn smtp_delivers_text_and_html_to_the_recipient() {
        let sink = SmtpSink::start().await;
        let mailer = Mailer::new("Sanus <no-reply@example.org>", Some(&sink.url())).unwrap();
        // SMTP never touches the store: an unmigrated in-memory one will do.
        let db = crate::store::testing::TestDatabase::new(crate::Engine::Sqlite).await.unwrap();
        let store = Store::connect(&db.options()).await.unwrap();
        mailer.send(&store, &mail(), UnixTime(1)).await.unwrap();
        let received = sink.wait_for(1).await;
        assert_eq!(received[0].mail_from, "<no-reply@example.org>");
        assert_eq!(received[0].rcpt_to, ["<jane@example.org>"]);
        let data = &received[0].data;
        assert!(data.contains("multipart/alternative") && data.contains("text/plain") && data.contains("text/html"));
        assert!(data.contains("Hello Jane") && data.contains("<p>Hello Jane</p>"));
        let refused = mailer.send(&store, &Mail { to: "nobody".into(), ..mail() }, UnixTime(1)).await;
        assert!(matches!(refused, Err(MailError::Recipient(_))));
    }

    crate::engine_tests! {
        async fn without_smtp_mail_lands_in_the_outbox(db: TestDatabase) {
            let store = db.migrated_store().await;
            let mailer = Mailer::new("Sanus <no-reply@example.org>", None).unwrap();
            mailer.send(&store, &mail(), UnixTime(5)).await.unwrap();
            let outbox = outbox(&store, 10).await.unwrap();
            assert_eq!(outbox.len(), 1);
            assert_eq!((outbox[0].recipient.as_str(), outbox[0].subject.as_str()), ("jane@example.org", "Grüße"));
            assert_eq!((outbox[0].text_body.as_str(), outbox[0].created_at), ("Hello Jane", 5));
        }
    }
}
