"""Alerts for failed runs: a line in ``<CSC_DATA_DIR>/alerts.log`` always, plus a webhook or an email if set.

| variable | meaning |
|---|---|
| ``CSC_ALERT_WEBHOOK_URL`` | POST the alert as JSON to this URL (e.g. a Teams/Slack incoming webhook relay) |
| ``CSC_ALERT_EMAIL_TO`` | comma-separated recipients; needs ``CSC_ALERT_SMTP_HOST`` |
| ``CSC_ALERT_SMTP_HOST``, ``_PORT`` (587), ``_USER``, ``_PASSWORD``, ``_STARTTLS`` (1) | SMTP settings |
| ``CSC_ALERT_EMAIL_FROM`` | sender (default ``csc-scorecard@<smtp host>``) |

An alert carries the job, run id, partition and the error's first line: never record content. A channel that
fails is logged and reported, never raised (the alert line is written first).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import smtplib
import urllib.request
from collections.abc import Mapping
from email.message import EmailMessage
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
ALERT_LOG = "alerts.log"


def _post_webhook(url: str, alert: Mapping[str, Any], timeout: float = 10.0) -> None:
    body = json.dumps(alert).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # the configured URL
        if response.status >= 300:
            raise OSError(f"webhook answered HTTP {response.status}")


def _send_email(env: Mapping[str, str], alert: Mapping[str, Any]) -> None:
    host = env.get("CSC_ALERT_SMTP_HOST")
    if not host:
        raise OSError("CSC_ALERT_EMAIL_TO is set but CSC_ALERT_SMTP_HOST is not")
    message = EmailMessage()
    message["Subject"] = f"[CSC scorecard] {alert['job']} failed ({alert.get('partition') or 'no partition'})"
    message["From"] = env.get("CSC_ALERT_EMAIL_FROM") or f"csc-scorecard@{host}"
    message["To"] = env["CSC_ALERT_EMAIL_TO"]
    message.set_content(json.dumps(alert, indent=2))
    with smtplib.SMTP(host, int(env.get("CSC_ALERT_SMTP_PORT") or 587), timeout=20) as smtp:
        if (env.get("CSC_ALERT_SMTP_STARTTLS") or "1") not in ("0", "false", "no"):
            smtp.starttls()
        if env.get("CSC_ALERT_SMTP_USER"):
            smtp.login(env["CSC_ALERT_SMTP_USER"], env.get("CSC_ALERT_SMTP_PASSWORD", ""))
        smtp.send_message(message)


def raise_alert(
    data_dir: Path,
    *,
    job: str,
    run_id: str,
    message: str,
    partition: str | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Record and send an alert. Returns {channel: "sent" | "failed: ..."}."""
    env = os.environ if env is None else env
    first_line = (message or "").strip().splitlines()[0][:500] if (message or "").strip() else "run failed"
    alert = {
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "job": job,
        "run_id": run_id,
        "partition": partition,
        "error": first_line,
    }
    outcome: dict[str, str] = {}
    path = Path(data_dir) / ALERT_LOG
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(alert) + "\n")
    outcome["log"] = "sent"
    log.error("ALERT %s run %s (%s) failed: %s", job, run_id, partition or "-", first_line)
    url = env.get("CSC_ALERT_WEBHOOK_URL")
    if url:
        try:
            _post_webhook(url, alert)
            outcome["webhook"] = "sent"
        except OSError as exc:
            outcome["webhook"] = f"failed: {exc}"
            log.warning("alert webhook failed: %s", exc)
    if env.get("CSC_ALERT_EMAIL_TO"):
        try:
            _send_email(env, alert)
            outcome["email"] = "sent"
        except (OSError, smtplib.SMTPException) as exc:
            outcome["email"] = f"failed: {exc}"
            log.warning("alert email failed: %s", exc)
    return outcome
