-- Children with a care plan (CLA) or pathway plan (PATHWAY) authorised on or before a council month's end
-- and not ended by it.

with

months as (

    select * from {{ ref('int_council_months') }}

),

plans as (

    select * from {{ ref('fct_care_plans') }}

),

final as (

    select distinct
        months.la_code,
        months.month,
        plans.plan_type,
        plans.child_key
    from months
    inner join plans
        on months.la_code = plans.la_code
        and plans.authorised_date <= months.month_end
        and (plans.end_date is null or plans.end_date > months.month_end)

)

select * from final
