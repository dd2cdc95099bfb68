-- State records (contract §5): the latest extract holding a key wins; absent later = deleted unless aged out.

with

-- latest_extract_wins_state reads `renamed` twice: NOT MATERIALIZED keeps DuckDB from copying every raw row
source as not materialized (

    select * from {{ source('local', 'foster_carers') }}

),

renamed as not materialized (

    select
        la_code,
        extract_id,
        source_file,
        source_line,
        household_key,
        approval_date,
        deregistration_date,
        provider
    from source

),

resolved as (

    {{ latest_extract_wins_state(
        'renamed',
        'local_foster_carers',
        key_columns=['household_key'],
        end_date='deregistration_date',
        placing_date='approval_date',
        date_columns=['approval_date', 'deregistration_date']
    ) }}

),

final as (

    select
        la_code,
        household_key,
        approval_date,
        deregistration_date,
        provider,
        extract_id,
        extract_date,
        period_end,
        source_file,
        source_line
    from resolved

)

select * from final
