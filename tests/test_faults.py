"""Fault injection on the real pipeline (`python -m orchestration.run` as a subprocess, its own data folder
and DAGSTER_HOME): SIGKILL of the whole process group during ingest, during dbt and during the publication,
and two runs started at once.

One chain, because each kill leaves the state the next run must recover from:

0. a good publication (history + one monthly extract);
1. three more extracts land; the run is killed during ingest (after the first new file reached the archive);
2. the next run is killed during `dbt build` (after 20 models were built);
3. the next run is killed during the publication, deterministically: the test hook
   ``CSC_TEST_PUBLISH_PAUSE_SECONDS`` holds it after the staging files are complete, before the first replace;
4. the next run completes while a second run started meanwhile is refused (and ``--wait`` waits).

After each kill the published files are byte-identical to the good publication and open in DuckDB, and the
warehouse opens with every extract in all its raw tables or none. At the end: the new publication matches its
publication.json, and raw.extracts, every raw table's (extract_id, source_file, source_line) and every mart's
grain are unique. Without the run-lock recovery in orchestration/run.py the run after the first kill waited
forever for the killed run's `duckdb_writer` pool slot.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parent.parent
LA = "E06000999"
HELD = ("2025-02-28", "2025-02-28_rerun", "2025-03-31")  # land after the first publication
STEP = 'Started execution of step "{}"'
RUN_TIMEOUT = 300


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(part.startswith(".staging-") for part in p.relative_to(folder).parts)
    }


class Pipeline:
    """`python -m orchestration.run` on one data folder; output of every run kept in ``logs``."""

    def __init__(self, data: Path):
        self.data = data
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CSC_")}
        self.env.update(
            CSC_DATA_DIR=str(data),
            CSC_DEMO="1",
            DAGSTER_HOME=str(data / "dagster_home"),
            PYTHONUNBUFFERED="1",
        )
        self.runs = 0

    def start(self, *args: str, **extra_env: str) -> tuple[subprocess.Popen, Path]:
        self.runs += 1
        log = self.data.parent / f"run{self.runs}.log"
        out = open(log, "wb")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(
            [sys.executable, "-m", "orchestration.run", *args],
            cwd=REPO,
            env={**self.env, **extra_env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: dagster, dbt, log tailers
        )
        proc._log_file = out  # type: ignore[attr-defined]
        return proc, log

    @staticmethod
    def finish(proc: subprocess.Popen, timeout: float = RUN_TIMEOUT) -> int:
        try:
            return proc.wait(timeout=timeout)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            proc._log_file.close()  # type: ignore[attr-defined]

    def run(self, *args: str, **extra_env: str) -> tuple[int, str]:
        proc, log = self.start(*args, **extra_env)
        code = self.finish(proc)
        return code, log.read_text(errors="replace")

    def kill_when(self, condition, **extra_env: str) -> str:
        """Start a run and SIGKILL its whole process group as soon as ``condition(output)`` is true."""
        proc, log = self.start(**extra_env)
        deadline = time.monotonic() + RUN_TIMEOUT
        try:
            while time.monotonic() < deadline:
                output = log.read_text(errors="replace")
                if condition(output):
                    os.killpg(proc.pid, signal.SIGKILL)
                    break
                assert proc.poll() is None, f"the run ended before the kill point:\n{output[-3000:]}"
                time.sleep(0.1)
            else:
                pytest.fail("kill point not reached in time")
        finally:
            self.finish(proc, timeout=30)
        # Nothing of the run survives the kill (no dbt still holding the warehouse).
        deadline = time.monotonic() + 10
        while alive_in_group(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive_in_group(proc.pid)
        return log.read_text(errors="replace")


def alive_in_group(pgid: int) -> list[int]:
    """Processes of process group ``pgid`` that are not zombies."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def archived(data: Path) -> int:
    return sum(1 for p in (data / "archive").rglob("*") if p.is_file())


def assert_publication_intact(published: Path, before: dict[str, str]) -> None:
    assert digests(published) == before
    assert_publication_readable(published)


def assert_publication_readable(published: Path) -> dict:
    manifest = json.loads((published / "publication.json").read_text())
    for rel, sha in manifest["files"].items():
        assert hashlib.sha256((published / rel).read_bytes()).hexdigest() == sha, rel
    with duckdb.connect(str(published / "scorecard.duckdb"), read_only=True) as con:
        for table, rows in manifest["tables"].items():
            assert con.execute(f"select count(*) from {table}").fetchone()[0] == rows
            parquet = str(published / "parquet" / f"{table}.parquet")
            assert con.execute("select count(*) from read_parquet(?)", [parquet]).fetchone()[0] == rows
    return manifest


def raw_integrity(warehouse: Path) -> set[str]:
    """Each extract is in every raw table it holds, completely, or in none; no duplicates. Returns folders."""
    from ingest.schema import RAW_TABLES

    with duckdb.connect(str(warehouse), read_only=True) as con:
        folders = con.execute("select folder from raw.extracts").fetchall()
        assert (
            con.execute("select count(*) - count(distinct extract_id) from raw.extracts").fetchone()[0] == 0
        )
        declared = {
            (e, t): n
            for e, t, n in con.execute(
                "select extract_id, table_name, rows_loaded from raw.extract_tables"
            ).fetchall()
        }
        orphans = con.execute(
            "select count(*) from raw.extract_tables "
            "where extract_id not in (select extract_id from raw.extracts)"
        ).fetchone()[0]
        assert orphans == 0
        for table in RAW_TABLES:
            counts = dict(
                con.execute(f"select extract_id, count(*) from raw.{table} group by all").fetchall()
            )
            for extract_id, n in counts.items():
                assert declared.get((extract_id, table)) == n, (table, extract_id)
            assert all(n == 0 for (e, t), n in declared.items() if t == table and e not in counts)
            dup = con.execute(
                f"select count(*) from (select extract_id, source_file, source_line from raw.{table} "
                "group by all having count(*) > 1)"
            ).fetchone()[0]
            assert dup == 0, table
    return {f for (f,) in folders}


def marts_grains_unique(warehouse: Path) -> int:
    from data_quality.tables import grains_from_manifest
    from orchestration.dbt import dbt_project

    grains = grains_from_manifest(dbt_project.manifest_path)
    checked = 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        marts = {
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        for table in sorted(marts & set(grains)):
            cols = ", ".join(grains[table])
            dup = con.execute(
                f"select count(*) from (select {cols} from marts.{table} group by all having count(*) > 1)"
            ).fetchone()[0]
            assert dup == 0, (table, grains[table])
            checked += 1
    assert checked >= 5 and {"scorecard_monthly", "scorecard"} <= marts
    return checked


@pytest.fixture(scope="module")
def landing_copy(tmp_path_factory) -> Path:
    from synthetic import CouncilConfig, generate_council

    root = tmp_path_factory.mktemp("faults_landing")
    council = generate_council(
        CouncilConfig(population=4_000, end_month="2025-03", months=15, history_months=12, seed=11)
    )
    council.write(root / "landing")
    assert {e.folder for e in council.extracts} >= set(HELD)
    return root / "landing"


@pytest.mark.slow
@pytest.mark.xdist_group("real_pipeline")
def test_kills_leave_the_publication_intact_and_reruns_recover(tmp_path, landing_copy):
    started = time.perf_counter()
    data = tmp_path / "data"
    data.mkdir()
    shutil.copytree(landing_copy, data / "landing")
    held = tmp_path / "held"
    held.mkdir()
    for folder in HELD:
        shutil.move(data / "landing" / LA / folder, held / folder)
    pipeline = Pipeline(data)
    published, warehouse = data / "published", data / "warehouse.duckdb"

    # 0. A good publication.
    code, output = pipeline.run()
    assert code == 0, output[-3000:]
    before = digests(published)
    first = assert_publication_readable(published)
    base_folders = raw_integrity(warehouse)
    assert len(base_folders) == 2

    # 1. Three extracts land; kill during ingest, once the first new file is in the archive.
    for folder in HELD:
        shutil.move(held / folder, data / "landing" / LA / folder)
    base_archive = archived(data)
    pipeline.kill_when(lambda out: STEP.format("raw_extracts") in out and archived(data) > base_archive)
    assert_publication_intact(published, before)
    after_ingest_kill = raw_integrity(warehouse)  # all-or-nothing per extract
    assert base_folders <= after_ingest_kill < base_folders | {f"{LA}/{f}" for f in HELD}

    # 2. Rerun, killed during dbt build (20 models built; some marts replaced, others not).
    output = pipeline.kill_when(lambda out: out.count(" OK created ") >= 20)
    assert "was interrupted (killed): marked failed, its pool slot freed" in output
    assert STEP.format("scorecard_publication") not in output
    assert_publication_intact(published, before)
    assert raw_integrity(warehouse) == base_folders | {f"{LA}/{f}" for f in HELD}  # ingest finished

    # 3. Rerun, killed during the publication: staging complete, nothing replaced yet (test hook).
    def staged(out: str) -> bool:
        return STEP.format("scorecard_publication") in out and any(
            published.glob(".staging-*/publication.json")
        )

    output = pipeline.kill_when(staged, CSC_TEST_PUBLISH_PAUSE_SECONDS="60")
    assert "was interrupted (killed)" in output
    assert_publication_intact(published, before)  # byte-identical: the kill landed before the first replace
    assert list(published.glob(".staging-*")), "the killed publication's staging folder is left behind"

    # 4. Rerun to completion; a second run started meanwhile is refused, a --wait run waits.
    proc, log = pipeline.start()
    try:
        deadline = time.monotonic() + 60
        while "Running scorecard_job" not in log.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()[-3000:]
            time.sleep(0.2)
        code2, output2 = pipeline.run()
        assert code2 == 75, output2[-2000:]
        assert "Another scorecard run is in progress" in output2 and "--wait" in output2
        assert "Running scorecard_job" not in output2  # refused before starting anything
        waiting, waiting_log = pipeline.start("--wait")
        deadline = time.monotonic() + 30
        while "Waiting for the run in progress" not in waiting_log.read_text():
            assert time.monotonic() < deadline and waiting.poll() is None, waiting_log.read_text()
            time.sleep(0.2)
        os.killpg(waiting.pid, signal.SIGKILL)  # it would run next; not needed here
        pipeline.finish(waiting, timeout=30)
        code = pipeline.finish(proc)
    finally:
        if proc.poll() is None:
            pipeline.finish(proc, timeout=1)
    output = log.read_text()
    assert code == 0, output[-3000:]
    assert "was interrupted (killed)" in output
    assert not list(published.glob(".staging-*"))  # removed by the next publication
    after = digests(published)
    assert after != before
    manifest = assert_publication_readable(published)  # wholly the new publication
    assert (
        manifest["publication_id"] != first["publication_id"] and manifest["reporting_month"] == "2025-03-01"
    )
    assert set(manifest["files"]) | {"publication.json"} == set(after)
    assert raw_integrity(warehouse) == base_folders | {f"{LA}/{f}" for f in HELD}
    marts_grains_unique(warehouse)
    with duckdb.connect(str(published / "scorecard.duckdb"), read_only=True) as con:
        assert (
            con.execute("select max(month) from scorecard_monthly").fetchone()[0].isoformat() == "2025-03-01"
        )
    print(f"fault chain: {pipeline.runs} runs in {time.perf_counter() - started:.0f} s")
