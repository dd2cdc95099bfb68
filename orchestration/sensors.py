"""Sensors: new extracts in the landing folder start a run; a failed run raises an alert.

The extract sensor reads only the landing folder (never the warehouse: a reader would block the nightly
writer). An extract is known by its folder and the sha256 of its manifest.json; the cursor keeps the ones
already requested, and the run key (the hash of the batch's folder keys) stops a second run for the same
extracts even if the cursor were lost.
"""

import datetime as dt
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from dagster import (
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from ingest.settings import Settings
from orchestration.alerts import raise_alert
from orchestration.partitions import month_key

#: Seconds a folder must have been left alone before it is considered complete (files still being copied).
SETTLE_SECONDS = int(os.environ.get("CSC_SENSOR_SETTLE_SECONDS", "60"))


@dataclass(frozen=True)
class LandedExtract:
    folder: str  # relative to the landing root: <la_code>/<folder>
    manifest_sha256: str
    period_end: dt.date

    @property
    def key(self) -> str:
        return f"{self.folder}@{self.manifest_sha256}"


def _settled(folder: Path, manifest: dict, settle_seconds: float, now: float) -> bool:
    newest = 0.0
    for name in ["manifest.json", *manifest.get("files", {})]:
        path = folder / name
        if not path.is_file():
            return False  # a listed file is not there yet
        newest = max(newest, path.stat().st_mtime)
    return now - newest >= settle_seconds


def landed_extracts(landing_dir: Path, *, settle_seconds: float = SETTLE_SECONDS, now: float | None = None):
    """Every complete extract folder (``<la>/<folder>/manifest.json``) under the landing root."""
    now = time.time() if now is None else now
    found = []
    if not Path(landing_dir).is_dir():
        return found
    for manifest_path in sorted(Path(landing_dir).glob("*/*/manifest.json")):
        raw = manifest_path.read_bytes()
        try:
            manifest = json.loads(raw)
            period_end = dt.date.fromisoformat(str(manifest["period_end"]))
        except (ValueError, KeyError, TypeError):
            # Unreadable manifest: still run, so ingest records the rejection with its message.
            manifest, period_end = {}, None
        if not _settled(manifest_path.parent, manifest, settle_seconds, now):
            continue
        found.append(
            LandedExtract(
                folder=manifest_path.parent.relative_to(landing_dir).as_posix(),
                manifest_sha256=hashlib.sha256(raw).hexdigest(),
                period_end=period_end or dt.date.fromtimestamp(now),
            )
        )
    return sorted(found, key=lambda e: (e.period_end, e.folder))


def new_extract_requests(landing_dir: Path, cursor: str | None, *, settle_seconds: float = SETTLE_SECONDS):
    """(run request or None, new cursor). One run covers every new extract of the tick."""
    seen = set(json.loads(cursor)) if cursor else set()
    new = [e for e in landed_extracts(landing_dir, settle_seconds=settle_seconds) if e.key not in seen]
    if not new:
        return None, cursor
    batch_key = hashlib.sha256("\n".join(sorted(e.key for e in new)).encode()).hexdigest()[:20]
    latest = max(e.period_end for e in new)
    request = RunRequest(
        run_key=f"extracts-{batch_key}",
        partition_key=month_key(latest),
        tags={
            "csc/trigger": "new_extract",
            "csc/extracts": ",".join(e.folder for e in new)[:1000],
        },
    )
    return request, json.dumps(sorted(seen | {e.key for e in new}))


def build_new_extract_sensor(job):
    @sensor(
        name="new_extract_sensor",
        job=job,
        minimum_interval_seconds=60,
        default_status=DefaultSensorStatus.RUNNING,
        description="Starts a run for the latest reporting month when new extract folders arrive in landing.",
    )
    def new_extract_sensor(context: SensorEvaluationContext):
        landing_dir = Settings.from_env(require_key=False).landing_dir
        request, cursor = new_extract_requests(landing_dir, context.cursor)
        if request is None:
            return SkipReason(f"no new extract under {landing_dir}")
        context.log.info("new extracts: %s", request.tags["csc/extracts"])
        return SensorResult(run_requests=[request], cursor=cursor)

    return new_extract_sensor


@run_failure_sensor(
    name="run_failure_alert",
    default_status=DefaultSensorStatus.RUNNING,
    description="Writes <CSC_DATA_DIR>/alerts.log; posts CSC_ALERT_WEBHOOK_URL, mails CSC_ALERT_EMAIL_TO.",
)
def run_failure_alert(context: RunFailureSensorContext):
    run = context.dagster_run
    message = context.failure_event.message or "run failed"
    outcome = raise_alert(
        Settings.from_env(require_key=False).data_dir,
        job=run.job_name,
        run_id=run.run_id,
        partition=run.tags.get("dagster/partition"),
        message=message,
    )
    context.log.info("alert raised: %s", outcome)
