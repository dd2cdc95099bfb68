"""Annex A template headers (2019 Ofsted template) and the Ofsted "preferred codes" the writers emit.

Headers are copied character for character from the template (``../shared/reference/csc_formats.md`` §1.2):
trailing spaces (``Date Ceased to be Looked After ``, ``LA In Touch ``, ``Date of Adoption Order ``) and curly
quotes (``children’s``, ``‘Missing’``) included. List 2 has no national layout: the extract contract's
columns.

Internally every code is the bare upper-case code that ingest produces (``MALE``, ``2A``, ``YES``, ``U4``);
:data:`PREFERRED` maps it to the text an Ofsted-template workbook carries.
"""

from __future__ import annotations

_PERSON = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"]
_TEAM = ["Allocated Team", "Allocated Worker"]
_DIS = "Does the Child have a Disability"

ANNEX_A_HEADERS: dict[int, list[str]] = {
    1: [*_PERSON, "Date of Contact", "Contact Source"],
    2: [
        *_PERSON,
        "Assessment start date",
        "Assessment completion date",
        "Organisation completing assessment",
        "Plan start date",
        "Plan end date",
        "Step up to social care date",
    ],
    3: [
        *_PERSON,
        "Date of referral",
        "Referral Source",
        "Referral NFA?",
        "Number of Referrals in Last 12 Months",
        *_TEAM,
    ],
    4: [
        *_PERSON,
        _DIS,
        "Continuous Assessment Start Date",
        "Child Seen During Continuous Assessment",
        "Continuous Assessment Date of Authorisation",
        "Was the child assessed as requiring LA children\u2019s social care support",
        *_TEAM,
    ],
    5: [
        *_PERSON,
        _DIS,
        "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Date of Initial Child Protection Conference",
        "Did the Initial Child Protection Conference Result in a Child Protection Plan",
        "Number of Section 47 Enquiries in the last 12 months",
        "Number of ICPCs in the last 12 months",
        *_TEAM,
    ],
    6: [
        *_PERSON,
        _DIS,
        "CIN Start Date",
        "Primary Need Code",
        "Date Child Was Last Seen",
        "CIN Closure Date",
        "Reason for Closure",
        "Case status",
        *_TEAM,
    ],
    7: [
        *_PERSON,
        _DIS,
        "Child Protection Plan Start Date",
        "Initial Category of Abuse",
        "Latest Category of Abuse",
        "Date of the Last Statutory Visit",
        "Was the Child Seen Alone?",
        "Date of latest review conference",
        "Child Protection Plan End Date",
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
        "Number of Previous Child Protection Plans",
        *_TEAM,
    ],
    8: [
        *_PERSON,
        "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
        _DIS,
        "Date Started to be Looked After",
        "Child's Category of Need",
        "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
        "Start date of current legal status",
        "Child's Legal Status",
        "Date of Latest Statutory Review",
        "Date of Last Social Work Visit",
        "What is the permanence plan for this child?",
        "Date of Last IRO Visit / Contact to the Child",
        "Date of Last Health Assessment",
        "Date of Last Dental Check",
        "Number of Placements in the Last 12 months",
        "Date Ceased to be Looked After ",
        "Reason Ceased to be Looked After",
        "Start Date of Most Recent Placement",
        "Placement Type",
        "Placement Provider",
        "Placement postcode",
        "URN of Placement",
        "Placement Location",
        "LA of Placement",
        "Number of Episodes the Child has been \u2018Missing\u2019 from their Placement "
        "in the last 12 months",
        "Number of Episodes the Child has been \u2018Absent\u2019 from their Placement in the last 12 months",
        "Was the child offered a Return Interview after their last missing episode (Y/N)?",
        "Did the child accept a Return Interview after their last missing episode (Y/N)?",
        *_TEAM,
    ],
    9: [
        *_PERSON,
        _DIS,
        *_TEAM,
        "Eligibility Category",
        "LA In Touch ",
        "Type of Accommodation",
        "Suitability of Accommodation",
        "Activity Status",
    ],
    10: [
        "Child Unique ID",
        "Family identifier",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        _DIS,
        "Date the Child Entered Care",
        "Date of Decision that Child Should be Placed for Adoption",
        "Date of Placement Order",
        "Date of Matching Child and Prospective Adopters",
        "Date Placed for Adoption",
        "Date of Adoption Order ",
        "Date of Decision that Child Should No Longer be Placed for Adoption",
        "Reason Why Child No Longer Placed for Adoption",
        "Date the child was placed for fostering in FFA or concurrent planning placement",
    ],
}

LIST_TITLES = {
    1: "Contacts",
    2: "Early Help",
    3: "Referral",
    4: "Assessments",
    5: "Section 47 enquiries and Initial Child Protection Conferences",
    6: "Children in Need",
    7: "Child protection",
    8: "Children in care",
    9: "Care leavers",
    10: "Adoption",
}

LIST_TABLES = {
    1: ("annex_a_contacts", "contacts"),
    2: ("annex_a_early_help", "early_help"),
    3: ("annex_a_referrals", "referrals"),
    4: ("annex_a_assessments", "assessments"),
    5: ("annex_a_s47", "s47"),
    6: ("annex_a_cin", "cin"),
    7: ("annex_a_cp", "cp"),
    8: ("annex_a_cla", "cla"),
    9: ("annex_a_care_leavers", "care_leavers"),
    10: ("annex_a_adoption", "adoption"),
}

# ------------------------------------------------------------------------------- preferred codes (2019)
ETHNICITY_CODES = [
    "WBRI",
    "WIRI",
    "WIRT",
    "WOTH",
    "WROM",
    "MWBC",
    "MWBA",
    "MWAS",
    "MOTH",
    "AIND",
    "APKN",
    "ABAN",
    "AOTH",
    "BCRB",
    "BAFR",
    "BOTH",
    "CHNE",
    "OOTH",
    "REFU",
]
ETHNICITY_PREFERRED = {code: f"{chr(ord('a') + i)}) {code}" for i, code in enumerate(ETHNICITY_CODES)}
ETHNICITY_PREFERRED["NOBT"] = "s) NOBT"  # the template repeats the letter s)

GENDER_PREFERRED = {
    "MALE": "a) Male",
    "FEMALE": "b) Female",
    "NOT STATED/RECORDED": "c) Not stated/recorded",
    "NEITHER": "d) Neither",
}

_SOURCES = [
    ("1A", "Individual"),
    ("1B", "Individual"),
    ("1C", "Individual"),
    ("1D", "Individual"),
    ("2A", "Schools"),
    ("2B", "Education services"),
    ("3A", "Health services"),
    ("3B", "Health services"),
    ("3C", "Health services"),
    ("3D", "Health services"),
    ("3E", "Health services"),
    ("3F", "Health services"),
    ("4", "Housing"),
    ("5A", "LA services"),
    ("5B", "LA services"),
    ("5C", "LA services"),
    ("6", "Police"),
    ("7", "Other legal agency"),
    ("8", "Other"),
    ("9", "Anonymous"),
    ("10", "Unknown"),
]
SOURCE_PREFERRED = {code: f"{chr(ord('a') + i)}) {code}: {label}" for i, (code, label) in enumerate(_SOURCES)}

YES_NO_PREFERRED = {"YES": "a) Yes", "NO": "b) No", "UNKNOWN": "c) Unknown"}

PRIMARY_NEED_PREFERRED = {
    "N1": "N1 - Abuse or neglect",
    "N2": "N2 - Child\u2019s disability",
    "N3": "N3 - Parental disability or illness",
    "N4": "N4 - Family in acute stress",
    "N5": "N5 - Family dysfunction",
    "N6": "N6 - Socially unacceptable behaviour",
    "N7": "N7 - Low income",
    "N8": "N8 - Absent parenting",
    "N9": "N9 - Cases other than children in need",
    "N0": "N0 - Not stated",
}
CATEGORY_OF_NEED_PREFERRED = {**PRIMARY_NEED_PREFERRED, "N3": "N3 - Parental illness or disability"}

CLOSURE_PREFERRED = {
    "RC1": "RC1 - Adopted",
    "RC2": "RC2 - Died",
    "RC3": "RC3 - Child arrangements order",
    "RC4": "RC4 - Special guardianship order",
    "RC5": "RC5 - Transferred to services of another local authority",
    "RC6": "RC6 - Transferred to adult social care services",
    "RC7": "RC7 - Services ceased for any other reason, including child no longer in need",
    "RC8": "RC8 - Case closed after assessment, no further action",
    "RC9": "RC9 - Case closed after assessment, referred to early help",
}

CASE_STATUS_PREFERRED = {
    "LOOKED AFTER CHILD": "a) Looked after child",
    "CHILD PROTECTION PLAN": "b) Child Protection plan",
    "CHILD IN NEED PLAN": "c) Child in need plan",
    "OPEN ASSESSMENT": "d) Open assessment",
    "CLOSED EPISODE": "e) Closed episode",
}

ABUSE_PREFERRED = {
    "NEGLECT": "a) Neglect",
    "PHYSICAL ABUSE": "b) Physical abuse",
    "SEXUAL ABUSE": "c) Sexual abuse",
    "EMOTIONAL ABUSE": "d) Emotional abuse",
    "MULTIPLE/NOT RECOMMENDED": "e) Multiple/not recommended",
}

LEGAL_STATUS_PREFERRED = {
    "C1": "C1: ICO",
    "C2": "C2: FCO",
    "D1": "D1: Freeing order",
    "E1": "E1: Placement order",
    "V2": "V2: Single period under S20",
    "L1": "L1: Police protection LA accommodation",
    "L2": "L2: EPO",
    "L3": "L3: Child assessment order LA accommodation",
    "J1": "J1: Remanded to LA or youth detention",
    "J2": "J2: LA accommodation under PACE",
    "J3": "J3: Youth rehabilitation order",
    "V3": "V3: Short term breaks, episodes recorded",
    "V4": "V4: Short term breaks, agreements recorded",
}

REASON_CEASED_PREFERRED = {
    "E11": "a) E11: Adopted - application unopposed",
    "E12": "b) E12: Adopted - consent dispensed",
    "E2": "c) E2: Died",
    "E3": "d) E3: Care taken by another LA",
    "E4A": "e) E4A: Returned home to live with parents or relatives - part of planning",
    "E4B": "f) E4B: Returned home to live with parents or relatives - not part of planning",
    "E13": "g) E13: Parents, relatives or other with no parental responsibility",
    "E41": "h) E41: Residence order granted",
    "E45": "i) E45: Special Guardianship Orders - former carer relative/friend",
    "E46": "j) E46: Special Guardianship Orders - former carer other",
    "E47": "k) E47: Special Guardianship Orders - relative/friend",
    "E48": "l) E48: Special Guardianship Orders - other",
    "E5": "m) E5: Moved into independent living - supported",
    "E6": "n) E6: Moved into independent living - no support",
    "E7": "o) E7: Transferred to residential care funded by adult social services",
    "E9": "p) E9: Sentenced to custody",
    "E14": "q) E14: Accommodation on remand ended",
    "E15": "r) E15: Age assessment determined child was 18 or over",
    "E16": "s) E16: Child moved abroad",
    "E8": "t) E8: Care ceased for any other reason",
    "E17": "v) E17: Aged 18+ and remained with current carers",
}

PLACEMENT_PREFERRED = {
    "U1": "a) U1: Foster placement - relatives - long term",
    "U2": "b) U2: Foster placement - relative - FFA",
    "U3": "c) U3: Foster placement - relative - not FFA",
    "U4": "d) U4: Foster placement - long term",
    "U5": "e) U5: Foster placement - FFA",
    "U6": "f) U6: Foster placement - not FFA",
    "A3": "g) A3: Placed for adoption with consent with current foster carer",
    "A4": "h) A4: Placed for adoption with consent not with current foster carer",
    "A5": "i) A5: Placed for adoption with placement order with current foster carer",
    "A6": "j) A6: Placed for adoption with placement order not with current foster carer",
    "P1": "k) P1: Placed with parents",
    "P2": "l) P2: Independent living",
    "P3": "m) P3: Residential employment",
    "H5": "n) H5: Residential accommodation",
    "K1": "o) K1: Secure Children\u2019s Homes",
    "K2": "p) K2: Children\u2019s Homes",
    "R1": "q) R1: Residential Care Home",
    "R2": "r) R2: NHS/Health Trust",
    "R3": "s) R3: Family Centre or Mother and Baby Unit",
    "R5": "t) R5: Young Offender Institution",
    "S1": "u) S1: Residential school",
    "Z1": "v) Z1: Other placements",
    # not in the 2019 code list (new in 2023-24): the case system writes code and label
    "K3": "K3: Registered supported accommodation",
}

PROVIDER_PREFERRED = {
    "PR0": "a) PR0: Parents/Parental responsibility",
    "PR1": "b) PR1: Own provision",
    "PR2": "c) PR2: Other LA provision",
    "PR3": "d) PR3: Other public provision",
    "PR4": "e) PR4: Private provision",
    "PR5": "f) PR5: Voluntary/third sector",
}

ELIGIBILITY_PREFERRED = {
    "RELEVANT CHILD": "a) Relevant child",
    "FORMER RELEVANT CHILD": "b) Former relevant child",
    "QUALIFYING CARE LEAVER": "c) Qualifying care leaver",
}

IN_TOUCH_PREFERRED = {
    "YES": "a) Yes",
    "NO": "b) No",
    "DIED": "c) Died",
    "REFU": "d) Refu",
    "NREQ": "e) NREQ",
    "RHOM": "f) Rhom",
}

ACCOMMODATION_PREFERRED = {
    "B": "B: Parents/relatives",
    "C": "C: Community home / residential care",
    "D": "D: Semi-independent, transitional accommodation and self-contained accommodation",
    "E": "E: Supported lodgings",
    "G": "G: Abroad",
    "H": "H: Deported",
    "K": "K: Ordinary lodgings, without formal support",
    "R": "R: Residence not known",
    "S": "S: No fixed abode / homeless",
    "T": "T: Foyers and similar supported accommodation",
    "U": "U: Independent living",
    "V": "V: Emergency accommodation",
    "W": "W: Bed and breakfast",
    "X": "X: In custody",
    "Y": "Y: Other accommodation",
    "Z": "Z: With former foster carers",
}

SUITABILITY_PREFERRED = {"SUITABLE": "a) Suitable", "UNSUITABLE": "b) Unsuitable"}

ACTIVITY_PREFERRED = {
    "F1": "F1: Full time in higher education",
    "P1": "P1: Part time in higher education",
    "F2": "F2: Full time in education other than higher",
    "P2": "P2: Part time in education other than higher",
    "F4": "F4: Full time apprenticeship",
    "P4": "P4: Part time apprenticeship",
    "F5": "F5: Full time in training or employment (not apprenticeship)",
    "P5": "P5: Part time in training or employment (not apprenticeship)",
    "G4": "G4: Not in education, employment or training - illness or disability",
    "G5": "G5: Not in education, employment or training - other",
    "G6": "G6: Not in education, employment or training - pregnancy or parenting",
}

RD_PREFERRED = {
    "RD1": "RD1 - The child\u2019s needs changed subsequent to the decision",
    "RD2": "RD2 - The Court did not make a placement order",
    "RD3": "RD3 - Prospective adopters could not be found",
    "RD4": "RD4 - Any other reason",
}

PERMANENCE_PREFERRED = {
    "RETURN": "a) Return to family",
    "ADOPTION": "b) Adoption",
    "SGO": "c) SGO/CAO",
    "SUPPORTED": "d) Supported living in the community",
    "RESIDENTIAL": "e) Long-term residential placement",
    "FOSTERING": "f) Long-term fostering",
}
