-- One row per (council, catalogue indicator, council month). value is NULL iff no_data_reason is set.
-- Reasons, first applicable wins: source_not_supplied (a list the indicator reads does not cover the month),
-- insufficient_history (M6-QL: referrals not covered in each of the 12 months before), no_snapshot (no
-- extract of a snapshot list with period_end at the month end), no_population, zero_denominator.
-- Percent = numerator / denominator * 100; rate per 10,000 = count / population * 10,000; counts carry no
-- numerator / denominator.

with

months as (

    select * from {{ ref('int_council_months') }}

),

indicators as (

    select
        indicator_code,
        unit
    from {{ ref('dim_indicator') }}

),

requirements as (

    select * from {{ ref('indicator_requirements') }}

),

coverage as (

    select * from {{ ref('int_coverage') }}

),

figures as (

    {% for family in ['front_door', 'early_help', 'assessments', 'children_in_need', 'child_protection',
                      'looked_after', 'care_leavers', 'fostering'] %}
        select * from {{ ref('int_indicators__' ~ family) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

population as (

    select
        months.la_code,
        months.month,
        council_population.population_0_17
    from months
    inner join {{ ref('dim_month') }} as calendar_months on months.month = calendar_months.month
    inner join {{ ref('dim_council_population') }} as council_population
        on months.la_code = council_population.la_code
        and calendar_months.population_year = council_population.population_year

),

spine as (

    select
        months.la_code,
        indicators.indicator_code,
        indicators.unit,
        months.month
    from months
    cross join indicators

),

availability as (

    select
        spine.la_code,
        spine.indicator_code,
        spine.month,
        bool_or(requirements.requirement = 'window' and not coalesce(coverage.is_covered, false))
            as lacks_source,
        bool_or(requirements.requirement = 'history_12m' and not coalesce(coverage.has_12m_history, false))
            as lacks_history,
        bool_or(requirements.requirement = 'snapshot' and not coalesce(coverage.has_snapshot, false))
            as lacks_snapshot
    from spine
    inner join requirements on spine.indicator_code = requirements.indicator_code
    left join coverage
        on spine.la_code = coverage.la_code
        and requirements.table_name = coverage.table_name
        and spine.month = coverage.month
    group by spine.la_code, spine.indicator_code, spine.month

),

combined as (

    select
        spine.la_code,
        spine.indicator_code,
        spine.unit,
        spine.month,
        figures.numerator,
        case
            when spine.unit = 'rate_per_10k' then cast(population.population_0_17 as double)
            else figures.denominator
        end as denominator,
        coalesce(availability.lacks_source, false) as lacks_source,
        coalesce(availability.lacks_history, false) as lacks_history,
        coalesce(availability.lacks_snapshot, false) as lacks_snapshot
    from spine
    left join figures
        on spine.la_code = figures.la_code
        and spine.indicator_code = figures.indicator_code
        and spine.month = figures.month
    left join availability
        on spine.la_code = availability.la_code
        and spine.indicator_code = availability.indicator_code
        and spine.month = availability.month
    left join population on spine.la_code = population.la_code and spine.month = population.month

),

reasoned as (

    select
        *,
        case
            when lacks_source then 'source_not_supplied'
            when lacks_history then 'insufficient_history'
            when lacks_snapshot then 'no_snapshot'
            when unit = 'rate_per_10k' and coalesce(denominator, 0) <= 0 then 'no_population'
            when unit = 'percent' and denominator = 0 then 'zero_denominator'
        end as no_data_reason
    from combined

),

final as (

    select
        la_code,
        indicator_code,
        month,
        case
            when no_data_reason is not null then null
            when unit = 'count' then numerator
            when unit = 'percent' then numerator / denominator * 100
            when unit = 'rate_per_10k' then numerator / denominator * 10000
        end as value,
        case
            when unit = 'count' then null
            when no_data_reason in ('source_not_supplied', 'insufficient_history', 'no_snapshot', 'no_population')
                then null
            else numerator
        end as numerator,
        case
            when unit = 'count' then null
            when no_data_reason in ('source_not_supplied', 'insufficient_history', 'no_snapshot', 'no_population')
                then null
            else denominator
        end as denominator,
        no_data_reason
    from reasoned

)

select
    cast(la_code as varchar) as la_code,
    cast(indicator_code as varchar) as indicator_code,
    cast(month as date) as month,
    cast(value as double) as value,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    cast(no_data_reason as varchar) as no_data_reason
from final
