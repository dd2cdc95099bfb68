-- The date range dim_calendar spans: from 1 January ten years before the earliest extract window (records
-- placed before a window, e.g. long-open CIN episodes, still need working days) to 31 December two years
-- after the latest extract date. Without extracts: the ten years around today.

with

extracts as (

    select * from {{ ref('stg_raw__extracts') }}

),

final as (

    select
        make_date(coalesce(year(min(window_start)), year(current_date)) - 10, 1, 1) as first_date,
        make_date(coalesce(year(max(extract_date)), year(current_date)) + 2, 12, 31) as last_date
    from extracts

)

select * from final
