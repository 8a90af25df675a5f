//! The rules that check registry numbers. Each takes what a person typed,
//! ignores spaces they put between digit groups, and answers with the
//! number as it is stored, or with exactly what is wrong.

use serde::{Deserialize, Serialize};

use crate::tables::{self, Label};

/// What is wrong with a value: enough for a message that says what to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    /// Longer than the field allows.
    TooLong { max: u16 },
    /// Line breaks or other control characters.
    ControlCharacters,
    /// A character other than a digit (spaces aside).
    NotDigits,
    /// Not the number of digits this kind of number has.
    Length { expected: u8, actual: u16 },
    /// The check digit does not match the digits before it.
    CheckDigit { expected: u8 },
    /// An EFN's digits 3–5 are the country code 276 (Germany).
    CountryCode,
    /// A placeholder LANR (999999900, the ASV and discharge pseudo
    /// numbers …): it names nobody, so it is no one's own number.
    Placeholder,
    /// The first two digits of a BSNR name no region.
    UnknownRegion { code: u8 },
    /// A Telematik-ID is an issuer's number, a hyphen, then the issuer's id.
    TelematikFormat,
    /// A Telematik-ID whose issuer number is not one that gematik assigned.
    UnknownIssuer { prefix: u16 },
    /// A choice that is not one of the field's options.
    NotAnOption,
}

/// What a valid number tells besides itself, shown beside the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// LANR digits 8–9: the specialty group (Arztgruppe).
    SpecialtyGroup { code: u8, label: &'static Label },
    /// BSNR digits 1–2: the region of the Kassenärztliche Vereinigung.
    Region { code: u8, label: &'static Label },
    /// Telematik-ID: who issued it.
    Issuer { prefix: u16, label: &'static Label },
}

/// A number that passed its rule: as stored, and what it tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub value: String,
    pub note: Option<Note>,
}

/// The digits of `raw` with the spaces between groups taken out.
fn digits(raw: &str, expected: u8) -> Result<Vec<u8>, Problem> {
    let compact: String = raw.chars().filter(|c| *c != ' ').collect();
    if !compact.chars().all(|c| c.is_ascii_digit()) {
        return Err(Problem::NotDigits);
    }
    if compact.len() != usize::from(expected) {
        let actual = u16::try_from(compact.len()).unwrap_or(u16::MAX);
        return Err(Problem::Length { expected, actual });
    }
    Ok(compact.bytes().map(|b| b - b'0').collect())
}

fn to_string(digits: &[u8]) -> String {
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

/// The LANR check digit of its first six digits: weighted 4, 9, 4, 9, 4, 9,
/// summed; ten minus the sum's last digit, and 0 where that gives ten.
pub fn lanr_check_digit(first_six: &[u8]) -> u8 {
    let sum: u32 = first_six.iter().zip([4u32, 9].iter().cycle()).map(|(d, w)| u32::from(*d) * w).sum();
    let rest = (sum % 10) as u8;
    (10 - rest) % 10
}

/// First six digits of the pseudo LANRs that billing and prescriptions
/// use where a physician has none (KBV KVDT, DKG, GKV).
const PLACEHOLDER_LANR_IDS: [u8; 6] = [0, 3, 4, 5, 8, 9];

/// Lebenslange Arztnummer: nine digits, the seventh a check digit of the
/// first six, the last two the specialty group (KBV Richtlinie nach § 75
/// Abs. 7 SGB V). Pseudo numbers are refused: they name no one.
pub fn lanr(raw: &str) -> Result<Accepted, Problem> {
    let d = digits(raw, 9)?;
    if PLACEHOLDER_LANR_IDS.iter().any(|p| d[..6].iter().all(|x| x == p)) {
        return Err(Problem::Placeholder);
    }
    let expected = lanr_check_digit(&d[..6]);
    if d[6] != expected {
        return Err(Problem::CheckDigit { expected });
    }
    let code = d[7] * 10 + d[8];
    let note = tables::specialty_group(code).map(|label| Note::SpecialtyGroup { code, label });
    Ok(Accepted { value: to_string(&d), note })
}

/// Betriebsstättennummer: nine digits, the first two the region.
pub fn bsnr(raw: &str) -> Result<Accepted, Problem> {
    let d = digits(raw, 9)?;
    let code = d[0] * 10 + d[1];
    let label = tables::region(code).ok_or(Problem::UnknownRegion { code })?;
    Ok(Accepted { value: to_string(&d), note: Some(Note::Region { code, label }) })
}

/// The Luhn check digit for `payload` (the digits before it).
pub fn luhn_check_digit(payload: &[u8]) -> u8 {
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(*d);
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// Einheitliche Fortbildungsnummer: fifteen digits; the profession group
/// (80 for physicians), 276 for Germany, the chamber's three digits, a
/// six-digit serial, and a Luhn check digit over the fourteen before it
/// (Bundesärztekammer, EIV). The group is not fixed to 80: other chambers
/// (psychotherapists) issue EFNs too.
pub fn efn(raw: &str) -> Result<Accepted, Problem> {
    let d = digits(raw, 15)?;
    if d[2..5] != [2, 7, 6] {
        return Err(Problem::CountryCode);
    }
    let expected = luhn_check_digit(&d[..14]);
    if d[14] != expected {
        return Err(Problem::CheckDigit { expected });
    }
    Ok(Accepted { value: to_string(&d), note: None })
}

/// The GS1 check digit for `payload`: from the right, weights 3, 1, 3 …;
/// what brings the sum to a multiple of ten.
pub fn gs1_check_digit(payload: &[u8]) -> u8 {
    let sum: u32 = payload.iter().rev().zip([3u32, 1].iter().cycle()).map(|(d, w)| u32::from(*d) * w).sum();
    ((10 - sum % 10) % 10) as u8
}

/// Global Location Number: thirteen digits with the GS1 check digit.
pub fn gln(raw: &str) -> Result<Accepted, Problem> {
    let d = digits(raw, 13)?;
    let expected = gs1_check_digit(&d[..12]);
    if d[12] != expected {
        return Err(Problem::CheckDigit { expected });
    }
    Ok(Accepted { value: to_string(&d), note: None })
}

/// The longest Telematik-ID gematik allows.
pub const TELEMATIK_ID_MAX: u16 = 128;

/// Telematik-ID: the issuer's number (as gematik assigned it), a hyphen,
/// then the issuer's own id (letters, digits, `.`, `-`).
pub fn telematik_id(raw: &str) -> Result<Accepted, Problem> {
    let value = raw.trim();
    if value.chars().count() > usize::from(TELEMATIK_ID_MAX) {
        return Err(Problem::TooLong { max: TELEMATIK_ID_MAX });
    }
    let Some((prefix, id)) = value.split_once('-') else { return Err(Problem::TelematikFormat) };
    // gematik's issuer numbers have no leading zero: "01-…" is no issuer.
    let well_formed = !prefix.is_empty()
        && !prefix.starts_with('0')
        && prefix.len() <= 2
        && prefix.bytes().all(|b| b.is_ascii_digit())
        && !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    if !well_formed {
        return Err(Problem::TelematikFormat);
    }
    let prefix: u16 = prefix.parse().map_err(|_| Problem::TelematikFormat)?;
    let label = tables::issuer(prefix).ok_or(Problem::UnknownIssuer { prefix })?;
    Ok(Accepted { value: value.to_string(), note: Some(Note::Issuer { prefix, label }) })
}

/// Whether a character is a control character or one that hides or
/// reorders text without showing itself (the zero-width space, bidi
/// embeddings, overrides and isolates, invisible operators, the byte order
/// mark): in a name a verifier reads or an app shows, such a character can
/// make it look like another. Joiners (U+200C, U+200D) and direction marks
/// (U+200E, U+200F) stay allowed: some scripts need them in names.
pub fn hides_text(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Free text of at most `max` characters on one line, trimmed.
pub fn text(raw: &str, max: u16) -> Result<Accepted, Problem> {
    let value = raw.trim();
    if value.chars().any(hides_text) {
        return Err(Problem::ControlCharacters);
    }
    if value.chars().count() > usize::from(max) {
        return Err(Problem::TooLong { max });
    }
    Ok(Accepted { value: value.to_string(), note: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A LANR made from six id digits and a group: the check digit computed.
    fn make_lanr(id: &str, group: &str) -> String {
        let d: Vec<u8> = id.bytes().map(|b| b - b'0').collect();
        format!("{id}{}{group}", lanr_check_digit(&d))
    }

    #[test]
    fn lanr_check_digits_follow_the_weights() {
        // 1·4 + 2·9 + 3·4 + 4·9 + 5·4 + 6·9 = 144 → 10 − 4 = 6
        assert_eq!(lanr_check_digit(&[1, 2, 3, 4, 5, 6]), 6);
        // 1·4 + 0 + 0 + 0 + 0 + 6·9 = 58 → 10 − 8 = 2
        assert_eq!(lanr_check_digit(&[1, 0, 0, 0, 0, 6]), 2);
        // a sum ending in 0 gives 0, not 10: 2·4 + 0 + 0 + 0 + 0 + 8·9 = 80
        assert_eq!(lanr_check_digit(&[2, 0, 0, 0, 0, 8]), 0);
        // all zeros: sum 0 → check digit 0
        assert_eq!(lanr_check_digit(&[0; 6]), 0);
        // 6·4 + 5·9 + 4·4 + 3·9 + 2·4 + 1·9 = 129 → 1; 5·4 = 20 → 0
        assert_eq!(lanr_check_digit(&[6, 5, 4, 3, 2, 1]), 1);
        assert_eq!(lanr_check_digit(&[5, 0, 0, 0, 0, 0]), 0);
        // the pseudo numbers 999999 (sum 351 → 9) and 555555 (sum 195 → 5)
        assert_eq!(lanr_check_digit(&[9; 6]), 9);
        assert_eq!(lanr_check_digit(&[5; 6]), 5);
    }

    #[test]
    fn lanr_table() {
        let cases: &[(&str, Result<&str, Problem>)] = &[
            ("123456601", Ok("123456601")),
            ("123 456 601", Ok("123456601")),
            ("654321123", Ok("654321123")),
            ("500000053", Ok("500000053")),
            ("200008001", Ok("200008001")),
            ("999999900", Err(Problem::Placeholder)),
            ("555555153", Err(Problem::Placeholder)),
            ("444444401", Err(Problem::Placeholder)),
            ("123456701", Err(Problem::CheckDigit { expected: 6 })),
            ("200008101", Err(Problem::CheckDigit { expected: 0 })),
            ("12345660", Err(Problem::Length { expected: 9, actual: 8 })),
            ("1234566010", Err(Problem::Length { expected: 9, actual: 10 })),
            ("", Err(Problem::Length { expected: 9, actual: 0 })),
            ("12345660a", Err(Problem::NotDigits)),
            ("123-456-601", Err(Problem::NotDigits)),
            ("１２３４５６６０１", Err(Problem::NotDigits)),
        ];
        for (input, expected) in cases {
            let got = lanr(input).map(|a| a.value);
            assert_eq!(got.as_deref().map_err(|e| *e), *expected, "{input}");
        }
    }

    #[test]
    fn a_lanr_names_its_specialty_group() {
        let general = lanr(&make_lanr("314159", "01")).expect("valid");
        assert!(matches!(general.note, Some(Note::SpecialtyGroup { code: 1, .. })));
        let Some(Note::SpecialtyGroup { label, .. }) = general.note else { unreachable!() };
        assert!(label.de.contains("Allgemein"), "{}", label.de);
    }

    #[test]
    fn efn_table() {
        // 80276090123456, from the right every second digit doubled (9 taken
        // off above 9): 3 + 5 + 8 + 3 + 4 + 1 + 0 + 9 + 0 + 6 + 5 + 2 + 0 + 8 = 54 → 6
        assert_eq!(luhn_check_digit(&[8, 0, 2, 7, 6, 0, 9, 0, 1, 2, 3, 4, 5, 6]), 6);
        let cases: &[(&str, Result<&str, Problem>)] = &[
            ("802760901234566", Ok("802760901234566")),
            ("80276 090 123456 6", Ok("802760901234566")),
            ("802760901234567", Err(Problem::CheckDigit { expected: 6 })),
            ("802770901234566", Err(Problem::CountryCode)),
            ("276090123456", Err(Problem::Length { expected: 15, actual: 12 })),
            ("80276090123456x", Err(Problem::NotDigits)),
        ];
        for (input, expected) in cases {
            let got = efn(input).map(|a| a.value);
            assert_eq!(got.as_deref().map_err(|e| *e), *expected, "{input}");
        }
    }

    #[test]
    fn luhn_check_digits_of_zero_are_accepted() {
        // The textbook example: 7992739871 has check digit 3.
        assert_eq!(luhn_check_digit(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1]), 3);
        // 80276090000000: 8 + 2 + (7·2 → 5) + 6 + 9 = 30 → 0, the edge case.
        assert_eq!(luhn_check_digit(&[8, 0, 2, 7, 6, 0, 9, 0, 0, 0, 0, 0, 0, 0]), 0);
        assert_eq!(efn("802760900000000").map(|a| a.value), Ok("802760900000000".to_string()));
        assert_eq!(efn("802760900000001"), Err(Problem::CheckDigit { expected: 0 }));
    }

    #[test]
    fn gln_table() {
        // From the right, weights 3, 1, 3 …: 9 + 6 + 21 + 4 = 40 → 0, the edge case.
        assert_eq!(gs1_check_digit(&[4, 0, 0, 7, 6, 3, 0, 0, 0, 0, 0, 0]), 0);
        // 3 + 5 + 12 + 3 + 6 + 1 + 4 = 34 → 6
        assert_eq!(gs1_check_digit(&[4, 0, 1, 2, 3, 4, 5, 0, 0, 0, 0, 1]), 6);
        let cases: &[(&str, Result<&str, Problem>)] = &[
            ("4007630000000", Ok("4007630000000")),
            ("4012345000016", Ok("4012345000016")),
            ("4260123456788", Ok("4260123456788")),
            ("9436465792104", Ok("9436465792104")),
            ("4012345000017", Err(Problem::CheckDigit { expected: 6 })),
            ("401234500001", Err(Problem::Length { expected: 13, actual: 12 })),
            ("40123450000l6", Err(Problem::NotDigits)),
        ];
        for (input, expected) in cases {
            let got = gln(input).map(|a| a.value);
            assert_eq!(got.as_deref().map_err(|e| *e), *expected, "{input}");
        }
    }

    #[test]
    fn bsnr_table() {
        let ok = bsnr("71 1234500").expect("Bayern");
        assert_eq!(ok.value, "711234500");
        assert!(matches!(ok.note, Some(Note::Region { code: 71, .. })));
        assert_eq!(bsnr("001234500"), Err(Problem::UnknownRegion { code: 0 }));
        assert_eq!(bsnr("221234500"), Err(Problem::UnknownRegion { code: 22 }));
        assert!(matches!(bsnr("351234500").map(|a| a.note), Ok(Some(Note::Region { code: 35, .. }))));
        assert_eq!(bsnr("7112345"), Err(Problem::Length { expected: 9, actual: 7 }));
        assert_eq!(bsnr("71123450O"), Err(Problem::NotDigits));
    }

    #[test]
    fn telematik_id_table() {
        let ok = telematik_id(" 1-20014567890 ").expect("a physician's");
        assert_eq!(ok.value, "1-20014567890");
        assert!(matches!(ok.note, Some(Note::Issuer { prefix: 1, .. })));
        assert!(telematik_id("3-SMC-B-Testkarte-883110000092568").is_ok());
        assert!(telematik_id("3-10.3.1234567000.10.999").is_ok());
        assert!(telematik_id("10-67.235.1234").is_ok(), "a midwife's, from the eGBR");
        for bad in ["", "1", "1-", "-123", "x-123", "123-45", "1-ab cd", "1-äb", "1_123"] {
            assert_eq!(telematik_id(bad), Err(Problem::TelematikFormat), "{bad:?}");
        }
        assert_eq!(telematik_id("77-123"), Err(Problem::UnknownIssuer { prefix: 77 }));
        assert_eq!(telematik_id("6-123"), Err(Problem::UnknownIssuer { prefix: 6 }), "reserved");
        let long = format!("1-{}", "9".repeat(127));
        assert_eq!(telematik_id(&long), Err(Problem::TooLong { max: TELEMATIK_ID_MAX }));
    }

    #[test]
    fn text_table() {
        assert_eq!(text("  Klinikum Nord ", 10).map(|a| a.value), Err(Problem::TooLong { max: 10 }));
        assert_eq!(text("  Klinikum ", 10).map(|a| a.value), Ok("Klinikum".to_string()));
        assert_eq!(text("a\nb", 10), Err(Problem::ControlCharacters));
        for hidden in ["Praxis\u{202E}xyz", "Dr.\u{200B}Med", "\u{2066}Klinik", "a\u{FEFF}b"] {
            assert_eq!(text(hidden, 100), Err(Problem::ControlCharacters), "{hidden:?}");
        }
        assert_eq!(telematik_id("01-123"), Err(Problem::TelematikFormat), "no issuer starts with 0");
    }
}
