"""Ingestion of landed extracts into the warehouse's raw tables."""

import dataclasses

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from ingest.load import ingest_landing
from ingest.settings import Settings


@asset(
    key="raw_extracts",
    group_name="ingest",
    pool="duckdb_writer",
    description=(
        "Every extract folder under the landing root, verified against its manifest, normalised, "
        "pseudonymised and loaded into raw.* (rejected extracts and quarantined rows recorded)."
    ),
)
def raw_extracts(context: AssetExecutionContext) -> MaterializeResult:
    settings = Settings.from_env()
    report = ingest_landing(settings)
    summary = dataclasses.asdict(report) if dataclasses.is_dataclass(report) else dict(report)
    context.log.info("ingest: %s", {k: v for k, v in summary.items() if isinstance(v, int | float)})
    return MaterializeResult(
        metadata={
            key: (MetadataValue.json(value) if isinstance(value, list | dict) else value)
            for key, value in summary.items()
        }
    )
