-- Child protection: CP1, CP1-NI, CP6B, CP6B-NI, CP2, CP2NI, CP4 (val), CP4, CP4b, CP4b%, CP3-QL (val),
-- CP3-QL, CP8-QL, CP5-QL (val), CP5-QL, CP9, CP7.

with

months as (

    select * from {{ ref('int_council_months') }}

),

s47_started as (

    select
        la_code,
        strategy_discussion_month as month,
        count(*) as n
    from {{ ref('fct_s47_enquiries') }}
    group by all

),

icpcs as (

    select
        la_code,
        icpc_month as month,
        count(*) as icpcs,
        count(*) filter (where icpc_resulted_in_cp_plan) as icpcs_to_plan,
        count(*) filter (where working_days_to_icpc <= 15) as icpcs_in_time
    from {{ ref('fct_s47_enquiries') }}
    where icpc_date is not null
    group by all

),

transfer_ins as (

    select
        la_code,
        conference_month as month,
        count(*) as conferences,
        count(*) filter (where resulted_in_cp_plan) as conferences_to_plan
    from {{ ref('fct_transfer_in_conferences') }}
    group by all

),

plans_started as (

    select
        la_code,
        start_month as month,
        count(*) as plans,
        count(*) filter (where is_repeat_plan) as repeat_plans
    from {{ ref('fct_cp_plans') }}
    group by all

),

plans_ended as (

    select
        la_code,
        end_month as month,
        count(*) as plans
    from {{ ref('fct_cp_plans') }}
    where cp_plan_end_date is not null
    group by all

),

cp_open as (

    select * from {{ ref('int_cp_plans_open_at_month_end') }}

),

snapshot as (

    select * from {{ ref('fct_cp_visits_monthly') }}

),

seen as (

    -- a child on a plan at month end is seen when any of its rows in the month's List 7 snapshot has a
    -- statutory visit no more than 15 working days before the month end
    select distinct
        la_code,
        snapshot_month as month,
        child_key
    from snapshot
    where last_statutory_visit_date <= month_end and working_days_since_visit <= 15

),

on_plan as (

    select
        cp_open.la_code,
        cp_open.month,
        count(*) as children,
        count(seen.child_key) as children_seen
    from cp_open
    left join seen
        on cp_open.la_code = seen.la_code
        and cp_open.month = seen.month
        and cp_open.child_key = seen.child_key
    group by cp_open.la_code, cp_open.month

),

reviewed as (

    select
        la_code,
        snapshot_month as month,
        count(distinct child_key) as children
    from snapshot
    where date_trunc('month', latest_review_conference_date) = snapshot_month
    group by all

),

wide as (

    select
        months.la_code,
        months.month,
        coalesce(s47_started.n, 0) as s47_started,
        coalesce(icpcs.icpcs, 0) as icpcs,
        coalesce(icpcs.icpcs_to_plan, 0) as icpcs_to_plan,
        coalesce(icpcs.icpcs_in_time, 0) as icpcs_in_time,
        coalesce(transfer_ins.conferences, 0) as transfer_ins,
        coalesce(transfer_ins.conferences_to_plan, 0) as transfer_ins_to_plan,
        coalesce(icpcs.icpcs, 0) + coalesce(transfer_ins.conferences, 0) as all_icpcs,
        coalesce(plans_started.plans, 0) as plans_started,
        coalesce(plans_started.repeat_plans, 0) as repeat_plans,
        coalesce(plans_ended.plans, 0) as plans_ended,
        coalesce(on_plan.children, 0) as children_on_plan,
        coalesce(on_plan.children_seen, 0) as children_seen,
        coalesce(reviewed.children, 0) as children_reviewed
    from months
    left join s47_started on months.la_code = s47_started.la_code and months.month = s47_started.month
    left join icpcs on months.la_code = icpcs.la_code and months.month = icpcs.month
    left join transfer_ins on months.la_code = transfer_ins.la_code and months.month = transfer_ins.month
    left join plans_started on months.la_code = plans_started.la_code and months.month = plans_started.month
    left join plans_ended on months.la_code = plans_ended.la_code and months.month = plans_ended.month
    left join on_plan on months.la_code = on_plan.la_code and months.month = on_plan.month
    left join reviewed on months.la_code = reviewed.la_code and months.month = reviewed.month

),

final as (

    {{ indicator_rows('wide', [
        ['CP1', 's47_started', none],
        ['CP1-NI', 's47_started', none],
        ['CP6B', 'children_on_plan', none],
        ['CP6B-NI', 'children_on_plan', none],
        ['CP2', 'icpcs', none],
        ['CP2NI', 'all_icpcs', none],
        ['CP4 (val)', 'icpcs_to_plan', none],
        ['CP4', 'icpcs_to_plan', 'icpcs'],
        ['CP4b', 'transfer_ins', none],
        ['CP4b%', 'transfer_ins_to_plan', 'transfer_ins'],
        ['CP3-QL (val)', 'icpcs_in_time', none],
        ['CP3-QL', 'icpcs_in_time', 'icpcs'],
        ['CP8-QL', 'children_seen', 'children_on_plan'],
        ['CP5-QL (val)', 'repeat_plans', none],
        ['CP5-QL', 'repeat_plans', 'plans_started'],
        ['CP9', 'children_reviewed', none],
        ['CP7', 'plans_ended', none],
    ]) }}

)

select * from final
