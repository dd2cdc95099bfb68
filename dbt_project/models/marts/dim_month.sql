-- One row per calendar month dim_calendar spans, with the DfE financial year and the ONS mid-year whose
-- population estimate rates use (a month in April Y-1 .. March Y uses mid-(Y-1)).

with

calendar as (

    select * from {{ ref('dim_calendar') }}

),

months as (

    select
        month,
        max(month_end) as month_end,
        count(*) filter (where is_working_day) as working_days
    from calendar
    group by month

),

final as (

    select
        month,
        month_end,
        year(month) as year,
        month(month) as month_number,
        strftime(month, '%b %Y') as month_label,
        case when month(month) >= 4 then year(month) + 1 else year(month) end as dfe_year_ending_31_march,
        case when month(month) >= 4 then year(month) else year(month) - 1 end as population_year,
        case
            when month(month) >= 4 then format('{}-{}', year(month), right(cast(year(month) + 1 as varchar), 2))
            else format('{}-{}', year(month) - 1, right(cast(year(month) as varchar), 2))
        end as financial_year,
        working_days
    from months

)

select * from final
