//! The professional profile and its verification:
//!
//! - `GET /account/profession` and its forms: save the profile, upload and
//!   remove documents (`evidence`), `submit`, `remove`; `GET
//!   /account/profession/evidence/{id}` serves the person's own document;
//! - `GET /verify` (the queue), `GET /verify/cases/{id}`, `POST
//!   /verify/cases/{id}/decide` and the case's documents, for platform
//!   verifiers only (`sanus admin grant EMAIL verifier`).
//!
//! Every step is audited; the person is mailed at each transition. The
//! rules live in `sanus_core::professions`.

use std::collections::BTreeMap;

use axum::body::{Body, Bytes};
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use sanus_core::UnixTime;
use sanus_core::audit::{self, EventKind};
use sanus_core::mail::{ProfessionMail, profession_mail};
use sanus_core::platform_roles::{Role, has_role};
use sanus_core::professions::evidence::{self, Evidence, EvidenceError};
use sanus_core::professions::verification::{
    self, CaseState, DecideError, Decision, Outcome, QueueFilter, SubmitError,
};
use sanus_core::professions::{self, Profile, ProfileError, SaveError, Status};
use sanus_core::users::{User, get_user};
use serde::Deserialize;

use super::account::SignedIn;
use super::audit_event;
use super::client_address::{Peer, client_address};
use super::forms::{Acting, Posted, failed, me_or, not_found, path_id};
use crate::oidc::authorize::see_other;
use crate::state::AppState;
use app::dto::{
    CaseRowView, CaseView, DecisionFailure, DecisionNotice, DecisionView, EvidenceView, ProfessionFailure,
    ProfessionNotice, ProfessionView, ProfileStatus, QueueView, SavedProfile,
};

const PAGE: &str = "/account/profession";
const QUEUE: &str = "/verify";
/// Cases per page of the queue.
const QUEUE_PAGE_SIZE: i64 = 25;
/// The largest body the profile form may have.
const FORM_LIMIT: usize = 64 * 1024;
/// The largest upload: a 10 MB file and the multipart framing around it.
pub const UPLOAD_LIMIT: usize = evidence::MAX_BYTES + 64 * 1024;

fn status_view(status: Status) -> ProfileStatus {
    match status {
        Status::Unverified => ProfileStatus::Unverified,
        Status::Validated => ProfileStatus::Validated,
        Status::Pending => ProfileStatus::Pending,
        Status::Verified => ProfileStatus::Verified,
        Status::Rejected => ProfileStatus::Rejected,
    }
}

fn evidence_view(file: Evidence, href: String) -> EvidenceView {
    EvidenceView {
        image: file.media_type.is_image(),
        id: file.id,
        file_name: file.file_name,
        media_type: file.media_type.as_str().to_string(),
        size: file.size,
        sha256: file.sha256,
        uploaded_at: file.uploaded_at.0,
        href,
    }
}

/// Mails `user` about their profile; a failure is logged, never shown
/// (the step itself is done).
async fn tell(state: &AppState, user: &User, step: ProfessionMail<'_>, now: UnixTime) {
    let link = format!("{}{PAGE}", state.settings.server.public_url.as_str());
    let mail = profession_mail(&user.locale, &user.email, step, &link);
    if let Err(error) = state.mailer.send(&state.store, &mail, now).await {
        tracing::error!(%error, "the professional profile mail was not sent");
    }
}

fn back(notice: ProfessionNotice) -> Response {
    see_other(&format!("{PAGE}?notice={}", notice.as_str()))
}

fn refused(failure: ProfessionFailure) -> Response {
    see_other(&format!("{PAGE}?error={}", failure.as_str()))
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    profession: Option<String>,
    notice: Option<String>,
    error: Option<String>,
}

/// What the page shows besides the form: the stored profile and its case.
async fn saved_view(state: &AppState, profile: &Profile) -> Result<SavedProfile, sanus_core::StoreError> {
    let checked = professions::check_profile(profile.profession.id, &profile.values).ok();
    let ids = |fields: Option<Vec<&professions::Field>>| {
        fields.unwrap_or_default().into_iter().map(|f| f.id.to_string()).collect::<Vec<_>>()
    };
    let latest = match profile.status {
        Status::Pending | Status::Rejected => verification::latest_case(&state.store, &profile.user_id).await?,
        _ => None,
    };
    Ok(SavedProfile {
        profession: profile.profession.id.to_string(),
        status: status_view(profile.status),
        missing: ids(checked.as_ref().map(|c| c.missing.clone())),
        missing_one_of: ids(checked.as_ref().map(|c| c.missing_one_of.clone())),
        verified_at: (profile.status == Status::Verified).then_some(profile.verified_at).flatten().map(|t| t.0),
        verified_until: (profile.status == Status::Verified).then_some(profile.verified_until).flatten().map(|t| t.0),
        submitted_at: latest.as_ref().filter(|c| c.state == CaseState::Pending).map(|c| c.submitted_at.0),
        rejection_reason: latest.filter(|c| c.state == CaseState::Rejected).and_then(|c| c.reason),
        can_submit: profile.awaits_submission(),
    })
}

/// A refused form: what was typed, and what is wrong at which field.
type Entered = (BTreeMap<String, String>, Vec<(String, professions::Problem)>);

/// The page's data: the profile (if any), the form's profession and values.
async fn page_view(
    state: &AppState,
    me: &SignedIn,
    chosen: Option<String>,
    entered: Option<Entered>,
    now: UnixTime,
) -> Result<ProfessionView, sanus_core::StoreError> {
    let profile = professions::find(&state.store, &me.user.id, now).await?;
    let saved = match &profile {
        Some(profile) => Some(saved_view(state, profile).await?),
        None => None,
    };
    let files = if profile.is_some() { evidence::list(&state.store, &me.user.id).await? } else { Vec::new() };
    let profession = chosen
        .filter(|id| professions::catalogue::profession(id).is_some())
        .or_else(|| profile.as_ref().map(|p| p.profession.id.to_string()));
    let (values, errors) = entered.unwrap_or_else(|| (profile.map(|p| p.values).unwrap_or_default(), Vec::new()));
    Ok(ProfessionView {
        profession,
        values,
        errors,
        saved,
        evidence: files
            .into_iter()
            .map(|f| {
                let href = format!("{PAGE}/evidence/{}", f.id);
                evidence_view(f, href)
            })
            .collect(),
        max_evidence_files: evidence::MAX_FILES,
        notice: None,
        failure: None,
    })
}

/// `GET /account/profession`.
pub async fn page(State(state): State<AppState>, Query(query): Query<PageQuery>, request: Request<Body>) -> Response {
    let now = state.clock.now();
    let headers = request.headers().clone();
    let me = match me_or(&state, &headers, PAGE, now).await {
        Ok(me) => me,
        Err(response) => return response,
    };
    let mut view = match page_view(&state, &me, query.profession, None, now).await {
        Ok(view) => view,
        Err(error) => return failed(&state, &headers, &error),
    };
    view.notice = query.notice.as_deref().and_then(ProfessionNotice::parse);
    view.failure = query.error.as_deref().and_then(ProfessionFailure::parse);
    super::ui::render_loaded(&state, request, app::LoadedProfession(view), None).await
}

/// `POST /account/profession`: checks every field; a refused form comes
/// back with the input and a message at each wrong field (422, as every
/// refused form of the pages).
pub async fn save(State(state): State<AppState>, peer: Peer, request: Request<Body>) -> Response {
    let now = state.clock.now();
    let (parts, body) = request.into_parts();
    let headers = parts.headers.clone();
    let me = match me_or(&state, &headers, PAGE, now).await {
        Ok(me) => me,
        Err(response) => return response,
    };
    let Ok(body) = axum::body::to_bytes(body, FORM_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.").into_response();
    };
    let form = Posted::parse(&body);
    let profession = form.one("profession").to_string();
    let entered: BTreeMap<String, String> = professions::FIELDS
        .iter()
        .map(|f| (f.id.to_string(), form.one(f.id).to_string()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let saved = match professions::save(&state.store, &me.user.id, &profession, &entered, now).await {
        Ok(saved) => saved,
        Err(SaveError::Invalid(ProfileError::UnknownProfession)) => return see_other(PAGE),
        Err(SaveError::Invalid(ProfileError::Fields(errors))) => {
            let view = match page_view(&state, &me, Some(profession), Some((entered, errors)), now).await {
                Ok(view) => view,
                Err(error) => return failed(&state, &headers, &error),
            };
            let request = Request::from_parts(parts, Body::empty());
            return super::ui::render_loaded_as(
                &state,
                request,
                app::LoadedProfession(view),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(SaveError::Store(error)) => return failed(&state, &headers, &error),
    };
    if !saved.changed {
        return back(ProfessionNotice::Unchanged);
    }
    let acting = Acting { state: &state, headers: &headers, peer: &peer, user: &me.user.id, now };
    let detail = serde_json::json!({
        "profession": saved.profile.profession.id,
        "status": saved.profile.status.as_str(),
        "dropped": saved.dropped().map(Status::as_str),
    });
    if let Err(response) = acting.record_personal(EventKind::ProfessionalProfileChanged, detail).await {
        return response;
    }
    if saved.dropped().is_some() {
        tell(&state, &me.user, ProfessionMail::Dropped, now).await;
        return back(ProfessionNotice::VerificationDropped);
    }
    back(ProfessionNotice::Saved)
}

/// `POST /account/profession/evidence` (multipart, field `file`).
pub async fn upload(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let now = state.clock.now();
    let me = match me_or(&state, &headers, PAGE, now).await {
        Ok(me) => me,
        Err(response) => return response,
    };
    let Ok(mut multipart) = multipart else { return refused(ProfessionFailure::EvidenceEmpty) };
    let mut file = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or_default().to_string();
                match field.bytes().await {
                    Ok(bytes) => file = Some((name, bytes)),
                    // Past the body limit: the file is too large.
                    Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        return refused(ProfessionFailure::EvidenceTooLarge);
                    }
                    Err(_) => return refused(ProfessionFailure::EvidenceEmpty),
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return refused(ProfessionFailure::EvidenceTooLarge);
            }
            Err(_) => return refused(ProfessionFailure::EvidenceEmpty),
        }
    }
    let (name, bytes) = file.unwrap_or_else(|| (String::new(), Bytes::new()));
    let stored = match evidence::add(&state.store, &me.user.id, &name, &bytes, now).await {
        Ok(stored) => stored,
        Err(error) => return evidence_refused(&state, &headers, error),
    };
    let acting = Acting { state: &state, headers: &headers, peer: &peer, user: &me.user.id, now };
    let detail = serde_json::json!({
        "change": "added", "evidence": stored.id, "media_type": stored.media_type.as_str(),
        "size": stored.size, "sha256": stored.sha256,
    });
    match acting.record_personal(EventKind::EvidenceChanged, detail).await {
        Ok(()) => back(ProfessionNotice::EvidenceAdded),
        Err(response) => response,
    }
}

fn evidence_refused(state: &AppState, headers: &HeaderMap, error: EvidenceError) -> Response {
    refused(match error {
        EvidenceError::Empty => ProfessionFailure::EvidenceEmpty,
        EvidenceError::TooLarge => ProfessionFailure::EvidenceTooLarge,
        EvidenceError::UnsupportedType => ProfessionFailure::EvidenceType,
        EvidenceError::TooMany => ProfessionFailure::EvidenceTooMany,
        EvidenceError::NoProfile => ProfessionFailure::NoProfile,
        EvidenceError::Locked => ProfessionFailure::EvidenceLocked,
        EvidenceError::Store(error) => return failed(state, headers, &error),
    })
}

/// A document as a download (PDF) or for display (images), never cached,
/// never sniffed, never run.
fn serve(file: &Evidence, content: Vec<u8>) -> Response {
    let disposition = if file.media_type.is_image() { "inline" } else { "attachment" };
    let encoded: String = url::form_urlencoded::byte_serialize(file.file_name.as_bytes()).collect();
    let ascii: String =
        file.file_name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_ ".contains(c) { c } else { '_' }).collect();
    let mut response = (StatusCode::OK, content).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(file.media_type.as_str()));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{}",
        encoded.replace('+', "%20")
    )) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// `GET /account/profession/evidence/{id}`: one's own document; anyone
/// else's answers 404.
pub async fn own_evidence(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let now = state.clock.now();
    let Some(id) = path_id(&id) else { return not_found(&state, &headers) };
    let me = match me_or(&state, &headers, &format!("{PAGE}/evidence/{id}"), now).await {
        Ok(me) => me,
        Err(response) => return response,
    };
    match evidence::content(&state.store, &me.user.id, &id).await {
        Ok(Some((file, content))) => serve(&file, content),
        Ok(None) => not_found(&state, &headers),
        Err(error) => failed(&state, &headers, &error),
    }
}

/// `POST /account/profession/evidence/{id}/remove`.
pub async fn remove_evidence(
    State(state): State<AppState>,
    peer: Peer,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let now = state.clock.now();
    let me = match me_or(&state, &headers, PAGE, now).await {
        Ok(me) => me,
        Err(response) => return response,
    };
    let Some(id) = path_id(&id) else { return not_found(&state, &headers) };
    let dropped = match evidence::remove(&state.store, &me.user.id, &id, now).await {
        Ok((true, dropped)) => dropped,
        Ok((false, _)) => return not_found(&state, &headers),
        Err(error) => return evidence_refused(&state, &headers, error),
    };
    let acting = Acting { state: &state, headers: &headers, peer: &peer, user: &me.user.id, now };
    let detail = serde_json::json!({ "change": "removed", "evidence": id, "verification_dropped": dropped });
    if let Err(response) = acting.record_personal(EventKind::EvidenceChanged, detail).await {
        return response;
    }
    if dropped {
        tell(&state, &me.user, ProfessionMail::Dropped, now).await;
        return back(ProfessionNotice::VerificationDropped);
    }
    back(ProfessionNotice::EvidenceRemoved)
}

/// `POST /account/profession/submit`.
pub async fn submit(State(state): State<AppState>, peer: Peer, headers: HeaderMap) -> Response {
    let now = state.clock.now();
    let me = match me_or(&state, &headers, PAGE, now).await {
        Ok(me) => me,
        Err(response) => return response,
    };
    let case_id = match verification::submit(&state.store, &me.user.id, now).await {
        Ok(case_id) => case_id,
        Err(error) => {
            return refused(match error {
                SubmitError::NoProfile => ProfessionFailure::NoProfile,
                SubmitError::Incomplete => ProfessionFailure::Incomplete,
                SubmitError::NoEvidence => ProfessionFailure::NoEvidence,
                SubmitError::AlreadyPending => ProfessionFailure::AlreadyPending,
                SubmitError::AlreadyVerified => ProfessionFailure::AlreadyVerified,
                SubmitError::Store(error) => return failed(&state, &headers, &error),
            });
        }
    };
    let acting = Acting { state: &state, headers: &headers, peer: &peer, user: &me.user.id, now };
    if let Err(response) =
        acting.record_personal(EventKind::VerificationSubmitted, serde_json::json!({ "case": case_id })).await
    {
        return response;
    }
    tell(&state, &me.user, ProfessionMail::Submitted, now).await;
    back(ProfessionNotice::Submitted)
}

/// `POST /account/profession/withdraw`: the submission taken back.
pub async fn withdraw(State(state): State<AppState>, peer: Peer, headers: HeaderMap) -> Response {
    let now = state.clock.now();
    let me = match me_or(&state, &headers, PAGE, now).await {
        Ok(me) => me,
        Err(response) => return response,
    };
    match verification::withdraw_submission(&state.store, &me.user.id, now).await {
        Ok(true) => {}
        Ok(false) => return see_other(PAGE),
        Err(error) => return failed(&state, &headers, &error),
    }
    let acting = Acting { state: &state, headers: &headers, peer: &peer, user: &me.user.id, now };
    match acting.record_personal(EventKind::VerificationWithdrawn, serde_json::json!({})).await {
        Ok(()) => back(ProfessionNotice::Withdrawn),
        Err(response) => response,
    }
}

/// `POST /account/profession/remove` (with `confirm=yes`).
pub async fn remove(State(state): State<AppState>, peer: Peer, headers: HeaderMap, body: Bytes) -> Response {
    let now = state.clock.now();
    let me = match me_or(&state, &headers, PAGE, now).await {
        Ok(me) => me,
        Err(response) => return response,
    };
    if Posted::parse(&body).one("confirm") != "yes" {
        return refused(ProfessionFailure::ConfirmRemoval);
    }
    match professions::remove(&state.store, &me.user.id, now).await {
        Ok(true) => {}
        Ok(false) => return refused(ProfessionFailure::NoProfile),
        Err(error) => return failed(&state, &headers, &error),
    }
    let acting = Acting { state: &state, headers: &headers, peer: &peer, user: &me.user.id, now };
    match acting.record_personal(EventKind::ProfessionalProfileRemoved, serde_json::json!({})).await {
        Ok(()) => back(ProfessionNotice::Removed),
        Err(response) => response,
    }
}

/// `POST /account/apps/{client_id}/profile-fields`: which of the fields
/// decided for this app it receives (`share`, once per field). Only fields
/// already offered on a consent screen can be changed here.
pub async fn sharing(
    State(state): State<AppState>,
    peer: Peer,
    Path(client_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = state.clock.now();
    let me = match me_or(&state, &headers, "/account", now).await {
        Ok(me) => me,
        Err(response) => return response,
    };
    let user = me.user.id.as_str();
    let decided = match sanus_core::consents::profile_fields(&state.store, user, &client_id).await {
        Ok(decided) if !decided.is_empty() => decided,
        Ok(_) => return not_found(&state, &headers),
        Err(error) => return failed(&state, &headers, &error),
    };
    let shared = Posted::parse(&body).all("share");
    let decisions: BTreeMap<String, bool> =
        decided.into_keys().map(|field| (field.clone(), shared.contains(&field))).collect();
    match sanus_core::consents::decide_profile_fields(&state.store, user, &client_id, &decisions, now).await {
        Ok(true) => {}
        Ok(false) => return not_found(&state, &headers),
        Err(error) => return failed(&state, &headers, &error),
    }
    let address = client_address(&headers, &peer, &state.settings.server);
    let mut event = audit_event(EventKind::ProfileSharingChanged, &headers, address);
    event.user_id = Some(&me.user.id);
    event.client_id = Some(&client_id);
    event.detail = serde_json::json!({ "fields": decisions });
    if let Err(error) = state.audit(&event, now).await {
        return failed(&state, &headers, &error);
    }
    see_other(&format!("/account?notice={}", app::dto::AccountNotice::SharingSaved.as_str()))
}

/// The signed-in verifier, or the answer: sign-in, or 404 for everyone
/// else (the verifiers' pages do not exist for them).
async fn verifier_or(state: &AppState, headers: &HeaderMap, here: &str, now: UnixTime) -> Result<SignedIn, Response> {
    let me = me_or(state, headers, here, now).await?;
    match has_role(&state.store, &me.user.id, Role::Verifier).await {
        Ok(true) => Ok(me),
        Ok(false) => Err(not_found(state, headers)),
        Err(error) => Err(failed(state, headers, &error)),
    }
}

/// The signed-in verifier, the case of the path, and exactly the documents
/// submitted with it; or the answer (sign-in, 404, the error page).
async fn verifier_case(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    now: UnixTime,
) -> Result<(SignedIn, verification::Case, Vec<verification::CaseDocument>), Response> {
    let Some(id) = path_id(id) else { return Err(not_found(state, headers)) };
    let me = verifier_or(state, headers, &format!("{QUEUE}/cases/{id}"), now).await?;
    let case = match verification::case(&state.store, &id).await {
        Ok(Some(case)) => case,
        Ok(None) => return Err(not_found(state, headers)),
        Err(error) => return Err(failed(state, headers, &error)),
    };
    match verification::case_documents(&state.store, &case.id).await {
        Ok(documents) => Ok((me, case, documents)),
        Err(error) => Err(failed(state, headers, &error)),
    }
}

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    state: Option<String>,
    profession: Option<String>,
    email: Option<String>,
    page: Option<String>,
}

/// `GET /verify`: the queue; waiting cases unless another state is asked for.
pub async fn queue(State(state): State<AppState>, Query(query): Query<QueueQuery>, request: Request<Body>) -> Response {
    let now = state.clock.now();
    let headers = request.headers().clone();
    if let Err(response) = verifier_or(&state, &headers, QUEUE, now).await {
        return response;
    }
    let case_state = match query.state.as_deref() {
        None => Some(CaseState::Pending),
        Some("any") => None,
        Some(value) => Some(CaseState::parse(value).unwrap_or(CaseState::Pending)),
    };
    let profession = query.profession.filter(|p| professions::catalogue::profession(p).is_some());
    let email = query.email.map(|e| e.trim().chars().take(100).collect::<String>()).filter(|e| !e.is_empty());
    let page = query.page.and_then(|p| p.parse::<u32>().ok()).unwrap_or(1).clamp(1, 10_000);
    let filter = QueueFilter { state: case_state, profession: profession.clone(), email: email.clone() };
    let offset = i64::from(page - 1) * QUEUE_PAGE_SIZE;
    let mut cases = match verification::queue(&state.store, &filter, QUEUE_PAGE_SIZE + 1, offset).await {
        Ok(cases) => cases,
        Err(error) => return failed(&state, &headers, &error),
    };
    let has_next = cases.len() > usize::try_from(QUEUE_PAGE_SIZE).unwrap_or(usize::MAX);
    cases.truncate(usize::try_from(QUEUE_PAGE_SIZE).unwrap_or(usize::MAX));
    let view = QueueView {
        cases: cases
            .into_iter()
            .map(|c| CaseRowView {
                id: c.id,
                email: c.email,
                profession: c.profession,
                state: c.state.as_str().to_string(),
                submitted_at: c.submitted_at.0,
                approvals: c.approvals,
            })
            .collect(),
        state: case_state.map(CaseState::as_str).unwrap_or_default().to_string(),
        profession: profession.unwrap_or_default(),
        email: email.unwrap_or_default(),
        page,
        has_next,
        four_eyes: state.settings.professions.four_eyes,
    };
    super::ui::render_loaded(&state, request, app::LoadedQueue(view), None).await
}

#[derive(Deserialize, Default)]
pub struct CaseQuery {
    notice: Option<String>,
    error: Option<String>,
}

/// `GET /verify/cases/{id}`.
pub async fn case_page(
    State(state): State<AppState>,
    peer: Peer,
    Path(id): Path<String>,
    Query(query): Query<CaseQuery>,
    request: Request<Body>,
) -> Response {
    let now = state.clock.now();
    let headers = request.headers().clone();
    let (me, case, documents) = match verifier_case(&state, &headers, &id, now).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let files = match evidence::list(&state.store, &case.user_id).await {
        Ok(files) => files,
        Err(error) => return failed(&state, &headers, &error),
    };
    let acting = Acting { state: &state, headers: &headers, peer: &peer, user: &me.user.id, now };
    let detail = serde_json::json!({ "case": case.id, "subject": case.user_id.as_str() });
    if let Err(response) = acting.record_personal(EventKind::VerificationCaseViewed, detail).await {
        return response;
    }
    let decided_by: Vec<&str> = case.decisions.iter().map(|d| d.verifier_id.as_str()).collect();
    let cannot_decide =
        verification::blocked(case.state == CaseState::Pending, &case.user_id, &decided_by, &me.user.id)
            .and_then(|refused| decision_failure(&refused));
    let current_name = case.current_name();
    let (name_at_submission, renamed) = (case.submitted_name.is_some(), case.renamed_since_submission());
    let name = case.submitted_name.as_ref().map_or_else(|| current_name.clone(), verification::SubmittedName::display);
    let view = CaseView {
        evidence: documents
            .into_iter()
            .map(|document| match files.iter().find(|f| f.id == document.evidence_id && f.sha256 == document.sha256) {
                Some(file) => {
                    let href = format!("{QUEUE}/cases/{}/evidence/{}", case.id, file.id);
                    evidence_view(file.clone(), href)
                }
                // Removed by the person since: what it was stays on record.
                None => EvidenceView {
                    id: document.evidence_id,
                    file_name: document.file_name,
                    media_type: String::new(),
                    size: 0,
                    sha256: document.sha256,
                    uploaded_at: 0,
                    href: String::new(),
                    image: false,
                },
            })
            .collect(),
        id: case.id,
        email: case.email,
        name,
        name_at_submission,
        renamed,
        current_name,
        profession: case.profession,
        values: case.values,
        state: case.state.as_str().to_string(),
        submitted_at: case.submitted_at.0,
        decisions: case
            .decisions
            .into_iter()
            .map(|d| DecisionView { verifier: d.verifier_email, approved: d.approved, reason: d.reason, at: d.at.0 })
            .collect(),
        four_eyes: state.settings.professions.four_eyes,
        cannot_decide,
        notice: query.notice.as_deref().and_then(DecisionNotice::parse),
        failure: query.error.as_deref().and_then(DecisionFailure::parse),
    };
    super::ui::render_loaded(&state, request, app::LoadedCase(view), None).await
}

/// What the case page says of a refused decision (`None`: nothing to say).
fn decision_failure(error: &DecideError) -> Option<DecisionFailure> {
    Some(match error {
        DecideError::NotPending => DecisionFailure::NotPending,
        DecideError::OwnProfile => DecisionFailure::OwnProfile,
        DecideError::AlreadyApproved => DecisionFailure::AlreadyApproved,
        DecideError::ReasonMissing => DecisionFailure::ReasonMissing,
        DecideError::ReasonTooLong => DecisionFailure::ReasonTooLong,
        DecideError::NotFound | DecideError::Store(_) => return None,
    })
}

/// `POST /verify/cases/{id}/decide`: `decision` (approve or reject) and
/// `reason` (required to reject).
pub async fn decide(
    State(state): State<AppState>,
    peer: Peer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = state.clock.now();
    let Some(id) = path_id(&id) else { return not_found(&state, &headers) };
    let here = format!("{QUEUE}/cases/{id}");
    let me = match verifier_or(&state, &headers, &here, now).await {
        Ok(me) => me,
        Err(response) => return response,
    };
    let form = Posted::parse(&body);
    let reason = form.one("reason").to_string();
    let decision = match form.one("decision") {
        "approve" => Decision::Approve { note: Some(reason.clone()) },
        "reject" => Decision::Reject { reason: reason.clone() },
        _ => return see_other(&here),
    };
    let policy = state.settings.professions.policy();
    let decided = match verification::decide(&state.store, &id, &me.user.id, &decision, policy, now).await {
        Ok(decided) => decided,
        Err(error) => {
            let failure = match error {
                DecideError::NotFound => return not_found(&state, &headers),
                DecideError::Store(error) => return failed(&state, &headers, &error),
                refused => decision_failure(&refused),
            };
            return failure.map_or_else(|| see_other(&here), |f| see_other(&format!("{here}?error={}", f.as_str())));
        }
    };
    let (kind, outcome, notice) = match decided.outcome {
        Outcome::Verified { .. } => (EventKind::VerificationApproved, "verified", DecisionNotice::Verified),
        Outcome::AwaitingSecondApproval => {
            (EventKind::VerificationApproved, "first_approval", DecisionNotice::FirstApproval)
        }
        Outcome::Rejected => (EventKind::VerificationRejected, "rejected", DecisionNotice::Rejected),
    };
    // The decision stands (committed): tell the person first, then record.
    let step = match decided.outcome {
        Outcome::Verified { .. } => Some(ProfessionMail::Verified),
        Outcome::Rejected => Some(ProfessionMail::Rejected { reason: reason.trim() }),
        Outcome::AwaitingSecondApproval => None,
    };
    if let Some(step) = step {
        match get_user(&state.store, &decided.subject).await {
            Ok(subject) => tell(&state, &subject, step, now).await,
            Err(error) => tracing::error!(%error, "the person of a decided case was not found"),
        }
    }
    let acting = Acting { state: &state, headers: &headers, peer: &peer, user: &me.user.id, now };
    let detail = serde_json::json!({
        "case": id, "subject": decided.subject.as_str(), "outcome": outcome,
        "reason": (!reason.trim().is_empty()).then(|| reason.trim()),
    });
    if let Err(response) = acting.record_personal(kind, detail).await {
        return response;
    }
    see_other(&format!("{here}?notice={}", notice.as_str()))
}

/// `GET /verify/cases/{id}/evidence/{file}`: a document of the case's
/// person, for verifiers; each opening is audited.
pub async fn case_evidence(
    State(state): State<AppState>,
    peer: Peer,
    Path((id, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let now = state.clock.now();
    let Some(file) = path_id(&file) else { return not_found(&state, &headers) };
    let (me, case, submitted) = match verifier_case(&state, &headers, &id, now).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let (meta, content) = match evidence::content(&state.store, &case.user_id, &file).await {
        // Only a document submitted with this case, unchanged.
        Ok(Some(found)) if submitted.iter().any(|d| d.evidence_id == found.0.id && d.sha256 == found.0.sha256) => found,
        Ok(_) => return not_found(&state, &headers),
        Err(error) => return failed(&state, &headers, &error),
    };
    let acting = Acting { state: &state, headers: &headers, peer: &peer, user: &me.user.id, now };
    let detail = serde_json::json!({ "case": id, "subject": case.user_id.as_str(), "evidence": meta.id });
    if let Err(response) = acting.record_personal(EventKind::EvidenceViewed, detail).await {
        return response;
    }
    serve(&meta, content)
}

/// Ends the verifications that ran out, mails each person and audits it.
pub async fn expire_verifications(state: &AppState) {
    let now = state.clock.now();
    let expired = match professions::expire_due(&state.store, now).await {
        Ok(expired) => expired,
        Err(error) => {
            tracing::error!(%error, "expiring verifications failed");
            return;
        }
    };
    for user_id in expired {
        let mut event = audit::Event::new(EventKind::VerificationExpired);
        event.user_id = Some(&user_id);
        if let Err(error) = state.audit(&event, now).await {
            tracing::error!(%error, "the expiry of a verification was not audited");
        }
        if let Ok(user) = get_user(&state.store, &user_id).await {
            tell(state, &user, ProfessionMail::Expired, now).await;
        }
    }
}
