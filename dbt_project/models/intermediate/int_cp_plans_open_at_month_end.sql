-- Children with a List 7 CP plan open at a council month's end (start <= month end, end empty or after).

with

months as (

    select * from {{ ref('int_council_months') }}

),

plans as (

    select * from {{ ref('fct_cp_plans') }}

),

final as (

    select distinct
        months.la_code,
        months.month,
        plans.child_key
    from months
    inner join plans
        on months.la_code = plans.la_code
        and plans.cp_plan_start_date <= months.month_end
        and (plans.cp_plan_end_date is null or plans.cp_plan_end_date > months.month_end)

)

select * from final
