"""The publication asset: write-audit-publish of the marts, one partition per reporting month.

It depends on every gated mart, so a failing blocking check of the same run stops it. It also refuses to
publish when the latest evaluation of any gate check did not pass or is older than the data it checked (for a
run that selects only this asset, or a re-execution).
"""

from collections.abc import Mapping

from dagster import (
    AssetCheckKey,
    AssetExecutionContext,
    AssetKey,
    Backoff,
    Failure,
    Jitter,
    MaterializeResult,
    MetadataValue,
    RetryPolicy,
    RetryRequested,
    asset,
)
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from ingest.settings import Settings
from orchestration.checks import CHECK_NAME, is_lock_error
from orchestration.partitions import key_month, reporting_months
from publish import PublicationError, publish
from reporting import after_publication, default_reports_dir

PUBLICATION_KEY = AssetKey("scorecard_publication")


def gate_problems(context: AssetExecutionContext, gated: Mapping[AssetKey, str]) -> list[str]:
    """Why the gate does not allow publishing now (empty when every check passed on the current data)."""
    instance = context.instance
    keys = [AssetCheckKey(key, CHECK_NAME) for key in gated]
    records = instance.event_log_storage.get_latest_asset_check_execution_by_key(keys)
    problems = []
    for check_key in keys:
        table = gated[check_key.asset_key]
        record = records.get(check_key)
        if record is None or record.event is None:
            problems.append(f"{table}: never checked")
            continue
        if record.status != AssetCheckExecutionRecordStatus.SUCCEEDED:
            problems.append(f"{table}: latest check {record.status.value.lower()} (run {record.run_id})")
            continue
        materialization = instance.get_latest_materialization_event(check_key.asset_key)
        if materialization is not None and materialization.timestamp > record.event.timestamp:
            problems.append(f"{table}: rebuilt after its last check")
    return problems


def build_publication_asset(gated: Mapping[AssetKey, str]):
    gated = dict(gated)

    @asset(
        key=PUBLICATION_KEY,
        deps=list(gated),
        partitions_def=reporting_months,
        group_name="publication",
        pool="duckdb_writer",
        retry_policy=RetryPolicy(
            max_retries=2, delay=15, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS
        ),
        kinds={"duckdb", "parquet"},
        description=(
            "published/scorecard.duckdb (DuckDB 1.x-readable) and published/parquet/*.parquet: the marts "
            "(aggregates only), replaced atomically, only after every blocking data-quality check passed."
        ),
    )
    def scorecard_publication(context: AssetExecutionContext) -> MaterializeResult:
        settings = Settings.from_env(require_key=False)
        if not gated:
            raise Failure("no mart models to publish (the dbt project has no marts yet)", allow_retries=False)
        problems = gate_problems(context, gated)
        if problems:
            raise Failure(
                "the data-quality gate does not allow publishing: " + "; ".join(problems), allow_retries=False
            )
        try:
            result = publish(
                settings.warehouse_path,
                settings.published_dir,
                run_id=context.run_id,
                # A run without a partition (`dagster job execute` without tags) publishes as of the latest
                # month; the gate then checks each council's latest month.
                reporting_month=key_month(context.partition_key) if context.has_partition_key else None,
            )
        except PublicationError as exc:
            raise Failure(str(exc), allow_retries=False) from exc
        except Exception as exc:
            if is_lock_error(exc):
                raise RetryRequested(max_retries=3, seconds_to_wait=20) from exc
            raise
        context.log.info(
            "published %d tables (%s) in %.1f s; left out: %s",
            len(result.rows),
            ", ".join(f"{t}={n}" for t, n in result.rows.items()),
            result.seconds,
            result.skipped,
        )
        return MaterializeResult(
            metadata={
                "publication_id": result.publication_id,
                "database": MetadataValue.path(str(result.database)),
                "manifest": MetadataValue.path(str(result.manifest)),
                "rows": MetadataValue.json(result.rows),
                "not_published": MetadataValue.json(result.skipped),
                "seconds": result.seconds,
            }
        )

    return scorecard_publication


@asset(
    key="scorecard_reports",
    deps=[PUBLICATION_KEY],
    partitions_def=reporting_months,
    group_name="publication",
    kinds={"html", "xlsx"},
    description=(
        "The board pack of every published council for the reporting month: a self-contained HTML file "
        "and an XLSX workbook under $CSC_REPORTS_DIR/<la_code>/, rendered from the published copy only."
    ),
)
def scorecard_reports(context: AssetExecutionContext) -> MaterializeResult:
    # Reads only the published file, so it needs no place in the duckdb_writer pool; a rendering failure
    # leaves the publication as it is.
    settings = Settings.from_env(require_key=False)
    rendered = after_publication(
        settings.published_dir,
        default_reports_dir(settings.data_dir),
        reporting_month=key_month(context.partition_key) if context.has_partition_key else None,
    )
    for report in rendered:
        context.log.info("rendered %s %s: %s", report.la_code, report.reporting_month, report.html)
    return MaterializeResult(
        metadata={
            "councils": len(rendered),
            "reports": MetadataValue.json([str(r.html) for r in rendered] + [str(r.xlsx) for r in rendered]),
            "restatements": sum(r.restatements for r in rendered),
        }
    )
