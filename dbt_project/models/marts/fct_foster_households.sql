with

carers as (

    select * from {{ ref('stg_local__foster_carers') }}

),

final as (

    select
        la_code,
        household_key,
        approval_date,
        deregistration_date,
        provider,
        extract_id
    from carers

)

select * from final
