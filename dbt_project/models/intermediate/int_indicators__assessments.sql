-- Single assessments: EH3, EH3a% .. EH3e%, EH4 (val), EH4-QL (counted in the month of authorisation).

with

months as (

    select * from {{ ref('int_council_months') }}

),

assessments as (

    select
        la_code,
        authorised_month as month,
        count(*) as completed,
        count(*) filter (where duration_band = '0-10') as band_0_10,
        count(*) filter (where duration_band = '11-25') as band_11_25,
        count(*) filter (where duration_band = '26-35') as band_26_35,
        count(*) filter (where duration_band = '36-45') as band_36_45,
        count(*) filter (where duration_band = '46+') as band_46_plus,
        count(*) filter (where duration_working_days <= 45) as within_45
    from {{ ref('fct_assessments') }}
    where assessment_authorised_date is not null
    group by la_code, authorised_month

),

wide as (

    select
        months.la_code,
        months.month,
        coalesce(assessments.completed, 0) as completed,
        coalesce(assessments.band_0_10, 0) as band_0_10,
        coalesce(assessments.band_11_25, 0) as band_11_25,
        coalesce(assessments.band_26_35, 0) as band_26_35,
        coalesce(assessments.band_36_45, 0) as band_36_45,
        coalesce(assessments.band_46_plus, 0) as band_46_plus,
        coalesce(assessments.within_45, 0) as within_45
    from months
    left join assessments on months.la_code = assessments.la_code and months.month = assessments.month

),

final as (

    {{ indicator_rows('wide', [
        ['EH3', 'completed', none],
        ['EH3a%', 'band_0_10', 'completed'],
        ['EH3b%', 'band_11_25', 'completed'],
        ['EH3c%', 'band_26_35', 'completed'],
        ['EH3d%', 'band_36_45', 'completed'],
        ['EH3e%', 'band_46_plus', 'completed'],
        ['EH4 (val)', 'within_45', none],
        ['EH4-QL', 'within_45', 'completed'],
    ]) }}

)

select * from final
