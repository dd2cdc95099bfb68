-- Benchmarks per (council, catalogue indicator, run of reporting months valid_from_month..valid_to_month):
-- statistical-neighbour average, England and the council's region, from the DfE reference data
-- (stg_reference__benchmarks) through the catalogue-to-DfE map (seed indicator_benchmark_map). Rules:
--   * year: the latest DfE year published by the reporting month; the year ending 31 March Y counts as
--     published from 1 December Y (June 2018 -> year ending March 2017).
--   * flow measures (events in the year) that are counts or rates are divided by 12 (monthly equivalent);
--     stock measures (at 31 March) and percentages are not.
--   * count measures: England and region are the average council (group total / councils in the group that
--     year); the neighbour figure is the mean of the neighbours' counts.
--   * statistical neighbours: mean over the council's 10 neighbours with a value (suppressed values are
--     excluded and the number used is kept), from the newest SN vintage dated on or before the reporting
--     month, else the oldest vintage. A council configured with a proxy (council_settings) uses the proxy's
--     neighbours; its region is its own (council_settings or la_lookup).
-- Every figure that is NULL has a reason in its *_no_data_reason column, and the reverse.
{{ config(materialized='table') }}

with

councils as (

    select
        la_code,
        region_code,
        coalesce(has_extracts, false) as has_extracts,
        coalesce(statistical_neighbour_proxy_la_code, la_code) as neighbour_list_la_code,
        -- a council is known to the reference data when it is in la_lookup or configured in council_settings
        (
            not is_outside_lookup
            or region_code is not null
            or statistical_neighbour_proxy_la_code is not null
        ) as is_in_reference_data
    from {{ ref('dim_council') }}

),

months as (

    select
        month as reporting_month,
        cast(case when month(month) = 12 then year(month) else year(month) - 1 end as integer) as benchmark_year
    from {{ ref('dim_month') }}

),

neighbours as (

    select
        cast(sn_vintage as varchar) as sn_vintage,
        cast(la_code as varchar) as la_code,
        cast(neighbour_la_code as varchar) as neighbour_la_code
    from {{ ref('statistical_neighbours') }}

),

vintages as (

    select distinct
        sn_vintage,
        cast(strptime(sn_vintage || '-01', '%Y-%m-%d') as date) as vintage_date
    from neighbours

),

-- the SN vintage each reporting month uses
month_vintages as (

    select
        months.reporting_month,
        months.benchmark_year,
        coalesce(
            (
                select max_by(vintages.sn_vintage, vintages.vintage_date)
                from vintages
                where vintages.vintage_date <= months.reporting_month
            ),
            (select min_by(vintages.sn_vintage, vintages.vintage_date) from vintages)
        ) as sn_vintage
    from months

),

-- runs of consecutive months with the same DfE year and SN vintage: one row per run keeps the table small
-- (about 23 runs instead of 250 months); the scorecard picks the run containing its reporting month
periods as (

    select
        benchmark_year,
        sn_vintage,
        min(reporting_month) as valid_from_month,
        max(reporting_month) as valid_to_month
    from month_vintages
    group by benchmark_year, sn_vintage

),

neighbour_lists as (

    select
        sn_vintage,
        la_code,
        count(*) as neighbours_listed
    from neighbours
    group by sn_vintage, la_code

),

reference_values as (

    select
        la_code,
        geographic_level,
        region_code,
        year,
        measure,
        unit,
        value
    from {{ ref('stg_reference__benchmarks') }}

),

measure_units as (

    select
        measure,
        any_value(unit) as unit
    from reference_values
    group by measure

),

indicator_map as (

    select
        cast(catalogue.code as varchar) as indicator_code,
        cast(map.has_national_equivalent as boolean) as has_national_equivalent,
        cast(map.dfe_measure as varchar) as dfe_measure,
        cast(map.measure_kind as varchar) as measure_kind,
        coalesce(cast(map.transform as varchar), 'none') as transform,
        measure_units.unit as measure_unit,
        cast(case when map.measure_kind = 'flow' and measure_units.unit <> 'percent' then 12 else 1 end as integer)
            as monthly_divisor
    from {{ ref('indicators') }} as catalogue
    left join {{ ref('indicator_benchmark_map') }} as map on catalogue.code = map.indicator_code
    left join measure_units on map.dfe_measure = measure_units.measure

),

-- each mapped indicator's values (a transform such as 100 - x applied per area)
indicator_values as (

    select
        indicator_map.indicator_code,
        indicator_map.measure_unit,
        indicator_map.monthly_divisor,
        reference_values.la_code,
        reference_values.geographic_level,
        reference_values.region_code,
        reference_values.year,
        case
            when indicator_map.transform = 'complement' then 100 - reference_values.value
            else reference_values.value
        end as value
    from indicator_map
    inner join reference_values on indicator_map.dfe_measure = reference_values.measure

),

years_available as (

    select distinct
        indicator_code,
        year
    from indicator_values

),

-- councils in each group and year (LA rows of the measure, with or without a value)
group_sizes as (

    select
        indicator_code,
        year,
        'E92000001' as group_code,
        count(*) as councils_in_group
    from indicator_values
    where geographic_level = 'LA'
    group by indicator_code, year

    union all

    select
        indicator_code,
        year,
        region_code as group_code,
        count(*) as councils_in_group
    from indicator_values
    where geographic_level = 'LA' and region_code is not null
    group by indicator_code, year, region_code

),

group_benchmarks as (

    select
        indicator_values.indicator_code,
        indicator_values.year,
        indicator_values.la_code as group_code,
        case
            when indicator_values.measure_unit = 'count'
                then indicator_values.value / nullif(group_sizes.councils_in_group, 0)
            else indicator_values.value
        end / indicator_values.monthly_divisor as figure
    from indicator_values
    left join group_sizes
        on
        indicator_values.indicator_code = group_sizes.indicator_code
        and indicator_values.year = group_sizes.year
        and indicator_values.la_code = group_sizes.group_code
    where indicator_values.geographic_level in ('England', 'Region')

),

-- only the (vintage, year) pairs some reporting month uses
vintage_years as (

    select distinct
        sn_vintage,
        benchmark_year
    from periods

),

neighbour_benchmarks as (

    select
        neighbours.sn_vintage,
        neighbours.la_code as neighbour_list_la_code,
        indicator_values.year,
        indicator_values.indicator_code,
        -- an exact decimal sum (published figures have at most 4 decimals), so the mean does not depend
        -- on the order DuckDB's threads add the neighbours up
        avg(cast(indicator_values.value as decimal(18, 4)))
        / any_value(indicator_values.monthly_divisor) as figure,
        count(indicator_values.value) as neighbours_used
    from neighbours
    inner join vintage_years
        on neighbours.sn_vintage = vintage_years.sn_vintage
    inner join indicator_values
        on
        neighbours.neighbour_la_code = indicator_values.la_code
        and vintage_years.benchmark_year = indicator_values.year
        and indicator_values.geographic_level = 'LA'
    group by neighbours.sn_vintage, neighbours.la_code, indicator_values.year, indicator_values.indicator_code

),

spine as (

    select
        councils.la_code,
        periods.valid_from_month,
        periods.valid_to_month,
        indicator_map.indicator_code,
        indicator_map.has_national_equivalent,
        indicator_map.dfe_measure,
        indicator_map.monthly_divisor,
        periods.benchmark_year,
        periods.sn_vintage,
        councils.neighbour_list_la_code,
        councils.region_code,
        councils.is_in_reference_data,
        councils.has_extracts,
        -- why every figure of this row is missing, whatever the council: NULL when figures can exist
        case
            when indicator_map.has_national_equivalent is null then 'indicator_not_in_benchmark_map'
            when not indicator_map.has_national_equivalent then 'no_national_equivalent'
            when indicator_map.dfe_measure is null then 'no_dfe_measure_in_reference_data'
            when years_available.year is null then 'year_not_in_reference_data'
        end as indicator_reason
    from councils
    cross join periods
    cross join indicator_map
    left join years_available
        on
        indicator_map.indicator_code = years_available.indicator_code
        and periods.benchmark_year = years_available.year

),

final as (

    select
        spine.la_code,
        spine.valid_from_month,
        spine.valid_to_month,
        spine.indicator_code,
        spine.has_national_equivalent,
        spine.dfe_measure,
        spine.benchmark_year,
        spine.monthly_divisor,
        case when spine.indicator_reason is null then sn.figure end as bench_stat_neighbour,
        case when spine.indicator_reason is null then england.figure end as bench_england,
        case when spine.indicator_reason is null then region.figure end as bench_region,
        spine.sn_vintage,
        spine.neighbour_list_la_code as sn_list_la_code,
        coalesce(neighbour_lists.neighbours_listed, 0) as sn_neighbours_listed,
        coalesce(sn.neighbours_used, 0) as sn_neighbours_used,
        spine.region_code,
        spine.has_extracts as council_has_extracts,
        case
            when spine.indicator_reason is not null then spine.indicator_reason
            when not spine.is_in_reference_data then 'council_not_in_reference_data'
            when neighbour_lists.neighbours_listed is null then 'no_statistical_neighbours_in_vintage'
            when sn.figure is null then 'neighbour_values_suppressed_or_missing'
        end as bench_stat_neighbour_no_data_reason,
        case
            when spine.indicator_reason is not null then spine.indicator_reason
            when england.figure is null then 'suppressed_or_missing'
        end as bench_england_no_data_reason,
        case
            when spine.indicator_reason is not null then spine.indicator_reason
            when not spine.is_in_reference_data then 'council_not_in_reference_data'
            when spine.region_code is null then 'no_region'
            when region.figure is null then 'suppressed_or_missing'
        end as bench_region_no_data_reason
    from spine
    left join neighbour_lists
        on
        spine.sn_vintage = neighbour_lists.sn_vintage
        and spine.neighbour_list_la_code = neighbour_lists.la_code
    left join neighbour_benchmarks as sn
        on
        spine.sn_vintage = sn.sn_vintage
        and spine.neighbour_list_la_code = sn.neighbour_list_la_code
        and spine.benchmark_year = sn.year
        and spine.indicator_code = sn.indicator_code
    left join group_benchmarks as england
        on
        england.group_code = 'E92000001'
        and spine.benchmark_year = england.year
        and spine.indicator_code = england.indicator_code
    left join group_benchmarks as region
        on
        spine.region_code = region.group_code
        and spine.benchmark_year = region.year
        and spine.indicator_code = region.indicator_code

)

select * from final
