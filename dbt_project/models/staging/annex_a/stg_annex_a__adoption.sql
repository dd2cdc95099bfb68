-- State records (contract §5): the latest extract holding a key wins; absent later = deleted unless aged out.

with

-- latest_extract_wins_state reads `renamed` twice: NOT MATERIALIZED keeps DuckDB from copying every raw row
source as not materialized (

    select * from {{ source('annex_a', 'adoption') }}

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
        date_entered_care,
        date_should_be_placed,
        date_placement_order,
        date_matched,
        date_placed,
        date_adoption_order,
        date_no_longer_placed,
        reason_no_longer_placed
    from source

),

resolved as (

    {{ latest_extract_wins_state(
        'renamed',
        'annex_a_adoption',
        key_columns=['child_key'],
        end_date='date_adoption_order',
        date_columns=['date_entered_care', 'date_should_be_placed', 'date_placement_order', 'date_matched', 'date_placed', 'date_adoption_order', 'date_no_longer_placed']
    ) }}

),

final as (

    select
        la_code,
        child_key,
        gender,
        ethnicity,
        birth_month,
        date_entered_care,
        date_should_be_placed,
        date_placement_order,
        date_matched,
        date_placed,
        date_adoption_order,
        date_no_longer_placed,
        reason_no_longer_placed,
        extract_id,
        extract_date,
        period_end,
        source_file,
        source_line
    from resolved

)

select * from final
