{#-
    Contract §5 (history, corrections and deletions), written once.

    Every macro takes `relation`: a CTE name or relation holding the raw rows of one table (provenance
    columns la_code, extract_id, source_file, source_line first), and `raw_table`: the raw table name as in
    raw.extract_tables. It returns a query (usable as a CTE body) with the surviving rows, the extract facts
    (extract_date, period_end), and with every date column after the row's extract's period_end read as empty
    (NULL). Records are identified by their key columns, compared directly (no per-row key string); NULLs in
    a key compare equal.

    The order of the extracts holding a table is stg_raw__extract_holdings.holding_order
    (extract_date, period_end, extract_id).

    Within one extract a table's rows are already unique on its key columns: an extract holds one file per
    table, and ingest quarantines a later row repeating its file's key (the first stands; ingest.schema keys
    are these key_columns). So no macro de-duplicates within an extract: that window over every raw row cost
    12 s of stg_annex_a__cin_snapshots' 19 s at England (CREATE TABLE AS, one DuckDB thread, same rows).
-#}

{% macro _holdings(raw_table) -%}
    select la_code, extract_id, extract_date, period_end, window_start, holding_order
    from {{ ref('stg_raw__extract_holdings') }}
    where table_name = '{{ raw_table }}'
{%- endmacro %}

{% macro _null_after_period_end(date_columns) -%}
    {%- if date_columns | length > 0 -%}
    replace (
        {%- for c in date_columns %}
        case when cast({{ c }} as date) > period_end then null else {{ c }} end as {{ c }}{{ "," if not loop.last }}
        {%- endfor %}
    )
    {%- endif -%}
{%- endmacro %}

{#- Rows of `relation` joined to their extract, placed and keyed (not yet de-duplicated). -#}
{% macro _placed(relation, raw_table, key_columns, placing_date=none) -%}
    select
        rows_.*,
        holdings.extract_date,
        holdings.period_end,
        holdings.window_start,
        holdings.holding_order,
        {{ placing_date if placing_date else 'null::date' }} as placing_date
    from {{ relation }} as rows_
    inner join ({{ _holdings(raw_table) }}) as holdings
        on rows_.extract_id = holdings.extract_id and rows_.la_code = holdings.la_code
    {% if placing_date -%}
    -- records placed after their extract's period_end are ignored
    where {{ placing_date }} is not null and {{ placing_date }} <= holdings.period_end
    {% endif -%}
{%- endmacro %}


{#-
    Event records. For every date, the latest extract holding the list whose window covers the date is the
    truth; a record placed before a later extract's window_start that this extract holds restates the
    earlier version. So for each record key the authoritative extract is the latest of
      (a) the extracts that hold the key, and
      (b) the extracts whose window (window_start .. period_end) covers the key's placing date;
    the key survives, in that extract's version, only if the authoritative extract holds it.
-#}
{% macro latest_extract_wins_events(relation, raw_table, key_columns, placing_date, date_columns=[]) -%}
    {%- if placing_date.split('::')[0] not in key_columns -%}
        {{ exceptions.raise_compiler_error(
            "latest_extract_wins_events: placing_date '" ~ placing_date ~ "' must be a key column (or a cast of one)"
        ) }}
    {%- endif %}
    {#- `placing_date` (a DATE) is a function of the key columns in every caller, so (b) is one extract per
        (council, placing date): `cover`, the latest extract whose window covers the date. A copy held by an
        extract older than that can never be the survivor (its key is either restated by the covering extract
        or a later one, or deleted), so it is dropped; most rows are such copies (each monthly drop re-sends
        months of events). The remaining copies of a key (the candidates) come from different extracts (an
        extract holds a key once), and every candidate from an extract later than `cover` is held outside its
        extract's window (placing date before window_start): later extracts do not cover the date. So a
        candidate loses only to a later candidate held outside its window (`restating`, few rows, read in a
        pass of their own), and the survivors are the candidates with no such later copy: an anti join, not a
        window over every candidate (stg_annex_a__contacts at England: 5.4 s against 12.6 s, same rows,
        CREATE TABLE AS, one DuckDB thread). -#}
    with
    placed as (
        {{ _placed(relation, raw_table, key_columns, placing_date) }}
    ),

    holdings as (
        {{ _holdings(raw_table) }}
    ),

    -- every date of every holding's window, from the holdings alone: computed from `placed` instead, `placed`
    -- was read twice, so DuckDB materialised it (all raw rows, spilled to disk: 26.5 s against 10.6 s for
    -- the query of stg_annex_a__contacts at England, one DuckDB thread, same rows)
    cover as (
        select la_code, placing_date, max(holding_order) as cover_order
        from (
            select
                la_code,
                holding_order,
                unnest(generate_series(window_start, period_end, interval 1 day))::date as placing_date
            from holdings
        ) as window_days
        group by la_code, placing_date
    ),

    -- candidates held outside their extract's window (the join conditions differ from `placed`'s, so DuckDB
    -- does not share, and materialise, one plan for both)
    restating as (
        select
            rows_.la_code as restating_la_code,
            {%- for c in key_columns %}
            {{ c }} as restating_key_{{ loop.index }},
            {%- endfor %}
            holdings.holding_order as restating_holding_order
        from {{ relation }} as rows_
        inner join holdings
            on rows_.extract_id = holdings.extract_id
            and rows_.la_code = holdings.la_code
            and {{ placing_date }} < holdings.window_start
        left join cover on rows_.la_code = cover.la_code and {{ placing_date }} = cover.placing_date
        where {{ placing_date }} <= holdings.period_end
            and (cover.cover_order is null or holdings.holding_order >= cover.cover_order)
    ),

    resolved as (
        select placed.*
        from placed
        left join cover on placed.la_code = cover.la_code and placed.placing_date = cover.placing_date
        -- the authoritative extract (the latest of the covering extract and those holding the key) must
        -- hold the key: no later candidate
        anti join restating
            on placed.la_code = restating.restating_la_code
            {%- for c in key_columns %}
            and {{ c }} is not distinct from restating.restating_key_{{ loop.index }}
            {%- endfor %}
            and restating.restating_holding_order > placed.holding_order
        where cover.cover_order is null or placed.holding_order >= cover.cover_order
    )

    select resolved.* exclude (window_start, holding_order) {{ _null_after_period_end(date_columns) }}
    from resolved
{%- endmacro %}


{#-
    State records. The latest extract holding a key wins. A record absent from a later extract that holds
    the list is deleted, unless it had ended (end_date, as read in its own extract) before that extract's
    window_start: then it has aged out and is kept as last seen.
-#}
{% macro latest_extract_wins_state(relation, raw_table, key_columns, end_date, placing_date=none, date_columns=[]) -%}
    {#- A row of extract E survives when
          (1) it is not deleted or aged out by a later holding: for every holding H after E, its end_date (as
              read in E) is before H's window_start; true for every row of the council's latest holding, and
              checked against the earliest later window_start (`later_windows`, from the holdings alone);
          (2) no later extract holds its key (E is the key's latest holding; E holds the key once).
        Only the rows passing (1) that are not in their council's latest holding (closed records that aged out)
        can fail (2), so (2) is checked for them alone, against the rows of their keys. The rows are read
        once in full (a hash aggregate of every row's latest holding, read against the rows again, made DuckDB
        copy every raw row: stg_annex_a__cin at England 4.5 s against 8.5 s, same rows, CREATE TABLE AS,
        one DuckDB thread). -#}
    with
    holdings as (
        {{ _holdings(raw_table) }}
    ),

    later_windows as (
        select
            la_code,
            holding_order,
            -- a later holding without a window_start keeps nothing (as `end_date < NULL` is not true)
            min(coalesce(window_start, date '0001-01-01')) over (
                partition by la_code order by holding_order rows between 1 following and unbounded following
            ) as later_window_start
        from holdings
    ),

    kept as (
        select placed.* {{ _null_after_period_end(date_columns) }}, later_windows.later_window_start
        from ({{ _placed(relation, raw_table, key_columns, placing_date) }}) as placed
        inner join later_windows
            on placed.la_code = later_windows.la_code and placed.holding_order = later_windows.holding_order
        where later_windows.later_window_start is null
            or coalesce(
                {% if end_date in date_columns -%}
                case when cast({{ end_date }} as date) > placed.period_end then null else {{ end_date }} end
                {%- else -%}
                {{ end_date }}
                {%- endif %}
                < later_windows.later_window_start,
                false
            )
    ),

    aged_out as (
        select
            la_code as aged_la_code,
            {%- for c in key_columns %}
            {{ c }} as aged_key_{{ loop.index }},
            {%- endfor %}
            holding_order as aged_holding_order
        from kept
        where later_window_start is not null
    ),

    -- aged-out rows whose key a later extract holds
    superseded as (
        select aged_out.*
        from aged_out
        semi join (
            select
                rows_.la_code as later_la_code,
                {%- for c in key_columns %}
                {{ c }} as later_key_{{ loop.index }},
                {%- endfor %}
                holdings.holding_order as later_holding_order
            from {{ relation }} as rows_
            semi join aged_out
                on rows_.la_code = aged_out.aged_la_code
                {%- for c in key_columns %}
                and {{ c }} is not distinct from aged_out.aged_key_{{ loop.index }}
                {%- endfor %}
            inner join holdings on rows_.extract_id = holdings.extract_id and rows_.la_code = holdings.la_code
            {% if placing_date -%}
            where {{ placing_date }} is not null and {{ placing_date }} <= holdings.period_end
            {%- endif %}
        ) as later_rows
            on aged_out.aged_la_code = later_rows.later_la_code
            {%- for c in key_columns %}
            and aged_out.aged_key_{{ loop.index }} is not distinct from later_rows.later_key_{{ loop.index }}
            {%- endfor %}
            and later_rows.later_holding_order > aged_out.aged_holding_order
    )

    select kept.* exclude (window_start, holding_order, later_window_start)
    from kept
    anti join superseded
        on kept.la_code = superseded.aged_la_code
        {%- for c in key_columns %}
        and {{ c }} is not distinct from superseded.aged_key_{{ loop.index }}
        {%- endfor %}
        and kept.holding_order = superseded.aged_holding_order
{%- endmacro %}


{#-
    Snapshot lists (and snapshot fields): true as at period_end. For each (council, month) the latest extract
    by extract_date (then extract_id) holding the list whose period_end is that month's last day.
    Adds snapshot_month (first day) and keeps period_end (= the month's last day).
-#}
{% macro snapshot_per_month(relation, raw_table, key_columns, date_columns=[]) -%}
    with
    chosen as (
        select la_code, extract_id
        from ({{ _holdings(raw_table) }}) as holdings
        where period_end = last_day(period_end)
        qualify row_number() over (
            partition by la_code, period_end order by extract_date desc, holding_order desc
        ) = 1
    ),

    located as (
        {{ _placed(relation, raw_table, key_columns) }}
    )

    select
        located.* exclude (window_start, holding_order, placing_date) {{ _null_after_period_end(date_columns) }},
        date_trunc('month', located.period_end)::date as snapshot_month
    from located
    inner join chosen on located.la_code = chosen.la_code and located.extract_id = chosen.extract_id
{%- endmacro %}


{#-
    SSDA903 tables carry full history: for every child in the latest extract holding the table, that
    extract's rows replace the child's earlier rows. Then records placed after period_end are ignored and
    rows are de-duplicated on the key.
-#}
{% macro latest_extract_wins_903(relation, raw_table, key_columns, placing_date=none, date_columns=[]) -%}
    {%- if 'child_key' not in key_columns -%}
        {{ exceptions.raise_compiler_error("latest_extract_wins_903: child_key must be a key column") }}
    {%- endif %}
    {#- Each child's rows from its latest holding extract are kept (a semi join to each child's latest
        holding, an aggregate over the rows), then the survivors are placed. The aggregate reads the rows
        through a join of its own (holdings filtered in the join condition), and the callers' CTEs are NOT
        MATERIALIZED: sharing one plan with `held` made DuckDB copy every raw row (21.6 s against 10.7 s for a
        window over the rows; stg_ssda903__episodes at England now 3.4-4.2 s against 7.1 s for that window,
        CREATE TABLE AS, one DuckDB thread, same rows). -#}
    with
    child_latest as (
        select held.*
        from ({{ _placed(relation, raw_table, key_columns) }}) as held
        semi join (
            select
                rows_.la_code as latest_la_code,
                rows_.child_key as latest_child_key,
                max(holdings.holding_order) as latest_holding_order
            from {{ relation }} as rows_
            inner join {{ ref('stg_raw__extract_holdings') }} as holdings
                on rows_.extract_id = holdings.extract_id
                and rows_.la_code = holdings.la_code
                and holdings.table_name = '{{ raw_table }}'
            group by rows_.la_code, rows_.child_key
        ) as latest
            on held.la_code = latest.latest_la_code
            and held.child_key is not distinct from latest.latest_child_key
            and held.holding_order = latest.latest_holding_order
    ),

    located as (
        select *
        from child_latest
        {% if placing_date -%}
        -- records placed after their extract's period_end are ignored (as in _placed, after the window here)
        where {{ placing_date }} is not null and {{ placing_date }} <= period_end
        {% endif -%}
    )

    select located.* exclude (window_start, holding_order, placing_date) {{ _null_after_period_end(date_columns) }}
    from located
{%- endmacro %}
