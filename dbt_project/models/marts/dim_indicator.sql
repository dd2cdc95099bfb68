-- The indicator catalogue (seed `indicators`, a copy of spec/indicators.csv).

with

source as (

    select * from {{ ref('indicators') }}

),

final as (

    select
        cast(code as varchar) as indicator_code,
        section,
        title,
        outcome,
        unit,
        cast(is_percentage as varchar) = 'Y' as is_percentage,
        polarity,
        cast(numerator as varchar) as numerator_definition,
        cast(denominator as varchar) as denominator_definition,
        definition
    from source

)

select * from final
