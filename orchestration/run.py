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
marked failed and the slots of finished or dead runs are freed before the new run starts. That recovery needs
Dagster's instance (importing dagster costs 1.5-2.5 s), so it runs only when it can find something: the lock
file names its holder while a run is in progress and is emptied when a run ends with exit status 0, so a
holder's name found in it on taking the lock means the previous command-line run did not finish (killed, or
failed). ``--recover`` forces it (e.g. after a run started from the UI was killed).

The reporting month is found by reading the landing folder's manifests without importing dagster
(:func:`latest_landed_month`, the same rule as the nightly schedule's ``latest_reporting_month``).

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


def latest_landed_month(landing_dir: Path, today: dt.date) -> str | None:
    """The partition key of the month of the latest period_end among the landed extracts (None: none landed).

    The rule of ``orchestration.schedules.latest_reporting_month`` (with no settling time), without importing
    dagster: every ``<la>/<folder>/manifest.json`` whose listed files are all present counts; an unreadable
    manifest counts as today (ingest then records its rejection); the month is never after today's.
    """
    now = time.time()
    latest = None
    if not Path(landing_dir).is_dir():
        return None
    for manifest_path in Path(landing_dir).glob("*/*/manifest.json"):
        try:
            manifest = json.loads(manifest_path.read_bytes())
            period_end = dt.date.fromisoformat(str(manifest["period_end"]))
        except (ValueError, KeyError, TypeError):
            manifest, period_end = {}, dt.date.fromtimestamp(now)
        folder = manifest_path.parent
        names = ["manifest.json", *(manifest.get("files", {}) if isinstance(manifest, dict) else {})]
        paths = [folder / name for name in names]
        if not all(p.is_file() for p in paths) or max(p.stat().st_mtime for p in paths) > now:
            continue  # a listed file is missing (still being copied)
        latest = period_end if latest is None else max(latest, period_end)
    return None if latest is None else min(latest, today).replace(day=1).isoformat()


def acquire_lock(path: Path, *, wait: bool, partition: str) -> tuple[int, str]:
    """(an open descriptor holding the exclusive lock on ``path``, what the previous holder left in it).

    Raises PipelineBusy unless ``wait``. The previous holder's line is still there when that run did not end
    cleanly (see :func:`release_lock`); "" when it did.
    """
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
        previous = os.pread(fd, 500, 0).decode("utf-8", "replace").strip()
        os.ftruncate(fd, 0)
        started = dt.datetime.now().isoformat(timespec="seconds")
        os.pwrite(fd, f"pid {os.getpid()}, month {partition[:7]}, started {started}\n".encode(), 0)
        return fd, previous
    except BaseException:
        os.close(fd)
        raise


def release_lock(fd: int, *, clean: bool) -> None:
    """Release the lock; empty the lock file first when the run ended cleanly (nothing to recover)."""
    try:
        if clean:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)


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
    parser.add_argument(
        "--recover",
        action="store_true",
        help="free pool slots of killed runs even if the last command-line run ended cleanly",
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
        partition = latest_landed_month(settings.landing_dir, dt.date.today())
        if partition is None:
            print(f"No extract under {settings.landing_dir}: nothing to run.", file=sys.stderr)
            return 1
    try:
        lock_fd, previous = acquire_lock(lock_path(settings), wait=args.wait, partition=partition)
    except PipelineBusy as exc:
        print(str(exc), file=sys.stderr, flush=True)
        return EXIT_BUSY
    code = None
    try:
        home = ensure_dagster_home(settings)
        if previous or args.recover:
            for run_id in recover_interrupted_runs(home):
                print(
                    f"Run {run_id} was interrupted (killed): marked failed, its pool slot freed.", flush=True
                )
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
        release_lock(lock_fd, clean=code == 0)


if __name__ == "__main__":
    sys.exit(main())
