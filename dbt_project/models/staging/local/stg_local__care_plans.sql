-- State records (contract §5): the latest extract holding a key wins; absent later = deleted unless aged out.

with

-- latest_extract_wins_state reads `renamed` twice: NOT MATERIALIZED keeps DuckDB from copying every raw row
source as not materialized (

    select * from {{ source('local', 'care_plans') }}

),

renamed as not materialized (

    select
        la_code,
        extract_id,
        source_file,
        source_line,
        child_key,
        plan_type,
        authorised_date,
        end_date
    from source

),

resolved as (

    {{ latest_extract_wins_state(
        'renamed',
        'local_care_plans',
        key_columns=['child_key', 'plan_type', 'authorised_date'],
        end_date='end_date',
        placing_date='authorised_date',
        date_columns=['authorised_date', 'end_date']
    ) }}

),

final as (

    select
        la_code,
        child_key,
        plan_type,
        authorised_date,
        end_date,
        extract_id,
        extract_date,
        period_end,
        source_file,
        source_line
    from resolved

)

select * from final
