"""The scorecard as the board reads it: HTML and XLSX board packs rendered from the published marts.

Reads only the published copy (``<published>/scorecard.duckdb``), never the warehouse.

- :func:`render_html` / :func:`render_xlsx`: one council and month to one file;
- :func:`render_month`: both files, with restatements against the first-published ledger;
- :func:`after_publication`: what the pipeline calls after each publication;
- ``python -m reporting.cli --la-code E06000999 --month 2025-03 [--out DIR]``.
"""

from reporting.html import render_html, render_html_text
from reporting.render import Rendered, after_publication, default_reports_dir, render_month
from reporting.restatements import record_publication
from reporting.scorecard import ReportError, Scorecard, load_scorecard
from reporting.xlsx import render_xlsx

__all__ = [
    "Rendered",
    "ReportError",
    "Scorecard",
    "after_publication",
    "default_reports_dir",
    "load_scorecard",
    "record_publication",
    "render_html",
    "render_html_text",
    "render_month",
    "render_xlsx",
]
