-- SSDA903 unaccompanied asylum-seeking children: a child is UASC on a day when listed with DUC empty or after it.

with

uasc as (

    select * from {{ ref('stg_ssda903__uasc') }}

),

final as (

    select
        la_code,
        child_key,
        duc,
        extract_id
    from uasc

)

select * from final
