-- State records (contract §5): the latest extract holding a key wins; absent later = deleted unless aged out.

with

-- latest_extract_wins_state reads `renamed` twice: NOT MATERIALIZED keeps DuckDB from copying every raw row
source as not materialized (

    select * from {{ source('annex_a', 'cp') }}

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
        cp_plan_start_date,
        initial_category_of_abuse,
        latest_category_of_abuse,
        last_statutory_visit_date,
        latest_review_conference_date,
        cp_plan_end_date,
        previous_cp_plans,
        allocated_team
    from source

),

resolved as (

    {{ latest_extract_wins_state(
        'renamed',
        'annex_a_cp',
        key_columns=['child_key', 'cp_plan_start_date'],
        end_date='cp_plan_end_date',
        placing_date='cp_plan_start_date',
        date_columns=['cp_plan_start_date', 'last_statutory_visit_date', 'latest_review_conference_date', 'cp_plan_end_date']
    ) }}

),

final as (

    select
        la_code,
        child_key,
        gender,
        ethnicity,
        birth_month,
        cp_plan_start_date,
        initial_category_of_abuse,
        latest_category_of_abuse,
        last_statutory_visit_date,
        latest_review_conference_date,
        cp_plan_end_date,
        previous_cp_plans,
        allocated_team,
        extract_id,
        extract_date,
        period_end,
        source_file,
        source_line
    from resolved

)

select * from final
