"""The dbt mart ``scorecard_monthly`` against the independent oracle (tests/oracle.py).

The slow tests build a synthetic council end to end (generate -> landing -> ingest -> ``dbt build``) once per
module and compare every (indicator, month) of the mart with the oracle's expected value. Only aggregates are
ever printed (indicator, month, value), never records.

The fast tests check the oracle's own building blocks against the worked examples of scorecard_rules.md.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import math
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NamedTuple

import pytest
from test_reporting import catalogue, needs_chromium, parse_page

try:
    from tests import oracle
except ImportError:  # tests/ is not a package: pytest puts tests/ itself on sys.path
    import oracle  # type: ignore[no-redef]

REPO = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO / "dbt_project"
DBT = Path(sys.executable).parent / "dbt"
REL_TOL = 1e-9


def _configured_population(la_code: str) -> int:
    """The 0-17 population the warehouse is configured with for the (fictional) demo council.

    The mart's rates divide by the council's configured population (seed council_settings.csv), and the
    oracle by ``council.population``: the synthetic council must be generated with the same number.
    """
    path = DBT_PROJECT_DIR / "seeds" / "council_settings.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["la_code"] == la_code and (row.get("population_0_17_override") or "").strip():
                return int(row["population_0_17_override"])
    raise LookupError(f"no population_0_17_override for {la_code} in {path}")


# The demo council's shape (50,000 children, 36 reporting months with a 24-month history extract, monthly
# drops and a re-run) with another seed than the demo's. Measured on 2 shared cores: generate 8-9 s, ingest
# 18-30 s, dbt build 32-54 s, oracle 2-6 s; the whole module 64-95 s. At this size no month has a zero
# denominator (at 12,000 children some do): zero_denominator is checked by the fast oracle tests only.
LA_CODE = "E06000999"
TEST_CONFIG = {
    "la_code": LA_CODE,
    "end_month": "2025-03",
    "months": 36,
    "history_months": 24,
    "seed": 7,
}


# Lists withheld from some extracts after writing, so that the no-data reasons source_not_supplied and
# no_snapshot also occur where the demo would have data (contract §1: a list an LA does not produce is simply
# absent from the manifest). Chosen so that council.truth stays the truth of every month still covered:
# contacts and transfer-in conferences are counted in the month of their placing date and foster carers are
# a state list, so a record only the history extract held cannot be counted in a month a monthly drop covers.
# List 9 is a snapshot list: withholding it from one monthly drop leaves that month without a List 9 snapshot.
WITHHELD_FROM_HISTORY = {
    "annex_a/list_01_contacts.csv": "annex_a_contacts",
    "local/transfer_in_conferences.csv": "local_transfer_in_conferences",
    "local/foster_carers.csv": "local_foster_carers",
}
WITHHELD_FROM_ONE_DROP = {"annex_a/list_09_care_leavers.csv": "annex_a_care_leavers"}


def _withhold(folder: Path, files: Iterable[str]) -> None:
    """Remove files from a written extract folder and from its manifest."""
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for rel in files:
        (folder / rel).unlink()
        del manifest["files"][rel]
    manifest_path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _withhold_lists(council: Any, landing: Path) -> SimpleNamespace:
    """Withhold the lists above in the landing folder; returns the council as the oracle must now see it."""
    history = next(e for e in council.extracts if e.folder.endswith("_history"))
    period_ends = Counter(e.period_end for e in council.extracts)
    monthly = [e for e in council.extracts if e is not history and period_ends[e.period_end] == 1]
    drop = monthly[min(2, len(monthly) - 1)]  # a monthly drop whose month has no re-run
    _withhold(landing / LA_CODE / history.folder, WITHHELD_FROM_HISTORY)
    _withhold(landing / LA_CODE / drop.folder, WITHHELD_FROM_ONE_DROP)
    extracts = []
    for e in council.extracts:
        removed = set(WITHHELD_FROM_HISTORY.values()) if e is history else set()
        removed |= set(WITHHELD_FROM_ONE_DROP.values()) if e is drop else set()
        extracts.append(dataclasses.replace(e, tables=frozenset(e.tables - removed)))
    snapshots = dict(council.snapshots)
    snapshots[drop.period_end] = {
        t: df for t, df in snapshots[drop.period_end].items() if t not in WITHHELD_FROM_ONE_DROP.values()
    }
    return SimpleNamespace(
        la_code=council.la_code,
        population=council.population,
        truth=council.truth,
        snapshots=snapshots,
        extracts=extracts,
    )


class Built(NamedTuple):
    council: Any
    months: list[dt.date]
    expected: dict[tuple[str, dt.date], oracle.Expected]
    actual: dict[tuple[str, dt.date], oracle.Expected]
    actual_rows: int
    timings: dict[str, float]
    base: Path  # CSC_DATA_DIR of the build (warehouse.duckdb, landing/)


def _run_dbt(args: list[str], env: dict[str, str], target: Path) -> subprocess.CompletedProcess:
    cmd = [
        str(DBT),
        *args,
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(target / "logs"),
    ]
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    import synthetic
    from ingest import load
    from ingest.settings import Settings

    timings: dict[str, float] = {}
    base = tmp_path_factory.mktemp("oracle_build")
    env = {
        **os.environ,
        "CSC_DEMO": "1",
        "CSC_DATA_DIR": str(base),
        "CSC_LANDING_DIR": str(base / "landing"),
        "CSC_ARCHIVE_DIR": str(base / "archive"),
        "CSC_WAREHOUSE_PATH": str(base / "warehouse.duckdb"),
        "CSC_PUBLISHED_DIR": str(base / "published"),
    }
    env.pop("CSC_PSEUDONYMISATION_KEY", None)  # synthetic data: the documented demo key

    t0 = time.perf_counter()
    population = _configured_population(LA_CODE)
    council = synthetic.generate_council(synthetic.CouncilConfig(population=population, **TEST_CONFIG))
    council.write(base / "landing", annex_a_format="csv")
    council = _withhold_lists(council, base / "landing")
    timings["generate"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    load.ingest_landing(Settings.from_env(env))
    timings["ingest"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    proc = _run_dbt(["build"], env, base / "dbt_target")
    timings["dbt_build"] = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-40:])
        pytest.fail(f"dbt build failed (exit {proc.returncode}):\n{tail}", pytrace=False)

    t0 = time.perf_counter()
    expected = oracle.expected_scorecard_monthly(council)
    timings["oracle"] = time.perf_counter() - t0

    import duckdb

    con = duckdb.connect(str(base / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "select indicator_code, month, value, numerator, denominator, no_data_reason "
            "from marts.scorecard_monthly where la_code = ?",
            [LA_CODE],
        ).fetchall()
    finally:
        con.close()
    actual = {}
    for code, month, value, num, den, reason in rows:
        month = month.date() if isinstance(month, dt.datetime) else month
        actual[(code, month)] = oracle.Expected(value, num, den, reason)
    months = oracle.council_months(council)
    print(f"\nbuild timings (s): { {k: round(v, 1) for k, v in timings.items()} }")
    return Built(council, months, expected, actual, len(rows), timings, base)


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)


def _fmt(x: float | None) -> str:
    return "NULL" if x is None else f"{x:.6g}"


def _mismatch_report(mismatches: list[tuple[str, dt.date, oracle.Expected, oracle.Expected | None]]) -> str:
    per_code = Counter(code for code, *_ in mismatches)
    lines = [f"{len(mismatches)} (indicator, month) cells differ from the oracle.", "", "per indicator:"]
    lines += [f"  {code:<14} {n:>3} months" for code, n in sorted(per_code.items())]
    lines += ["", f"first mismatches (of {len(mismatches)}):"]
    lines.append(f"  {'code':<14} {'month':<8} {'expected':>24} {'actual':>24}")
    shown: Counter = Counter()
    for code, month, exp, act in mismatches:
        if shown[code] >= 3 or sum(shown.values()) >= 60:
            continue
        shown[code] += 1
        e = exp.no_data_reason or _fmt(exp.value)
        a = "missing row" if act is None else (act.no_data_reason or _fmt(act.value))
        lines.append(f"  {code:<14} {month:%Y-%m}  {e:>24} {a:>24}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- slow tests


@pytest.mark.slow
def test_scorecard_monthly_matches_oracle(built: Built) -> None:
    mismatches = []
    for key in sorted(built.expected, key=lambda k: (k[0], k[1])):
        exp = built.expected[key]
        act = built.actual.get(key)
        if act is None or act.no_data_reason != exp.no_data_reason or not _same(act.value, exp.value):
            mismatches.append((key[0], key[1], exp, act))
    extra = sorted(set(built.actual) - set(built.expected))
    message = _mismatch_report(mismatches) if mismatches else ""
    if extra:
        message += f"\n{len(extra)} mart rows the oracle does not expect, e.g. {extra[:5]}"
    if message:
        print(message)
    assert not mismatches and not extra, message


@pytest.mark.slow
def test_percent_and_rate_parts_match_oracle(built: Built) -> None:
    """Numerator and denominator of every valued percent/rate cell agree too."""
    bad = []
    for key, exp in built.expected.items():
        act = built.actual.get(key)
        if act is None or exp.value is None or exp.numerator is None:
            continue
        if not (_same(act.numerator, exp.numerator) and _same(act.denominator, exp.denominator)):
            bad.append(
                f"  {key[0]:<14} {key[1]:%Y-%m} expected {_fmt(exp.numerator)}/{_fmt(exp.denominator)}"
                f" actual {_fmt(act.numerator)}/{_fmt(act.denominator)}"
            )
    assert not bad, f"{len(bad)} numerator/denominator differences:\n" + "\n".join(bad[:40])


@pytest.mark.slow
def test_one_row_per_indicator_and_month(built: Built) -> None:
    codes = oracle.catalogue_codes()
    assert len(codes) == 58
    assert built.actual_rows == len(codes) * len(built.months), (
        f"{built.actual_rows} rows, expected 58 x {len(built.months)} months"
    )
    assert {m for _, m in built.actual} == set(built.months)
    assert {c for c, _ in built.actual} == set(codes)


@pytest.mark.slow
def test_value_null_iff_no_data_reason(built: Built) -> None:
    allowed = {
        oracle.SOURCE_NOT_SUPPLIED,
        oracle.NO_SNAPSHOT,
        oracle.INSUFFICIENT_HISTORY,
        oracle.ZERO_DENOMINATOR,
        oracle.NO_POPULATION,
    }
    for (code, month), act in built.actual.items():
        assert (act.value is None) == (act.no_data_reason is not None), (code, month)
        assert act.no_data_reason is None or act.no_data_reason in allowed, (code, month, act.no_data_reason)


@pytest.mark.slow
def test_no_data_reasons_occur(built: Built) -> None:
    """The build exercises every no-data reason the demo can produce (none has no_population)."""
    reasons = Counter(e.no_data_reason for e in built.expected.values())
    for reason in (oracle.SOURCE_NOT_SUPPLIED, oracle.NO_SNAPSHOT, oracle.INSUFFICIENT_HISTORY):
        assert reasons[reason] > 0, (reason, dict(reasons))
    withheld_months = {m for (code, m), e in built.expected.items() if code == "M1" and e.no_data_reason}
    assert withheld_months and min(withheld_months) == built.months[0], sorted(withheld_months)


@pytest.mark.slow
def test_every_indicator_has_data_in_some_month(built: Built) -> None:
    """No indicator is silently all no-data in the demo (in the oracle, nor in the mart)."""
    for label, cells in (("oracle", built.expected), ("mart", built.actual)):
        with_data = {code for (code, _), e in cells.items() if e.value is not None}
        all_null = sorted(set(oracle.catalogue_codes()) - with_data)
        assert not all_null, f"{label}: indicators with no data in any month: {all_null}"


# ---------------------------------------------------------------------------------------------- fast tests


def test_working_days_follow_the_rules() -> None:
    wd = oracle.WorkingDays(2022, 2025)
    fri, sat, mon = dt.date(2024, 3, 1), dt.date(2024, 3, 2), dt.date(2024, 3, 4)
    assert wd.count(fri, fri) == 0  # same day
    assert wd.count(fri, mon) == 1  # Friday to Monday
    assert wd.count(sat, mon) == 0  # Saturday to Monday
    # Good Friday 2024-03-29 and Easter Monday 2024-04-01 are skipped: Thu 28 Mar -> Tue 2 Apr = 1
    assert wd.count(dt.date(2024, 3, 28), dt.date(2024, 4, 2)) == 1
    # M8-QL: a Friday, Saturday or Sunday receipt has Monday as its next working day; bank holidays skipped.
    assert wd.next_working_day_after(fri) == mon
    assert wd.next_working_day_after(sat) == mon
    assert wd.next_working_day_after(dt.date(2024, 3, 28)) == dt.date(2024, 4, 2)
    assert wd.next_working_day_after(dt.date(2022, 9, 16)) == dt.date(2022, 9, 20)  # state funeral 19 Sep


def test_month_arithmetic_and_ages() -> None:
    assert oracle._add_months(dt.date(2024, 2, 29), -12) == dt.date(2023, 2, 28)
    assert oracle._add_months(dt.date(2024, 3, 31), -1) == dt.date(2024, 2, 29)
    assert oracle._age(dt.date(2011, 5, 20), dt.date(2024, 5, 19)) == 12
    assert oracle._age(dt.date(2011, 5, 20), dt.date(2024, 5, 20)) == 13


class _Ext(NamedTuple):
    folder: str
    period_end: dt.date
    extract_date: dt.date
    window_start: dt.date
    tables: frozenset[str]


def test_oracle_coverage_and_no_data_reasons_on_a_tiny_council() -> None:
    """A hand-built council: two referrals a year apart, one extract window of 14 months, no snapshots."""
    import pandas as pd

    window = (dt.date(2024, 3, 31), dt.date(2024, 4, 2), dt.date(2023, 1, 15))
    tiny = SimpleNamespace(
        la_code="E06000999",
        population=20_000,
        extracts=[_Ext("h", *window, frozenset({oracle.REFERRALS}))],
        snapshots={},
        truth={
            oracle.REFERRALS: pd.DataFrame(
                {
                    "child_id": ["A", "A", "B"],
                    "referral_date": [dt.date(2023, 3, 10), dt.date(2024, 3, 5), dt.date(2024, 3, 6)],
                    "date_of_birth": [dt.date(2010, 1, 1)] * 3,
                }
            )
        },
    )

    got = oracle.expected_scorecard_monthly(tiny)
    months = oracle.council_months(tiny)
    assert months[0] == dt.date(2023, 2, 1) and months[-1] == dt.date(2024, 3, 1)  # first full month
    assert len(got) == 58 * len(months)
    march = dt.date(2024, 3, 1)
    assert got[("M2", march)].value == 2.0
    assert got[("M2-NI", march)] == oracle.Expected(1.0, 2.0, 20_000.0, None)
    assert got[("M1", march)].no_data_reason == oracle.SOURCE_NOT_SUPPLIED
    assert got[("M3", march)].no_data_reason == oracle.SOURCE_NOT_SUPPLIED
    # covered from Feb 2023: Jan 2024 lacks Jan 2023 in its 12 months of history, Feb 2024 has them all
    assert got[("M6-QL (val)", dt.date(2024, 1, 1))].no_data_reason == oracle.INSUFFICIENT_HISTORY
    assert got[("M6-QL (val)", dt.date(2024, 2, 1))].no_data_reason is None
    assert got[("M6-QL (val)", march)] == oracle.Expected(1.0, None, None, None)  # A: 2023-03-10 > 2023-03-05
    assert got[("M6-QL", march)].value == pytest.approx(50.0)
    assert got[("M6-QL", dt.date(2023, 6, 1))].no_data_reason == oracle.INSUFFICIENT_HISTORY
    assert got[("NI147", march)].no_data_reason == oracle.NO_SNAPSHOT
    assert got[("EH3a%", march)].no_data_reason == oracle.SOURCE_NOT_SUPPLIED


def _tiny(extract_tables: set[str], truth: dict, population: int = 20_000) -> SimpleNamespace:
    window = (dt.date(2024, 3, 31), dt.date(2024, 4, 2), dt.date(2023, 1, 1))
    return SimpleNamespace(
        la_code="E06000999",
        population=population,
        extracts=[_Ext("h", *window, frozenset(extract_tables))],
        snapshots={},
        truth=truth,
    )


def test_oracle_mash_timeliness_branches() -> None:
    """M8-QL: within 24 hours, or on/before the next working day after the day received."""
    import pandas as pd

    at = dt.datetime
    rows = [
        (at(2024, 3, 1, 17, 0), at(2024, 3, 4, 16, 0)),  # Fri -> Mon, 71 h: next working day, timely
        (at(2024, 3, 2, 9, 0), at(2024, 3, 4, 18, 0)),  # Sat -> Mon: timely
        (at(2024, 3, 4, 9, 0), at(2024, 3, 5, 9, 0)),  # exactly 24 h: timely
        (at(2024, 3, 4, 9, 0), at(2024, 3, 6, 8, 0)),  # Mon -> Wed, 47 h: late
        (at(2024, 3, 28, 10, 0), at(2024, 4, 2, 9, 0)),  # Thu -> Tue after Easter: timely (decided in April)
    ]
    frame = pd.DataFrame(rows, columns=["referral_received", "mash_decision"])
    frame.insert(0, "child_id", [f"C{i}" for i in range(len(rows))])
    got = oracle.expected_scorecard_monthly(_tiny({oracle.MASH}, {oracle.MASH: frame}))
    assert got[("M8-QL", dt.date(2024, 3, 1))] == oracle.Expected(75.0, 3.0, 4.0, None)
    assert ("M8-QL", dt.date(2024, 4, 1)) not in got  # after the latest period_end: not a council month
    assert got[("M8-QL", dt.date(2024, 2, 1))] == oracle.Expected(None, 0.0, 0.0, oracle.ZERO_DENOMINATOR)


def test_oracle_looked_after_rules() -> None:
    """LAC1 excludes V3/V4; LAC3 excludes X1; LAC14 needs DUC empty or after DECOM; LAC9 IFA."""
    import pandas as pd

    d = dt.date
    episodes = pd.DataFrame(
        [
            ("A", d(2023, 5, 10), "S", "C2", "U4", "PR4", None, None),  # looked after, IFA
            ("B", d(2023, 5, 11), "S", "V3", "U1", "PR4", None, None),  # short breaks: not looked after
            ("C", d(2023, 5, 12), "S", "C1", "K2", "PR1", d(2023, 8, 31), "X1"),  # ceases with X1: not LAC3
            ("C", d(2023, 8, 31), "P", "C1", "U1", "PR1", d(2023, 9, 20), "E11"),  # adoption
            ("D", d(2023, 5, 13), "S", "C2", "U2", "PR5", None, None),  # UASC ceased on DECOM: not LAC14
        ],
        columns=["child_id", "decom", "rne", "ls", "place", "place_provider", "dec", "rec"],
    )
    uasc = pd.DataFrame({"child_id": ["A", "D"], "duc": [None, d(2023, 5, 13)]})
    tables = {oracle.EPISODES, oracle.UASC}
    got = oracle.expected_scorecard_monthly(_tiny(tables, {oracle.EPISODES: episodes, oracle.UASC: uasc}))
    may, aug, sep = d(2023, 5, 1), d(2023, 8, 1), d(2023, 9, 1)
    assert got[("LAC1", may)].value == 3.0  # A, C, D
    assert got[("LAC2", may)].value == 3.0
    assert got[("LAC14", may)].value == 1.0  # A only
    assert got[("LAC13", may)].value == 1.0  # A (D's DUC is before month end)
    assert got[("LAC9 (val)", may)].value == 2.0  # A (U4/PR4) and D (U2/PR5)
    assert got[("LAC3", aug)].value == 0.0 and got[("LAC1", aug)].value == 3.0  # X1 is a change of episode
    assert got[("LAC3", sep)].value == 1.0 and got[("LAC6 (%)", sep)].value == 100.0
    assert got[("LAC1", sep)].value == 2.0
    assert got[("LAC10 (%)", may)].no_data_reason == oracle.SOURCE_NOT_SUPPLIED  # care_plans not supplied


@needs_chromium
@pytest.mark.slow
def test_demo_council_latest_month_renders_in_headless_chromium(built: Built, tmp_path: Path) -> None:
    """The demo council as the real pipeline builds it: publish, render its latest month, open in Chromium."""
    from publish import publish
    from reporting import render_month
    from reporting.screenshot import dump_dom, screenshot

    published = tmp_path / "published"
    publish(built.base / "warehouse.duckdb", published, run_id="test")
    result = render_month(published, LA_CODE, None, tmp_path / "reports", ledger_dir=tmp_path / "reports")
    assert result.reporting_month == max(built.months)
    png = screenshot(result.html, tmp_path / "scorecard.png", width=1150, height=1400)
    assert png.stat().st_size > 20_000  # a rendered page, not a blank one
    page = parse_page(dump_dom(result.html))
    codes = [row["code"] for row in catalogue()]
    assert page.order == codes  # every catalogue indicator is on the page, in catalogue order
    sections = list(dict.fromkeys(row["section"] for row in catalogue()))
    assert set(sections) <= set(page.h2)
    # the page shows the mart's figures: M1 of the reporting month as the mart has it
    m1 = built.actual[("M1", max(built.months))].value
    assert page.rows["M1"]["months"][-1] == f"{m1:.0f}"
