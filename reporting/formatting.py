"""Display rules of the scorecard (shared/spec/scorecard_rules.md), as the dbt macros apply them.

Figures: 1 decimal for percent indicators, none for counts and rates per 10,000, half away from zero (as in
Excel), ``-`` for no data. As in ``dbt_project/macros/scorecard_rounding.sql`` the double is first snapped to
9 decimals so that 22.65 (stored as 22.6499999…) shows 22.7.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

NO_DATA = "-"
_SNAP = Decimal("1e-9")


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def rounded(value: float | None, is_percentage: bool) -> Decimal | None:
    """The figure as printed, as a Decimal (None for no data)."""
    if is_missing(value):
        return None
    snapped = Decimal(float(value)).quantize(_SNAP, rounding=ROUND_HALF_EVEN)
    out = snapped.quantize(Decimal("0.1") if is_percentage else Decimal("1"), rounding=ROUND_HALF_UP)
    return abs(out) if out == 0 else out  # no "-0"


def display(value: float | None, is_percentage: bool) -> str:
    """``22.7`` / ``105`` / ``-``."""
    figure = rounded(value, is_percentage)
    return NO_DATA if figure is None else str(figure)


def month_label(month: dt.date) -> str:
    """``Mar 25``: the column heading of a trend month."""
    return month.strftime("%b %y")


def month_title(month: dt.date) -> str:
    """``March 2025``."""
    return month.strftime("%B %Y")


def financial_year_label(month: dt.date) -> str:
    """``2024-25`` for any month April 2024 .. March 2025 (the mart's target_*_fy_label form)."""
    start = month.year if month.month >= 4 else month.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


#: Change arrows as printed (the mart stores up / down / similar; NULL when the change is n/a).
ARROW_GLYPHS = {"up": "↑", "down": "↓", "similar": "↔"}
ARROW_WORDS = {"up": "up", "down": "down", "similar": "similar"}


def arrow_glyph(arrow: str | None) -> str:
    return ARROW_GLYPHS.get(arrow or "", "")


# ---------------------------------------------------------------------------------------------- marks
#: How a value stands against a reference (target or benchmark), the indicator's polarity taken into account.
BETTER, WORSE, LEVEL = "better", "worse", "level"


def compare(value: float | None, reference: float | None, polarity: str, is_percentage: bool) -> str | None:
    """``better`` / ``worse`` / ``level`` for a value against a reference, compared as printed.

    None when either is missing or the polarity is ``context`` (no desired direction: no mark).
    """
    if polarity not in ("higher_is_better", "lower_is_better"):
        return None
    shown, ref = rounded(value, is_percentage), rounded(reference, is_percentage)
    if shown is None or ref is None:
        return None
    if shown == ref:
        return LEVEL
    higher = shown > ref
    return BETTER if higher == (polarity == "higher_is_better") else WORSE
