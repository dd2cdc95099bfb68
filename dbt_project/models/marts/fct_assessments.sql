-- List 4 assessments with their duration in working days (start to authorisation, England and Wales bank
-- holidays excluded, same day = 0) and the scorecard band.

with

assessments as (

    select * from {{ ref('stg_annex_a__assessments') }}

),

calendar as (

    select
        date_day,
        working_day_index
    from {{ ref('dim_calendar') }}

),

measured as (

    select
        assessments.la_code,
        assessments.child_key,
        assessments.assessment_start_date,
        assessments.assessment_authorised_date,
        date_trunc('month', assessments.assessment_authorised_date)::date as authorised_month,
        authorised.working_day_index - started.working_day_index as duration_working_days,
        assessments.allocated_team,
        assessments.extract_id
    from assessments
    left join calendar as started on assessments.assessment_start_date = started.date_day
    left join calendar as authorised on assessments.assessment_authorised_date = authorised.date_day

),

final as (

    select
        *,
        case
            when duration_working_days is null then null
            when duration_working_days <= 10 then '0-10'
            when duration_working_days <= 25 then '11-25'
            when duration_working_days <= 35 then '26-35'
            when duration_working_days <= 45 then '36-45'
            else '46+'
        end as duration_band
    from measured

)

select * from final
