-- SSDA903 (contract §5): for every child in the latest extract holding the table, its rows replace earlier rows.

with

-- latest_extract_wins_903 reads `renamed` twice: NOT MATERIALIZED keeps DuckDB from copying every raw row
source as not materialized (

    select * from {{ source('ssda903', 'header') }}

),

renamed as not materialized (

    select
        la_code,
        extract_id,
        source_file,
        source_line,
        child_key,
        sex,
        birth_month,
        ethnic
    from source

),

resolved as (

    {{ latest_extract_wins_903(
        'renamed',
        'ssda903_header',
        key_columns=['child_key']
    ) }}

),

final as (

    select
        la_code,
        child_key,
        sex,
        birth_month,
        ethnic,
        extract_id,
        extract_date,
        period_end,
        source_file,
        source_line
    from resolved

)

select * from final
