"""Normalise source values (codes, dates, IDs): the value rules of contract §7, in one place.

``ingest.transform`` calls these on the *distinct* texts of each column of a batch and joins the results back
to the rows in DuckDB; each converter also works on any Series (``pd.factorize``), so the Python-level work is
proportional to the number of distinct values, not rows. The row rules (quarantine, duplicates) are in
``ingest.transform``.

Decisions (see the module functions):

* Codes: an Ofsted preferred code ``x) CODE: label`` gives ``CODE``; otherwise the text after the ``x) ``
  prefix, upper-cased (``b) Unsuitable`` -> ``UNSUITABLE``). ``CODE - label`` (List 6 primary need,
  closure reasons, RD codes) gives ``CODE`` when ``CODE`` is in the column's code set. Bare codes are kept.
  ``Y``/``N`` become ``YES``/``NO`` in columns whose code set holds ``YES``.
* Dates: ``DD/MM/YYYY``, ISO ``YYYY-MM-DD`` (either may carry a time, which a DATE column drops), and Excel
  date cells. A bare number (an Excel serial number in a CSV, or a number cell in a workbook) is NOT a date:
  the 1900 and 1904 Excel date systems differ by 1,462 days, and a number cannot be told apart from a
  mis-exported count, so it is treated as unparseable. Two-digit years are unparseable. Years outside
  1900..2100 are unparseable.
* US-style dates: a ``DD/MM/YYYY`` column in which some value has a "month" above 12 (and a "day" of 12 or
  less, e.g. ``12/25/2023``) is evidence that the column was written ``MM/DD/YYYY``. The extract is then
  rejected, naming the file, the column and the first such row, in a required and in an optional column
  alike: reading the file as DD/MM would silently misplace every ambiguous date (``03/04/2024``) of it, and
  guessing MM/DD would be just as silent when the evidence is a typo. The value itself is not echoed (it may
  be a date of birth).
* Timestamps (MASH): ``DD/MM/YYYY HH:MM[:SS]``, ISO with a time, Excel datetime cells. A date without a time
  is unparseable for a timestamp column (the indicator measures hours), and so is an hour above 23 or a minute
  above 59.
* Child IDs: trimmed, upper-cased, a trailing ``.0`` removed; Excel number cells become their integer text.
* Unparseable value: in a required column (one an indicator reads) the extract is rejected (contract §7);
  elsewhere the value is nulled and recorded in quarantine as ``value_nulled``.
* Code outside its code set: in a required column the row is quarantined (``row_quarantined``); in an
  optional column (gender, ethnicity, team, ...) only the value is nulled (``value_nulled``), so a contact is
  not lost from the counts because of a bad ethnicity code.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ingest.schema import CodeSet

__all__ = [
    "COMMON_DATE_FORMS",
    "COMMON_TIMESTAMP_FORMS",
    "CommonForms",
    "code_of",
    "is_number",
    "normalise_codes",
    "normalise_ids",
    "normalise_text",
    "parse_dates",
    "parse_integers",
    "us_style_dates",
]

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_PREFIX = re.compile(r"^\(?[A-Za-z]{1,2}\d?\)\s*")  # "a) ", "zz) ", "p1) "
_COLON = re.compile(r"^([A-Za-z0-9]+)\s*:")
_DASH = re.compile(r"^([A-Za-z0-9]+)\s+[-\u2013\u2014]\s+")
_SPACES = re.compile(r"\s+")
_YES_NO = {"Y": "YES", "N": "NO"}


# ---------------------------------------------------------------------------------------------- helpers
def _map_unique(values: pd.Series, convert) -> tuple[np.ndarray, np.ndarray]:
    """Apply ``convert(uniques: np.ndarray[object]) -> (out, invalid)`` to the distinct values of a column."""
    obj = values.astype(object)
    codes, uniques = pd.factorize(obj, use_na_sentinel=True)
    out_u, bad_u = convert(np.asarray(uniques, dtype=object))
    out_u = np.asarray(out_u)
    bad_u = np.asarray(bad_u, dtype=bool)
    missing_out = np.array([None], dtype=object) if out_u.dtype == object else np.array(["NaT"], out_u.dtype)
    out = np.concatenate([out_u, missing_out])[codes]
    bad = np.concatenate([bad_u, [False]])[codes]
    return out, bad


def _text(value: object) -> str | None:
    """A cell as trimmed text; None when blank. Integral floats (Excel numbers) lose their '.0'."""
    if value is None:
        return None
    if isinstance(value, float):
        if np.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    text = str(value).translate(_QUOTES).strip()
    return text or None


# ---------------------------------------------------------------------------------------------- IDs
def normalise_ids(values: pd.Series) -> pd.Series:
    """Trim, upper-case, strip a trailing ``.0``; blank -> None."""

    def convert(uniques: np.ndarray):
        out = []
        for u in uniques:
            text = _text(u)
            if text is not None:
                text = _SPACES.sub(" ", text.upper())
                if text.endswith(".0"):
                    text = text[:-2]
                text = text or None
            out.append(text)
        return np.array(out, dtype=object), np.zeros(len(out), bool)

    out, _ = _map_unique(values, convert)
    return pd.Series(out, index=values.index, dtype=object)


# ---------------------------------------------------------------------------------------------- codes
def code_of(value: object, codes: CodeSet | None = None) -> str | None:
    """The bare upper-case code of one value (see the module notes)."""
    text = _text(value)
    if text is None:
        return None
    text = _SPACES.sub(" ", text)
    prefix = _PREFIX.match(text)
    rest = text[prefix.end() :] if prefix else text
    colon = _COLON.match(rest)
    if colon:
        code = colon.group(1).upper()
    else:
        dash = _DASH.match(rest)
        dash_code = dash.group(1).upper() if dash else None
        code = dash_code if dash_code and _in(dash_code, codes) else rest.upper().strip()
    if isinstance(codes, frozenset) and "YES" in codes:
        code = _YES_NO.get(code, code)
    return code or None


def _in(code: str, codes: CodeSet | None) -> bool:
    if codes is None:
        return False
    if isinstance(codes, frozenset):
        return code in codes
    return bool(codes.match(code))


def normalise_codes(values: pd.Series, codes: CodeSet | None) -> tuple[pd.Series, np.ndarray]:
    """Bare codes and a mask of values outside the code set (those are returned as None)."""

    def convert(uniques: np.ndarray):
        out, bad = [], []
        for u in uniques:
            code = code_of(u, codes)
            invalid = code is not None and codes is not None and not _in(code, codes)
            out.append(None if invalid else code)
            bad.append(invalid)
        return np.array(out, dtype=object), np.array(bad, bool)

    out, bad = _map_unique(values, convert)
    return pd.Series(out, index=values.index, dtype=object), bad


def normalise_text(values: pd.Series) -> pd.Series:
    def convert(uniques: np.ndarray):
        return np.array([_text(u) for u in uniques], dtype=object), np.zeros(len(uniques), bool)

    out, _ = _map_unique(values, convert)
    return pd.Series(out, index=values.index, dtype=object)


# ---------------------------------------------------------------------------------------------- dates
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$")


_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
_SLASHED = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/\d{4}(?:\s|T|$)")


def us_style_dates(values: pd.Series) -> np.ndarray:
    """Mask of values that can only be read as MM/DD/YYYY ("month" 13..31, "day" 1..12); see the notes."""

    def convert(uniques: np.ndarray):
        bad = np.zeros(len(uniques), dtype=bool)
        for i, u in enumerate(uniques):
            if type(u) is str:
                match = _SLASHED.match(u)
                if match and 1 <= int(match.group(1)) <= 12 and 12 < int(match.group(2)) <= 31:
                    bad[i] = True
        return np.zeros(len(uniques), dtype=object), bad

    _, bad = _map_unique(values, convert)
    return bad


_TIMESTAMP_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
_YEARS = (1900, 2100)


@dataclass(frozen=True)
class CommonForms:
    """The common, zero-padded text forms of a date or date-time column, for a fast path outside Python.

    A text that fully matches ``pattern`` and parses with one of ``formats`` (strptime directives) to a valid
    date or time in a year within ``years`` has the value :func:`parse_dates` gives it (tested); every other
    text must go through :func:`parse_dates`. ``ingest.transform`` runs this in DuckDB, so the millions of
    distinct MASH date-times of a large batch never reach Python.
    """

    pattern: str
    formats: tuple[str, ...]
    years: tuple[int, int] = _YEARS


COMMON_DATE_FORMS = CommonForms(r"\d{2}/\d{2}/\d{4}|\d{4}-\d{2}-\d{2}", _DATE_FORMATS)
COMMON_TIMESTAMP_FORMS = CommonForms(
    r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}(:\d{2})?|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}", _TIMESTAMP_FORMATS
)


def _fast_strings(uniques: np.ndarray, with_time: bool, out: np.ndarray, handled: np.ndarray) -> None:
    """Vectorised parse of the common text forms; what it cannot parse is left to the slow path."""
    is_str = np.fromiter((type(u) is str for u in uniques), dtype=bool, count=len(uniques))
    if not is_str.any():
        return
    idx = np.flatnonzero(is_str)
    text = pd.Series(uniques[idx], dtype=object).str.strip()
    remaining = np.array(text != "", dtype=bool)
    handled[idx[~remaining]] = True  # blank
    for fmt in _TIMESTAMP_FORMATS if with_time else _DATE_FORMATS:
        if not remaining.any():
            break
        pos = np.flatnonzero(remaining)
        parsed = pd.to_datetime(text.iloc[pos], format=fmt, errors="coerce")
        ok = parsed.notna().to_numpy()
        out[idx[pos[ok]]] = parsed.to_numpy()[ok].astype("datetime64[s]")
        handled[idx[pos[ok]]] = True
        remaining[pos[ok]] = False


def _parse_date_uniques(uniques: np.ndarray, with_time: bool) -> tuple[np.ndarray, np.ndarray]:
    n = len(uniques)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    bad = np.zeros(n, dtype=bool)
    handled = np.zeros(n, dtype=bool)
    _fast_strings(uniques, with_time, out, handled)
    parts: list[tuple[int, int, int, int, int, int, int]] = []  # (index, y, m, d, H, M, S)
    for i in np.flatnonzero(~handled):
        u = uniques[i]
        if isinstance(u, pd.Timestamp | dt.datetime):
            ts = pd.Timestamp(u)
            if ts is pd.NaT:
                continue
            if with_time:
                out[i] = np.datetime64(ts.to_pydatetime().replace(tzinfo=None), "s")
            else:
                out[i] = np.datetime64(ts.date(), "s")
            continue
        if isinstance(u, dt.date):
            if with_time:
                bad[i] = True
            else:
                out[i] = np.datetime64(u, "s")
            continue
        text = _text(u)
        if text is None:
            continue
        if not isinstance(u, str):  # a number cell or any other non-text value
            bad[i] = True
            continue
        match = _DMY.match(text)
        if match:
            d, m, y, hh, mm, ss = match.groups()
        else:
            match = _ISO.match(text)
            if not match:
                bad[i] = True
                continue
            y, m, d, hh, mm, ss = match.groups()
        if with_time and hh is None:
            bad[i] = True
            continue
        hour, minute, second = (
            (int(hh), int(mm), int(ss or 0)) if (with_time and hh is not None) else (0, 0, 0)
        )
        parts.append((i, int(y), int(m), int(d), hour, minute, second))
    if parts:
        arr = np.array(parts, dtype=np.int64)
        stamps = pd.to_datetime(
            pd.DataFrame(
                {
                    "year": arr[:, 1],
                    "month": arr[:, 2],
                    "day": arr[:, 3],
                    "hour": arr[:, 4],
                    "minute": arr[:, 5],
                    "second": arr[:, 6],
                }
            ),
            errors="coerce",
        )
        # an hour above 23 or a minute above 59 is unparseable (pandas would carry "10:60" into the next
        # hour); seconds 60 and 61 (leap seconds) are read as the fast path's strptime formats read them
        in_day = (arr[:, 4] <= 23) & (arr[:, 5] <= 59) & (arr[:, 6] <= 61)
        valid = stamps.notna().to_numpy() & in_day & (arr[:, 1] >= _YEARS[0]) & (arr[:, 1] <= _YEARS[1])
        idx = arr[:, 0]
        out[idx[valid]] = stamps.to_numpy()[valid].astype("datetime64[s]")
        bad[idx[~valid]] = True
    years = out.astype("datetime64[Y]").astype(np.int64) + 1970
    out_of_range = ~np.isnat(out) & ((years < _YEARS[0]) | (years > _YEARS[1]))
    out[out_of_range] = np.datetime64("NaT")
    bad |= out_of_range
    return out, bad


def parse_dates(values: pd.Series, *, with_time: bool = False) -> tuple[pd.Series, np.ndarray]:
    """datetime64 values (NaT for blank or unparseable) and the mask of unparseable values."""
    out, bad = _map_unique(values, lambda u: _parse_date_uniques(u, with_time))
    return pd.Series(out.astype("datetime64[s]"), index=values.index), bad


_INT = re.compile(r"^[+-]?\d+(?:\.0+)?$")


def parse_integers(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    def convert(uniques: np.ndarray):
        out, bad = [], []
        for u in uniques:
            text = _text(u)
            if text is None:
                out.append(None)
                bad.append(False)
            elif _INT.match(text.replace(",", "")):
                out.append(int(float(text.replace(",", ""))))
                bad.append(False)
            else:
                out.append(None)
                bad.append(True)
        return np.array(out, dtype=object), np.array(bad, bool)

    out, bad = _map_unique(values, convert)
    return pd.Series(out, index=values.index).astype("Int64"), bad


# ---------------------------------------------------------------------------------------------- hints
_NUMERIC = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")


def is_number(value: object) -> bool:
    """A bare number where a date was expected (an Excel serial date, or a number cell)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | np.integer | np.floating):
        return True
    return isinstance(value, str) and bool(_NUMERIC.match(value))
