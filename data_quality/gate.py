"""Run the gate's suites on the warehouse, read-only, in memory that does not grow with the facts.

GX 1.24 cannot validate DuckDB through SQL (docs: stack_notes), so everything GX sees is a pandas
DataFrame, validated through GX's pandas datasource in an ephemeral context with progress bars off:

- the two scorecard marts (aggregates: councils x indicators x months) are read into pandas, only the
  columns their suites use, and validated row by row with the full GX suites;
- the catalogue completeness of the marts (every indicator once per council in the reporting month) is
  summarised per council and that summary is validated with GX;
- facts and dimensions are never read into Python: DuckDB counts, per table and council (per table when the
  grain has no ``la_code``), the rows, the rows sharing their grain with another row, the NULLs in each
  key column and the rows whose end date is before their start date, in one aggregate query per table; GX
  validates that summary (``expect_column_values_to_be_between(duplicate_grain_rows, 0, 0)`` ...).

The DuckDB connection is read-only with a ``memory_limit`` (``CSC_GATE_MEMORY_LIMIT``, default 1GB; DuckDB
spills its aggregates to disk beyond it). Values that could identify a child never reach the results: for
child-level tables only council codes and counts do.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import math
import os
import sys
import threading
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
    SCORECARD_MONTHLY_COLUMNS,
    TREND_COLUMNS,
    TableSpec,
    is_gated_table,
    table_spec,
)

_SAMPLE = 5
_counter = itertools.count()
_context = None

#: DuckDB's memory limit for the gate's read-only connection (env ``CSC_GATE_MEMORY_LIMIT``).
DEFAULT_MEMORY_LIMIT = "1GB"
#: Name of the scope column of the per-council summaries.
SCOPE_COLUMN = "la_code"
WHOLE_TABLE = "(whole table)"

METHOD_ROWS = "GX on the table's rows"
METHOD_SUMMARY = "DuckDB check summary per council, validated by GX"
METHOD_COMPLETENESS = "per-council catalogue summary, validated by GX"

#: Columns the scorecard suite reads (the others, e.g. titles, are not read).
SCORECARD_SUITE_COLUMNS = (
    "la_code",
    "reporting_month",
    "indicator_code",
    *TREND_COLUMNS,
    "avg_12m",
    "max_12m",
    "change_prev_month_arrow",
    "change_prev_year_arrow",
    "percentage_flag",
    "desired_direction",
)


@dataclass
class ExpectationOutcome:
    description: str
    expectation: str
    success: bool
    element_count: int | None = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    #: Up to five examples: offending rows of aggregate tables (key columns and value); for child-level
    #: tables only council codes with counts.
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
    method: str = METHOD_ROWS

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


def _import_gx() -> None:
    # On an error the validating thread imports it again and reports the error.
    with contextlib.suppress(Exception):
        import great_expectations.expectations  # noqa: F401


_prefetch: threading.Thread | None = None
_prefetch_lock = threading.Lock()


def prefetch_gx() -> None:
    """Start importing Great Expectations in a background thread (once per process); returns at once.

    The import costs 4-5 s of CPU on a quiet machine (more under load). The pipeline starts it when ingest
    ends, so it runs while the dbt build (a subprocess) holds the step; the gate starts it too, so it overlaps
    the DuckDB summaries (which release the GIL). :func:`run_gate` waits for it before validating.
    """
    global _prefetch
    with _prefetch_lock:
        if _prefetch is None and "great_expectations.expectations" not in sys.modules:
            _prefetch = threading.Thread(target=_import_gx, name="gx-import", daemon=True)
            _prefetch.start()


def _wait_for_gx() -> None:
    if _prefetch is not None:
        _prefetch.join()


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


def _quote(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def validate_frame(
    frame: pd.DataFrame,
    suite: suites.Suite,
    *,
    name: str,
    index_columns: Sequence[str] = (),
    show_values: bool = True,
    complete: bool = False,
) -> list[ExpectationOutcome]:
    """Validate ``frame`` against ``suite`` with GX's pandas datasource.

    ``complete``: return every unexpected index (not just five) in ``samples`` (for small summary frames).
    """
    import great_expectations as gx

    context = _gx_context()
    unique = f"{name}_{next(_counter)}"
    batch_definition = (
        context.data_sources.add_pandas(f"ds_{unique}")
        .add_dataframe_asset(f"asset_{unique}")
        .add_batch_definition_whole_dataframe(f"batch_{unique}")
    )
    expectations = []
    for expectation, description in suite:
        expectation.meta = {**(expectation.meta or {}), "description": description}
        expectations.append(expectation)
    gx_suite = gx.ExpectationSuite(name=f"suite_{unique}", expectations=expectations)
    result_format: dict[str, Any] = {
        "result_format": "COMPLETE" if complete else "SUMMARY",
        "partial_unexpected_count": _SAMPLE,
    }
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
            key = "unexpected_index_list" if complete else "partial_unexpected_index_list"
            raw = detail.get(key) or [{"value": v} for v in detail.get("partial_unexpected_list") or []]
            samples = [_jsonable(r) for r in (raw if complete else raw[:_SAMPLE])]
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


def _grain(spec: TableSpec) -> list[str]:
    return list(spec.key_columns) if len(spec.key_columns) <= 6 else ["<whole row>"]


def _mart_validation(spec: TableSpec, frame: pd.DataFrame, suite: suites.Suite, started: float):
    outcomes = validate_frame(
        frame, suite, name=spec.name, index_columns=spec.key_columns, show_values=spec.show_values
    )
    return TableValidation(
        table=spec.name,
        kind=spec.kind,
        rows=len(frame),
        success=all(o.success for o in outcomes),
        seconds=round(time.perf_counter() - started, 3),
        grain=_grain(spec),
        grain_source=spec.grain_source,
        outcomes=outcomes,
    )


# --- completeness of the scorecard marts ----------------------------------------------------------------


def completeness_summary(
    frame: pd.DataFrame, catalogue: Catalogue, month_column: str, reporting_month: dt.date | None
) -> pd.DataFrame | None:
    """One row per council checked: its month, rows, and indicators missing from / unknown to the catalogue.

    With a reporting month, every council whose data reaches that month is checked at it; without one, each
    council at its own latest month. None when a reporting month is given and no council reaches it.
    """
    columns = ["la_code", "month", "rows", "catalogue_mismatches", "rows_beyond_catalogue"]
    if frame.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype="object" if c in ("la_code", "month") else "int64") for c in columns}
        )
    months = pd.to_datetime(frame[month_column]).dt.date
    latest = months.groupby(frame["la_code"]).max()
    if reporting_month is not None:
        targets = {la: reporting_month for la, last in latest.items() if last >= reporting_month}
        if not targets:
            return None
    else:
        targets = dict(latest.items())
    target = frame["la_code"].map(targets)
    part = frame.loc[months == target, ["la_code", "indicator_code"]]
    codes = set(catalogue.codes)
    rows = []
    for la_code, month in sorted(targets.items()):
        present = part.loc[part["la_code"] == la_code, "indicator_code"]
        distinct = set(present.dropna().astype(str))
        rows.append(
            (
                la_code,
                month.isoformat(),
                len(present),
                len(codes - distinct) + len(distinct - codes),
                abs(len(present) - len(codes)),
            )
        )
    return pd.DataFrame(rows, columns=columns)


def _completeness(
    spec: TableSpec,
    frame: pd.DataFrame,
    catalogue: Catalogue,
    month_column: str,
    reporting_month: dt.date | None,
) -> list[TableValidation]:
    """Every catalogue indicator present once for the reporting month, per council (one GX validation)."""
    started = time.perf_counter()
    summary = completeness_summary(frame, catalogue, month_column, reporting_month)
    if summary is None:
        return [
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
                method=METHOD_COMPLETENESS,
            )
        ]
    if summary.empty:
        return []
    checks = {
        "catalogue_mismatches": "every catalogue indicator is present",
        "rows_beyond_catalogue": "one row per catalogue indicator",
    }
    outcomes = validate_frame(
        summary,
        suites.zero_counts_suite(checks),
        name=f"{spec.name}_completeness",
        index_columns=["la_code", "month"],
        show_values=True,
        complete=True,
    )
    seconds = round(time.perf_counter() - started, 3)
    results = []
    for row in summary.itertuples(index=False):
        per_council = []
        for outcome, column in zip(outcomes, checks, strict=True):
            flagged = any(
                s.get("la_code") == row.la_code and s.get("month") == row.month for s in outcome.samples
            )
            # Failing is per council: GX's unexpected rows of the summary name the councils.
            success = outcome.success or (outcome.error is None and not flagged)
            per_council.append(
                ExpectationOutcome(
                    description=outcome.description,
                    expectation=outcome.expectation,
                    success=success,
                    element_count=int(row.rows),
                    samples=[]
                    if success
                    else [
                        {
                            "la_code": row.la_code,
                            "month": row.month,
                            "rows": int(row.rows),
                            column: int(getattr(row, column)),
                        }
                    ],
                    error=outcome.error,
                )
            )
        results.append(
            TableValidation(
                table=spec.name,
                kind=spec.kind,
                rows=int(row.rows),
                success=all(o.success for o in per_council),
                seconds=seconds,
                grain=list(spec.key_columns),
                grain_source=spec.grain_source,
                outcomes=per_council,
                scope=f" [{row.la_code} {row.month[:7]}: catalogue complete]",
                method=METHOD_COMPLETENESS,
            )
        )
    return results


# --- facts and dimensions: DuckDB summaries, GX on the summaries ----------------------------------------


@dataclass(frozen=True)
class Check:
    column: str  # in the summary frame
    description: str
    sample_sql: str | None = None  # offending key values (only for tables whose values may be shown)


def _checks(spec: TableSpec) -> list[Check]:
    keys = spec.key_columns
    what = "(" + ", ".join(keys) + ")" if len(keys) <= 4 else "distinct row"
    key_sql = ", ".join(_quote(k) for k in keys)
    checks = [
        Check(
            "duplicate_grain_rows",
            f"exactly one row per {what} [{spec.grain_source}]",
            f"select {key_sql}, count(*) as rows from {spec.qualified} group by all having count(*) > 1 "
            f"order by all limit {_SAMPLE}",
        )
    ]
    if spec.grain_source != "whole row (no grain declared)":
        checks += [Check(f"null_{k}_rows", f"key column {k} is never NULL") for k in keys]
    for index, (start, end) in enumerate(spec.date_pairs):
        checks.append(
            Check(
                f"end_before_start_{index}_rows",
                f"{end} is not before {start}",
                f"select {key_sql}, {_quote(start)}, {_quote(end)} from {spec.qualified} "
                f"where {_quote(end)} < {_quote(start)} order by all limit {_SAMPLE}",
            )
        )
    return checks


def summary_sql(spec: TableSpec) -> str:
    """One aggregate query: per council (or for the whole table) the rows and the offending rows per check.

    Grouped by the grain first, so the duplicate count, the NULL keys and the date pairs need one scan; only
    the grain columns and the date columns are read. Rows sharing their grain are all counted (as GX's
    uniqueness expectations count them); rows whose grain is wholly NULL are not duplicates (they fail the
    NULL checks).
    """
    keys = list(spec.key_columns)
    key_sql = ", ".join(_quote(k) for k in keys)
    pairs = [
        f"count(*) filter (where {_quote(end)} < {_quote(start)}) as __gate_e{i}"
        for i, (start, end) in enumerate(spec.date_pairs)
    ]
    inner = (
        f"select {key_sql}, count(*) as __gate_n{''.join(', ' + p for p in pairs)} "
        f"from {spec.qualified} group by {key_sql}"
    )
    all_null = " and ".join(f"{_quote(k)} is null" for k in keys)
    scope = (
        f"coalesce({_quote(SCOPE_COLUMN)}::varchar, '(NULL)')" if SCOPE_COLUMN in keys else f"'{WHOLE_TABLE}'"
    )
    outer = [
        f"{scope} as {SCOPE_COLUMN}",
        "sum(__gate_n)::bigint as rows",
        f"coalesce(sum(__gate_n) filter (where __gate_n > 1 and not ({all_null})), 0)::bigint "
        "as duplicate_grain_rows",
    ]
    if spec.grain_source != "whole row (no grain declared)":
        outer += [
            f"coalesce(sum(__gate_n) filter (where {_quote(k)} is null), 0)::bigint "
            f"as {_quote(f'null_{k}_rows')}"
            for k in keys
        ]
    outer += [
        f"coalesce(sum(__gate_e{i}), 0)::bigint as end_before_start_{i}_rows"
        for i in range(len(spec.date_pairs))
    ]
    return f"select {', '.join(outer)} from ({inner}) group by 1 order by 1"


@dataclass
class _Summary:
    spec: TableSpec
    frame: pd.DataFrame | None
    seconds: float
    error: str | None = None
    samples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def summarise_table(con: duckdb.DuckDBPyConnection, spec: TableSpec) -> _Summary:
    """The check summary of a fact or dimension, computed by DuckDB (plus examples when values may show)."""
    started = time.perf_counter()
    checks = _checks(spec)
    try:
        frame = con.execute(summary_sql(spec)).df()
    except duckdb.Error as exc:
        # A conversion error can quote a value: for child-level tables only the kind of error is kept.
        message = str(exc) if spec.show_values else f"{type(exc).__name__} (details withheld: child-level)"
        return _Summary(spec, None, round(time.perf_counter() - started, 3), error=message)
    samples: dict[str, list[dict[str, Any]]] = {}
    if spec.show_values:
        for check in checks:
            if check.sample_sql and check.column in frame.columns and frame[check.column].sum() > 0:
                cursor = con.execute(check.sample_sql)
                names = [d[0] for d in cursor.description]
                samples[check.column] = [
                    _jsonable(dict(zip(names, r, strict=True))) for r in cursor.fetchall()
                ]
    return _Summary(spec, frame, round(time.perf_counter() - started, 3), samples=samples)


def _keyed_validation(summary: _Summary) -> TableValidation:
    spec = summary.spec
    checks = _checks(spec)
    started = time.perf_counter()
    if summary.frame is None:
        outcomes = [
            ExpectationOutcome(
                description=c.description,
                expectation="duckdb_check_summary",
                success=False,
                error=summary.error,
            )
            for c in checks
        ]
        rows = 0
    else:
        frame = summary.frame
        rows = int(frame["rows"].sum())
        gx_outcomes = validate_frame(
            frame,
            suites.zero_counts_suite({c.column: c.description for c in checks}),
            name=spec.name,
            index_columns=[SCOPE_COLUMN],
            show_values=True,  # council codes and counts only
        )
        outcomes = []
        for check, outcome in zip(checks, gx_outcomes, strict=True):
            offending = int(frame[check.column].sum()) if check.column in frame.columns else None
            # Counts in rows of the table (GX counted councils of the summary).
            outcome.element_count = rows
            outcome.unexpected_count = offending
            outcome.unexpected_percent = (
                round(100 * offending / rows, 4) if offending is not None and rows else 0.0
            )
            if not outcome.success:
                outcome.samples = summary.samples.get(check.column) or [
                    {SCOPE_COLUMN: s.get(SCOPE_COLUMN), "rows": s.get(check.column)} for s in outcome.samples
                ]
            outcomes.append(outcome)
    return TableValidation(
        table=spec.name,
        kind=spec.kind,
        rows=rows,
        success=all(o.success for o in outcomes),
        seconds=round(summary.seconds + time.perf_counter() - started, 3),
        grain=_grain(spec),
        grain_source=spec.grain_source,
        outcomes=outcomes,
        method=METHOD_SUMMARY,
    )


# --- the gate ---------------------------------------------------------------------------------------------


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


def _read_mart(con: duckdb.DuckDBPyConnection, spec: TableSpec, wanted: Sequence[str]) -> pd.DataFrame:
    columns = [c for c in wanted if c in spec.columns] or list(spec.columns)
    return con.execute(f"select {', '.join(_quote(c) for c in columns)} from {spec.qualified}").df()


def validate_mart(
    con: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    catalogue: Catalogue,
    reporting_month: dt.date | None = None,
) -> list[TableValidation]:
    """The full GX suite of a scorecard mart on its rows, and its per-council completeness."""
    started = time.perf_counter()
    if spec.kind == SCORECARD_MONTHLY:
        frame = _read_mart(con, spec, SCORECARD_MONTHLY_COLUMNS)
        suite = suites.scorecard_monthly_suite(catalogue.codes, catalogue.percent_codes)
        month_column = "month"
    else:
        frame = _read_mart(con, spec, SCORECARD_SUITE_COLUMNS)
        suite = suites.scorecard_suite(catalogue.codes, catalogue.percent_codes)
        month_column = "reporting_month"
    results = [_mart_validation(spec, frame, suite, started)]
    if month_column in frame.columns and "la_code" in frame.columns:
        results += _completeness(spec, frame, catalogue, month_column, reporting_month)
    return results


def validate_table(
    con: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    catalogue: Catalogue,
    reporting_month: dt.date | None = None,
) -> list[TableValidation]:
    """All validations of one table (the completeness ones too, for the two scorecard marts)."""
    if spec.kind in (SCORECARD_MONTHLY, SCORECARD):
        return validate_mart(con, spec, catalogue, reporting_month)
    return [_keyed_validation(summarise_table(con, spec))]


def _missing(name: str) -> TableValidation:
    return TableValidation(
        table=name,
        kind="missing",
        rows=0,
        success=False,
        seconds=0.0,
        grain=[],
        grain_source="",
        outcomes=[
            ExpectationOutcome(
                description=f"table {MART_SCHEMA}.{name} exists", expectation="table_exists", success=False
            )
        ],
    )


def connect(warehouse_path: Path, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection with a memory limit (DuckDB spills to disk beyond it)."""
    limit = memory_limit or os.environ.get("CSC_GATE_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT
    return duckdb.connect(str(warehouse_path), read_only=True, config={"memory_limit": limit})


def run_gate(
    warehouse_path: Path,
    *,
    tables: Iterable[str] | None = None,
    reporting_month: dt.date | None = None,
    grains: Mapping[str, tuple[str, ...]] | None = None,
    memory_limit: str | None = None,
) -> dict[str, list[TableValidation]]:
    """Validate the gated `marts` tables (all of them, or ``tables``) of the warehouse, read-only.

    Returns, per table, its validations. A table asked for but missing from the warehouse fails.
    """
    prefetch_gx()
    with connect(warehouse_path, memory_limit) as con:
        present = list_gated_tables(con)
        catalogue = read_catalogue(con)
        wanted = list(tables) if tables is not None else sorted(present)
        specs = {name: table_spec(name, present[name], grains) for name in wanted if name in present}
        # DuckDB first (while GX imports), then GX on the summaries and the marts.
        summaries = {
            name: summarise_table(con, spec)
            for name, spec in specs.items()
            if spec.kind not in (SCORECARD_MONTHLY, SCORECARD)
        }
        _wait_for_gx()
        results: dict[str, list[TableValidation]] = {}
        for name in wanted:
            if name not in specs:
                results[name] = [_missing(name)]
            elif name in summaries:
                results[name] = [_keyed_validation(summaries[name])]
            else:
                results[name] = validate_mart(con, specs[name], catalogue, reporting_month)
    return results


__all__ = [
    "SCORECARD",
    "SCORECARD_MONTHLY",
    "Catalogue",
    "ExpectationOutcome",
    "TableValidation",
    "completeness_summary",
    "connect",
    "list_gated_tables",
    "prefetch_gx",
    "read_catalogue",
    "run_gate",
    "summarise_table",
    "summary_sql",
    "validate_frame",
    "validate_mart",
    "validate_table",
]
