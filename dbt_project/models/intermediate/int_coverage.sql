-- Coverage per (council, raw table, council month):
--   is_covered       an extract holding the table covers the whole month (window_start <= first day and
--                    period_end >= last day);
--   has_snapshot     an extract holding the table has period_end at the month's last day (snapshot lists);
--   has_12m_history  the table is covered in each of the 12 months before the month.

with

months as (

    select * from {{ ref('int_council_months') }}

),

holdings as (

    select * from {{ ref('stg_raw__extract_holdings') }}

),

tables as (

    select table_name from {{ ref('indicator_requirements') }}
    union
    select table_name from holdings

),

spine as (

    select
        months.la_code,
        tables.table_name,
        months.month,
        months.month_end
    from months
    cross join tables

),

coverage as (

    select
        spine.la_code,
        spine.table_name,
        spine.month,
        spine.month_end,
        coalesce(bool_or(holdings.window_start <= spine.month and holdings.period_end >= spine.month_end), false)
            as is_covered,
        coalesce(bool_or(holdings.period_end = spine.month_end), false) as has_snapshot
    from spine
    left join holdings
        on spine.la_code = holdings.la_code and spine.table_name = holdings.table_name
    group by spine.la_code, spine.table_name, spine.month, spine.month_end

),

history as (

    select
        coverage.la_code,
        coverage.table_name,
        coverage.month,
        count(earlier.month) filter (where earlier.is_covered) as covered_months_prior_12
    from coverage
    left join coverage as earlier
        on coverage.la_code = earlier.la_code
        and coverage.table_name = earlier.table_name
        and earlier.month >= coverage.month - interval 12 month
        and earlier.month < coverage.month
    group by coverage.la_code, coverage.table_name, coverage.month

),

final as (

    select
        coverage.*,
        history.covered_months_prior_12,
        history.covered_months_prior_12 = 12 as has_12m_history
    from coverage
    inner join history
        on coverage.la_code = history.la_code
        and coverage.table_name = history.table_name
        and coverage.month = history.month

)

select * from final
