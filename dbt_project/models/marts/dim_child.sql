-- Pseudonymous children: child_key (keyed hash, qualified by council at ingest), council, birth month,
-- gender, ethnicity. Each attribute is the latest non-empty value across the Annex A lists and the
-- SSDA903 header (later extract first).

with

person_rows as (

    {% for model in ['stg_annex_a__contacts', 'stg_annex_a__early_help', 'stg_annex_a__referrals',
                     'stg_annex_a__assessments', 'stg_annex_a__s47', 'stg_annex_a__cin', 'stg_annex_a__cp',
                     'stg_annex_a__cla', 'stg_annex_a__care_leavers', 'stg_annex_a__adoption'] %}
        select
            la_code,
            child_key,
            birth_month,
            gender,
            ethnicity,
            extract_date
        from {{ ref(model) }}
        union all
    {% endfor %}
    select
        la_code,
        child_key,
        birth_month,
        case
            when sex in ('1', 'M') then 'MALE'
            when sex in ('2', 'F') then 'FEMALE'
            when sex = 'U' then 'NOT STATED/RECORDED'
        end as gender,
        ethnic as ethnicity,
        extract_date
    from {{ ref('stg_ssda903__header') }}

),

final as (

    select
        child_key,
        la_code,
        -- arg_max skips a row whose value is NULL (arg_max_null would keep it): the latest non-empty value
        arg_max(birth_month, extract_date) as birth_month,
        arg_max(gender, extract_date) as gender,
        arg_max(ethnicity, extract_date) as ethnicity
    from person_rows
    group by child_key, la_code

)

select * from final
