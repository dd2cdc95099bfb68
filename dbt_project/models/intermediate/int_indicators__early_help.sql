-- Early help: EH1a, EH1c, EH1b, M5.

with

months as (

    select * from {{ ref('int_council_months') }}

),

early_help as (

    select * from {{ ref('fct_early_help') }}

),

assessments_started as (

    select
        la_code,
        date_trunc('month', assessment_start_date)::date as month,
        count(*) as n
    from early_help
    where assessment_start_date is not null
    group by all

),

assessments_completed as (

    select
        la_code,
        date_trunc('month', assessment_completion_date)::date as month,
        count(*) as n
    from early_help
    where assessment_completion_date is not null
    group by all

),

plans_started as (

    select
        la_code,
        date_trunc('month', plan_start_date)::date as month,
        count(*) as n
    from early_help
    where plan_start_date is not null
    group by all

),

stepped_up as (

    select
        la_code,
        date_trunc('month', step_up_date)::date as month,
        count(distinct child_key) as n
    from early_help
    where step_up_date is not null
    group by all

),

wide as (

    select
        months.la_code,
        months.month,
        coalesce(assessments_started.n, 0) as assessments_started,
        coalesce(assessments_completed.n, 0) as assessments_completed,
        coalesce(plans_started.n, 0) as plans_started,
        coalesce(stepped_up.n, 0) as children_stepped_up
    from months
    left join assessments_started
        on months.la_code = assessments_started.la_code and months.month = assessments_started.month
    left join assessments_completed
        on months.la_code = assessments_completed.la_code and months.month = assessments_completed.month
    left join plans_started on months.la_code = plans_started.la_code and months.month = plans_started.month
    left join stepped_up on months.la_code = stepped_up.la_code and months.month = stepped_up.month

),

final as (

    {{ indicator_rows('wide', [
        ['EH1a', 'assessments_started', none],
        ['EH1c', 'assessments_completed', none],
        ['EH1b', 'plans_started', none],
        ['M5', 'children_stepped_up', none],
    ]) }}

)

select * from final
