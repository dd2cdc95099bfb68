-- Looked after children: LAC1, LAC1-NI, LAC2, LAC3, LAC6 (val), LAC6 (%), LAC12 (val), LAC12 (%), LAC7-QL,
-- LAC10 (%), LAC10-QL, LAC13, LAC14, LAC9 (val), LAC9. Short breaks only (V3/V4) are never counted.

with

months as (

    select * from {{ ref('int_council_months') }}

),

episodes as (

    select * from {{ ref('fct_looked_after_episodes') }}
    where not is_short_break

),

uasc as (

    select * from {{ ref('fct_uasc') }}

),

looked_after as (

    select * from {{ ref('int_looked_after_at_month_end') }}

),

visited as (

    -- List 8 month snapshot: a visit no more than 42 calendar days before the month end
    select distinct
        la_code,
        snapshot_month as month,
        child_key
    from {{ ref('fct_looked_after_visits_monthly') }}
    where last_social_work_visit_date <= month_end and days_since_visit <= 42

),

cla_plans as (

    select
        la_code,
        month,
        child_key
    from {{ ref('int_care_plans_open_at_month_end') }}
    where plan_type = 'CLA'

),

at_month_end as (

    select
        looked_after.la_code,
        looked_after.month,
        count(*) as children,
        count(*) filter (where looked_after.is_uasc) as uasc_children,
        count(*) filter (where looked_after.is_ifa_placement) as ifa_children,
        count(visited.child_key) as visited_children,
        count(cla_plans.child_key) as children_with_cla_plan
    from looked_after
    left join visited
        on looked_after.la_code = visited.la_code
        and looked_after.month = visited.month
        and looked_after.child_key = visited.child_key
    left join cla_plans
        on looked_after.la_code = cla_plans.la_code
        and looked_after.month = cla_plans.month
        and looked_after.child_key = cla_plans.child_key
    group by looked_after.la_code, looked_after.month

),

started as (

    select
        episodes.la_code,
        episodes.decom_month as month,
        count(*) as episodes,
        count(*) filter (
            where exists (
                select 1
                from uasc
                where uasc.la_code = episodes.la_code
                    and uasc.child_key = episodes.child_key
                    and (uasc.duc is null or uasc.duc > episodes.decom)
            )
        ) as uasc_episodes
    from episodes
    where episodes.rne = 'S'
    group by all

),

ceased as (

    select
        la_code,
        dec_month as month,
        count(*) as episodes,
        count(*) filter (where is_adoption) as adoptions,
        count(*) filter (where is_special_guardianship) as special_guardianship_orders
    from episodes
    where dec is not null and coalesce(rec, '') <> 'X1'
    group by all

),

wide as (

    select
        months.la_code,
        months.month,
        coalesce(at_month_end.children, 0) as children,
        coalesce(at_month_end.uasc_children, 0) as uasc_children,
        coalesce(at_month_end.ifa_children, 0) as ifa_children,
        coalesce(at_month_end.visited_children, 0) as visited_children,
        coalesce(at_month_end.children_with_cla_plan, 0) as children_with_cla_plan,
        coalesce(started.episodes, 0) as started,
        coalesce(started.uasc_episodes, 0) as started_uasc,
        coalesce(ceased.episodes, 0) as ceased,
        coalesce(ceased.adoptions, 0) as adoptions,
        coalesce(ceased.special_guardianship_orders, 0) as special_guardianship_orders
    from months
    left join at_month_end on months.la_code = at_month_end.la_code and months.month = at_month_end.month
    left join started on months.la_code = started.la_code and months.month = started.month
    left join ceased on months.la_code = ceased.la_code and months.month = ceased.month

),

final as (

    {{ indicator_rows('wide', [
        ['LAC1', 'children', none],
        ['LAC1-NI', 'children', none],
        ['LAC2', 'started', none],
        ['LAC3', 'ceased', none],
        ['LAC6 (val)', 'adoptions', none],
        ['LAC6 (%)', 'adoptions', 'ceased'],
        ['LAC12 (val)', 'special_guardianship_orders', none],
        ['LAC12 (%)', 'special_guardianship_orders', 'ceased'],
        ['LAC7-QL', 'visited_children', 'children'],
        ['LAC10 (%)', 'children_with_cla_plan', 'children'],
        ['LAC10-QL', 'children_with_cla_plan', none],
        ['LAC13', 'uasc_children', none],
        ['LAC14', 'started_uasc', none],
        ['LAC9 (val)', 'ifa_children', none],
        ['LAC9', 'ifa_children', 'children'],
    ]) }}

)

select * from final
