"""The Dagster code location (`dagster dev -w workspace.yaml`, `dagster job execute -m ...`).

ingest (raw_extracts) → dbt build (warehouse_models) → blocking GX checks on every mart and fact
(publication_gate) → scorecard_publication (partitioned by reporting month) → scorecard_reports.
Every step that opens the warehouse is in the ``duckdb_writer`` pool (limit 1: orchestration/dagster.yaml).
"""

from dagster import AssetSelection, Definitions, RetryPolicy, define_asset_job, in_process_executor

from data_quality.tables import grains_from_manifest
from ingest.settings import restrict_umask
from orchestration.assets import raw_extracts
from orchestration.checks import build_gate_checks, gated_models_from_manifest
from orchestration.dbt import CscDbtTranslator, dbt_cli_resource, dbt_project, warehouse_models
from orchestration.partitions import reporting_months
from orchestration.publication import build_publication_asset, scorecard_reports
from orchestration.schedules import build_nightly_schedule
from orchestration.sensors import build_new_extract_sensor, run_failure_alert

# Whoever loads this code location (`dagster dev`, the daemon, `dagster job execute`), everything the
# pipeline writes is owner-only: children's data.
restrict_umask()

# The marts and facts the gate validates, from the dbt manifest (models in schema `marts`).
gated_models = gated_models_from_manifest(dbt_project.manifest_path, CscDbtTranslator())
publication_gate = build_gate_checks(gated_models, grains_from_manifest(dbt_project.manifest_path))
scorecard_publication = build_publication_asset(gated_models)

scorecard_job = define_asset_job(
    name="scorecard_job",
    selection=AssetSelection.all(),
    partitions_def=reporting_months,
    # Steps are serialised by the pool anyway; one process saves the per-step start-up (dbt, GX imports).
    executor_def=in_process_executor,
    # One retry a minute later for anything transient (a locked file); the gate and the publication set
    # their own policies (a failed check is not retried).
    op_retry_policy=RetryPolicy(max_retries=1, delay=60),
    description=(
        "Ingest new extracts, build the warehouse and the scorecard marts, run the data-quality gate, and "
        "publish the marts for the reporting month when every blocking check passes."
    ),
)

defs = Definitions(
    assets=[raw_extracts, warehouse_models, scorecard_publication, scorecard_reports],
    asset_checks=[publication_gate] if publication_gate is not None else [],
    jobs=[scorecard_job],
    schedules=[build_nightly_schedule(scorecard_job)],
    sensors=[build_new_extract_sensor(scorecard_job), run_failure_alert],
    resources={"dbt": dbt_cli_resource()},
)
