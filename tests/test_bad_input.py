"""The bad-input corpus (tests/bad_input/cases.py) through ingest, and through the whole pipeline.

* ``test_case``: every file case in its own tmp landing and warehouse: the expected outcome (rejected with a
  message naming file/row/column, or loaded with exactly the expected rows, quarantine entries and
  pseudonymised keys), the files archived as received, and no raw ID, free text or huge value in any
  message, log record or raw table.
* The pipeline tests share one real warehouse and publication (module fixture): a small synthetic council
  with one monthly drop withheld, ingested, ``dbt build`` (subprocess), the Great Expectations gate,
  ``publish``. ``test_month_without_extract_reports_no_data`` reads the withheld month from the mart and the
  publication; ``test_bad_input_leaves_the_publication_unchanged`` lands every rejected case plus a re-run of
  the latest drop with bad rows injected (BOM, cp1252 with £, blank lines, a duplicate, a '.0' ID, codes
  outside their sets, a future date, end before start), runs ingest → dbt build → gate → publish again and
  compares the published tables.
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from bad_input.cases import (
    CASES,
    FILE_CASES,
    ISSUE_TOPICS,
    LA,
    REJECTED_CASES,
    Case,
    Loaded,
    MartNoData,
    Rejected,
)
from conftest import TEST_KEY

from ingest.load import ingest_landing
from ingest.pseudonymise import pseudonym
from ingest.schema import RAW_TABLES
from ingest.settings import Settings

REPO = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO / "dbt_project"
DBT = Path(sys.executable).parent / "dbt"
MARKERS = ("CHILDX", "FREETEXT", "WORKERNAME")
META = ("extracts", "extract_tables", "quarantine", "rejected_extracts")
MAX_MESSAGE = 600  # a message names file, row, column and reason; it never carries a value


def _settings(base: Path) -> Settings:
    return Settings.from_env(
        {
            "CSC_DATA_DIR": str(base),
            "CSC_LANDING_DIR": str(base / "landing"),
            "CSC_WAREHOUSE_PATH": str(base / "warehouse.duckdb"),
            "CSC_PUBLISHED_DIR": str(base / "published"),
            "CSC_PSEUDONYMISATION_KEY": TEST_KEY,
        }
    )


def _fetch(con, sql: str, params=None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def _assert_not_echoed(texts: list[str], secrets: tuple[str, ...]) -> None:
    for text in texts:
        lowered = text.lower()
        for secret in (*MARKERS, *secrets):
            assert secret.lower() not in lowered, f"a raw value ({secret[:12]}...) was echoed"


def _raw_tables_hold_no_secrets(con, secrets: tuple[str, ...]) -> None:
    """No raw ID, free text or huge value in any column of any raw table (each row cast to text)."""
    patterns = [s.lower() for s in (*MARKERS, *secrets)]
    for table in (*RAW_TABLES, *META, "commentary"):
        condition = " OR ".join("contains(lower(CAST(t AS VARCHAR)), ?)" for _ in patterns)
        hits = _fetch(con, f"SELECT count(*) FROM raw.{table} AS t WHERE {condition}", patterns)[0][0]
        assert hits == 0, f"raw.{table} holds a raw value"


def _archived(settings: Settings, folder: Path) -> None:
    """Nothing received is lost: every file of the folder is in the archive, byte for byte."""
    for path in folder.rglob("*"):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            assert (settings.archive_dir / digest[:2] / digest).is_file(), path.name


# ---------------------------------------------------------------------------------------------- the corpus
def test_corpus_covers_every_item_of_the_issue():
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)
    covered = {t for c in CASES for t in c.topics}
    assert set(ISSUE_TOPICS) <= covered, sorted(set(ISSUE_TOPICS) - covered)
    for case in CASES:
        assert case.what and len(case.why) > 30 and case.topics, case.name


def test_readme_lists_the_corpus():
    from bad_input.cases import describe

    readme = (Path(__file__).parent / "bad_input" / "README.md").read_text(encoding="utf-8")
    assert readme.rstrip().endswith(describe()), "regenerate the table in tests/bad_input/README.md"


@pytest.mark.parametrize("case", FILE_CASES, ids=lambda c: c.name)
def test_case(case: Case, tmp_path: Path, caplog: pytest.LogCaptureFixture):
    settings = _settings(tmp_path)
    folder = case.write(settings.landing_dir)
    with caplog.at_level(logging.DEBUG):
        report = ingest_landing(settings)
    [result] = report.extracts
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        counts = {t: _fetch(con, f"SELECT count(*) FROM raw.{t}")[0][0] for t in (*RAW_TABLES, *META)}
        rejections = [r[0] for r in _fetch(con, "SELECT message FROM raw.rejected_extracts")]
        quarantine = _fetch(
            con,
            "SELECT table_name, source_line, column_name, reason, action, child_key FROM raw.quarantine "
            "ORDER BY table_name, source_line, reason",
        )
        expect = case.expect
        if isinstance(expect, Rejected):
            assert result.status == "rejected", result.message
            for fragment in expect.fragments:
                assert fragment in result.message, (fragment, result.message)
            assert rejections == [result.message]
            # an extract is ingested whole or not at all: no trace of it besides the rejection
            assert all(counts[t] == 0 for t in (*RAW_TABLES, "extracts", "extract_tables", "quarantine"))
        else:
            assert isinstance(expect, Loaded)
            assert result.status == "loaded", result.message
            assert result.rows == expect.rows
            assert {t: n for t, n in counts.items() if t in RAW_TABLES and n} == {
                t: n for t, n in expect.rows.items() if n
            }
            assert [q[:5] for q in quarantine] == sorted(expect.quarantine, key=lambda q: (q[0], q[1], q[3]))
            assert counts["rejected_extracts"] == 0
            key = TEST_KEY.encode()
            for table, valid_ids in expect.keys.items():  # every valid row is in raw, under its own key
                column = "household_key" if table == "local_foster_carers" else "child_key"
                loaded = sorted(r[0] for r in _fetch(con, f"SELECT {column} FROM raw.{table}"))
                assert loaded == sorted(pseudonym(key, case.la_code, i) for i in valid_ids), table
            if expect.held is not None:
                held = _fetch(con, "SELECT table_name FROM raw.extract_tables ORDER BY 1")
                assert [h[0] for h in held] == sorted(expect.held)
            for sql, rows in expect.probes:
                assert _fetch(con, sql) == rows, sql
            _raw_tables_hold_no_secrets(con, case.secrets)
        messages = [result.message, *rejections, *report.summary_lines(), json.dumps(report.summary())]
        assert all(len(m) < MAX_MESSAGE for m in [result.message, *rejections])
        logged = [record.getMessage() for record in caplog.records]
        _assert_not_echoed(messages + logged + [repr(q) for q in quarantine], case.secrets)
    finally:
        con.close()
    _archived(settings, folder)
    if isinstance(case.expect, Rejected):  # not retried while the manifest is unchanged
        again = ingest_landing(settings)
        assert [(r.status, r.message) for r in again.extracts] == [
            ("skipped", "rejected before, manifest unchanged")
        ]


# ---------------------------------------------------------------------------------------------- pipeline
def _run_dbt(env: dict[str, str], target: Path) -> None:
    """``dbt build`` as the pipeline runs it (models, seeds, data tests). The unit tests are left out: they
    read only their own fixture rows, not this warehouse's data (about 6 s of each build; CI runs them)."""
    cmd = [
        str(DBT), "build", "--exclude", "resource_type:unit_test",
        "--profiles-dir", str(DBT_PROJECT_DIR), "--project-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target), "--log-path", str(target / "logs"),
    ]  # fmt: skip
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-30:])
        pytest.fail(f"dbt build failed (exit {proc.returncode}):\n{tail}", pytrace=False)


def _gate_and_publish(settings: Settings, reporting_month: dt.date):
    """The pipeline's last two steps: publish only when every gated table passes."""
    import publish
    from data_quality.gate import run_gate

    results = run_gate(settings.warehouse_path, reporting_month=reporting_month)
    failed = [v.table for vs in results.values() for v in vs if not v.success]
    assert results and not failed, f"gate failed: {failed}"
    return publish.publish(settings.warehouse_path, settings.published_dir, reporting_month=reporting_month)


def _file_digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _content(con, relation: str) -> tuple[int, str]:
    """Row count and an order-independent digest of a relation; doubles rounded to 9 decimals, because
    the benchmark means (int_scorecard__benchmarks: avg over doubles) differ in the last bit between two
    builds of the same input (measured: 78.96 vs 78.96000000000001), which is not a change of content."""
    described = _fetch(con, f"DESCRIBE SELECT * FROM {relation}")
    columns = [
        f'round("{name}", 9)' if kind in ("DOUBLE", "FLOAT") else f'"{name}"' for name, kind, *_ in described
    ]
    row = f"CAST(row({', '.join(columns)}) AS VARCHAR)"
    sql = f"SELECT count(*), md5(coalesce(string_agg({row}, '|' ORDER BY {row}), '')) FROM {relation}"
    return tuple(_fetch(con, sql)[0])


def _published_content(folder: Path) -> dict[str, tuple[int, str]]:
    """Per published table (Parquet and the DuckDB file): row count and content digest."""
    out: dict[str, tuple[int, str]] = {}
    with duckdb.connect() as con:
        for path in sorted((folder / "parquet").glob("*.parquet")):
            out[f"parquet/{path.stem}"] = _content(con, f"read_parquet('{path}')")
        con.execute(f"ATTACH '{folder / 'scorecard.duckdb'}' AS pub (READ_ONLY)")
        tables = [
            r[0] for r in _fetch(con, "SELECT table_name FROM duckdb_tables() WHERE database_name='pub'")
        ]
        for table in sorted(tables):
            if table != "publication":  # names the publication (a new id each time): not content
                out[f"duckdb/{table}"] = _content(con, f"pub.main.{table}")
    return out


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """A real publication of a small synthetic council with one monthly drop missing."""
    import synthetic

    timings: dict[str, float] = {}
    base = tmp_path_factory.mktemp("bad_input_pipeline")
    settings = _settings(base)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSC_")}
    env.update({"CSC_WAREHOUSE_PATH": str(settings.warehouse_path), "CSC_DATA_DIR": str(base)})

    t0 = time.perf_counter()
    config = synthetic.CouncilConfig(
        la_code=LA, population=3_000, end_month="2025-03", months=7, history_months=3, seed=11
    )
    council = synthetic.generate_council(config)
    council.write(settings.landing_dir, annex_a_format="csv")
    reruns = {e.period_end for e in council.extracts if e.folder.endswith("_rerun")}
    drops = [e for e in council.extracts if not e.folder.endswith(("_history", "_rerun"))]
    missing = next(e for e in drops[:-1] if e.period_end not in reruns)  # a later drop covers its month
    shutil.rmtree(settings.landing_dir / LA / missing.folder)
    latest = max(drops, key=lambda e: e.period_end)
    timings["generate"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    report = ingest_landing(settings)
    assert not report.rejected and len(report.loaded) == len(council.extracts) - 1
    timings["ingest"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    _run_dbt(env, base / "dbt_target")
    timings["dbt_build"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    month = latest.period_end.replace(day=1)
    _gate_and_publish(settings, month)
    timings["gate_publish"] = time.perf_counter() - t0
    print(f"\npipeline fixture timings (s): { {k: round(v, 1) for k, v in timings.items()} }")
    return SimpleNamespace(
        base=base,
        settings=settings,
        env=env,
        missing_month=missing.period_end.replace(day=1),
        latest=latest,
        reporting_month=month,
    )


def _snapshot_indicators() -> set[str]:
    path = DBT_PROJECT_DIR / "seeds" / "reference" / "indicator_requirements.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        return {r["indicator_code"] for r in csv.DictReader(fh) if r["requirement"] == "snapshot"}


def test_month_without_extract_reports_no_data(pipeline: SimpleNamespace):
    [case] = [c for c in CASES if isinstance(c.expect, MartNoData)]
    snapshot = _snapshot_indicators()
    assert snapshot
    missing = pipeline.missing_month
    before = (missing - dt.timedelta(days=1)).replace(day=1)
    after = (missing + dt.timedelta(days=32)).replace(day=1)
    sql = (
        "SELECT month, indicator_code, value, no_data_reason FROM {} WHERE la_code = ? "
        "AND month IN (?, ?, ?) ORDER BY ALL"
    )
    with duckdb.connect(str(pipeline.settings.warehouse_path), read_only=True) as con:
        rows = _fetch(con, sql.format("marts.scorecard_monthly"), [LA, before, missing, after])
    with duckdb.connect() as con:
        parquet = pipeline.settings.published_dir / "parquet" / "scorecard_monthly.parquet"
        published = _fetch(con, sql.format(f"read_parquet('{parquet}')"), [LA, before, missing, after])
    assert published == rows  # what analysts read says the same
    by_month: dict[dt.date, dict[str, tuple]] = collections.defaultdict(dict)
    for month, code, value, reason in rows:
        month = month.date() if isinstance(month, dt.datetime) else month
        by_month[month][code] = (value, reason)
    assert set(by_month) == {before, missing, after}
    gap = {code: by_month[missing][code] for code in snapshot}
    # snapshot indicators: no data, never 0
    assert all(value is None and reason in case.expect.reasons for value, reason in gap.values()), gap
    assert {reason for _, reason in gap.values()} == {"no_snapshot"}
    # the months either side have their snapshot: the gap is the missing extract, not the indicator
    for month in (before, after):
        assert not [c for c in snapshot if by_month[month][c][1] == "no_snapshot"], month
    # event indicators of the month are still reported: the next drop's window covers the month
    assert by_month[missing]["M1"][0] is not None and by_month[missing]["M1"][0] > 0


# Bad rows injected into a copy of the latest drop (a re-run with a later extract_date): every one must be
# quarantined, so the re-run holds exactly the valid rows of the drop and the mart cannot change.
INJECTED = collections.Counter(
    {
        ("annex_a_contacts", "duplicate key (child_key, contact_date, contact_source) in this file"): 1,
        ("annex_a_contacts", "value of 'Contact Source' outside its code set"): 1,
        ("annex_a_contacts", "contact_date after extract_date"): 1,
        ("annex_a_contacts", "blank child ID"): 1,
        ("annex_a_referrals", "duplicate key (child_key, referral_date) in this file"): 1,
        ("annex_a_cin", "cin_closure_date before cin_start_date"): 1,
        ("ssda903_episodes", "dec before decom"): 1,
        ("ssda903_episodes", "value of 'PLACE' outside its code set"): 1,
    }
)


def _dmy(text: str, days: int) -> str:
    return (dt.datetime.strptime(text, "%d/%m/%Y").date() + dt.timedelta(days=days)).strftime("%d/%m/%Y")


def _write_bad_rerun(source: Path, target: Path, extract_date: dt.date) -> None:
    """Copy an extract folder, inject the INJECTED bad rows and re-encode two files; new manifest."""
    shutil.copytree(source, target)
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))

    def edit(rel: str, change, encoding: str = "utf-8", bom: bool = False, blank_lines: bool = False) -> None:
        path = target / rel
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
        header, data = rows[0], rows[1:]
        col = {h: i for i, h in enumerate(header)}
        header, extra = change(header, data, col)
        body = [header, *data[:1], *([[]] if blank_lines else []), *data[1:], *extra, *([[]] * blank_lines)]
        with path.open("w", newline="", encoding=encoding) as fh:
            if bom:
                fh.write("\ufeff")
            csv.writer(fh, lineterminator="\r\n").writerows(body)
        manifest["files"][rel] = hashlib.sha256(path.read_bytes()).hexdigest()

    def contacts(header, data, col):
        first = data[0]
        code = list(first)
        code[col["Child Unique ID"]], code[col["Contact Source"]] = "CHILDXBAD1", "ZZ"
        future = list(first)
        future[col["Child Unique ID"]] = "CHILDXBAD2"
        future[col["Date of Contact"]] = (extract_date + dt.timedelta(days=20)).strftime("%d/%m/%Y")
        blank = list(first)
        blank[col["Child Unique ID"]] = ""
        return header, [list(first), code, future, blank]

    def referrals(header, data, col):  # cp1252 with a '£' in an extra column; '.0' ID of row 1 = duplicate
        for row in data:
            row.append("£ FREETEXT")
        dot_zero = list(data[0])
        dot_zero[col["Child Unique ID"]] += ".0"
        return [*header, "Notes"], [dot_zero]

    def cin(header, data, col):
        row = list(data[0])
        row[col["Child Unique ID"]] = "CHILDXBAD3"
        row[col["CIN Closure Date"]] = _dmy(row[col["CIN Start Date"]], -1)
        return header, [row]

    def episodes(header, data, col):
        ended = list(data[0])
        ended[col["CHILD"]] = "CHILDXBAD4"
        ended[col["DEC"]] = _dmy(ended[col["DECOM"]], -1)
        ended[col["REC"]] = "E11"
        place = list(data[0])
        place[col["CHILD"]], place[col["PLACE"]] = "CHILDXBAD5", "Q9"
        return header, [ended, place]

    edit("annex_a/list_01_contacts.csv", contacts, bom=True, blank_lines=True)
    edit("annex_a/list_03_referrals.csv", referrals, encoding="cp1252")
    edit("annex_a/list_06_cin.csv", cin)
    edit("ssda903/episodes.csv", episodes)
    manifest["extract_date"] = extract_date.isoformat()
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def test_bad_input_leaves_the_publication_unchanged(pipeline: SimpleNamespace):
    settings = pipeline.settings
    published_dir = settings.published_dir
    files_before = _file_digests(published_dir)
    content_before = _published_content(published_dir)
    tables_before = json.loads((published_dir / "publication.json").read_text())["tables"]

    latest = pipeline.latest
    rerun = f"{latest.folder}_rerun_bad_rows"
    _write_bad_rerun(
        settings.landing_dir / LA / latest.folder,
        settings.landing_dir / LA / rerun,
        latest.extract_date + dt.timedelta(days=10),
    )
    for case in REJECTED_CASES:
        case.write(settings.landing_dir)

    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        counts_before = {t: _fetch(con, f"SELECT count(*) FROM raw.{t}")[0][0] for t in (*RAW_TABLES, *META)}
    report = ingest_landing(settings)
    status = {r.folder.split("/")[-1]: (r.status, r.message) for r in report.extracts}
    for case in REJECTED_CASES:
        state, message = status[case.name]
        assert state == "rejected" and all(f in message for f in case.expect.fragments), case.name
    assert status[rerun][0] == "loaded"
    assert {
        s for name, (s, _) in status.items() if name != rerun and name not in {c.name for c in CASES}
    } == {"skipped"}
    # ingest never touches the publication
    assert _file_digests(published_dir) == files_before

    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        counts = {t: _fetch(con, f"SELECT count(*) FROM raw.{t}")[0][0] for t in (*RAW_TABLES, *META)}
        ids = dict(_fetch(con, "SELECT folder, extract_id FROM raw.extracts"))
        old, new = ids[f"{LA}/{latest.folder}"], ids[f"{LA}/{rerun}"]
        per_extract = {
            e: dict(
                _fetch(con, "SELECT table_name, rows_loaded FROM raw.extract_tables WHERE extract_id=?", [e])
            )
            for e in (old, new)
        }
        # rejected extracts left no trace: the raw tables grew by exactly the re-run's rows
        assert counts["rejected_extracts"] - counts_before["rejected_extracts"] == len(REJECTED_CASES)
        assert counts["extracts"] - counts_before["extracts"] == 1
        assert {t: counts[t] - counts_before[t] for t in RAW_TABLES} == {
            t: per_extract[new].get(t, 0) for t in RAW_TABLES
        }
        # no valid row lost: the re-run holds exactly the drop's rows, value for value
        assert per_extract[new] == per_extract[old]
        for table, spec in RAW_TABLES.items():
            cols = ", ".join(name for name, _ in spec.columns)
            diff = _fetch(
                con,
                f"SELECT count(*) FROM ((SELECT {cols} FROM raw.{table} WHERE extract_id = $1 EXCEPT ALL "
                f"SELECT {cols} FROM raw.{table} WHERE extract_id = $2) UNION ALL (SELECT {cols} FROM "
                f"raw.{table} WHERE extract_id = $2 EXCEPT ALL SELECT {cols} FROM raw.{table} WHERE "
                "extract_id = $1))",
                [old, new],
            )[0][0]
            assert diff == 0, table
        quarantined = {
            e: collections.Counter(
                _fetch(con, "SELECT table_name, reason FROM raw.quarantine WHERE extract_id = ?", [e])
            )
            for e in (old, new)
        }
        assert quarantined[new] == quarantined[old] + INJECTED
        _raw_tables_hold_no_secrets(con, ())

    t0 = time.perf_counter()
    _run_dbt(pipeline.env, pipeline.base / "dbt_target")
    result = _gate_and_publish(settings, pipeline.reporting_month)
    print(f"\nsecond dbt build + gate + publication: {time.perf_counter() - t0:.1f} s")
    assert result.rows == tables_before
    # every published table holds exactly what it held before (publication.json and the `publication`
    # table name the new publication; Parquet row order is not fixed by the models, so content is compared)
    assert _published_content(published_dir) == content_before
    assert set(_file_digests(published_dir)) == set(files_before)
