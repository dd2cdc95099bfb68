"""Where ingest spends its time: ``ingest.load.ingest_landing`` under cProfile, into a throw-away warehouse.

``python -m benchmarks.profile_ingest --landing DIR [--top 30]``

Uses the demo key (synthetic data only) and a temporary data folder (archive and warehouse), deleted after.
Prints the wall time, rows loaded, and the functions with the most time of their own and cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.profile_ingest", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--landing", required=True, type=Path)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)

    from ingest.load import ingest_landing
    from ingest.settings import Settings

    os.umask(0o077)
    data = Path(tempfile.mkdtemp(prefix="csc-profile-ingest-"))
    try:
        env = {"CSC_DATA_DIR": str(data), "CSC_LANDING_DIR": str(args.landing.resolve()), "CSC_DEMO": "1"}
        settings = Settings.from_env(env)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        report = ingest_landing(settings)
        profiler.disable()
        seconds = time.perf_counter() - started
    finally:
        shutil.rmtree(data, ignore_errors=True)
    rows = sum(report.rows_per_table.values())
    print(f"ingest_landing: {len(report.loaded)} extracts, {rows:,} rows in {seconds:.1f} s (under cProfile)")
    for sort in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(sort).print_stats(args.top)
        print(f"--- by {sort}")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:20000])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
