"""The raw table definitions of docs/design.md, in one place.

Everything else (readers, normalisation, loading, the dbt staging models) reads these definitions:

* ``RAW_TABLES``: one :class:`RawTable` per data table (``raw.<name>``) with its source file / sheet,
  the source columns it reads (header synonyms, kind of value, code set, whether an indicator needs it),
  the raw columns it writes (name and DuckDB type, after the provenance columns), the contract §5 key used
  for duplicate detection, the placing date(s) that must not be blank and the end-before-start checks.
* ``META_TABLES``: ``raw.extracts``, ``raw.extract_tables``, ``raw.quarantine``, ``raw.rejected_extracts``,
  ``raw.commentary``.
* :func:`create_raw_schema` creates schema ``raw`` and every table (idempotent).

Header synonyms are written as they appear in the templates; they are compared after
:func:`normalise_header` (case-insensitive, trimmed, curly quotes folded, spaces collapsed, a trailing ``?``
and doubled ``)`` ignored), so ``LA In Touch `` and ``LA in Touch`` are the same header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "META_TABLES",
    "PROVENANCE_COLUMNS",
    "RAW_SCHEMA",
    "RAW_TABLES",
    "Kind",
    "RawTable",
    "SourceColumn",
    "create_raw_schema",
    "normalise_header",
    "table_for_csv_path",
    "table_for_list",
]

RAW_SCHEMA = "raw"


class Kind(StrEnum):
    """How a source column's text is turned into a raw value."""

    CHILD_ID = "child_id"  # -> child_key (keyed hash); trimmed, upper-cased, trailing .0 removed
    HOUSEHOLD_ID = "household_id"  # -> household_key (same keyed hash)
    DOB = "dob"  # -> birth_month (first of month) [+ age_at_referral for List 3]; never stored in full
    DATE = "date"  # DD/MM/YYYY, YYYY-MM-DD, Excel date cell -> DATE
    TIMESTAMP = "timestamp"  # DD/MM/YYYY HH:MM (also ISO, Excel datetime cell) -> TIMESTAMP
    CODE = "code"  # preferred code or bare DfE code -> bare upper-case code, in a code set
    YESNO = "yesno"  # a) Yes / Y / Yes -> YES / NO / UNKNOWN
    INTEGER = "integer"  # whole number (Excel 1.0 accepted) -> INTEGER
    TEXT = "text"  # kept as trimmed text (allocated team)


# ---------------------------------------------------------------------------------------------- code sets


def _codes(words: str) -> frozenset[str]:
    return frozenset(words.split())


YES_NO = frozenset({"YES", "NO"})
YES_NO_UNKNOWN = frozenset({"YES", "NO", "UNKNOWN"})
GENDER = frozenset({"MALE", "FEMALE", "NOT STATED/RECORDED", "NEITHER"})
ETHNICITY = _codes(
    "WBRI WIRI WOTH WIRT WROM MWBC MWBA MWAS MOTH AIND APKN ABAN AOTH BCRB BAFR BOTH CHNE OOTH REFU NOBT"
)
SOURCE = _codes("1A 1B 1C 1D 2A 2B 3A 3B 3C 3D 3E 3F 4 5A 5B 5C 5D 6 7 8 9 10")
PRIMARY_NEED = _codes("N0 N1 N2 N3 N4 N5 N6 N7 N8 N9")
CLOSURE_REASON = _codes("RC1 RC2 RC3 RC4 RC5 RC6 RC7 RC8 RC9")
CASE_STATUS = frozenset(
    {"LOOKED AFTER CHILD", "CHILD PROTECTION PLAN", "CHILD IN NEED PLAN", "OPEN ASSESSMENT", "CLOSED EPISODE"}
)
# Ofsted wording (a) Neglect ...) and the CIN census codes (NEG, PHY, SAB, EMO, MUL) are both accepted.
ABUSE_CATEGORY = frozenset(
    {"NEGLECT", "PHYSICAL ABUSE", "SEXUAL ABUSE", "EMOTIONAL ABUSE", "MULTIPLE/NOT RECOMMENDED"}
    | {"NEG", "PHY", "SAB", "EMO", "MUL"}
)
LEGAL_STATUS = _codes("C1 C2 D1 E1 V2 V3 V4 L1 L2 L3 J1 J2 J3")
REASON_CEASED = _codes(
    "X1 E11 E12 E2 E3 E4A E4B E13 E41 E43 E44 E45 E46 E47 E48 E5 E6 E7 E8 E9 E14 E15 E16 E17"
)
PLACEMENT_TYPE = _codes(
    "A3 A4 A5 A6 H5 K1 K2 K3 P1 P2 P3 R1 R2 R3 R5 S1 T0 T1 T2 T3 T4 U1 U2 U3 U4 U5 U6 Z1 Z11 Z12 Z13 Z14"
)
PLACEMENT_PROVIDER = _codes("PR0 PR1 PR2 PR3 PR4 PR5")
ELIGIBILITY = frozenset({"RELEVANT CHILD", "FORMER RELEVANT CHILD", "QUALIFYING CARE LEAVER"})
IN_TOUCH = _codes("YES NO DIED REFU NREQ RHOM")
ACCOMMODATION_TYPE = _codes("B C D E G H K R S T U V W X Y Z")
SUITABILITY = frozenset({"SUITABLE", "UNSUITABLE"})
ACTIVITY = _codes("F1 P1 F2 P2 F3 P3 F4 P4 F5 P5 G4 G5 G6")
REASON_NO_LONGER_PLACED = _codes("RD1 RD2 RD3 RD4")
SEX_903 = _codes("1 2 M F U")
RNE = _codes("S L P T B U")
CIN_903 = _codes("N1 N2 N3 N4 N5 N6 N7 N8")
REASON_PLACE_CHANGE = _codes("CARPL CLOSE ALLEG STAND APPRR CREQB CREQO CHILD LAREQ PLACE CUSTOD OTHER")
MISSING = frozenset({"M", "A"})
OC3_ACTIV = ACTIVITY | {"0"}
OC3_ACCOM = frozenset({f"{letter}{digit}" for letter in ACCOMMODATION_TYPE for digit in "12"} | {"0"})
# CIN census assessment factor codes: 1A..24A, 2B, 3B ... (a number plus an optional letter).
CIN_FACTOR = re.compile(r"^\d{1,2}[A-Z]?$")
PLAN_TYPE = frozenset({"CLA", "PATHWAY"})
FOSTER_PROVIDER = frozenset({"IN_HOUSE", "IFA"})

CodeSet = frozenset[str] | re.Pattern[str]


@dataclass(frozen=True)
class SourceColumn:
    """One column read from the source file."""

    field: str  # raw column name it becomes (DOB -> "date_of_birth", IDs -> "child_id"/"household_id")
    headers: tuple[str, ...]  # accepted header texts (synonyms), compared after normalise_header()
    kind: Kind
    required: bool = False  # missing header rejects the extract; unparseable value rejects it too
    codes: CodeSet | None = None  # allowed bare codes (CODE / YESNO kinds)


@dataclass(frozen=True)
class RawTable:
    """One raw data table and where it comes from."""

    name: str  # raw.<name>
    csv_path: str  # file path inside the extract folder (CSV form)
    list_number: int | None  # Annex A list number (sheet "List n" / "List_n" of annex_a.xlsx), else None
    source: tuple[SourceColumn, ...]
    columns: tuple[tuple[str, str], ...]  # raw columns after the provenance columns: (name, DuckDB type)
    key: tuple[str, ...]  # contract §5 key (raw column names / SQL expressions) for duplicate detection
    not_blank: tuple[str, ...]  # raw columns whose blank value quarantines the row (ID, placing date)
    end_after_start: tuple[tuple[str, str], ...] = ()  # (start, end): end before start quarantines the row
    kind: str = "event"  # event | state | snapshot | history (contract §5)

    @property
    def required_fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.source if c.required)

    @property
    def all_columns(self) -> tuple[tuple[str, str], ...]:
        return PROVENANCE_COLUMNS + self.columns

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.all_columns)

    def source_column(self, field_name: str) -> SourceColumn:
        for col in self.source:
            if col.field == field_name:
                return col
        raise KeyError(field_name)


PROVENANCE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("la_code", "VARCHAR"),
    ("extract_id", "VARCHAR"),
    ("source_file", "VARCHAR"),
    ("source_line", "INTEGER"),
)

# ---------------------------------------------------------------------------------------------- helpers
_CHILD = SourceColumn("child_id", ("Child Unique ID", "Child ID", "CHILD"), Kind.CHILD_ID, required=True)
_GENDER = SourceColumn("gender", ("Gender",), Kind.CODE, codes=GENDER)
_ETHNICITY = SourceColumn("ethnicity", ("Ethnicity",), Kind.CODE, codes=ETHNICITY)
_DOB = SourceColumn("date_of_birth", ("Date of Birth",), Kind.DOB)
_DOB_REQUIRED = SourceColumn("date_of_birth", ("Date of Birth",), Kind.DOB, required=True)
_TEAM = SourceColumn("allocated_team", ("Allocated Team",), Kind.TEXT)
#: Pseudonyms (child_key, household_key) are UUIDs: the first 128 bits of the keyed hash (ingest.pseudonymise)
KEY_TYPE = "UUID"
_PERSON = (("child_key", KEY_TYPE), ("gender", "VARCHAR"), ("ethnicity", "VARCHAR"), ("birth_month", "DATE"))
_903_CHILD = SourceColumn("child_id", ("CHILD", "Child Unique ID"), Kind.CHILD_ID, required=True)


def _col(field_name: str, header: str | tuple[str, ...], kind: Kind, required: bool = False, codes=None):
    headers = (header,) if isinstance(header, str) else header
    return SourceColumn(field_name, headers, kind, required, codes)


def _annex(
    name: str,
    number: int,
    file_stem: str,
    cols: tuple[SourceColumn, ...],
    key: tuple[str, ...],
    not_blank: tuple[str, ...],
    end_after_start: tuple[tuple[str, str], ...] = (),
    kind: str = "event",
    dob: SourceColumn = _DOB,
    extra_raw: tuple[tuple[str, str], ...] = (),
) -> RawTable:
    raw_cols = _PERSON + extra_raw + tuple((c.field, _duck_type(c.kind)) for c in cols)
    return RawTable(
        name=name,
        csv_path=f"annex_a/list_{number:02d}_{file_stem}.csv",
        list_number=number,
        source=(_CHILD, _GENDER, _ETHNICITY, dob, *cols),
        columns=raw_cols,
        key=key,
        not_blank=not_blank,
        end_after_start=end_after_start,
        kind=kind,
    )


def _duck_type(kind: Kind) -> str:
    return {Kind.DATE: "DATE", Kind.TIMESTAMP: "TIMESTAMP", Kind.INTEGER: "INTEGER"}.get(kind, "VARCHAR")


def _plain(
    name: str,
    csv_path: str,
    cols: tuple[SourceColumn, ...],
    key: tuple[str, ...],
    not_blank: tuple[str, ...],
    end_after_start: tuple[tuple[str, str], ...] = (),
    kind: str = "event",
) -> RawTable:
    raw_cols: list[tuple[str, str]] = []
    for c in cols:
        if c.kind is Kind.CHILD_ID:
            raw_cols.append(("child_key", KEY_TYPE))
        elif c.kind is Kind.HOUSEHOLD_ID:
            raw_cols.append(("household_key", KEY_TYPE))
        elif c.kind is Kind.DOB:
            raw_cols.append(("birth_month", "DATE"))
        else:
            raw_cols.append((c.field, _duck_type(c.kind)))
    return RawTable(name, csv_path, None, cols, tuple(raw_cols), key, not_blank, end_after_start, kind)


_TABLES: tuple[RawTable, ...] = (
    _annex(
        "annex_a_contacts",
        1,
        "contacts",
        (
            _col("contact_date", "Date of Contact", Kind.DATE, True),
            _col("contact_source", "Contact Source", Kind.CODE, True, SOURCE),
        ),
        key=("child_key", "contact_date", "contact_source"),
        not_blank=("child_key", "contact_date"),
    ),
    _annex(
        "annex_a_early_help",
        2,
        "early_help",
        (
            _col("assessment_start_date", "Assessment start date", Kind.DATE, True),
            _col("assessment_completion_date", "Assessment completion date", Kind.DATE, True),
            _col("plan_start_date", "Plan start date", Kind.DATE, True),
            _col("plan_end_date", "Plan end date", Kind.DATE),
            _col("step_up_date", ("Step up to social care date", "Step up to social care"), Kind.DATE, True),
        ),
        # placing date: assessment start, or plan start when there is no assessment (contract §5)
        key=("child_key", "coalesce(assessment_start_date, plan_start_date)"),
        not_blank=("child_key", "coalesce(assessment_start_date, plan_start_date)"),
        end_after_start=(
            ("assessment_start_date", "assessment_completion_date"),
            ("plan_start_date", "plan_end_date"),
        ),
    ),
    _annex(
        "annex_a_referrals",
        3,
        "referrals",
        (
            _col("referral_date", "Date of referral", Kind.DATE, True),
            _col("referral_source", "Referral Source", Kind.CODE, False, SOURCE),
            _col("referral_nfa", "Referral NFA", Kind.YESNO, False, YES_NO_UNKNOWN),
            _TEAM,
        ),
        key=("child_key", "referral_date"),
        not_blank=("child_key", "referral_date"),
        dob=_DOB_REQUIRED,
        extra_raw=(("age_at_referral", "INTEGER"),),
    ),
    _annex(
        "annex_a_assessments",
        4,
        "assessments",
        (
            _col("assessment_start_date", "Continuous Assessment Start Date", Kind.DATE, True),
            _col(
                "assessment_authorised_date", "Continuous Assessment Date of Authorisation", Kind.DATE, True
            ),
            _TEAM,
        ),
        key=("child_key", "assessment_start_date"),
        not_blank=("child_key", "assessment_start_date"),
        end_after_start=(("assessment_start_date", "assessment_authorised_date"),),
    ),
    _annex(
        "annex_a_s47",
        5,
        "s47",
        (
            _col(
                "strategy_discussion_date",
                "Strategy discussion initiating Section 47 Enquiry Start Date",
                Kind.DATE,
                True,
            ),
            _col(
                "icpc_not_required",
                "Was an Initial Child Protection Conference deemed unnecessary",
                Kind.YESNO,
                False,
                YES_NO_UNKNOWN,
            ),
            _col("icpc_date", "Date of Initial Child Protection Conference", Kind.DATE, True),
            _col(
                "icpc_resulted_in_cp_plan",
                "Did the Initial Child Protection Conference Result in a Child Protection Plan",
                Kind.YESNO,
                True,
                YES_NO_UNKNOWN,
            ),
            _TEAM,
        ),
        key=("child_key", "strategy_discussion_date"),
        not_blank=("child_key", "strategy_discussion_date"),
        end_after_start=(("strategy_discussion_date", "icpc_date"),),
    ),
    _annex(
        "annex_a_cin",
        6,
        "cin",
        (
            _col("cin_start_date", "CIN Start Date", Kind.DATE, True),
            _col("primary_need_code", "Primary Need Code", Kind.CODE, False, PRIMARY_NEED),
            _col("cin_closure_date", "CIN Closure Date", Kind.DATE, True),
            _col("closure_reason", "Reason for Closure", Kind.CODE, False, CLOSURE_REASON),
            _col("case_status", "Case status", Kind.CODE, False, CASE_STATUS),
            _TEAM,
        ),
        key=("child_key", "cin_start_date"),
        not_blank=("child_key", "cin_start_date"),
        end_after_start=(("cin_start_date", "cin_closure_date"),),
        kind="state",
    ),
    _annex(
        "annex_a_cp",
        7,
        "cp",
        (
            _col("cp_plan_start_date", "Child Protection Plan Start Date", Kind.DATE, True),
            _col("initial_category_of_abuse", "Initial Category of Abuse", Kind.CODE, False, ABUSE_CATEGORY),
            _col("latest_category_of_abuse", "Latest Category of Abuse", Kind.CODE, False, ABUSE_CATEGORY),
            _col("last_statutory_visit_date", "Date of the Last Statutory Visit", Kind.DATE, True),
            _col("latest_review_conference_date", "Date of latest review conference", Kind.DATE, True),
            _col("cp_plan_end_date", "Child Protection Plan End Date", Kind.DATE, True),
            _col("previous_cp_plans", "Number of Previous Child Protection Plans", Kind.INTEGER, True),
            _TEAM,
        ),
        key=("child_key", "cp_plan_start_date"),
        not_blank=("child_key", "cp_plan_start_date"),
        end_after_start=(("cp_plan_start_date", "cp_plan_end_date"),),
        kind="state",
    ),
    _annex(
        "annex_a_cla",
        8,
        "cla",
        (
            _col("date_started_looked_after", "Date Started to be Looked After", Kind.DATE),
            _col("legal_status", "Child's Legal Status", Kind.CODE, False, LEGAL_STATUS),
            _col("last_social_work_visit_date", "Date of Last Social Work Visit", Kind.DATE, True),
            _col("date_ceased_looked_after", "Date Ceased to be Looked After", Kind.DATE),
            _col("reason_ceased", "Reason Ceased to be Looked After", Kind.CODE, False, REASON_CEASED),
            _col("placement_type", "Placement Type", Kind.CODE, False, PLACEMENT_TYPE),
            _col("placement_provider", "Placement Provider", Kind.CODE, False, PLACEMENT_PROVIDER),
        ),
        key=("child_key",),
        not_blank=("child_key",),
        end_after_start=(("date_started_looked_after", "date_ceased_looked_after"),),
        kind="snapshot",
    ),
    _annex(
        "annex_a_care_leavers",
        9,
        "care_leavers",
        (
            _col("eligibility_category", "Eligibility Category", Kind.CODE, False, ELIGIBILITY),
            _col("la_in_touch", "LA In Touch", Kind.CODE, True, IN_TOUCH),
            _col("accommodation_type", "Type of Accommodation", Kind.CODE, False, ACCOMMODATION_TYPE),
            _col("accommodation_suitability", "Suitability of Accommodation", Kind.CODE, True, SUITABILITY),
            _col("activity_status", "Activity Status", Kind.CODE, False, ACTIVITY),
            # current template only (2019 template has no pathway plan field): optional
            _col("latest_pathway_plan_review_date", "Latest Pathway Plan Review Date", Kind.DATE),
        ),
        key=("child_key",),
        not_blank=("child_key",),
        kind="snapshot",
    ),
    _annex(
        "annex_a_adoption",
        10,
        "adoption",
        (
            _col("date_entered_care", "Date the Child Entered Care", Kind.DATE),
            _col(
                "date_should_be_placed",
                "Date of Decision that Child Should be Placed for Adoption",
                Kind.DATE,
            ),
            _col("date_placement_order", "Date of Placement Order", Kind.DATE),
            _col("date_matched", "Date of Matching Child and Prospective Adopters", Kind.DATE),
            _col("date_placed", "Date Placed for Adoption", Kind.DATE),
            _col("date_adoption_order", "Date of Adoption Order", Kind.DATE),
            _col(
                "date_no_longer_placed",
                "Date of Decision that Child Should No Longer be Placed for Adoption",
                Kind.DATE,
            ),
            _col(
                "reason_no_longer_placed",
                "Reason Why Child No Longer Placed for Adoption",
                Kind.CODE,
                False,
                REASON_NO_LONGER_PLACED,
            ),
        ),
        key=("child_key",),
        not_blank=("child_key",),
        kind="state",
    ),
    _plain(
        "ssda903_header",
        "ssda903/header.csv",
        (
            _903_CHILD,
            _col("sex", "SEX", Kind.CODE, False, SEX_903),
            _col("date_of_birth", "DOB", Kind.DOB, True),
            _col("ethnic", "ETHNIC", Kind.CODE, False, ETHNICITY),
        ),
        key=("child_key",),
        not_blank=("child_key",),
        kind="history",
    ),
    _plain(
        "ssda903_episodes",
        "ssda903/episodes.csv",
        (
            _903_CHILD,
            _col("decom", "DECOM", Kind.DATE, True),
            _col("rne", "RNE", Kind.CODE, True, RNE),
            _col("ls", "LS", Kind.CODE, True, LEGAL_STATUS),
            _col("cin", "CIN", Kind.CODE, False, CIN_903),
            _col("place", "PLACE", Kind.CODE, True, PLACEMENT_TYPE),
            _col("place_provider", "PLACE_PROVIDER", Kind.CODE, True, PLACEMENT_PROVIDER),
            _col("dec", "DEC", Kind.DATE, True),
            _col("rec", "REC", Kind.CODE, True, REASON_CEASED),
            _col("reason_place_change", "REASON_PLACE_CHANGE", Kind.CODE, False, REASON_PLACE_CHANGE),
        ),
        key=("child_key", "decom"),
        not_blank=("child_key", "decom"),
        end_after_start=(("decom", "dec"),),
        kind="history",
    ),
    _plain(
        "ssda903_uasc",
        "ssda903/uasc.csv",
        (_903_CHILD, _col("duc", "DUC", Kind.DATE, True)),
        key=("child_key",),
        not_blank=("child_key",),
        kind="history",
    ),
    _plain(
        "ssda903_missing",
        "ssda903/missing.csv",
        (
            _903_CHILD,
            _col("missing", "MISSING", Kind.CODE, False, MISSING),
            _col("mis_start", "MIS_START", Kind.DATE),
            _col("mis_end", "MIS_END", Kind.DATE),
        ),
        key=("child_key", "mis_start"),
        not_blank=("child_key", "mis_start"),
        end_after_start=(("mis_start", "mis_end"),),
        kind="history",
    ),
    _plain(
        "ssda903_oc3",
        "ssda903/oc3.csv",
        (
            _903_CHILD,
            _col("in_touch", "IN_TOUCH", Kind.CODE, False, IN_TOUCH),
            _col("activ", "ACTIV", Kind.CODE, False, OC3_ACTIV),
            _col("accom", "ACCOM", Kind.CODE, False, OC3_ACCOM),
        ),
        key=("child_key",),
        not_blank=("child_key",),
        kind="history",
    ),
    _plain(
        "local_mash",
        "local/mash.csv",
        (
            _col("child_id", "Child Unique ID", Kind.CHILD_ID, True),
            _col("referral_received", "Referral Received", Kind.TIMESTAMP, True),
            _col("mash_decision", "MASH Decision", Kind.TIMESTAMP, True),
        ),
        key=("child_key", "referral_received"),
        not_blank=("child_key", "referral_received"),
        end_after_start=(("referral_received", "mash_decision"),),
    ),
    _plain(
        "local_referral_factors",
        "local/referral_factors.csv",
        (
            _col("child_id", "Child Unique ID", Kind.CHILD_ID, True),
            _col("referral_date", "Date of referral", Kind.DATE, True),
            _col("factor", "Factor", Kind.CODE, True, CIN_FACTOR),
        ),
        key=("child_key", "referral_date", "factor"),
        not_blank=("child_key", "referral_date", "factor"),
    ),
    _plain(
        "local_transfer_in_conferences",
        "local/transfer_in_conferences.csv",
        (
            _col("child_id", "Child Unique ID", Kind.CHILD_ID, True),
            _col("conference_date", "Date of Transfer-in Conference", Kind.DATE, True),
            _col("resulted_in_cp_plan", "Resulted in CP Plan (Y/N)", Kind.YESNO, True, YES_NO_UNKNOWN),
        ),
        key=("child_key", "conference_date"),
        not_blank=("child_key", "conference_date"),
    ),
    _plain(
        "local_care_plans",
        "local/care_plans.csv",
        (
            _col("child_id", "Child Unique ID", Kind.CHILD_ID, True),
            _col("plan_type", "Plan Type", Kind.CODE, True, PLAN_TYPE),
            _col("authorised_date", "Authorised Date", Kind.DATE, True),
            _col("end_date", "End Date", Kind.DATE, True),
        ),
        key=("child_key", "plan_type", "authorised_date"),
        not_blank=("child_key", "plan_type", "authorised_date"),
        end_after_start=(("authorised_date", "end_date"),),
        kind="state",
    ),
    _plain(
        "local_missing_all",
        "local/missing_all.csv",
        (
            _903_CHILD,
            _col("missing", "MISSING", Kind.CODE, True, MISSING),
            _col("mis_start", "MIS_START", Kind.DATE, True),
            _col("mis_end", "MIS_END", Kind.DATE, True),
        ),
        key=("child_key", "mis_start"),
        not_blank=("child_key", "mis_start"),
        end_after_start=(("mis_start", "mis_end"),),
    ),
    _plain(
        "local_foster_carers",
        "local/foster_carers.csv",
        (
            _col("household_id", "Household ID", Kind.HOUSEHOLD_ID, True),
            _col("approval_date", "Approval Date", Kind.DATE, True),
            _col("deregistration_date", "Deregistration Date", Kind.DATE, True),
            _col("provider", "Provider", Kind.CODE, True, FOSTER_PROVIDER),
        ),
        key=("household_key",),
        not_blank=("household_key",),
        end_after_start=(("approval_date", "deregistration_date"),),
        kind="state",
    ),
)

RAW_TABLES: dict[str, RawTable] = {t.name: t for t in _TABLES}

ANNEX_A_WORKBOOK = "annex_a.xlsx"


def table_for_csv_path(path: str) -> RawTable | None:
    """The raw table a file (path relative to the extract folder, '/' separators) loads into, if any."""
    for table in _TABLES:
        if table.csv_path == path:
            return table
    return None


def table_for_list(number: int) -> RawTable | None:
    for table in _TABLES:
        if table.list_number == number:
            return table
    return None


# ---------------------------------------------------------------------------------------------- meta tables
@dataclass(frozen=True)
class MetaTable:
    name: str
    columns: tuple[tuple[str, str], ...]
    constraints: tuple[str, ...] = field(default=())


META_TABLES: dict[str, MetaTable] = {
    t.name: t
    for t in (
        MetaTable(
            "extracts",
            (
                ("extract_id", "VARCHAR"),
                ("la_code", "VARCHAR"),
                ("period_end", "DATE"),
                ("extract_date", "DATE"),
                ("window_start", "DATE"),
                ("source_system", "VARCHAR"),
                ("folder", "VARCHAR"),
                ("manifest_sha256", "VARCHAR"),
                ("ingested_at", "TIMESTAMP"),
            ),
            ("PRIMARY KEY (extract_id)",),
        ),
        MetaTable(
            "extract_tables",
            (
                ("extract_id", "VARCHAR"),
                ("table_name", "VARCHAR"),
                ("source_file", "VARCHAR"),
                ("rows_loaded", "INTEGER"),
                ("rows_quarantined", "INTEGER"),
            ),
        ),
        MetaTable(
            "quarantine",
            (
                ("la_code", "VARCHAR"),
                ("extract_id", "VARCHAR"),
                ("table_name", "VARCHAR"),
                ("source_file", "VARCHAR"),
                ("source_line", "INTEGER"),
                ("column_name", "VARCHAR"),
                ("reason", "VARCHAR"),
                ("action", "VARCHAR"),  # 'row_quarantined' | 'value_nulled'
                ("child_key", KEY_TYPE),  # the row's pseudonym (a household_key for foster carers)
            ),
        ),
        MetaTable(
            "rejected_extracts",
            (
                ("la_code", "VARCHAR"),
                ("folder", "VARCHAR"),
                ("manifest_sha256", "VARCHAR"),
                ("rejected_at", "TIMESTAMP"),
                ("message", "VARCHAR"),
            ),
        ),
        MetaTable(
            "commentary",
            (
                ("la_code", "VARCHAR"),
                ("month", "DATE"),
                ("indicator_code", "VARCHAR"),
                ("commentary", "VARCHAR"),
                ("source_file", "VARCHAR"),
                ("source_line", "INTEGER"),
            ),
        ),
    )
}


def _create_sql(name: str, columns: tuple[tuple[str, str], ...], constraints: tuple[str, ...] = ()) -> str:
    body = ",\n    ".join([f"{col} {typ}" for col, typ in columns] + list(constraints))
    return f"CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.{name} (\n    {body}\n)"


def create_table_sql() -> list[str]:
    """The CREATE statements for every raw table (meta tables first)."""
    statements = [f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}"]
    statements += [_create_sql(t.name, t.columns, t.constraints) for t in META_TABLES.values()]
    statements += [_create_sql(t.name, t.all_columns) for t in RAW_TABLES.values()]
    return statements


def create_raw_schema(con) -> None:
    """Create schema ``raw`` and every raw table on a DuckDB connection (idempotent).

    A warehouse from before pseudonyms were UUIDs (32 hex characters as VARCHAR, the same 128 bits) has its
    key columns converted in place."""
    for statement in create_table_sql():
        con.execute(statement)
    for table, column in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = ? AND database_name = "
        "current_database() AND column_name IN ('child_key', 'household_key') AND data_type = 'VARCHAR'",
        [RAW_SCHEMA],
    ).fetchall():
        con.execute(
            f'ALTER TABLE {RAW_SCHEMA}."{table}" ALTER "{column}" '
            f'TYPE {KEY_TYPE} USING "{column}"::{KEY_TYPE}'
        )


# ---------------------------------------------------------------------------------------------- headers
_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "}
)
_SPACES = re.compile(r"\s+")


def normalise_header(text: object) -> str:
    """Header comparison form: lower-case, trimmed, curly quotes folded, spaces collapsed, no trailing '?',
    doubled ')' collapsed (the Jan 2024 UASC header)."""
    if text is None:
        return ""
    s = str(text).translate(_QUOTES).strip().lower()
    s = _SPACES.sub(" ", s)
    s = re.sub(r"\)+", ")", s)
    s = s.rstrip("?").rstrip()
    return s
