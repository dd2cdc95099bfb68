-- Snapshot list (contract §5): one extract per (council, month), the latest with period_end at the month end.

with

source as (

    select * from {{ source('annex_a', 'cla') }}

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
        date_started_looked_after,
        legal_status,
        last_social_work_visit_date,
        date_ceased_looked_after,
        reason_ceased,
        placement_type,
        placement_provider
    from source

),

resolved as (

    {{ snapshot_per_month(
        'renamed',
        'annex_a_cla',
        key_columns=['child_key'],
        date_columns=['date_started_looked_after', 'last_social_work_visit_date', 'date_ceased_looked_after']
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
        date_started_looked_after,
        legal_status,
        last_social_work_visit_date,
        date_ceased_looked_after,
        reason_ceased,
        placement_type,
        placement_provider,
        extract_id,
        extract_date,
        period_end,
        source_file,
        source_line
    from resolved

)

select * from final
