//! The professional claims, computed when tokens are issued:
//!
//! | scope                  | ID token and UserInfo                                         |
//! |------------------------|---------------------------------------------------------------|
//! | `profession`           | `profession` (its id), `profession_status`                    |
//! | `professional_profile` | each field the person shares with this client (`lanr` …)      |
//!
//! A verified profile also comes as OpenID Connect for Identity Assurance
//! `verified_claims`: what was verified (the released claims), when, under
//! which trust framework, by which process (the case) and how (a verifier
//! inspected images of the documents: `vri`). Access tokens carry none of
//! it: apps read it from the ID token or UserInfo.
//!
//! Only the fields the person ticked on the consent screen for this client
//! are released; a field never offered there is not.

use sanus_core::UnixTime;
use sanus_core::professions::{self, FIELDS, Field, verification};
use sanus_core::users::UserId;
use serde_json::{Map, Value, json};

use crate::state::AppState;

pub const PROFESSION: &str = "profession";
pub const PROFESSIONAL_PROFILE: &str = "professional_profile";

/// The professional scopes: never granted without the person's consent,
/// not even to first-party clients.
pub const SCOPES: [&str; 2] = [PROFESSION, PROFESSIONAL_PROFILE];

/// How verifiers check documents (IANA "Verification Methods"): a remote
/// inspection of an image of the document.
pub const CHECK_METHOD: &str = "vri";

/// The kind of document verifiers inspect, as this trust framework names
/// it: a licence to practise or a chamber's ID card.
pub const DOCUMENT_TYPE: &str = "professional_license";

/// The claim names discovery lists (besides the profile's fields).
pub const CLAIMS: [&str; 3] = ["profession", "profession_status", "verified_claims"];

/// Every claim that may appear inside `verified_claims.claims`.
pub fn claims_in_verified_claims() -> Vec<&'static str> {
    std::iter::once("profession").chain(FIELDS.iter().map(|f| f.id)).collect()
}

/// Whether any of the scopes is a professional one.
pub fn requested(scopes: &[String]) -> bool {
    scopes.iter().any(|s| SCOPES.contains(&s.as_str()))
}

/// A filled-in profile field the consent screen offers a client, with what
/// the person decided for that client before (`None`: never asked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub field: &'static Field,
    pub value: String,
    pub decided: Option<bool>,
}

/// What a consent screen offers for the profile, in the catalogue's order:
/// each filled-in field, when the scopes ask for the profile (else none).
/// The one rule behind asking again, the boxes shown, and the decisions
/// recorded.
pub async fn offers(
    state: &AppState,
    user: &UserId,
    client_id: &str,
    scopes: &[String],
    now: UnixTime,
) -> Result<Vec<Offer>, sanus_core::StoreError> {
    if !scopes.iter().any(|s| s == PROFESSIONAL_PROFILE) {
        return Ok(Vec::new());
    }
    let Some(profile) = professions::find(&state.store, user, now).await? else { return Ok(Vec::new()) };
    let decided = sanus_core::consents::profile_fields(&state.store, user.as_str(), client_id).await?;
    Ok(FIELDS
        .iter()
        .filter_map(|field| {
            let value = profile.values.get(field.id)?.clone();
            Some(Offer { field, value, decided: decided.get(field.id).copied() })
        })
        .collect())
}

/// Computes the professional claims for the ID token and UserInfo; nothing
/// (and no query) when no professional scope was granted.
pub async fn profession_claims(
    state: &AppState,
    client_id: &str,
    user: &UserId,
    scopes: &[String],
    now: UnixTime,
) -> Result<Map<String, Value>, sanus_core::StoreError> {
    let mut claims = Map::new();
    if !requested(scopes) {
        return Ok(claims);
    }
    let Some(profile) = professions::find(&state.store, user, now).await? else { return Ok(claims) };
    let has = |scope: &str| scopes.iter().any(|s| s == scope);
    let mut vouched = Map::new();
    if has(PROFESSION) {
        claims.insert("profession".into(), json!(profile.profession.id));
        claims.insert("profession_status".into(), json!(profile.status.as_str()));
        vouched.insert("profession".into(), json!(profile.profession.id));
    }
    if has(PROFESSIONAL_PROFILE) {
        let shared = sanus_core::consents::profile_fields(&state.store, user.as_str(), client_id).await?;
        for (field, value) in &profile.values {
            if shared.get(field).copied().unwrap_or(false) {
                claims.insert(field.clone(), json!(value));
                vouched.insert(field.clone(), json!(value));
            }
        }
    }
    if verification::vouches_for(&profile) && !vouched.is_empty() {
        let mut verification = Map::new();
        verification.insert("trust_framework".into(), json!(state.settings.professions.trust_framework));
        if let Some(at) = profile.verified_at {
            verification.insert("time".into(), json!(rfc3339(at)));
        }
        if let Some(case) = &profile.case_id {
            verification.insert("verification_process".into(), json!(case));
            verification.insert(
                "evidence".into(),
                json!([{
                    "type": "document",
                    "document_details": { "type": DOCUMENT_TYPE },
                    "check_details": [{
                        "check_method": CHECK_METHOD,
                        "organization": state.settings.server.public_url.as_str(),
                        "txn": case,
                    }],
                }]),
            );
        }
        claims.insert("verified_claims".into(), json!({ "verification": verification, "claims": vouched }));
    }
    Ok(claims)
}

/// `2026-11-22T17:48:28Z`.
fn rfc3339(at: UnixTime) -> String {
    let days = at.0.div_euclid(86_400);
    let secs = at.0.rem_euclid(86_400);
    let (year, month, day) = app::i18n::civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs % 3600 / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_in_utc() {
        assert_eq!(rfc3339(UnixTime(0)), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(UnixTime(1_795_369_708)), "2026-11-22T17:48:28Z");
        assert_eq!(rfc3339(UnixTime(951_782_400)), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn every_field_can_be_vouched_for() {
        let names = claims_in_verified_claims();
        assert!(names.contains(&"lanr") && names.contains(&"profession"));
        assert_eq!(names.len(), FIELDS.len() + 1);
    }
}
