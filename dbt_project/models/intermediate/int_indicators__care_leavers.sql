-- Care leavers: LAC11-QL, LAC11-QL (%) (cohort: looked after children aged 16+ at month end and the care
-- leavers of the month's List 9 snapshot, distinct children) and NI147.

with

months as (

    select * from {{ ref('int_council_months') }}

),

care_leavers as (

    select * from {{ ref('fct_care_leavers_monthly') }}

),

cohort as (

    select
        la_code,
        month,
        child_key
    from {{ ref('int_looked_after_at_month_end') }}
    where age_at_month_end >= 16
    union
    select
        la_code,
        snapshot_month as month,
        child_key
    from care_leavers

),

pathway_plans as (

    select
        la_code,
        month,
        child_key
    from {{ ref('int_care_plans_open_at_month_end') }}
    where plan_type = 'PATHWAY'

),

cohort_counts as (

    select
        cohort.la_code,
        cohort.month,
        count(*) as cohort_children,
        count(pathway_plans.child_key) as with_pathway_plan
    from cohort
    left join pathway_plans
        on cohort.la_code = pathway_plans.la_code
        and cohort.month = pathway_plans.month
        and cohort.child_key = pathway_plans.child_key
    group by cohort.la_code, cohort.month

),

leaver_counts as (

    select
        la_code,
        snapshot_month as month,
        count(*) as care_leavers,
        count(*) filter (where is_in_touch_and_suitably_housed) as in_touch_and_suitable
    from care_leavers
    group by all

),

wide as (

    select
        months.la_code,
        months.month,
        coalesce(cohort_counts.cohort_children, 0) as cohort_children,
        coalesce(cohort_counts.with_pathway_plan, 0) as with_pathway_plan,
        coalesce(leaver_counts.care_leavers, 0) as care_leavers,
        coalesce(leaver_counts.in_touch_and_suitable, 0) as in_touch_and_suitable
    from months
    left join cohort_counts on months.la_code = cohort_counts.la_code and months.month = cohort_counts.month
    left join leaver_counts on months.la_code = leaver_counts.la_code and months.month = leaver_counts.month

),

final as (

    {{ indicator_rows('wide', [
        ['LAC11-QL', 'with_pathway_plan', none],
        ['LAC11-QL (%)', 'with_pathway_plan', 'cohort_children'],
        ['NI147', 'in_touch_and_suitable', 'care_leavers'],
    ]) }}

)

select * from final
