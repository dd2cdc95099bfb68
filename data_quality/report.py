"""A human-readable record of a run's validations: one JSON and one HTML file per table, and an index.

Written under ``<CSC_DATA_DIR>/runs/<run_id>/data_quality/``. The index is rebuilt from the JSON files
present, so checks that run in separate steps (or processes) of the same run all appear in it.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
from collections.abc import Sequence
from pathlib import Path

from data_quality.gate import TableValidation

REPORT_DIR = "data_quality"


def run_report_dir(data_dir: Path, run_id: str) -> Path:
    return Path(data_dir) / "runs" / run_id / REPORT_DIR


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:0.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top;font-size:14px}
.pass{color:#176f2c;font-weight:600}.fail{color:#b00020;font-weight:600}
code{font-size:12px}
"""


def _status(success: bool) -> str:
    return '<span class="pass">PASS</span>' if success else '<span class="fail">FAIL</span>'


def _validation_html(validation: TableValidation) -> str:
    rows = []
    for o in validation.outcomes:
        samples = "<br>".join(html.escape(json.dumps(s, ensure_ascii=False)) for s in o.samples)
        rows.append(
            "<tr>"
            f"<td>{_status(o.success)}</td><td>{html.escape(o.description)}</td>"
            f"<td><code>{html.escape(o.expectation)}</code></td>"
            f"<td>{'' if o.unexpected_count is None else o.unexpected_count}</td>"
            f"<td>{'' if o.element_count is None else o.element_count}</td>"
            f"<td>{samples}{html.escape(o.error or '')}</td>"
            "</tr>"
        )
    return (
        f"<h2>{_status(validation.success)} {html.escape(validation.table + validation.scope)}</h2>"
        f"<p>{validation.rows} rows; grain ({html.escape(', '.join(validation.grain))}) from "
        f"{html.escape(validation.grain_source)}; checked by: {html.escape(validation.method)}; "
        f"{validation.seconds:.2f} s</p>"
        "<table><tr><th></th><th>expectation</th><th>GX type</th><th>unexpected rows</th>"
        "<th>rows checked</th>"
        "<th>examples (aggregate tables: rows; child-level tables: council counts only)</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def write_table_report(out_dir: Path, check_name: str, validations: Sequence[TableValidation]) -> Path:
    """Write ``<check_name>.json`` and ``.html``, refresh ``index.html``; return the HTML path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    success = all(v.success for v in validations)
    payload = {
        "check": check_name,
        "success": success,
        "validated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "validations": [v.to_dict() for v in validations],
    }
    _atomic_write(out_dir / f"{check_name}.json", json.dumps(payload, indent=2, ensure_ascii=False))
    body = "".join(_validation_html(v) for v in validations)
    page = (
        f"<!doctype html><meta charset='utf-8'><title>{html.escape(check_name)}</title>"
        f"<style>{_STYLE}</style>"
        f"<h1>{_status(success)} {html.escape(check_name)}</h1><p>Validated {payload['validated_at']}. "
        "<a href='index.html'>All checks of this run</a></p>" + body
    )
    path = out_dir / f"{check_name}.html"
    _atomic_write(path, page)
    write_index(out_dir)
    return path


def write_index(out_dir: Path) -> Path:
    entries = []
    for json_path in sorted(Path(out_dir).glob("*.json")):
        try:
            data = json.loads(json_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        failed = [
            v["table"] + v.get("scope", "")
            for v in data.get("validations", [])
            if not v.get("success", False)
        ]
        entries.append(
            f"<tr><td>{_status(bool(data.get('success')))}</td>"
            f"<td><a href='{html.escape(json_path.stem)}.html'>"
            f"{html.escape(data.get('check', json_path.stem))}"
            f"</a></td><td>{html.escape(data.get('validated_at', ''))}</td>"
            f"<td>{html.escape('; '.join(failed))}</td></tr>"
        )
    page = (
        f"<!doctype html><meta charset='utf-8'><title>Data quality gate</title><style>{_STYLE}</style>"
        f"<h1>Data quality gate: {html.escape(Path(out_dir).parent.name)}</h1>"
        "<table><tr><th></th><th>check</th><th>validated at</th><th>failed</th></tr>"
        + "".join(entries)
        + "</table>"
    )
    path = Path(out_dir) / "index.html"
    _atomic_write(path, page)
    return path
