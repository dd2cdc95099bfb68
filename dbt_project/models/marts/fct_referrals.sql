-- List 3 referrals, with the re-referral flag (an earlier referral of the same child dated after the
-- referral date minus 12 months) and the child sexual exploitation factor (11A recorded for the referral).

with

referrals as (

    select * from {{ ref('stg_annex_a__referrals') }}

),

factors as (

    select * from {{ ref('stg_local__referral_factors') }}

),

rereferrals as (

    select distinct
        referrals.la_code,
        referrals.child_key,
        referrals.referral_date
    from referrals
    inner join referrals as earlier
        on referrals.la_code = earlier.la_code
        and referrals.child_key = earlier.child_key
        and earlier.referral_date < referrals.referral_date
        and earlier.referral_date > referrals.referral_date - interval 12 month

),

cse as (

    select distinct
        la_code,
        child_key,
        referral_date
    from factors
    where factor = '11A'

),

final as (

    select
        referrals.la_code,
        referrals.child_key,
        referrals.referral_date,
        date_trunc('month', referrals.referral_date)::date as referral_month,
        referrals.age_at_referral,
        referrals.referral_source,
        referrals.referral_nfa,
        referrals.allocated_team,
        rereferrals.child_key is not null as is_rereferral_12m,
        cse.child_key is not null as has_cse_factor,
        referrals.extract_id
    from referrals
    left join rereferrals
        on referrals.la_code = rereferrals.la_code
        and referrals.child_key = rereferrals.child_key
        and referrals.referral_date = rereferrals.referral_date
    left join cse
        on referrals.la_code = cse.la_code
        and referrals.child_key = cse.child_key
        and referrals.referral_date = cse.referral_date

)

select * from final
