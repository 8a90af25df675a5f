use std::collections::BTreeMap;

use super::evidence::{self, EvidenceError, MediaType};
use super::verification::{self, CaseState, DecideError, Decision, Outcome, Policy, QueueFilter, SubmitError};
use super::*;
use crate::users::{Email, NewUser, User, insert_user};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
const YEAR: i64 = 365 * 24 * 3600;
const ONE_VERIFIER: Policy = Policy { four_eyes: false, valid_for_seconds: YEAR };
const FOUR_EYES: Policy = Policy { four_eyes: true, valid_for_seconds: YEAR };

async fn user(store: &Store, email: &str) -> User {
    let new = NewUser { email: Email::parse(email).unwrap(), given_name: None, family_name: None, locale: "en".into() };
    insert_user(store, new, UnixTime(1)).await.unwrap()
}

fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect()
}

fn physician() -> BTreeMap<String, String> {
    fields(&[("lanr", "123456601"), ("chamber", "bayern"), ("workplace", "Praxis Ada, München")])
}

async fn status(store: &Store, user: &User, now: i64) -> Option<Status> {
    find(store, &user.id, UnixTime(now)).await.unwrap().map(|p| p.status)
}

/// A validated physician with one file: ready to submit.
async fn ready(store: &Store, email: &str) -> User {
    let ada = user(store, email).await;
    save(store, &ada.id, "physician", &physician(), UnixTime(10)).await.unwrap();
    evidence::add(store, &ada.id, "approbation.pdf", PDF, UnixTime(11)).await.unwrap();
    ada
}

crate::engine_tests! {
    async fn saving_checks_every_field_and_sets_the_status(db: TestDatabase) {
        let store = db.migrated_store().await;
        let ada = user(&store, "ada@example.org").await;
        assert_eq!(status(&store, &ada, 5).await, None);

        let wrong = save(&store, &ada.id, "physician", &fields(&[("lanr", "123456701")]), UnixTime(5)).await;
        assert!(matches!(
            wrong,
            Err(SaveError::Invalid(ProfileError::Fields(ref f))) if f == &[("lanr".to_string(), Problem::CheckDigit { expected: 6 })]
        ));
        assert_eq!(status(&store, &ada, 5).await, None, "nothing half-written");

        let partial = save(&store, &ada.id, "physician", &fields(&[("lanr", "123456601")]), UnixTime(6)).await.unwrap();
        assert_eq!(partial.profile.status, Status::Unverified, "the chamber is missing");
        let full = save(&store, &ada.id, "physician", &physician(), UnixTime(7)).await.unwrap();
        assert_eq!((full.previous, full.profile.status, full.changed), (Some(Status::Unverified), Status::Validated, true));
        let again = save(&store, &ada.id, "physician", &physician(), UnixTime(8)).await.unwrap();
        assert!(!again.changed);
        assert_eq!(find(&store, &ada.id, UnixTime(9)).await.unwrap().unwrap().updated_at, UnixTime(7));
        assert!(matches!(
            save(&store, &ada.id, "wizard", &physician(), UnixTime(9)).await,
            Err(SaveError::Invalid(ProfileError::UnknownProfession))
        ));
    }

    async fn submission_needs_a_complete_profile_and_evidence(db: TestDatabase) {
        let store = db.migrated_store().await;
        let ada = user(&store, "ada@example.org").await;
        assert!(matches!(verification::submit(&store, &ada.id, UnixTime(5)).await, Err(SubmitError::NoProfile)));
        save(&store, &ada.id, "physician", &fields(&[("lanr", "123456601")]), UnixTime(6)).await.unwrap();
        assert!(matches!(verification::submit(&store, &ada.id, UnixTime(7)).await, Err(SubmitError::Incomplete)));
        save(&store, &ada.id, "physician", &physician(), UnixTime(8)).await.unwrap();
        assert!(matches!(verification::submit(&store, &ada.id, UnixTime(9)).await, Err(SubmitError::NoEvidence)));
        evidence::add(&store, &ada.id, "approbation.pdf", PDF, UnixTime(10)).await.unwrap();
        let case_id = verification::submit(&store, &ada.id, UnixTime(11)).await.unwrap();
        let profile = find(&store, &ada.id, UnixTime(12)).await.unwrap().unwrap();
        assert_eq!((profile.status, profile.case_id.as_deref()), (Status::Pending, Some(case_id.as_str())));
        assert!(matches!(verification::submit(&store, &ada.id, UnixTime(12)).await, Err(SubmitError::AlreadyPending)));
        // Taken back and submitted again: the first case is withdrawn.
        assert!(verification::withdraw_submission(&store, &ada.id, UnixTime(12)).await.unwrap());
        assert!(!verification::withdraw_submission(&store, &ada.id, UnixTime(12)).await.unwrap(), "nothing waits");
        assert_eq!(verification::case(&store, &case_id).await.unwrap().unwrap().state, CaseState::Withdrawn);
        assert_eq!(status(&store, &ada, 12).await, Some(Status::Validated));
        verification::submit(&store, &ada.id, UnixTime(12)).await.unwrap();
        // While a verifier has it, the files stay as they are.
        assert!(matches!(evidence::add(&store, &ada.id, "more.png", PNG, UnixTime(13)).await, Err(EvidenceError::Locked)));
        let files = evidence::list(&store, &ada.id).await.unwrap();
        assert!(matches!(evidence::remove(&store, &ada.id, &files[0].id, UnixTime(13)).await, Err(EvidenceError::Locked)));
    }

    async fn one_verifier_approves_and_the_verification_runs_out(db: TestDatabase) {
        let store = db.migrated_store().await;
        let ada = ready(&store, "ada@example.org").await;
        let vera = user(&store, "vera@example.org").await;
        let case_id = verification::submit(&store, &ada.id, UnixTime(20)).await.unwrap();
        let decided = verification::decide(&store, &case_id, &vera.id, &Decision::Approve { note: None }, ONE_VERIFIER, UnixTime(30))
            .await
            .unwrap();
        assert_eq!(decided.subject, ada.id);
        assert_eq!(decided.outcome, Outcome::Verified { until: UnixTime(30 + YEAR) });
        let profile = find(&store, &ada.id, UnixTime(31)).await.unwrap().unwrap();
        assert_eq!((profile.status, profile.verified_at), (Status::Verified, Some(UnixTime(30))));
        assert!(verification::vouches_for(&profile));
        assert!(matches!(verification::submit(&store, &ada.id, UnixTime(32)).await, Err(SubmitError::AlreadyVerified)));
        // A decided case takes no more decisions.
        let other = user(&store, "otto@example.org").await;
        assert!(matches!(
            verification::decide(&store, &case_id, &other.id, &Decision::Reject { reason: "late".into() }, ONE_VERIFIER, UnixTime(33)).await,
            Err(DecideError::NotPending)
        ));

        // Expiry: read as validated at once, written by the sweep.
        let expiry = 30 + YEAR;
        assert_eq!(status(&store, &ada, expiry - 1).await, Some(Status::Verified));
        assert_eq!(status(&store, &ada, expiry).await, Some(Status::Validated));
        assert!(expire_due(&store, UnixTime(expiry - 1)).await.unwrap().is_empty());
        assert_eq!(expire_due(&store, UnixTime(expiry)).await.unwrap(), std::slice::from_ref(&ada.id));
        assert!(expire_due(&store, UnixTime(expiry + 1)).await.unwrap().is_empty(), "once");
        let profile = find(&store, &ada.id, UnixTime(expiry + 1)).await.unwrap().unwrap();
        assert_eq!((profile.status, profile.verified_until), (Status::Validated, None));
        // … and can be submitted again.
        verification::submit(&store, &ada.id, UnixTime(expiry + 2)).await.unwrap();
    }

    async fn a_case_keeps_the_name_it_was_submitted_with(db: TestDatabase) {
        let store = db.migrated_store().await;
        let ada = ready(&store, "ada@example.org").await;
        crate::users::update_names_and_language(&store, &ada.id, Some("Ada"), Some("Lovelace"), "en", UnixTime(12))
            .await
            .unwrap();
        let case_id = verification::submit(&store, &ada.id, UnixTime(20)).await.unwrap();
        let case = verification::case(&store, &case_id).await.unwrap().unwrap();
        let submitted =
            verification::SubmittedName { given_name: Some("Ada".into()), family_name: Some("Lovelace".into()) };
        assert_eq!(case.submitted_name.as_ref(), Some(&submitted));
        assert!(!case.renamed_since_submission());

        // Renamed while the case waits: the case keeps the submitted name and says so.
        crate::users::update_names_and_language(&store, &ada.id, Some("Ada"), Some("King"), "en", UnixTime(21))
            .await
            .unwrap();
        let case = verification::case(&store, &case_id).await.unwrap().unwrap();
        assert_eq!(case.submitted_name.as_ref(), Some(&submitted));
        assert_eq!(case.family_name.as_deref(), Some("King"));
        assert!(case.renamed_since_submission());

        // No name at all is a name too: adding one later is a change.
        let bob = ready(&store, "bob@example.org").await;
        let bobs = verification::submit(&store, &bob.id, UnixTime(22)).await.unwrap();
        assert!(!verification::case(&store, &bobs).await.unwrap().unwrap().renamed_since_submission());
        crate::users::update_names_and_language(&store, &bob.id, Some("Bob"), None, "en", UnixTime(23)).await.unwrap();
        assert!(verification::case(&store, &bobs).await.unwrap().unwrap().renamed_since_submission());

        // A case from before names were recorded claims nothing.
        sqlx::query("UPDATE verification_cases SET submitted_name = NULL WHERE id = $1")
            .bind(&bobs)
            .execute(store.pool())
            .await
            .unwrap();
        let legacy = verification::case(&store, &bobs).await.unwrap().unwrap();
        assert_eq!(legacy.submitted_name, None);
        assert!(!legacy.renamed_since_submission());
    }

    async fn four_eyes_needs_two_different_verifiers(db: TestDatabase) {
        let store = db.migrated_store().await;
        let ada = ready(&store, "ada@example.org").await;
        let vera = user(&store, "vera@example.org").await;
        let otto = user(&store, "otto@example.org").await;
        let case_id = verification::submit(&store, &ada.id, UnixTime(20)).await.unwrap();
        let approve = Decision::Approve { note: Some("Approbation checked".into()) };
        let first = verification::decide(&store, &case_id, &vera.id, &approve, FOUR_EYES, UnixTime(30)).await.unwrap();
        assert_eq!(first.outcome, Outcome::AwaitingSecondApproval);
        assert_eq!(status(&store, &ada, 31).await, Some(Status::Pending));
        assert!(matches!(
            verification::decide(&store, &case_id, &vera.id, &approve, FOUR_EYES, UnixTime(32)).await,
            Err(DecideError::AlreadyApproved)
        ));
        let queue = verification::queue(&store, &QueueFilter { state: Some(CaseState::Pending), ..QueueFilter::default() }, 25, 0)
            .await
            .unwrap();
        assert_eq!((queue.len(), queue[0].approvals), (1, 1));
        let second = verification::decide(&store, &case_id, &otto.id, &approve, FOUR_EYES, UnixTime(40)).await.unwrap();
        assert_eq!(second.outcome, Outcome::Verified { until: UnixTime(40 + YEAR) });
        let case = verification::case(&store, &case_id).await.unwrap().unwrap();
        assert_eq!(case.state, CaseState::Verified);
        assert_eq!(case.decisions.len(), 2);
        assert_eq!(case.decisions[0].verifier_email.as_deref(), Some("vera@example.org"));
        assert_eq!(case.decisions[0].reason.as_deref(), Some("Approbation checked"));
    }

    async fn a_case_keeps_its_documents_and_removing_one_ends_the_verification(db: TestDatabase) {
        let store = db.migrated_store().await;
        let ada = ready(&store, "ada@example.org").await;
        let vera = user(&store, "vera@example.org").await;
        let case_id = verification::submit(&store, &ada.id, UnixTime(20)).await.unwrap();
        verification::decide(&store, &case_id, &vera.id, &Decision::Approve { note: None }, ONE_VERIFIER, UnixTime(21))
            .await
            .unwrap();
        // A later file is not part of what was reviewed.
        let later = evidence::add(&store, &ada.id, "later.png", PNG, UnixTime(22)).await.unwrap();
        let documents = verification::case_documents(&store, &case_id).await.unwrap();
        assert_eq!(documents.len(), 1);
        assert_eq!((documents[0].file_name.as_str(), documents[0].available), ("approbation.pdf", true));
        assert_eq!(evidence::remove(&store, &ada.id, &later.id, UnixTime(23)).await.unwrap(), (true, false));
        assert_eq!(status(&store, &ada, 24).await, Some(Status::Verified), "the verification did not rest on it");
        let reviewed = documents[0].evidence_id.clone();
        assert_eq!(evidence::remove(&store, &ada.id, &reviewed, UnixTime(25)).await.unwrap(), (true, true));
        assert_eq!(status(&store, &ada, 26).await, Some(Status::Validated), "it rested on that one");
        let documents = verification::case_documents(&store, &case_id).await.unwrap();
        assert_eq!((documents.len(), documents[0].available), (1, false), "the record stays");
        // Removing the profile keeps who decided, not the data.
        assert!(remove(&store, &ada.id, UnixTime(27)).await.unwrap());
        let case = verification::case(&store, &case_id).await.unwrap().unwrap();
        assert!(case.values.is_empty());
        assert_eq!(case.submitted_name, None, "nor the name it was submitted with");
        assert_eq!(case.decisions.len(), 1);
    }

    async fn rejections_need_a_reason_and_verifiers_never_decide_their_own(db: TestDatabase) {
        let store = db.migrated_store().await;
        let vera = ready(&store, "vera@example.org").await;
        let ada = ready(&store, "ada@example.org").await;
        let own = verification::submit(&store, &vera.id, UnixTime(20)).await.unwrap();
        assert!(matches!(
            verification::decide(&store, &own, &vera.id, &Decision::Approve { note: None }, ONE_VERIFIER, UnixTime(21)).await,
            Err(DecideError::OwnProfile)
        ));
        let case_id = verification::submit(&store, &ada.id, UnixTime(22)).await.unwrap();
        for reason in ["", "   "] {
            assert!(matches!(
                verification::decide(&store, &case_id, &vera.id, &Decision::Reject { reason: reason.into() }, ONE_VERIFIER, UnixTime(23)).await,
                Err(DecideError::ReasonMissing)
            ));
        }
        let long = "x".repeat(verification::REASON_MAX_CHARS + 1);
        assert!(matches!(
            verification::decide(&store, &case_id, &vera.id, &Decision::Reject { reason: long }, ONE_VERIFIER, UnixTime(23)).await,
            Err(DecideError::ReasonTooLong)
        ));
        assert!(matches!(
            verification::decide(&store, "no-such-case", &vera.id, &Decision::Approve { note: None }, ONE_VERIFIER, UnixTime(23)).await,
            Err(DecideError::NotFound)
        ));
        let reject = Decision::Reject { reason: "The document is illegible.".into() };
        let decided = verification::decide(&store, &case_id, &vera.id, &reject, ONE_VERIFIER, UnixTime(24)).await.unwrap();
        assert_eq!(decided.outcome, Outcome::Rejected);
        assert_eq!(status(&store, &ada, 25).await, Some(Status::Rejected));
        let latest = verification::latest_case(&store, &ada.id).await.unwrap().unwrap();
        assert_eq!(latest.reason.as_deref(), Some("The document is illegible."));
        // Rejected: better evidence, and try again.
        evidence::add(&store, &ada.id, "scan.png", PNG, UnixTime(26)).await.unwrap();
        verification::submit(&store, &ada.id, UnixTime(27)).await.unwrap();
        assert_eq!(status(&store, &ada, 28).await, Some(Status::Pending));
    }

    async fn a_change_drops_the_verification_and_withdraws_a_waiting_case(db: TestDatabase) {
        let store = db.migrated_store().await;
        let ada = ready(&store, "ada@example.org").await;
        let vera = user(&store, "vera@example.org").await;
        let waiting = verification::submit(&store, &ada.id, UnixTime(20)).await.unwrap();
        let mut moved = physician();
        moved.insert("workplace".into(), "Klinikum Nord".into());
        let saved = save(&store, &ada.id, "physician", &moved, UnixTime(21)).await.unwrap();
        assert_eq!((saved.dropped(), saved.profile.status), (Some(Status::Pending), Status::Validated));
        assert_eq!(verification::case(&store, &waiting).await.unwrap().unwrap().state, CaseState::Withdrawn);
        assert!(matches!(
            verification::decide(&store, &waiting, &vera.id, &Decision::Approve { note: None }, ONE_VERIFIER, UnixTime(22)).await,
            Err(DecideError::NotPending)
        ));

        let case_id = verification::submit(&store, &ada.id, UnixTime(23)).await.unwrap();
        verification::decide(&store, &case_id, &vera.id, &Decision::Approve { note: None }, ONE_VERIFIER, UnixTime(24)).await.unwrap();
        let saved = save(&store, &ada.id, "physician", &physician(), UnixTime(25)).await.unwrap();
        assert_eq!(saved.dropped(), Some(Status::Verified));
        let profile = find(&store, &ada.id, UnixTime(26)).await.unwrap().unwrap();
        assert_eq!((profile.status, profile.verified_at, profile.case_id), (Status::Validated, None, None));
    }

    async fn evidence_is_checked_by_content_and_kept_per_person(db: TestDatabase) {
        let store = db.migrated_store().await;
        let ada = user(&store, "ada@example.org").await;
        let otto = user(&store, "otto@example.org").await;
        assert!(matches!(evidence::add(&store, &ada.id, "a.pdf", PDF, UnixTime(1)).await, Err(EvidenceError::NoProfile)));
        save(&store, &ada.id, "physician", &physician(), UnixTime(2)).await.unwrap();
        assert!(matches!(evidence::add(&store, &ada.id, "a.pdf", b"", UnixTime(3)).await, Err(EvidenceError::Empty)));
        assert!(matches!(
            evidence::add(&store, &ada.id, "a.pdf", b"<html>not a pdf</html>", UnixTime(3)).await,
            Err(EvidenceError::UnsupportedType)
        ));
        let mut big = PDF.to_vec();
        big.resize(evidence::MAX_BYTES + 1, b' ');
        assert!(matches!(evidence::add(&store, &ada.id, "big.pdf", &big, UnixTime(3)).await, Err(EvidenceError::TooLarge)));
        big.truncate(evidence::MAX_BYTES);
        let largest = evidence::add(&store, &ada.id, "../../etc/\"big\".pdf", &big, UnixTime(4)).await.unwrap();
        assert_eq!((largest.file_name.as_str(), largest.media_type, largest.size), ("big.pdf", MediaType::Pdf, 10 * 1024 * 1024));
        let (meta, content) = evidence::content(&store, &ada.id, &largest.id).await.unwrap().unwrap();
        assert_eq!((meta.sha256.len(), content.len()), (64, big.len()));
        assert_eq!(content, big);
        assert!(evidence::content(&store, &otto.id, &largest.id).await.unwrap().is_none(), "not someone else's");
        for n in 1..evidence::MAX_FILES {
            evidence::add(&store, &ada.id, &format!("{n}.png"), PNG, UnixTime(5)).await.unwrap();
        }
        assert!(matches!(evidence::add(&store, &ada.id, "x.png", PNG, UnixTime(6)).await, Err(EvidenceError::TooMany)));
        save(&store, &otto.id, "nurse", &fields(&[("workplace", "Station 3")]), UnixTime(6)).await.unwrap();
        assert_eq!(evidence::remove(&store, &otto.id, &largest.id, UnixTime(7)).await.unwrap(), (false, false), "not his");
        assert_eq!(evidence::remove(&store, &ada.id, &largest.id, UnixTime(7)).await.unwrap(), (true, false));
        assert_eq!(evidence::list(&store, &ada.id).await.unwrap().len(), usize::try_from(evidence::MAX_FILES - 1).unwrap());
        // Removing the profile takes the files with it.
        assert!(remove(&store, &ada.id, UnixTime(8)).await.unwrap());
        assert!(evidence::list(&store, &ada.id).await.unwrap().is_empty());
        assert_eq!(status(&store, &ada, 9).await, None);
    }
}

#[test]
fn file_names_are_cleaned() {
    assert_eq!(evidence::clean_file_name("C:\\Users\\ada\\Approbation.pdf"), "Approbation.pdf");
    assert_eq!(evidence::clean_file_name("a\r\nb\".pdf"), "ab.pdf");
    assert_eq!(evidence::clean_file_name("  "), "evidence");
    assert_eq!(evidence::clean_file_name(&"x".repeat(500)).chars().count(), 120);
}

#[test]
fn content_tells_the_type() {
    assert_eq!(MediaType::sniff(PDF), Some(MediaType::Pdf));
    assert_eq!(MediaType::sniff(PNG), Some(MediaType::Png));
    assert_eq!(MediaType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(MediaType::Jpeg));
    assert_eq!(MediaType::sniff(b"GIF89a"), None);
    assert_eq!(MediaType::sniff(b"PK\x03\x04"), None);
}
