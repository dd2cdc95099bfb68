"""Which warehouse tables the gate validates, and what each one's grain and date pairs are.

Plain Python (no Great Expectations, no Dagster). The grain of a fact or dimension comes from the dbt
manifest when the model declares it (``meta: {grain: [...]}``, ``config.unique_key``, a ``primary_key``
constraint, or a column with a ``unique`` data test); otherwise from the defaults below; otherwise the
whole row must be unique.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

MART_SCHEMA = "marts"
SCORECARD_MONTHLY = "scorecard_monthly"
SCORECARD = "scorecard"

#: `scorecard_monthly` contract (docs/design.md).
SCORECARD_MONTHLY_COLUMNS = (
    "la_code",
    "indicator_code",
    "month",
    "value",
    "numerator",
    "denominator",
    "no_data_reason",
)
SCORECARD_MONTHLY_GRAIN = ("la_code", "indicator_code", "month")
NO_DATA_REASONS = (
    "source_not_supplied",
    "no_snapshot",
    "insufficient_history",
    "zero_denominator",
    "no_population",
)

SCORECARD_GRAIN = ("la_code", "reporting_month", "indicator_code")
TREND_COLUMNS = tuple(f"value_m{i}" for i in range(12, -1, -1))

#: Grains used when the dbt manifest declares none (used only when the table has all these columns): the keys
#: of extract contract §5 for the facts.
DEFAULT_GRAINS: Mapping[str, tuple[str, ...]] = {
    "dim_council": ("la_code",),
    "dim_indicator": ("indicator_code",),
    "dim_calendar": ("date_day",),
    "dim_month": ("month",),
    "dim_child": ("la_code", "child_key"),
    "fct_contacts": ("la_code", "child_key", "contact_date", "contact_source"),
    "fct_referrals": ("la_code", "child_key", "referral_date"),
    "fct_referral_factors": ("la_code", "child_key", "referral_date", "factor"),
    "fct_assessments": ("la_code", "child_key", "assessment_start_date"),
    "fct_s47_enquiries": ("la_code", "child_key", "strategy_discussion_date"),
    "fct_transfer_in_conferences": ("la_code", "child_key", "conference_date"),
    "fct_cp_plans": ("la_code", "child_key", "cp_plan_start_date"),
    "fct_cin_episodes": ("la_code", "child_key", "cin_start_date"),
    "fct_looked_after_episodes": ("la_code", "child_key", "decom"),
    "fct_uasc": ("la_code", "child_key"),
    "fct_missing_episodes": ("la_code", "source_table", "child_key", "mis_start"),
    "fct_mash_decisions": ("la_code", "child_key", "referral_received"),
    "fct_care_plans": ("la_code", "child_key", "plan_type", "authorised_date"),
    "fct_foster_households": ("la_code", "household_key"),
    "fct_cp_visits_monthly": ("la_code", "snapshot_month", "child_key", "cp_plan_start_date"),
    "fct_looked_after_visits_monthly": ("la_code", "snapshot_month", "child_key"),
    "fct_care_leavers_monthly": ("la_code", "snapshot_month", "child_key"),
}

#: Start/end pairs whose names do not follow the `<x>start<y>` / `<x>end<y>` pattern (raw schema names).
KNOWN_DATE_PAIRS: tuple[tuple[str, str], ...] = (
    ("date_started_looked_after", "date_ceased_looked_after"),
    ("decom", "dec"),
    ("cin_start_date", "cin_closure_date"),
    ("assessment_start_date", "assessment_completion_date"),
    ("assessment_start_date", "assessment_authorised_date"),
    ("approval_date", "deregistration_date"),
    ("referral_received", "mash_decision"),
    ("authorised_date", "end_date"),
    ("date_entered_care", "date_adoption_order"),
)

_END_WORDS = ("end", "closure", "ceased", "finish")


@dataclass(frozen=True)
class TableSpec:
    """One table to validate."""

    name: str
    kind: str  # "scorecard_monthly" | "scorecard" | "fact" | "dim"
    key_columns: tuple[str, ...] = ()
    date_pairs: tuple[tuple[str, str], ...] = ()
    grain_source: str = "contract"
    #: Whether unexpected values may be shown in the report. Never for child-level tables.
    show_values: bool = True
    columns: tuple[str, ...] = field(default=(), compare=False)

    @property
    def qualified(self) -> str:
        return f"{MART_SCHEMA}.{self.name}"


def date_pairs(columns: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """(start, end) column pairs among ``columns``: `cp_plan_start_date`/`cp_plan_end_date`, `decom`/`dec`…"""
    cols = list(columns)
    present = set(cols)
    pairs: list[tuple[str, str]] = []
    for col in cols:
        if not re.search(r"(^|_)start(_|$|ed)", col):
            continue
        for word in _END_WORDS:
            candidate = re.sub(r"(^|_)start(ed)?(_|$)", lambda m, w=word: f"{m.group(1)}{w}{m.group(3)}", col)
            if candidate != col and candidate in present:
                pairs.append((col, candidate))
    for start, end in KNOWN_DATE_PAIRS:
        if start in present and end in present and (start, end) not in pairs:
            pairs.append((start, end))
    return tuple(pairs)


def grains_from_manifest(manifest_path: Path | None) -> dict[str, tuple[str, ...]]:
    """The grain each dbt model declares, by model name (empty when there is no manifest)."""
    if manifest_path is None or not Path(manifest_path).exists():
        return {}
    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    grains: dict[str, tuple[str, ...]] = {}
    unique_columns: dict[str, list[str]] = {}
    combinations: dict[str, tuple[str, ...]] = {}
    for node in manifest.get("nodes", {}).values():
        resource_type = node.get("resource_type")
        if resource_type == "test":
            meta = node.get("test_metadata") or {}
            attached = node.get("attached_node") or ""
            column = node.get("column_name")
            if not attached.startswith("model."):
                continue
            model = attached.split(".")[-1]
            if meta.get("name") == "unique" and column:
                unique_columns.setdefault(model, []).append(column)
            combination = (meta.get("kwargs") or {}).get("columns")
            # Only plain column names (an expression cannot be checked column-wise).
            if (
                meta.get("name") == "unique_combination"
                and combination
                and all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", c) for c in combination)
            ):
                combinations.setdefault(model, tuple(combination))
            continue
        if resource_type != "model":
            continue
        name = node["name"]
        config = node.get("config") or {}
        meta = {**(node.get("meta") or {}), **(config.get("meta") or {})}
        grain: Iterable[str] | str | None = meta.get("grain") or config.get("unique_key")
        if not grain:
            for constraint in node.get("constraints") or []:
                if constraint.get("type") == "primary_key" and constraint.get("columns"):
                    grain = constraint["columns"]
        if not grain:
            for column in (node.get("columns") or {}).values():
                for constraint in column.get("constraints") or []:
                    if constraint.get("type") == "primary_key":
                        grain = [column["name"]]
        if grain:
            grains[name] = (grain,) if isinstance(grain, str) else tuple(grain)
    for model, columns in combinations.items():
        grains.setdefault(model, columns)
    for model, columns in unique_columns.items():
        grains.setdefault(model, (columns[0],))
    return grains


def table_spec(
    name: str, columns: Iterable[str], grains: Mapping[str, tuple[str, ...]] | None = None
) -> TableSpec:
    """The spec of one `marts` table from its name and columns."""
    cols = tuple(columns)
    grains = grains or {}
    child_level = any(c in ("child_key", "household_key") for c in cols)
    if name == SCORECARD_MONTHLY:
        return TableSpec(name, "scorecard_monthly", SCORECARD_MONTHLY_GRAIN, columns=cols)
    if name == SCORECARD:
        return TableSpec(name, "scorecard", SCORECARD_GRAIN, columns=cols)
    kind = "fact" if name.startswith("fct_") else "dim"
    if name in grains:
        key, source = grains[name], "dbt manifest"
    elif name in DEFAULT_GRAINS and set(DEFAULT_GRAINS[name]) <= set(cols):
        key, source = DEFAULT_GRAINS[name], "default"
    else:
        key, source = cols, "whole row (no grain declared)"
    return TableSpec(
        name,
        kind,
        key_columns=key,
        date_pairs=date_pairs(cols),
        grain_source=source,
        show_values=not child_level and kind != "fact",
        columns=cols,
    )


def is_gated_table(name: str) -> bool:
    return name in (SCORECARD_MONTHLY, SCORECARD) or name.startswith(("fct_", "dim_"))
