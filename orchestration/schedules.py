"""The nightly schedule: 02:00 Europe/London, for the latest reporting month in the landing folder."""

import datetime as dt

from dagster import DefaultScheduleStatus, RunRequest, ScheduleEvaluationContext, SkipReason, schedule

from ingest.settings import Settings
from orchestration.partitions import month_key
from orchestration.sensors import landed_extracts

NIGHTLY_CRON = "0 2 * * *"
TIMEZONE = "Europe/London"


def latest_reporting_month(landing_dir, today: dt.date) -> str | None:
    """The month of the latest period_end among the landed extracts (none: no extract has landed)."""
    extracts = landed_extracts(landing_dir, settle_seconds=0)
    if not extracts:
        return None
    return month_key(min(max(e.period_end for e in extracts), today))


def build_nightly_schedule(job):
    @schedule(
        name="nightly_scorecard",
        cron_schedule=NIGHTLY_CRON,
        execution_timezone=TIMEZONE,
        job=job,
        default_status=DefaultScheduleStatus.RUNNING,
        description="Every night at 02:00 (UK time): ingest what landed, rebuild, check, publish.",
    )
    def nightly_scorecard(context: ScheduleEvaluationContext):
        scheduled = context.scheduled_execution_time or dt.datetime.now(dt.UTC)
        landing_dir = Settings.from_env(require_key=False).landing_dir
        month = latest_reporting_month(landing_dir, scheduled.date())
        if month is None:
            return SkipReason(f"no extract has landed under {landing_dir}")
        return RunRequest(
            run_key=f"nightly-{scheduled:%Y-%m-%d}",
            partition_key=month,
            tags={"csc/trigger": "nightly"},
        )

    return nightly_scorecard
