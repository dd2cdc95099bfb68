"""The shared export: the scorecard with small-number suppression, for sharing outside the council.

The council's own publication (``scorecard.duckdb``, ``parquet/``) keeps exact figures: it is for the
council's analysts and its board. This export is what may leave the council (partners, regional groups,
the public). It is written as CSV (text, because suppressed cells hold markers) to ``<published>/shared/``
with every publication when ``CSC_PUBLISH_SHARED_EXPORT=1`` (see publish/README.md):

- ``shared/scorecard_monthly.csv`` (la_code, indicator_code, month, value, numerator, denominator,
  no_data_reason, suppressed) and ``shared/scorecard.csv`` (the scorecard without free-text commentary).

Rules, per (council, indicator, month) row of ``scorecard_monthly``:

1. *Primary*: a count indicator (no numerator or denominator) whose value is 1-4, or a percentage or rate
   whose numerator or denominator is 1-4 (greater than 0 and less than 5), is suppressed.
2. *By subtraction*: when the percentages sharing one denominator in a month partition it (their numerators
   add up to the denominator, e.g. the EH3 timeliness bands) and exactly one of them is suppressed, the one
   with the next smallest non-zero numerator is suppressed too; a count indicator whose value equals the
   numerator of a row suppressed this way (its "(val)" twin) is suppressed as well.
3. In a suppressed row every figure is hidden: value, numerator and denominator. A hidden count of 1-4 reads
   ``<5``; any other hidden figure (a percentage, a rate, a count of 0 or of 5 and more hidden by rule 2)
   reads ``[c]`` (the GSS "confidential" mark), so ``<5`` never claims something false.
4. In ``scorecard``: each trend value ``value_m0`` .. ``value_m12`` follows its month's row; the change on the
   previous month is hidden when m0 or m1 is, the change on the previous year when m0 or m12 is (either would
   give the hidden value back from the shown one); ``avg_12m`` and ``max_12m`` are hidden when any trend value
   is. Arrows of a hidden change are dropped. Benchmarks and targets (other councils' published figures and
   the council's own targets) are kept. Commentary is left out: free text is not checked for small numbers.

Zero is shown (it identifies no one). Figures are written as plain decimals (whole numbers without ``.0``).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

SHARED_DIR = "shared"
COUNT_MARK = "<5"
OTHER_MARK = "[c]"
TREND = 13  # value_m12 .. value_m0

_FMT = (
    "create or replace temp macro _fmt(x) as case when x is null then null "
    "when x = trunc(x) and abs(x) < 1e15 then cast(cast(x as bigint) as varchar) "
    "else cast(round(x, 6) as varchar) end"
)
_SMALL = "coalesce({x} > 0 and {x} < 5, false)"


def _sql_str(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _has_column(con, schema: str, table: str, column: str) -> bool:
    return bool(
        con.execute(
            "select 1 from information_schema.columns where table_catalog = current_database() "
            "and table_schema = ? and table_name = ? and column_name = ?",
            [schema, table, column],
        ).fetchall()
    )


def suppress_monthly(con: duckdb.DuckDBPyConnection, source: str = "marts") -> None:
    """Create temp table ``_shared_monthly``: scorecard_monthly with ``suppressed`` and the text figures.

    ``con``'s current database holds ``<source>.scorecard_monthly`` (and, when present, ``dim_indicator``
    with ``denominator_definition``, which names the denominator shared by a partition).
    """
    con.execute(_FMT)
    group = (
        "coalesce(i.denominator_definition, cast(m.denominator as varchar))"
        if _has_column(con, source, "dim_indicator", "denominator_definition")
        else "cast(m.denominator as varchar)"
    )
    join = (
        f"left join {source}.dim_indicator i using (indicator_code)"
        if _has_column(con, source, "dim_indicator", "denominator_definition")
        else ""
    )
    is_count = "m.numerator is null and m.denominator is null"
    con.execute(
        f"""
        create or replace temp table _shared_monthly as
        select m.la_code, m.indicator_code, m.month, m.value, m.numerator, m.denominator, m.no_data_reason,
               {group} as partition_key,
               ({is_count}) as is_count,
               case when {is_count} then {_SMALL.format(x="m.value")}
                    else {_SMALL.format(x="m.numerator")} or {_SMALL.format(x="m.denominator")}
               end as primary_,
               false as suppressed
        from {source}.scorecard_monthly m {join}
        """
    )
    # Rule 2: one suppressed member of a partition could be recovered as denominator minus the others.
    con.execute(
        """
        create or replace temp table _shared_second as
        with parts as (
            select la_code, month, partition_key, denominator
            from _shared_monthly
            where not is_count and numerator is not null and denominator is not null
            group by all
            having sum(numerator) = denominator and sum(primary_::int) = 1 and count(*) > 1
        ),
        ranked as (
            select m.la_code, m.indicator_code, m.month, m.numerator,
                   row_number() over (
                       partition by m.la_code, m.month, m.partition_key, m.denominator
                       order by m.numerator, m.indicator_code
                   ) as rank_
            from _shared_monthly m join parts p using (la_code, month, partition_key, denominator)
            where not m.primary_ and m.numerator > 0
        )
        select la_code, indicator_code, month, numerator from ranked where rank_ = 1
        """
    )
    con.execute(
        """
        update _shared_monthly m set suppressed = true
        where m.primary_
           or exists (select 1 from _shared_second s
                      where s.la_code = m.la_code and s.month = m.month
                        and s.indicator_code = m.indicator_code)
           or (m.is_count and exists (select 1 from _shared_second s
                      where s.la_code = m.la_code and s.month = m.month and s.numerator = m.value))
        """
    )


def _hidden(x: str) -> str:
    return f"case when {_SMALL.format(x=x)} then '{COUNT_MARK}' else '{OTHER_MARK}' end"


def write_shared_export(
    con: duckdb.DuckDBPyConnection, out_dir: Path, source: str = "marts"
) -> dict[str, int]:
    """Write ``out_dir/scorecard_monthly.csv`` and ``out_dir/scorecard.csv``; returns their row counts."""
    out_dir.mkdir(parents=True, exist_ok=True)
    suppress_monthly(con, source)
    con.execute(
        f"""
        create or replace temp view _shared_monthly_out as
        select la_code, indicator_code, month,
               case when not suppressed then _fmt(value)
                    when is_count then {_hidden("value")} else '{OTHER_MARK}' end as value,
               case when suppressed and numerator is not null then {_hidden("numerator")}
                    else _fmt(numerator) end as numerator,
               case when suppressed and denominator is not null then {_hidden("denominator")}
                    else _fmt(denominator) end as denominator,
               no_data_reason, suppressed
        from _shared_monthly order by la_code, indicator_code, month
        """
    )
    # The scorecard: value_mK is the month K months before the reporting month.
    joins, hidden_any, replace = [], [], []
    for k in range(TREND):
        joins.append(
            f"left join _shared_monthly_txt c{k} on c{k}.la_code = s.la_code "
            f"and c{k}.indicator_code = s.indicator_code "
            f"and c{k}.month = cast(s.reporting_month - interval {k} month as date)"
        )
        hidden_any.append(f"coalesce(c{k}.suppressed, false)")
        replace.append(f"case when c{k}.suppressed then c{k}.value else _fmt(s.value_m{k}) end as value_m{k}")
    hidden = {k: f"coalesce(c{k}.suppressed, false)" for k in range(TREND)}
    month_hidden = f"({hidden[0]} or {hidden[1]})"
    year_hidden = f"({hidden[0]} or {hidden[12]})"
    any_hidden = "(" + " or ".join(hidden_any) + ")"
    columns = {
        r[0]: r[1]
        for r in con.execute(
            "select column_name, data_type from information_schema.columns where table_catalog = "
            "current_database() and table_schema = ? and table_name = 'scorecard' order by ordinal_position",
            [source],
        ).fetchall()
    }

    def mark_if(condition: str, column: str) -> str:
        text = f"_fmt(s.{column})" if columns[column] in ("DOUBLE", "FLOAT", "DECIMAL") else f"s.{column}"
        return f"case when {condition} then '{OTHER_MARK}' else {text} end as {column}"

    def null_if(condition: str, column: str) -> str:
        return f"case when {condition} then null else s.{column} end as {column}"

    rules = {
        "change_prev_month_pct": (mark_if, month_hidden),
        "change_prev_month_display": (mark_if, month_hidden),
        "change_prev_month_arrow": (null_if, month_hidden),
        "change_prev_year_pct": (mark_if, year_hidden),
        "change_prev_year_display": (mark_if, year_hidden),
        "change_prev_year_arrow": (null_if, year_hidden),
        "avg_12m": (mark_if, any_hidden),
        "avg_12m_display": (mark_if, any_hidden),
        "max_12m": (mark_if, any_hidden),
        "max_12m_display": (mark_if, any_hidden),
    }
    select = []
    for column in columns:
        if column == "commentary":
            continue
        if column.startswith("value_m") and column[7:].isdigit() and int(column[7:]) < TREND:
            select.append(replace[int(column[7:])])
        elif column == "value_display":
            select.append(f"case when {hidden[0]} then c0.value else s.value_display end as value_display")
        elif column in rules:
            rule, condition = rules[column]
            select.append(rule(condition, column))
        else:
            select.append(f"s.{column}")
    con.execute(
        "create or replace temp view _shared_monthly_txt as select m.la_code, m.indicator_code, m.month, "
        "m.suppressed, o.value from _shared_monthly m join _shared_monthly_out o "
        "using (la_code, indicator_code, month)"
    )
    con.execute(
        "create or replace temp view _shared_scorecard_out as select "
        + ", ".join(select)
        + f" from {source}.scorecard s "
        + " ".join(joins)
        + " order by s.la_code, s.reporting_month, s.indicator_code"
    )
    rows = {}
    for name, view in (("scorecard_monthly", "_shared_monthly_out"), ("scorecard", "_shared_scorecard_out")):
        target = out_dir / f"{name}.csv"
        con.execute(f"copy (select * from {view}) to {_sql_str(target)} (header, delimiter ',')")
        rows[name] = con.execute(f"select count(*) from {view}").fetchone()[0]
    return rows
