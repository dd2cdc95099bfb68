"""The Dagster code location (`dagster dev -w workspace.yaml`, `dagster job execute -m ...`)."""

from dagster import AssetSelection, Definitions, define_asset_job

from orchestration.assets import raw_extracts
from orchestration.dbt import dbt_cli_resource, warehouse_models

scorecard_job = define_asset_job(
    name="scorecard_job",
    selection=AssetSelection.all(),
    description="Ingest new extracts, then build the warehouse and the scorecard marts.",
)

defs = Definitions(
    assets=[raw_extracts, warehouse_models],
    jobs=[scorecard_job],
    resources={"dbt": dbt_cli_resource()},
)
