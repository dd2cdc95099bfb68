with

contacts as (

    select * from {{ ref('stg_annex_a__contacts') }}

),

final as (

    select
        la_code,
        child_key,
        contact_date,
        date_trunc('month', contact_date)::date as contact_month,
        contact_source,
        extract_id
    from contacts

)

select * from final
