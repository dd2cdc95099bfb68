"""Run the gate's suites on the warehouse: read each table read-only into pandas, validate it with GX.

GX 1.24 cannot validate DuckDB through SQL (docs: stack_notes), so each table is read with a read-only
DuckDB connection into a DataFrame and validated through GX's pandas datasource, in an ephemeral context
with progress bars off. Values that could identify a child (anything in a fact or a child-level table)
never reach the results.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from data_quality import suites
from data_quality.tables import (
    MART_SCHEMA,
    SCORECARD,
    SCORECARD_MONTHLY,
    TableSpec,
    is_gated_table,
    table_spec,
)

_SAMPLE = 5
_counter = itertools.count()
_context = None


@dataclass
class ExpectationOutcome:
    description: str
    expectation: str
    success: bool
    element_count: int | None = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    #: Up to five offending rows (key columns and value), only for aggregate tables.
    samples: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


@dataclass
class TableValidation:
    table: str
    kind: str
    rows: int
    success: bool
    seconds: float
    grain: list[str]
    grain_source: str
    outcomes: list[ExpectationOutcome]
    scope: str = ""

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]

    def summary(self) -> str:
        if self.success:
            return f"{self.table}{self.scope}: {len(self.outcomes)} expectations passed on {self.rows} rows"
        failed = "; ".join(
            f"{o.description} ({o.unexpected_count} rows)" if o.unexpected_count else o.description
            for o in self.failed
        )
        return f"{self.table}{self.scope}: {len(self.failed)} of {len(self.outcomes)} failed: {failed}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Catalogue:
    codes: tuple[str, ...]
    percent_codes: tuple[str, ...]

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Catalogue:
        code_col = "code" if "code" in frame.columns else "indicator_code"
        flag = frame["is_percentage"].astype(str).str.upper().isin(["Y", "YES", "TRUE", "1"])
        return cls(tuple(frame[code_col].astype(str)), tuple(frame.loc[flag, code_col].astype(str)))


def _gx_context():
    global _context
    if _context is None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        _context = context
    return _context


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if hasattr(value, "item"):  # numpy scalars
        return _jsonable(value.item())
    if isinstance(value, dt.date | dt.datetime | pd.Timestamp):
        return value.isoformat()
    return str(value)


def validate_frame(
    frame: pd.DataFrame,
    suite: suites.Suite,
    *,
    name: str,
    index_columns: Sequence[str] = (),
    show_values: bool = True,
) -> list[ExpectationOutcome]:
    """Validate ``frame`` against ``suite`` with GX's pandas datasource."""
    import great_expectations as gx

    context = _gx_context()
    unique = f"{name}_{next(_counter)}"
    batch_definition = (
        context.data_sources.add_pandas(f"ds_{unique}")
        .add_dataframe_asset(f"asset_{unique}")
        .add_batch_definition_whole_dataframe(f"batch_{unique}")
    )
    descriptions = {}
    expectations = []
    for expectation, description in suite:
        expectation.meta = {**(expectation.meta or {}), "description": description}
        expectations.append(expectation)
        descriptions[id(expectation)] = description
    gx_suite = gx.ExpectationSuite(name=f"suite_{unique}", expectations=expectations)
    result_format: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": _SAMPLE}
    present = [c for c in index_columns if c in frame.columns]
    if show_values and present:
        result_format["unexpected_index_column_names"] = present
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(gx_suite, result_format=result_format)
    outcomes = []
    for item in result.results:
        config = item.expectation_config
        detail = item.result or {}
        error = None
        if item.exception_info and item.exception_info.get("raised_exception"):
            error = str(item.exception_info.get("exception_message") or "expectation raised")
        samples: list[dict[str, Any]] = []
        if show_values and not item.success:
            raw = detail.get("partial_unexpected_index_list") or [
                {"value": v} for v in detail.get("partial_unexpected_list") or []
            ]
            samples = [_jsonable(r) for r in raw[:_SAMPLE]]
        outcomes.append(
            ExpectationOutcome(
                description=(config.meta or {}).get("description", config.type),
                expectation=config.type,
                success=bool(item.success),
                element_count=detail.get("element_count"),
                unexpected_count=detail.get("unexpected_count"),
                unexpected_percent=_jsonable(detail.get("unexpected_percent")),
                samples=samples,
                error=error,
            )
        )
    return outcomes


def _table_validation(
    spec: TableSpec, frame: pd.DataFrame, suite: suites.Suite, started: float, scope: str = ""
) -> TableValidation:
    outcomes = validate_frame(
        frame, suite, name=spec.name, index_columns=spec.key_columns, show_values=spec.show_values
    )
    return TableValidation(
        table=spec.name,
        kind=spec.kind,
        rows=len(frame),
        success=all(o.success for o in outcomes),
        seconds=round(time.perf_counter() - started, 3),
        grain=list(spec.key_columns) if len(spec.key_columns) <= 6 else ["<whole row>"],
        grain_source=spec.grain_source,
        outcomes=outcomes,
        scope=scope,
    )


def _completeness(
    spec: TableSpec,
    frame: pd.DataFrame,
    catalogue: Catalogue,
    month_column: str,
    reporting_month: dt.date | None,
) -> list[TableValidation]:
    """Every catalogue indicator present for the reporting month, per council.

    With a reporting month, every council whose data reaches that month is checked at it (and it is an
    error when no council reaches it); without one, each council is checked at its own latest month.
    """
    results = []
    if frame.empty:
        return results
    months = pd.to_datetime(frame[month_column]).dt.date
    latest = months.groupby(frame["la_code"]).max()
    if reporting_month is not None:
        councils = [la for la, last in latest.items() if last >= reporting_month]
        if not councils:
            started = time.perf_counter()
            results.append(
                TableValidation(
                    table=spec.name,
                    kind=spec.kind,
                    rows=0,
                    success=False,
                    seconds=round(time.perf_counter() - started, 3),
                    grain=list(spec.key_columns),
                    grain_source=spec.grain_source,
                    outcomes=[
                        ExpectationOutcome(
                            description=f"some council has data for reporting month {reporting_month:%Y-%m}",
                            expectation="reporting_month_present",
                            success=False,
                        )
                    ],
                    scope=f" [reporting month {reporting_month:%Y-%m}]",
                )
            )
            return results
        targets = {la: reporting_month for la in councils}
    else:
        targets = dict(latest.items())
    suite_catalogue = list(catalogue.codes)
    for la_code, month in sorted(targets.items()):
        started = time.perf_counter()
        part = frame.loc[(frame["la_code"] == la_code) & (months == month), ["la_code", "indicator_code"]]
        results.append(
            _table_validation(
                spec,
                part,
                suites.completeness_suite(suite_catalogue),
                started,
                scope=f" [{la_code} {month:%Y-%m}: catalogue complete]",
            )
        )
    return results


def read_catalogue(con: duckdb.DuckDBPyConnection, seed_path: Path | None = None) -> Catalogue:
    """The indicator catalogue: the `reference.indicators` seed in the warehouse, else the seed CSV."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'reference' "
        "and table_name = 'indicators'"
    ).fetchone()[0]
    if exists:
        return Catalogue.from_frame(con.execute("select * from reference.indicators").df())
    path = seed_path or Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "indicators.csv"
    return Catalogue.from_frame(pd.read_csv(path, dtype=str, keep_default_na=False))


def list_gated_tables(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, ...]]:
    rows = con.execute(
        "select table_name, column_name from information_schema.columns where table_schema = ? "
        "order by table_name, ordinal_position",
        [MART_SCHEMA],
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        if is_gated_table(table):
            tables.setdefault(table, []).append(column)
    return {t: tuple(c) for t, c in tables.items()}


def validate_table(
    con: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    catalogue: Catalogue,
    reporting_month: dt.date | None = None,
) -> list[TableValidation]:
    """All suites of one table (the completeness suites too, for the two scorecard marts)."""
    started = time.perf_counter()
    frame = con.execute(f"select * from {spec.qualified}").df()
    if spec.kind == "scorecard_monthly":
        results = [
            _table_validation(
                spec, frame, suites.scorecard_monthly_suite(catalogue.codes, catalogue.percent_codes), started
            )
        ]
        if "month" in frame.columns and "la_code" in frame.columns:
            results += _completeness(spec, frame, catalogue, "month", reporting_month)
        return results
    if spec.kind == "scorecard":
        results = [
            _table_validation(
                spec, frame, suites.scorecard_suite(catalogue.codes, catalogue.percent_codes), started
            )
        ]
        if "reporting_month" in frame.columns and "la_code" in frame.columns:
            results += _completeness(spec, frame, catalogue, "reporting_month", reporting_month)
        return results
    return [_table_validation(spec, frame, suites.keyed_table_suite(spec), started)]


def run_gate(
    warehouse_path: Path,
    *,
    tables: Iterable[str] | None = None,
    reporting_month: dt.date | None = None,
    grains: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[str, list[TableValidation]]:
    """Validate the gated `marts` tables (all of them, or ``tables``) of the warehouse, read-only.

    Returns, per table, its validations. A table asked for but missing from the warehouse fails.
    """
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        present = list_gated_tables(con)
        catalogue = read_catalogue(con)
        wanted = list(tables) if tables is not None else sorted(present)
        results: dict[str, list[TableValidation]] = {}
        for name in wanted:
            if name not in present:
                results[name] = [
                    TableValidation(
                        table=name,
                        kind="missing",
                        rows=0,
                        success=False,
                        seconds=0.0,
                        grain=[],
                        grain_source="",
                        outcomes=[
                            ExpectationOutcome(
                                description=f"table {MART_SCHEMA}.{name} exists",
                                expectation="table_exists",
                                success=False,
                            )
                        ],
                    )
                ]
                continue
            spec = table_spec(name, present[name], grains)
            results[name] = validate_table(con, spec, catalogue, reporting_month)
    return results


__all__ = [
    "SCORECARD",
    "SCORECARD_MONTHLY",
    "Catalogue",
    "ExpectationOutcome",
    "TableValidation",
    "list_gated_tables",
    "read_catalogue",
    "run_gate",
    "validate_frame",
    "validate_table",
]
