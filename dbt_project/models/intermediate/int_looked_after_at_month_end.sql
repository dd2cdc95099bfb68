-- Children looked after at a council month's end from SSDA903 episodes (DECOM <= month end, DEC empty or
-- after, legal status not V3/V4), with IFA placement, UASC status and age at the month end.

with

months as (

    select * from {{ ref('int_council_months') }}

),

episodes as (

    select * from {{ ref('fct_looked_after_episodes') }}

),

uasc as (

    select * from {{ ref('fct_uasc') }}

),

header as (

    select
        la_code,
        child_key,
        max(birth_month) as birth_month
    from {{ ref('stg_ssda903__header') }}
    group by la_code, child_key

),

open_episodes as (

    select
        months.la_code,
        months.month,
        months.month_end,
        episodes.child_key,
        bool_or(episodes.is_ifa_placement) as is_ifa_placement
    from months
    inner join episodes
        on months.la_code = episodes.la_code
        and not episodes.is_short_break
        and episodes.decom <= months.month_end
        and (episodes.dec is null or episodes.dec > months.month_end)
    group by months.la_code, months.month, months.month_end, episodes.child_key

),

uasc_at_month_end as (

    select distinct
        open_episodes.la_code,
        open_episodes.month,
        open_episodes.child_key
    from open_episodes
    inner join uasc
        on open_episodes.la_code = uasc.la_code
        and open_episodes.child_key = uasc.child_key
        and (uasc.duc is null or uasc.duc > open_episodes.month_end)

),

final as (

    select
        open_episodes.la_code,
        open_episodes.month,
        open_episodes.child_key,
        open_episodes.is_ifa_placement,
        uasc_at_month_end.child_key is not null as is_uasc,
        header.birth_month,
        -- completed years at the month end: exact from the birth month, as a birthday in the month has
        -- passed by its last day
        floor(datediff('month', header.birth_month, open_episodes.month) / 12)::integer as age_at_month_end
    from open_episodes
    left join uasc_at_month_end
        on open_episodes.la_code = uasc_at_month_end.la_code
        and open_episodes.month = uasc_at_month_end.month
        and open_episodes.child_key = uasc_at_month_end.child_key
    left join header
        on open_episodes.la_code = header.la_code
        and open_episodes.child_key = header.child_key

)

select * from final
