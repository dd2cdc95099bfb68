-- Children in need: EH2 (open CIN at month end, not on a CP plan, not looked after) and EHS1 (children
-- missing or absent at any point in the month, from local_missing_all).

with

months as (

    select * from {{ ref('int_council_months') }}

),

cin_open as (

    select * from {{ ref('int_cin_open_at_month_end') }}

),

cp_open as (

    select * from {{ ref('int_cp_plans_open_at_month_end') }}

),

looked_after as (

    select * from {{ ref('int_looked_after_at_month_end') }}

),

cin_only as (

    select
        cin_open.la_code,
        cin_open.month,
        -- int_cin_open_at_month_end is one row per (council, month, child), tested: count(*) counts children
        -- (count(distinct) cost 4 s more at England, alone at the end of the build)
        count(*) as children
    from cin_open
    anti join cp_open
        on cin_open.la_code = cp_open.la_code
        and cin_open.month = cp_open.month
        and cin_open.child_key = cp_open.child_key
    anti join looked_after
        on cin_open.la_code = looked_after.la_code
        and cin_open.month = looked_after.month
        and cin_open.child_key = looked_after.child_key
    group by cin_open.la_code, cin_open.month

),

missing as (

    select
        months.la_code,
        months.month,
        count(distinct episodes.child_key) as children
    from months
    inner join {{ ref('fct_missing_episodes') }} as episodes
        on months.la_code = episodes.la_code
        and episodes.source_table = 'local_missing_all'
        and episodes.missing in ('M', 'A')
        and episodes.mis_start <= months.month_end
        and (episodes.mis_end is null or episodes.mis_end >= months.month)
    group by months.la_code, months.month

),

wide as (

    select
        months.la_code,
        months.month,
        coalesce(cin_only.children, 0) as cin_children,
        coalesce(missing.children, 0) as missing_children
    from months
    left join cin_only on months.la_code = cin_only.la_code and months.month = cin_only.month
    left join missing on months.la_code = missing.la_code and months.month = missing.month

),

final as (

    {{ indicator_rows('wide', [
        ['EH2', 'cin_children', none],
        ['EHS1', 'missing_children', none],
    ]) }}

)

select * from final
