-- SSDA903 episodes. Short breaks only (legal status V3/V4) are not looked after for any count.

with

episodes as (

    select * from {{ ref('stg_ssda903__episodes') }}

),

final as (

    select
        la_code,
        child_key,
        decom,
        date_trunc('month', decom)::date as decom_month,
        rne,
        ls,
        cin,
        place,
        place_provider,
        dec,
        date_trunc('month', dec)::date as dec_month,
        rec,
        reason_place_change,
        coalesce(ls in ('V3', 'V4'), false) as is_short_break,
        coalesce(place in ('U1', 'U2', 'U3', 'U4', 'U5', 'U6') and place_provider in ('PR4', 'PR5'), false)
            as is_ifa_placement,
        coalesce(rec in ('E11', 'E12'), false) as is_adoption,
        coalesce(rec in ('E43', 'E44', 'E45', 'E46', 'E47', 'E48'), false) as is_special_guardianship,
        extract_id
    from episodes

)

select * from final
