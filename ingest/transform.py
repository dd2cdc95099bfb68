"""Turn the staged text of a batch into raw rows, in DuckDB (contract §6, §7).

The value rules live in :mod:`ingest.normalise` and run in Python on the *distinct* texts of each column of
the batch (a few thousand dates, a handful of codes; a date column's common forms are parsed by DuckDB, tested
equal); their results are joined back to the rows as small map tables, so one implementation of each rule
serves every row, whatever its count. Child and household IDs are normalised the same way (distinct texts)
and hashed in SQL: ``HMAC-SHA256(key, "<la_code>:<id>")``, its first 128 bits as a UUID, written with DuckDB's
``sha256`` over the key's inner and outer pads (equal to Python's ``hmac``, tested), once per
council and distinct ID text of the batch. The key is a query parameter, never part of a statement's text.

Row rules, per file (as before): a code outside its set in a required column, a blank ID or placing date, an
end before its start and a date after the extract date quarantine the row; a later row repeating a file's
§5 key is quarantined (the first stands); in an optional column an unparseable value or a code outside its set
is nulled and recorded (``value_nulled``). A US-style date column, or an unparseable value in a required
column, refuses the whole extract with a message naming file, row and column (the first problem in file and
column order). Rows that are entirely blank are dropped.

:func:`map_batch` builds the value maps and pseudonyms of a staged batch, :func:`normalise_batch` the temp
tables ``norm_<table>`` from them, and :func:`write_batch` inserts those, inside the caller's transaction.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ingest.normalise import (
    COMMON_DATE_FORMS,
    COMMON_TIMESTAMP_FORMS,
    CommonForms,
    is_number,
    normalise_codes,
    normalise_ids,
    normalise_text,
    parse_dates,
    parse_integers,
    us_style_dates,
)
from ingest.schema import META_TABLES, RAW_SCHEMA, Kind, RawTable, SourceColumn
from ingest.staging import insert_rows, record_number, stage_table_name

__all__ = [
    "HMAC_SQL",
    "BatchCounts",
    "drop_batch_tables",
    "hmac_pads",
    "map_batch",
    "normalise_batch",
    "write_batch",
]

_ID_KINDS = (Kind.CHILD_ID, Kind.HOUSEHOLD_ID)
_NORMAL_ID = "[0-9A-Z]+"  # an ID text already in normal form
_DATE_KINDS = (Kind.DATE, Kind.DOB, Kind.TIMESTAMP)
_SHA256_BLOCK = 64


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """The (outer, inner) pads of HMAC-SHA256 for ``key`` (RFC 2104)."""
    if len(key) > _SHA256_BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_SHA256_BLOCK, b"\0")
    return bytes(b ^ 0x5C for b in key), bytes(b ^ 0x36 for b in key)


#: ``HMAC-SHA256(key, la_code || ':' || id)``, its first 128 bits as a UUID, over columns ``la_code`` and
#: ``id``, with the key's pads as the parameters ``$outer`` and ``$inner`` (never part of a statement's text).
HMAC_SQL = (
    "CAST(left(sha256($outer::BLOB || unhex(sha256($inner::BLOB || encode(la_code || ':' || id)))), 32) "
    "AS UUID)"
)


def _lit(text: str | None) -> str:
    """A SQL string literal (NULL for None)."""
    return "NULL" if text is None else "'" + text.replace("'", "''") + "'"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _value_type(table: RawTable, col: SourceColumn) -> str:
    if col.kind is Kind.DOB:
        return "DATE"
    return dict(table.columns).get(col.field, "VARCHAR")


def _what(col: SourceColumn) -> str:
    if col.kind is Kind.TIMESTAMP:
        return "date and time"
    return "whole number" if col.kind is Kind.INTEGER else "date"


def _convert(col: SourceColumn, uniques: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """(value, invalid, US-style) for distinct texts of one column."""
    none = np.zeros(len(uniques), dtype=bool)
    if col.kind in _DATE_KINDS:
        values, bad = parse_dates(uniques, with_time=col.kind is Kind.TIMESTAMP)
        # a US-style date ("month" above 12) never parses as DD/MM/YYYY: only unparseable texts are looked at
        us = np.zeros(len(uniques), dtype=bool)
        us[bad] = us_style_dates(uniques[bad])
        return values, bad, us
    if col.kind is Kind.INTEGER:
        values, bad = parse_integers(uniques)
        return values, bad, none
    if col.kind is Kind.TEXT:
        return normalise_text(uniques), none, none
    values, bad = normalise_codes(uniques, col.codes)
    return values, bad, none


@dataclass
class _Problem:
    order: tuple[int, int, int]  # (file_id, column position, 0 for US-style / 1 for unparseable)
    message: str


@dataclass
class BatchCounts:
    files: dict[int, tuple[int, int]] = field(default_factory=dict)  # file_id -> (rows loaded, quarantined)
    rows: dict[int, dict[str, int]] = field(default_factory=dict)  # extract_no -> {table: rows loaded}
    quarantined: dict[int, dict[str, int]] = field(default_factory=dict)  # extract_no -> {table: rows}
    values_nulled: dict[int, int] = field(default_factory=dict)  # extract_no -> values nulled


def _staged_tables(con, tables: list[RawTable]) -> list[RawTable]:
    names = {r[0] for r in con.execute("SELECT DISTINCT table_name FROM stage_files").fetchall()}
    return [t for t in tables if t.name in names]


def _common_forms(col: SourceColumn) -> CommonForms | None:
    if col.kind is Kind.TIMESTAMP:
        return COMMON_TIMESTAMP_FORMS
    return COMMON_DATE_FORMS if col.kind in _DATE_KINDS else None


def _build_maps(con, table: RawTable) -> list[_Problem]:
    """map_<table>__<field>(raw, val, bad) per value column; problems that refuse an extract.

    The distinct texts of a date column in its common forms are parsed by DuckDB (``strptime`` with the
    formats of :data:`ingest.normalise.COMMON_DATE_FORMS`); the other texts, and every other column's, go
    through the Python rules."""
    problems: list[_Problem] = []
    stage = stage_table_name(table)
    for position, col in enumerate(table.source):
        if col.kind in _ID_KINDS:
            continue
        field = _q(col.field)
        name = f"map_{table.name}__{col.field}"
        value_type = _value_type(table, col)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _distinct AS "
            f"SELECT DISTINCT {field} AS raw FROM {stage} WHERE {field} IS NOT NULL"
        )
        forms = _common_forms(col)
        if forms is None:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} (raw VARCHAR, val {value_type}, bad BOOLEAN)")
        else:
            formats = "[" + ", ".join(_lit(f) for f in forms.formats) + "]"
            con.execute(
                f"""
                CREATE OR REPLACE TEMP TABLE {name} AS
                SELECT raw, CAST(parsed AS {value_type}) AS val, false AS bad
                FROM (
                    SELECT raw, try_strptime(raw, {formats}) AS parsed FROM _distinct
                    WHERE regexp_full_match(raw, {_lit(forms.pattern)})
                )
                WHERE year(parsed) BETWEEN {forms.years[0]} AND {forms.years[1]}
                """
            )
        texts = [
            r[0] for r in con.execute(f"SELECT raw FROM _distinct ANTI JOIN {name} USING (raw)").fetchall()
        ]
        uniques = pd.Series(texts, dtype=object)
        values, bad, us = _convert(col, uniques)
        if texts:
            frame = pd.DataFrame({"raw": uniques, "val": values.reset_index(drop=True), "bad": bad})
            con.register("_map_frame", frame)
            try:
                con.execute(
                    f"INSERT INTO {name} SELECT CAST(raw AS VARCHAR), CAST(val AS {value_type}), bad "
                    "FROM _map_frame"
                )
            finally:
                con.unregister("_map_frame")
        header = col.headers[0]
        if us.any():
            for file_id, source_file, line, count, _first in _rows_with(
                con, table, col, uniques[us].tolist()
            ):
                problems.append(
                    _Problem(
                        (file_id, position, 0),
                        f"{source_file}: row {line}: column '{header}': a date with a month above 12: "
                        "the column looks US-style (MM/DD/YYYY), the contract requires DD/MM/YYYY "
                        f"({count} row(s) in this column; refused rather than guessing every ambiguous date)",
                    )
                )
        if col.required and col.kind in (*_DATE_KINDS, Kind.INTEGER) and bad.any():
            what = _what(col)
            for file_id, source_file, line, count, first in _rows_with(
                con, table, col, uniques[bad].tolist()
            ):
                hint = (
                    " (a number, e.g. an Excel serial date: dates must be DD/MM/YYYY text or date cells)"
                    if what != "whole number" and is_number(first)
                    else ""
                )
                problems.append(
                    _Problem(
                        (file_id, position, 1),
                        f"{source_file}: row {line}: column '{header}': unparseable {what}{hint}"
                        f" ({count} row(s) in this column)",
                    )
                )
    return problems


def _rows_with(con, table: RawTable, col: SourceColumn, texts: list[str]) -> list[tuple]:
    """Per file holding any of ``texts`` in ``col``: (file_id, source_file, first line, rows, first text)."""
    con.execute("CREATE OR REPLACE TEMP TABLE _texts (raw VARCHAR)")
    insert_rows(con, "_texts", ["raw"], [[t] for t in texts])
    return con.execute(
        f"""
        SELECT f.file_id, f.source_file, min({record_number("s")} - f.line_offset), count(*),
               arg_min(s.{_q(col.field)}, {record_number("s")})
        FROM {stage_table_name(table)} AS s
        JOIN stage_files AS f USING (file_id)
        JOIN _texts AS t ON t.raw = s.{_q(col.field)}
        GROUP BY ALL ORDER BY f.file_id
        """
    ).fetchall()


def _build_keys(con, tables: list[RawTable], key: bytes) -> None:
    """_keys(la_code, raw, key): the pseudonym of every ID text of the batch (one HMAC per council, text)."""
    selects = []
    for table in tables:
        id_field = _q(table.source[0].field)
        selects.append(
            f"SELECT e.la_code, s.{id_field} AS raw FROM {stage_table_name(table)} AS s "
            "JOIN stage_files AS f USING (file_id) JOIN stage_extracts AS e USING (extract_no) "
            f"WHERE s.{id_field} IS NOT NULL"
        )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _raw_ids AS SELECT DISTINCT * FROM ("
        + " UNION ALL ".join(selects)
        + ")"
    )
    # A text of capital letters and digits only is already in normal form (normalise_ids returns it unchanged,
    # tested) and is hashed as it is; every other text goes through normalise_ids, the one definition.
    texts = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT raw FROM _raw_ids WHERE NOT regexp_full_match(raw, '{_NORMAL_ID}')"
        ).fetchall()
    ]
    uniques = pd.Series(texts, dtype=object)
    frame = pd.DataFrame({"raw": uniques, "id": normalise_ids(uniques).reset_index(drop=True)})
    con.register("_id_frame", frame)
    outer, inner = hmac_pads(key)
    try:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _keys AS
            SELECT la_code, raw, {HMAC_SQL} AS key
            FROM (
                SELECT la_code, raw, raw AS id FROM _raw_ids WHERE regexp_full_match(raw, '{_NORMAL_ID}')
                UNION ALL
                SELECT r.la_code, r.raw, CAST(m.id AS VARCHAR) AS id
                FROM _raw_ids AS r JOIN _id_frame AS m ON m.raw = r.raw
                WHERE m.id IS NOT NULL
            )
            """,
            {"outer": outer, "inner": inner},
        )
    finally:
        con.unregister("_id_frame")


def _key_name(table: RawTable) -> str:
    return "household_key" if table.source[0].kind is Kind.HOUSEHOLD_ID else "child_key"


def _blank_label(table: RawTable, name: str) -> tuple[str | None, str]:
    """(column_name, reason) of the quarantine entry for a blank ``name``."""
    if name == _key_name(table):
        return name, "blank " + ("child ID" if name == "child_key" else "household ID")
    if name.startswith("coalesce("):
        return None, "blank placing date (" + name[len("coalesce(") : -1].replace(", ", " or ") + ")"
    return name, f"blank {name}"


def _rules(table: RawTable) -> list[tuple[str, str | None, str]]:
    """Row-quarantine rules: (SQL condition over norm columns, column_name, reason)."""
    rules: list[tuple[str, str | None, str]] = []
    for col in table.source:
        if col.kind in (Kind.CODE, Kind.YESNO) and col.required:
            rules.append(
                (f"_bad_{col.field}", col.field, f"value of '{col.headers[0]}' outside its code set")
            )
    for name in table.not_blank:
        column, reason = _blank_label(table, name)
        rules.append((f"({_expr(name)}) IS NULL", column, reason))
    for start, end in table.end_after_start:
        rules.append((f"coalesce({_q(end)} < {_q(start)}, false)", end, f"{end} before {start}"))
    for name, typ in table.columns:
        if typ in ("DATE", "TIMESTAMP") and name != "birth_month":
            rules.append((f"coalesce({_q(name)} >= _day_after, false)", name, f"{name} after extract_date"))
    return rules


def _nulled(table: RawTable) -> list[tuple[str, str, str]]:
    """Value-nulled rules: (flag column, column_name, reason)."""
    out = []
    for col in table.source:
        if col.kind in _ID_KINDS or (
            col.required and col.kind in (*_DATE_KINDS, Kind.INTEGER, Kind.CODE, Kind.YESNO)
        ):
            continue
        if col.kind in (Kind.CODE, Kind.YESNO):
            out.append((f"_bad_{col.field}", col.field, f"value of '{col.headers[0]}' outside its code set"))
        elif col.kind in (*_DATE_KINDS, Kind.INTEGER):
            out.append((f"_bad_{col.field}", col.field, f"unparseable {_what(col)} in '{col.headers[0]}'"))
    return out


def _expr(name: str) -> str:
    """A raw column, or ``coalesce(a, b)`` of raw columns, as SQL over the norm table."""
    if name.startswith("coalesce("):
        return "coalesce(" + ", ".join(_q(c.strip()) for c in name[len("coalesce(") : -1].split(",")) + ")"
    return _q(name)


def _build_norm(con, table: RawTable, rejected: list[int]) -> None:
    stage = stage_table_name(table)
    key_name = _key_name(table)
    id_field = _q(table.source[0].field)
    selects = [
        "s.file_id",
        "f.extract_no",
        f"CAST({record_number('s')} - f.line_offset AS INTEGER) AS source_line",
        "e.extract_date + 1 AS _day_after",
        f"k.key AS {key_name}",
    ]
    joins = [
        "JOIN stage_files AS f USING (file_id)",
        "JOIN stage_extracts AS e USING (extract_no)",
        f"LEFT JOIN _keys AS k ON k.la_code = e.la_code AND k.raw = s.{id_field}",
    ]
    # A row with a pseudonym has a non-blank ID, so only rows without one are tested for blankness (the
    # regular expressions cost as much as the rest of the statement when run on every row).
    blank = []
    for i, col in enumerate(table.source):
        field = _q(col.field)
        blank.append(f"regexp_full_match(coalesce(s.{field}, ''), '\\s*')")
        if col.kind in _ID_KINDS:
            continue
        selects.append(f"m{i}.val AS {field}")
        selects.append(f"coalesce(m{i}.bad, false) AS _bad_{col.field}")
        joins.append(f"LEFT JOIN map_{table.name}__{col.field} AS m{i} ON m{i}.raw = s.{field}")
    excluded = f"AND f.extract_no NOT IN ({', '.join(map(str, rejected))})" if rejected else ""
    rules = _rules(table)
    q_pre = " OR ".join(cond for cond, _, _ in rules) or "false"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE norm_{table.name} AS
        WITH v AS (
            SELECT {", ".join(selects)}
            FROM {stage} AS s {" ".join(joins)}
            WHERE (k.key IS NOT NULL OR NOT ({" AND ".join(blank)})) {excluded}
        )
        SELECT *, ({q_pre}) AS _q_pre, false AS _dup FROM v
        """
    )
    keys = [_expr(k) for k in table.key]
    key_cols = ", ".join(f"{k} AS _k{i}" for i, k in enumerate(keys))
    names = ", ".join(f"_k{i}" for i in range(len(keys)))
    same = " AND ".join(f"d._k{i} IS NOT DISTINCT FROM n._k{i}" for i in range(len(keys)))
    # A later row repeating its file's key is a duplicate (the first stands). Most batches have none: the
    # hashes of the keys that repeat are found first (grouping on one 64-bit hash is cheaper than on the key
    # columns), then the keys that repeat among those rows, and rows are marked only when there are some.
    key_hash = f"hash({', '.join(keys)})"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _repeated_hashes AS SELECT file_id, {key_hash} AS h "
        f"FROM norm_{table.name} WHERE NOT _q_pre GROUP BY ALL HAVING count(*) > 1"
    )
    if not con.execute("SELECT count(*) FROM _repeated_hashes").fetchone()[0]:
        return
    keyed = (
        f"SELECT file_id, source_line, {key_cols} FROM norm_{table.name} AS n "
        f"SEMI JOIN _repeated_hashes AS r ON r.file_id = n.file_id AND r.h = {key_hash} WHERE NOT _q_pre"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _repeated_keys AS SELECT file_id, "
        f"{names}, min(source_line) AS first_line FROM ({keyed}) GROUP BY ALL HAVING count(*) > 1"
    )
    if con.execute("SELECT count(*) FROM _repeated_keys").fetchone()[0]:
        con.execute(
            f"""
            UPDATE norm_{table.name} AS t SET _dup = true
            FROM (
                SELECT n.file_id, n.source_line
                FROM ({keyed}) AS n JOIN _repeated_keys AS d ON d.file_id = n.file_id AND {same}
                WHERE n.source_line > d.first_line
            ) AS d
            WHERE t.file_id = d.file_id AND t.source_line = d.source_line
            """
        )


def map_batch(con, tables: list[RawTable], key: bytes, rejected: dict[int, str]) -> dict[int, str]:
    """Build the value maps ``map_<table>__<field>`` and the pseudonyms ``_keys`` of the staged tables;
    returns {extract_no: message} for extracts refused by a value (also added to ``rejected``)."""
    staged = _staged_tables(con, tables)
    if not staged:
        return {}
    problems: dict[int, list[_Problem]] = {}
    file_extract = dict(con.execute("SELECT file_id, extract_no FROM stage_files").fetchall())
    for table in staged:
        for problem in _build_maps(con, table):
            problems.setdefault(file_extract[problem.order[0]], []).append(problem)
    refused = {
        extract_no: min(found, key=lambda p: p.order).message
        for extract_no, found in problems.items()
        if extract_no not in rejected
    }
    rejected.update(refused)
    _build_keys(con, staged, key)
    return refused


def normalise_batch(con, tables: list[RawTable], rejected: dict[int, str]) -> None:
    """Build ``norm_<table>`` for every staged table from its maps (after :func:`map_batch`), leaving out the
    rows of the ``rejected`` extracts."""
    for table in _staged_tables(con, tables):
        _build_norm(con, table, sorted(rejected))


def _age(dob: str, at: str) -> str:
    return (
        f"CASE WHEN {dob} IS NULL OR {at} IS NULL THEN NULL WHEN {dob} > {at} THEN -1 "
        f"ELSE year({at}) - year({dob}) - CASE WHEN month({at}) < month({dob}) "
        f"OR (month({at}) = month({dob}) AND day({at}) < day({dob})) THEN 1 ELSE 0 END END"
    )


def _raw_value(table: RawTable, name: str) -> str:
    if name == "birth_month":
        return "CAST(date_trunc('month', n.date_of_birth) AS DATE)"
    if name == "age_at_referral":
        return _age("n.date_of_birth", "n.referral_date")
    return f"n.{_q(name)}"


_QUARANTINE_COLUMNS = META_TABLES["quarantine"].columns

_SOURCE = """FROM norm_{name} AS n
        JOIN stage_files AS f USING (file_id)
        JOIN stage_extracts AS e ON e.extract_no = n.extract_no"""


def write_batch(con, tables: list[RawTable]) -> BatchCounts:
    """Insert the normalised rows and their quarantine entries (inside the caller's transaction)."""
    counts = BatchCounts()
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _quarantine AS "
        f"SELECT 0 AS extract_no, * FROM {RAW_SCHEMA}.quarantine LIMIT 0"
    )
    for table in _staged_tables(con, tables):
        name = table.name
        source = _SOURCE.format(name=name)
        columns = ", ".join(_q(c) for c, _ in table.all_columns)
        values = ", ".join(f"CAST({_raw_value(table, c)} AS {t})" for c, t in table.columns)
        con.execute(
            f"INSERT INTO {RAW_SCHEMA}.{name} ({columns}) "
            f"SELECT e.la_code, e.extract_id, f.source_file, n.source_line, {values} {source} "
            "WHERE NOT (n._q_pre OR n._dup)"
        )
        key_name = _key_name(table)
        entries: list[tuple[str, str | None, str, str]] = [
            (cond, column, reason, "row_quarantined") for cond, column, reason in _rules(table)
        ]
        entries += [(flag, column, reason, "value_nulled") for flag, column, reason in _nulled(table)]
        entries.append(("n._dup", None, _dup_reason(table), "row_quarantined"))
        # one statement per table: the rows with any flag (few), then one SELECT per rule over them
        nulled = [cond for cond, _, _, action in entries if action == "value_nulled"]
        flagged = " OR ".join(["n._q_pre", "n._dup", *nulled])
        selects = [
            f"SELECT n.extract_no, e.la_code, e.extract_id, {_lit(name)}, f.source_file, n.source_line, "
            f"{_lit(column)}, {_lit(reason)}, {_lit(action)}, n.{key_name} FROM flagged AS n "
            "JOIN stage_files AS f USING (file_id) JOIN stage_extracts AS e ON e.extract_no = n.extract_no "
            f"WHERE {cond if action == 'row_quarantined' else f'{cond} AND NOT (n._q_pre OR n._dup)'}"
            for cond, column, reason, action in entries
        ]
        con.execute(
            "INSERT INTO _quarantine WITH flagged AS MATERIALIZED "
            f"(SELECT * FROM norm_{name} AS n WHERE {flagged}) " + " UNION ALL ".join(selects)
        )
        for file_id, extract_no, loaded, quarantined in con.execute(
            f"""
            SELECT n.file_id, any_value(n.extract_no), count(*) FILTER (WHERE NOT (n._q_pre OR n._dup)),
                   count(*) FILTER (WHERE n._q_pre OR n._dup)
            FROM norm_{name} AS n GROUP BY n.file_id
            """
        ).fetchall():
            counts.files[file_id] = (loaded, quarantined)
            rows = counts.rows.setdefault(extract_no, {})
            rows[name] = rows.get(name, 0) + loaded
            held = counts.quarantined.setdefault(extract_no, {})
            held[name] = held.get(name, 0) + quarantined
    columns = ", ".join(c for c, _ in _QUARANTINE_COLUMNS)
    con.execute(
        f"INSERT INTO {RAW_SCHEMA}.quarantine SELECT {columns} FROM _quarantine ORDER BY extract_no, "
        "source_file, source_line"
    )
    counts.values_nulled = dict(
        con.execute(
            "SELECT extract_no, count(*) FROM _quarantine WHERE action = 'value_nulled' GROUP BY extract_no"
        ).fetchall()
    )
    return counts


def _dup_reason(table: RawTable) -> str:
    return "duplicate key (" + ", ".join(table.key) + ") in this file"


_TEMP = re.compile(r"^(stage_|norm_|map_|_)")


def drop_batch_tables(con) -> None:
    for (name,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall():
        if _TEMP.match(name):
            con.execute(f"DROP TABLE IF EXISTS temp.{_q(name)}")
