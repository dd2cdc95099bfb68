"""Ingestion of landed extracts into the warehouse's raw tables."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

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
    # Imported here, not at load: the code location loads (UI, daemon, sensors) without pandas.
    from ingest.load import ingest_landing

    settings = Settings.from_env()
    report = ingest_landing(settings)
    # The gate runs after the dbt build (a subprocess): import Great Expectations meanwhile, in this process.
    from data_quality.gate import prefetch_gx

    prefetch_gx()
    for line in report.summary_lines():  # counts and messages only, never record contents
        context.log.info(line)
    summary = report.summary()
    return MaterializeResult(
        metadata={
            key: (MetadataValue.json(value) if isinstance(value, list | dict) else value)
            for key, value in summary.items()
        }
    )
