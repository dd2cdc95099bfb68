-- List 6's case status is true as at period_end: one extract per (council, month), the latest with
-- period_end at the month end (contract §5).

with

source as (

    select * from {{ source('annex_a', 'cin') }}

),

renamed as (

    select
        la_code,
        extract_id,
        source_file,
        source_line,
        child_key,
        cin_start_date,
        cin_closure_date,
        case_status
    from source

),

resolved as (

    {{ snapshot_per_month(
        'renamed',
        'annex_a_cin',
        key_columns=['child_key', 'cin_start_date'],
        date_columns=['cin_closure_date']
    ) }}

),

final as (

    select
        la_code,
        snapshot_month,
        child_key,
        cin_start_date,
        cin_closure_date,
        case_status,
        extract_id,
        extract_date,
        period_end
    from resolved
    where cin_start_date <= period_end

)

select * from final
