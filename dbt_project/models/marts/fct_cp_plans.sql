with

plans as (

    select * from {{ ref('stg_annex_a__cp') }}

),

final as (

    select
        la_code,
        child_key,
        cp_plan_start_date,
        date_trunc('month', cp_plan_start_date)::date as start_month,
        cp_plan_end_date,
        date_trunc('month', cp_plan_end_date)::date as end_month,
        initial_category_of_abuse,
        latest_category_of_abuse,
        previous_cp_plans,
        coalesce(previous_cp_plans >= 1, false) as is_repeat_plan,
        allocated_team,
        extract_id
    from plans

)

select * from final
