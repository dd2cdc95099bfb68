"""The dbt project as Dagster assets: every model, seed and test, downstream of the raw tables."""

import importlib.metadata
import os
import sys
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)
from packaging import version

from ingest.archive import ensure_private_dir
from ingest.settings import Settings

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
RAW_EXTRACTS_KEY = AssetKey("raw_extracts")
# The production build: everything but the unit tests (data-independent; CI runs them).
BUILD_ARGS = ["build", "--exclude", "resource_type:unit_test"]

# `dagster dev` (prepare_if_dev) and DbtCliResource look for `dbt` on PATH: put this environment's dbt
# first, so `.venv/bin/dagster dev -w workspace.yaml` works without an activated venv.
_venv_bin = str(Path(sys.executable).parent)
if _venv_bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = os.pathsep.join([_venv_bin, os.environ.get("PATH", "")])

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()
if not dbt_project.manifest_path.exists():
    # Outside `dagster dev` nothing else builds the manifest: parse once (about 5 s) so the
    # command line, the tests and CI load the same definitions.
    dbt_project.prepare()


class CscDbtTranslator(DagsterDbtTranslator):
    """Every dbt source is one of the raw tables that the `raw_extracts` asset writes."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return RAW_EXTRACTS_KEY
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "warehouse"


class EnvironmentDbtCliResource(DbtCliResource):
    """The dbt of this environment (``dbt_executable`` is its ``dbt``, so a shell without the venv activated
    still works), started without two costs dagster-dbt pays before every command (decision 29): its version
    is the installed dbt-core package's, not asked of ``dbt --version`` in a subprocess (4.1 s), and no dbt
    adapter is opened in this process (2.6 s; dagster-dbt uses it only to fetch column metadata and row
    counts, which this project does not ask for)."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


def dbt_cli_resource() -> DbtCliResource:
    return EnvironmentDbtCliResource(
        project_dir=dbt_project, dbt_executable=str(Path(sys.executable).parent / "dbt")
    )


@dbt_assets(
    manifest=dbt_project.manifest_path,
    # Every source maps to the one `raw_extracts` asset: allow several sources to share that key.
    dagster_dbt_translator=CscDbtTranslator(
        settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True)
    ),
    pool="duckdb_writer",
)
def warehouse_models(context: AssetExecutionContext, dbt: DbtCliResource):
    """Seeds, staging, intermediate and mart models with their data tests (`dbt build`). The unit tests read
    only their own fixture rows, not the warehouse's data: CI runs them (tests/test_dbt_unit_tests.py), a
    production build does not."""
    settings = Settings.from_env()
    # The dbt profile reads the warehouse path from the environment of the dbt subprocess.
    os.environ["CSC_WAREHOUSE_PATH"] = str(settings.warehouse_path)
    # One target folder, replaced by every build (one build at a time: the duckdb_writer pool), instead of
    # dagster-dbt's new folder per run under dbt_project/target (12 MB a run, never cleaned up).
    target = ensure_private_dir((settings.data_dir / "dbt_target").resolve())
    yield from dbt.cli(BUILD_ARGS, context=context, target_path=target).stream()
    # dagster-dbt copies partial_parse.msgpack in with its 0644 mode; the folder is private, the files too
    for path in target.rglob("*"):
        os.chmod(path, 0o700 if path.is_dir() else 0o600)
