"""End-to-end tests of ingest over tiny hand-written extracts (tmp_path landing, archive and warehouse)."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import duckdb
import pytest
from conftest import TEST_KEY, write_extract

from ingest.cli import main as cli_main
from ingest.load import ingest_landing
from ingest.pseudonymise import pseudonym
from ingest.schema import RAW_TABLES

LA = "E06000999"
LA2 = "E06000045"

CONTACT_HEADER = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
                  "Date of Contact", "Contact Source"]  # fmt: skip
REFERRAL_HEADER = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
                   "Date of referral", "Referral Source", "Referral NFA?", "Allocated Team",
                   "Allocated Worker"]  # fmt: skip


def small_extract(contact_rows=None) -> dict:
    contacts = contact_rows or [
        ["RAWIDAAA1", "a) Male", "a) WBRI", "03/04/2012", "11", "05/01/2024", "e) 2A: Schools"],
        ["rawidaaa2.0 ", "b) Female", "WBRI", "2016-03-04", "7", "2024-01-06", "q) 6: Police"],
    ]
    return {
        "annex_a/list_01_contacts.csv": [["List 1: Contacts"], CONTACT_HEADER, *contacts],
        "annex_a/list_03_referrals.csv": [
            REFERRAL_HEADER,
            [
                "RAWIDAAA1",
                "a) Male",
                "a) WBRI",
                "03/04/2012",
                "11",
                "10/01/2024",
                "2A",
                "b) No",
                "TEAMMARKER42",
                "Worker Name",
            ],
        ],
        "ssda903/episodes.csv": [
            [
                "CHILD",
                "DECOM",
                "RNE",
                "LS",
                "CIN",
                "PLACE",
                "PLACE_PROVIDER",
                "DEC",
                "REC",
                "REASON_PLACE_CHANGE",
                "HOME_POST",
                "PL_POST",
                "URN",
            ],
            [
                "RAWIDAAA3",
                "01/02/2023",
                "S",
                "C2",
                "N1",
                "U4",
                "PR4",
                "",
                "",
                "",
                "AB1 2CD",
                "AB3 4EF",
                "SC1",
            ],
        ],
    }


def query(settings, sql, params=None):
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def table_counts(settings) -> dict[str, int]:
    names = [*RAW_TABLES, "extracts", "extract_tables", "quarantine", "rejected_extracts", "commentary"]
    return {n: query(settings, f"SELECT count(*) FROM raw.{n}")[0][0] for n in names}


def checksum(settings, table: str) -> str:
    return query(
        settings,
        "SELECT md5(coalesce(string_agg(CAST(t AS VARCHAR), '|' ORDER BY CAST(t AS VARCHAR)), '')) "
        f"FROM raw.{table} t",
    )[0][0]


# ---------------------------------------------------------------------------------------------- happy path
def test_loads_extract_with_codes_dates_keys_and_no_raw_ids(landing, ingest_settings):
    write_extract(landing, LA, "2024-03", small_extract())
    report = ingest_landing(ingest_settings)
    assert len(report.loaded) == 1 and not report.rejected
    assert report.rows_per_table == {"annex_a_contacts": 2, "annex_a_referrals": 1, "ssda903_episodes": 1}

    rows = query(
        ingest_settings,
        "SELECT child_key, gender, ethnicity, birth_month, contact_date, contact_source, source_line "
        "FROM raw.annex_a_contacts ORDER BY source_line",
    )
    key = TEST_KEY.encode()
    assert rows[0][0] == pseudonym(key, LA, "RAWIDAAA1")
    assert rows[1][0] == pseudonym(key, LA, "RAWIDAAA2")  # trimmed, upper-cased, '.0' removed
    assert [r[1:6] for r in rows] == [
        ("MALE", "WBRI", _d("2012-04-01"), _d("2024-01-05"), "2A"),
        ("FEMALE", "WBRI", _d("2016-03-01"), _d("2024-01-06"), "6"),
    ]
    assert [r[6] for r in rows] == [3, 4]  # title row + header row above
    ref = query(
        ingest_settings, "SELECT age_at_referral, referral_nfa, allocated_team FROM raw.annex_a_referrals"
    )
    assert ref == [(11, "NO", "TEAMMARKER42")]
    extract = query(
        ingest_settings, "SELECT extract_id, la_code, period_end, folder, manifest_sha256 FROM raw.extracts"
    )
    manifest_bytes = (landing / LA / "2024-03" / "manifest.json").read_bytes()
    import hashlib

    sha = hashlib.sha256(manifest_bytes).hexdigest()
    assert extract == [(sha[:16], LA, _d("2024-03-31"), f"{LA}/2024-03", sha)]
    held = query(
        ingest_settings, "SELECT table_name, source_file, rows_loaded FROM raw.extract_tables ORDER BY 1"
    )
    assert held == [
        ("annex_a_contacts", "annex_a/list_01_contacts.csv", 2),
        ("annex_a_referrals", "annex_a/list_03_referrals.csv", 1),
        ("ssda903_episodes", "ssda903/episodes.csv", 1),
    ]

    # no raw child ID (nor worker name, postcode, full DOB) anywhere in the warehouse file after CHECKPOINT
    con = duckdb.connect(str(ingest_settings.warehouse_path))
    con.execute("CHECKPOINT")
    con.close()
    data = ingest_settings.warehouse_path.read_bytes()
    assert b"TEAMMARKER42" in data  # control: a kept value of the same shape is findable in the bytes
    for raw in (b"RAWIDAAA", b"rawidaaa", b"Worker Name", b"AB3 4EF", b"03/04/2012"):
        assert raw not in data

    # archive: every file as received, content-addressed, owner-only
    for path in (landing / LA / "2024-03").rglob("*"):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            archived = ingest_settings.archive_dir / digest[:2] / digest
            assert archived.read_bytes() == path.read_bytes()
            assert stat.S_IMODE(archived.stat().st_mode) == 0o600
            assert stat.S_IMODE(archived.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(ingest_settings.warehouse_path.stat().st_mode) == 0o600


def _d(text):
    import datetime as dt

    return dt.date.fromisoformat(text)


def test_reingest_is_idempotent(landing, ingest_settings):
    write_extract(landing, LA, "2024-03", small_extract())
    ingest_landing(ingest_settings)
    counts = table_counts(ingest_settings)
    sums = {t: checksum(ingest_settings, t) for t in [*RAW_TABLES, "extract_tables", "quarantine"]}
    again = ingest_landing(ingest_settings)
    assert not again.loaded and [r.message for r in again.skipped] == ["already ingested"]
    assert table_counts(ingest_settings) == counts
    assert {t: checksum(ingest_settings, t) for t in sums} == sums
    # the same extract copied to another folder is the same extract_id: still skipped
    write_extract(landing, LA, "copy-of-2024-03", small_extract())
    copy = ingest_landing(ingest_settings)
    assert [(r.folder, r.status, r.message) for r in copy.extracts if "copy" in r.folder] == [
        (f"{LA}/copy-of-2024-03", "skipped", "already ingested")
    ]
    assert table_counts(ingest_settings) == counts


# ---------------------------------------------------------------------------------------------- rejections
def _assert_nothing_loaded(settings):
    counts = table_counts(settings)
    assert all(counts[t] == 0 for t in RAW_TABLES)
    assert counts["extracts"] == counts["extract_tables"] == counts["quarantine"] == 0
    assert counts["rejected_extracts"] == 1


def test_sha256_mismatch_rejects_naming_the_file(landing, ingest_settings):
    folder = write_extract(landing, LA, "2024-03", small_extract())
    with (folder / "annex_a/list_03_referrals.csv").open("a") as fh:
        fh.write("RAWIDAAA9,,,,,,,,,\n")
    report = ingest_landing(ingest_settings)
    assert len(report.rejected) == 1
    assert "annex_a/list_03_referrals.csv" in report.rejected[0].message
    assert "sha256" in report.rejected[0].message
    _assert_nothing_loaded(ingest_settings)
    msg = query(ingest_settings, "SELECT la_code, folder, message FROM raw.rejected_extracts")
    assert msg[0][:2] == (LA, f"{LA}/2024-03") and "list_03_referrals.csv" in msg[0][2]


def test_unlisted_file_rejects_naming_the_file(landing, ingest_settings):
    folder = write_extract(landing, LA, "2024-03", small_extract())
    (folder / "local").mkdir()
    (folder / "local" / "notes.txt").write_text("hello")
    report = ingest_landing(ingest_settings)
    assert len(report.rejected) == 1 and "local/notes.txt" in report.rejected[0].message
    assert "not listed" in report.rejected[0].message
    _assert_nothing_loaded(ingest_settings)


def test_missing_listed_file_rejects_naming_the_file_and_is_not_retried(landing, ingest_settings):
    folder = write_extract(landing, LA, "2024-03", small_extract())
    (folder / "ssda903/episodes.csv").unlink()
    report = ingest_landing(ingest_settings)
    assert len(report.rejected) == 1 and "ssda903/episodes.csv" in report.rejected[0].message
    assert "missing" in report.rejected[0].message
    _assert_nothing_loaded(ingest_settings)
    # not retried while the manifest is unchanged
    again = ingest_landing(ingest_settings)
    assert not again.rejected and [r.message for r in again.skipped] == [
        "rejected before, manifest unchanged"
    ]
    assert table_counts(ingest_settings)["rejected_extracts"] == 1
    # a corrected manifest is tried again and loads
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["files"]["ssda903/episodes.csv"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    fixed = ingest_landing(ingest_settings)
    assert len(fixed.loaded) == 1 and fixed.rows_per_table == {"annex_a_contacts": 2, "annex_a_referrals": 1}


def test_missing_required_column_rejects_naming_file_and_column(landing, ingest_settings):
    files = small_extract()
    files["annex_a/list_01_contacts.csv"] = [
        [h for h in CONTACT_HEADER if h != "Date of Contact"],
        ["RAWIDAAA1", "a) Male", "a) WBRI", "03/04/2012", "11", "e) 2A: Schools"],
    ]
    write_extract(landing, LA, "2024-03", files)
    report = ingest_landing(ingest_settings)
    message = report.rejected[0].message
    assert "annex_a/list_01_contacts.csv" in message and "'Date of Contact'" in message and "row 1" in message
    _assert_nothing_loaded(ingest_settings)


def test_unparseable_required_date_rejects_naming_file_row_and_column(landing, ingest_settings):
    rows = [
        ["RAWIDAAA1", "a) Male", "a) WBRI", "03/04/2012", "11", "05/01/2024", "2A"],
        ["RAWIDAAA2", "a) Male", "a) WBRI", "03/04/2012", "11", "45296", "2A"],  # Excel serial in a CSV
    ]
    write_extract(landing, LA, "2024-03", small_extract(rows))
    message = ingest_landing(ingest_settings).rejected[0].message
    assert "annex_a/list_01_contacts.csv" in message and "row 4" in message and "'Date of Contact'" in message
    assert "RAWIDAAA2" not in message and "45296" not in message
    _assert_nothing_loaded(ingest_settings)


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ({"la_code": LA2}, "does not match"),
        ({"period_end": "2024-03-30"}, "last day of a month"),
        ({"extract_date": "31/03/2024"}, "'extract_date'"),
        ({"files": {}}, "'files'"),
    ],
)
def test_bad_manifest_rejected(landing, ingest_settings, override, fragment):
    write_extract(landing, LA, "2024-03", small_extract(), manifest_overrides=override)
    report = ingest_landing(ingest_settings)
    assert len(report.rejected) == 1 and fragment in report.rejected[0].message
    _assert_nothing_loaded(ingest_settings)


def test_unknown_council_rejected(landing, ingest_settings):
    write_extract(landing, "E06099999", "2024-03", small_extract())
    report = ingest_landing(ingest_settings)
    assert "not a known council" in report.rejected[0].message


# ---------------------------------------------------------------------------------------------- quarantine
def test_quarantined_rows_trace_to_the_real_line(landing, ingest_settings):
    rows = [
        ["QOK1", "a) Male", "a) WBRI", "03/04/2012", "11", "05/01/2024", "2A"],
        [
            "QOK2",
            "a) Male",
            '"multi\nline" ethnicity',
            "03/04/2012",
            "11",
            "05/01/2024",
            "2A",
        ],  # quoted newline
        ["QBADCODE", "a) Male", "a) WBRI", "03/04/2012", "11", "05/01/2024", "ZZ"],
        ["", "a) Male", "a) WBRI", "03/04/2012", "11", "06/01/2024", "2A"],
        ["QOK1", "a) Male", "a) WBRI", "03/04/2012", "11", "05/01/2024", "e) 2A: Schools"],  # duplicate key
        ["QFUTURE", "a) Male", "a) WBRI", "03/04/2012", "11", "01/05/2024", "2A"],  # after extract_date
        ["QNULLED", "zz) Martian", "a) WBRI", "03/04/2012", "11", "07/01/2024", "2A"],  # optional bad code
    ]
    folder = write_extract(landing, LA, "2024-03", small_extract(rows))
    report = ingest_landing(ingest_settings)
    assert report.loaded[0].quarantined["annex_a_contacts"] == 4
    q = query(
        ingest_settings,
        "SELECT source_file, source_line, column_name, reason, action, child_key FROM raw.quarantine "
        "ORDER BY source_line",
    )
    lines = (folder / "annex_a/list_01_contacts.csv").read_text().splitlines()
    key = TEST_KEY.encode()
    by_reason = {r[3]: r for r in q}
    expected = {
        "value of 'Contact Source' outside its code set": "QBADCODE",
        "duplicate key (child_key, contact_date, contact_source) in this file": "QOK1",
        "contact_date after extract_date": "QFUTURE",
    }
    for reason, marker in expected.items():
        row = by_reason[reason]
        assert row[0] == "annex_a/list_01_contacts.csv"
        assert lines[row[1] - 1].startswith(marker)  # the real physical line of the bad row
        assert row[4] == "row_quarantined" and row[5] == pseudonym(key, LA, marker)
    dup = by_reason["duplicate key (child_key, contact_date, contact_source) in this file"]
    assert "e) 2A: Schools" in lines[dup[1] - 1]  # the second occurrence is set aside, the first stands
    blank = by_reason["blank child ID"]
    assert lines[blank[1] - 1].startswith(",a) Male") and blank[5] is None
    nulled = by_reason["value of 'Gender' outside its code set"]
    assert nulled[4] == "value_nulled" and lines[nulled[1] - 1].startswith("QNULLED")
    loaded = query(ingest_settings, "SELECT source_line, gender FROM raw.annex_a_contacts ORDER BY 1")
    assert [r[0] for r in loaded] == [3, 4, 10] and loaded[2][1] is None
    # quarantine never holds raw values
    assert not any("QBADCODE" in str(v) or "Martian" in str(v) for row in q for v in row)


# ---------------------------------------------------------------------------------------------- councils
def test_two_councils_side_by_side(landing, ingest_settings):
    write_extract(landing, LA, "2024-03", small_extract())
    write_extract(landing, LA2, "march-2024", small_extract())
    report = ingest_landing(ingest_settings)
    assert len(report.loaded) == 2
    rows = query(
        ingest_settings,
        "SELECT la_code, count(*), count(DISTINCT extract_id), min(child_key) FROM raw.annex_a_contacts "
        "GROUP BY la_code ORDER BY la_code",
    )
    assert [(r[0], r[1], r[2]) for r in rows] == [(LA2, 2, 1), (LA, 2, 1)]
    keys = {
        la: {
            r[0]
            for r in query(
                ingest_settings, "SELECT child_key FROM raw.annex_a_contacts WHERE la_code=?", [la]
            )
        }
        for la in (LA, LA2)
    }
    assert not keys[LA] & keys[LA2]  # the same raw ID in two councils gives different keys


# ---------------------------------------------------------------------------------------------- xlsx
def test_xlsx_extract_loads(landing, ingest_settings, tmp_path):
    import datetime as dt

    import xlsxwriter

    book = tmp_path / "annex_a.xlsx"
    wb = xlsxwriter.Workbook(book)
    fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws = wb.add_worksheet("List 1")
    ws.write_row(0, 0, ["List 1: Contacts"])
    ws.write_row(1, 0, CONTACT_HEADER)
    ws.write_number(2, 0, 1234)
    ws.write_datetime(2, 3, dt.datetime(2012, 4, 3), fmt)
    ws.write_datetime(2, 5, dt.datetime(2024, 1, 5), fmt)
    ws.write(2, 6, "e) 2A: Schools")
    wb.close()
    write_extract(landing, LA, "2024-03", {"annex_a.xlsx": book.read_bytes()})
    report = ingest_landing(ingest_settings)
    assert report.rows_per_table == {"annex_a_contacts": 1}
    rows = query(
        ingest_settings, "SELECT child_key, source_file, source_line, contact_date FROM raw.annex_a_contacts"
    )
    assert rows == [(pseudonym(TEST_KEY.encode(), LA, "1234"), "annex_a.xlsx[List 1]", 3, _d("2024-01-05"))]


def test_workbook_and_csv_annex_a_together_rejected(landing, ingest_settings, tmp_path):
    files = small_extract()
    files["annex_a.xlsx"] = b"not really a workbook"
    write_extract(landing, LA, "2024-03", files)
    message = ingest_landing(ingest_settings).rejected[0].message
    assert "annex_a.xlsx" in message and "one form" in message


# ---------------------------------------------------------------------------------------------- commentary
def test_commentary_loads_replaces_and_rejects_unknown_codes(landing, ingest_settings):
    write_extract(landing, LA, "2024-03", small_extract())  # reporting months 2023-10 .. 2024-03
    cdir = landing / LA / "commentary"
    cdir.mkdir(parents=True)
    (cdir / "2024-03.csv").write_text('code,commentary\nM1,"Contacts rose,\nas expected"\nM2,Stable\n')
    report = ingest_landing(ingest_settings)
    assert [c.status for c in report.commentary] == ["loaded"]
    rows = query(ingest_settings, "SELECT month, indicator_code, source_line FROM raw.commentary ORDER BY 2")
    assert rows == [(_d("2024-03-01"), "M1", 2), (_d("2024-03-01"), "M2", 4)]
    (cdir / "2024-03.csv").write_text("code,commentary\nM2,Changed\n")
    ingest_landing(ingest_settings)
    assert query(ingest_settings, "SELECT indicator_code, commentary FROM raw.commentary") == [
        ("M2", "Changed")
    ]
    (cdir / "2024-04.csv").write_text("code,commentary\nM1,ok\nNOPE9,text\n")
    (cdir / "March.csv").write_text("code,commentary\nM1,ok\n")
    report = ingest_landing(ingest_settings)
    rejected = {c.file: c.message for c in report.commentary if c.status == "rejected"}
    assert (
        "row 3" in rejected[f"{LA}/commentary/2024-04.csv"]
        and "NOPE9" in rejected[f"{LA}/commentary/2024-04.csv"]
    )
    assert "YYYY-MM" in rejected[f"{LA}/commentary/March.csv"]
    assert query(ingest_settings, "SELECT count(*) FROM raw.commentary WHERE month = DATE '2024-04-01'") == [
        (0,)
    ]


def test_commentary_for_a_month_without_extract_waits_or_is_rejected(landing, ingest_settings):
    write_extract(landing, LA, "2024-03", small_extract())  # reporting months 2023-10 .. 2024-03
    cdir = landing / LA / "commentary"
    cdir.mkdir(parents=True)
    (cdir / "2019-01.csv").write_text("code,commentary\nM1,ok\n")  # before the council's first month
    (cdir / "2024-04.csv").write_text("code,commentary\nM1,early\n")  # its extract has not arrived yet
    status = {c.file: (c.status, c.message) for c in ingest_landing(ingest_settings).commentary}
    assert status[f"{LA}/commentary/2019-01.csv"][0] == "rejected"
    assert "before E06000999's first reporting month 2023-10" in status[f"{LA}/commentary/2019-01.csv"][1]
    assert status[f"{LA}/commentary/2024-04.csv"] == (
        "skipped",
        "waiting for an extract of E06000999 covering 2024-04",
    )
    assert query(ingest_settings, "SELECT count(*) FROM raw.commentary") == [(0,)]
    write_extract(landing, LA, "2024-04", small_extract(), period_end="2024-04-30", extract_date="2024-05-02")
    status = {c.file: c.status for c in ingest_landing(ingest_settings).commentary}
    assert status[f"{LA}/commentary/2024-04.csv"] == "loaded"
    assert query(ingest_settings, "SELECT month, commentary FROM raw.commentary") == [
        (_d("2024-04-01"), "early")
    ]


# ---------------------------------------------------------------------------------------------- cli
def test_cli_prints_counts_not_contents(landing, tmp_path, monkeypatch, capsys):
    write_extract(landing, LA, "2024-03", small_extract())
    write_extract(landing, LA2, "bad", small_extract(), manifest_overrides={"la_code": LA})
    monkeypatch.setenv("CSC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CSC_LANDING_DIR", str(landing))
    monkeypatch.setenv("CSC_PSEUDONYMISATION_KEY", TEST_KEY)
    assert cli_main([]) == 0
    out = capsys.readouterr().out
    assert "extracts loaded: 1, skipped: 0, rejected: 1" in out
    assert "annex_a_contacts: 2" in out and "rows quarantined: 0" in out
    assert "does not match" in out
    assert "RAWIDAAA" not in out and "TEAMMARKER42" not in out
    assert cli_main(["--strict"]) == 0  # nothing new: the rejected folder is skipped
    monkeypatch.delenv("CSC_PSEUDONYMISATION_KEY")
    monkeypatch.delenv("CSC_DEMO", raising=False)
    assert cli_main([]) == 2
    assert "CSC_PSEUDONYMISATION_KEY" in capsys.readouterr().err
    assert oct(os.stat(tmp_path / "warehouse.duckdb").st_mode & 0o777) == "0o600"


def test_batches_start_small_and_double(landing, ingest_settings, monkeypatch):
    """The first batch is FIRST_BATCH_BYTES, each next one twice the last up to BATCH_BYTES; every extract
    loads whatever batch it is in."""
    import ingest.load as load

    ends = [
        "2024-03-31", "2024-04-30", "2024-05-31", "2024-06-30",
        "2024-07-31", "2024-08-31", "2024-09-30", "2024-10-31",
    ]  # fmt: skip
    for end in ends:
        write_extract(landing, LA, end[:7], small_extract(), period_end=end, extract_date=end)
    one = sum(f.stat().st_size for f in (landing / LA / "2024-03").rglob("*.csv"))
    monkeypatch.setattr(load, "FIRST_BATCH_BYTES", one)
    monkeypatch.setattr(load, "BATCH_BYTES", 4 * one)
    sizes = []
    real = load._stage_batch

    def counting(con, batch, key, clock):
        sizes.append(len(batch))
        return real(con, batch, key, clock)

    monkeypatch.setattr(load, "_stage_batch", counting)
    report = ingest_landing(ingest_settings)
    assert sizes == [1, 2, 4, 1]  # extracts per batch: 1, 2, 4 (the cap), then the last one
    assert len(report.loaded) == len(ends)


def test_next_batch_is_staged_while_one_is_written(landing, ingest_settings, tmp_path, monkeypatch):
    """While a batch is written, the next one is staged: writing batch k waits here until the staging of batch
    k + 1 has begun (a loader that staged a batch only after writing the one before would time out). Batches
    of one extract load the same rows, quarantine and counts as one batch of all the extracts."""
    import threading

    import ingest.load as load

    ends = ["2024-03-31", "2024-04-30", "2024-05-31", "2024-06-30"]
    unknown_gender = ["RAWIDAAA9", "zz) Unknown", "a) WBRI", "03/04/2012", "11", "07/01/2024", "q) 6: Police"]
    for end in ends:
        contacts = [*small_extract()["annex_a/list_01_contacts.csv"][2:], unknown_gender]
        write_extract(landing, LA, end[:7], small_extract(contacts), period_end=end, extract_date=end)
    one = sum(f.stat().st_size for f in (landing / LA / "2024-03").rglob("*.csv"))
    monkeypatch.setattr(load, "FIRST_BATCH_BYTES", one)
    monkeypatch.setattr(load, "BATCH_BYTES", one)
    real_stage, real_write = load._stage_batch, load.write_batch
    staging_began = [threading.Event() for _ in range(len(ends) + 1)]  # and the one batch below
    staged = written = 0

    def stage(con, batch, key, clock):
        nonlocal staged
        staging_began[staged].set()
        staged += 1
        return real_stage(con, batch, key, clock)

    def write(con, tables):
        nonlocal written
        written += 1
        if written < len(ends):
            assert staging_began[written].wait(10), (
                f"batch {written + 1} was not staged while {written} was written"
            )
        return real_write(con, tables)

    monkeypatch.setattr(load, "_stage_batch", stage)
    monkeypatch.setattr(load, "write_batch", write)
    assert len(ingest_landing(ingest_settings).loaded) == len(ends)
    assert staged == written == len(ends)

    monkeypatch.setattr(load, "FIRST_BATCH_BYTES", 2**30)
    monkeypatch.setattr(load, "BATCH_BYTES", 2**30)
    monkeypatch.setattr(load, "write_batch", real_write)
    whole = ingest_settings.__class__.from_env(
        {
            "CSC_DATA_DIR": str(tmp_path / "whole"),
            "CSC_LANDING_DIR": str(landing),
            "CSC_PSEUDONYMISATION_KEY": TEST_KEY,
        }
    )
    assert len(ingest_landing(whole).loaded) == len(ends)
    assert staged == len(ends) + 1  # one batch
    assert table_counts(whole) == table_counts(ingest_settings)
    assert query(whole, "SELECT count(*) FROM raw.quarantine")[0][0] == len(ends)  # the unknown gender
    for table in [*RAW_TABLES, "quarantine", "extract_tables"]:
        assert checksum(whole, table) == checksum(ingest_settings, table), table


def test_failure_while_writing_leaves_nothing(landing, ingest_settings, monkeypatch):
    import ingest.load as load

    write_extract(landing, LA, "2024-03", small_extract())
    real_insert, real_write = load._insert_frame, load.write_batch
    calls = []

    def writing(con, tables):
        counts = real_write(con, tables)
        calls.append("data tables")
        return counts

    def failing(con, table, frame, columns):
        calls.append(table)
        if table == "extract_tables":  # after the data tables were written, in the same transaction
            raise RuntimeError("disk full")
        return real_insert(con, table, frame, columns)

    monkeypatch.setattr(load, "write_batch", writing)
    monkeypatch.setattr(load, "_insert_frame", failing)
    with pytest.raises(RuntimeError):
        ingest_landing(ingest_settings)
    assert calls == ["data tables", "extract_tables"]
    counts = table_counts(ingest_settings)
    assert all(v == 0 for v in counts.values())
    monkeypatch.setattr(load, "_insert_frame", real_insert)
    assert len(ingest_landing(ingest_settings).loaded) == 1


def test_commentary_message_does_not_echo_free_text(landing, ingest_settings):
    cdir = landing / LA / "commentary"
    cdir.mkdir(parents=True)
    (cdir / "2024-05.csv").write_text("commentary,code\nM1,Jane Smith's case was escalated by the team\n")
    report = ingest_landing(ingest_settings)
    message = report.commentary[0].message
    assert report.commentary[0].status == "rejected" and "row 2" in message
    assert "Jane" not in message


def test_end_before_start_and_blank_placing_date_quarantined(landing, ingest_settings):
    eh_header = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
                 "Assessment start date", "Assessment completion date", "Organisation completing assessment",
                 "Plan start date", "Plan end date", "Step up to social care date"]  # fmt: skip
    files = {
        "annex_a/list_02_early_help.csv": [
            eh_header,
            ["EH1", "", "", "", "", "", "", "", "01/02/2024", "", ""],  # placed by its plan start: loads
            ["EH2", "", "", "", "", "", "", "", "", "", ""],  # no placing date at all
            ["EH3", "", "", "", "", "10/01/2024", "09/01/2024", "", "", "", ""],  # completed before start
        ],
    }
    folder = write_extract(landing, LA, "2024-03", files)
    report = ingest_landing(ingest_settings)
    assert report.rows_per_table == {"annex_a_early_help": 1}
    q = query(ingest_settings, "SELECT source_line, column_name, reason FROM raw.quarantine ORDER BY 1")
    assert q == [
        (3, None, "blank placing date (assessment_start_date or plan_start_date)"),
        (4, "assessment_completion_date", "assessment_completion_date before assessment_start_date"),
    ]
    lines = (folder / "annex_a/list_02_early_help.csv").read_text().splitlines()
    assert lines[2].startswith("EH2") and lines[3].startswith("EH3")


_MACRO_CALL = re.compile(
    r"\{\{\s*(?:latest_extract_wins_\w+|snapshot_per_month)\(\s*'\w+',\s*'(\w+)',\s*key_columns=\[([^\]]*)\]"
)


def test_the_keys_ingest_de_duplicates_on_are_the_dbt_macros_key_columns():
    """The macros (dbt_project/macros/latest_extract_wins.sql) do not de-duplicate within an extract: they
    rely on ingest quarantining a file's repeated keys, so a model's key_columns must be its table's key."""
    models = Path(__file__).resolve().parents[1] / "dbt_project" / "models"
    calls = [m for path in sorted(models.rglob("*.sql")) for m in _MACRO_CALL.finditer(path.read_text())]
    assert len(calls) >= len(RAW_TABLES)
    for match in calls:
        table, columns = match.group(1), match.group(2)
        assert tuple(re.findall(r"'([^']+)'", columns)) == RAW_TABLES[table].key, table
