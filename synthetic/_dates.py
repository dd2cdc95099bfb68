"""Dates as integer day numbers (days since 1970-01-01), working days, and fast DD/MM/YYYY formatting.

The simulation keeps every date as an ``int64`` day number. "No date" (never happened, or not yet) is
:data:`NEVER`, a day far in the future, so "open at day t" is simply ``end > t`` and "as known at t" is
``date <= t``.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
import numpy as np

NEVER = np.int64(10_000_000)  # year ~29349: "no date"
_EPOCH = dt.date(1970, 1, 1)


def day(value: str | dt.date) -> int:
    """Day number of an ISO date string or a date."""
    d = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return (d - _EPOCH).days


def to_date(n: int) -> dt.date | None:
    return None if n >= NEVER else _EPOCH + dt.timedelta(days=int(n))


def month_start(year: int, month: int) -> int:
    return day(dt.date(year, month, 1))


def add_months(d: dt.date, n: int) -> dt.date:
    total = d.year * 12 + d.month - 1 + n
    y, m0 = divmod(total, 12)
    import calendar

    return dt.date(y, m0 + 1, min(d.day, calendar.monthrange(y, m0 + 1)[1]))


def month_end(d: dt.date) -> dt.date:
    return add_months(dt.date(d.year, d.month, 1), 1) - dt.timedelta(days=1)


@lru_cache(maxsize=1)
def bank_holidays() -> np.ndarray:
    """England and Wales bank holidays 1990-2040 (the ``holidays`` package, UK subdivision ENG)."""
    hols = holidays.country_holidays("GB", subdiv="ENG", years=range(1990, 2041))
    return np.array(sorted(hols.keys()), dtype="datetime64[D]")


@lru_cache(maxsize=1)
def _calendar() -> np.busdaycalendar:
    return np.busdaycalendar(holidays=bank_holidays())


def add_working_days(days: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The working day ``n`` working days after ``days`` (a non-working start rolls forward first)."""
    days = np.asarray(days, dtype=np.int64)
    out = np.full(days.shape, NEVER, dtype=np.int64)
    ok = days < NEVER
    if ok.any():
        res = np.busday_offset(
            days[ok].astype("datetime64[D]"),
            np.broadcast_to(np.asarray(n, dtype=np.int64), days.shape)[ok],
            roll="forward",
            busdaycal=_calendar(),
        )
        out[ok] = res.astype(np.int64)
    return out


def working_days_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Working days d with a <= d < b."""
    return np.busday_count(
        np.asarray(a, dtype=np.int64).astype("datetime64[D]"),
        np.asarray(b, dtype=np.int64).astype("datetime64[D]"),
        busdaycal=_calendar(),
    )


def is_working_day(days: np.ndarray) -> np.ndarray:
    return np.is_busday(np.asarray(days, dtype=np.int64).astype("datetime64[D]"), busdaycal=_calendar())


def add_years(days: np.ndarray, years: int) -> np.ndarray:
    """The same calendar day ``years`` later (29 February -> 28 February)."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    dom = (d - months.astype("datetime64[D]")).astype(np.int64)
    target = months + np.timedelta64(12 * years, "M")
    last = (
        (target + np.timedelta64(1, "M")).astype("datetime64[D]") - 1 - target.astype("datetime64[D]")
    ).astype(np.int64)
    return (target.astype("datetime64[D]") + np.minimum(dom, last)).astype(np.int64)


def age_years(dob: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Completed years at ``on``."""
    b = np.asarray(dob, dtype=np.int64).astype("datetime64[D]")
    o = np.asarray(on, dtype=np.int64).astype("datetime64[D]")
    by, bm = b.astype("datetime64[Y]").astype(np.int64), b.astype("datetime64[M]").astype(np.int64) % 12
    oy, om = o.astype("datetime64[Y]").astype(np.int64), o.astype("datetime64[M]").astype(np.int64) % 12
    bd = (b - b.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)
    od = (o - o.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)
    before = (om < bm) | ((om == bm) & (od < bd))
    return oy - by - before.astype(np.int64)


# ------------------------------------------------------------------------------------------ formatting
_LUT_START = day("1960-01-01")
_LUT_END = day("2060-12-31")


@lru_cache(maxsize=1)
def _dmy_lut() -> np.ndarray:
    days = np.arange(_LUT_START, _LUT_END + 1).astype("datetime64[D]")
    iso = np.datetime_as_string(days)
    return np.array([f"{s[8:10]}/{s[5:7]}/{s[0:4]}" for s in iso] + [""], dtype=object)


def format_dmy(days: np.ndarray) -> np.ndarray:
    """DD/MM/YYYY strings ('' for NEVER)."""
    d = np.asarray(days, dtype=np.int64)
    idx = np.where(d >= NEVER, _LUT_END - _LUT_START + 1, np.clip(d - _LUT_START, 0, _LUT_END - _LUT_START))
    return _dmy_lut()[idx]


def format_dmy_hm(minutes: np.ndarray) -> np.ndarray:
    """DD/MM/YYYY HH:MM strings from minutes since the epoch ('' for NEVER days)."""
    m = np.asarray(minutes, dtype=np.int64)
    never = m >= NEVER * 1440
    d = np.where(never, NEVER, m // 1440)
    hm = np.where(never, 0, m % 1440)
    hh = (hm // 60).astype(np.int64)
    mm = (hm % 60).astype(np.int64)
    hm_lut = np.array([f" {h:02d}:{mi:02d}" for h in range(24) for mi in range(60)], dtype=object)
    out = format_dmy(d) + hm_lut[hh * 60 + mm]
    out[never] = ""
    return out


def to_date_objects(days: np.ndarray) -> np.ndarray:
    """An object array of ``datetime.date`` / None."""
    d = np.asarray(days, dtype=np.int64)
    out = np.empty(d.shape, dtype=object)
    ok = d < NEVER
    out[ok] = d[ok].astype("datetime64[D]").astype(object)
    out[~ok] = None
    return out


def to_datetime_objects(minutes: np.ndarray) -> np.ndarray:
    m = np.asarray(minutes, dtype=np.int64)
    out = np.empty(m.shape, dtype=object)
    ok = m < NEVER * 1440
    out[ok] = m[ok].astype("datetime64[m]").astype(object)
    out[~ok] = None
    return out
