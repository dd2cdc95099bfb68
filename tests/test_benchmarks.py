"""Benchmarks from the DfE reference data (int_scorecard__benchmarks) against figures computed here.

One module-scoped build: an empty raw schema plus one extract row for a council code that is not in the
reference data, then ``dbt build --select +int_scorecard__benchmarks +dim_council_population`` into a tmp
DuckDB (about 20 s, mostly dbt start-up and seeds). The expected figures are computed in plain Python from
the reference files in dbt_project/seeds/reference/ (the copies the project loads), not from the model.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import os
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from statistics import mean
from typing import NamedTuple

import duckdb
import pytest

REPO = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO / "dbt_project"
REFERENCE = DBT_PROJECT_DIR / "seeds" / "reference"
SHARED_REFERENCE = REPO.parent / "shared" / "reference" / "data"
DBT = Path(sys.executable).parent / "dbt"

SOUTHAMPTON = "E06000045"
SOUTH_EAST = "E12000008"
ENGLAND = "E92000001"
DEMO = "E06000999"
UNKNOWN = "E06000998"  # sends an extract but is in neither la_lookup nor council_settings
SUPPRESSED = {"c", "x", "z", "-", "u"}
VINTAGE_DATES = {"2021-04": dt.date(2021, 4, 1), "2025-05": dt.date(2025, 5, 1)}


# ---------------------------------------------------------------- independent computation from the files


def _read_csv(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


class Reference(NamedTuple):
    values: dict[tuple[str, int, str], float | None]  # (la_code, year, measure) -> value (None: no data)
    flags: dict[tuple[str, int, str], str]
    units: dict[str, str]
    neighbours: dict[tuple[str, str], list[str]]  # (vintage, la_code) -> neighbour codes by rank
    neighbour_names: dict[tuple[str, str], list[str]]
    mapping: dict[str, dict[str, str]]  # indicator_code -> map row
    la_region: dict[str, str]


@pytest.fixture(scope="module")
def ref() -> Reference:
    values, flags, units = {}, {}, {}
    for row in _read_csv(REFERENCE / "benchmarks.csv.gz"):
        key = (row["la_code"], int(row["year"]), row["measure"])
        flag = row["value_flag"].strip()
        values[key] = float(row["value"]) if row["value"] != "" and flag not in SUPPRESSED else None
        flags[key] = flag
        units[row["measure"]] = row["unit"]
    neighbours: dict[tuple[str, str], list[str]] = {}
    names: dict[tuple[str, str], list[str]] = {}
    for row in sorted(
        _read_csv(REFERENCE / "statistical_neighbours.csv"), key=lambda r: int(r["neighbour_rank"])
    ):
        neighbours.setdefault((row["sn_vintage"], row["la_code"]), []).append(row["neighbour_la_code"])
        names.setdefault((row["sn_vintage"], row["la_code"]), []).append(row["neighbour_la_name"])
    mapping = {
        row["indicator_code"]: row
        for row in _read_csv(DBT_PROJECT_DIR / "seeds" / "indicator_benchmark_map.csv")
    }
    la_region = {row["la_code"]: row["region_code"] for row in _read_csv(REFERENCE / "la_lookup.csv")}
    return Reference(values, flags, units, neighbours, names, mapping, la_region)


def benchmark_year(month: dt.date) -> int:
    """Figures for the year ending 31 March Y count as published from 1 December Y."""
    return month.year if month.month == 12 else month.year - 1


def vintage_for(month: dt.date) -> str:
    eligible = [v for v, d in VINTAGE_DATES.items() if d <= month]
    return max(eligible, key=VINTAGE_DATES.get) if eligible else min(VINTAGE_DATES, key=VINTAGE_DATES.get)


def _indicator_value(ref: Reference, row: dict[str, str], la_code: str, year: int) -> float | None:
    value = ref.values.get((la_code, year, row["dfe_measure"]))
    if value is not None and row["transform"] == "complement":
        value = 100 - value
    return value


def _divisor(ref: Reference, row: dict[str, str]) -> int:
    return 12 if row["measure_kind"] == "flow" and ref.units[row["dfe_measure"]] != "percent" else 1


def expected_neighbour_mean(
    ref: Reference, indicator: str, sn_la: str, month: dt.date
) -> tuple[float | None, int]:
    row = ref.mapping[indicator]
    year = benchmark_year(month)
    found = [_indicator_value(ref, row, n, year) for n in ref.neighbours[(vintage_for(month), sn_la)]]
    used = [v for v in found if v is not None]
    return (mean(used) / _divisor(ref, row) if used else None), len(used)


def expected_group(ref: Reference, indicator: str, group: str, month: dt.date) -> float | None:
    row = ref.mapping[indicator]
    year = benchmark_year(month)
    total = _indicator_value(ref, row, group, year)
    if total is None:
        return None
    if ref.units[row["dfe_measure"]] == "count":  # the average council of the group
        councils = [
            la
            for (la, y, measure) in ref.values
            if y == year
            and measure == row["dfe_measure"]
            and la in ref.la_region
            and (group == ENGLAND or ref.la_region[la] == group)
        ]
        total /= len(councils)
    return total / _divisor(ref, row)


def half_away_from_zero(x: float, places: int = 0) -> Decimal:
    return Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- the build


class Built(NamedTuple):
    con: duckdb.DuckDBPyConnection
    run_results: dict


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    from ingest.schema import create_raw_schema

    base = tmp_path_factory.mktemp("benchmarks_build")
    warehouse = base / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    create_raw_schema(con)
    # the calendar (dim_month) spans ten years before the earliest window: 2014 .. 2027
    con.execute(
        "insert into raw.extracts (extract_id, la_code, period_end, extract_date, window_start,"
        " source_system, folder, manifest_sha256, ingested_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            "0" * 16,
            UNKNOWN,
            dt.date(2025, 3, 31),
            dt.date(2025, 4, 2),
            dt.date(2024, 4, 1),
            "Test",
            "f",
            "0",
            dt.datetime(2025, 4, 2),
        ],
    )
    con.close()
    target = base / "dbt_target"
    env = {**os.environ, "CSC_WAREHOUSE_PATH": str(warehouse)}
    cmd = [
        str(DBT),
        "build",
        "--select",
        "+int_scorecard__benchmarks",
        "+dim_council_population",
        # tests whose every parent is built (the catalogue's other children, e.g. council_targets, are not)
        "--indirect-selection",
        "cautious",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(target / "logs"),
    ]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        pytest.fail("dbt build failed:\n" + "\n".join(proc.stdout.splitlines()[-40:]), pytrace=False)
    run_results = json.loads((target / "run_results.json").read_text())
    con = duckdb.connect(str(warehouse), read_only=True)
    yield Built(con, run_results)
    con.close()


def _rows(built: Built, la_code: str, month: dt.date, indicator: str | None = None) -> dict[str, dict]:
    sql = """
        select * from intermediate.int_scorecard__benchmarks
        where la_code = ? and ? between valid_from_month and valid_to_month
    """
    params: list = [la_code, month]
    if indicator:
        sql += " and indicator_code = ?"
        params.append(indicator)
    cur = built.con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return {r[names.index("indicator_code")]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}


# ---------------------------------------------------------------- tests


def test_reference_copies_match_the_shared_downloads():
    if not SHARED_REFERENCE.exists():
        pytest.skip("shared reference folder not present")
    with gzip.open(REFERENCE / "benchmarks.csv.gz", "rb") as handle:
        assert handle.read() == (SHARED_REFERENCE / "benchmarks.csv").read_bytes()
    for name in [
        "statistical_neighbours.csv",
        "benchmark_measures.csv",
        "la_lookup.csv",
        "population_0_17.csv",
    ]:
        assert (REFERENCE / name).read_bytes() == (SHARED_REFERENCE / name).read_bytes(), name


def test_map_covers_the_catalogue_with_known_measures(ref: Reference):
    catalogue = [row["code"] for row in _read_csv(DBT_PROJECT_DIR / "seeds" / "indicators.csv")]
    assert sorted(ref.mapping) == sorted(catalogue)
    for code, row in ref.mapping.items():
        if row["dfe_measure"]:
            assert row["has_national_equivalent"] == "true", code
            assert row["dfe_measure"] in ref.units, code
            assert row["measure_kind"] in {"flow", "stock"}, code


def test_southampton_2018_neighbour_means_match_the_files(built: Built, ref: Reference):
    month = dt.date(2018, 6, 1)
    # the 2021-04 grouping is the oldest, so 2018 uses it (README: Southampton's 2021-04 neighbours)
    assert ref.neighbour_names[("2021-04", SOUTHAMPTON)] == [
        "Portsmouth", "Sheffield", "Peterborough", "Plymouth", "Derby",
        "Bristol, City of", "Coventry", "Stoke-on-Trent", "Kingston upon Hull, City of", "Salford",
    ]  # fmt: skip
    rows = _rows(built, SOUTHAMPTON, month)
    mapped = [code for code, row in ref.mapping.items() if row["dfe_measure"]]
    assert len(mapped) >= 20
    for code in mapped:
        row = rows[code]
        expected, used = expected_neighbour_mean(ref, code, SOUTHAMPTON, month)
        assert row["sn_vintage"] == "2021-04" and row["benchmark_year"] == 2017, code
        assert row["sn_neighbours_listed"] == 10, code
        assert row["sn_neighbours_used"] == used, code
        if expected is None:
            assert row["bench_stat_neighbour"] is None, code
            assert row["bench_stat_neighbour_no_data_reason"] is not None, code
        else:
            assert row["bench_stat_neighbour"] == pytest.approx(expected, rel=1e-12), code
        assert row["bench_england"] == pytest.approx(expected_group(ref, code, ENGLAND, month), rel=1e-12), (
            code
        )
        region = expected_group(ref, code, SOUTH_EAST, month)
        assert row["bench_region"] == (pytest.approx(region, rel=1e-12) if region is not None else None), code
    # a flow rate is divided by 12; a stock rate is not
    assert rows["M2-NI"]["bench_stat_neighbour"] == pytest.approx(
        mean(
            ref.values[(n, 2017, "referrals_rate_per_10k")] for n in ref.neighbours[("2021-04", SOUTHAMPTON)]
        )
        / 12
    )
    assert rows["LAC1-NI"]["bench_stat_neighbour"] == pytest.approx(
        mean(
            ref.values[(n, 2017, "cla_31mar_rate_per_10k")] for n in ref.neighbours[("2021-04", SOUTHAMPTON)]
        )
    )


def test_england_referral_rate_2016_17_shows_as_46(built: Built, ref: Reference):
    assert ref.values[(ENGLAND, 2017, "referrals_rate_per_10k")] == 553.6
    # June 2018: the latest year published is 2016-17 (year ending March 2017, published December 2017)
    row = _rows(built, SOUTHAMPTON, dt.date(2018, 6, 1), "M2-NI")["M2-NI"]
    assert row["benchmark_year"] == 2017 and row["monthly_divisor"] == 12
    assert row["bench_england"] == pytest.approx(553.6 / 12)
    assert half_away_from_zero(row["bench_england"]) == 46
    # count indicators: the average English council (646,120 referrals / 152 councils / 12 = 354)
    m2 = _rows(built, SOUTHAMPTON, dt.date(2018, 6, 1), "M2")["M2"]
    assert half_away_from_zero(m2["bench_england"]) == 354
    # November 2018 still shows 2016-17; December 2018 moves to 2017-18
    assert _rows(built, SOUTHAMPTON, dt.date(2018, 11, 1), "M2-NI")["M2-NI"]["benchmark_year"] == 2017
    december = _rows(built, SOUTHAMPTON, dt.date(2018, 12, 1), "M2-NI")["M2-NI"]
    assert december["benchmark_year"] == 2018
    assert december["bench_england"] == pytest.approx(
        ref.values[(ENGLAND, 2018, "referrals_rate_per_10k")] / 12
    )


def _first_partly_suppressed_neighbour_set(ref: Reference) -> tuple[str, str, int] | None:
    for (vintage, la_code), codes in sorted(ref.neighbours.items()):
        if vintage != "2021-04" or la_code not in ref.la_region:
            continue
        for indicator, row in sorted(ref.mapping.items()):
            for year in range(2014, 2025) if row["dfe_measure"] else ():
                keys = [(n, year, row["dfe_measure"]) for n in codes]
                if not all(k in ref.flags for k in keys):
                    continue
                suppressed = any(ref.flags[k] in {"c", "x", "z", "-"} for k in keys)
                if suppressed and any(ref.values[k] is not None for k in keys):
                    return la_code, indicator, year
    return None


def test_suppressed_neighbour_value_is_left_out_and_counted(built: Built, ref: Reference):
    # the first (council, indicator, year) in the files where some but not all 2021-04 neighbours are
    # suppressed; June of year Y + 1 reports year Y with that vintage
    case = _first_partly_suppressed_neighbour_set(ref)
    assert case is not None, "no suppressed neighbour value in the reference data"
    la_code, indicator, year = case
    month = dt.date(year + 1, 6, 1)
    expected, used = expected_neighbour_mean(ref, indicator, la_code, month)
    row = _rows(built, la_code, month, indicator)[indicator]
    assert 0 < used < 10
    assert row["sn_neighbours_used"] == used and row["sn_neighbours_listed"] == 10
    assert row["bench_stat_neighbour"] == pytest.approx(expected, rel=1e-12)


def test_council_not_in_reference_data_gets_no_data_with_reason(built: Built):
    rows = _rows(built, UNKNOWN, dt.date(2024, 6, 1))
    m2_ni = rows["M2-NI"]
    assert m2_ni["bench_stat_neighbour"] is None and m2_ni["bench_region"] is None
    assert m2_ni["bench_stat_neighbour_no_data_reason"] == "council_not_in_reference_data"
    assert m2_ni["bench_region_no_data_reason"] == "council_not_in_reference_data"
    assert m2_ni["bench_england"] is not None  # England does not depend on the council
    assert rows["M1"]["bench_england_no_data_reason"] == "no_national_equivalent"
    # the run's report (dbt run_results.json, a Dagster asset-check warning) names the problem
    [result] = [
        r
        for r in built.run_results["results"]
        if ".benchmarks_council_sending_extracts_is_not_in_reference_data." in r["unique_id"]
    ]
    assert result["status"] == "warn" and result["failures"] >= 1


def test_demo_council_uses_southampton_neighbours_and_south_east(built: Built, ref: Reference):
    month = dt.date(2024, 6, 1)
    demo = _rows(built, DEMO, month)
    southampton = _rows(built, SOUTHAMPTON, month)
    assert demo["LAC1-NI"]["sn_list_la_code"] == SOUTHAMPTON and demo["LAC1-NI"]["region_code"] == SOUTH_EAST
    for code in ["M2-NI", "LAC1-NI", "CP6B", "EH4-QL"]:
        assert demo[code]["bench_stat_neighbour"] == southampton[code]["bench_stat_neighbour"], code
        assert demo[code]["bench_region"] == pytest.approx(expected_group(ref, code, SOUTH_EAST, month)), code
    # the council has no list of its own and no year of data outside 2013-2025: explicit reasons
    later = _rows(built, DEMO, dt.date(2027, 6, 1), "M2-NI")["M2-NI"]
    assert later["bench_england"] is None
    assert later["bench_england_no_data_reason"] == "year_not_in_reference_data"


def test_population_uses_mid_year_before_the_dfe_year(built: Built):
    rows = dict(
        built.con.execute(
            "select population_year, population_0_17 from marts.dim_council_population where la_code = ?",
            [SOUTHAMPTON],
        ).fetchall()
    )
    # README: Southampton mid-2016 = 48,847 (rates for April 2016 - March 2017), mid-2017 = 49,138
    assert rows[2016] == 48_847 and rows[2017] == 49_138
    [(demo,)] = built.con.execute(
        "select distinct population_0_17 from marts.dim_council_population where la_code = ?", [DEMO]
    ).fetchall()
    assert demo == 50_000  # council_settings override
