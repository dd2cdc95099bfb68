-- Event records (contract §5): the latest extract whose window covers the placing date is the truth.

with

-- latest_extract_wins_events reads `renamed` twice: NOT MATERIALIZED keeps DuckDB from copying every raw row
source as not materialized (

    select * from {{ source('annex_a', 'referrals') }}

),

renamed as not materialized (

    select
        la_code,
        extract_id,
        source_file,
        source_line,
        child_key,
        gender,
        ethnicity,
        birth_month,
        age_at_referral,
        referral_date,
        referral_source,
        referral_nfa,
        allocated_team
    from source

),

resolved as (

    {{ latest_extract_wins_events(
        'renamed',
        'annex_a_referrals',
        key_columns=['child_key', 'referral_date'],
        placing_date='referral_date',
        date_columns=['referral_date']
    ) }}

),

final as (

    select
        la_code,
        child_key,
        gender,
        ethnicity,
        birth_month,
        age_at_referral,
        referral_date,
        referral_source,
        referral_nfa,
        allocated_team,
        extract_id,
        extract_date,
        period_end,
        source_file,
        source_line
    from resolved

)

select * from final
