-- List 7's snapshot fields (last statutory visit, latest review conference) are true as at period_end:
-- one extract per (council, month), the latest with period_end at the month end (contract §5).

with

source as (

    select * from {{ source('annex_a', 'cp') }}

),

renamed as (

    select
        la_code,
        extract_id,
        source_file,
        source_line,
        child_key,
        cp_plan_start_date,
        cp_plan_end_date,
        last_statutory_visit_date,
        latest_review_conference_date
    from source

),

resolved as (

    {{ snapshot_per_month(
        'renamed',
        'annex_a_cp',
        key_columns=['child_key', 'cp_plan_start_date'],
        date_columns=['cp_plan_end_date', 'last_statutory_visit_date', 'latest_review_conference_date']
    ) }}

),

final as (

    select
        la_code,
        snapshot_month,
        child_key,
        cp_plan_start_date,
        cp_plan_end_date,
        last_statutory_visit_date,
        latest_review_conference_date,
        extract_id,
        extract_date,
        period_end
    from resolved
    -- plans that had not started by the snapshot date are not part of it
    where cp_plan_start_date <= period_end

)

select * from final
