-- Missing (M) and absent (A) episodes: local_missing_all (every child open to the LA) and the SSDA903
-- missing table (looked-after children only), told apart by source_table.

with

missing_all as (

    select * from {{ ref('stg_local__missing_all') }}

),

missing_903 as (

    select * from {{ ref('stg_ssda903__missing') }}

),

unioned as (

    select
        la_code,
        child_key,
        missing,
        mis_start,
        mis_end,
        extract_id,
        'local_missing_all' as source_table
    from missing_all
    union all
    select
        la_code,
        child_key,
        missing,
        mis_start,
        mis_end,
        extract_id,
        'ssda903_missing' as source_table
    from missing_903

),

final as (

    select * from unioned

)

select * from final
