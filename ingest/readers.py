"""Read CSV and XLSX files into header-normalised frames.

A reader returns a :class:`SourceFrame`: one object column per known source field of the table (unknown
columns dropped), every value as received (text from CSV; text, numbers or datetimes from XLSX cells), and the
physical line (CSV) or sheet row (XLSX), 1-based, of every data row. Values are never logged.

* CSV: the encoding is sniffed (UTF-8 with BOM, UTF-16 with BOM, UTF-8, else cp1252); every column is text.
  Line ends may be LF, CRLF or CR. A data row with a value to the right of the header row's last column is
  refused (naming the row): it is almost always an unquoted comma that shifted every later value of the row
  into the wrong column. Trailing empty fields are harmless and accepted.
* XLSX: pandas with ``engine="calamine"``, ``header=None``, object cells; sheets ``List 1`` / ``List_1``.
* Header row: the first of the first rows that holds the child-ID header and at least two known headers, so a
  title row above it (``List 1: Contacts``) is skipped. Headers match after :func:`schema.normalise_header`.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ingest.schema import RawTable, normalise_header, table_for_list

log = logging.getLogger(__name__)

__all__ = [
    "HEADER_SEARCH_ROWS",
    "FileRejected",
    "SourceFrame",
    "check_required_columns",
    "csv_body",
    "decode_bytes",
    "locate_header",
    "read_csv",
    "read_xlsx",
]

HEADER_SEARCH_ROWS = 15
_SHEET = re.compile(r"^\s*list[\s_]*(\d{1,2})\s*$", re.IGNORECASE)


class FileRejected(Exception):
    """A file cannot be used: the message names the file, and the row and column where that applies."""


@dataclass
class SourceFrame:
    table: RawTable
    source_file: str  # path inside the extract folder; XLSX sheets as "annex_a.xlsx[List 1]"
    data: pd.DataFrame  # one object column per source field present in the file
    lines: np.ndarray  # int64, physical line / sheet row of each data row (1-based)
    header_line: int
    missing_optional: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.data)


def decode_bytes(raw: bytes) -> str:
    """UTF-8 with BOM, UTF-16 with BOM (Excel's "Unicode text"), UTF-8, else cp1252 (which decodes every
    byte except five undefined ones)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")  # the BOM gives the byte order and is dropped
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="strict")


def _header_map(table: RawTable) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for col in table.source:
        for header in col.headers:
            mapping.setdefault(normalise_header(header), col.field)
    return mapping


def locate_header(rows: list[list[object]], table: RawTable, source_file: str) -> tuple[int, dict[int, str]]:
    """Find the header row among the first rows: returns (row index, {column position: field})."""
    mapping = _header_map(table)
    id_field = table.source[0].field
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        fields: dict[int, str] = {}
        seen: dict[str, int] = {}
        for pos, cell in enumerate(row):
            field = mapping.get(normalise_header(cell))
            if field is None:
                continue
            if field in seen:
                raise FileRejected(
                    f"{source_file}: row {index + 1}: column {pos + 1} repeats the header of column "
                    f"{seen[field] + 1} ({field})"
                )
            seen[field] = pos
            fields[pos] = field
        if id_field in seen and (len(fields) >= 2 or len(table.source) == 1):
            return index, fields
    raise FileRejected(
        f"{source_file}: no header row found in the first {HEADER_SEARCH_ROWS} rows "
        f"(expected a row with column '{table.source[0].headers[0]}' and the other {table.name} headers)"
    )


def check_required_columns(table: RawTable, present: set[str], header_line: int, source_file: str) -> None:
    missing_required = [c for c in table.source if c.required and c.field not in present]
    if missing_required:
        names = ", ".join(f"'{c.headers[0]}'" for c in missing_required)
        raise FileRejected(
            f"{source_file}: row {header_line}: required column {names} missing (header row of {table.name})"
        )


def _frame_from_rows(
    body: pd.DataFrame,
    header_index: int,
    fields: dict[int, str],
    line_of_row: np.ndarray,
    table: RawTable,
    source_file: str,
) -> SourceFrame:
    present = set(fields.values())
    header_line = int(line_of_row[header_index])
    check_required_columns(table, present, header_line, source_file)
    data = body.iloc[header_index + 1 :, list(fields)]
    data.columns = [fields[pos] for pos in fields]
    lines = line_of_row[header_index + 1 :]
    # drop rows that are entirely empty (blank lines, formatting-only Excel rows)
    blank = _blank_rows(data)
    data = data.loc[~blank].reset_index(drop=True)
    lines = lines[~blank]
    missing_optional = tuple(c.field for c in table.source if c.field not in present)
    return SourceFrame(table, source_file, data, lines.astype(np.int64), header_line, missing_optional)


def _blank_rows(data: pd.DataFrame) -> np.ndarray:
    blank = np.ones(len(data), dtype=bool)
    for col in data.columns:
        text = data[col].astype("string").str.strip().fillna("")
        blank &= (text == "").to_numpy(dtype=bool)
    return blank


# ---------------------------------------------------------------------------------------------- CSV
def _field_count(text: str) -> int:
    """Widest record among the first 64 KiB (the header row is there; a wider later row is malformed)."""
    limit = 64 * 1024
    try:
        # newline="": the csv module splits records itself (LF, CRLF and old-Mac CR line ends)
        rows = list(csv.reader(io.StringIO(text[:limit], newline="")))
    except csv.Error:
        rows = []  # pandas reports the problem below, with its row
    if len(text) > limit and len(rows) > 1:
        rows = rows[:-1]  # possibly cut in the middle
    return max((len(r) for r in rows), default=1)


def _record_start_line(text: str, index: int) -> int | None:
    """Physical line (1-based) on which record ``index`` (0-based) starts, counted as the csv module reads."""
    reader = csv.reader(io.StringIO(text, newline=""))
    consumed, current = 0, 0
    try:
        for _row in reader:
            if current == index:
                return consumed + 1
            consumed, current = reader.line_num, current + 1
    except csv.Error:  # e.g. a field above the csv module's size limit: it is in record ``current``
        return consumed + 1 if current == index else None
    return None


def _parser_error_row(message: str, text: str) -> str:
    """ "row N: " for a pandas tokenizer error: "... in line N" counts records from 1, "... starting at row N"
    (an unterminated quote, e.g. a truncated file) from 0; both are turned into the record's physical line."""
    match = re.search(r"line (\d+)", message)
    index = int(match.group(1)) - 1 if match else None
    if index is None:
        match = re.search(r"at row (\d+)", message)
        index = int(match.group(1)) if match else None
    line = _record_start_line(text, index) if index is not None else None
    return f"row {line}: " if line else ""


def csv_body(text: str, source_file: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Every record of a decoded CSV as text cells (columns 0..n-1) and the physical line of each record."""
    width = _field_count(text)
    try:
        body = pd.read_csv(
            io.StringIO(text),
            header=None,
            names=range(width),
            dtype=object,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            index_col=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        where = _parser_error_row(str(exc), text)
        raise FileRejected(
            f"{source_file}: {where}malformed CSV (more fields than the header, or a broken quote)"
        ) from None
    # physical line of each record: 1 + the newlines inside earlier records' quoted fields
    newlines = np.zeros(len(body), dtype=np.int64)
    if "\n" in text and len(body):
        for col in body.columns:
            values = body[col]
            if values.str.contains("\n", regex=False).any():
                newlines += values.str.count("\n").to_numpy(dtype=np.int64)
    line_of_row = 1 + np.arange(len(body), dtype=np.int64) + np.concatenate(([0], np.cumsum(newlines)[:-1]))
    return body, line_of_row


def read_csv(path: Path, table: RawTable, source_file: str) -> SourceFrame:
    """Read one contract CSV file (all columns as text)."""
    try:
        text = decode_bytes(path.read_bytes())
    except (OSError, UnicodeDecodeError) as exc:
        raise FileRejected(f"{source_file}: cannot be read ({type(exc).__name__})") from None
    if not text.strip():
        raise FileRejected(f"{source_file}: file is empty (no header row)")
    body, line_of_row = csv_body(text, source_file)
    head_rows = body.head(HEADER_SEARCH_ROWS).to_numpy().tolist()
    header_index, fields = locate_header(head_rows, table, source_file)
    _refuse_values_beyond_header(body, header_index, line_of_row, source_file)
    frame = _frame_from_rows(body, header_index, fields, line_of_row, table, source_file)
    log.info("read %s: %d data rows, header on line %d", source_file, len(frame), frame.header_line)
    return frame


def _refuse_values_beyond_header(
    body: pd.DataFrame, header_index: int, line_of_row: np.ndarray, source_file: str
) -> None:
    """A data row with a value right of the header row's last named column: an unquoted comma shifted it."""
    header = body.iloc[header_index].astype("string").str.strip().fillna("")
    named = np.flatnonzero((header != "").to_numpy(dtype=bool))
    width = int(named[-1]) + 1 if len(named) else 0
    if width >= body.shape[1]:
        return  # the common case: no column right of the header
    rest = body.iloc[header_index + 1 :, width:]
    beyond = (rest.astype("string").apply(lambda c: c.str.strip()).fillna("") != "").to_numpy(dtype=bool)
    rows = np.flatnonzero(beyond.any(axis=1))
    if len(rows):
        first = int(rows[0])
        column = width + 1 + int(np.flatnonzero(beyond[first])[0])
        line = int(line_of_row[header_index + 1 + first])
        raise FileRejected(
            f"{source_file}: row {line}: column {column}: a value right of the header row's {width} columns "
            f"(an unquoted comma shifts the values of a row into the wrong columns; {len(rows)} row(s))"
        )


# ---------------------------------------------------------------------------------------------- XLSX
def list_number_of_sheet(name: str) -> int | None:
    match = _SHEET.match(name)
    return int(match.group(1)) if match else None


def read_xlsx(path: Path, source_file: str) -> dict[int, SourceFrame]:
    """Read the Annex A workbook: {list number: frame} for each "List n" sheet of a raw table (1..10)."""
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, engine="calamine", dtype=object)
    except Exception as exc:  # calamine raises its own error types for broken workbooks
        reason = type(exc).__name__
        raise FileRejected(f"{source_file}: cannot be read as an XLSX workbook ({reason})") from None
    frames: dict[int, SourceFrame] = {}
    for sheet_name, body in sheets.items():
        number = list_number_of_sheet(str(sheet_name))
        table = table_for_list(number) if number is not None else None
        if table is None:
            log.info("%s: sheet %r is not a raw table, ignored", source_file, sheet_name)
            continue
        if number in frames:
            raise FileRejected(f"{source_file}: two sheets for List {number} (sheet '{sheet_name}')")
        label = f"{source_file}[{sheet_name}]"
        body = body.reset_index(drop=True)
        if body.empty:
            raise FileRejected(f"{label}: sheet is empty (no header row)")
        body = body.astype(object).where(body.notna(), None)
        line_of_row = np.arange(1, len(body) + 1, dtype=np.int64)
        head_rows = body.head(HEADER_SEARCH_ROWS).to_numpy().tolist()
        header_index, fields = locate_header(head_rows, table, label)
        frames[number] = _frame_from_rows(body, header_index, fields, line_of_row, table, label)
        log.info("read %s: %d data rows, header on row %d", label, len(frames[number]), header_index + 1)
    return frames
