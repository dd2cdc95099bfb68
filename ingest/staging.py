"""Stage the data files of a batch of extracts in DuckDB as text, one temp table per raw table.

``stage_<raw table>(file_id INTEGER, n BIGINT, <source field> VARCHAR, ...)`` holds every record of every file
of the batch as received (text). The record's number (:func:`record_number`: ``n`` where the pandas reader set
it, else the row's ``rowid``) minus the file's ``line_offset`` (temp table ``stage_files``) is the record's
physical line in its file (1-based), which every quarantine entry and error message names.

Two readers fill the same tables:

* **DuckDB** (``read_csv``, explicit columns, no sniffing, strict) reads the common case: a UTF-8 CSV file
  (with or without BOM; LF or CRLF) whose header row Python has located (title rows above it are skipped)
  and whose records are one line each. Files with the same table and header layout are read in one
  ``read_csv([...])`` call, inserted as read (insertion order is preserved, so ``rowid`` runs in file
  order; numbering them in the query with ``row_number() OVER ()`` serialised the read and cost a quarter
  more); its ``file_index`` gives the file. A record's line is its rowid minus the file's first rowid plus
  the header line.
* **pandas** (``readers.read_csv``, ``readers.read_xlsx``) reads everything else and gives the exact error:
  another encoding (UTF-16, cp1252), blank lines or CR-only line ends, a quoted value spanning lines (the
  record count then differs from the line count), a row wider or narrower than the header, a broken quote,
  an unnamed column right of the header, and every Annex A workbook. Its cells are turned into the same
  text (:func:`cell_text`), so one normaliser (``ingest.transform``) treats both.

No value is ever logged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from ingest.readers import (
    HEADER_SEARCH_ROWS,
    FileRejected,
    SourceFrame,
    check_required_columns,
    locate_header,
    read_csv,
)
from ingest.schema import RawTable

log = logging.getLogger(__name__)

__all__ = [
    "CsvLayout",
    "StagedFile",
    "cell_text",
    "csv_layout",
    "insert_rows",
    "record_number",
    "stage_files",
    "stage_frame",
    "stage_table_name",
]

_HEAD_BYTES = 64 * 1024


def insert_rows(con, table: str, columns: list[str], rows: list[list]) -> None:
    """Append Python rows to a (temp) table through one DataFrame: ``executemany`` runs one statement per row
    (1.4 s for 3,000 rows, against 0.02 s)."""
    if not rows:
        return
    con.register("_insert_rows", pd.DataFrame(rows, columns=columns))
    try:
        con.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM _insert_rows"
        )
    finally:
        con.unregister("_insert_rows")


def record_number(alias: str) -> str:
    """SQL for a staged record's number (see the module notes) in the stage table aliased ``alias``."""
    return f"coalesce({alias}.n, {alias}.rowid)"


def stage_table_name(table: RawTable) -> str:
    return f"stage_{table.name}"


@dataclass
class StagedFile:
    """One data file (or workbook sheet) of an extract in the batch."""

    file_id: int
    extract_no: int
    table: RawTable
    source_file: str  # path inside the extract folder; workbook sheets as "annex_a.xlsx[List 1]"
    path: Path | None = None  # CSV files only
    size: int = 0  # bytes (CSV files)
    layout: CsvLayout | None = None  # CSV files DuckDB can read (see csv_layout); None: the pandas reader
    problem: str | None = None  # a header problem found by csv_layout: the extract is refused


@dataclass(frozen=True)
class CsvLayout:
    skip_lines: int  # physical lines up to and including the header row
    width: int  # fields in the header row
    fields: tuple[tuple[int, str], ...]  # (position, source field)
    header_line: int
    records: int  # records expected after the header if every record is one line


def create_stage_tables(con: duckdb.DuckDBPyConnection, tables: list[RawTable]) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE stage_files (file_id INTEGER, extract_no INTEGER, table_name VARCHAR, "
        "source_file VARCHAR, line_offset BIGINT)"
    )
    for table in tables:
        cols = ", ".join(f'"{c.field}" VARCHAR' for c in table.source)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {stage_table_name(table)} (file_id INTEGER, n BIGINT, {cols})"
        )


def _physical_lines(data: bytes) -> int:
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def csv_layout(data: bytes, table: RawTable, source_file: str) -> CsvLayout | None:
    """Header location of a CSV the DuckDB reader can take, None for the pandas reader.

    Raises :class:`FileRejected` for a header problem (no header row, a repeated header, a required column
    missing), exactly as the pandas reader would.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        body = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    else:
        body = data
    if not body.strip() or (b"\r" in body and b"\r" in body.replace(b"\r\n", b"")):
        return None  # empty (the pandas reader names it) or CR-only line ends
    if not body.isascii():
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return None
    head = body[:_HEAD_BYTES].decode("utf-8", errors="ignore")
    reader = csv.reader(io.StringIO(head, newline=""))
    rows: list[list[str]] = []
    ends: list[int] = []  # physical lines consumed after each record
    try:
        for row in reader:
            rows.append(row)
            ends.append(reader.line_num)
            if len(rows) >= HEADER_SEARCH_ROWS:
                break
    except csv.Error:
        return None
    index, fields = locate_header(rows, table, source_file)
    if len(body) > _HEAD_BYTES and index == len(rows) - 1:
        return None  # the header row may be cut at the 64 KiB mark
    header_line = (ends[index - 1] if index else 0) + 1
    check_required_columns(table, set(fields.values()), header_line, source_file)
    header = rows[index]
    named = [pos for pos, cell in enumerate(header) if cell.strip()]
    if not named or named[-1] + 1 != len(header):
        return None  # an unnamed column right of the header: the pandas reader checks its values
    skip = ends[index]
    return CsvLayout(
        skip, len(header), tuple(sorted(fields.items())), header_line, _physical_lines(body) - skip
    )


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _read_group(con, table: RawTable, layout: CsvLayout, files: list[StagedFile]) -> None:
    """One ``read_csv`` over files sharing a table and header layout; raises duckdb.Error on a bad file."""
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(layout.width)) + "}"
    selected = ", ".join(f'c{pos} AS "{name}"' for pos, name in layout.fields)
    names = ", ".join(f'"{name}"' for _, name in layout.fields)
    paths = [str(f.path) for f in files]
    file_ids = "[" + ", ".join(str(f.file_id) for f in files) + "]"
    con.execute(
        f"""
        INSERT INTO {stage_table_name(table)} (file_id, {names})
        SELECT {file_ids}[CAST(file_index AS BIGINT) + 1], {selected}
        FROM read_csv({_sql_list(paths)}, header = false, skip = {layout.skip_lines}, columns = {columns},
                      auto_detect = false, delim = ',', quote = '"', escape = '"', strict_mode = true,
                      encoding = 'utf-8')
        """
    )


def _record_files(con, files: list[StagedFile], layouts: dict[int, CsvLayout]) -> list[StagedFile]:
    """Set each DuckDB-read file's line offset; returns the files whose record count shows a record spanning
    lines or a skipped blank line (their rows are removed: the pandas reader takes them)."""
    if not files:
        return []
    by_table: dict[str, list[StagedFile]] = {}
    for f in files:
        by_table.setdefault(f.table.name, []).append(f)
    counts: dict[int, tuple[int, int]] = {}
    for name, group in by_table.items():
        ids = ", ".join(str(f.file_id) for f in group)
        for file_id, first, count in con.execute(
            f"SELECT file_id, min(rowid), count(*) FROM stage_{name} WHERE file_id IN ({ids}) "
            "GROUP BY file_id"
        ).fetchall():
            counts[file_id] = (first, count)
    mismatched: list[StagedFile] = []
    rows = []
    for f in files:
        layout = layouts[f.file_id]
        first, count = counts.get(f.file_id, (0, 0))
        if count != layout.records:
            mismatched.append(f)
            continue
        rows.append([f.file_id, f.extract_no, f.table.name, f.source_file, first - (layout.header_line + 1)])
    insert_rows(
        con, "stage_files", ["file_id", "extract_no", "table_name", "source_file", "line_offset"], rows
    )
    for f in mismatched:
        con.execute(f"DELETE FROM {stage_table_name(f.table)} WHERE file_id = ?", [f.file_id])
    return mismatched


def cell_text(value: object) -> str | None:
    """A cell as the text the normaliser reads: datetimes as ISO text, integral numbers without '.0'."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, pd.Timestamp | dt.datetime):
        return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    return str(value)


def stage_frame(con, staged: StagedFile, frame: SourceFrame) -> None:
    """Append a frame read by pandas (CSV or workbook sheet): n is the line itself (offset 0)."""
    table = frame.table
    data = {"file_id": np.full(len(frame), staged.file_id, dtype=np.int32), "n": frame.lines.astype(np.int64)}
    for col in table.source:
        if col.field in frame.data.columns:
            data[col.field] = [cell_text(v) for v in frame.data[col.field].tolist()]
        else:
            data[col.field] = [None] * len(frame)
    df = pd.DataFrame(data)
    for col in table.source:
        df[col.field] = df[col.field].astype(object)
    names = ", ".join(["file_id", "n"] + [f'"{c.field}"' for c in table.source])
    casts = ", ".join(["file_id", "n"] + [f'CAST("{c.field}" AS VARCHAR)' for c in table.source])
    con.register("_stage_frame", df)
    try:
        con.execute(f"INSERT INTO {stage_table_name(table)} ({names}) SELECT {casts} FROM _stage_frame")
    finally:
        con.unregister("_stage_frame")
    con.execute(
        "INSERT INTO stage_files VALUES (?, ?, ?, ?, 0)",
        [staged.file_id, staged.extract_no, table.name, frame.source_file],
    )


def stage_files(con, files: list[StagedFile]) -> dict[int, str]:
    """Stage every CSV file of the batch (see the module notes); returns {extract_no: rejection message} for
    the extracts with a file that cannot be used. Workbook sheets are staged by the caller with
    :func:`stage_frame`."""
    rejected: dict[int, str] = {}
    layouts: dict[int, CsvLayout] = {}
    groups: dict[tuple, list[StagedFile]] = {}
    by_pandas: list[StagedFile] = []
    for f in files:
        if f.problem is not None:
            rejected.setdefault(f.extract_no, f.problem)
            continue
        if f.layout is None:
            by_pandas.append(f)
            continue
        layout = layouts[f.file_id] = f.layout
        groups.setdefault((f.table.name, layout.skip_lines, layout.width, layout.fields), []).append(f)
    read: list[StagedFile] = []
    for group in groups.values():
        group = [f for f in group if f.extract_no not in rejected]
        if not group:
            continue
        layout = layouts[group[0].file_id]
        try:
            _read_group(con, group[0].table, layout, group)
            read.extend(group)
        except duckdb.Error:
            # one file of the group is not what its head promised: read them one by one
            ids = ", ".join(str(f.file_id) for f in group)
            con.execute(f"DELETE FROM {stage_table_name(group[0].table)} WHERE file_id IN ({ids})")
            for f in group:
                try:
                    _read_group(con, f.table, layouts[f.file_id], [f])
                    read.append(f)
                except duckdb.Error:
                    con.execute(f"DELETE FROM {stage_table_name(f.table)} WHERE file_id = ?", [f.file_id])
                    by_pandas.append(f)
    spanning = _record_files(con, read, layouts)
    by_pandas.extend(spanning)
    for f in sorted(by_pandas, key=lambda f: f.file_id):
        if f.extract_no in rejected:
            continue
        try:
            frame = read_csv(f.path, f.table, f.source_file)
        except FileRejected as exc:
            rejected.setdefault(f.extract_no, str(exc))
            continue
        stage_frame(con, f, frame)
    log.info(
        "staged %d file(s): %d by DuckDB, %d by pandas",
        len(files),
        len(read) - len(spanning),
        len(by_pandas),
    )
    return rejected
