"""The Great Expectations suites of the publication gate, one builder per kind of table.

Great Expectations is imported inside the functions (the import costs seconds); nothing here needs Dagster.
Each builder returns a list of ``(expectation, description)``; the description is what the report shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from data_quality.tables import (
    NO_DATA_REASONS,
    SCORECARD_MONTHLY_COLUMNS,
    SCORECARD_MONTHLY_GRAIN,
    TREND_COLUMNS,
)

Expectation = Any  # a great_expectations.expectations.Expectation
Suite = list[tuple[Expectation, str]]


def _gx():
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    return gxe, Column


def _unique(gxe, columns: Sequence[str], what: str) -> tuple[Expectation, str]:
    if len(columns) == 1:
        return gxe.ExpectColumnValuesToBeUnique(column=columns[0]), f"exactly one row per {what}"
    return gxe.ExpectCompoundColumnsToBeUnique(column_list=list(columns)), f"exactly one row per {what}"


def scorecard_monthly_suite(catalogue: Sequence[str], percent_codes: Sequence[str]) -> Suite:
    gxe, Column = _gx()
    suite: Suite = [
        (gxe.ExpectColumnToExist(column=c), f"column {c} exists") for c in SCORECARD_MONTHLY_COLUMNS
    ]
    suite.append(_unique(gxe, SCORECARD_MONTHLY_GRAIN, "(council, indicator, month)"))
    suite += [
        (gxe.ExpectColumnValuesToNotBeNull(column=c), f"{c} is never NULL") for c in SCORECARD_MONTHLY_GRAIN
    ]
    suite += [
        (
            gxe.ExpectColumnValuesToBeInSet(column="indicator_code", value_set=list(catalogue)),
            "every indicator is in the catalogue",
        ),
        (
            gxe.ExpectColumnValuesToBeBetween(
                column="value",
                min_value=0,
                max_value=100,
                row_condition=Column("indicator_code").is_in(list(percent_codes)),
            ),
            "percentages are between 0 and 100",
        ),
        (gxe.ExpectColumnValuesToBeBetween(column="value", min_value=0), "values are not negative"),
        (gxe.ExpectColumnValuesToBeBetween(column="numerator", min_value=0), "numerators are not negative"),
        (
            gxe.ExpectColumnValuesToBeBetween(column="denominator", min_value=0),
            "denominators are not negative",
        ),
        (
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="denominator",
                column_B="numerator",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            ),
            "numerator is not bigger than denominator",
        ),
        (
            gxe.ExpectColumnValuesToNotBeNull(
                column="value", row_condition=Column("no_data_reason").is_null()
            ),
            "a value is given when there is no no_data_reason",
        ),
        (
            gxe.ExpectColumnValuesToBeNull(
                column="value", row_condition=Column("no_data_reason").is_not_null()
            ),
            "value is NULL when a no_data_reason is given",
        ),
        (
            gxe.ExpectColumnValuesToBeInSet(column="no_data_reason", value_set=list(NO_DATA_REASONS)),
            "no_data_reason is one of the documented reasons",
        ),
    ]
    return suite


def scorecard_suite(catalogue: Sequence[str], percent_codes: Sequence[str]) -> Suite:
    gxe, Column = _gx()
    grain = ("la_code", "reporting_month", "indicator_code")
    suite: Suite = [
        (gxe.ExpectColumnToExist(column=c), f"column {c} exists") for c in (*grain, *TREND_COLUMNS)
    ]
    suite.append(_unique(gxe, grain, "(council, reporting month, indicator)"))
    suite += [(gxe.ExpectColumnValuesToNotBeNull(column=c), f"{c} is never NULL") for c in grain]
    suite.append(
        (
            gxe.ExpectColumnValuesToBeInSet(column="indicator_code", value_set=list(catalogue)),
            "every indicator is in the catalogue",
        )
    )
    is_percent = Column("indicator_code").is_in(list(percent_codes))
    for column in (*TREND_COLUMNS, "avg_12m", "max_12m"):
        suite.append(
            (
                gxe.ExpectColumnValuesToBeBetween(
                    column=column, min_value=0, max_value=100, row_condition=is_percent
                ),
                f"percentages in {column} are between 0 and 100",
            )
        )
        suite.append(
            (gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0), f"{column} is not negative")
        )
    suite += [
        (
            gxe.ExpectColumnValuesToBeInSet(column=c, value_set=["up", "down", "similar"]),
            f"{c} is up, down, similar or empty",
        )
        for c in ("change_prev_month_arrow", "change_prev_year_arrow")
    ]
    suite += [
        (
            gxe.ExpectColumnValuesToBeInSet(
                column="percentage_flag", value_set=["P"], row_condition=is_percent
            ),
            "percent indicators are flagged P",
        ),
        (
            gxe.ExpectColumnValuesToBeInSet(
                column="percentage_flag",
                value_set=["-"],
                row_condition=Column("indicator_code").is_not_in(list(percent_codes)),
            ),
            "other indicators are flagged -",
        ),
        (
            gxe.ExpectColumnValuesToBeInSet(column="desired_direction", value_set=["▲", "▼", ""]),
            "desired direction is ▲, ▼ or blank",
        ),
    ]
    return suite


def zero_counts_suite(checks: Mapping[str, str]) -> Suite:
    """For a summary frame (one row per council, or per table): each ``{column: description}`` is 0.

    The columns are counts of offending rows computed in SQL (duplicate grain rows, NULL keys, end before
    start, catalogue mismatches); GX checks each is between 0 and 0, so a row names the council that fails.
    """
    gxe, _ = _gx()
    return [
        (gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=0), description)
        for column, description in checks.items()
    ]
