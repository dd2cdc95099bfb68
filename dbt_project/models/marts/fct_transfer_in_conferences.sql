with

conferences as (

    select * from {{ ref('stg_local__transfer_in_conferences') }}

),

final as (

    select
        la_code,
        child_key,
        conference_date,
        date_trunc('month', conference_date)::date as conference_month,
        resulted_in_cp_plan = 'YES' as resulted_in_cp_plan,
        extract_id
    from conferences

)

select * from final
