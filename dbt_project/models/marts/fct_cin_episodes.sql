with

episodes as (

    select * from {{ ref('stg_annex_a__cin') }}

),

final as (

    select
        la_code,
        child_key,
        cin_start_date,
        cin_closure_date,
        primary_need_code,
        closure_reason,
        allocated_team,
        extract_id
    from episodes

)

select * from final
