"""Security and privacy: no raw child ID, name or full date of birth anywhere the pipeline writes (except
the landing folder and the archive of files as received, which are input), owner-only files, a
pseudonymisation key of its own outside the demo, and small-number suppression in the shared export.

The scan runs the real pipeline (`python -m orchestration.run`, umask 022 so nothing relies on the caller's
umask) over a small synthetic council whose child and household IDs are rewritten to ``ZQX<digits>``:
letters that are not hex, so an ID can never appear by chance inside a hash, a run id or binary data, and any
``ZQX`` in the output is a leak (the synthetic IDs are 6-digit strings, which hex text contains by chance).
A worker name is planted in an ``Allocated Worker`` cell and a duplicate row is added (it goes to the
quarantine). The dates of birth searched for are those that are not also the date of any other record and
fall outside the calendar the warehouse builds, so a hit cannot be an event date or a calendar day.

Every file under CSC_DATA_DIR except landing/ and archive/ is scanned: plain bytes for text files and SQLite
(Dagster's storage and event logs, compute logs, alerts, run reports, HTML), the members of XLSX files
(zip), and for DuckDB files (warehouse, publication) and Parquet every column of every table read as text
through DuckDB (their storage compresses strings, so a byte scan alone could miss a value). The run's captured
stdout and stderr are scanned too.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import stat
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parent.parent
LA = "E06000999"
MARK = "ZQX"  # prefix of every raw child / household ID in the test extracts
NAME = "Zebedee Quillfeather"
ID_HEADERS = {"Child Unique ID", "Child ID", "CHILD", "Household ID"}
DATE_TEXT = re.compile(rb"\d{2}/\d{2}/\d{4}|\d{4}-\d{2}-\d{2}")


# ------------------------------------------------------------------------------------------------ scanner
@dataclass
class Needles:
    dobs: frozenset[dt.date]

    def text_forms(self) -> set[bytes]:
        return {
            f(d).encode() for d in self.dobs for f in (lambda d: d.strftime("%d/%m/%Y"), dt.date.isoformat)
        }


def _bytes_hits(blob: bytes, needles: Needles, forms: set[bytes]) -> list[str]:
    hits = []
    lower = blob.lower()
    if MARK.lower().encode() in lower:
        hits.append("child ID")
    if NAME.split()[1].lower().encode() in lower:
        hits.append("name")
    if any(m.group(0) in forms for m in DATE_TEXT.finditer(blob)):
        hits.append("date of birth")
    return hits


def _duckdb_hits(con: duckdb.DuckDBPyConnection, relations: list[str], needles: Needles) -> list[str]:
    con.execute("create or replace temp table _dobs (d date)")
    con.executemany("insert into _dobs values (?)", [(d,) for d in sorted(needles.dobs)])
    hits = []
    for relation in relations:
        columns = [r[0] for r in con.execute(f"describe {relation}").fetchall()]
        for column in columns:
            text = f'cast("{column}" as varchar)'
            found = con.execute(
                f"""
                select
                  count(*) filter (where {text} ilike '%{MARK}%'),
                  count(*) filter (where {text} ilike '%{NAME.split()[1]}%'),
                  count(*) filter (where exists (
                      select 1 from unnest(regexp_extract_all({text}, '\\d{{4}}-\\d{{2}}-\\d{{2}}')) u(s)
                      where try_cast(u.s as date) in (select d from _dobs))
                      or exists (
                      select 1 from unnest(regexp_extract_all({text}, '\\d{{2}}/\\d{{2}}/\\d{{4}}')) u(s)
                      where try_strptime(u.s, '%d/%m/%Y')::date in (select d from _dobs)))
                from {relation}
                """
            ).fetchone()
            for what, n in zip(("child ID", "name", "date of birth"), found, strict=True):
                if n:
                    hits.append(f"{relation}.{column}: {what} ({n} rows)")
    return hits


def scan_file(path: Path, needles: Needles, forms: set[bytes]) -> list[str]:
    """Where ``path`` holds a raw ID, the planted name or a needle date of birth (descriptions, no values)."""
    hits = [f"bytes: {h}" for h in _bytes_hits(path.read_bytes(), needles, forms)]
    if path.suffix == ".duckdb":
        with duckdb.connect() as con:
            con.execute(f"attach '{path}' as db (read_only)")
            relations = [
                f'db."{s}"."{t}"'
                for s, t in con.execute(
                    "select schema_name, table_name from duckdb_tables() where database_name = 'db' "
                    "union all select schema_name, view_name from duckdb_views() "
                    "where database_name = 'db' and not internal"
                ).fetchall()
            ]
            hits += _duckdb_hits(con, relations, needles)
    elif path.suffix == ".parquet":
        with duckdb.connect() as con:
            con.execute(f"create view pq as select * from read_parquet('{path}')")
            hits += _duckdb_hits(con, ["pq"], needles)
    elif path.suffix in (".xlsx", ".zip"):
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                hits += [f"{member}: {h}" for h in _bytes_hits(archive.read(member), needles, forms)]
    return hits


def scan_tree(root: Path, needles: Needles, skip: tuple[str, ...] = ()) -> dict[str, list[str]]:
    forms = needles.text_forms()
    found = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and not (rel.parts and rel.parts[0] in skip):
            hits = scan_file(path, needles, forms)
            if hits:
                found[str(rel)] = hits
    return found


# ------------------------------------------------------------------------------------------------ input
def _rewrite_ids(folder: Path) -> None:
    """Prefix every child / household ID with MARK; then fix the manifest's sha256 of each file."""
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    for rel in manifest["files"]:
        path = folder / rel
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        id_cols = [i for i, h in enumerate(rows[0]) if h.strip() in ID_HEADERS]
        for row in rows[1:]:
            for i in id_cols:
                if i < len(row) and row[i].strip():
                    row[i] = MARK + row[i].strip()
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
    _fix_manifest(folder)


def _fix_manifest(folder: Path) -> None:
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["files"] = {
        rel: hashlib.sha256((folder / rel).read_bytes()).hexdigest() for rel in manifest["files"]
    }
    manifest_path.write_text(json.dumps(manifest, indent=2))


def _plant_name_and_duplicate(folder: Path) -> None:
    """A worker's name in the first referral's Allocated Worker cell; that row again (a duplicate key)."""
    path = folder / "annex_a" / "list_03_referrals.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    worker = rows[0].index("Allocated Worker")
    rows[1][worker] = NAME
    rows.append(list(rows[1]))
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    _fix_manifest(folder)


def _dob_needles(council, calendar: tuple[dt.date, dt.date]) -> Needles:
    dobs, other = set(), set()
    for frame in council.truth.values():
        for column in frame.columns:
            values = [v for v in frame[column].dropna() if isinstance(v, dt.date)]
            dates = {v.date() if isinstance(v, dt.datetime) else v for v in values}
            (dobs if column == "date_of_birth" else other).update(dates)
    first, last = calendar
    chosen = {d for d in dobs if d.day != 1 and d not in other and not first <= d <= last}
    return Needles(frozenset(chosen))


@dataclass
class PipelineRun:
    data: Path
    output: str
    needles: Needles
    code: int


@pytest.fixture(scope="module")
def pipeline_run(tmp_path_factory) -> PipelineRun:
    from synthetic import CouncilConfig, generate_council

    root = tmp_path_factory.mktemp("privacy")
    data = root / "data"
    data.mkdir()
    council = generate_council(
        CouncilConfig(population=4_000, end_month="2025-03", months=14, history_months=12, seed=5)
    )
    council.write(data / "landing")
    folders = sorted((data / "landing" / LA).iterdir())
    for folder in folders:
        _rewrite_ids(folder)
    _plant_name_and_duplicate(folders[-1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSC_")}
    env.update(
        CSC_DATA_DIR=str(data),
        CSC_DEMO="1",
        CSC_PUBLISH_SHARED_EXPORT="1",
        DAGSTER_HOME=str(data / "dagster_home"),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "orchestration.run"],
        cwd=REPO,
        env=env,
        capture_output=True,
        timeout=600,
        preexec_fn=lambda: os.umask(0o022),  # nothing may rely on the caller's umask
    )
    output = proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        calendar = con.execute("select min(date_day), max(date_day) from marts.dim_calendar").fetchone()
    return PipelineRun(data, output, _dob_needles(council, calendar), proc.returncode)


# ------------------------------------------------------------------------------------------------ tests
@pytest.mark.slow
@pytest.mark.xdist_group("real_pipeline")
def test_no_raw_id_name_or_date_of_birth_outside_the_input(pipeline_run, tmp_path):
    run = pipeline_run
    assert run.code == 0, run.output[-3000:]
    assert len(run.needles.dobs) >= 200  # enough dates of birth to mean something
    # Positive controls: the scanner finds IDs, the name and dates of birth in the input ...
    landing = scan_tree(run.data / "landing", run.needles)
    kinds = {h.split(": ")[-1] for hits in landing.values() for h in hits}
    assert {"bytes: child ID", "bytes: name", "bytes: date of birth"} <= {f"bytes: {k}" for k in kinds}
    assert scan_tree(run.data / "archive", run.needles)  # the archive holds the files as received
    # ... and in each stored form, when planted.
    dob = sorted(run.needles.dobs)[0]
    planted = tmp_path / "planted"
    planted.mkdir()
    frame = pd.DataFrame({"child_ref": [f"{MARK}123456"], "born": [dob], "who": [NAME]})
    frame.to_parquet(planted / "x.parquet")
    with duckdb.connect(str(planted / "x.duckdb")) as con:
        con.execute("create table t as select * from frame")
    with zipfile.ZipFile(planted / "x.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", f"<t>{dob:%d/%m/%Y}</t>")
    (planted / "log.txt").write_text(f"child {MARK}1 born {dob.isoformat()}")
    planted_hits = scan_tree(planted, run.needles)
    for name in ("x.parquet", "x.duckdb"):
        joined = " ".join(planted_hits[name])
        assert "child ID" in joined and "name" in joined and "date of birth" in joined, planted_hits
    assert planted_hits["x.xlsx"] and planted_hits["log.txt"]

    # The pipeline's own files and output: nothing.
    found = scan_tree(run.data, run.needles, skip=("landing", "archive"))
    assert found == {}, found
    assert _bytes_hits(run.output.encode(), run.needles, run.needles.text_forms()) == []
    scanned = [
        p
        for p in run.data.rglob("*")
        if p.is_file() and p.relative_to(run.data).parts[0] not in ("landing", "archive")
    ]
    kinds = {p.suffix for p in scanned}
    assert {".duckdb", ".parquet", ".json", ".html", ".xlsx", ".db", ".csv"} <= kinds, kinds

    # The duplicate row went to the quarantine: pseudonymised key, no raw value.
    with duckdb.connect(str(run.data / "warehouse.duckdb"), read_only=True) as con:
        quarantined = con.execute(
            "select count(*), count(child_key) from raw.quarantine where table_name = 'annex_a_referrals' "
            "and action = 'row_quarantined'"
        ).fetchone()
        assert quarantined[0] >= 1 and quarantined[1] == quarantined[0]
        # No column anywhere holds a full date of birth as a DATE: birth_month is always the first.
        not_first = con.execute(
            "select count(*) from raw.annex_a_referrals "
            "where birth_month is not null and day(birth_month) <> 1"
        ).fetchone()[0]
        assert not_first == 0


@pytest.mark.slow
@pytest.mark.xdist_group("real_pipeline")
def test_everything_the_pipeline_creates_is_owner_only(pipeline_run):
    run = pipeline_run
    assert run.code == 0, run.output[-3000:]
    loose = []
    for path in run.data.rglob("*"):
        rel = path.relative_to(run.data)
        if rel.parts[0] == "landing":  # input, written by the test (the council's transfer in real use)
            continue
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077:
            loose.append(f"{oct(mode)} {rel}")
    assert loose == []
    created = {p.relative_to(run.data).parts[0] for p in run.data.iterdir()}
    assert {"warehouse.duckdb", "published", "archive", "runs", "dagster_home", "reports"} <= created


@pytest.mark.slow
@pytest.mark.xdist_group("real_pipeline")
def test_shared_export_of_the_real_run_shows_no_small_number(pipeline_run):
    run = pipeline_run
    shared = run.data / "published" / "shared"
    manifest = json.loads((run.data / "published" / "publication.json").read_text())
    assert {"shared/scorecard_monthly.csv", "shared/scorecard.csv"} <= set(manifest["files"])
    monthly = pd.read_csv(shared / "scorecard_monthly.csv", dtype=str, keep_default_na=False)
    with duckdb.connect(str(run.data / "published" / "scorecard.duckdb"), read_only=True) as con:
        exact = con.execute("select * from scorecard_monthly").fetchdf()
    assert len(monthly) == len(exact)
    small_exact = exact[
        exact["numerator"].between(0.5, 4.5)
        | exact["denominator"].between(0.5, 4.5)
        | (exact["numerator"].isna() & exact["value"].between(0.5, 4.5))
    ]
    assert len(small_exact) > 0  # the small council has small numbers to hide
    suppressed = monthly[monthly["suppressed"] == "true"]
    assert len(suppressed) >= len(small_exact)
    for column in ("value", "numerator", "denominator"):
        shown = pd.to_numeric(suppressed[column], errors="coerce")
        assert shown.isna().all(), column  # nothing numeric left in a suppressed row
        everywhere = pd.to_numeric(monthly[column], errors="coerce")
        if column != "value":
            assert not everywhere.between(0.5, 4.5).any(), column
    counts = monthly[(monthly["numerator"] == "") & (monthly["denominator"] == "")]
    assert not pd.to_numeric(counts["value"], errors="coerce").between(0.5, 4.5).any()
    scorecard = pd.read_csv(shared / "scorecard.csv", dtype=str, keep_default_na=False)
    assert "commentary" not in scorecard.columns
    assert (scorecard == "<5").any(axis=None)


# ------------------------------------------------------------------------------------------------ key
def _settings(env):
    from ingest.settings import Settings

    return Settings.from_env(env)


def test_outside_the_demo_a_key_of_its_own_is_required():
    from ingest.settings import DEMO_KEY, MIN_KEY_LENGTH, MissingKeyError, Settings

    with pytest.raises(MissingKeyError, match="is not set"):
        _settings({})
    with pytest.raises(MissingKeyError, match="too short"):
        _settings({"CSC_PSEUDONYMISATION_KEY": "x" * (MIN_KEY_LENGTH - 1)})
    with pytest.raises(MissingKeyError, match="published demo key"):
        _settings({"CSC_PSEUDONYMISATION_KEY": DEMO_KEY})
    with pytest.raises(MissingKeyError, match="too short"):
        _settings({"CSC_PSEUDONYMISATION_KEY": " " * 40})
    own = _settings({"CSC_PSEUDONYMISATION_KEY": "k" * MIN_KEY_LENGTH})
    assert own.key_bytes == b"k" * MIN_KEY_LENGTH and not own.demo
    assert _settings({"CSC_DEMO": "1"}).key_bytes == DEMO_KEY.encode()  # the demo: synthetic data only
    # Settings read without requiring a key still refuse to pseudonymise with a weak one.
    weak = Settings.from_env({"CSC_PSEUDONYMISATION_KEY": DEMO_KEY}, require_key=False)
    with pytest.raises(MissingKeyError):
        weak.key_bytes  # noqa: B018


@pytest.mark.parametrize("key", [None, "short-key", "demo"])
def test_the_pipeline_refuses_to_run_without_a_key_of_its_own(tmp_path, key):
    from ingest.settings import DEMO_KEY

    env = {k: v for k, v in os.environ.items() if not k.startswith("CSC_")}
    env.update(CSC_DATA_DIR=str(tmp_path / "data"), DAGSTER_HOME=str(tmp_path / "home"))
    if key:
        env["CSC_PSEUDONYMISATION_KEY"] = DEMO_KEY if key == "demo" else key
    proc = subprocess.run(
        [sys.executable, "-m", "orchestration.run"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("Refusing to run: CSC_PSEUDONYMISATION_KEY")
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "data").exists() and not (tmp_path / "home").exists()  # nothing started


# ------------------------------------------------------------------------------------------------ suppression
def _marts(path: Path) -> Path:
    """A tiny warehouse: counts, a percentage, a partition of one denominator (bands) and a scorecard."""
    months = [dt.date(2024, m, 1) for m in range(1, 13)] + [dt.date(2025, 1, 1)]
    rows = []
    for i, month in enumerate(months):
        small = i == 11  # December 2024: a count of 3
        rows.append((LA, "C1", month, 3.0 if small else 10.0 + i, None, None, None))
        rows.append((LA, "C0", month, 0.0, None, None, None))
        rows.append((LA, "P1", month, 20.0, 2.0, 10.0, None))  # numerator 2: suppressed
        rows.append((LA, "P2", month, 50.0, 10.0, 20.0, None))
        for band, num in zip("abcde", (2.0, 5.0, 6.0, 7.0, 0.0), strict=True):
            rows.append((LA, f"B{band}", month, num / 20 * 100, num, 20.0, None))
        rows.append((LA, "Bb (val)", month, 5.0, None, None, None))  # the count twin of band b
        rows.append((LA, "Z", month, None, None, None, "source_not_supplied"))
    monthly = pd.DataFrame(
        rows,
        columns=["la_code", "indicator_code", "month", "value", "numerator", "denominator", "no_data_reason"],
    )
    indicators = pd.DataFrame(
        {
            "indicator_code": ["C1", "C0", "P1", "P2", "Ba", "Bb", "Bc", "Bd", "Be", "Bb (val)", "Z"],
            "unit": ["count", "count", "percent", "percent"] + ["percent"] * 5 + ["count", "count"],
            "denominator_definition": [None, None, "X", "Y"] + ["B"] * 5 + [None, None],
        }
    )
    report = dt.date(2025, 1, 1)
    score = []
    for code in ("C1", "P2"):
        values = {}
        for k in range(13):
            month = (pd.Timestamp(report) - pd.DateOffset(months=k)).date()
            pick = (monthly["indicator_code"] == code) & (monthly["month"] == month)
            values[f"value_m{k}"] = monthly.loc[pick, "value"].iloc[0]
        score.append(
            {
                "la_code": LA,
                "reporting_month": report,
                "indicator_code": code,
                **values,
                "value_display": str(values["value_m0"]),
                "change_prev_month_pct": 1.0,
                "change_prev_month_display": "+1%",
                "change_prev_month_arrow": "up",
                "change_prev_year_pct": 2.0,
                "change_prev_year_display": "+2%",
                "change_prev_year_arrow": "up",
                "avg_12m": 11.0,
                "avg_12m_display": "11",
                "max_12m": 22.0,
                "max_12m_display": "22",
                "bench_england": 7.5,
                "commentary": "Three children in Upper Wold",
            }
        )
    scorecard = pd.DataFrame(score)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        for name, frame in (
            ("scorecard_monthly", monthly),
            ("dim_indicator", indicators),
            ("scorecard", scorecard),
        ):
            con.register("frame", frame)
            con.execute(f"create table marts.{name} as select * from frame")
            con.unregister("frame")
        con.execute("alter table marts.scorecard_monthly alter month type date")
        con.execute("alter table marts.scorecard alter reporting_month type date")
    return path


def test_shared_export_suppresses_small_numbers_and_what_would_give_them_back(tmp_path):
    from publish import publish

    warehouse = _marts(tmp_path / "warehouse.duckdb")
    published = tmp_path / "published"
    publish(warehouse, published, shared_export=True)
    m = pd.read_csv(published / "shared" / "scorecard_monthly.csv", dtype=str, keep_default_na=False)
    m = m.set_index(["indicator_code", "month"])
    dec, nov = "2024-12-01", "2024-11-01"
    # Counts: 1-4 shown as <5, 0 and 5+ shown.
    assert tuple(m.loc[("C1", dec), ["value", "suppressed"]]) == ("<5", "true")
    assert tuple(m.loc[("C1", nov), ["value", "suppressed"]]) == ("20", "false")
    assert m.loc[("C0", dec), "value"] == "0"
    # A percentage with numerator 2: value, numerator and denominator hidden.
    assert tuple(m.loc[("P1", dec), ["value", "numerator", "denominator"]]) == ("[c]", "<5", "[c]")
    assert tuple(m.loc[("P2", dec), ["value", "numerator", "denominator"]]) == ("50", "10", "20")
    # Bands partitioning one denominator: band a (2) suppressed, so band b (next smallest) too, and its twin.
    assert tuple(m.loc[("Ba", dec), ["value", "numerator"]]) == ("[c]", "<5")
    assert tuple(m.loc[("Bb", dec), ["value", "numerator", "denominator", "suppressed"]]) == (
        "[c]",
        "[c]",
        "[c]",
        "true",
    )
    assert m.loc[("Bb (val)", dec), "value"] == "[c]"
    assert tuple(m.loc[("Bc", dec), ["value", "numerator"]]) == ("30", "6")
    assert m.loc[("Be", dec), "value"] == "0"
    assert m.loc[("Z", dec), ["value", "no_data_reason"]].tolist() == ["", "source_not_supplied"]
    # Scorecard: December is m1 of January 2025: the change on the month and the 12-month figures are hidden.
    s = pd.read_csv(published / "shared" / "scorecard.csv", dtype=str, keep_default_na=False)
    c1 = s.set_index("indicator_code").loc["C1"]
    assert (c1["value_m1"], c1["value_m0"], c1["value_m2"]) == ("<5", "22", "20")
    assert (c1["change_prev_month_pct"], c1["change_prev_month_display"], c1["change_prev_month_arrow"]) == (
        "[c]",
        "[c]",
        "",
    )
    assert (c1["change_prev_year_display"], c1["change_prev_year_arrow"]) == ("+2%", "up")  # m0, m12 shown
    assert (c1["avg_12m"], c1["max_12m_display"]) == ("[c]", "[c]")
    assert c1["bench_england"] == "7.5"
    p2 = s.set_index("indicator_code").loc["P2"]
    assert (p2["change_prev_month_display"], p2["avg_12m_display"]) == ("+1%", "11")
    assert "commentary" not in s.columns
    # The council's own publication keeps exact figures.
    with duckdb.connect(str(published / "scorecard.duckdb"), read_only=True) as con:
        exact = con.execute(
            "select value from scorecard_monthly where indicator_code = 'C1' and month = ?",
            [dt.date(2024, 12, 1)],
        ).fetchone()[0]
    assert exact == 3.0


def test_published_files_are_owner_only_unless_group_readable_is_set(tmp_path, monkeypatch):
    from publish import publish

    warehouse = _marts(tmp_path / "warehouse.duckdb")
    old = os.umask(0o022)
    try:
        publish(warehouse, tmp_path / "private", shared_export=True)
        monkeypatch.setenv("CSC_PUBLISHED_GROUP_READABLE", "1")
        publish(warehouse, tmp_path / "group")
    finally:
        os.umask(old)
    for folder, (file_mode, dir_mode) in (("private", (0o600, 0o700)), ("group", (0o640, 0o750))):
        root = tmp_path / folder
        modes = {p.relative_to(root): stat.S_IMODE(p.stat().st_mode) for p in [root, *root.rglob("*")]}
        assert {m for p, m in modes.items() if (root / p).is_file()} == {file_mode}, modes
        assert {m for p, m in modes.items() if (root / p).is_dir()} == {dir_mode}, modes
    # Switching the shared export off removes the earlier export (it must not linger with stale figures).
    monkeypatch.delenv("CSC_PUBLISHED_GROUP_READABLE")
    publish(warehouse, tmp_path / "private", shared_export=False)
    assert not list((tmp_path / "private" / "shared").glob("*.csv"))
