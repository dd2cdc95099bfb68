-- List 7 month snapshots: per (council, month, child, plan) the last statutory visit and latest review
-- conference as at the month end, with the working days from the visit to the month end (same day = 0).

with

snapshots as (

    select * from {{ ref('stg_annex_a__cp_snapshots') }}

),

calendar as (

    select
        date_day,
        working_day_index
    from {{ ref('dim_calendar') }}

),

final as (

    select
        snapshots.la_code,
        snapshots.snapshot_month,
        snapshots.period_end as month_end,
        snapshots.child_key,
        snapshots.cp_plan_start_date,
        snapshots.cp_plan_end_date,
        snapshots.last_statutory_visit_date,
        month_end_day.working_day_index - visited.working_day_index as working_days_since_visit,
        snapshots.latest_review_conference_date,
        snapshots.extract_id
    from snapshots
    left join calendar as visited on snapshots.last_statutory_visit_date = visited.date_day
    left join calendar as month_end_day on snapshots.period_end = month_end_day.date_day

)

select * from final
