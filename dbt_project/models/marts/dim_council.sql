-- Councils: every LA of the lookup, councils configured in council_settings (e.g. the fictional demo
-- council) and any council that has sent an extract.

with

lookup as (

    select * from {{ ref('la_lookup') }}

),

settings as (

    select * from {{ ref('council_settings') }}

),

extracts as (

    select distinct la_code from {{ ref('stg_raw__extracts') }}

),

regions as (

    select distinct
        region_code,
        region_name
    from lookup

),

codes as (

    select la_code from lookup
    union
    select la_code from settings
    union
    select la_code from extracts

),

final as (

    select
        codes.la_code,
        coalesce(settings.la_name, lookup.la_name) as la_name,
        lookup.old_la_code,
        coalesce(settings.region_code, lookup.region_code) as region_code,
        regions.region_name,
        lookup.la_type,
        coalesce(lookup.status, 'current') as status,
        settings.statistical_neighbour_proxy_la_code,
        settings.population_0_17_override,
        lookup.la_code is null as is_outside_lookup,
        codes.la_code in (select extracts.la_code from extracts) as has_extracts
    from codes
    left join lookup on codes.la_code = lookup.la_code
    left join settings on codes.la_code = settings.la_code
    left join regions on coalesce(settings.region_code, lookup.region_code) = regions.region_code

)

select * from final
