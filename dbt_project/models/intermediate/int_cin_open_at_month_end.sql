-- Children with a List 6 CIN episode open at a council month's end (start <= month end, closure empty or after).

with

months as (

    select * from {{ ref('int_council_months') }}

),

episodes as (

    select * from {{ ref('fct_cin_episodes') }}

),

final as (

    select distinct
        months.la_code,
        months.month,
        episodes.child_key
    from months
    inner join episodes
        on months.la_code = episodes.la_code
        and episodes.cin_start_date <= months.month_end
        and (episodes.cin_closure_date is null or episodes.cin_closure_date > months.month_end)

)

select * from final
