"""England and Wales bank holidays for every year dim_calendar spans, from the maintained `holidays` package
(holidays.country_holidays("GB", subdiv="ENG")), including one-off days such as the 2022 State Funeral."""

import holidays
import pandas as pd


def model(dbt, session):
    dbt.config(materialized="table")
    bounds = dbt.ref("int_calendar_bounds").df()
    first_year = int(pd.Timestamp(bounds["first_date"].iloc[0]).year)
    last_year = int(pd.Timestamp(bounds["last_date"].iloc[0]).year)
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    rows = sorted(calendar.items())
    return pd.DataFrame(
        {
            "holiday_date": [day for day, _ in rows],
            "holiday_name": [name for _, name in rows],
            "holidays_package_version": holidays.__version__,
        }
    )
