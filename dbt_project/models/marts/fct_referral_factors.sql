with

factors as (

    select * from {{ ref('stg_local__referral_factors') }}

),

final as (

    select
        la_code,
        child_key,
        referral_date,
        date_trunc('month', referral_date)::date as referral_month,
        factor,
        extract_id
    from factors

)

select * from final
