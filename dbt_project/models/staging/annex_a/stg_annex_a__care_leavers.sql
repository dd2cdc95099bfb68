-- Snapshot list (contract §5): one extract per (council, month), the latest with period_end at the month end.

with

source as (

    select * from {{ source('annex_a', 'care_leavers') }}

),

renamed as (

    select
        la_code,
        extract_id,
        source_file,
        source_line,
        child_key,
        gender,
        ethnicity,
        birth_month,
        eligibility_category,
        la_in_touch,
        accommodation_type,
        accommodation_suitability,
        activity_status,
        latest_pathway_plan_review_date
    from source

),

resolved as (

    {{ snapshot_per_month(
        'renamed',
        'annex_a_care_leavers',
        key_columns=['child_key'],
        date_columns=['latest_pathway_plan_review_date']
    ) }}

),

final as (

    select
        la_code,
        snapshot_month,
        child_key,
        gender,
        ethnicity,
        birth_month,
        eligibility_category,
        la_in_touch,
        accommodation_type,
        accommodation_suitability,
        activity_status,
        latest_pathway_plan_review_date,
        extract_id,
        extract_date,
        period_end,
        source_file,
        source_line
    from resolved

)

select * from final
