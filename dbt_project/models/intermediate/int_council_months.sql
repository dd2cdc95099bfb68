-- Every month of every council, from the first month fully inside any extract's window to the month of the
-- council's latest period_end.

with

extracts as (

    select * from {{ ref('stg_raw__extracts') }}

),

bounds as (

    select
        la_code,
        min(
            case
                when window_start = date_trunc('month', window_start) then window_start
                else date_trunc('month', window_start) + interval 1 month
            end
        )::date as first_month,
        max(period_month) as last_month
    from extracts
    group by la_code

),

final as (

    select
        bounds.la_code,
        months.month::date as month,
        last_day(months.month)::date as month_end
    from bounds
    cross join
        lateral unnest(generate_series(bounds.first_month, bounds.last_month, interval 1 month)) as months (month)

)

select * from final
