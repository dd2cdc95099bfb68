-- List 5 section 47 enquiries and their initial child protection conferences, with the working days from
-- the strategy discussion to the ICPC (bank holidays excluded, same day = 0).

with

s47 as (

    select * from {{ ref('stg_annex_a__s47') }}

),

calendar as (

    select
        date_day,
        working_day_index
    from {{ ref('dim_calendar') }}

),

final as (

    select
        s47.la_code,
        s47.child_key,
        s47.strategy_discussion_date,
        date_trunc('month', s47.strategy_discussion_date)::date as strategy_discussion_month,
        s47.icpc_not_required,
        s47.icpc_date,
        date_trunc('month', s47.icpc_date)::date as icpc_month,
        s47.icpc_resulted_in_cp_plan = 'YES' as icpc_resulted_in_cp_plan,
        icpc.working_day_index - discussed.working_day_index as working_days_to_icpc,
        s47.allocated_team,
        s47.extract_id
    from s47
    left join calendar as discussed on s47.strategy_discussion_date = discussed.date_day
    left join calendar as icpc on s47.icpc_date = icpc.date_day

)

select * from final
