-- Front door: M1, M2, M3, M2-NI, M8-QL, M6-QL (val), M6-QL, M4.

with

months as (

    select * from {{ ref('int_council_months') }}

),

contacts as (

    select
        la_code,
        contact_month as month,
        count(*) as contacts
    from {{ ref('fct_contacts') }}
    group by la_code, contact_month

),

referrals as (

    select
        la_code,
        referral_month as month,
        count(*) as referrals,
        count(*) filter (where is_rereferral_12m) as rereferrals,
        count(*) filter (where age_at_referral >= 13 and has_cse_factor) as cse_referrals_13_plus
    from {{ ref('fct_referrals') }}
    group by la_code, referral_month

),

mash as (

    select
        la_code,
        decision_month as month,
        count(*) as decisions,
        count(*) filter (where is_timely) as timely_decisions
    from {{ ref('fct_mash_decisions') }}
    group by la_code, decision_month

),

wide as (

    select
        months.la_code,
        months.month,
        coalesce(contacts.contacts, 0) as contacts,
        coalesce(referrals.referrals, 0) as referrals,
        coalesce(referrals.rereferrals, 0) as rereferrals,
        coalesce(referrals.cse_referrals_13_plus, 0) as cse_referrals_13_plus,
        coalesce(mash.decisions, 0) as decisions,
        coalesce(mash.timely_decisions, 0) as timely_decisions
    from months
    left join contacts on months.la_code = contacts.la_code and months.month = contacts.month
    left join referrals on months.la_code = referrals.la_code and months.month = referrals.month
    left join mash on months.la_code = mash.la_code and months.month = mash.month

),

final as (

    {{ indicator_rows('wide', [
        ['M1', 'contacts', none],
        ['M2', 'referrals', none],
        ['M3', 'referrals', 'contacts'],
        ['M2-NI', 'referrals', none],
        ['M8-QL', 'timely_decisions', 'decisions'],
        ['M6-QL (val)', 'rereferrals', none],
        ['M6-QL', 'rereferrals', 'referrals'],
        ['M4', 'cse_referrals_13_plus', none],
    ]) }}

)

select * from final
