"""The publication gate as blocking Dagster asset checks on the dbt mart assets.

One ``gx_gate`` check per gated model (scorecard_monthly, scorecard, every dim_* and fct_* in marts), all
evaluated by one step so Great Expectations is imported once per run (data_quality/gate.py: the marts row by
row, facts and dimensions through per-council DuckDB check summaries, so memory does not grow with the facts).
Each check is ``blocking=True``: when one fails, the publication (downstream of every gated asset) does not
run. The validation results are written as HTML and JSON under ``<CSC_DATA_DIR>/runs/<run_id>/data_quality/``.
"""

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    RetryPolicy,
    RetryRequested,
    multi_asset_check,
)

from data_quality.tables import MART_SCHEMA, is_gated_table
from ingest.settings import Settings
from orchestration.partitions import key_month

CHECK_NAME = "gx_gate"
PARTITION_TAG = "dagster/partition"


def gated_models_from_manifest(manifest_path: Path, translator) -> dict[AssetKey, str]:
    """{asset key: table name} of the dbt models in the marts schema that the gate validates."""
    if not Path(manifest_path).exists():
        return {}
    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    gated = {}
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") != "model" or node.get("schema") != MART_SCHEMA:
            continue
        table = node.get("alias") or node["name"]
        if is_gated_table(table):
            gated[translator.get_asset_key(node)] = table
    return gated


def is_lock_error(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def build_gate_checks(gated: Mapping[AssetKey, str], grains: Mapping[str, tuple[str, ...]] | None = None):
    """The blocking checks for ``gated`` ({asset key: marts table}); None when there is nothing to gate."""
    if not gated:
        return None
    by_key = dict(gated)
    specs = [
        AssetCheckSpec(
            CHECK_NAME,
            asset=key,
            blocking=True,
            description=f"Great Expectations suite on marts.{table}; blocks publication when it fails.",
        )
        for key, table in sorted(by_key.items(), key=lambda item: item[1])
    ]

    @multi_asset_check(
        name="publication_gate",
        specs=specs,
        can_subset=True,
        pool="duckdb_writer",
        # A failing check is not retried (it would fail again); a locked warehouse is (RetryRequested below).
        retry_policy=RetryPolicy(max_retries=0),
        description="GX suites on the marts and on DuckDB check summaries of the facts; read-only.",
    )
    def publication_gate(context: AssetCheckExecutionContext) -> Iterable[AssetCheckResult]:
        from data_quality.gate import run_gate
        from data_quality.report import run_report_dir, write_table_report

        settings = Settings.from_env(require_key=False)
        reporting_month = key_month(context.run.tags.get(PARTITION_TAG))
        selected: Sequence[AssetCheckKey] = sorted(
            context.selected_asset_check_keys, key=lambda k: k.asset_key.to_user_string()
        )
        tables = {k: by_key[k.asset_key] for k in selected}
        try:
            results = run_gate(
                settings.warehouse_path,
                tables=list(tables.values()),
                reporting_month=reporting_month,
                grains=grains,
            )
        except duckdb.IOException as exc:
            if is_lock_error(exc):
                raise RetryRequested(max_retries=3, seconds_to_wait=20) from exc
            raise
        out_dir = run_report_dir(settings.data_dir, context.run.run_id)
        for check_key, table in tables.items():
            validations = results[table]
            report = write_table_report(out_dir, table, validations)
            passed = all(v.success for v in validations)
            for v in validations:
                (context.log.info if v.success else context.log.error)(v.summary())
            metadata: dict[str, Any] = {
                "report": MetadataValue.path(str(report)),
                "rows": validations[0].rows,
                "expectations": sum(len(v.outcomes) for v in validations),
                "failed": MetadataValue.json([v.summary() for v in validations if not v.success]),
                "reporting_month": str(reporting_month) if reporting_month else "latest per council",
            }
            yield AssetCheckResult(
                asset_key=check_key.asset_key,
                check_name=check_key.name,
                passed=passed,
                severity=AssetCheckSeverity.ERROR,
                metadata=metadata,
                description=None if passed else "; ".join(v.summary() for v in validations if not v.success),
            )

    return publication_gate
