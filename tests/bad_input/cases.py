"""The bad-input corpus: one small extract per case, its expected outcome and why (contract §1, §6, §7).

Each :class:`Case` is a tiny extract folder written with ``conftest.write_extract`` (a correct manifest.json
unless the case spoils it) and one expected outcome:

* :class:`Rejected`: the whole extract is refused; its message holds every fragment (file, row, column);
  nothing of it reaches a raw table.
* :class:`Loaded`: the extract loads; exactly ``rows`` rows per raw table, exactly ``quarantine`` entries
  (table, source line, column, reason, action), and every valid row of the bad file is in raw: ``keys`` lists
  the normalised child IDs of the valid rows (their pseudonymised keys are compared, with multiplicity).
  ``probes`` are extra SQL checks of loaded values. ``Loaded()`` with no quarantine is "loaded as is".
* :class:`MartNoData`: not a folder of its own; checked through the real dbt build in test_bad_input.py.

Conventions that the tests rely on: raw child IDs hold the marker ``CHILDX`` (or are listed in
``secrets``), free text holds ``FREETEXT``, worker names ``WORKERNAME``; none of these may appear in a
message, a log record, ``raw.quarantine`` or any raw table. ``topics`` ties each case to the items of the
issue (a test checks that every item has a case).

To add a case: append a ``Case`` to ``CASES`` (name = folder name, unique), state ``what`` (the input),
``expect`` and ``why``; the parametrised test picks it up.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from conftest import write_extract

LA = "E06000999"  # the fictional demo council (in council_settings.csv)
UNKNOWN_LA = "E06099999"  # a well-formed ONS code that is in no council lookup
PERIOD = {"period_end": "2024-03-31", "extract_date": "2024-04-03", "window_start": "2023-10-01"}

CONTACTS = "annex_a/list_01_contacts.csv"
REFERRALS = "annex_a/list_03_referrals.csv"
CIN = "annex_a/list_06_cin.csv"
CARE_LEAVERS = "annex_a/list_09_care_leavers.csv"
EPISODES = "ssda903/episodes.csv"
WORKBOOK = "annex_a.xlsx"

CONTACT_HEADER = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
                  "Date of Contact", "Contact Source"]  # fmt: skip
REFERRAL_HEADER = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
                   "Date of referral", "Referral Source", "Referral NFA?", "Allocated Team",
                   "Allocated Worker"]  # fmt: skip
CIN_HEADER = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
              "CIN Start Date", "Primary Need Code", "CIN Closure Date", "Reason for Closure",
              "Case status", "Allocated Team"]  # fmt: skip
CARE_LEAVER_HEADER = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Eligibility Category",
                      "LA In Touch", "Type of Accommodation", "Suitability of Accommodation",
                      "Activity Status"]  # fmt: skip
EPISODE_HEADER = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                  "REASON_PLACE_CHANGE"]  # fmt: skip

HUGE = "Z" * 1_000_000  # a 1 MB cell
HUGE_MARK = "Z" * 64  # what must never show up in a message or log


# ---------------------------------------------------------------------------------------------- outcomes
@dataclass(frozen=True)
class Rejected:
    fragments: tuple[str, ...]  # each must be in the message (file, "row N", "'Column'", the reason)


@dataclass(frozen=True)
class Loaded:
    rows: dict[str, int] = field(default_factory=dict)  # raw table -> rows loaded
    # (raw table, source line, column or None, reason, action)
    quarantine: tuple[tuple[str, int, str | None, str, str], ...] = ()
    keys: dict[str, tuple[str, ...]] = field(
        default_factory=dict
    )  # raw table -> normalised IDs of valid rows
    held: tuple[str, ...] | None = None  # raw.extract_tables of the extract, when the case is about it
    probes: tuple[tuple[str, list[tuple]], ...] = ()  # (SQL over raw, expected rows)


@dataclass(frozen=True)
class MartNoData:
    reasons: tuple[str, ...]


Outcome = Rejected | Loaded | MartNoData


@dataclass(frozen=True)
class Case:
    name: str  # folder name, unique
    topics: tuple[str, ...]  # items of the issue it covers
    what: str  # the input
    why: str  # why this outcome is the right one
    expect: Outcome
    files: dict[str, list[list[object]] | str | bytes] = field(default_factory=dict)
    la_code: str = LA
    manifest: dict = field(default_factory=dict)  # overrides of manifest.json fields
    after_write: Callable[[Path], None] | None = None  # spoils the folder after its manifest is written
    encoding: str = "utf-8"  # for rows / text files
    secrets: tuple[str, ...] = ()  # raw values (besides the markers) that must never be echoed or stored

    def write(self, landing: Path) -> Path:
        """Write the case's extract folder ``<landing>/<la_code>/<name>/``."""
        folder = write_extract(
            landing,
            self.la_code,
            self.name,
            self.files,
            **PERIOD,
            manifest_overrides=self.manifest or None,
            encoding=self.encoding,
        )
        if self.after_write is not None:
            self.after_write(folder)
        return folder


# ---------------------------------------------------------------------------------------------- helpers
def contact(n: int, date: str = "05/01/2024", source: str = "2A", **kw: str) -> list[str]:
    row = {
        "id": f"CHILDX{n:04d}",
        "gender": "a) Male",
        "ethnicity": "a) WBRI",
        "dob": "03/04/2012",
        "age": "11",
        "date": date,
        "source": source,
    }
    row.update(kw)
    return list(row.values())


def contacts(*rows: list[str], header: list[str] = CONTACT_HEADER) -> dict[str, list[list[str]]]:
    return {CONTACTS: [header, *rows]}


def ids(*numbers: int) -> tuple[str, ...]:
    return tuple(f"CHILDX{n:04d}" for n in numbers)


def csv_text(rows: list[list[str]], newline: str = "\n") -> str:
    return "".join(",".join(row) + newline for row in rows)


THREE = (contact(1), contact(2, date="06/01/2024"), contact(3, date="07/01/2024", source="q) 6: Police"))
THREE_OK = Loaded(rows={"annex_a_contacts": 3}, keys={"annex_a_contacts": ids(1, 2, 3)})


def referral(
    n: int, date: str = "10/01/2024", team: str = "Team North", child: str | None = None
) -> list[str]:
    return [child or f"CHILDX{n:04d}", "a) Male", "a) WBRI", "03/04/2012", "11", date, "2A", "b) No", team,
            "WORKERNAME Smith"]  # fmt: skip


def cin(n: int, start: str, closure: str = "") -> list[str]:
    return [f"CHILDX{n:04d}", "b) Female", "WBRI", "01/06/2015", "8", start, "N1", closure,
            "RC1" if closure else "", "c) Child in need plan", "Team South"]  # fmt: skip


def episode(child: str, decom: str, dec: str = "", place: str = "U4", rec: str = "") -> list[str]:
    return [child, decom, "S", "C2", "N1", place, "PR4", dec, rec, ""]


def care_leaver(n: int, in_touch: str = "a) Yes") -> list[str]:
    return [f"CHILDX{n:04d}", "a) Male", "WBRI", "01/01/2005", "Relevant child", in_touch, "B",
            "a) Suitable", "F1"]  # fmt: skip


def workbook(sheets: dict[str, list[list[object]]], date_columns: dict[str, tuple[int, ...]] | None = None):
    """XLSX bytes (xlsxwriter); datetime values in ``date_columns`` get a date format (real date cells)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if hasattr(value, "year"):
                    sheet.write_datetime(r, c, value, date_format)
                else:
                    sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def _append(rel: str, text: bytes) -> Callable[[Path], None]:
    def spoil(folder: Path) -> None:
        with (folder / rel).open("ab") as fh:
            fh.write(text)

    return spoil


def _add_file(rel: str, content: bytes) -> Callable[[Path], None]:
    def spoil(folder: Path) -> None:
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(content)

    return spoil


def _remove(rel: str) -> Callable[[Path], None]:
    def spoil(folder: Path) -> None:
        (folder / rel).unlink()

    return spoil


def _replace_manifest(content: bytes) -> Callable[[Path], None]:
    def spoil(folder: Path) -> None:
        (folder / "manifest.json").write_bytes(content)

    return spoil


def _d(text: str):
    import datetime as dt

    return dt.date.fromisoformat(text)


DUP_REASON = "duplicate key (child_key, contact_date, contact_source) in this file"

# ---------------------------------------------------------------------------------------------- the corpus
CASES: tuple[Case, ...] = (
    # ------------------------------------------------------------------ headers and columns
    Case(
        "header_missing_required",
        ("missing header",),
        "List 1 without its 'Date of Contact' column",
        "An indicator reads the column (M1, M3): without it the list cannot be counted, so the extract is "
        "refused (contract §7) naming the file, the header row and the column.",
        Rejected((CONTACTS, "row 1", "'Date of Contact'", "required column")),
        files={CONTACTS: [[h for h in CONTACT_HEADER if h != "Date of Contact"], [*contact(1)[:5], "2A"]]},
    ),
    Case(
        "header_wrong_name",
        ("wrong header",),
        "List 1 with 'Contact Date' instead of the template's 'Date of Contact'",
        "Headers are matched to the Ofsted template (case, spaces and quotes folded) and not guessed: a "
        "renamed required column is a missing one.",
        Rejected((CONTACTS, "row 1", "'Date of Contact'", "missing")),
        files=contacts(contact(1), header=[*CONTACT_HEADER[:5], "Contact Date", "Contact Source"]),
    ),
    Case(
        "header_misspelt_child_id",
        ("wrong header",),
        "List 1 whose ID header reads 'Child Unique Identifer'",
        "Without the child-ID header no row of the first 15 is a header row: the file cannot be read.",
        Rejected((CONTACTS, "no header row", "'Child Unique ID'")),
        files=contacts(contact(1), header=["Child Unique Identifer", *CONTACT_HEADER[1:]]),
    ),
    Case(
        "header_absent",
        ("missing header",),
        "List 1 exported without its header row (data rows only)",
        "Columns are identified by header, never by position: a headerless file cannot be read.",
        Rejected((CONTACTS, "no header row")),
        files={CONTACTS: [contact(1), contact(2)]},
    ),
    Case(
        "header_repeated",
        ("wrong header",),
        "List 1 with 'Date of Contact' twice (columns 6 and 7)",
        "Two columns claim the same field; choosing one would be a guess.",
        Rejected((CONTACTS, "row 1", "column 7", "column 6", "contact_date")),
        files=contacts(
            [*contact(1)[:6], "06/01/2024", "2A"],
            header=[*CONTACT_HEADER[:6], "Date of Contact", "Contact Source"],
        ),
    ),
    Case(
        "header_case_spaces_quotes",
        ("wrong header",),
        "Headers in other case, padded, with doubled spaces and a curly apostrophe ('Child’s' style)",
        "The contract matches headers case-insensitively after trimming and folding quotes: loaded as is.",
        THREE_OK,
        files=contacts(
            *THREE,
            header=[
                "  CHILD UNIQUE ID ",
                "gender",
                "ETHNICITY",
                "date  of  birth",
                "Age of Child (Years)",
                "Date of Contact ",
                "contact source",
            ],
        ),
    ),
    Case(
        "extra_column",
        ("extra column",),
        "List 1 with an extra 'Case Notes' column of free text between two template columns",
        "Templates are often extended locally; unknown columns are dropped (free text is never ingested), "
        "the template columns load as is.",
        THREE_OK,
        files=contacts(
            *[[*r[:3], "FREETEXT Jane Smith said ...", *r[3:]] for r in THREE],
            header=[*CONTACT_HEADER[:3], "Case Notes", *CONTACT_HEADER[3:]],
        ),
    ),
    Case(
        "reordered_columns",
        ("reordered column",),
        "List 1 with its columns in reverse order",
        "Columns are found by header, not position: loaded as is with every value in its own column.",
        Loaded(
            rows={"annex_a_contacts": 3},
            keys={"annex_a_contacts": ids(1, 2, 3)},
            probes=(
                (
                    "SELECT contact_date, contact_source, gender FROM raw.annex_a_contacts "
                    "ORDER BY source_line",
                    [
                        (_d("2024-01-05"), "2A", "MALE"),
                        (_d("2024-01-06"), "2A", "MALE"),
                        (_d("2024-01-07"), "6", "MALE"),
                    ],
                ),
            ),
        ),
        files=contacts(*[r[::-1] for r in THREE], header=CONTACT_HEADER[::-1]),
    ),
    Case(
        "row_wider_than_header",
        ("extra column",),
        "A row of List 1 with an unquoted comma in its ethnicity (a) White, British): one field more "
        "than the header",
        "Every later value of the row is shifted one column right (the date lands in 'Age', the source in "
        "'Date of Contact'); the file is malformed and is refused naming the row rather than loading values "
        "into the wrong columns (before the fix such a row loaded silently when it was in the first 64 KiB).",
        Rejected((CONTACTS, "row 3", "column 8", "unquoted comma")),
        files={CONTACTS: csv_text([CONTACT_HEADER, contact(1), contact(2, ethnicity="a) White, British")])},
    ),
    Case(
        "title_rows_above_header",
        ("wrong header",),
        "Two title rows ('List 1: Contacts', a blank line) above the header",
        "The header row is searched for among the first rows; source lines stay physical lines.",
        Loaded(
            rows={"annex_a_contacts": 3},
            keys={"annex_a_contacts": ids(1, 2, 3)},
            probes=(("SELECT source_line FROM raw.annex_a_contacts ORDER BY 1", [(4,), (5,), (6,)]),),
        ),
        files={CONTACTS: [["List 1: Contacts"], [], CONTACT_HEADER, *THREE]},
    ),
    # ------------------------------------------------------------------ manifest and files
    Case(
        "list_not_supplied",
        ("missing list",),
        "An extract holding only List 1 and List 3 (the LA does not produce the other lists)",
        "A list absent from the manifest is 'not supplied' (contract §1): the extract loads, raw.extract_"
        "tables holds only the two lists, and the mart reports the other lists' indicators as no data.",
        Loaded(
            rows={"annex_a_contacts": 3, "annex_a_referrals": 1},
            keys={"annex_a_contacts": ids(1, 2, 3), "annex_a_referrals": ids(1)},
            held=("annex_a_contacts", "annex_a_referrals"),
        ),
        files={**contacts(*THREE), REFERRALS: [REFERRAL_HEADER, referral(1)]},
    ),
    Case(
        "listed_file_missing",
        ("missing list", "manifest"),
        "The manifest lists ssda903/episodes.csv but the file is not in the folder",
        "The manifest promises a list that did not arrive (an incomplete copy): refusing the whole extract "
        "avoids reading 'no episodes' as the truth.",
        Rejected((EPISODES, "listed in manifest.json but missing")),
        files={**contacts(*THREE), EPISODES: [EPISODE_HEADER, episode("CHILDX0001", "01/02/2023")]},
        after_write=_remove(EPISODES),
    ),
    Case(
        "manifest_hash_mismatch",
        ("hash mismatch", "truncated file"),
        "List 1 changed (a row appended, or the copy truncated) after the manifest was written",
        "The file is not the one the case system produced: the extract is refused naming the file.",
        Rejected((CONTACTS, "sha256 mismatch")),
        files=contacts(*THREE),
        after_write=_append(CONTACTS, b"CHILDX0009,a) Male,a) WBRI,03/04/2012,11,08/01/2024,2A\n"),
    ),
    Case(
        "unlisted_file",
        ("unlisted file",),
        "A file local/notes.txt in the folder but not in the manifest",
        "Everything in the folder must be accounted for (contract §1): an unlisted file may be a list sent "
        "by mistake or a half-finished copy.",
        Rejected(("local/notes.txt", "not listed in manifest.json")),
        files=contacts(*THREE),
        after_write=_add_file("local/notes.txt", b"FREETEXT notes about CHILDX0001\n"),
    ),
    Case(
        "unknown_contract_file",
        ("unlisted file",),
        "A listed file annex_a/list_11_extra.csv that is not a file of the contract",
        "It is listed, so it is meant to be read, but it maps to no raw table: refused naming the file.",
        Rejected(("annex_a/list_11_extra.csv", "not a file of the extract contract")),
        files={**contacts(*THREE), "annex_a/list_11_extra.csv": [["Child Unique ID"], ["CHILDX0001"]]},
    ),
    Case(
        "manifest_not_json",
        ("manifest",),
        "manifest.json cut off in the middle (not valid JSON)",
        "Without a valid manifest nothing can be verified.",
        Rejected(("manifest.json", "not valid UTF-8 JSON")),
        files=contacts(*THREE),
        after_write=_replace_manifest(b'{"la_code": "E06000999", "period_end": "2024-0'),
    ),
    Case(
        "extract_date_before_period_end",
        ("manifest",),
        "extract_date 2024-03-15 before period_end 2024-03-31",
        "An extract cannot be produced before the end of the month it reports: a wrong manifest.",
        Rejected(("manifest.json", "extract_date 2024-03-15 is before period_end 2024-03-31")),
        files=contacts(*THREE),
        manifest={"extract_date": "2024-03-15"},
    ),
    Case(
        "council_not_in_lookup",
        ("unknown council",),
        f"An extract for {UNKNOWN_LA}, a well-formed ONS code that is not in the council lookup",
        "Its rows could never be joined to a council (names, population, benchmarks); refused naming the "
        "code.",
        Rejected(("manifest.json", UNKNOWN_LA, "not a known council")),
        files=contacts(*THREE),
        la_code=UNKNOWN_LA,
    ),
    Case(
        "council_folder_mismatch",
        ("unknown council",),
        "A folder under E06000045 whose manifest says E06000999",
        "Misfiled: loading it would attribute one council's children to another.",
        Rejected(("manifest.json", "does not match the council folder E06000045")),
        files=contacts(*THREE),
        la_code="E06000045",
        manifest={"la_code": LA},
    ),
    # ------------------------------------------------------------------ encodings and line ends
    Case(
        "cp1252_pound",
        ("cp1252",),
        "List 3 saved by Excel as cp1252 (not UTF-8), with '£' in the allocated team",
        "The reader sniffs UTF-8 and falls back to cp1252; the £ must come out as £, not as mojibake.",
        Loaded(
            rows={"annex_a_referrals": 2},
            keys={"annex_a_referrals": ids(1, 2)},
            probes=(
                (
                    "SELECT allocated_team FROM raw.annex_a_referrals ORDER BY source_line",
                    [("Team £5 North",), ("Café Team",)],
                ),
            ),
        ),
        files={
            REFERRALS: [REFERRAL_HEADER, referral(1, team="Team £5 North"), referral(2, team="Café Team")]
        },
        encoding="cp1252",
    ),
    Case(
        "utf8_bom",
        ("bom",),
        "List 1 as UTF-8 with a byte-order mark before the header",
        "The BOM must not become part of the first header ('\\ufeffChild Unique ID' would not match): "
        "loaded as is.",
        THREE_OK,
        files={CONTACTS: "\ufeff" + csv_text([CONTACT_HEADER, *THREE])},
    ),
    Case(
        "utf16_bom",
        ("bom", "cp1252"),
        "List 1 saved as UTF-16 LE with its BOM ('Unicode text')",
        "The BOM says how to read it; before the fix it was decoded as cp1252 and refused with a misleading "
        "'no header row found'. Loaded as is.",
        THREE_OK,
        files={CONTACTS: ("\ufeff" + csv_text([CONTACT_HEADER, *THREE], "\r\n")).encode("utf-16-le")},
    ),
    Case(
        "undecodable_bytes",
        ("cp1252",),
        "List 1 holding bytes that are neither UTF-8 nor cp1252 (0x81, 0x8D: a binary file named .csv)",
        "The file cannot be decoded: refused naming the file (the bytes are not echoed).",
        Rejected((CONTACTS, "cannot be read")),
        files={CONTACTS: csv_text([CONTACT_HEADER, contact(1)]).encode() + b"\x81\x8d\x90\xff\n"},
    ),
    Case(
        "old_mac_line_ends",
        ("blank rows",),
        "List 1 with CR-only line ends (classic Mac / some exports)",
        "Before the fix the header sniffing raised an uncaught csv.Error and stopped the whole ingest run "
        "(every other extract too); CR is a line end like LF: loaded as is.",
        THREE_OK,
        files={CONTACTS: csv_text([CONTACT_HEADER, *THREE], "\r")},
    ),
    Case(
        "semicolon_delimited",
        ("wrong header",),
        "List 1 saved with ';' as separator (a European Excel locale)",
        "Every row is one cell, so no header row is found: refused naming the file (not guessed).",
        Rejected((CONTACTS, "no header row")),
        files={CONTACTS: csv_text([CONTACT_HEADER, *THREE]).replace(",", ";")},
    ),
    # ------------------------------------------------------------------ rows
    Case(
        "blank_rows",
        ("blank rows",),
        "List 1 with an empty line, a row of commas and a row of spaces between and after the data",
        "Blank rows carry nothing; they are skipped, and the real rows keep their physical line numbers.",
        Loaded(
            rows={"annex_a_contacts": 3},
            keys={"annex_a_contacts": ids(1, 2, 3)},
            probes=(("SELECT source_line FROM raw.annex_a_contacts ORDER BY 1", [(2,), (4,), (6,)]),),
        ),
        files={
            CONTACTS: csv_text(
                [CONTACT_HEADER, THREE[0], [], THREE[1], [",,,,,,"], THREE[2], ["  ,  , ,,,,"], []]
            )
        },
    ),
    Case(
        "duplicate_rows",
        ("duplicate rows",),
        "List 1 with row 1 repeated exactly (line 5) and again with the preferred-code form of its source "
        "(line 6)",
        "A second row with the same §5 key in one file is quarantined; the first stands (contract §7), so "
        "the contact is counted once and no valid row is lost.",
        Loaded(
            rows={"annex_a_contacts": 3},
            keys={"annex_a_contacts": ids(1, 2, 3)},
            quarantine=(
                ("annex_a_contacts", 5, None, DUP_REASON, "row_quarantined"),
                ("annex_a_contacts", 6, None, DUP_REASON, "row_quarantined"),
            ),
        ),
        files=contacts(*THREE, contact(1), contact(1, source="e) 2A: Schools")),
    ),
    Case(
        "duplicate_state_key",
        ("duplicate rows",),
        "List 6 with two rows for the same child and CIN start date (one open, one closed)",
        "The key (child, CIN Start Date) names one episode; which row is true cannot be known from the file: "
        "the first stands, the second is quarantined.",
        Loaded(
            rows={"annex_a_cin": 2},
            keys={"annex_a_cin": ids(1, 2)},
            quarantine=(
                (
                    "annex_a_cin",
                    4,
                    None,
                    "duplicate key (child_key, cin_start_date) in this file",
                    "row_quarantined",
                ),
            ),
        ),
        files={
            CIN: [CIN_HEADER, cin(1, "01/11/2023"), cin(2, "02/11/2023"), cin(1, "01/11/2023", "01/02/2024")]
        },
    ),
    Case(
        "blank_child_id",
        ("duplicate rows",),
        "A List 1 row with an empty child ID",
        "A row that cannot be tied to a child cannot be counted per child; quarantined (no key), rest loads.",
        Loaded(
            rows={"annex_a_contacts": 3},
            keys={"annex_a_contacts": ids(1, 2, 3)},
            quarantine=(("annex_a_contacts", 3, "child_key", "blank child ID", "row_quarantined"),),
        ),
        files=contacts(THREE[0], contact(9, id=""), *THREE[1:]),
    ),
    # ------------------------------------------------------------------ dates
    Case(
        "excel_serial_required",
        ("excel serial dates",),
        "List 1 with the Excel serial number 45296 as a 'Date of Contact' in a CSV",
        "A bare number is not a date (1900 vs 1904 date systems, or a mis-exported count): a required date "
        "that cannot be read refuses the extract (contract §7), naming file, row and column, with a hint.",
        Rejected((CONTACTS, "row 3", "'Date of Contact'", "unparseable date", "Excel serial")),
        files=contacts(THREE[0], contact(4, date="45296")),
        secrets=("45296",),
    ),
    Case(
        "excel_serial_optional",
        ("excel serial dates",),
        "List 1 with an Excel serial number (41002) as a 'Date of Birth' (no indicator reads it there)",
        "An unparseable optional value is nulled and recorded (value_nulled); the contact still counts.",
        Loaded(
            rows={"annex_a_contacts": 3},
            keys={"annex_a_contacts": ids(1, 2, 3)},
            quarantine=(
                (
                    "annex_a_contacts",
                    3,
                    "date_of_birth",
                    "unparseable date in 'Date of Birth'",
                    "value_nulled",
                ),
            ),
            probes=(("SELECT birth_month FROM raw.annex_a_contacts WHERE source_line = 3", [(None,)]),),
        ),
        files=contacts(THREE[0], [*THREE[1][:3], "41002", *THREE[1][4:]], THREE[2]),
        secrets=("41002",),
    ),
    Case(
        "xlsx_number_cell_as_date",
        ("excel serial dates",),
        "Annex A workbook whose List 1 'Date of Contact' is a number cell (45296, no date format) in sheet "
        "row 3; rows 2 and 4 hold real date cells",
        "Date cells are dates; a number cell is an Excel serial the warehouse does not guess. Refused naming "
        "the sheet, row and column.",
        Rejected((f"{WORKBOOK}[List 1]", "row 3", "'Date of Contact'", "Excel serial")),
        files={
            WORKBOOK: workbook(
                {
                    "List 1": [
                        CONTACT_HEADER,
                        ["CHILDX0001", "a) Male", "a) WBRI", _d("2012-04-03"), 11, _d("2024-01-05"), "2A"],
                        ["CHILDX0002", "a) Male", "a) WBRI", _d("2012-04-03"), 11, 45296, "2A"],
                        ["CHILDX0003", "a) Male", "a) WBRI", _d("2012-04-03"), 11, _d("2024-01-07"), "2A"],
                    ]
                }
            )
        },
    ),
    Case(
        "us_dates_required",
        ("us dates",),
        "List 1 written MM/DD/YYYY: '01/05/2024' (ambiguous) and '12/25/2023' (a 'month' of 25, row 3)",
        "A 'month' above 12 shows the column is MM/DD; loading would silently move every ambiguous date "
        "(01/05 -> 1 May instead of 5 January). Refused naming file, column and the first such row.",
        Rejected((CONTACTS, "row 3", "'Date of Contact'", "US-style (MM/DD/YYYY)")),
        files=contacts(
            contact(1, date="01/05/2024"), contact(2, date="12/25/2023"), contact(3, date="01/07/2024")
        ),
    ),
    Case(
        "us_dates_optional",
        ("us dates",),
        "List 1 whose 'Date of Birth' column is MM/DD/YYYY ('04/13/2012' in row 4); the contact dates are "
        "fine",
        "Same rule for a column no indicator reads: nulling only the impossible values (the old behaviour) "
        "left the ambiguous birth dates misread (ages at referral wrong). Refused naming column and row.",
        Rejected((CONTACTS, "row 4", "'Date of Birth'", "US-style")),
        files=contacts(
            contact(1, dob="03/04/2012"), contact(2, dob="05/06/2011"), contact(3, dob="04/13/2012")
        ),
    ),
    Case(
        "two_digit_year",
        ("us dates",),
        "List 1 with '05/01/24' as a 'Date of Contact'",
        "A two-digit year needs a century guess; the contract says DD/MM/YYYY. Required column: refused.",
        Rejected((CONTACTS, "row 3", "'Date of Contact'", "unparseable date")),
        files=contacts(THREE[0], contact(2, date="05/01/24")),
    ),
    Case(
        "date_after_extract_date",
        ("future date",),
        "A List 1 contact dated 01/05/2024, after the extract_date 2024-04-03",
        "A record cannot be dated after the extract that holds it: quarantined with the reason; the rest "
        "loads.",
        Loaded(
            rows={"annex_a_contacts": 3},
            keys={"annex_a_contacts": ids(1, 2, 3)},
            quarantine=(
                ("annex_a_contacts", 4, "contact_date", "contact_date after extract_date", "row_quarantined"),
            ),
        ),
        files=contacts(*THREE[:2], contact(7, date="01/05/2024"), THREE[2]),
    ),
    Case(
        "date_after_period_end",
        ("future date",),
        "A List 1 contact dated 02/04/2024: after period_end 2024-03-31 but before extract_date 2024-04-03",
        "Not an error: the case system recorded it before the extract ran. Loaded as is; staging ignores "
        "records placed after period_end (contract §5), the next month's extract restates it.",
        Loaded(rows={"annex_a_contacts": 4}, keys={"annex_a_contacts": ids(1, 2, 3, 4)}),
        files=contacts(*THREE, contact(4, date="02/04/2024")),
    ),
    Case(
        "end_before_start",
        ("end before start",),
        "A List 6 episode closed (01/10/2023) before it started (01/11/2023), and a 903 episode ceasing "
        "before it commenced",
        "Impossible intervals would give negative durations and wrong open-at-month-end counts: each row is "
        "quarantined with the reason naming both columns; the other rows load.",
        Loaded(
            rows={"annex_a_cin": 1, "ssda903_episodes": 1},
            keys={"annex_a_cin": ids(1), "ssda903_episodes": ids(5)},
            quarantine=(
                (
                    "annex_a_cin",
                    3,
                    "cin_closure_date",
                    "cin_closure_date before cin_start_date",
                    "row_quarantined",
                ),
                ("ssda903_episodes", 2, "dec", "dec before decom", "row_quarantined"),
            ),
        ),
        files={
            CIN: [CIN_HEADER, cin(1, "01/11/2023"), cin(2, "01/11/2023", "01/10/2023")],
            EPISODES: [
                EPISODE_HEADER,
                episode("CHILDX0004", "01/02/2024", dec="01/01/2024", rec="E11"),
                episode("CHILDX0005", "01/02/2023"),
            ],
        },
    ),
    # ------------------------------------------------------------------ codes
    Case(
        "code_outside_set_required",
        ("code outside set",),
        "A List 1 contact source 'ZZ', a List 9 'LA In Touch' of 'g) Maybe', a 903 PLACE 'Q9'",
        "An indicator reads these codes: a row with an unknown code cannot be counted in the right place, so "
        "the row is quarantined (contract §7); the rest of each file loads.",
        Loaded(
            rows={"annex_a_contacts": 3, "annex_a_care_leavers": 1, "ssda903_episodes": 1},
            keys={
                "annex_a_contacts": ids(1, 2, 3),
                "annex_a_care_leavers": ids(1),
                "ssda903_episodes": ids(5),
            },
            quarantine=(
                (
                    "annex_a_care_leavers",
                    3,
                    "la_in_touch",
                    "value of 'LA In Touch' outside its code set",
                    "row_quarantined",
                ),
                (
                    "annex_a_contacts",
                    3,
                    "contact_source",
                    "value of 'Contact Source' outside its code set",
                    "row_quarantined",
                ),
                (
                    "ssda903_episodes",
                    3,
                    "place",
                    "value of 'PLACE' outside its code set",
                    "row_quarantined",
                ),
            ),
        ),
        files={
            **contacts(THREE[0], contact(8, source="ZZ"), *THREE[1:]),
            CARE_LEAVERS: [CARE_LEAVER_HEADER, care_leaver(1), care_leaver(2, in_touch="g) Maybe")],
            EPISODES: [
                EPISODE_HEADER,
                episode("CHILDX0005", "01/02/2023"),
                episode("CHILDX0006", "01/03/2023", place="Q9"),
            ],
        },
    ),
    Case(
        "code_outside_set_optional",
        ("code outside set",),
        "A List 1 gender 'zz) Martian' (no indicator reads gender)",
        "Only the value is nulled (value_nulled): losing the contact from M1 because of its gender code "
        "would undercount.",
        Loaded(
            rows={"annex_a_contacts": 3},
            keys={"annex_a_contacts": ids(1, 2, 3)},
            quarantine=(
                (
                    "annex_a_contacts",
                    3,
                    "gender",
                    "value of 'Gender' outside its code set",
                    "value_nulled",
                ),
            ),
            probes=(
                (
                    "SELECT gender FROM raw.annex_a_contacts ORDER BY source_line",
                    [("MALE",), (None,), ("MALE",)],
                ),
            ),
        ),
        files=contacts(THREE[0], [THREE[1][0], "zz) Martian", *THREE[1][2:]], THREE[2]),
        secrets=("Martian",),
    ),
    # ------------------------------------------------------------------ empty, truncated, XLSX
    Case(
        "empty_file",
        ("empty file",),
        "List 1 as a 0-byte file (listed in the manifest)",
        "A file without even a header says nothing, not 'no contacts': refused, so 0 is never reported for "
        "a list that was not really sent.",
        Rejected((CONTACTS, "file is empty")),
        files={CONTACTS: b""},
    ),
    Case(
        "whitespace_only_file",
        ("empty file",),
        "List 1 holding only blank lines",
        "Blank lines are not a header row: the same as a 0-byte file, refused.",
        Rejected((CONTACTS, "file is empty")),
        files={CONTACTS: "\n\r\n  \n"},
    ),
    Case(
        "header_only_file",
        ("empty file",),
        "List 1 with its header row and no data rows",
        "A valid statement that there were no contacts in the window: the list is held with 0 rows, so the "
        "mart reports 0 (not 'no data').",
        Loaded(rows={"annex_a_contacts": 0}, held=("annex_a_contacts",)),
        files=contacts(),
    ),
    Case(
        "truncated_in_quote",
        ("truncated file",),
        "List 1 cut off inside a quoted field of its last row (line 4)",
        "An unterminated quote means the rest of the file is missing: refused, naming the row where the "
        "broken record starts (before the fix the message named no row).",
        Rejected((CONTACTS, "row 4", "malformed CSV")),
        files={CONTACTS: csv_text([CONTACT_HEADER, *THREE[:2]]) + 'CHILDX0003,"a) Ma'},
    ),
    Case(
        "truncated_mid_date",
        ("truncated file",),
        "List 1 cut off in the middle of the last row's 'Date of Contact' ('05/0')",
        "The cut value is an unparseable required date: refused naming file, row and column.",
        Rejected((CONTACTS, "row 4", "'Date of Contact'", "unparseable date")),
        files={
            CONTACTS: csv_text([CONTACT_HEADER, *THREE[:2]]) + "CHILDX0003,a) Male,a) WBRI,03/04/2012,11,05/0"
        },
    ),
    Case(
        "truncated_after_id",
        ("truncated file",),
        "List 1 cut off right after the last row's child ID (no newline)",
        "Short rows are legal CSV (Excel drops trailing empty fields), so the file reads; the partial row "
        "has no placing date and is quarantined, the complete rows load.",
        Loaded(
            rows={"annex_a_contacts": 2},
            keys={"annex_a_contacts": ids(1, 2)},
            quarantine=(("annex_a_contacts", 4, "contact_date", "blank contact_date", "row_quarantined"),),
        ),
        files={CONTACTS: csv_text([CONTACT_HEADER, *THREE[:2]]) + "CHILDX0003"},
    ),
    Case(
        "xlsx_zero_bytes",
        ("zero-byte xlsx",),
        "annex_a.xlsx as a 0-byte file",
        "Not a workbook: refused naming the file (the reader's own error text is not passed on).",
        Rejected((WORKBOOK, "cannot be read as an XLSX workbook")),
        files={WORKBOOK: b""},
    ),
    Case(
        "xlsx_no_list_sheets",
        ("zero-byte xlsx",),
        "annex_a.xlsx whose only sheet is 'Sheet1'",
        "The workbook holds none of the lists it was sent for: refused rather than read as 'no lists'.",
        Rejected((WORKBOOK, "no sheet named 'List 1'")),
        files={WORKBOOK: workbook({"Sheet1": [CONTACT_HEADER, contact(1)]})},
    ),
    # ------------------------------------------------------------------ identifiers
    Case(
        "child_id_with_dot_zero",
        ("child id .0",),
        "The same child as 70012345 in a 903 CSV, '70012345.0' (Excel text) in another 903 row and as the "
        "number cell 70012345.0 in the Annex A workbook",
        "Excel turns numeric IDs into floats; trimmed, upper-cased and '.0'-stripped they are one child with "
        "one pseudonymised key across lists (contract §6).",
        Loaded(
            rows={"annex_a_contacts": 1, "ssda903_episodes": 2},
            keys={"annex_a_contacts": ("70012345",), "ssda903_episodes": ("70012345", "70012345")},
        ),
        files={
            WORKBOOK: workbook(
                {
                    "List 1": [
                        CONTACT_HEADER,
                        [70012345.0, "a) Male", "a) WBRI", _d("2012-04-03"), 11, _d("2024-01-05"), "2A"],
                    ]
                }
            ),
            EPISODES: [
                EPISODE_HEADER,
                episode("70012345", "01/02/2023", dec="01/03/2023", rec="E11"),
                episode(" 70012345.0 ", "01/04/2023"),
            ],
        },
        secrets=("70012345",),
    ),
    Case(
        "huge_field_dropped_or_nulled",
        ("huge field",),
        "1 MB cells: in an extra 'Case Notes' column, in the optional 'Ethnicity', and in the "
        "required 'Contact Source'",
        "No crash and no echo: the unknown column is dropped, the optional code is nulled (value_nulled), "
        "the row whose required code is 1 MB of garbage is quarantined; messages stay short.",
        Loaded(
            rows={"annex_a_contacts": 3},
            keys={"annex_a_contacts": ids(1, 2, 3)},
            quarantine=(
                (
                    "annex_a_contacts",
                    3,
                    "ethnicity",
                    "value of 'Ethnicity' outside its code set",
                    "value_nulled",
                ),
                (
                    "annex_a_contacts",
                    5,
                    "contact_source",
                    "value of 'Contact Source' outside its code set",
                    "row_quarantined",
                ),
            ),
        ),
        files=contacts(
            [*THREE[0], f"FREETEXT {HUGE}"],
            [*contact(2, ethnicity=HUGE, date="06/01/2024"), ""],
            [*THREE[2], ""],
            [*contact(9, source=HUGE), ""],
            header=[*CONTACT_HEADER, "Case Notes"],
        ),
        secrets=(HUGE_MARK,),
    ),
    Case(
        "huge_field_in_required_date",
        ("huge field",),
        "A 1 MB cell as the 'Date of Contact' of row 3",
        "An unparseable required date refuses the extract; the message names the row and column and does not "
        "echo the megabyte.",
        Rejected((CONTACTS, "row 3", "'Date of Contact'", "unparseable date")),
        files=contacts(THREE[0], contact(2, date=HUGE)),
        secrets=(HUGE_MARK,),
    ),
    Case(
        "huge_field_unterminated_quote",
        ("huge field", "truncated file"),
        "A row opening a quote followed by 1 MB and no closing quote (beyond the csv module's field limit)",
        "Refused as malformed, naming the row (the field-size error of the row locator is handled).",
        Rejected((CONTACTS, "row 3", "malformed CSV")),
        files={CONTACTS: csv_text([CONTACT_HEADER, THREE[0]]) + f'CHILDX0002,a) Male,"{HUGE}\n'},
        secrets=(HUGE_MARK,),
    ),
    # ------------------------------------------------------------------ through the mart
    Case(
        "month_without_extract",
        ("month without extract",),
        "A council whose monthly drop for one month never arrived (the months before and after did)",
        "The mart must say 'no data' (no_snapshot) for that month's snapshot indicators, never 0; event "
        "indicators of that month are still reported from the next drop, whose window covers the month. "
        "Checked through the real dbt build (test_bad_input.py::test_month_without_extract_reports_no_data).",
        MartNoData(("no_snapshot", "source_not_supplied")),
    ),
)

FILE_CASES = tuple(c for c in CASES if not isinstance(c.expect, MartNoData))
REJECTED_CASES = tuple(c for c in FILE_CASES if isinstance(c.expect, Rejected))

#: The items of the issue; test_bad_input checks each has at least one case.
ISSUE_TOPICS = (
    "wrong header", "missing header", "extra column", "reordered column", "missing list", "hash mismatch",
    "unlisted file", "cp1252", "bom", "blank rows", "excel serial dates", "us dates", "future date",
    "end before start", "code outside set", "duplicate rows", "empty file", "truncated file",
    "zero-byte xlsx", "child id .0", "huge field", "month without extract", "unknown council",
)  # fmt: skip


def describe() -> str:
    """The corpus as a Markdown table (for the README and the report)."""
    lines = ["| case | input | expected | why |", "|---|---|---|---|"]
    for c in CASES:
        if isinstance(c.expect, Rejected):
            outcome = "rejected: " + "; ".join(c.expect.fragments)
        elif isinstance(c.expect, Loaded):
            q = c.expect.quarantine
            outcome = f"loaded {sum(c.expect.rows.values())} row(s)"
            if q:
                outcome += "; " + "; ".join(
                    f"{t} line {line}: {reason} ({action})" for t, line, _, reason, action in q
                )
            else:
                outcome += " as is"
        else:
            outcome = "mart: " + " / ".join(c.expect.reasons)
        lines.append(f"| {c.name} | {c.what} | {outcome} | {c.why} |")
    return "\n".join(lines)


if __name__ == "__main__":  # cd tests && ../.venv/bin/python -m bad_input.cases
    print(describe())
