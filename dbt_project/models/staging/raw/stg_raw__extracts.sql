with

source as (

    select * from {{ source('raw', 'extracts') }}

),

renamed as (

    select
        extract_id,
        la_code,
        period_end,
        extract_date,
        window_start,
        source_system,
        folder,
        ingested_at
    from source

),

final as (

    select
        *,
        date_trunc('month', period_end)::date as period_month
    from renamed

)

select * from final
