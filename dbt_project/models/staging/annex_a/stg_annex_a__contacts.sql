-- Event records (contract §5): the latest extract whose window covers the placing date is the truth.

with

-- latest_extract_wins_events reads `renamed` twice: NOT MATERIALIZED keeps DuckDB from copying every raw row
source as not materialized (

    select * from {{ source('annex_a', 'contacts') }}

),

renamed as not materialized (

    select
        la_code,
        extract_id,
        source_file,
        source_line,
        child_key,
        gender,
        ethnicity,
        birth_month,
        contact_date,
        contact_source
    from source

),

resolved as (

    {{ latest_extract_wins_events(
        'renamed',
        'annex_a_contacts',
        key_columns=['child_key', 'contact_date', 'contact_source'],
        placing_date='contact_date',
        date_columns=['contact_date']
    ) }}

),

final as (

    select
        la_code,
        child_key,
        gender,
        ethnicity,
        birth_month,
        contact_date,
        contact_source,
        extract_id,
        extract_date,
        period_end,
        source_file,
        source_line
    from resolved

)

select * from final
