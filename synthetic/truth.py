"""Contract §5 applied to the extracts a council wrote: what a correct warehouse ends with.

Works on the frames of :func:`synthetic.extracts.build_extract`, in extract_date order, and returns truth
frames in the form of ``docs/design.md`` (``child_id``, ``date_of_birth``, ``datetime.date`` / None,
bare codes / None).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic._dates import NEVER, to_date_objects, to_datetime_objects
from synthetic.extracts import (
    DATE_COLUMNS,
    EVENT_KEYS,
    HISTORY_TABLES,
    INTEGER_COLUMNS,
    SNAPSHOT_TABLES,
    STATE_KEYS,
    TIMESTAMP_COLUMNS,
    TRUTH_COLUMNS,
)


def to_truth_frame(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Internal representation -> truth representation (only the raw columns)."""
    out = {}
    for col in TRUTH_COLUMNS[table]:
        v = (
            df[col].to_numpy()
            if col in df
            else np.full(len(df), NEVER if col in DATE_COLUMNS else "", dtype=object)
        )
        if col in TIMESTAMP_COLUMNS:
            out[col] = to_datetime_objects(np.asarray(v, dtype=np.int64))
        elif col in DATE_COLUMNS:
            out[col] = to_date_objects(np.asarray(v, dtype=np.int64))
        elif col in INTEGER_COLUMNS:
            out[col] = np.asarray(v, dtype=np.int64)
        else:
            arr = np.asarray(v, dtype=object).copy()
            arr[(arr == "") | pd.isna(arr)] = None
            out[col] = arr
    return pd.DataFrame(out).reset_index(drop=True) if out else pd.DataFrame(columns=TRUTH_COLUMNS[table])


def merge(specs: list[dict], extracts: list[dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """Truth per raw table after ingesting ``extracts`` (same order as ``specs``: by extract_date)."""
    ws = np.array([s["ws_d"] for s in specs], dtype=np.int64)
    pe = np.array([s["pe_d"] for s in specs], dtype=np.int64)
    result: dict[str, pd.DataFrame] = {}
    for table in TRUTH_COLUMNS:
        parts = []
        for order, frames in enumerate(extracts):
            if table in frames:
                parts.append(frames[table].assign(_order=order))
        if not parts:
            continue
        allrows = pd.concat(parts, ignore_index=True)
        if table in EVENT_KEYS or table in STATE_KEYS:
            key, col = EVENT_KEYS.get(table) or STATE_KEYS[table]
            if "_placing" in key and "_placing" not in allrows:
                a = allrows["assessment_start_date"].to_numpy()
                allrows["_placing"] = np.where(a < NEVER, a, allrows["plan_start_date"].to_numpy())
            allrows = allrows.sort_values("_order", kind="stable")
            last = allrows.drop_duplicates(list(key), keep="last")
            h = last["_order"].to_numpy()
            deleted = np.zeros(len(last), bool)
            held = [j for j, frames in enumerate(extracts) if table in frames]
            if table in EVENT_KEYS:
                placing = last[col].to_numpy() if col in last else last["_placing"].to_numpy()
                for j in held:
                    deleted |= (h < j) & (placing >= ws[j]) & (placing <= pe[j])
            else:
                end = last[col].to_numpy()
                for j in held:
                    deleted |= (h < j) & ~(end < ws[j])
            result[table] = last[~deleted]
        elif table in SNAPSHOT_TABLES:
            result[table] = allrows[allrows["_order"] == allrows["_order"].max()]
        elif table in HISTORY_TABLES:
            latest = allrows.groupby("child_id")["_order"].transform("max")
            result[table] = allrows[allrows["_order"].to_numpy() == latest.to_numpy()]
    return {t: to_truth_frame(t, df) for t, df in result.items()}
