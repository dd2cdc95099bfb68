-- 0-17 population per (council, ONS mid-year). Precedence: population_overrides for that year, then the
-- council-wide override in council_settings, then the ONS estimate. Rates for a month in April Y-1 ..
-- March Y use mid-(Y-1) (dim_month.population_year).

with

councils as (

    select * from {{ ref('dim_council') }}

),

ons as (

    select
        la_code,
        year,
        population_0_17
    from {{ ref('population_0_17') }}
    where geographic_level = 'LA' and population_0_17 is not null

),

overrides as (

    select
        la_code,
        year,
        population_0_17
    from {{ ref('population_overrides') }}

),

years as (

    select distinct population_year as year from {{ ref('dim_month') }}
    union
    select distinct year from ons

),

spine as (

    select
        councils.la_code,
        years.year,
        councils.population_0_17_override
    from councils
    cross join years

),

final as (

    select
        spine.la_code,
        spine.year as population_year,
        spine.year + 1 as dfe_year_ending_31_march,
        coalesce(overrides.population_0_17, spine.population_0_17_override, ons.population_0_17)
            as population_0_17,
        case
            when overrides.population_0_17 is not null then 'population_overrides'
            when spine.population_0_17_override is not null then 'council_settings'
            when ons.population_0_17 is not null then 'ons_mid_year_estimate'
        end as population_source
    from spine
    left join overrides on spine.la_code = overrides.la_code and spine.year = overrides.year
    left join ons on spine.la_code = ons.la_code and spine.year = ons.year
    where coalesce(overrides.population_0_17, spine.population_0_17_override, ons.population_0_17) is not null

)

select * from final
