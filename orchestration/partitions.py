"""Reporting months as Dagster monthly partitions (key = first day of the month, e.g. ``2025-03-01``)."""

from __future__ import annotations

import datetime as dt

from dagster import MonthlyPartitionsDefinition

#: The catalogue's oldest targets are for 2017-18; real councils' history starts no earlier.
FIRST_REPORTING_MONTH = "2017-04-01"

# end_offset=1: the current month is a partition too, so an extract whose period_end falls in the current
# month (a mid-month re-run) still has a partition to run in.
reporting_months = MonthlyPartitionsDefinition(
    start_date=FIRST_REPORTING_MONTH, timezone="Europe/London", end_offset=1
)


def month_key(day: dt.date) -> str:
    """The partition key of the reporting month containing ``day``."""
    return day.replace(day=1).isoformat()


def key_month(partition_key: str | None) -> dt.date | None:
    return dt.date.fromisoformat(partition_key) if partition_key else None
