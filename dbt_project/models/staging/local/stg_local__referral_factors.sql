-- Event records (contract §5): the latest extract whose window covers the placing date is the truth.

with

-- latest_extract_wins_events reads `renamed` twice: NOT MATERIALIZED keeps DuckDB from copying every raw row
source as not materialized (

    select * from {{ source('local', 'referral_factors') }}

),

renamed as not materialized (

    select
        la_code,
        extract_id,
        source_file,
        source_line,
        child_key,
        referral_date,
        factor
    from source

),

resolved as (

    {{ latest_extract_wins_events(
        'renamed',
        'local_referral_factors',
        key_columns=['child_key', 'referral_date', 'factor'],
        placing_date='referral_date',
        date_columns=['referral_date']
    ) }}

),

final as (

    select
        la_code,
        child_key,
        referral_date,
        factor,
        extract_id,
        extract_date,
        period_end,
        source_file,
        source_line
    from resolved

)

select * from final
