-- State records (contract §5): the latest extract holding a key wins; absent later = deleted unless aged out.

with

-- latest_extract_wins_state reads `renamed` twice: NOT MATERIALIZED keeps DuckDB from copying every raw row
source as not materialized (

    select * from {{ source('annex_a', 'cin') }}

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
        cin_start_date,
        primary_need_code,
        cin_closure_date,
        closure_reason,
        case_status,
        allocated_team
    from source

),

resolved as (

    {{ latest_extract_wins_state(
        'renamed',
        'annex_a_cin',
        key_columns=['child_key', 'cin_start_date'],
        end_date='cin_closure_date',
        placing_date='cin_start_date',
        date_columns=['cin_start_date', 'cin_closure_date']
    ) }}

),

final as (

    select
        la_code,
        child_key,
        gender,
        ethnicity,
        birth_month,
        cin_start_date,
        primary_need_code,
        cin_closure_date,
        closure_reason,
        case_status,
        allocated_team,
        extract_id,
        extract_date,
        period_end,
        source_file,
        source_line
    from resolved

)

select * from final
