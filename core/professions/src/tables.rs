//! Code tables the rules read: LANR specialty groups, KV regions, the
//! issuers of Telematik-IDs and the state chambers.

use serde::Serialize;

/// A text in the two languages Sanus speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Label {
    pub en: &'static str,
    pub de: &'static str,
}

impl Label {
    pub fn get(&self, german: bool) -> &'static str {
        if german { self.de } else { self.en }
    }
}

const fn l(en: &'static str, de: &'static str) -> Label {
    Label { en, de }
}

/// KBV Arztgruppenschlüssel, digits 8–9 of a LANR, in KBV's words
/// (CodeSystem `KBV_CS_SFHIR_BAR2_ARZTNRFACHGRUPPE`). 00 is a tolerated
/// stand-in and names nothing; 70–84, 86 and 88–98 are each KV's own.
static SPECIALTY_GROUPS: [(u8, Label); 72] = [
    (1, l("General practice", "Allgemeinmedizin")),
    (
        2,
        l(
            "General practitioner without specialist training",
            "hausärztlicher Praktischer Arzt/Arzt ohne Facharzt-Weiterbildung",
        ),
    ),
    (3, l("Internal medicine (family care)", "hausärztliche Innere Medizin")),
    (4, l("Anaesthesiology", "Anästhesiologie")),
    (5, l("Ophthalmology", "Augenheilkunde")),
    (6, l("Surgery", "Chirurgie")),
    (7, l("Vascular surgery", "Gefäßchirurgie")),
    (8, l("Visceral surgery", "Visceralchirurgie")),
    (9, l("Paediatric surgery", "Kinderchirurgie")),
    (10, l("Orthopaedics (and trauma surgery)", "Orthopädie (und Unfallchirurgie)")),
    (11, l("Trauma surgery", "SP Unfallchirurgie")),
    (12, l("Rheumatology (orthopaedic)", "Rheumatologie (der ehemaligen Orthopädie)")),
    (13, l("Plastic surgery", "Plastische Chirurgie")),
    (14, l("Thoracic surgery", "Thoraxchirurgie")),
    (15, l("Gynaecology", "Frauenheilkunde")),
    (
        16,
        l(
            "Gynaecological endocrinology and reproductive medicine",
            "Gynäkologische Endokrinologie und Reproduktionsmedizin",
        ),
    ),
    (17, l("Gynaecological oncology", "Gynäkologische Onkologie")),
    (18, l("Obstetrics and perinatal medicine", "Spezielle Geburtshilfe und Perinatalmedizin")),
    (19, l("Ear, nose and throat", "Hals-Nasen-Ohrenheilkunde")),
    (20, l("Phoniatrics and paediatric audiology", "Phoniatrie/Pädaudiologie")),
    (21, l("Dermatology and venereology", "Haut- und Geschlechtskrankheiten")),
    (22, l("Human genetics", "Humangenetik")),
    (23, l("Internal medicine (specialist care)", "fachärztliche Innere Medizin")),
    (24, l("Angiology", "Angiologie")),
    (25, l("Endocrinology and diabetology", "Endokrinologie/Diabetologie")),
    (26, l("Gastroenterology", "Gastroenterologie")),
    (27, l("Haematology and oncology", "Hämatologie/Onkologie")),
    (28, l("Cardiology", "Kardiologie")),
    (29, l("Nephrology", "Nephrologie")),
    (30, l("Pulmonology", "Pneumologie")),
    (31, l("Rheumatology (internal medicine)", "Rheumatologie (der Inneren Medizin)")),
    (32, l("Geriatrics", "Geriatrie")),
    (33, l("Infectious diseases", "Infektiologie")),
    (34, l("Paediatrics (family care)", "hausärztliche Kinder- und Jugendmedizin")),
    (35, l("Paediatric haematology (family care)", "hausärztliche Kinder-Hämatologie")),
    (36, l("Paediatric cardiology (family care)", "hausärztliche Kinder-Kardiologie")),
    (37, l("Neonatology (family care)", "hausärztliche Neonatologie")),
    (38, l("Neuropaediatrics (family care)", "hausärztliche Neuropädiatrie/Kinderneuropsychiatrie")),
    (39, l("Paediatric pulmonology (family care)", "hausärztliche Kinder-Pneumologie")),
    (40, l("Paediatrics (specialist care)", "fachärztliche Kinder- und Jugendmedizin")),
    (41, l("Paediatric haematology (specialist care)", "fachärztliche Kinder-Hämatologie")),
    (42, l("Paediatric cardiology (specialist care)", "fachärztliche Kinder-Kardiologie")),
    (43, l("Neonatology (specialist care)", "fachärztliche Neonatologie")),
    (44, l("Neuropaediatrics (specialist care)", "fachärztliche Neuropädiatrie/Kinderneuropsychiatrie")),
    (45, l("Paediatric pulmonology (specialist care)", "fachärztliche Kinder-Pneumologie")),
    (
        46,
        l(
            "Paediatrics with a focus, family and specialist care",
            "Kinder- und Jugendmedizin mit Schwerpunkt u. Teilnahme an der HA/FA-Versorgung",
        ),
    ),
    (47, l("Child and adolescent psychiatry and psychotherapy", "Kinder- und Jugendpsychiatrie und -psychotherapie")),
    (48, l("Laboratory medicine", "Laboratoriumsmedizin")),
    (
        49,
        l("Microbiology, virology and infection epidemiology", "Mikrobiologie, Virologie und Infektionsepidemiologie"),
    ),
    (50, l("Oral and maxillofacial surgery", "Mund-Kiefer-Gesichtschirurgie")),
    (51, l("Neurology and psychiatry", "Nervenheilkunde/Neurologie und Psychiatrie")),
    (52, l("Neurosurgery", "Neurochirurgie")),
    (53, l("Neurology", "Neurologie")),
    (54, l("Nuclear medicine", "Nuklearmedizin")),
    (55, l("Neuropathology", "Neuropathologie")),
    (56, l("Pathology", "Pathologie")),
    (57, l("Physical and rehabilitative medicine", "Physikalische und Rehabilitative Medizin/Physiotherapie")),
    (58, l("Psychiatry and psychotherapy", "Psychiatrie/Psychiatrie und Psychotherapie")),
    (59, l("Forensic psychiatry", "Forensische Psychiatrie")),
    (60, l("Psychosomatic medicine and psychotherapy", "Psychosomatische Medizin und Psychotherapie")),
    (61, l("Physician practising psychotherapy", "Psychotherapeutisch tätiger Arzt")),
    (62, l("Radiology", "Radiologie")),
    (63, l("Paediatric radiology", "Kinderradiologie")),
    (64, l("Neuroradiology", "Neuroradiologie")),
    (65, l("Radiotherapy", "Strahlentherapie")),
    (66, l("Transfusion medicine", "Transfusionsmedizin")),
    (67, l("Urology", "Urologie")),
    (68, l("Psychological psychotherapist", "Psychologischer Psychotherapeut")),
    (69, l("Child and adolescent psychotherapist", "Kinder- und Jugendlichen-Psychotherapeut")),
    (85, l("Physician in specialist training", "Weiterbildungsassistenten")),
    (87, l("Physician without a specialist title", "Ärzte ohne Facharztbezeichnung")),
    (99, l("Other specialty group", "weitere Fachgruppen")),
];

static KV_DEFINED: Label =
    l("A group your Kassenärztliche Vereinigung defines", "Eine Gruppe Ihrer Kassenärztlichen Vereinigung");

/// The specialty group a LANR's last two digits name, if it is one.
pub fn specialty_group(code: u8) -> Option<&'static Label> {
    match code {
        70..=84 | 86 | 88..=98 => Some(&KV_DEFINED),
        _ => SPECIALTY_GROUPS.iter().find(|(c, _)| *c == code).map(|(_, label)| label),
    }
}

/// Digits 1–2 of a BSNR: the Kassenärztliche Vereinigung (Landes- or
/// Bezirksstelle) that gave it, as KBV's KVDT rules allow them, and the
/// pseudo ranges 35 (hospitals), 74 (SAPV) and 75 (discharge management).
static REGIONS: [(u8, Label); 79] = [
    (1, l("Schleswig-Holstein", "Schleswig-Holstein")),
    (2, l("Hamburg", "Hamburg")),
    (3, l("Bremen", "Bremen")),
    (6, l("KV district 06", "KV-Bezirk 06")),
    (7, l("KV district 07", "KV-Bezirk 07")),
    (8, l("KV district 08", "KV-Bezirk 08")),
    (9, l("KV district 09", "KV-Bezirk 09")),
    (10, l("KV district 10", "KV-Bezirk 10")),
    (11, l("KV district 11", "KV-Bezirk 11")),
    (12, l("KV district 12", "KV-Bezirk 12")),
    (13, l("KV district 13", "KV-Bezirk 13")),
    (14, l("KV district 14", "KV-Bezirk 14")),
    (15, l("KV district 15", "KV-Bezirk 15")),
    (16, l("KV district 16", "KV-Bezirk 16")),
    (17, l("Lower Saxony", "Niedersachsen")),
    (18, l("Westfalen-Lippe (Dortmund)", "Westfalen-Lippe (Dortmund)")),
    (19, l("Westfalen-Lippe (Münster)", "Westfalen-Lippe (Münster)")),
    (20, l("Westfalen-Lippe", "Westfalen-Lippe")),
    (21, l("Nordrhein (Aachen)", "Nordrhein (Aachen)")),
    (24, l("Nordrhein (Düsseldorf)", "Nordrhein (Düsseldorf)")),
    (25, l("Nordrhein (Duisburg)", "Nordrhein (Duisburg)")),
    (27, l("Nordrhein (Köln)", "Nordrhein (Köln)")),
    (28, l("Nordrhein (Linker Niederrhein)", "Nordrhein (Linker Niederrhein)")),
    (31, l("Nordrhein (Ruhr)", "Nordrhein (Ruhr)")),
    (35, l("Hospital (appointment service)", "Krankenhaus (Terminservice)")),
    (37, l("Nordrhein (Bergisch-Land)", "Nordrhein (Bergisch-Land)")),
    (38, l("Nordrhein", "Nordrhein")),
    (39, l("Hessen (Darmstadt)", "Hessen (Darmstadt)")),
    (40, l("Hessen (Frankfurt am Main)", "Hessen (Frankfurt am Main)")),
    (41, l("Hessen (Gießen)", "Hessen (Gießen)")),
    (42, l("Hessen (Kassel)", "Hessen (Kassel)")),
    (43, l("Hessen (Limburg)", "Hessen (Limburg)")),
    (44, l("Hessen (Marburg)", "Hessen (Marburg)")),
    (45, l("Hessen (Wiesbaden)", "Hessen (Wiesbaden)")),
    (46, l("Hessen", "Hessen")),
    (47, l("Rheinland-Pfalz (Koblenz)", "Rheinland-Pfalz (Koblenz)")),
    (48, l("Rheinland-Pfalz (Rheinhessen)", "Rheinland-Pfalz (Rheinhessen)")),
    (49, l("Rheinland-Pfalz (Pfalz)", "Rheinland-Pfalz (Pfalz)")),
    (50, l("Rheinland-Pfalz (Trier)", "Rheinland-Pfalz (Trier)")),
    (51, l("Rheinland-Pfalz", "Rheinland-Pfalz")),
    (52, l("Baden-Württemberg", "Baden-Württemberg")),
    (53, l("KV district 53", "KV-Bezirk 53")),
    (54, l("KV district 54", "KV-Bezirk 54")),
    (55, l("Baden-Württemberg (Karlsruhe)", "Baden-Württemberg (Karlsruhe)")),
    (56, l("KV district 56", "KV-Bezirk 56")),
    (57, l("KV district 57", "KV-Bezirk 57")),
    (58, l("KV district 58", "KV-Bezirk 58")),
    (59, l("KV district 59", "KV-Bezirk 59")),
    (60, l("Baden-Württemberg (Freiburg)", "Baden-Württemberg (Freiburg)")),
    (61, l("Baden-Württemberg (Stuttgart)", "Baden-Württemberg (Stuttgart)")),
    (62, l("Baden-Württemberg (Reutlingen)", "Baden-Württemberg (Reutlingen)")),
    (63, l("Bayern (München)", "Bayern (München)")),
    (64, l("Bayern (Oberbayern)", "Bayern (Oberbayern)")),
    (65, l("Bayern (Oberfranken)", "Bayern (Oberfranken)")),
    (66, l("Bayern (Mittelfranken)", "Bayern (Mittelfranken)")),
    (67, l("Bayern (Unterfranken)", "Bayern (Unterfranken)")),
    (68, l("Bayern (Oberpfalz)", "Bayern (Oberpfalz)")),
    (69, l("Bayern (Niederbayern)", "Bayern (Niederbayern)")),
    (70, l("Bayern (Schwaben)", "Bayern (Schwaben)")),
    (71, l("Bayern", "Bayern")),
    (72, l("Berlin", "Berlin")),
    (73, l("Saarland", "Saarland")),
    (74, l("KBV (palliative care pseudo number)", "KBV (Pseudo-BSNR der SAPV)")),
    (75, l("Discharge management (hospital, rehabilitation)", "Entlassmanagement (Krankenhaus, Reha)")),
    (78, l("Mecklenburg-Vorpommern", "Mecklenburg-Vorpommern")),
    (79, l("Brandenburg (Potsdam)", "Brandenburg (Potsdam)")),
    (80, l("Brandenburg (Cottbus)", "Brandenburg (Cottbus)")),
    (81, l("Brandenburg (Frankfurt/Oder)", "Brandenburg (Frankfurt/Oder)")),
    (83, l("Brandenburg", "Brandenburg")),
    (85, l("Sachsen-Anhalt (Magdeburg)", "Sachsen-Anhalt (Magdeburg)")),
    (86, l("Sachsen-Anhalt (Halle)", "Sachsen-Anhalt (Halle)")),
    (87, l("Sachsen-Anhalt (Dessau)", "Sachsen-Anhalt (Dessau)")),
    (88, l("Sachsen-Anhalt", "Sachsen-Anhalt")),
    (93, l("Thüringen", "Thüringen")),
    (94, l("Sachsen (Chemnitz)", "Sachsen (Chemnitz)")),
    (95, l("Sachsen (Dresden)", "Sachsen (Dresden)")),
    (96, l("Sachsen (Leipzig)", "Sachsen (Leipzig)")),
    (98, l("Sachsen", "Sachsen")),
    (99, l("Knappschaft", "Knappschaft")),
];

pub fn region(code: u8) -> Option<&'static Label> {
    REGIONS.iter().find(|(c, _)| *c == code).map(|(_, label)| label)
}

/// Who issues Telematik-IDs: the number before the first hyphen
/// (gematik, gemSpec_PKI Tab_PKI_101; 6 is reserved).
static ISSUERS: [(u16, Label); 10] = [
    (
        1,
        l(
            "Physicians (medical chambers, Kassenärztliche Vereinigungen)",
            "Ärzteschaft (Ärztekammern, Kassenärztliche Vereinigungen)",
        ),
    ),
    (2, l("Dentists", "Zahnärzteschaft")),
    (3, l("Pharmacists and pharmacies", "Apothekerschaft")),
    (4, l("Psychotherapists", "Psychotherapeutenschaft")),
    (5, l("Hospitals and rehabilitation facilities", "Krankenhäuser und Vorsorge-/Reha-Einrichtungen")),
    (7, l("Payers' terminals", "Kostenträger-Terminals")),
    (8, l("Health insurers", "Kostenträger")),
    (9, l("Issued by gematik", "Von der gematik ausgegeben")),
    (10, l("Other health professions (eGBR)", "Gesundheitsfachberufe (eGBR)")),
    (11, l("Health crafts", "Gesundheitshandwerke")),
];

pub fn issuer(prefix: u16) -> Option<&'static Label> {
    ISSUERS.iter().find(|(p, _)| *p == prefix).map(|(_, label)| label)
}

/// The seventeen state chambers of physicians (Landesärztekammern).
pub static CHAMBERS: [(&str, Label); 17] = [
    ("baden-wuerttemberg", l("Baden-Württemberg", "Baden-Württemberg")),
    ("bayern", l("Bavaria", "Bayern")),
    ("berlin", l("Berlin", "Berlin")),
    ("brandenburg", l("Brandenburg", "Brandenburg")),
    ("bremen", l("Bremen", "Bremen")),
    ("hamburg", l("Hamburg", "Hamburg")),
    ("hessen", l("Hesse", "Hessen")),
    ("mecklenburg-vorpommern", l("Mecklenburg-Western Pomerania", "Mecklenburg-Vorpommern")),
    ("niedersachsen", l("Lower Saxony", "Niedersachsen")),
    ("nordrhein", l("North Rhine", "Nordrhein")),
    ("rheinland-pfalz", l("Rhineland-Palatinate", "Rheinland-Pfalz")),
    ("saarland", l("Saarland", "Saarland")),
    ("sachsen", l("Saxony", "Sachsen")),
    ("sachsen-anhalt", l("Saxony-Anhalt", "Sachsen-Anhalt")),
    ("schleswig-holstein", l("Schleswig-Holstein", "Schleswig-Holstein")),
    ("thueringen", l("Thuringia", "Thüringen")),
    ("westfalen-lippe", l("Westphalia-Lippe", "Westfalen-Lippe")),
];
