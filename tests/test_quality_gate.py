"""The publication gate's GX suites (data_quality/), on a small warehouse written by the tests.

`write_marts` writes the mart tables of docs/design.md (input data for the gate, not a stand-in for our code);
test_publish.py and test_orchestration.py use it too.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from data_quality.gate import run_gate
from data_quality.report import run_report_dir, write_table_report
from data_quality.tables import date_pairs, grains_from_manifest, table_spec

SEED = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "indicators.csv"
LA = "E06000999"
LA2 = "E06000998"


def catalogue() -> pd.DataFrame:
    return pd.read_csv(SEED, dtype=str, keep_default_na=False)


def _months(last: dt.date, n: int) -> list[dt.date]:
    months = []
    year, month = last.year, last.month
    for _ in range(n):
        months.append(dt.date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return sorted(months)


def monthly_frame(
    last_month: dt.date = dt.date(2025, 3, 1), n_months: int = 14, councils=(LA,)
) -> pd.DataFrame:
    """A valid scorecard_monthly: counts, rates and percentages, with some 'no data' rows."""
    cat = catalogue()
    rows = []
    for c_index, la_code in enumerate(councils):
        for m_index, month in enumerate(_months(last_month, n_months)):
            for i, ind in enumerate(cat.itertuples()):
                base = 10 + (i * 7 + m_index * 3 + c_index) % 50
                if ind.unit == "percent":
                    num, den = float(base), float(base * 2 + 5)
                    value, reason = num / den * 100, None
                elif ind.unit == "rate_per_10k":
                    num, den = float(base), 50_000.0
                    value, reason = num / den * 10_000, None
                else:
                    num = den = None
                    value, reason = float(base), None
                if ind.code == "LAC16" and m_index == 0:
                    value, num, den, reason = None, None, None, "insufficient_history"
                rows.append((la_code, ind.code, month, value, num, den, reason))
    return pd.DataFrame(
        rows,
        columns=["la_code", "indicator_code", "month", "value", "numerator", "denominator", "no_data_reason"],
    )


def scorecard_frame(monthly: pd.DataFrame) -> pd.DataFrame:
    """scorecard rows for each council's last two months, derived from scorecard_monthly."""
    cat = catalogue().set_index("code")
    out = []
    for la_code, part in monthly.groupby("la_code"):
        months = sorted(part["month"].unique())
        values = part.pivot_table(
            index="month", columns="indicator_code", values="value", aggfunc="first", dropna=False
        )
        for reporting_month in months[-2:]:
            trend = [m for m in months if m <= reporting_month][-13:]
            trend = [None] * (13 - len(trend)) + trend
            for code in cat.index:
                row = {"la_code": la_code, "reporting_month": reporting_month, "indicator_code": code}
                for k, m in zip(range(12, -1, -1), trend, strict=True):
                    row[f"value_m{k}"] = None if m is None else values.at[m, code]
                last12 = [row[f"value_m{k}"] for k in range(11, -1, -1) if row[f"value_m{k}"] is not None]
                row.update(
                    section=cat.at[code, "section"],
                    title=cat.at[code, "title"],
                    change_prev_month_arrow="similar",
                    change_prev_year_arrow=None,
                    avg_12m=sum(last12) / len(last12) if last12 else None,
                    max_12m=max(last12) if last12 else None,
                    polarity=cat.at[code, "polarity"],
                    desired_direction={"higher_is_better": "▲", "lower_is_better": "▼"}.get(
                        cat.at[code, "polarity"], ""
                    ),
                    percentage_flag="P" if cat.at[code, "is_percentage"] == "Y" else "-",
                )
                out.append(row)
    return pd.DataFrame(out)


def write_marts(
    warehouse: Path,
    monthly: pd.DataFrame | None = None,
    scorecard: pd.DataFrame | None = None,
    facts: dict[str, pd.DataFrame] | None = None,
) -> Path:
    """Write reference.indicators and the marts (scorecard_monthly, scorecard, dims, a fact)."""
    monthly = monthly_frame() if monthly is None else monthly
    scorecard = scorecard_frame(monthly) if scorecard is None else scorecard
    cat = catalogue()
    councils = pd.DataFrame({"la_code": sorted(monthly["la_code"].unique())})
    councils["la_name"] = "Northwold (fictional)"
    if facts is None:
        facts = {
            "fct_cp_plans": pd.DataFrame(
                {
                    "la_code": [LA] * 3,
                    "child_key": ["a" * 32, "b" * 32, "c" * 32],
                    "cp_plan_start_date": [dt.date(2024, 1, 5), dt.date(2024, 2, 1), dt.date(2024, 3, 9)],
                    "cp_plan_end_date": [dt.date(2024, 6, 1), None, dt.date(2024, 3, 9)],
                }
            )
        }
    dim_child = pd.DataFrame({"la_code": [LA, LA], "child_key": ["a" * 32, "b" * 32], "gender": ["F", "M"]})
    with duckdb.connect(str(warehouse)) as con:
        for schema in ("reference", "marts"):
            con.execute(f"create schema if not exists {schema}")
        tables = {
            "reference.indicators": cat,
            "marts.scorecard_monthly": monthly,
            "marts.scorecard": scorecard,
            "marts.dim_council": councils,
            "marts.dim_indicator": cat.rename(columns={"code": "indicator_code"}),
            "marts.dim_child": dim_child,
            **{f"marts.{name}": frame for name, frame in facts.items()},
        }
        for name, frame in tables.items():
            con.register("frame", frame)
            con.execute(f"create or replace table {name} as select * from frame")
            con.unregister("frame")
        con.execute("alter table marts.scorecard_monthly alter month type date")
        con.execute("alter table marts.scorecard alter reporting_month type date")
    return warehouse


def failed(results, table: str) -> list[str]:
    return [o.description for v in results[table] for o in v.outcomes if not o.success]


@pytest.fixture(scope="module")
def clean_warehouse(tmp_path_factory) -> Path:
    return write_marts(tmp_path_factory.mktemp("gate") / "warehouse.duckdb")


def test_clean_marts_pass_every_suite(clean_warehouse):
    results = run_gate(clean_warehouse)
    assert {
        "scorecard_monthly",
        "scorecard",
        "dim_council",
        "dim_indicator",
        "dim_child",
        "fct_cp_plans",
    } <= set(results)
    for table, validations in results.items():
        assert all(v.success for v in validations), (table, [v.summary() for v in validations])
    # Completeness is checked per council at its latest month.
    scopes = [v.scope for v in results["scorecard_monthly"]]
    assert any("E06000999 2025-03: catalogue complete" in s for s in scopes)


def test_percentage_of_140_fails_and_names_the_row(tmp_path):
    monthly = monthly_frame()
    row = monthly.index[(monthly["indicator_code"] == "M3") & (monthly["month"] == dt.date(2025, 3, 1))][0]
    monthly.loc[row, "value"] = 140.0
    results = run_gate(write_marts(tmp_path / "w.duckdb", monthly), tables=["scorecard_monthly"])
    assert failed(results, "scorecard_monthly") == ["percentages are between 0 and 100"]
    outcome = next(o for o in results["scorecard_monthly"][0].outcomes if not o.success)
    assert outcome.unexpected_count == 1
    assert outcome.samples[0]["indicator_code"] == "M3" and outcome.samples[0]["value"] == 140.0


def test_a_count_of_140_is_fine_but_a_negative_count_is_not(tmp_path):
    monthly = monthly_frame()
    monthly.loc[monthly["indicator_code"] == "M1", "value"] = 140.0
    monthly.loc[
        (monthly["indicator_code"] == "M2") & (monthly["month"] == dt.date(2025, 1, 1)), "value"
    ] = -1.0
    results = run_gate(write_marts(tmp_path / "w.duckdb", monthly), tables=["scorecard_monthly"])
    assert failed(results, "scorecard_monthly") == ["values are not negative"]


def test_each_mart_rule_catches_its_fault(tmp_path):
    monthly = monthly_frame()
    m3 = monthly["indicator_code"] == "M3"
    last = monthly["month"] == dt.date(2025, 3, 1)
    monthly.loc[m3 & (monthly["month"] == dt.date(2025, 2, 1)), "numerator"] = (
        10_000.0  # numerator > denominator
    )
    monthly.loc[(monthly["indicator_code"] == "M1") & last, "value"] = None  # NULL without a reason
    monthly.loc[(monthly["indicator_code"] == "M4") & last, "no_data_reason"] = (
        "no_snapshot"  # reason + value
    )
    monthly.loc[(monthly["indicator_code"] == "CP7") & last, "no_data_reason"] = "made_up"
    duplicate = monthly[(monthly["indicator_code"] == "LAC1") & last]
    monthly = pd.concat([monthly, duplicate], ignore_index=True)
    results = run_gate(write_marts(tmp_path / "w.duckdb", monthly), tables=["scorecard_monthly"])
    assert set(failed(results, "scorecard_monthly")) == {
        "numerator is not bigger than denominator",
        "a value is given when there is no no_data_reason",
        "value is NULL when a no_data_reason is given",
        "no_data_reason is one of the documented reasons",
        "exactly one row per (council, indicator, month)",
        "one row per catalogue indicator",  # LAC1 twice in the reporting month
    }


def test_missing_indicator_in_the_reporting_month_fails_per_council(tmp_path):
    monthly = monthly_frame(councils=(LA, LA2))
    drop = (monthly["la_code"] == LA2) & (monthly["indicator_code"] == "NI147")
    drop &= monthly["month"] == dt.date(2025, 3, 1)
    results = run_gate(write_marts(tmp_path / "w.duckdb", monthly[~drop]), tables=["scorecard_monthly"])
    by_scope = {v.scope: v.success for v in results["scorecard_monthly"] if v.scope}
    assert by_scope == {
        f" [{LA} 2025-03: catalogue complete]": True,
        f" [{LA2} 2025-03: catalogue complete]": False,
    }


def test_reporting_month_without_any_data_fails(clean_warehouse):
    results = run_gate(clean_warehouse, tables=["scorecard_monthly"], reporting_month=dt.date(2025, 4, 1))
    assert "some council has data for reporting month 2025-04" in failed(results, "scorecard_monthly")
    ok = run_gate(clean_warehouse, tables=["scorecard_monthly"], reporting_month=dt.date(2025, 2, 1))
    assert all(v.success for v in ok["scorecard_monthly"])


def test_scorecard_suite_checks_percent_trend_and_flags(tmp_path):
    monthly = monthly_frame()
    scorecard = scorecard_frame(monthly)
    scorecard.loc[scorecard["indicator_code"] == "NI147", "value_m5"] = 101.0
    scorecard.loc[scorecard["indicator_code"] == "M1", "percentage_flag"] = "P"
    results = run_gate(write_marts(tmp_path / "w.duckdb", monthly, scorecard), tables=["scorecard"])
    assert set(failed(results, "scorecard")) == {
        "percentages in value_m5 are between 0 and 100",
        "other indicators are flagged -",
    }


def test_fact_rules_and_no_child_values_in_the_report(tmp_path):
    fact = pd.DataFrame(
        {
            "la_code": [LA] * 3,
            "child_key": ["d" * 32, "d" * 32, "e" * 32],
            "cp_plan_start_date": [dt.date(2024, 5, 1), dt.date(2024, 5, 1), dt.date(2024, 5, 1)],
            "cp_plan_end_date": [dt.date(2024, 4, 1), dt.date(2024, 6, 1), None],
        }
    )
    grains = {"fct_cp_plans": ("la_code", "child_key", "cp_plan_start_date")}
    warehouse = write_marts(tmp_path / "w.duckdb", facts={"fct_cp_plans": fact})
    results = run_gate(warehouse, tables=["fct_cp_plans"], grains=grains)
    assert set(failed(results, "fct_cp_plans")) == {
        "exactly one row per (la_code, child_key, cp_plan_start_date) [dbt manifest]",
        "cp_plan_end_date is not before cp_plan_start_date",
    }
    path = write_table_report(run_report_dir(tmp_path, "run-1"), "fct_cp_plans", results["fct_cp_plans"])
    text = path.read_text() + path.with_suffix(".json").read_text()
    assert "d" * 32 not in text and "FAIL" in text
    index = (path.parent / "index.html").read_text()
    assert "fct_cp_plans" in index
    assert json.loads(path.with_suffix(".json").read_text())["success"] is False


def test_fact_checks_are_counted_per_council_in_sql_and_only_counts_are_shown(tmp_path):
    """Facts are summarised by DuckDB (per council) and GX validates the summary: each rule still fails."""
    keys = ["f" * 32, "f" * 32, "g" * 32, "h" * 32, None, "k" * 32]
    fact = pd.DataFrame(
        {
            "la_code": [LA, LA, LA, LA2, LA2, LA2],
            "child_key": keys,
            "cp_plan_start_date": [dt.date(2024, 5, 1)] * 6,
            "cp_plan_end_date": [None, None, dt.date(2024, 6, 1), dt.date(2024, 4, 30), None, None],
        }
    )
    dim_indicator = catalogue().rename(columns={"code": "indicator_code"})
    warehouse = write_marts(tmp_path / "w.duckdb", facts={"fct_cp_plans": fact})
    with duckdb.connect(str(warehouse)) as con:
        con.register("frame", pd.concat([dim_indicator, dim_indicator.head(1)]))
        con.execute("create or replace table marts.dim_indicator as select * from frame")
    results = run_gate(warehouse, tables=["fct_cp_plans", "dim_indicator", "dim_child"])
    (validation,) = results["fct_cp_plans"]
    assert validation.rows == 6 and "DuckDB" in validation.method
    outcomes = {o.description: o for o in validation.outcomes}
    assert {d for d, o in outcomes.items() if not o.success} == {
        "exactly one row per (la_code, child_key, cp_plan_start_date) [default]",
        "key column child_key is never NULL",
        "cp_plan_end_date is not before cp_plan_start_date",
    }
    duplicate = outcomes["exactly one row per (la_code, child_key, cp_plan_start_date) [default]"]
    assert duplicate.unexpected_count == 2 and duplicate.element_count == 6
    assert duplicate.samples == [{"la_code": LA, "rows": 2}]
    assert outcomes["key column child_key is never NULL"].samples == [{"la_code": LA2, "rows": 1}]
    assert outcomes["cp_plan_end_date is not before cp_plan_start_date"].samples == [
        {"la_code": LA2, "rows": 1}
    ]
    assert outcomes["key column la_code is never NULL"].success
    # A dimension without child-level values shows the duplicated key itself.
    assert failed(results, "dim_indicator") == ["exactly one row per (indicator_code) [default]"]
    (dim,) = results["dim_indicator"]
    assert dim.outcomes[0].samples == [{"indicator_code": dim_indicator["indicator_code"][0], "rows": 2}]
    assert all(v.success for v in results["dim_child"])
    path = write_table_report(run_report_dir(tmp_path, "run-2"), "fct_cp_plans", results["fct_cp_plans"])
    text = path.read_text() + path.with_suffix(".json").read_text()
    assert "f" * 32 not in text and "2024-04-30" not in text and LA2 in text


def test_missing_table_fails(clean_warehouse):
    results = run_gate(clean_warehouse, tables=["fct_not_built"])
    assert failed(results, "fct_not_built") == ["table marts.fct_not_built exists"]


def test_date_pairs_and_manifest_grains(tmp_path):
    assert date_pairs(["cp_plan_start_date", "cp_plan_end_date", "mis_start", "mis_end", "decom", "dec"]) == (
        ("cp_plan_start_date", "cp_plan_end_date"),
        ("mis_start", "mis_end"),
        ("decom", "dec"),
    )
    manifest = {
        "nodes": {
            "model.p.fct_a": {
                "resource_type": "model",
                "name": "fct_a",
                "config": {"meta": {"grain": ["x", "y"]}},
            },
            "model.p.fct_b": {"resource_type": "model", "name": "fct_b", "config": {}, "columns": {}},
            "test.p.unique_fct_b_id": {
                "resource_type": "test",
                "test_metadata": {"name": "unique"},
                "attached_node": "model.p.fct_b",
                "column_name": "id",
            },
        }
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    assert grains_from_manifest(path) == {"fct_a": ("x", "y"), "fct_b": ("id",)}
    assert table_spec("fct_c", ["a", "child_key"]).grain_source == "whole row (no grain declared)"
    assert table_spec("fct_c", ["a", "child_key"]).show_values is False
