"""``csc-ingest`` / ``python -m ingest.cli``: ingest the landing folder and print counts.

Settings come from the environment (see ingest.settings). The output holds counts, file names and reasons,
never record contents. Exit status: 0 when the run completed, 1 with ``--strict`` when an extract or
commentary file was rejected, 2 when the settings are incomplete (e.g. no pseudonymisation key).
"""

from __future__ import annotations

import argparse
import logging
import sys

from ingest.load import ingest_landing
from ingest.settings import MissingKeyError, Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="csc-ingest", description=__doc__.splitlines()[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 when anything was rejected")
    parser.add_argument("-v", "--verbose", action="store_true", help="log per-file progress")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = Settings.from_env()
    except MissingKeyError as exc:
        print(f"csc-ingest: {exc}", file=sys.stderr)
        return 2
    report = ingest_landing(settings)
    for line in report.summary_lines():
        print(line)
    rows = sum(report.rows_per_table.values())
    rate = rows / report.seconds if report.seconds > 0 else 0.0
    print(f"time: {report.seconds:.1f} s ({rate:,.0f} rows/s)")
    rejected = report.rejected or [c for c in report.commentary if c.status == "rejected"]
    return 1 if (args.strict and rejected) else 0


if __name__ == "__main__":
    sys.exit(main())
