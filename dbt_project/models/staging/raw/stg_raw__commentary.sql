with

source as (

    select * from {{ source('raw', 'commentary') }}

),

renamed as (

    select
        la_code,
        date_trunc('month', month)::date as month,
        indicator_code,
        commentary,
        source_file,
        source_line
    from source

),

final as (

    -- a later line of the same file (or a later file) for the same cell wins
    select *
    from renamed
    qualify row_number() over (
            partition by la_code, month, indicator_code order by source_file desc, source_line desc
        ) = 1

)

select * from final
