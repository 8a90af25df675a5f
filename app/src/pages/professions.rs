//! The professional profile (`/account/profession`) and the verifiers'
//! pages (`/verify`, `/verify/cases/{id}`). Every form is a plain form the
//! server answers, so all of it works without JavaScript; with it, each
//! registry number is checked as it is typed, by the same rules the server
//! runs (the `sanus-professions` crate, compiled into the wasm).

use leptos::prelude::*;
use sanus_professions::catalogue::{self, Field, Kind, PROFESSIONS, Profession};

use super::style::{ALERT, CARD, FIELD_ERROR, INPUT, LABEL, LINK, PRIMARY, SECONDARY, STATUS};
use crate::dto::{
    CaseRowView, CaseView, DecisionFailure, DecisionNotice, EvidenceView, ProfessionFailure, ProfessionNotice,
    ProfessionView, ProfileStatus, QueueView, SavedProfile,
};
use crate::i18n::format_time;
use crate::i18n::{Locale, ProfTexts, note_text, page_title, problem_text, tr, use_i18n};

const SECTION_HEADING: &str = "text-lg font-semibold text-slate-900";
const HELP: &str = "mt-1 text-sm text-slate-600";
const CHECK_OK: &str = "mt-1 text-sm text-teal-800";

/// The profile page's data, prepared by the server before rendering.
#[derive(Clone, Debug)]
pub struct LoadedProfession(pub ProfessionView);

/// The queue, as the server loaded it for a verifier.
#[derive(Clone, Debug)]
pub struct LoadedQueue(pub QueueView);

/// One case, as the server loaded it for a verifier.
#[derive(Clone, Debug)]
pub struct LoadedCase(pub CaseView);

fn prof(locale: Locale) -> &'static ProfTexts {
    locale.texts().prof
}

fn label_of(id: &str, locale: Locale) -> String {
    catalogue::field(id).map_or_else(|| id.to_string(), |f| f.label.get(locale == Locale::De).to_string())
}

fn profession_label(id: &str, locale: Locale) -> String {
    catalogue::profession(id).map_or_else(|| id.to_string(), |p| p.label.get(locale == Locale::De).to_string())
}

/// "LANR or EFN", "chamber, workplace": field labels joined.
fn joined(ids: &[String], separator: &str, locale: Locale) -> String {
    ids.iter().map(|id| label_of(id, locale)).collect::<Vec<_>>().join(separator)
}

fn status_text(status: ProfileStatus, t: &ProfTexts) -> &'static str {
    match status {
        ProfileStatus::Unverified => t.status_unverified,
        ProfileStatus::Validated => t.status_validated,
        ProfileStatus::Pending => t.status_pending,
        ProfileStatus::Verified => t.status_verified,
        ProfileStatus::Rejected => t.status_rejected,
    }
}

fn notice_text(notice: ProfessionNotice, t: &ProfTexts) -> &'static str {
    match notice {
        ProfessionNotice::Saved => t.notice_saved,
        ProfessionNotice::Unchanged => t.notice_unchanged,
        ProfessionNotice::VerificationDropped => t.notice_dropped,
        ProfessionNotice::EvidenceAdded => t.notice_evidence_added,
        ProfessionNotice::EvidenceRemoved => t.notice_evidence_removed,
        ProfessionNotice::Submitted => t.notice_submitted,
        ProfessionNotice::Withdrawn => t.notice_withdrawn,
        ProfessionNotice::Removed => t.notice_removed,
    }
}

fn failure_text(failure: ProfessionFailure, t: &ProfTexts) -> &'static str {
    match failure {
        ProfessionFailure::EvidenceEmpty => t.error_evidence_empty,
        ProfessionFailure::EvidenceTooLarge => t.error_evidence_too_large,
        ProfessionFailure::EvidenceType => t.error_evidence_type,
        ProfessionFailure::EvidenceTooMany => t.error_evidence_too_many,
        ProfessionFailure::EvidenceLocked => t.error_evidence_locked,
        ProfessionFailure::NoProfile => t.error_no_profile,
        ProfessionFailure::Incomplete => t.error_incomplete,
        ProfessionFailure::NoEvidence => t.error_no_evidence,
        ProfessionFailure::AlreadyPending => t.error_already_pending,
        ProfessionFailure::AlreadyVerified => t.error_already_verified,
        ProfessionFailure::ConfirmRemoval => t.error_confirm_removal,
    }
}

/// `/account/profession`: declare a profession, fill in its fields, add
/// documents, submit for verification.
#[component]
pub fn ProfessionPage() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = SharedValue::new(|| use_context::<LoadedProfession>().map(|loaded| loaded.0));
    let Some(view) = loaded.into_inner() else {
        return view! { <p><a href="/account/profession" rel="external">{tr(|t| t.prof.heading)}</a></p> }.into_any();
    };
    let banner = view
        .notice
        .map(|notice| {
            view! { <p id="profession-notice" role="status" class=STATUS>{move || notice_text(notice, i18n.t().prof)}</p> }
                .into_any()
        })
        .or_else(|| {
            view.failure.map(|failure| {
                view! { <p id="profession-error" role="alert" class=ALERT>{move || failure_text(failure, i18n.t().prof)}</p> }
                    .into_any()
            })
        });
    let profession = view.profession.as_deref().and_then(catalogue::profession);
    view! {
        {page_title(|t| t.prof.title)}
        <div class="mx-auto max-w-2xl space-y-6">
            <header>
                <p><a href="/account" rel="external" class=LINK>{tr(|t| t.account_heading)}</a></p>
                <h1 class="mt-2 text-2xl font-bold text-slate-900">{tr(|t| t.prof.heading)}</h1>
                <p class="mt-2 text-slate-700">{tr(|t| t.prof.lead)}</p>
            </header>
            {banner}
            {status_section(view.saved.clone())}
            {chooser(view.profession.clone())}
            {profession.map(|profession| profile_form(&view, profession))}
            {view.saved.as_ref().map(|saved| {
                evidence_section(&view.evidence, view.max_evidence_files, saved.status == ProfileStatus::Pending, view.failure)
            })}
            {view.saved.as_ref().filter(|s| s.can_submit).map(|_| submit_section())}
            {view.saved.is_some().then(remove_section)}
        </div>
    }
    .into_any()
}

fn status_section(saved: Option<SavedProfile>) -> impl IntoView {
    let i18n = use_i18n();
    let Some(saved) = saved else {
        return view! {
            <section aria-labelledby="status-heading" class=CARD>
                <h2 id="status-heading" class=SECTION_HEADING>{tr(|t| t.prof.status_label)}</h2>
                <p class="mt-2 text-slate-700">{tr(|t| t.prof.explain_none)}</p>
            </section>
        }
        .into_any();
    };
    let status = saved.status;
    let badge_class = match status {
        ProfileStatus::Verified => "rounded bg-teal-100 px-2 py-0.5 text-sm font-semibold text-teal-900",
        ProfileStatus::Rejected => "rounded bg-red-100 px-2 py-0.5 text-sm font-semibold text-red-900",
        ProfileStatus::Pending => "rounded bg-amber-100 px-2 py-0.5 text-sm font-semibold text-amber-900",
        _ => "rounded bg-slate-100 px-2 py-0.5 text-sm font-semibold text-slate-800",
    };
    let explain = move || {
        let locale = i18n.locale.get();
        let t = prof(locale);
        match status {
            ProfileStatus::Unverified => {
                let mut parts = Vec::new();
                if !saved.missing.is_empty() {
                    parts.push(t.explain_unverified.replace("{fields}", &joined(&saved.missing, ", ", locale)));
                }
                if !saved.missing_one_of.is_empty() {
                    let or = format!(" {} ", t.or);
                    parts.push(t.explain_one_of.replace("{fields}", &joined(&saved.missing_one_of, &or, locale)));
                }
                parts.join(" ")
            }
            ProfileStatus::Validated => t.explain_validated.to_string(),
            ProfileStatus::Pending => t
                .explain_pending
                .replace("{date}", &saved.submitted_at.map(|at| format_time(at, locale)).unwrap_or_default()),
            ProfileStatus::Verified => t
                .explain_verified
                .replace("{date}", &saved.verified_at.map(|at| format_time(at, locale)).unwrap_or_default())
                .replace("{until}", &saved.verified_until.map(|at| format_time(at, locale)).unwrap_or_default()),
            ProfileStatus::Rejected => t.explain_rejected.to_string(),
        }
    };
    let reason = saved.rejection_reason.clone().filter(|_| status == ProfileStatus::Rejected);
    view! {
        <section aria-labelledby="status-heading" class=CARD>
            <h2 id="status-heading" class=SECTION_HEADING>
                {tr(|t| t.prof.status_label)}": "
                <span id="profession-status" class=badge_class>{move || status_text(status, i18n.t().prof)}</span>
            </h2>
            <p class="mt-2 text-slate-700">{explain}</p>
            {reason.map(|reason| view! {
                <blockquote id="rejection-reason" class="mt-2 border-l-4 border-red-300 pl-3 text-slate-800">{reason}</blockquote>
            })}
            {(status == ProfileStatus::Pending).then(|| view! {
                <form method="post" action="/account/profession/withdraw" class="mt-4">
                    <button type="submit" class=SECONDARY>{tr(|t| t.prof.withdraw)}</button>
                </form>
            })}
        </section>
    }
    .into_any()
}

fn chooser(chosen: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let options = PROFESSIONS
        .iter()
        .map(|p| {
            let selected = chosen.as_deref() == Some(p.id);
            view! { <option value=p.id selected=selected>{move || p.label.get(i18n.locale.get() == Locale::De)}</option> }
        })
        .collect_view();
    view! {
        <section aria-labelledby="choose-heading" class=CARD>
            <h2 id="choose-heading" class=SECTION_HEADING>{tr(|t| t.prof.profession_label)}</h2>
            <form method="get" action="/account/profession" class="mt-4 flex flex-wrap items-end gap-3">
                <div class="grow">
                    <label for="profession" class=LABEL>{tr(|t| t.prof.profession_choose)}</label>
                    <select id="profession" name="profession" class=INPUT required=true>
                        {chosen.is_none().then(|| view! { <option value="">{tr(|t| t.prof.choose_option)}</option> })}
                        {options}
                    </select>
                </div>
                <button type="submit" class=SECONDARY>{tr(|t| t.prof.profession_show)}</button>
            </form>
        </section>
    }
}

fn profile_form(view: &ProfessionView, profession: &'static Profession) -> impl IntoView {
    let i18n = use_i18n();
    let drops =
        view.saved.as_ref().is_some_and(|s| matches!(s.status, ProfileStatus::Pending | ProfileStatus::Verified));
    let summary = (!view.errors.is_empty()).then(|| {
        view! { <p id="profile-errors" role="alert" class=ALERT>{tr(|t| t.prof.form_has_errors)}</p> }
    });
    let fields = profession
        .fields
        .iter()
        .map(|field| {
            let value = view.values.get(field.id).cloned().unwrap_or_default();
            let error = view.errors.iter().find(|(id, _)| id == field.id).map(|(_, problem)| *problem);
            let optional = !profession.required.iter().chain(profession.one_of).any(|f| f.id == field.id);
            view! { <ProfileField field=*field value=value error=error optional=optional /> }
        })
        .collect_view();
    view! {
        <section aria-labelledby="fields-heading" class=CARD>
            <h2 id="fields-heading" class=SECTION_HEADING>
                {tr(|t| t.prof.fields_heading)}": "{move || profession.label.get(i18n.locale.get() == Locale::De)}
            </h2>
            <form method="post" action="/account/profession" class="mt-4 space-y-5" novalidate=true>
                {summary}
                <input type="hidden" name="profession" value=profession.id />
                {fields}
                {drops.then(|| view! { <p class="text-sm text-amber-900">{tr(|t| t.prof.save_drops)}</p> })}
                <button type="submit" class=PRIMARY>{tr(|t| t.prof.save)}</button>
            </form>
        </section>
    }
}

/// One field of the profile: its label, what it is, the input, and what
/// is wrong with it. With JavaScript, the message follows the typing.
#[component]
fn ProfileField(
    field: &'static Field,
    value: String,
    error: Option<sanus_professions::Problem>,
    optional: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let german = move || i18n.locale.get() == Locale::De;
    let input_id = format!("field-{}", field.id);
    let help_id = format!("help-{}", field.id);
    let check_id = format!("check-{}", field.id);
    let described = format!("{help_id} {check_id}");
    // `None` until the person types: then the live check replaces the server's word.
    let typed: RwSignal<Option<String>> = RwSignal::new(None);
    let message = move || {
        let locale = i18n.locale.get();
        match typed.get() {
            None => error.map(|problem| (false, problem_text(locale, problem))),
            Some(text) if text.trim().is_empty() => None,
            Some(text) => Some(match field.kind.check(&text) {
                Ok(accepted) if field.kind.is_number() => {
                    let note = accepted.note.map(|note| note_text(locale, note));
                    (true, note.unwrap_or_else(|| prof(locale).check_ok.to_string()))
                }
                Ok(_) => return None,
                Err(problem) => (false, problem_text(locale, problem)),
            }),
        }
    };
    let invalid = move || message().is_some_and(|(ok, _)| !ok).then_some("true");
    let on_input = move |ev: leptos::ev::Event| typed.set(Some(event_target_value(&ev)));
    let control = match field.kind {
        Kind::Choice(options) => {
            let options = options
                .iter()
                .map(|(code, label)| {
                    let selected = value == *code;
                    view! { <option value=*code selected=selected>{move || label.get(german())}</option> }
                })
                .collect_view();
            view! {
                <select id=input_id.clone() name=field.id class=INPUT aria-describedby=described.clone()
                    aria-invalid=invalid on:change=on_input>
                    <option value="">{tr(|t| t.prof.choose_option)}</option>
                    {options}
                </select>
            }
            .into_any()
        }
        kind => {
            let numeric = matches!(kind, Kind::Lanr | Kind::Bsnr | Kind::Efn | Kind::Gln);
            view! {
                <input id=input_id.clone() name=field.id type="text" value=value class=INPUT
                    inputmode=numeric.then_some("numeric") autocomplete="off" spellcheck="false"
                    placeholder=(!field.example.is_empty()).then_some(field.example)
                    aria-describedby=described.clone() aria-invalid=invalid on:input=on_input />
            }
            .into_any()
        }
    };
    view! {
        <div>
            <label for=input_id class=LABEL>
                {move || field.label.get(german())}
                {optional.then(|| view! { " "<span class="font-normal text-slate-600">"("{tr(|t| t.prof.optional)}")"</span> })}
            </label>
            {control}
            <p id=help_id class=HELP>{move || field.help.get(german())}</p>
            <p id=check_id aria-live="polite" class=move || {
                if message().is_some_and(|(ok, _)| ok) { CHECK_OK } else { FIELD_ERROR }
            }>{move || message().map(|(_, text)| text)}</p>
        </div>
    }
}

fn file_size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} kB", (bytes + 1023) / 1024)
    }
}

fn evidence_list(files: &[EvidenceView], removable: bool) -> AnyView {
    let i18n = use_i18n();
    if files.is_empty() {
        return view! { <p class="mt-2 text-slate-700">{tr(|t| t.prof.evidence_none)}</p> }.into_any();
    }
    let items = files
        .iter()
        .cloned()
        .map(|file| {
            if file.href.is_empty() {
                return view! {
                    <li class="py-3">
                        <p class="text-slate-900">{file.file_name.clone()}" ("{tr(|t| t.prof.case_document_removed)}")"</p>
                        <p class="break-all font-mono text-xs text-slate-500">"SHA-256 "{file.sha256.clone()}</p>
                    </li>
                }
                .into_any();
            }
            let remove = removable.then(|| {
                view! {
                    <form method="post" action=format!("/account/profession/evidence/{}/remove", file.id)>
                        <button type="submit" class="text-sm font-semibold text-red-800 underline">
                            {tr(|t| t.prof.evidence_remove)}<span class="sr-only">": "{file.file_name.clone()}</span>
                        </button>
                    </form>
                }
            });
            let preview = file.image.then(|| {
                view! { <img src=file.href.clone() alt=file.file_name.clone() class="mt-2 max-h-96 rounded border border-slate-200" /> }
            });
            view! {
                <li class="py-3">
                    <div class="flex flex-wrap items-center justify-between gap-3">
                        <div>
                            <a href=file.href.clone() rel="external" class=LINK>{file.file_name.clone()}</a>
                            <p class="text-sm text-slate-600">
                                {file.media_type.clone()}" · "{file_size(file.size)}" · "
                                {move || format_time(file.uploaded_at, i18n.locale.get())}
                            </p>
                            <p class="break-all font-mono text-xs text-slate-500">"SHA-256 "{file.sha256.clone()}</p>
                        </div>
                        {remove}
                    </div>
                    {preview}
                </li>
            }
            .into_any()
        })
        .collect_view();
    view! { <ul class="mt-2 divide-y divide-slate-200">{items}</ul> }.into_any()
}

fn evidence_section(files: &[EvidenceView], max: i64, locked: bool, failure: Option<ProfessionFailure>) -> AnyView {
    let i18n = use_i18n();
    let upload_error = failure.filter(|f| {
        matches!(
            f,
            ProfessionFailure::EvidenceEmpty
                | ProfessionFailure::EvidenceTooLarge
                | ProfessionFailure::EvidenceType
                | ProfessionFailure::EvidenceTooMany
                | ProfessionFailure::EvidenceLocked
        )
    });
    let described = if upload_error.is_some() { "evidence-help evidence-error" } else { "evidence-help" };
    let upload = if locked {
        view! { <p class="mt-4 text-slate-700">{tr(|t| t.prof.evidence_locked)}</p> }.into_any()
    } else {
        view! {
            <form method="post" action="/account/profession/evidence" enctype="multipart/form-data"
                class="mt-4 flex flex-wrap items-end gap-3">
                <div class="grow">
                    <label for="evidence-file" class=LABEL>{tr(|t| t.prof.evidence_file_label)}</label>
                    <input id="evidence-file" name="file" type="file" required=true
                        accept=".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"
                        aria-describedby=described aria-invalid=upload_error.map(|_| "true")
                        class="mt-1 block w-full text-sm text-slate-800" />
                    {upload_error.map(|f| view! {
                        <p id="evidence-error" class=FIELD_ERROR>{move || failure_text(f, i18n.t().prof)}</p>
                    })}
                    <p id="evidence-help" class=HELP>
                        {tr(|t| t.prof.evidence_lead)}" "{move || i18n.t().prof.evidence_limit.replace("{max}", &max.to_string())}
                    </p>
                </div>
                <button type="submit" class=SECONDARY>{tr(|t| t.prof.evidence_upload)}</button>
            </form>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="evidence-heading" class=CARD>
            <h2 id="evidence-heading" class=SECTION_HEADING>{tr(|t| t.prof.evidence_heading)}</h2>
            {evidence_list(files, !locked)}
            {upload}
        </section>
    }
    .into_any()
}

fn submit_section() -> impl IntoView {
    view! {
        <section aria-labelledby="submit-heading" class=CARD>
            <h2 id="submit-heading" class=SECTION_HEADING>{tr(|t| t.prof.submit_heading)}</h2>
            <p class="mt-2 text-slate-700">{tr(|t| t.prof.submit_lead)}</p>
            <form method="post" action="/account/profession/submit" class="mt-4">
                <button type="submit" class=PRIMARY>{tr(|t| t.prof.submit)}</button>
            </form>
        </section>
    }
}

fn remove_section() -> impl IntoView {
    view! {
        <section aria-labelledby="remove-heading" class=CARD>
            <h2 id="remove-heading" class=SECTION_HEADING>{tr(|t| t.prof.remove_heading)}</h2>
            <p class="mt-2 text-slate-700">{tr(|t| t.prof.remove_lead)}</p>
            <form method="post" action="/account/profession/remove" class="mt-4 space-y-3">
                <label class="flex items-start gap-2 text-slate-800">
                    <input type="checkbox" name="confirm" value="yes" required=true class="mt-1" />
                    <span>{tr(|t| t.prof.remove_confirm)}</span>
                </label>
                <button type="submit" class=SECONDARY>{tr(|t| t.prof.remove)}</button>
            </form>
        </section>
    }
}

fn case_state_text(state: &str, t: &ProfTexts) -> &'static str {
    match state {
        "pending" => t.case_state_pending,
        "verified" => t.case_state_verified,
        "rejected" => t.case_state_rejected,
        _ => t.case_state_withdrawn,
    }
}

/// `/verify`: the cases, filtered, oldest first.
#[component]
pub fn VerifyQueuePage() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = SharedValue::new(|| use_context::<LoadedQueue>().map(|loaded| loaded.0));
    let Some(view) = loaded.into_inner() else {
        return view! { <p><a href="/verify" rel="external">{tr(|t| t.prof.verify_heading)}</a></p> }.into_any();
    };
    let states = ["pending", "verified", "rejected", "withdrawn"]
        .into_iter()
        .map(|state| {
            let selected = view.state == state;
            view! { <option value=state selected=selected>{move || case_state_text(state, i18n.t().prof)}</option> }
        })
        .collect_view();
    let professions = PROFESSIONS
        .iter()
        .map(|p| {
            let selected = view.profession == p.id;
            view! { <option value=p.id selected=selected>{move || p.label.get(i18n.locale.get() == Locale::De)}</option> }
        })
        .collect_view();
    let query = |page: u32| {
        let encode = |v: &str| -> String {
            v.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
                    other => format!("%{other:02X}"),
                })
                .collect()
        };
        format!(
            "/verify?state={}&profession={}&email={}&page={page}",
            encode(&view.state),
            encode(&view.profession),
            encode(&view.email)
        )
    };
    let previous = (view.page > 1)
        .then(|| view! { <a href=query(view.page - 1) rel="external" class=LINK>{tr(|t| t.prof.previous_page)}</a> });
    let next = view
        .has_next
        .then(|| view! { <a href=query(view.page + 1) rel="external" class=LINK>{tr(|t| t.prof.next_page)}</a> });
    let table = if view.cases.is_empty() {
        view! { <p class="text-slate-700">{tr(|t| t.prof.queue_empty)}</p> }.into_any()
    } else {
        let rows = view.cases.clone().into_iter().map(queue_row).collect_view();
        view! {
            <div class="overflow-x-auto">
                <table class="min-w-full text-left text-sm">
                    <thead class="border-b border-slate-300 text-slate-700">
                        <tr>
                            <th scope="col" class="py-2 pr-4">{tr(|t| t.prof.column_person)}</th>
                            <th scope="col" class="py-2 pr-4">{tr(|t| t.prof.column_profession)}</th>
                            <th scope="col" class="py-2 pr-4">{tr(|t| t.prof.column_state)}</th>
                            <th scope="col" class="py-2 pr-4">{tr(|t| t.prof.column_submitted)}</th>
                            <th scope="col" class="py-2">{tr(|t| t.prof.column_approvals)}</th>
                        </tr>
                    </thead>
                    <tbody class="divide-y divide-slate-200">{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        {page_title(|t| t.prof.verify_title)}
        <div class="mx-auto max-w-4xl space-y-6">
            <header>
                <h1 class="text-2xl font-bold text-slate-900">{tr(|t| t.prof.verify_heading)}</h1>
                <p class="mt-2 text-slate-700">{tr(|t| t.prof.verify_lead)}</p>
                {view.four_eyes.then(|| view! { <p class="mt-2 text-slate-700">{tr(|t| t.prof.verify_four_eyes)}</p> })}
            </header>
            <form method="get" action="/verify" class="flex flex-wrap items-end gap-3">
                <div>
                    <label for="filter-state" class=LABEL>{tr(|t| t.prof.filter_state)}</label>
                    <select id="filter-state" name="state" class=INPUT>
                        <option value="any" selected=view.state.is_empty()>{tr(|t| t.prof.filter_any)}</option>
                        {states}
                    </select>
                </div>
                <div>
                    <label for="filter-profession" class=LABEL>{tr(|t| t.prof.filter_profession)}</label>
                    <select id="filter-profession" name="profession" class=INPUT>
                        <option value="">{tr(|t| t.prof.filter_any)}</option>
                        {professions}
                    </select>
                </div>
                <div class="grow">
                    <label for="filter-email" class=LABEL>{tr(|t| t.prof.filter_email)}</label>
                    <input id="filter-email" name="email" type="search" value=view.email.clone() class=INPUT />
                </div>
                <button type="submit" class=SECONDARY>{tr(|t| t.prof.filter_submit)}</button>
            </form>
            {table}
            <nav class="flex gap-4">{previous}{next}</nav>
        </div>
    }
    .into_any()
}

fn queue_row(case: CaseRowView) -> impl IntoView {
    let i18n = use_i18n();
    let CaseRowView { id, email, profession, state, submitted_at, approvals } = case;
    view! {
        <tr>
            <td class="py-2 pr-4"><a href=format!("/verify/cases/{id}") rel="external" class=LINK>{email}</a></td>
            <td class="py-2 pr-4">{move || profession_label(&profession, i18n.locale.get())}</td>
            <td class="py-2 pr-4">{move || case_state_text(&state, i18n.t().prof)}</td>
            <td class="py-2 pr-4">{move || format_time(submitted_at, i18n.locale.get())}</td>
            <td class="py-2">{approvals}</td>
        </tr>
    }
}

fn verify_notice_text(notice: DecisionNotice, t: &ProfTexts) -> &'static str {
    match notice {
        DecisionNotice::Verified => t.verify_notice_verified,
        DecisionNotice::FirstApproval => t.verify_notice_first,
        DecisionNotice::Rejected => t.verify_notice_rejected,
    }
}

fn verify_failure_text(failure: DecisionFailure, t: &ProfTexts) -> &'static str {
    match failure {
        DecisionFailure::NotPending => t.verify_not_pending,
        DecisionFailure::OwnProfile => t.verify_own_profile,
        DecisionFailure::AlreadyApproved => t.verify_already_approved,
        DecisionFailure::ReasonMissing => t.verify_reason_missing,
        DecisionFailure::ReasonTooLong => t.verify_reason_too_long,
    }
}

/// `/verify/cases/{id}`: the data, the checks, the documents, the decision.
#[component]
pub fn VerifyCasePage() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = SharedValue::new(|| use_context::<LoadedCase>().map(|loaded| loaded.0));
    let Some(view) = loaded.into_inner() else {
        return view! { <p><a href="/verify" rel="external">{tr(|t| t.prof.verify_heading)}</a></p> }.into_any();
    };
    let banner = view.notice.map(|notice| {
        view! { <p id="verify-notice" role="status" class=STATUS>{move || verify_notice_text(notice, i18n.t().prof)}</p> }
    });
    let reason_error =
        view.failure.filter(|f| matches!(f, DecisionFailure::ReasonMissing | DecisionFailure::ReasonTooLong));
    let other_error =
        view.failure.filter(|f| !matches!(f, DecisionFailure::ReasonMissing | DecisionFailure::ReasonTooLong));
    let data = view
        .values
        .clone()
        .into_iter()
        .map(|(id, value)| {
            let check = catalogue::field(&id).map(|field| field.kind.check(&value));
            let label = id.clone();
            let check = move || {
                let locale = i18n.locale.get();
                match &check {
                    Some(Ok(accepted)) => accepted
                        .note
                        .map(|note| note_text(locale, note))
                        .unwrap_or_else(|| prof(locale).case_check_passes.to_string()),
                    Some(Err(problem)) => problem_text(locale, *problem),
                    None => String::new(),
                }
            };
            view! {
                <div class="py-2">
                    <dt class="text-sm font-medium text-slate-700">{move || label_of(&label, i18n.locale.get())}</dt>
                    <dd class="text-slate-900">
                        <span class="font-mono">{value}</span>
                        <span class="block text-sm text-slate-600">{check}</span>
                    </dd>
                </div>
            }
        })
        .collect_view();
    let decisions = view
        .decisions
        .clone()
        .into_iter()
        .map(|d| {
            let who = d.verifier.clone();
            view! {
                <li class="py-2">
                    <p class="text-slate-900">
                        {move || if d.approved { i18n.t().prof.case_approved_by } else { i18n.t().prof.case_rejected_by }}" "
                        {move || who.clone().unwrap_or_else(|| i18n.t().prof.case_gone_verifier.to_string())}
                        " · "{move || format_time(d.at, i18n.locale.get())}
                    </p>
                    {d.reason.clone().map(|r| view! { <p class="text-slate-700">{r}</p> })}
                </li>
            }
        })
        .collect_view();
    let decide = if view.cannot_decide.is_none() {
        let described = if reason_error.is_some() { "reason-help reason-error" } else { "reason-help" };
        view! {
            <form method="post" action=format!("/verify/cases/{}/decide", view.id) class="mt-4 space-y-3">
                <div>
                    <label for="reason" class=LABEL>{tr(|t| t.prof.reason_label)}</label>
                    <textarea id="reason" name="reason" rows="3" maxlength="1000" class=INPUT
                        aria-describedby=described aria-invalid=reason_error.map(|_| "true")></textarea>
                    <p id="reason-help" class=HELP>{tr(|t| t.prof.reason_help)}</p>
                    {reason_error.map(|f| view! { <p id="reason-error" class=FIELD_ERROR>{move || verify_failure_text(f, i18n.t().prof)}</p> })}
                </div>
                <div class="flex gap-3">
                    <button type="submit" name="decision" value="approve" class=PRIMARY>{tr(|t| t.prof.approve)}</button>
                    <button type="submit" name="decision" value="reject" class=SECONDARY>{tr(|t| t.prof.reject)}</button>
                </div>
            </form>
        }
        .into_any()
    } else {
        let why = view.cannot_decide.or(other_error);
        why.map(|f| {
            view! { <p class="mt-2 text-slate-700">{move || verify_failure_text(f, i18n.t().prof)}</p> }.into_any()
        })
        .unwrap_or_else(|| ().into_any())
    };
    let name_or_none = |name: Option<String>| match name {
        Some(name) => name.into_any(),
        None => view! { <em>{tr(|t| t.prof.case_no_name)}</em> }.into_any(),
    };
    // A recorded name is shown even when empty: it is what was submitted.
    let name = (view.name_at_submission || view.name.is_some()).then(|| {
        let label = if view.name_at_submission { tr(|t| t.prof.case_name_submitted) } else { tr(|t| t.prof.case_name) };
        view! { <p id="case-name" class="text-slate-700">{label}" "{name_or_none(view.name.clone())}</p> }
    });
    let renamed = view.renamed.then(|| {
        view! {
            <p id="case-renamed" class="mt-1 font-semibold text-amber-900">
                {tr(|t| t.prof.case_renamed)}" "{name_or_none(view.current_name.clone())}
            </p>
        }
    });
    let state = view.state.clone();
    let profession = view.profession.clone();
    view! {
        {page_title(|t| t.prof.case_title)}
        <div class="mx-auto max-w-3xl space-y-6">
            <header>
                <p><a href="/verify" rel="external" class=LINK>{tr(|t| t.prof.case_back)}</a></p>
                <h1 class="mt-2 text-2xl font-bold text-slate-900">{view.email.clone()}</h1>
                {name}
                {renamed}
                <p class="mt-1 text-slate-700">
                    {move || profession_label(&profession, i18n.locale.get())}" · "
                    <span id="case-state">{move || case_state_text(&state, i18n.t().prof)}</span>" · "
                    {tr(|t| t.prof.case_submitted)}" "{move || format_time(view.submitted_at, i18n.locale.get())}
                </p>
            </header>
            {banner}
            <section aria-labelledby="data-heading" class=CARD>
                <h2 id="data-heading" class=SECTION_HEADING>{tr(|t| t.prof.case_data)}</h2>
                <dl class="mt-2 divide-y divide-slate-200">{data}</dl>
            </section>
            <section aria-labelledby="case-evidence-heading" class=CARD>
                <h2 id="case-evidence-heading" class=SECTION_HEADING>{tr(|t| t.prof.case_evidence)}</h2>
                {evidence_list(&view.evidence, false)}
            </section>
            <section aria-labelledby="decide-heading" class=CARD>
                <h2 id="decide-heading" class=SECTION_HEADING>{tr(|t| t.prof.decide_heading)}</h2>
                {view.four_eyes.then(|| view! { <p class="mt-2 text-slate-700">{tr(|t| t.prof.verify_four_eyes)}</p> })}
                {(!view.decisions.is_empty()).then(|| view! {
                    <h3 class="mt-4 font-semibold text-slate-900">{tr(|t| t.prof.case_decisions)}</h3>
                    <ul class="divide-y divide-slate-200">{decisions}</ul>
                })}
                {decide}
            </section>
        </div>
    }
    .into_any()
}
