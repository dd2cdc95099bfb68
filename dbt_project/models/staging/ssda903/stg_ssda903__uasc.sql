-- SSDA903 (contract §5): for every child in the latest extract holding the table, its rows replace earlier rows.

with

-- latest_extract_wins_903 reads `renamed` twice: NOT MATERIALIZED keeps DuckDB from copying every raw row
source as not materialized (

    select * from {{ source('ssda903', 'uasc') }}

),

renamed as not materialized (

    select
        la_code,
        extract_id,
        source_file,
        source_line,
        child_key,
        duc
    from source

),

resolved as (

    {{ latest_extract_wins_903(
        'renamed',
        'ssda903_uasc',
        key_columns=['child_key'],
        date_columns=['duc']
    ) }}

),

final as (

    select
        la_code,
        child_key,
        duc,
        extract_id,
        extract_date,
        period_end,
        source_file,
        source_line
    from resolved

)

select * from final
