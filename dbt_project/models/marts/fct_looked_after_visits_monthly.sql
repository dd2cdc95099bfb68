-- List 8 month snapshots: last social work visit as at the month end (calendar days since the visit).

with

snapshots as (

    select * from {{ ref('stg_annex_a__cla') }}

),

final as (

    select
        la_code,
        snapshot_month,
        period_end as month_end,
        child_key,
        date_started_looked_after,
        legal_status,
        last_social_work_visit_date,
        period_end - last_social_work_visit_date as days_since_visit,
        placement_type,
        placement_provider,
        extract_id
    from snapshots

)

select * from final
