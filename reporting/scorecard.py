"""The scorecard of one council and reporting month, read from the published copy (never the warehouse).

``load_scorecard(published_dir, la_code, month)`` opens ``<published>/scorecard.duckdb`` read-only and returns
a :class:`Scorecard`: the catalogue's sections in board-pack order, one :class:`IndicatorRow` per indicator
with every column of ``marts.scorecard`` the board pack shows, the figures as printed and the marks against
target and benchmarks. Restatements come from :mod:`reporting.restatements`.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from reporting.formatting import (
    BETTER,
    LEVEL,
    WORSE,
    add_months,
    compare,
    display,
    financial_year_label,
    is_missing,
)

PUBLISHED_DB = "scorecard.duckdb"
TREND_MONTHS = 13
#: The board pack's section order (the catalogue's section names); a section not listed here follows them.
SECTION_ORDER = (
    "Front door",
    "Early help",
    "Assessment and children in need",
    "Child protection",
    "Looked after children",
    "Care leavers",
    "Fostering",
)
#: The catalogue in the repository: its row order is the board pack's order within a section.
CATALOGUE_SEED = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "indicators.csv"
BENCHMARKS = (("stat_neighbour", "Stat. neighbours"), ("england", "England"), ("region", "Region"))
TARGETS = ("prev", "this", "next")


class ReportError(RuntimeError):
    """The scorecard cannot be rendered (no publication, unknown council or month)."""


@dataclass(frozen=True)
class Benchmark:
    key: str  # stat_neighbour | england | region
    label: str
    value: float | None
    display: str  # as the mart prints it: a figure, '-' or 'Local'
    mark: str | None  # better | worse | level | None


@dataclass(frozen=True)
class Target:
    label: str  # financial year, e.g. 2024-25
    value: float | None
    display: str
    mark: str | None  # met (better or level) / missed, for the reporting month's financial year only


@dataclass(frozen=True)
class TrendCell:
    month: dt.date
    value: float | None
    display: str
    mark: str | None  # against the target of the month's financial year


@dataclass
class IndicatorRow:
    code: str
    section: str
    title: str
    outcome: str
    unit: str
    is_percentage: bool
    polarity: str
    desired_direction: str
    percentage_flag: str
    trend: list[TrendCell]
    value_display: str
    no_data_reason: str | None
    change_prev_month_display: str
    change_prev_month_arrow: str | None
    change_prev_year_display: str
    change_prev_year_arrow: str | None
    avg_12m: float | None
    avg_12m_display: str
    max_12m: float | None
    max_12m_display: str
    benchmarks: list[Benchmark]
    targets: list[Target]
    commentary: str | None

    @property
    def values(self) -> list[float | None]:
        return [cell.value for cell in self.trend]


@dataclass(frozen=True)
class Restatement:
    code: str
    title: str
    month: dt.date
    first_display: str
    current_display: str
    first_published_at: dt.datetime | None


@dataclass
class Scorecard:
    la_code: str
    la_name: str
    reporting_month: dt.date
    months: list[dt.date]  # the 13 trend months, oldest first
    sections: list[tuple[str, list[IndicatorRow]]]
    publication_id: str | None
    published_at: dt.datetime | None
    restatements: list[Restatement] = field(default_factory=list)
    benchmark_year: int | None = None  # DfE year ending 31 March the benchmarks are for, when the mart says

    @property
    def benchmark_label(self) -> str:
        """``Benchmarks 2023-24`` (DfE year ending March 2024), or ``Benchmarks``."""
        year = self.benchmark_year
        return f"Benchmarks {year - 1}-{year % 100:02d}" if year else "Benchmarks"

    @property
    def rows(self) -> list[IndicatorRow]:
        return [row for _, rows in self.sections for row in rows]

    @property
    def target_labels(self) -> list[str]:
        rows = self.rows
        return [t.label for t in rows[0].targets] if rows else []


def parse_month(text: str | dt.date) -> dt.date:
    """``2025-03`` (or a date) → 2025-03-01."""
    if isinstance(text, dt.date):
        return text.replace(day=1)
    try:
        year, month = str(text).strip().split("-")[:2]
        return dt.date(int(year), int(month), 1)
    except (ValueError, TypeError):
        raise ReportError(f"month must be YYYY-MM, e.g. 2025-03 (got {text!r})") from None


def catalogue_order(con: duckdb.DuckDBPyConnection | None = None) -> list[str]:
    """Indicator codes in catalogue order: the repository's seed, else the published dim_indicator's order."""
    if CATALOGUE_SEED.is_file():
        with CATALOGUE_SEED.open(newline="", encoding="utf-8-sig") as fh:
            return [row["code"].strip() for row in csv.DictReader(fh) if (row.get("code") or "").strip()]
    if con is None:
        return []
    return [r[0] for r in con.execute("select indicator_code from dim_indicator order by rowid").fetchall()]


def open_published(published_dir: Path) -> duckdb.DuckDBPyConnection:
    path = Path(published_dir) / PUBLISHED_DB
    if not path.is_file():
        raise ReportError(f"no publication at {path}: run the pipeline (scripts/demo) first")
    return duckdb.connect(str(path), read_only=True)


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        con.execute(
            "select 1 from information_schema.tables where table_schema = 'main' and table_name = ?", [name]
        ).fetchall()
    )


def reporting_months(con: duckdb.DuckDBPyConnection, la_code: str) -> list[dt.date]:
    return [
        r[0]
        for r in con.execute(
            "select distinct reporting_month from scorecard where la_code = ? order by 1", [la_code]
        ).fetchall()
    ]


def _fy_start(label: str) -> int:
    return int(label.split("-")[0])


def _row(record: dict, months: list[dt.date]) -> IndicatorRow:
    is_pct = record["percentage_flag"] == "P"
    polarity = record["polarity"]
    targets_by_fy = {record[f"target_{n}_fy_label"]: record[f"target_{n}_fy"] for n in TARGETS}
    trend = []
    for k, month in zip(range(TREND_MONTHS - 1, -1, -1), months, strict=True):
        value = record[f"value_m{k}"]
        value = None if is_missing(value) else float(value)
        target = targets_by_fy.get(financial_year_label(month))
        trend.append(
            TrendCell(month, value, display(value, is_pct), _target_mark(value, target, polarity, is_pct))
        )
    current = trend[-1].value
    benchmarks = []
    for key, label in BENCHMARKS:
        value = record[f"bench_{key}"]
        value = None if is_missing(value) else float(value)
        benchmarks.append(
            Benchmark(
                key, label, value, record[f"bench_{key}_display"], compare(current, value, polarity, is_pct)
            )
        )
    this_fy = record["target_this_fy_label"]
    targets = []
    for name in TARGETS:
        label, value = record[f"target_{name}_fy_label"], record[f"target_{name}_fy"]
        value = None if is_missing(value) else float(value)
        mark = _target_mark(current, value, polarity, is_pct) if label == this_fy else None
        targets.append(Target(label, value, display(value, is_pct), mark))
    return IndicatorRow(
        code=record["indicator_code"],
        section=record["section"],
        title=record["title"],
        outcome=record["outcome"] or "",
        unit=record["unit"],
        is_percentage=is_pct,
        polarity=polarity,
        desired_direction=record["desired_direction"] or "",
        percentage_flag=record["percentage_flag"],
        trend=trend,
        value_display=record["value_display"],
        no_data_reason=record["no_data_reason"],
        change_prev_month_display=record["change_prev_month_display"],
        change_prev_month_arrow=record["change_prev_month_arrow"],
        change_prev_year_display=record["change_prev_year_display"],
        change_prev_year_arrow=record["change_prev_year_arrow"],
        avg_12m=None if is_missing(record["avg_12m"]) else float(record["avg_12m"]),
        avg_12m_display=record["avg_12m_display"],
        max_12m=None if is_missing(record["max_12m"]) else float(record["max_12m"]),
        max_12m_display=record["max_12m_display"],
        benchmarks=benchmarks,
        targets=targets,
        commentary=record["commentary"] if record["commentary"] and record["commentary"].strip() else None,
    )


def _target_mark(value: float | None, target: float | None, polarity: str, is_pct: bool) -> str | None:
    """``met`` (the value is as good as the target or better) / ``missed``; None without a mark."""
    result = compare(value, target, polarity, is_pct)
    if result is None:
        return None
    return "met" if result in (BETTER, LEVEL) else "missed" if result == WORSE else None


def order_sections(rows: list[IndicatorRow], order: list[str]) -> list[tuple[str, list[IndicatorRow]]]:
    position = {code: i for i, code in enumerate(order)}
    rows = sorted(rows, key=lambda r: (position.get(r.code, len(position)), r.code))
    sections: dict[str, list[IndicatorRow]] = {}
    for row in rows:
        sections.setdefault(row.section, []).append(row)
    rank = {name: i for i, name in enumerate(SECTION_ORDER)}
    first_seen = {name: i for i, name in enumerate(sections)}
    names = sorted(sections, key=lambda s: (rank.get(s, len(rank)), first_seen[s]))
    return [(name, sections[name]) for name in names]


def load_scorecard(
    published_dir: Path, la_code: str, month: str | dt.date | None = None, *, ledger_dir: Path | None = None
) -> Scorecard:
    """The scorecard of ``la_code`` for ``month`` (YYYY-MM; default its latest month) from the publication.

    With ``ledger_dir``, the figures on the page that changed since they were first published are listed
    (see :mod:`reporting.restatements`; the ledger is not written here).
    """
    with open_published(published_dir) as con:
        months_available = reporting_months(con, la_code)
        if not months_available:
            known = [
                r[0] for r in con.execute("select distinct la_code from scorecard order by 1").fetchall()
            ]
            raise ReportError(
                f"council {la_code} is not in the published scorecard (published councils: "
                f"{', '.join(known[:10]) or 'none'}{' …' if len(known) > 10 else ''})"
            )
        reporting_month = parse_month(month) if month is not None else months_available[-1]
        if reporting_month not in months_available:
            raise ReportError(
                f"{reporting_month:%Y-%m} is not a published reporting month of {la_code} (published: "
                f"{months_available[0]:%Y-%m} to {months_available[-1]:%Y-%m})"
            )
        cursor = con.execute(
            "select * from scorecard where la_code = ? and reporting_month = ?", [la_code, reporting_month]
        )
        names = [d[0] for d in cursor.description]
        records = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        la_name = la_code
        if _table_exists(con, "dim_council"):
            found = con.execute("select la_name from dim_council where la_code = ?", [la_code]).fetchone()
            la_name = found[0] if found and found[0] else la_code
        publication_id = published_at = None
        if _table_exists(con, "publication"):
            found = con.execute("select publication_id, published_at from publication limit 1").fetchone()
            if found:
                publication_id, published_at = found
        order = catalogue_order(con)
        months = [add_months(reporting_month, -k) for k in range(TREND_MONTHS - 1, -1, -1)]
        rows = [_row(record, months) for record in records]
        years = Counter(r.get("benchmark_year") for r in records if r.get("benchmark_year") is not None)
        card = Scorecard(
            benchmark_year=int(years.most_common(1)[0][0]) if years else None,
            la_code=la_code,
            la_name=la_name,
            reporting_month=reporting_month,
            months=months,
            sections=order_sections(rows, order),
            publication_id=publication_id,
            published_at=published_at,
        )
        if ledger_dir is not None:
            from reporting.restatements import restatements

            card.restatements = restatements(con, Path(ledger_dir), card)
    return card
