with

plans as (

    select * from {{ ref('stg_local__care_plans') }}

),

final as (

    select
        la_code,
        child_key,
        plan_type,
        authorised_date,
        end_date,
        extract_id
    from plans

)

select * from final
