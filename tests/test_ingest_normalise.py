"""Unit tests of the ingest readers and normalisers (headers, codes, dates, IDs, pseudonyms)."""

from __future__ import annotations

import datetime as dt
import uuid

import duckdb
import pandas as pd
import pytest
import xlsxwriter

from ingest.normalise import code_of, normalise_codes, normalise_ids, parse_dates, parse_integers
from ingest.pseudonymise import pseudonym
from ingest.readers import FileRejected, decode_bytes, read_csv, read_xlsx
from ingest.schema import (
    IN_TOUCH,
    RAW_TABLES,
    SOURCE,
    SUITABILITY,
    YES_NO_UNKNOWN,
    Kind,
    create_raw_schema,
    normalise_header,
)
from ingest.settings import DEMO_KEY, MissingKeyError, Settings


# ---------------------------------------------------------------------------------------------- schema
def test_create_raw_schema_is_idempotent_and_complete():
    con = duckdb.connect()
    create_raw_schema(con)
    create_raw_schema(con)
    tables = {
        r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name='raw'").fetchall()
    }
    assert set(RAW_TABLES) <= tables
    assert {"extracts", "extract_tables", "quarantine", "rejected_extracts", "commentary"} <= tables
    cols = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE schema_name='raw' AND table_name='annex_a_referrals' ORDER BY column_index"
    ).fetchall()
    assert cols[:5] == [
        ("la_code", "VARCHAR"),
        ("extract_id", "VARCHAR"),
        ("source_file", "VARCHAR"),
        ("source_line", "INTEGER"),
        ("child_key", "UUID"),
    ]
    assert ("age_at_referral", "INTEGER") in cols and ("birth_month", "DATE") in cols
    assert not any("birth" in c and c != "birth_month" for c, _ in cols)


def test_a_warehouse_with_text_pseudonyms_has_them_converted_to_the_same_uuids():
    """Before decision 25 a pseudonym was its 32 hex digits as VARCHAR: create_raw_schema converts such key
    columns in place, to the UUID of the same 128 bits (what ingest now writes for the same child)."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw")
    con.execute("CREATE TABLE raw.annex_a_cla (la_code VARCHAR, child_key VARCHAR)")
    con.execute("CREATE TABLE raw.local_foster_carers (la_code VARCHAR, household_key VARCHAR)")
    key = pseudonym(b"k" * 32, "E06000999", "AB12")
    con.execute("INSERT INTO raw.annex_a_cla VALUES ('E06000999', ?)", [key.hex])
    con.execute("INSERT INTO raw.local_foster_carers VALUES ('E06000999', ?)", [key.hex])
    create_raw_schema(con)
    assert con.execute("SELECT child_key FROM raw.annex_a_cla").fetchall() == [(key,)]
    assert con.execute("SELECT household_key FROM raw.local_foster_carers").fetchall() == [(key,)]
    types = con.execute(
        "SELECT DISTINCT data_type FROM duckdb_columns() WHERE schema_name = 'raw' "
        "AND column_name IN ('child_key', 'household_key')"
    ).fetchall()
    assert types == [("UUID",)]


def test_settings_key_required_unless_demo():
    with pytest.raises(MissingKeyError, match="CSC_PSEUDONYMISATION_KEY"):
        Settings.from_env({})
    demo = Settings.from_env({"CSC_DEMO": "1", "CSC_DATA_DIR": "/x"})
    assert demo.pseudonymisation_key == DEMO_KEY
    assert str(demo.warehouse_path) == "/x/warehouse.duckdb"
    assert str(demo.landing_dir) == "/x/landing"
    own = Settings.from_env({"CSC_DEMO": "1", "CSC_PSEUDONYMISATION_KEY": "mine"})
    assert own.pseudonymisation_key == "mine"
    assert "mine" not in repr(own)


# ---------------------------------------------------------------------------------------------- headers
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("LA In Touch ", "la in touch"),
        ("  Case  Status", "case status"),
        (
            "Number of Episodes the Child has been \u2018Missing\u2019",
            "number of episodes the child has been 'missing'",
        ),
        ("Child\u2019s Legal Status", "child's legal status"),
        ("Referral NFA?", "referral nfa"),
        (
            "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N))",
            "unaccompanied asylum seeking child (uasc) within the last 12 months (y/n)",
        ),
    ],
)
def test_normalise_header(raw, expected):
    assert normalise_header(raw) == expected


def _write_csv(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_title_row_case_spaces_extra_and_reordered_columns(tmp_path):
    path = _write_csv(
        tmp_path / "c.csv",
        "List 1: Contacts,,,\n"
        "contact source ,Extra column,CHILD UNIQUE ID,Date  of Contact\n"
        "e) 2A: Schools,zzz,a1,05/01/2024\n",
    )
    frame = read_csv(path, RAW_TABLES["annex_a_contacts"], "c.csv")
    assert frame.header_line == 2
    assert list(frame.lines) == [3]
    assert set(frame.data.columns) == {"contact_source", "child_id", "contact_date"}  # extra column dropped
    assert frame.data.loc[0, "child_id"] == "a1"
    assert "gender" in frame.missing_optional


def test_csv_encodings_bom_and_cp1252(tmp_path):
    header = "Child Unique ID,Child\u2019s Legal Status,Date of Last Social Work Visit\n"
    row = "X1,C2: FCO,01/02/2024\n"
    for encoding in ("utf-8-sig", "cp1252", "utf-8"):
        path = _write_csv(tmp_path / f"{encoding}.csv", header + row, encoding)
        frame = read_csv(path, RAW_TABLES["annex_a_cla"], path.name)
        assert frame.data.loc[0, "legal_status"] == "C2: FCO"
    assert decode_bytes(b"\xef\xbb\xbfab") == "ab"
    assert decode_bytes("caf\u00e9".encode("cp1252")) == "caf\u00e9"


def test_missing_required_column_names_file_row_and_column(tmp_path):
    path = _write_csv(tmp_path / "c.csv", "List 1,\nChild Unique ID,Contact Source\nA,6\n")
    with pytest.raises(FileRejected) as err:
        read_csv(path, RAW_TABLES["annex_a_contacts"], "annex_a/list_01_contacts.csv")
    message = str(err.value)
    assert "annex_a/list_01_contacts.csv" in message and "'Date of Contact'" in message and "row 2" in message


LIST9_2019 = [
    "Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
    "Does the Child have a Disability", "Allocated Team", "Allocated Worker", "Eligibility Category",
    "LA In Touch ", "Type of Accommodation", "Suitability of Accommodation", "Activity Status",
]  # fmt: skip
LIST9_CURRENT = [
    "Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age",
    "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N))",
    "Does the Child have a Disability", "Allocated Team", "Allocated Worker", "Allocated Personal Advisor",
    "Eligibility Category", "Latest Pathway Plan Review Date", "LA in Touch", "Latest Date of Contact",
    "Type of Accommodation", "Suitability of Accommodation", "Activity Status",
]  # fmt: skip


@pytest.mark.parametrize("headers", [LIST9_2019, LIST9_CURRENT], ids=["2019", "current"])
def test_list9_both_templates(tmp_path, headers):
    values = {
        "Child Unique ID": "CL1",
        "LA In Touch ": "a) Yes",
        "LA in Touch": "a) Yes",
        "Suitability of Accommodation": "b) Unsuitable",
        "Latest Pathway Plan Review Date": "01/03/2024",
        "Type of Accommodation": "D: Semi-independent",
    }
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["List 9: Care leavers"])
    writer.writerow(headers)
    writer.writerow([values.get(h, "") for h in headers])
    path = _write_csv(tmp_path / "l9.csv", buf.getvalue())
    frame = read_csv(path, RAW_TABLES["annex_a_care_leavers"], "l9.csv")
    assert frame.data.loc[0, "la_in_touch"] == "a) Yes"
    assert code_of(frame.data.loc[0, "la_in_touch"], IN_TOUCH) == "YES"
    assert code_of(frame.data.loc[0, "accommodation_suitability"], SUITABILITY) == "UNSUITABLE"
    if headers is LIST9_CURRENT:
        assert frame.data.loc[0, "latest_pathway_plan_review_date"] == "01/03/2024"
    else:
        assert "latest_pathway_plan_review_date" in frame.missing_optional


def test_xlsx_sheets_title_row_date_cells_and_numeric_ids(tmp_path):
    path = tmp_path / "annex_a.xlsx"
    wb = xlsxwriter.Workbook(path)
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws = wb.add_worksheet("List_1")
    ws.write_row(0, 0, ["List 1: Contacts"])
    ws.write_row(1, 0, ["Child Unique ID", "Gender", "Date of Contact", "Contact Source", "Age"])
    ws.write_number(2, 0, 1234)
    ws.write(2, 1, "a) Male")
    ws.write_datetime(2, 2, dt.datetime(2024, 1, 5), date_fmt)
    ws.write(2, 3, "q) 6: Police")
    ws.write_number(3, 0, 5678.0)
    ws.write(3, 2, "06/01/2024")
    ws.write(3, 3, "6")
    wb.add_worksheet("Guidance").write(0, 0, "not a list")
    ws3 = wb.add_worksheet("List 3")
    ws3.write_row(0, 0, ["Child Unique ID", "Date of Birth", "Date of referral"])
    wb.close()
    sheets = read_xlsx(path, "annex_a.xlsx")
    assert sorted(sheets) == [1, 3]
    contacts = sheets[1]
    assert contacts.source_file == "annex_a.xlsx[List_1]"
    assert list(contacts.lines) == [3, 4]  # sheet rows
    assert len(sheets[3]) == 0  # a held list with no rows
    dates, bad = parse_dates(contacts.data["contact_date"])
    assert not bad.any()
    assert list(dates.dt.date) == [dt.date(2024, 1, 5), dt.date(2024, 1, 6)]
    assert list(normalise_ids(contacts.data["child_id"])) == ["1234", "5678"]


# ---------------------------------------------------------------------------------------------- codes
@pytest.mark.parametrize(
    ("raw", "codes", "expected"),
    [
        ("e) 2A: Schools", SOURCE, "2A"),
        ("m) 4: Housing", SOURCE, "4"),
        ("2A", SOURCE, "2A"),
        ("  p1) 5D: LA services ", SOURCE, "5D"),
        ("a) Yes", YES_NO_UNKNOWN, "YES"),
        ("Y", YES_NO_UNKNOWN, "YES"),
        ("n", YES_NO_UNKNOWN, "NO"),
        ("c) Unknown", YES_NO_UNKNOWN, "UNKNOWN"),
        ("b) Unsuitable", SUITABILITY, "UNSUITABLE"),
        ("d) Refu", IN_TOUCH, "REFU"),
        ("N1 - Abuse or neglect", RAW_TABLES["annex_a_cin"].source_column("primary_need_code").codes, "N1"),
        ("u) X1:CodeError", RAW_TABLES["annex_a_cla"].source_column("reason_ceased").codes, "X1"),
        ("e) PR4: Private provision", None, "PR4"),
        ("Y", RAW_TABLES["annex_a_care_leavers"].source_column("accommodation_type").codes, "Y"),
        ("", SOURCE, None),
    ],
)
def test_code_of(raw, codes, expected):
    assert code_of(raw, codes) == expected


def test_normalise_codes_flags_values_outside_the_set():
    values = pd.Series(["e) 2A: Schools", "ZZ", None, "6", "ZZ"])
    out, bad = normalise_codes(values, SOURCE)
    assert list(out) == ["2A", None, None, "6", None]
    assert list(bad) == [False, True, False, False, True]


# ---------------------------------------------------------------------------------------------- dates
def test_parse_dates_formats():
    values = pd.Series(
        [
            "05/01/2024",
            "5/1/2024",
            "2024-01-05",
            "2024-01-05 00:00:00",
            dt.datetime(2024, 1, 5, 13, 0),
            pd.Timestamp("2024-01-05"),
            "",
            None,
            "31/02/2024",
            "45296",
            45296,
            "05/01/24",
            "01/01/1800",
        ],
        dtype=object,
    )
    out, bad = parse_dates(values)
    expected = [dt.date(2024, 1, 5)] * 6
    assert list(out.iloc[:6].dt.date) == expected
    assert out.iloc[6:].isna().all()
    # blank is missing, not bad; impossible dates, serial numbers, 2-digit years, out of range are bad
    assert list(bad) == [False] * 8 + [True] * 5


def test_parse_timestamps_mash():
    values = pd.Series(["05/01/2024 14:30", "2024-01-05T09:05:10", "05/01/2024", "xx"], dtype=object)
    out, bad = parse_dates(values, with_time=True)
    assert out.iloc[0] == pd.Timestamp("2024-01-05 14:30")
    assert out.iloc[1] == pd.Timestamp("2024-01-05 09:05:10")
    assert list(bad) == [False, False, True, True]  # a date without a time is not a MASH timestamp
    _, bad = parse_dates(
        pd.Series(["05/01/2024 24:00", "05/01/2024 10:60", "5/1/2024 24:00:00.5"]), with_time=True
    )
    assert bad.all()  # an hour above 23 or a minute above 59 is unparseable, not carried into the next


def test_parse_integers():
    out, bad = parse_integers(pd.Series(["2", "1.0", 3.0, "", "two"], dtype=object))
    assert list(out.iloc[:3]) == [2, 1, 3] and out.iloc[3] is pd.NA
    assert list(bad) == [False, False, False, False, True]


_DATE_TEXTS = [
    "05/01/2024",
    "5/1/2024",
    "2024-01-05",
    "2024-1-5",
    "29/02/2024",
    "29/02/2023",
    "31/04/2024",
    "00/01/2024",
    "05/13/2024",
    "12/25/2023",
    "05/01/24",
    "05/01/0024",
    "05/01/02024",
    "01/01/1899",
    "01/01/1900",
    "31/12/2100",
    "01/01/2101",
    " 05/01/2024",
    "05/01/2024 ",
    "05/01/2024 14:30",
    "05/01/2024 14:30:59",
    "5/1/2024 4:30",
    "2024-01-05 14:30:59",
    "2024-01-05T14:30:59",
    "2024-01-05 14:30",
    "05/01/2024 24:00",
    "05/01/2024 23:60",
    "05/01/2024 23:59:60",
    "05/01/2024 14:30:00.5",
    "05/01/2024  14:30",
    "45296",
    "xx",
    "",
]


@pytest.mark.parametrize(
    ("table_name", "field"),
    [
        ("local_mash", "referral_received"),
        ("annex_a_contacts", "contact_date"),
        ("annex_a_contacts", "date_of_birth"),
    ],
)
def test_duckdb_common_date_forms_give_the_python_rules_values(table_name, field):
    """ingest.transform parses a date column's common forms in DuckDB and the rest with parse_dates: every
    text's map entry (value, unparseable) equals parse_dates's answer for it."""
    from ingest.staging import create_stage_tables, insert_rows
    from ingest.transform import _build_maps

    table = RAW_TABLES[table_name]
    col = next(c for c in table.source if c.field == field)
    con = duckdb.connect()
    create_stage_tables(con, [table])
    insert_rows(
        con,
        "stage_files",
        ["file_id", "extract_no", "table_name", "source_file", "line_offset"],
        [[1, 1, table_name, "f.csv", 0]],
    )
    insert_rows(
        con,
        f"stage_{table_name}",
        ["file_id", "n", field],
        [[1, i + 2, t] for i, t in enumerate(_DATE_TEXTS)],
    )
    _build_maps(con, table)
    got = dict(
        (raw, (val, bad))
        for raw, val, bad in con.execute(f"SELECT raw, val, bad FROM map_{table_name}__{field}").fetchall()
    )
    with_time = col.kind is Kind.TIMESTAMP
    expected, unparseable = parse_dates(pd.Series(_DATE_TEXTS, dtype=object), with_time=with_time)
    assert set(got) == set(_DATE_TEXTS)
    for text, value, is_bad in zip(_DATE_TEXTS, expected, unparseable, strict=True):
        want = None if pd.isna(value) else (value.to_pydatetime() if with_time else value.date())
        assert got[text] == (want, bool(is_bad)), text
    # the corpus holds both parseable and unparseable texts, so neither kind of answer goes untested
    assert sum(not b for _, b in got.values()) >= 4 and sum(b for _, b in got.values()) >= 8


# ---------------------------------------------------------------------------------------------- IDs, keys
def test_child_ids_trim_case_and_trailing_point_zero():
    values = pd.Series([" ab12 ", "AB12.0", 1234.0, "1234", "ab12", "", None], dtype=object)
    assert list(normalise_ids(values)) == ["AB12", "AB12", "1234", "1234", "AB12", None, None]


def test_ids_of_capitals_and_digits_are_their_own_normal_form():
    """ingest.transform passes such texts through without calling normalise_ids."""
    import re

    from ingest.transform import _NORMAL_ID

    texts = ["AB12", "1234", "0", "X9Y8Z7", "ab12", "12.0", " 12", "A B"]
    normal = [t for t in texts if re.fullmatch(_NORMAL_ID, t)]
    assert normal == ["AB12", "1234", "0", "X9Y8Z7"]
    assert list(normalise_ids(pd.Series(normal, dtype=object))) == normal


def test_pseudonym_is_keyed_and_qualified_by_la_code():
    key = b"k1"
    a = pseudonym(key, "E06000999", "AB12")
    assert isinstance(a, uuid.UUID)
    assert a != pseudonym(key, "E06000045", "AB12")
    assert a != pseudonym(b"k2", "E06000999", "AB12")
    import hashlib
    import hmac

    assert a.hex == hmac.new(key, b"E06000999:AB12", hashlib.sha256).hexdigest()[:32]  # its first 128 bits


@pytest.mark.parametrize("key_length", [2, 32, 64, 65, 200])
def test_duckdb_hmac_equals_python_hmac(key_length):
    """Ingest hashes in DuckDB with the HMAC pads of transform.hmac_pads (keys longer than a SHA-256 block
    are hashed first, RFC 2104): the result equals Python's hmac for every key length."""
    import duckdb

    from ingest.transform import HMAC_SQL, hmac_pads

    key = bytes(range(256))[:key_length]
    outer, inner = hmac_pads(key)
    con = duckdb.connect()
    con.execute("CREATE TABLE pairs (la_code VARCHAR, id VARCHAR)")
    ids = [("E06000999", "AB12"), ("E09000033", "12345"), ("E06000999", "Ünïcode-ID")]
    con.executemany("INSERT INTO pairs VALUES (?, ?)", ids)
    got = con.execute(f"SELECT {HMAC_SQL} FROM pairs", {"outer": outer, "inner": inner}).fetchall()
    assert [g[0] for g in got] == [pseudonym(key, la, i) for la, i in ids]


def test_age_at_referral_and_birth_month_from_the_full_date_of_birth(landing, ingest_settings):
    """Age at last birthday (a leap-day birthday counts from 1 March in a common year), -1 for an unborn
    child, missing when the birth date is missing; the birth date itself is reduced to its month."""
    import duckdb
    from conftest import write_extract

    from ingest.load import ingest_landing

    header = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
              "Date of referral", "Referral Source", "Referral NFA?",
              "Number of Referrals in Last 12 Months"]  # fmt: skip
    cases = [  # id, dob, referral date, expected age
        ("C1", "15/03/2010", "14/03/2024", 13),
        ("C2", "15/03/2010", "15/03/2024", 14),
        ("C3", "29/02/2012", "28/02/2023", 10),
        ("C4", "01/01/2025", "01/06/2024", -1),
        ("C5", "", "01/01/2024", None),
    ]
    rows = [header] + [[c, "a) Male", "a) WBRI", dob, "", ref, "a) 1A: Individual", "b) No", "0"]
                       for c, dob, ref, _ in cases]  # fmt: skip
    write_extract(landing, "E06000999", "2024-06", {"annex_a/list_03_referrals.csv": rows},
                  period_end="2024-06-30", extract_date="2024-07-02", window_start="2023-01-01")  # fmt: skip
    report = ingest_landing(ingest_settings)
    assert report.rows_per_table == {"annex_a_referrals": 5}, report.summary_lines()
    con = duckdb.connect(str(ingest_settings.warehouse_path), read_only=True)
    got = con.execute(
        "SELECT source_line, age_at_referral, birth_month FROM raw.annex_a_referrals ORDER BY 1"
    ).fetchall()
    assert [g[1] for g in got] == [c[3] for c in cases]
    assert [str(g[2]) for g in got] == ["2010-03-01", "2010-03-01", "2012-02-01", "2025-01-01", "None"]
