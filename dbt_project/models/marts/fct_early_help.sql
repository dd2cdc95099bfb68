with

early_help as (

    select * from {{ ref('stg_annex_a__early_help') }}

),

final as (

    select
        la_code,
        child_key,
        assessment_start_date,
        assessment_completion_date,
        plan_start_date,
        plan_end_date,
        step_up_date,
        extract_id
    from early_help

)

select * from final
