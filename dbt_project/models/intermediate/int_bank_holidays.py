"""England and Wales bank holidays for every year dim_calendar spans, from the maintained `holidays` package
(holidays.country_holidays("GB", subdiv="ENG")), including one-off days such as the 2022 State Funeral.

Returns a DuckDB relation (not a pandas frame): importing pandas costs seconds on a small machine."""

import holidays


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def model(dbt, session):
    dbt.config(materialized="table")
    ((first_date, last_date),) = dbt.ref("int_calendar_bounds").limit(1).fetchall()
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=range(first_date.year, last_date.year + 1))
    version = _quote(holidays.__version__)
    values = ",\n".join(
        f"(date '{day.isoformat()}', {_quote(name)}, {version})" for day, name in sorted(calendar.items())
    )
    return session.sql(
        "select holiday_date, holiday_name, holidays_package_version "
        f"from (values {values}) as bank_holidays (holiday_date, holiday_name, holidays_package_version)"
    )
