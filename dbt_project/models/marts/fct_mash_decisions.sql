-- MASH decisions. Timely: the decision is no later than 24 hours after the referral was received, or falls
-- on or before the next working day after the day received (bank holidays skipped).

with

mash as (

    select * from {{ ref('stg_local__mash') }}

),

calendar as (

    select
        date_day,
        next_working_day
    from {{ ref('dim_calendar') }}

),

final as (

    select
        mash.la_code,
        mash.child_key,
        mash.referral_received,
        mash.mash_decision,
        date_trunc('month', mash.mash_decision)::date as decision_month,
        calendar.next_working_day as next_working_day_after_received,
        coalesce(
            mash.mash_decision <= mash.referral_received + interval 24 hour
            or mash.mash_decision::date <= calendar.next_working_day,
            false
        ) as is_timely,
        mash.extract_id
    from mash
    left join calendar on mash.referral_received::date = calendar.date_day
    where mash.mash_decision is not null

)

select * from final
