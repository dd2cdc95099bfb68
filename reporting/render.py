"""Render a council's month (both formats), and everything after a publication."""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from reporting.html import render_html
from reporting.restatements import record_publication
from reporting.scorecard import load_scorecard, open_published, parse_month, reporting_months
from reporting.xlsx import render_xlsx

log = logging.getLogger(__name__)

#: Where rendered scorecards and the first-published ledger go unless told otherwise.
REPORTS_ENV = "CSC_REPORTS_DIR"


def default_reports_dir(data_dir: Path, env: dict[str, str] | None = None) -> Path:
    """``$CSC_REPORTS_DIR``, else ``<CSC_DATA_DIR>/reports``."""
    env = os.environ if env is None else env
    return Path(env.get(REPORTS_ENV) or Path(data_dir) / "reports")


@dataclass(frozen=True)
class Rendered:
    la_code: str
    reporting_month: dt.date
    html: Path
    xlsx: Path
    restatements: int


def file_stem(la_code: str, month: dt.date) -> str:
    return f"scorecard_{la_code}_{month:%Y-%m}"


def render_month(
    published_dir: Path,
    la_code: str,
    month: str | dt.date | None,
    out_dir: Path,
    *,
    ledger_dir: Path | None = None,
    record: bool = True,
) -> Rendered:
    """Render ``la_code``'s scorecard for ``month`` (default its latest) as HTML and XLSX into ``out_dir``.

    ``ledger_dir`` (default ``out_dir``) holds the first-published ledger; with ``record`` the current
    publication is recorded in it first (idempotent), so restatements are listed against it.
    """
    out_dir = Path(out_dir)
    ledger_dir = Path(ledger_dir) if ledger_dir is not None else out_dir
    if record:
        record_publication(published_dir, ledger_dir)
    card = load_scorecard(published_dir, la_code, month, ledger_dir=ledger_dir)
    stem = file_stem(la_code, card.reporting_month)
    html = render_html(published_dir, la_code, None, out_dir / f"{stem}.html", card=card)
    xlsx = render_xlsx(published_dir, la_code, None, out_dir / f"{stem}.xlsx", card=card)
    return Rendered(la_code, card.reporting_month, html, xlsx, len(card.restatements))


def after_publication(
    published_dir: Path,
    reports_dir: Path,
    reporting_month: dt.date | None = None,
) -> list[Rendered]:
    """What the pipeline runs after each publication.

    Records the publication in the first-published ledger (``<reports_dir>/first_published.parquet``) and
    renders, for every council in the published scorecard, ``reporting_month`` (or the council's latest
    published month when it has no row for that month, or when ``reporting_month`` is None) into
    ``<reports_dir>/<la_code>/scorecard_<la_code>_<YYYY-MM>.html`` and ``.xlsx``.
    """
    reports_dir = Path(reports_dir)
    added = record_publication(published_dir, reports_dir)
    wanted = parse_month(reporting_month) if reporting_month is not None else None
    with open_published(published_dir) as con:
        councils = [r[0] for r in con.execute("select distinct la_code from scorecard order by 1").fetchall()]
        months = {la: reporting_months(con, la) for la in councils}
    out = []
    for la_code in councils:
        month = wanted if wanted in months[la_code] else months[la_code][-1]
        out.append(
            render_month(
                published_dir, la_code, month, reports_dir / la_code, ledger_dir=reports_dir, record=False
            )
        )
    log.info("ledger: %d new published cells; rendered %d scorecards", added, len(out))
    return out
