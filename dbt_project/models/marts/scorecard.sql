-- The monthly Children and Families scorecard: one row per (council, reporting month, indicator) for every
-- month in scorecard_monthly, with the derived columns of shared/spec/scorecard_rules.md ("Derived columns").
-- Rounding and change rules live in macros/scorecard_rounding.sql and macros/scorecard_change.sql.
{{ config(materialized='table') }}

with monthly as (
    select
        la_code,
        indicator_code,
        cast(date_trunc('month', month) as date) as month,
        value,
        no_data_reason,
        -- consecutive integers for consecutive calendar months
        year(month) * 12 + month(month) as month_index
    from {{ ref('scorecard_monthly') }}
),

catalogue as (
    select
        cast(code as varchar) as indicator_code,
        cast(section as varchar) as section,
        cast(title as varchar) as title,
        cast(outcome as varchar) as outcome,
        cast(unit as varchar) as unit,
        cast(is_percentage as varchar) = 'Y' as is_percentage,
        cast(polarity as varchar) as polarity,
        -- an indicator has a national equivalent when the catalogue gives any benchmark figure for it
        (stat_neighbour is not null or england is not null or se_region is not null)
            as has_national_equivalent
    from {{ ref('indicators') }}
),

-- the 13 trend months M-12 .. M and the 12-month figures, by window over a month index: a RANGE frame
-- "k preceding and k preceding" holds exactly the row of month M-k, or no row when that month is absent
trend as (
    select
        la_code,
        indicator_code,
        month as reporting_month,
        no_data_reason,
        {%- for k in range(12, 0, -1) %}
            max(value) over (by_month range between {{ k }} preceding and {{ k }} preceding) as value_m{{ k }},
        {%- endfor %}
        value as value_m0,
        -- 12-month figures use M-11 .. M (the oldest trend month is not in them); avg/max skip NULLs
        avg(value) over (by_month range between 11 preceding and current row) as avg_12m,
        max(value) over (by_month range between 11 preceding and current row) as max_12m
    from monthly
    window by_month as (partition by la_code, indicator_code order by month_index)
),

changes as (
    select
        *,
        {{ change_pct('value_m0', 'value_m1') }} as change_prev_month_pct,
        {{ change_pct('value_m0', 'value_m12') }} as change_prev_year_pct,
        -- financial year April Y .. March Y+1 is identified by its start year Y
        case
            when month(reporting_month) >= 4 then year(reporting_month) else year(reporting_month) - 1
        end as fy_start_year
    from trend
),

-- commentary written for the reporting month (stg_raw__commentary keeps one row per council, month and
-- indicator: the latest line wins); blank text counts as none
commentary as (
    select
        la_code,
        month,
        indicator_code,
        case when trim(commentary) <> '' then commentary end as commentary
    from {{ ref('stg_raw__commentary') }}
),

targets as (
    select
        cast(la_code as varchar) as la_code,
        cast(indicator_code as varchar) as indicator_code,
        cast(financial_year as varchar) as financial_year,
        cast(target as double) as target
    from {{ ref('council_targets') }}
),

labelled as (
    select
        changes.*,
    {%- for name, offset in [('prev', -1), ('this', 0), ('next', 1)] %}
        cast(changes.fy_start_year + {{ offset }} as varchar) || '-'
        || lpad(cast((changes.fy_start_year + {{ offset }} + 1) % 100 as varchar), 2, '0')
            as target_{{ name }}_fy_label{{ ',' if not loop.last }}
    {%- endfor %}
    from changes
)

select
    labelled.la_code,
    labelled.reporting_month,
    labelled.indicator_code,
    catalogue.section,
    catalogue.title,
    catalogue.outcome,
    catalogue.unit,
    {%- for k in range(12, -1, -1) %}
        labelled.value_m{{ k }},
    {%- endfor %}
    labelled.no_data_reason,
    {{ display_figure('labelled.value_m0', 'catalogue.is_percentage') }} as value_display,
    labelled.change_prev_month_pct,
    {{ change_display('labelled.change_prev_month_pct') }} as change_prev_month_display,
    {{ arrow('labelled.change_prev_month_pct') }} as change_prev_month_arrow,
    labelled.change_prev_year_pct,
    {{ change_display('labelled.change_prev_year_pct') }} as change_prev_year_display,
    {{ arrow('labelled.change_prev_year_pct') }} as change_prev_year_arrow,
    labelled.avg_12m,
    {{ display_figure('labelled.avg_12m', 'catalogue.is_percentage') }} as avg_12m_display,
    labelled.max_12m,
    {{ display_figure('labelled.max_12m', 'catalogue.is_percentage') }} as max_12m_display,
    catalogue.polarity,
    case catalogue.polarity
        when 'higher_is_better' then '▲'
        when 'lower_is_better' then '▼'
        when 'context' then ''
    end as desired_direction,
    case when catalogue.is_percentage then 'P' else '-' end as percentage_flag,
    {%- for bench in ['stat_neighbour', 'england', 'region'] %}
        benchmarks.bench_{{ bench }},
        -- indicator_benchmark_map decides (through int_scorecard__benchmarks); the catalogue's benchmark cells
        -- only for a council and month without benchmark rows
        case
            when not coalesce(benchmarks.has_national_equivalent, catalogue.has_national_equivalent) then 'Local'
            else {{ display_figure('benchmarks.bench_' ~ bench, 'catalogue.is_percentage') }}
        end as bench_{{ bench }}_display,
        benchmarks.bench_{{ bench }}_no_data_reason,
    {%- endfor %}
    benchmarks.benchmark_year,
    benchmarks.sn_vintage as bench_sn_vintage,
    benchmarks.sn_neighbours_used as bench_sn_neighbours_used,
    {%- for name in ['prev', 'this', 'next'] %}
        labelled.target_{{ name }}_fy_label,
        target_{{ name }}.target as target_{{ name }}_fy,
    {%- endfor %}
    commentary.commentary
from labelled
left join catalogue
    on labelled.indicator_code = catalogue.indicator_code
left join {{ ref('int_scorecard__benchmarks') }} as benchmarks
    on
    labelled.la_code = benchmarks.la_code
    and labelled.indicator_code = benchmarks.indicator_code
    and labelled.reporting_month between benchmarks.valid_from_month and benchmarks.valid_to_month
{%- for name in ['prev', 'this', 'next'] %}
    left join targets as target_{{ name }}
        on
        labelled.la_code = target_{{ name }}.la_code
        and labelled.indicator_code = target_{{ name }}.indicator_code
        and labelled.target_{{ name }}_fy_label = target_{{ name }}.financial_year
{%- endfor %}
left join commentary
    on
    labelled.la_code = commentary.la_code
    and labelled.reporting_month = commentary.month
    and labelled.indicator_code = commentary.indicator_code
