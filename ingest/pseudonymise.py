"""Keyed pseudonyms and the date-of-birth reductions (contract §6).

``child_key = HMAC-SHA256(key, "<la_code>:<normalised id>")``, hex, first 32 characters; computed once per
distinct ID. The same function keys foster households (``household_key``). Ages the indicators need are
computed here from the full date of birth, which is then reduced to ``birth_month`` (first of the month) and
dropped.
"""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pandas as pd

__all__ = ["KEY_LENGTH", "age_in_years", "birth_month", "pseudonym", "pseudonymise"]

KEY_LENGTH = 32


def pseudonym(key: bytes, la_code: str, normalised_id: str) -> str:
    """The keyed hash of one normalised identifier."""
    message = f"{la_code}:{normalised_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:KEY_LENGTH]


def pseudonymise(ids: pd.Series, key: bytes, la_code: str, cache: dict[str, str] | None = None) -> pd.Series:
    """Pseudonymise a column of normalised IDs (None/NaN stays None), hashing each distinct ID once.

    ``cache`` (normalised ID -> key for this key and la_code) lets the tables of one extract share the work;
    it lives only as long as the caller keeps it (one extract).
    """
    codes, uniques = pd.factorize(ids, use_na_sentinel=True)
    if cache is None:
        cache = {}
    hashed_list = []
    for u in uniques:
        text = str(u)
        value = cache.get(text)
        if value is None:
            value = cache[text] = pseudonym(key, la_code, text)
        hashed_list.append(value)
    hashed = np.array([*hashed_list, None], dtype=object)
    # code -1 (missing) indexes the trailing None
    return pd.Series(hashed[codes], index=ids.index, dtype=object)


def birth_month(dob: pd.Series) -> pd.Series:
    """First day of the birth month (datetime64; NaT stays NaT)."""
    return dob.dt.to_period("M").dt.to_timestamp()


def age_in_years(dob: pd.Series, at: pd.Series) -> pd.Series:
    """Whole years from ``dob`` to ``at`` (age at last birthday); -1 for an unborn child (dob after ``at``),
    as in the Ofsted template; missing when either date is missing."""
    years = at.dt.year - dob.dt.year
    before_birthday = (at.dt.month < dob.dt.month) | (
        (at.dt.month == dob.dt.month) & (at.dt.day < dob.dt.day)
    )
    age = (years - before_birthday.astype("int64")).astype("Int64")
    age = age.mask(dob > at, -1)
    return age.mask(dob.isna() | at.isna())
