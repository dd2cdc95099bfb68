"""The dbt unit tests (``unit_tests:`` in dbt_project/models/**/*.yml) run here, in CI.

The production build (orchestration/dbt.py) excludes them: they read only their own fixture rows, never
the warehouse's data, so running them on every monthly build costs time and checks nothing new. dbt still
needs every input relation of a tested model to exist (it reads their column types), so the fixture
builds an empty warehouse first: the raw schema as ingest creates it, then seeds and models with
``--empty`` (no rows read), then ``dbt test --select test_type:unit``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO / "dbt_project"
DBT = Path(sys.executable).parent / "dbt"


def _dbt(args: list[str], env: dict[str, str], target: Path) -> subprocess.CompletedProcess:
    cmd = [
        str(DBT), *args,
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target), "--log-path", str(target / "logs"),
    ]  # fmt: skip
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)


def _unit_test_names() -> set[str]:
    """Every unit test the project defines, from the yml files (independent of dbt's own listing)."""
    import yaml

    names = set()
    for path in (DBT_PROJECT_DIR / "models").rglob("*.yml"):
        for test in (yaml.safe_load(path.read_text()) or {}).get("unit_tests", []) or []:
            names.add(test["name"])
    return names


def test_dbt_unit_tests_pass(tmp_path: Path) -> None:
    from ingest.schema import create_raw_schema

    warehouse = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    create_raw_schema(con)
    con.close()
    env = {**os.environ, "CSC_WAREHOUSE_PATH": str(warehouse)}
    target = tmp_path / "dbt_target"

    # the input relations, without rows (data tests left out: most of them mean nothing on empty tables)
    empty = _dbt(
        ["build", "--empty", "--exclude", "resource_type:test", "resource_type:unit_test"], env, target
    )
    if empty.returncode != 0:
        tail = "\n".join(empty.stdout.splitlines()[-30:])
        pytest.fail(f"dbt build --empty failed (exit {empty.returncode}):\n{tail}", pytrace=False)

    proc = _dbt(["test", "--select", "test_type:unit"], env, target)
    results = json.loads((target / "run_results.json").read_text())["results"]
    failed = [r["unique_id"] for r in results if r["status"] != "pass"]
    tail = "\n".join(proc.stdout.splitlines()[-30:])
    assert proc.returncode == 0 and not failed, f"unit tests failed: {failed}\n{tail}"

    ran = {r["unique_id"].rsplit(".", 1)[-1] for r in results if r["unique_id"].startswith("unit_test.")}
    expected = _unit_test_names()
    assert len(expected) >= 30, sorted(expected)  # the project's unit tests were found in the yml files
    assert ran == expected, f"not run: {sorted(expected - ran)}; unexpected: {sorted(ran - expected)}"
