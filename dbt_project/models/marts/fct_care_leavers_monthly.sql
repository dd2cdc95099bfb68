-- List 9 month snapshots: care leavers as at the month end.

with

snapshots as (

    select * from {{ ref('stg_annex_a__care_leavers') }}

),

final as (

    select
        la_code,
        snapshot_month,
        period_end as month_end,
        child_key,
        eligibility_category,
        la_in_touch,
        accommodation_type,
        accommodation_suitability,
        activity_status,
        la_in_touch = 'YES' and accommodation_suitability = 'SUITABLE' as is_in_touch_and_suitably_housed,
        latest_pathway_plan_review_date,
        extract_id
    from snapshots

)

select * from final
