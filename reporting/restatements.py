"""Figures that changed since they were first published.

The publication holds only the current figures, so reporting keeps a ledger of the first published value of
every (council, indicator, month) of ``scorecard_monthly``: ``<ledger dir>/first_published.parquet``
(aggregates only, like the publication). :func:`record_publication` adds the cells the ledger has not seen
yet, with the publication's id and time; it never changes a cell already recorded, so recording the same
publication twice changes nothing. The pipeline records every publication (``reporting.after_publication``);
every render records too, so a figure is "first published" as of the first publication reporting saw.

A restatement is a figure on the page (a trend month M-12 .. M of the reporting month) whose printed figure
differs from the printed figure first published (``-`` counts: a month first published as no data that now
has a value is listed, and the reverse).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from reporting.formatting import display, is_missing

LEDGER_FILE = "first_published.parquet"
_COLUMNS = (
    "la_code varchar, indicator_code varchar, month date, value double, no_data_reason varchar, "
    "publication_id varchar, published_at timestamp"
)


def _sql_str(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


@contextmanager
def _locked(ledger_dir: Path) -> Iterator[None]:
    ledger_dir.mkdir(parents=True, exist_ok=True)
    with open(ledger_dir / ".first_published.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def record_publication(published_dir: Path, ledger_dir: Path) -> int:
    """Add the published cells the ledger has not seen; return how many were added."""
    from reporting.scorecard import PUBLISHED_DB, ReportError

    database = Path(published_dir) / PUBLISHED_DB
    if not database.is_file():
        raise ReportError(f"no publication at {database}: run the pipeline (scripts/demo) first")
    ledger_dir = Path(ledger_dir)
    ledger = ledger_dir / LEDGER_FILE
    with _locked(ledger_dir), duckdb.connect() as con:
        con.execute(f"attach {_sql_str(database)} as pub (read_only)")
        publication = con.execute("select publication_id, published_at from pub.main.publication limit 1")
        publication_id, published_at = publication.fetchone() or (None, None)
        con.execute(f"create table ledger ({_COLUMNS})")
        if ledger.is_file():
            con.execute(f"insert into ledger select * from read_parquet({_sql_str(ledger)})")
        before = con.execute("select count(*) from ledger").fetchone()[0]
        con.execute(
            "insert into ledger select c.la_code, c.indicator_code, cast(c.month as date), c.value, "
            "c.no_data_reason, ?, ? from pub.main.scorecard_monthly c anti join ledger l "
            "on c.la_code = l.la_code and c.indicator_code = l.indicator_code "
            "and cast(c.month as date) = l.month",
            [publication_id, published_at],
        )
        added = con.execute("select count(*) from ledger").fetchone()[0] - before
        con.execute("detach pub")
        if added or not ledger.is_file():
            tmp = ledger_dir / f".{LEDGER_FILE}.{os.getpid()}.tmp"
            con.execute(
                f"copy (select * from ledger order by la_code, indicator_code, month) to {_sql_str(tmp)} "
                "(format parquet, compression zstd)"
            )
            os.replace(tmp, ledger)
    return added


def restatements(pub: duckdb.DuckDBPyConnection, ledger_dir: Path, card) -> list:
    """The figures of ``card`` (a :class:`reporting.scorecard.Scorecard`) whose printed figure changed."""
    from reporting.scorecard import Restatement

    ledger = Path(ledger_dir) / LEDGER_FILE
    if not ledger.is_file():
        return []
    first = pub.execute(
        f"select indicator_code, month, value, published_at from read_parquet({_sql_str(ledger)}) "
        "where la_code = ? and month between ? and ?",
        [card.la_code, card.months[0], card.months[-1]],
    ).fetchall()
    first_by_cell = {(code, month): (value, at) for code, month, value, at in first}
    out = []
    for row in card.rows:
        for cell in row.trend:
            if (row.code, cell.month) not in first_by_cell:
                continue
            value, at = first_by_cell[(row.code, cell.month)]
            shown = display(None if is_missing(value) else value, row.is_percentage)
            if shown != cell.display:
                out.append(Restatement(row.code, row.title, cell.month, shown, cell.display, at))
    return sorted(out, key=lambda r: (r.month, [x.code for x in card.rows].index(r.code)))
