-- Event records (contract §5): the latest extract whose window covers the placing date is the truth.

with

-- latest_extract_wins_events reads `renamed` twice: NOT MATERIALIZED keeps DuckDB from copying every raw row
source as not materialized (

    select * from {{ source('annex_a', 's47') }}

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
        strategy_discussion_date,
        icpc_not_required,
        icpc_date,
        icpc_resulted_in_cp_plan,
        allocated_team
    from source

),

resolved as (

    {{ latest_extract_wins_events(
        'renamed',
        'annex_a_s47',
        key_columns=['child_key', 'strategy_discussion_date'],
        placing_date='strategy_discussion_date',
        date_columns=['strategy_discussion_date', 'icpc_date']
    ) }}

),

final as (

    select
        la_code,
        child_key,
        gender,
        ethnicity,
        birth_month,
        strategy_discussion_date,
        icpc_not_required,
        icpc_date,
        icpc_resulted_in_cp_plan,
        allocated_team,
        extract_id,
        extract_date,
        period_end,
        source_file,
        source_line
    from resolved

)

select * from final
