//! The professions and their fields: one entry each. Adding a profession
//! is one entry in [`PROFESSIONS`]; adding a field is one `Field` and its
//! name in the professions that have it. Labels and the help beside each
//! field live here too, so that nothing else needs to change.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::numbers::{self, Accepted, Problem};
use crate::tables::{CHAMBERS, Label};

/// How a field's value is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Lanr,
    Bsnr,
    Efn,
    Gln,
    TelematikId,
    /// One line of text of at most this many characters.
    Text {
        max: u16,
    },
    /// One of these codes.
    Choice(&'static [(&'static str, Label)]),
}

impl Kind {
    /// Checks what a person typed; an empty value is never a problem here
    /// (whether a profile is complete is [`Checked::missing`]'s question).
    pub fn check(self, raw: &str) -> Result<Accepted, Problem> {
        match self {
            Self::Lanr => numbers::lanr(raw),
            Self::Bsnr => numbers::bsnr(raw),
            Self::Efn => numbers::efn(raw),
            Self::Gln => numbers::gln(raw),
            Self::TelematikId => numbers::telematik_id(raw),
            Self::Text { max } => numbers::text(raw, max),
            Self::Choice(options) => {
                let value = raw.trim();
                options
                    .iter()
                    .any(|(code, _)| *code == value)
                    .then(|| Accepted { value: value.to_string(), note: None })
                    .ok_or(Problem::NotAnOption)
            }
        }
    }

    /// Whether the field's value is a registry number (as opposed to words).
    pub fn is_number(self) -> bool {
        !matches!(self, Self::Text { .. } | Self::Choice(_))
    }
}

/// One field of a professional profile. Its `id` is also the claim name
/// apps receive it under, so it never changes once released.
#[derive(Debug, PartialEq, Eq)]
pub struct Field {
    pub id: &'static str,
    pub label: Label,
    /// What it is and where to find it, shown beside the input.
    pub help: Label,
    pub kind: Kind,
    /// An example of the format, shown as the input's placeholder.
    pub example: &'static str,
}

pub static LANR: Field = Field {
    id: "lanr",
    label: Label { en: "LANR (lifelong physician number)", de: "LANR (lebenslange Arztnummer)" },
    help: Label {
        en: "Nine digits from your Kassenärztliche Vereinigung: six for you, a check digit, two for your specialty group.",
        de: "Neun Ziffern von Ihrer Kassenärztlichen Vereinigung: sechs für Sie, eine Prüfziffer, zwei für Ihre Arztgruppe.",
    },
    kind: Kind::Lanr,
    example: "123456601",
};

pub static BSNR: Field = Field {
    id: "bsnr",
    label: Label { en: "BSNR (practice site number)", de: "BSNR (Betriebsstättennummer)" },
    help: Label {
        en: "Nine digits of the practice site; the first two name the region of its Kassenärztliche Vereinigung.",
        de: "Neun Ziffern der Betriebsstätte; die ersten zwei nennen die Region ihrer Kassenärztlichen Vereinigung.",
    },
    kind: Kind::Bsnr,
    example: "711234500",
};

pub static EFN: Field = Field {
    id: "efn",
    label: Label { en: "EFN (uniform training number)", de: "EFN (einheitliche Fortbildungsnummer)" },
    help: Label {
        en: "Fifteen digits from your chamber, usually starting with 80276; printed on your training barcode labels.",
        de: "Fünfzehn Ziffern von Ihrer Kammer, meist beginnend mit 80276; sie steht auf Ihren Barcode-Aufklebern.",
    },
    kind: Kind::Efn,
    example: "802760901234566",
};

pub static GLN: Field = Field {
    id: "gln",
    label: Label { en: "GLN (Global Location Number)", de: "GLN (Global Location Number)" },
    help: Label {
        en: "Thirteen digits from GS1, the last a check digit.",
        de: "Dreizehn Ziffern von GS1, die letzte eine Prüfziffer.",
    },
    kind: Kind::Gln,
    example: "4260123456788",
};

pub static TELEMATIK_ID: Field = Field {
    id: "telematik_id",
    label: Label { en: "Telematik-ID", de: "Telematik-ID" },
    help: Label {
        en: "From your electronic health professional card: the issuer's number, a hyphen, then the issuer's id.",
        de: "Von Ihrem elektronischen Heilberufsausweis: die Nummer des Ausgebers, ein Bindestrich, dann dessen Kennung.",
    },
    kind: Kind::TelematikId,
    example: "1-10104242424242",
};

pub static SPECIALTY: Field = Field {
    id: "specialty",
    label: Label { en: "Specialty", de: "Fachgebiet" },
    help: Label {
        en: "Your specialist title as your chamber awarded it, for example “Internal medicine”.",
        de: "Ihre Facharztbezeichnung, wie Ihre Kammer sie verliehen hat, zum Beispiel „Innere Medizin“.",
    },
    kind: Kind::Text { max: 120 },
    example: "",
};

pub static CHAMBER: Field = Field {
    id: "chamber",
    label: Label { en: "Chamber", de: "Kammer" },
    help: Label { en: "The state chamber you are a member of.", de: "Die Landeskammer, deren Mitglied Sie sind." },
    kind: Kind::Choice(&CHAMBERS),
    example: "",
};

pub static WORKPLACE: Field = Field {
    id: "workplace",
    label: Label { en: "Workplace", de: "Arbeitsstätte" },
    help: Label {
        en: "Where you mainly work: practice, hospital or pharmacy, with its town.",
        de: "Wo Sie hauptsächlich arbeiten: Praxis, Klinik oder Apotheke, mit Ort.",
    },
    kind: Kind::Text { max: 200 },
    example: "",
};

pub static OCCUPATION: Field = Field {
    id: "occupation",
    label: Label { en: "Your profession", de: "Ihr Beruf" },
    help: Label {
        en: "In your own words, as it appears on your certificate.",
        de: "In Ihren Worten, wie er auf Ihrer Urkunde steht.",
    },
    kind: Kind::Text { max: 120 },
    example: "",
};

/// Every field any profession has, in the order forms show them.
pub static FIELDS: [&Field; 9] =
    [&OCCUPATION, &LANR, &BSNR, &EFN, &GLN, &TELEMATIK_ID, &SPECIALTY, &CHAMBER, &WORKPLACE];

/// A field by its id (also its claim name).
pub fn field(id: &str) -> Option<&'static Field> {
    FIELDS.iter().copied().find(|f| f.id == id)
}

/// A profession: its fields, and what makes its profile complete enough
/// to be checked by a person.
#[derive(Debug, PartialEq, Eq)]
pub struct Profession {
    pub id: &'static str,
    pub label: Label,
    pub fields: &'static [&'static Field],
    /// Fields that must all be filled in.
    pub required: &'static [&'static Field],
    /// Of these, at least one must be filled in (empty: none needed).
    pub one_of: &'static [&'static Field],
}

impl Profession {
    pub fn has(&self, field: &Field) -> bool {
        self.fields.iter().any(|f| f.id == field.id)
    }
}

pub static PROFESSIONS: [Profession; 8] = [
    Profession {
        id: "physician",
        label: Label { en: "Physician", de: "Ärztin / Arzt" },
        fields: &[&LANR, &EFN, &BSNR, &TELEMATIK_ID, &SPECIALTY, &CHAMBER, &WORKPLACE],
        required: &[&CHAMBER],
        one_of: &[&LANR, &EFN],
    },
    Profession {
        id: "dentist",
        label: Label { en: "Dentist", de: "Zahnärztin / Zahnarzt" },
        fields: &[&EFN, &TELEMATIK_ID, &SPECIALTY, &WORKPLACE],
        required: &[],
        one_of: &[&EFN, &TELEMATIK_ID],
    },
    Profession {
        id: "pharmacist",
        label: Label { en: "Pharmacist", de: "Apothekerin / Apotheker" },
        fields: &[&TELEMATIK_ID, &GLN, &WORKPLACE],
        required: &[&WORKPLACE],
        one_of: &[&TELEMATIK_ID, &GLN],
    },
    Profession {
        id: "psychotherapist",
        label: Label { en: "Psychotherapist", de: "Psychotherapeutin / Psychotherapeut" },
        fields: &[&LANR, &EFN, &BSNR, &TELEMATIK_ID, &WORKPLACE],
        required: &[],
        one_of: &[&LANR, &EFN, &TELEMATIK_ID],
    },
    Profession {
        id: "nurse",
        label: Label { en: "Nurse", de: "Pflegefachperson" },
        fields: &[&TELEMATIK_ID, &WORKPLACE],
        required: &[&WORKPLACE],
        one_of: &[],
    },
    Profession {
        id: "midwife",
        label: Label { en: "Midwife", de: "Hebamme" },
        fields: &[&TELEMATIK_ID, &WORKPLACE],
        required: &[&WORKPLACE],
        one_of: &[],
    },
    Profession {
        id: "physiotherapist",
        label: Label { en: "Physiotherapist", de: "Physiotherapeutin / Physiotherapeut" },
        fields: &[&TELEMATIK_ID, &WORKPLACE],
        required: &[&WORKPLACE],
        one_of: &[],
    },
    Profession {
        id: "other",
        label: Label { en: "Other health profession", de: "Anderer Gesundheitsberuf" },
        fields: &[&OCCUPATION, &TELEMATIK_ID, &WORKPLACE],
        required: &[&OCCUPATION, &WORKPLACE],
        one_of: &[],
    },
];

/// A profession by its id.
pub fn profession(id: &str) -> Option<&'static Profession> {
    PROFESSIONS.iter().find(|p| p.id == id)
}

/// A profile that passed every field's rule: the values as stored (empty
/// ones left out), and what it still lacks before a person can check it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub profession: &'static Profession,
    pub values: BTreeMap<String, String>,
    /// Required fields left empty.
    pub missing: Vec<&'static Field>,
    /// When none of the `one_of` fields is filled in: those fields.
    pub missing_one_of: Vec<&'static Field>,
}

impl Checked {
    /// Every automatic check passed and nothing is missing: `validated`.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty() && self.missing_one_of.is_empty()
    }
}

/// Why a profile cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProfileError {
    UnknownProfession,
    /// Field id → what is wrong with it, in the form's order.
    Fields(Vec<(String, Problem)>),
}

/// Checks a whole profile: each of the profession's fields by its rule.
/// Values of fields the profession does not have are dropped.
pub fn check_profile(profession: &str, entered: &BTreeMap<String, String>) -> Result<Checked, ProfileError> {
    let profession = self::profession(profession).ok_or(ProfileError::UnknownProfession)?;
    let mut values = BTreeMap::new();
    let mut problems = Vec::new();
    for field in profession.fields {
        let raw = entered.get(field.id).map(String::as_str).unwrap_or_default();
        if raw.trim().is_empty() {
            continue;
        }
        match field.kind.check(raw) {
            Ok(accepted) => {
                values.insert(field.id.to_string(), accepted.value);
            }
            Err(problem) => problems.push((field.id.to_string(), problem)),
        }
    }
    if !problems.is_empty() {
        return Err(ProfileError::Fields(problems));
    }
    let missing = profession.required.iter().copied().filter(|f| !values.contains_key(f.id)).collect();
    let any_of = profession.one_of.iter().any(|f| values.contains_key(f.id));
    let missing_one_of = if any_of { Vec::new() } else { profession.one_of.to_vec() };
    Ok(Checked { profession, values, missing, missing_one_of })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entered(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect()
    }

    #[test]
    fn the_catalogue_is_consistent() {
        let mut ids: Vec<_> = PROFESSIONS.iter().map(|p| p.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), PROFESSIONS.len(), "profession ids are unique");
        let mut field_ids: Vec<_> = FIELDS.iter().map(|f| f.id).collect();
        field_ids.sort_unstable();
        field_ids.dedup();
        assert_eq!(field_ids.len(), FIELDS.len(), "field ids are unique");
        for profession in &PROFESSIONS {
            for field in profession.fields.iter().chain(profession.required).chain(profession.one_of) {
                assert!(FIELDS.iter().any(|f| f.id == field.id), "{} is listed in FIELDS", field.id);
                assert!(profession.has(field), "{} lists {} among its fields", profession.id, field.id);
            }
            assert!(!profession.label.en.is_empty() && !profession.label.de.is_empty());
        }
        for field in FIELDS {
            assert!(field.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{} is a claim name", field.id);
            if !field.example.is_empty() {
                assert!(field.kind.check(field.example).is_ok(), "the example of {} passes its rule", field.id);
            }
        }
    }

    #[test]
    fn a_physician_with_a_lanr_and_a_chamber_is_complete() {
        let checked = check_profile(
            "physician",
            &entered(&[("lanr", "123 456 601"), ("chamber", "bayern"), ("workplace", " Praxis Dr. Ada, München ")]),
        )
        .expect("valid");
        assert!(checked.is_complete());
        assert_eq!(checked.values.get("lanr").map(String::as_str), Some("123456601"));
        assert_eq!(checked.values.get("workplace").map(String::as_str), Some("Praxis Dr. Ada, München"));
    }

    #[test]
    fn an_incomplete_profile_is_saved_but_says_what_it_lacks() {
        let checked = check_profile("physician", &entered(&[("workplace", "Klinikum")])).expect("valid so far");
        assert!(!checked.is_complete());
        assert_eq!(checked.missing.iter().map(|f| f.id).collect::<Vec<_>>(), ["chamber"]);
        assert_eq!(checked.missing_one_of.iter().map(|f| f.id).collect::<Vec<_>>(), ["lanr", "efn"]);
    }

    #[test]
    fn every_wrong_field_is_named() {
        let error = check_profile(
            "physician",
            &entered(&[("lanr", "123456701"), ("efn", "80276090123456"), ("chamber", "atlantis")]),
        )
        .expect_err("three wrong fields");
        assert_eq!(
            error,
            ProfileError::Fields(vec![
                ("lanr".to_string(), Problem::CheckDigit { expected: 6 }),
                ("efn".to_string(), Problem::Length { expected: 15, actual: 14 }),
                ("chamber".to_string(), Problem::NotAnOption),
            ])
        );
    }

    #[test]
    fn fields_of_other_professions_and_unknown_professions() {
        let checked = check_profile("nurse", &entered(&[("lanr", "garbage"), ("workplace", "Station 3")])).expect("ok");
        assert!(!checked.values.contains_key("lanr"), "a nurse has no LANR: dropped, not checked");
        assert!(checked.is_complete());
        assert_eq!(check_profile("wizard", &entered(&[])), Err(ProfileError::UnknownProfession));
    }
}
