"""Run the whole graph from the command line, without the UI: `python -m orchestration.run [--month YYYY-MM]`.

Ingest → dbt build → data-quality gate → publication, for the reporting month given or, by default, the month
of the latest period_end in the landing folder. Uses the Dagster instance in $DAGSTER_HOME (default
``$CSC_DATA_DIR/dagster_home``), installing orchestration/dagster.yaml there if it has none, so the
``duckdb_writer`` pool limit applies. Exit status: that of `dagster job execute`.
"""

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from ingest.settings import Settings
from orchestration.schedules import latest_reporting_month

TEMPLATE = Path(__file__).resolve().parent / "dagster.yaml"


def ensure_dagster_home(settings: Settings) -> Path:
    home = Path(os.environ.get("DAGSTER_HOME") or settings.data_dir / "dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(TEMPLATE, home / "dagster.yaml")
    return home


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.run", description=__doc__.splitlines()[0])
    parser.add_argument("--month", help="reporting month YYYY-MM (default: the latest landed period_end)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.month:
        partition = dt.date.fromisoformat(f"{args.month}-01").isoformat()
    else:
        partition = latest_reporting_month(settings.landing_dir, dt.date.today())
        if partition is None:
            print(f"No extract under {settings.landing_dir}: nothing to run.", file=sys.stderr)
            return 1
    home = ensure_dagster_home(settings)
    command = [
        str(Path(sys.executable).parent / "dagster"),
        "job",
        "execute",
        "-m",
        "orchestration.definitions",
        "-j",
        "scorecard_job",
        "--tags",
        json.dumps({"dagster/partition": partition, "csc/trigger": "command_line"}),
    ]
    print(f"Running scorecard_job for reporting month {partition[:7]} (DAGSTER_HOME={home})", flush=True)
    started = time.perf_counter()
    code = subprocess.call(command, env={**os.environ, "DAGSTER_HOME": str(home)})
    print(f"scorecard_job {'succeeded' if code == 0 else 'FAILED'} in {time.perf_counter() - started:.1f} s")
    return code


if __name__ == "__main__":
    sys.exit(main())
