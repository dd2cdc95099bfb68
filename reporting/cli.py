"""Render a council's scorecard for a month from the published marts.

    python -m reporting.cli --la-code E06000999 --month 2025-03 [--out DIR]

Reads ``CSC_PUBLISHED_DIR`` (default ``$CSC_DATA_DIR/published``); writes
``scorecard_<la_code>_<YYYY-MM>.html`` and ``.xlsx`` into ``--out`` (default
``$CSC_REPORTS_DIR/<la_code>``, i.e. ``data/reports/<la_code>``). Exit code 1 when the month or council is
not published. Prints paths and counts only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ingest.settings import Settings
from reporting.render import default_reports_dir, render_month
from reporting.scorecard import ReportError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reporting.cli", description=__doc__.split("\n\n")[0])
    parser.add_argument("--la-code", required=True, help="ONS code of the council, e.g. E06000999")
    parser.add_argument(
        "--month", help="reporting month YYYY-MM (default: the council's latest published month)"
    )
    parser.add_argument("--out", type=Path, help="output folder (default: $CSC_REPORTS_DIR/<la_code>)")
    parser.add_argument("--published-dir", type=Path, help="override CSC_PUBLISHED_DIR")
    args = parser.parse_args(argv)
    settings = Settings.from_env(require_key=False)
    published = args.published_dir or settings.published_dir
    reports = default_reports_dir(settings.data_dir)
    out = args.out or reports / args.la_code
    try:
        result = render_month(published, args.la_code, args.month, out, ledger_dir=reports)
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Scorecard {result.la_code} {result.reporting_month:%Y-%m}")
    print(f"  HTML: {result.html}")
    print(f"  XLSX: {result.xlsx}")
    print(f"  restated figures listed: {result.restatements}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
