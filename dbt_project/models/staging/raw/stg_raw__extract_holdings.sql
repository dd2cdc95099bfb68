-- One row per (extract, raw table it holds), with the contract §5 order of the extracts that hold the
-- table: extract_date, then period_end, then extract_id (holding_order 1 = oldest).

with

extracts as (

    select * from {{ ref('stg_raw__extracts') }}

),

source as (

    select * from {{ source('raw', 'extract_tables') }}

),

renamed as (

    select
        extract_id,
        table_name,
        rows_loaded,
        rows_quarantined
    from source

),

final as (

    select
        extracts.la_code,
        renamed.table_name,
        extracts.extract_id,
        extracts.extract_date,
        extracts.period_end,
        extracts.window_start,
        row_number() over (
            partition by extracts.la_code, renamed.table_name
            order by extracts.extract_date, extracts.period_end, extracts.extract_id
        ) as holding_order
    from renamed
    inner join extracts on renamed.extract_id = extracts.extract_id

)

select * from final
