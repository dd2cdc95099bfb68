-- Benchmarks per council and indicator: statistical-neighbour average, England, region.
--
-- Interim source (until benchmarks are derived from published DfE data): the catalogue's stat_neighbour,
-- england and se_region figures, which are the published council's own benchmarks, serve the demo council
-- only. Every other council has no row here, so the scorecard shows '-' for its benchmarks (or 'Local' for
-- indicators without a national equivalent). Benchmarks do not vary by year yet.
{{ config(materialized='table') }}

with catalogue as (
    select
        cast(code as varchar) as indicator_code,
        cast(stat_neighbour as double) as bench_stat_neighbour,
        cast(england as double) as bench_england,
        cast(se_region as double) as bench_region
    from {{ ref('indicators') }}
)

select
    cast('{{ var("scorecard_demo_la_code", "E06000999") }}' as varchar) as la_code,
    indicator_code,
    bench_stat_neighbour,
    bench_england,
    bench_region
from catalogue
where bench_stat_neighbour is not null or bench_england is not null or bench_region is not null
