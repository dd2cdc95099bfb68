-- Fostering: LAC16 (in-house fostering households approved on or before month end, not deregistered by it).
-- LAC9 (IFA placements) is built on LAC1 and lives in int_indicators__looked_after.

with

months as (

    select * from {{ ref('int_council_months') }}

),

households as (

    select
        months.la_code,
        months.month,
        count(distinct carers.household_key) as households
    from months
    inner join {{ ref('fct_foster_households') }} as carers
        on months.la_code = carers.la_code
        and carers.provider = 'IN_HOUSE'
        and carers.approval_date <= months.month_end
        and (carers.deregistration_date is null or carers.deregistration_date > months.month_end)
    group by months.la_code, months.month

),

wide as (

    select
        months.la_code,
        months.month,
        coalesce(households.households, 0) as in_house_households
    from months
    left join households on months.la_code = households.la_code and months.month = households.month

),

final as (

    {{ indicator_rows('wide', [
        ['LAC16', 'in_house_households', none],
    ]) }}

)

select * from final
