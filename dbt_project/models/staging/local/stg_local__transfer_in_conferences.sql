-- Event records (contract §5): the latest extract whose window covers the placing date is the truth.

with

-- latest_extract_wins_events reads `renamed` twice: NOT MATERIALIZED keeps DuckDB from copying every raw row
source as not materialized (

    select * from {{ source('local', 'transfer_in_conferences') }}

),

renamed as not materialized (

    select
        la_code,
        extract_id,
        source_file,
        source_line,
        child_key,
        conference_date,
        resulted_in_cp_plan
    from source

),

resolved as (

    {{ latest_extract_wins_events(
        'renamed',
        'local_transfer_in_conferences',
        key_columns=['child_key', 'conference_date'],
        placing_date='conference_date',
        date_columns=['conference_date']
    ) }}

),

final as (

    select
        la_code,
        child_key,
        conference_date,
        resulted_in_cp_plan,
        extract_id,
        extract_date,
        period_end,
        source_file,
        source_line
    from resolved

)

select * from final
