"""Orchestration: blocking gate → atomic publication in Dagster runs, the sensor, the schedule, alerts.

The mart tables come from a small asset that writes test input (test_quality_gate.write_marts) under the same
asset keys the dbt models have; the gate checks and the publication asset are the real ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from dagster import (
    AssetCheckKey,
    AssetKey,
    AssetSpec,
    DagsterEventType,
    DagsterInstance,
    MaterializeResult,
    RunRequest,
    SensorResult,
    SkipReason,
    build_run_status_sensor_context,
    build_schedule_context,
    build_sensor_context,
    materialize,
    multi_asset,
    op,
)
from dagster import job as dagster_job
from test_quality_gate import monthly_frame, write_marts

from orchestration.alerts import raise_alert
from orchestration.checks import CHECK_NAME, build_gate_checks
from orchestration.publication import PUBLICATION_KEY, build_publication_asset
from orchestration.schedules import NIGHTLY_CRON, build_nightly_schedule
from orchestration.sensors import build_new_extract_sensor, new_extract_requests, run_failure_alert

MONTH = "2025-03-01"
TABLES = ["scorecard_monthly", "scorecard", "dim_council", "dim_indicator", "dim_child", "fct_cp_plans"]
GATED = {AssetKey(["marts", t]): t for t in TABLES}


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def env(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    for var in list(os.environ):
        if var.startswith("CSC_"):
            monkeypatch.delenv(var)
    monkeypatch.setenv("CSC_DATA_DIR", str(data))
    monkeypatch.setenv("CSC_DEMO", "1")
    return data


class Marts:
    """An asset writing the marts (test input) under the dbt models' keys; it writes ``monthly`` next."""

    def __init__(self, warehouse: Path):
        self.monthly = monthly_frame()
        self.facts = None  # write_marts' default fct_cp_plans
        holder = self

        @multi_asset(specs=[AssetSpec(k) for k in GATED], pool="duckdb_writer", name="fixture_marts")
        def fixture_marts():
            write_marts(warehouse, holder.monthly, facts=holder.facts)
            for key in GATED:
                yield MaterializeResult(asset_key=key)

        self.asset = fixture_marts


def graph(warehouse: Path):
    marts = Marts(warehouse)
    return marts, [marts.asset, build_gate_checks(GATED), build_publication_asset(GATED)]


def run(assets, instance):
    return materialize(assets, partition_key=MONTH, instance=instance, raise_on_error=False)


def published_keys(result) -> set[AssetKey]:
    return {m.asset_key for m in result.asset_materializations_for_node("scorecard_publication")}


def test_a_percentage_of_140_blocks_publication(env):
    instance = DagsterInstance.ephemeral()
    marts, assets = graph(env / "warehouse.duckdb")
    good = run(assets, instance)
    assert good.success
    published = env / "published"
    assert (published / "scorecard.duckdb").exists() and (
        published / "parquet" / "scorecard.parquet"
    ).exists()
    before = digests(published)

    marts.monthly = monthly_frame()
    bad_row = (marts.monthly["indicator_code"] == "M3") & (marts.monthly["month"] == dt.date(2025, 3, 1))
    marts.monthly.loc[bad_row, "value"] = 140.0
    bad = run(assets, instance)
    assert not bad.success
    assert published_keys(bad) == set()
    assert digests(published) == before  # byte-identical: nothing published
    evaluations = {e.asset_key: e.passed for e in bad.get_asset_check_evaluations()}
    assert evaluations[AssetKey(["marts", "scorecard_monthly"])] is False
    # The scorecard mart (built from scorecard_monthly here) carries the 140 into its trend: it fails too.
    assert evaluations[AssetKey(["marts", "scorecard"])] is False
    assert evaluations[AssetKey(["marts", "fct_cp_plans"])] is True
    # The run's validation results are kept next to the run, readable.
    report = env / "runs" / bad.run_id / "data_quality"
    assert "percentages are between 0 and 100" in (report / "scorecard_monthly.html").read_text()
    assert "FAIL" in (report / "index.html").read_text()


def test_a_fact_with_duplicate_grain_or_end_before_start_blocks_publication(env):
    """Facts are checked by DuckDB summaries, not row by row in GX: a fct_ violation still blocks."""
    import pandas as pd

    instance = DagsterInstance.ephemeral()
    marts, assets = graph(env / "warehouse.duckdb")
    assert run(assets, instance).success
    published = env / "published"
    before = digests(published)

    marts.facts = {
        "fct_cp_plans": pd.DataFrame(
            {
                "la_code": ["E06000999"] * 3,
                "child_key": ["p" * 32, "p" * 32, "q" * 32],
                "cp_plan_start_date": [dt.date(2024, 1, 5), dt.date(2024, 1, 5), dt.date(2024, 3, 9)],
                "cp_plan_end_date": [dt.date(2024, 6, 1), None, dt.date(2024, 3, 8)],
            }
        )
    }
    bad = run(assets, instance)
    assert not bad.success
    assert published_keys(bad) == set()
    assert digests(published) == before  # byte-identical: nothing published
    evaluations = {e.asset_key: e for e in bad.get_asset_check_evaluations()}
    assert evaluations[AssetKey(["marts", "fct_cp_plans"])].passed is False
    assert evaluations[AssetKey(["marts", "scorecard_monthly"])].passed is True
    failed = evaluations[AssetKey(["marts", "fct_cp_plans"])].metadata["failed"].value
    assert (
        "(2 rows)" in failed[0] and "cp_plan_end_date is not before cp_plan_start_date (1 rows)" in failed[0]
    )
    report = env / "runs" / bad.run_id / "data_quality"
    text = (report / "fct_cp_plans.html").read_text() + (report / "fct_cp_plans.json").read_text()
    assert "exactly one row per (la_code, child_key, cp_plan_start_date)" in text
    assert "p" * 32 not in text and "q" * 32 not in text and "2024-03-08" not in text


def test_publication_refuses_without_a_passing_gate(env):
    instance = DagsterInstance.ephemeral()
    _, (mart_asset, gate, publication) = graph(env / "warehouse.duckdb")
    # The marts built, the publication asked for alone: the gate never ran on this data.
    assert materialize([mart_asset], instance=instance).success
    alone = materialize(
        [mart_asset, publication],
        selection=[PUBLICATION_KEY],
        partition_key=MONTH,
        instance=instance,
        raise_on_error=False,
    )
    assert not alone.success
    assert not (env / "published" / "scorecard.duckdb").exists()
    # After a full run the gate has passed on the current data: publishing alone is allowed.
    assert run([mart_asset, gate, publication], instance).success
    alone = materialize(
        [mart_asset, publication], selection=[PUBLICATION_KEY], partition_key=MONTH, instance=instance
    )
    assert alone.success
    # A run without a partition (the job started without tags) publishes as of the latest month.
    assert materialize([mart_asset, gate, publication], instance=instance).success
    import duckdb

    with duckdb.connect(str(env / "published" / "scorecard.duckdb"), read_only=True) as con:
        assert con.execute("select distinct reporting_month from publication").fetchall() == [(None,)]


ANALYST = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    query = "select count(*), count(distinct month), max(month) from scorecard_monthly"
    print(repr(con.execute(query).fetchone()), flush=True)
    sys.stdin.readline()
    print(repr(con.execute(query).fetchone()), flush=True)
    """
)


def test_an_analyst_holding_the_published_file_does_not_block_a_run(env):
    instance = DagsterInstance.ephemeral()
    marts, assets = graph(env / "warehouse.duckdb")
    assert run(assets, instance).success
    database = env / "published" / "scorecard.duckdb"
    analyst = subprocess.Popen(
        [sys.executable, "-c", ANALYST, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        old = analyst.stdout.readline().strip()
        marts.monthly = monthly_frame(last_month=dt.date(2025, 4, 1), n_months=15)
        second = materialize(assets, partition_key="2025-04-01", instance=instance, raise_on_error=False)
        assert second.success
        assert published_keys(second) == {PUBLICATION_KEY}
        analyst.stdin.write("\n")
        analyst.stdin.flush()
        assert analyst.stdout.readline().strip() == old  # the same, consistent old snapshot
    finally:
        analyst.stdin.close()
        analyst.wait(timeout=30)
    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        new = con.execute(
            "select count(*), count(distinct month), max(month) from scorecard_monthly"
        ).fetchone()
        assert repr(new) != old and new[1] == 15 and new[2] == dt.date(2025, 4, 1)
        assert con.execute("select distinct reporting_month from publication").fetchall() == [
            (dt.date(2025, 4, 1),)
        ]


def test_every_gated_mart_has_a_blocking_check_and_gates_publication():
    from orchestration.definitions import defs, gated_models

    graph_ = defs.resolve_asset_graph()
    publication = graph_.get(PUBLICATION_KEY)
    assert set(publication.parent_keys) == set(gated_models)
    assert AssetKey(["marts", "scorecard_monthly"]) in gated_models
    assert all(not name.startswith("int_") for name in gated_models.values())
    for key in gated_models:
        spec = graph_.get_check_spec(AssetCheckKey(key, CHECK_NAME))
        assert spec.blocking, key
    job = defs.resolve_job_def("scorecard_job")
    assert (
        job.partitions_def is not None
        and job.partitions_def.get_partition_key_for_timestamp(
            dt.datetime(2025, 3, 15, tzinfo=dt.UTC).timestamp()
        )
        == "2025-03-01"
    )
    assert {s.name for s in defs.sensors} == {"new_extract_sensor", "run_failure_alert"}
    assert [s.name for s in defs.schedules] == ["nightly_scorecard"]


def test_every_warehouse_step_is_in_the_writer_pool_limited_to_one(tmp_path):
    import shutil

    from orchestration.definitions import defs
    from orchestration.run import TEMPLATE

    job = defs.resolve_job_def("scorecard_job")
    pools = {node.name: node.definition.pool for node in job.graph.nodes}
    assert pools == {
        "raw_extracts": "duckdb_writer",
        "warehouse_models": "duckdb_writer",
        "publication_gate": "duckdb_writer",
        "scorecard_publication": "duckdb_writer",
        "scorecard_reports": None,  # reads only the published copy: never waits for the warehouse writer
    }
    shutil.copyfile(TEMPLATE, tmp_path / "dagster.yaml")
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        config = instance.get_concurrency_config()
        assert config.pool_config.default_pool_limit == 1
        assert instance.event_log_storage.get_concurrency_info("duckdb_writer").limit == 1


def test_the_dbt_resource_knows_the_version_dbt_reports_without_asking_it():
    """The resource reads the installed dbt-core's version instead of running ``dbt --version`` before every
    command, as dagster-dbt's own resource does: both give the same version."""
    from dagster_dbt import DbtCliResource

    from orchestration.dbt import dbt_cli_resource

    ours = dbt_cli_resource()
    asked = DbtCliResource(project_dir=ours.project_dir, dbt_executable=ours.dbt_executable)
    assert ours._cli_version == asked._cli_version


# --- sensor -------------------------------------------------------------------------------------------------


def land(landing: Path, folder: str, period_end: str, *, age_seconds: float = 3600) -> Path:
    path = landing / "E06000999" / folder
    (path / "annex_a").mkdir(parents=True)
    data = b"Child Unique ID,Date of Contact\n"
    (path / "annex_a" / "list_01_contacts.csv").write_bytes(data)
    manifest = {
        "la_code": "E06000999",
        "period_end": period_end,
        "extract_date": period_end,
        "window_start": "2024-01-01",
        "source_system": "test",
        "files": {"annex_a/list_01_contacts.csv": hashlib.sha256(data).hexdigest()},
    }
    (path / "manifest.json").write_text(json.dumps(manifest))
    past = dt.datetime.now().timestamp() - age_seconds
    for p in [path / "manifest.json", path / "annex_a" / "list_01_contacts.csv"]:
        os.utime(p, (past, past))
    return path


def test_sensor_one_run_per_new_extract_and_none_for_the_same_folder_again(env):
    from dagster import define_asset_job

    sensor = build_new_extract_sensor(define_asset_job("scorecard_job"))
    landing = env / "landing"
    land(landing, "2025-02", "2025-02-28")

    first = sensor(build_sensor_context(cursor=None))
    assert isinstance(first, SensorResult) and len(first.run_requests) == 1
    request: RunRequest = first.run_requests[0]
    assert request.partition_key == "2025-02-01"
    assert request.tags["csc/extracts"] == "E06000999/2025-02"

    again = sensor(build_sensor_context(cursor=first.cursor))
    assert isinstance(again, SkipReason)

    land(landing, "2025-03", "2025-03-31")
    second = sensor(build_sensor_context(cursor=first.cursor))
    assert len(second.run_requests) == 1
    assert second.run_requests[0].partition_key == "2025-03-01"
    assert second.run_requests[0].run_key != request.run_key
    assert second.run_requests[0].tags["csc/extracts"] == "E06000999/2025-03"
    assert isinstance(sensor(build_sensor_context(cursor=second.cursor)), SkipReason)


def test_sensor_waits_for_a_folder_still_being_written(env):
    landing = env / "landing"
    folder = land(landing, "2025-03", "2025-03-31", age_seconds=0)
    request, cursor = new_extract_requests(landing, None, settle_seconds=60)
    assert request is None and cursor is None  # just written: not yet
    (folder / "annex_a" / "list_01_contacts.csv").unlink()
    request, _ = new_extract_requests(landing, None, settle_seconds=0)
    assert request is None  # a listed file is missing
    # A re-sent manifest (same folder, new content) is a new extract.
    land(landing, "2025-04", "2025-04-30")
    request, cursor = new_extract_requests(landing, None, settle_seconds=0)
    manifest = landing / "E06000999" / "2025-04" / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"test"', '"test rerun"'))
    rerun, _ = new_extract_requests(landing, cursor, settle_seconds=0)
    assert rerun is not None and rerun.run_key != request.run_key


def test_the_command_finds_the_month_like_the_schedule_without_importing_dagster(env):
    from orchestration.run import latest_landed_month
    from orchestration.schedules import latest_reporting_month

    landing = env / "landing"
    today = dt.date(2025, 6, 3)

    def both(day: dt.date = today):
        return latest_landed_month(landing, day), latest_reporting_month(landing, day)

    assert both() == (None, None)
    land(landing, "2025-02", "2025-02-28")
    land(landing, "2025-03", "2025-03-31")
    assert both() == ("2025-03-01", "2025-03-01")
    assert both(dt.date(2025, 3, 15)) == ("2025-03-01", "2025-03-01")  # never after today's month
    assert both(dt.date(2025, 2, 27)) == ("2025-02-01", "2025-02-01")
    incomplete = land(landing, "2025-04", "2025-04-30")
    (incomplete / "annex_a" / "list_01_contacts.csv").unlink()  # still being copied: not counted
    assert both() == ("2025-03-01", "2025-03-01")
    unreadable = landing / "E06000999" / "2025-05"
    unreadable.mkdir()
    (unreadable / "manifest.json").write_text("{not json")  # counts as today (ingest rejects it)
    assert both() == ("2025-06-01", "2025-06-01")
    imported = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, orchestration.run; print(sorted({m.split('.')[0] for m in sys.modules}))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "'dagster'" not in imported and "'pandas'" not in imported


def test_the_lock_file_tells_the_next_run_whether_to_recover(tmp_path):
    from orchestration.run import PipelineBusy, acquire_lock, release_lock

    path = tmp_path / "warehouse.duckdb.pipeline.lock"
    fd, previous = acquire_lock(path, wait=False, partition="2025-03-01")
    assert previous == ""
    with pytest.raises(PipelineBusy, match="month 2025-03"):
        acquire_lock(path, wait=False, partition="2025-03-01")
    release_lock(fd, clean=True)  # exit status 0
    fd, previous = acquire_lock(path, wait=False, partition="2025-04-01")
    assert previous == ""
    release_lock(fd, clean=False)  # failed, or killed before it could say
    fd, previous = acquire_lock(path, wait=False, partition="2025-05-01")
    assert previous.startswith(f"pid {os.getpid()}, month 2025-04, started ")
    release_lock(fd, clean=True)


# --- schedule -----------------------------------------------------------------------------------------------


def test_nightly_schedule_definition_and_month(env):
    from dagster import define_asset_job

    schedule = build_nightly_schedule(define_asset_job("scorecard_job"))
    assert schedule.cron_schedule == NIGHTLY_CRON == "0 2 * * *"
    assert schedule.execution_timezone == "Europe/London"
    assert schedule.job_name == "scorecard_job"
    at = dt.datetime(2025, 4, 3, 2, 0, tzinfo=dt.UTC)
    assert isinstance(schedule(build_schedule_context(scheduled_execution_time=at)), SkipReason)
    land(env / "landing", "2025-02", "2025-02-28")
    land(env / "landing", "2025-03", "2025-03-31")
    request = schedule(build_schedule_context(scheduled_execution_time=at))
    assert isinstance(request, RunRequest)
    assert request.partition_key == "2025-03-01"
    assert request.tags["csc/trigger"] == "nightly"
    assert request.run_key == "nightly-2025-04-03"


# --- alerts -------------------------------------------------------------------------------------------------


def test_run_failure_sensor_writes_an_alert_line(env):
    @op
    def explode():
        raise RuntimeError("boom")

    @dagster_job
    def failing_job():
        explode()

    instance = DagsterInstance.ephemeral()
    result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    (failure,) = instance.all_logs(result.run_id, of_type=DagsterEventType.RUN_FAILURE)
    context = build_run_status_sensor_context(
        sensor_name="run_failure_alert",
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=failure.dagster_event,
    ).for_run_failure()
    run_failure_alert(context)
    lines = (env / "alerts.log").read_text().splitlines()
    assert len(lines) == 1
    alert = json.loads(lines[0])
    assert alert["job"] == "failing_job" and alert["run_id"] == result.run_id


def test_alert_webhook_posts_json_to_a_local_server(env):
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["Content-Type"], json.loads(body)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        outcome = raise_alert(
            env,
            job="scorecard_job",
            run_id="r1",
            partition=MONTH,
            message="Steps failed: ['publication_gate']",
            env={"CSC_ALERT_WEBHOOK_URL": url},
        )
        assert outcome == {"log": "sent", "webhook": "sent"}
        assert received[0][0] == "application/json"
        assert received[0][1]["job"] == "scorecard_job" and received[0][1]["partition"] == MONTH
        # A dead webhook is reported, not raised; the log line is still written.
        server.shutdown()
        server.server_close()
        outcome = raise_alert(env, job="j", run_id="r2", message="x", env={"CSC_ALERT_WEBHOOK_URL": url})
        assert outcome["webhook"].startswith("failed")
        assert outcome["log"] == "sent"
        assert len((env / "alerts.log").read_text().splitlines()) == 2
    finally:
        server.server_close()


# --- the real pipeline on synthetic extracts ----------------------------------------------------------

ANALYST_REAL = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    query = "select count(*), max(month), sum(value) from scorecard_monthly"
    print(repr(con.execute(query).fetchone()), flush=True)
    sys.stdin.readline()
    print(repr(con.execute(query).fetchone()), flush=True)
    """
)


@pytest.mark.slow
@pytest.mark.xdist_group("real_pipeline")
def test_real_pipeline_monthly_run_while_an_analyst_reads(tmp_path, monkeypatch):
    """Landing → ingest → dbt → gate → publication with the job of the code location, twice: the history and
    all monthly drops but the last, then the last one as a new extract, with an analyst reading throughout."""
    import shutil
    import time

    import duckdb

    from orchestration.definitions import defs
    from synthetic import CouncilConfig, generate_council

    data = tmp_path / "data"
    for var in list(os.environ):
        if var.startswith("CSC_"):
            monkeypatch.delenv(var)
    monkeypatch.setenv("CSC_DATA_DIR", str(data))
    monkeypatch.setenv("CSC_DEMO", "1")
    landing = data / "landing"
    council = generate_council(
        CouncilConfig(population=8_000, end_month="2025-03", months=15, history_months=12, seed=7)
    )
    council.write(landing)
    folders = sorted((landing / "E06000999").iterdir())
    last = folders[-1]
    held = tmp_path / "held"
    shutil.move(last, held)
    job = defs.resolve_job_def("scorecard_job")
    instance = DagsterInstance.ephemeral()

    started = time.perf_counter()
    first = job.execute_in_process(partition_key="2025-02-01", instance=instance, raise_on_error=False)
    first_seconds = time.perf_counter() - started
    assert first.success
    database = data / "published" / "scorecard.duckdb"
    analyst = subprocess.Popen(
        [sys.executable, "-c", ANALYST_REAL, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        old = analyst.stdout.readline().strip()
        assert "datetime.date(2025, 2, 1)" in old
        shutil.move(held, last)  # the new extract arrives
        started = time.perf_counter()
        second = job.execute_in_process(partition_key="2025-03-01", instance=instance, raise_on_error=False)
        second_seconds = time.perf_counter() - started
        assert second.success
        analyst.stdin.write("\n")
        analyst.stdin.flush()
        assert analyst.stdout.readline().strip() == old
    finally:
        analyst.stdin.close()
        analyst.wait(timeout=60)
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select max(month) from scorecard_monthly").fetchone()[0] == dt.date(2025, 3, 1)
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    assert {"scorecard_monthly", "scorecard"} <= tables
    assert not [t for t in tables if t.startswith("fct_") or t == "dim_child"]
    evaluations = second.get_asset_check_evaluations()
    gate = [e for e in evaluations if e.check_name == CHECK_NAME]
    assert gate and all(e.passed for e in gate), [e.asset_key for e in gate if not e.passed]
    assert (data / "runs" / second.run_id / "data_quality" / "index.html").exists()
    print(f"first run {first_seconds:.1f} s, monthly run {second_seconds:.1f} s")
