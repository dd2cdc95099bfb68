"""Run the whole graph from the command line, without the UI: `python -m orchestration.run [--month YYYY-MM]`.

Ingest → dbt build → data-quality gate → publication, for the reporting month given or, by default, the month
of the latest period_end in the landing folder. Uses the Dagster instance in $DAGSTER_HOME (default
``$CSC_DATA_DIR/dagster_home``), installing orchestration/dagster.yaml there if it has none, so the
``duckdb_writer`` pool limit applies. Exit status: that of `dagster job execute`, or 75 when another run
holds the pipeline lock (see below).

One run at a time: the command takes an exclusive lock on ``<warehouse>.pipeline.lock`` (``flock``; the
dagster process it starts inherits it, and the kernel releases it when both end, even on SIGKILL). A second
run started meanwhile is refused at once with a message naming the holder (exit 75), or waits for the lock
with ``--wait``. Measured without the lock: two runs started together on a new instance crash one of them
(sqlite schema race in $DAGSTER_HOME); on an existing instance their steps interleave through the pool.

Holding the lock, the command also cleans up after a run that was killed (SIGKILL, OOM, power loss): such a
run stays "STARTED" in the instance and keeps its ``duckdb_writer`` pool slot, and every later run would wait
for that slot forever ("Step blocked by limit for pool duckdb_writer"). Command-line runs left STARTED are
marked failed and the slots of finished or dead runs are freed before the new run starts.

Everything the pipeline writes is created owner-only (umask 077): the warehouse, the archive, run artefacts,
reports, the Dagster storage and logs. The publication's mode is set by publish/
(``CSC_PUBLISHED_GROUP_READABLE``).
"""

import argparse
import datetime as dt
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from ingest.archive import ensure_private_dir
from ingest.settings import MissingKeyError, Settings, restrict_umask
from orchestration.schedules import latest_reporting_month

TEMPLATE = Path(__file__).resolve().parent / "dagster.yaml"
TRIGGER_TAG = "csc/trigger"
TRIGGER = "command_line"
JOB_NAME = "scorecard_job"
EXIT_BUSY = 75  # EX_TEMPFAIL: try again later


def ensure_dagster_home(settings: Settings) -> Path:
    home = Path(os.environ.get("DAGSTER_HOME") or settings.data_dir / "dagster_home").resolve()
    ensure_private_dir(home)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(TEMPLATE, home / "dagster.yaml")
    return home


def lock_path(settings: Settings) -> Path:
    return settings.warehouse_path.with_name(settings.warehouse_path.name + ".pipeline.lock")


class PipelineBusy(RuntimeError):
    """Another run holds the pipeline lock."""


def acquire_lock(path: Path, *, wait: bool, partition: str) -> int:
    """An open descriptor holding the exclusive lock on ``path`` (raises PipelineBusy unless ``wait``)."""
    ensure_private_dir(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 500, 0).decode("utf-8", "replace").strip() or "unknown"
            if not wait:
                raise PipelineBusy(
                    f"Another scorecard run is in progress ({holder}); not starting a second one. "
                    f"Try again when it has finished, or pass --wait to queue behind it (lock: {path})."
                ) from None
            print(f"Waiting for the run in progress to finish ({holder}) ...", file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        started = dt.datetime.now().isoformat(timespec="seconds")
        os.pwrite(fd, f"pid {os.getpid()}, month {partition[:7]}, started {started}\n".encode(), 0)
        return fd
    except BaseException:
        os.close(fd)
        raise


def recover_interrupted_runs(home: Path) -> list[str]:
    """Mark killed command-line runs failed and free leaked pool slots; returns the run ids recovered.

    Call only while holding the pipeline lock: every live command-line run holds it, so a command-line run
    still STARTED in the instance is dead.
    """
    from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

    unfinished = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]
    recovered = []
    with DagsterInstance.from_config(str(home)) as instance:
        dead = instance.get_runs(
            filters=RunsFilter(job_name=JOB_NAME, statuses=unfinished, tags={TRIGGER_TAG: TRIGGER})
        )
        for run in dead:
            instance.report_run_failed(
                run,
                "Interrupted: the process running this command-line run ended without finishing (killed); "
                "marked failed by the next command-line run.",
            )
            recovered.append(run.run_id)
        storage = instance.event_log_storage
        if storage.supports_global_concurrency_limits:
            for run_id in storage.get_concurrency_run_ids():
                run = instance.get_run_by_id(run_id)
                if run is None or run.is_finished or run_id in recovered:
                    storage.free_concurrency_slots_for_run(run_id)
    return recovered


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.run", description=__doc__.splitlines()[0])
    parser.add_argument("--month", help="reporting month YYYY-MM (default: the latest landed period_end)")
    parser.add_argument(
        "--wait", action="store_true", help="if another run is in progress, wait for it instead of refusing"
    )
    args = parser.parse_args(argv)
    restrict_umask()
    try:
        settings = Settings.from_env()
    except MissingKeyError as exc:
        print(f"Refusing to run: {exc}", file=sys.stderr)
        return 2
    if args.month:
        partition = dt.date.fromisoformat(f"{args.month}-01").isoformat()
    else:
        partition = latest_reporting_month(settings.landing_dir, dt.date.today())
        if partition is None:
            print(f"No extract under {settings.landing_dir}: nothing to run.", file=sys.stderr)
            return 1
    try:
        lock_fd = acquire_lock(lock_path(settings), wait=args.wait, partition=partition)
    except PipelineBusy as exc:
        print(str(exc), file=sys.stderr, flush=True)
        return EXIT_BUSY
    try:
        home = ensure_dagster_home(settings)
        for run_id in recover_interrupted_runs(home):
            print(f"Run {run_id} was interrupted (killed): marked failed, its pool slot freed.", flush=True)
        command = [
            str(Path(sys.executable).parent / "dagster"),
            "job",
            "execute",
            "-m",
            "orchestration.definitions",
            "-j",
            JOB_NAME,
            "--tags",
            json.dumps({"dagster/partition": partition, TRIGGER_TAG: TRIGGER}),
        ]
        print(f"Running {JOB_NAME} for reporting month {partition[:7]} (DAGSTER_HOME={home})", flush=True)
        started = time.perf_counter()
        # The child inherits the lock: it stays held while the dagster process lives, even if this one dies.
        child = subprocess.Popen(command, env={**os.environ, "DAGSTER_HOME": str(home)}, pass_fds=(lock_fd,))

        def forward(signum, _frame):  # stopping this command stops the run (not orphan it)
            child.send_signal(signum)

        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, forward)
        code = child.wait()
        print(f"{JOB_NAME} {'succeeded' if code == 0 else 'FAILED'} in {time.perf_counter() - started:.1f} s")
        return code
    finally:
        os.close(lock_fd)


if __name__ == "__main__":
    sys.exit(main())
