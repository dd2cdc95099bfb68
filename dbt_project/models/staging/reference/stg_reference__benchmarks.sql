-- DfE benchmark values (seeds/reference/benchmarks.csv.gz, the shared reference benchmarks.csv gzipped):
-- one row per (area, DfE year ending 31 March, measure). Read with DuckDB read_csv rather than loaded as a
-- seed (47k rows: 4.5 s through agate, well under a second here). Suppressed or missing values (flags c, x,
-- z, -, u) are NULL. LA rows get their region from la_lookup so that regional council counts can be made.
-- The folder defaults to <project dir>/seeds/reference; var `csc_reference_dir` points elsewhere.
{{ config(materialized='table') }}

{%- set reference_dir = var('csc_reference_dir', none)
    or ((invocation_args_dict.get('project_dir') or '.') ~ '/seeds/reference') %}

with

source as (

    select *
    from read_csv(
            '{{ reference_dir }}/benchmarks.csv.gz',
            header = true,
            nullstr = '',
            columns = {
                'la_code': 'VARCHAR',
                'old_la_code': 'VARCHAR',
                'la_name': 'VARCHAR',
                'geographic_level': 'VARCHAR',
                'year': 'INTEGER',
                'measure': 'VARCHAR',
                'value': 'DOUBLE',
                'unit': 'VARCHAR',
                'value_flag': 'VARCHAR',
                'source': 'VARCHAR',
                'source_measure': 'VARCHAR'
            }
        )

),

measures as (

    select
        measure,
        definition
    from {{ ref('benchmark_measures') }}

),

lookup as (

    select
        la_code,
        region_code
    from {{ ref('la_lookup') }}

),

final as (

    select
        source.la_code,
        source.old_la_code,
        source.la_name,
        source.geographic_level,
        case when source.geographic_level = 'LA' then lookup.region_code end as region_code,
        source.year,
        source.measure,
        case when coalesce(source.value_flag, '') in ('c', 'x', 'z', '-', 'u') then null else source.value end
            as value,
        source.unit,
        source.value_flag,
        source.source,
        source.source_measure,
        measures.definition as measure_definition
    from source
    left join lookup on source.la_code = lookup.la_code
    left join measures on source.measure = measures.measure

)

select * from final
