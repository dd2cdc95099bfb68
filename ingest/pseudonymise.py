"""Keyed pseudonyms (contract §6): the definition, in Python.

``child_key = HMAC-SHA256(key, "<la_code>:<normalised id>")``, hex, first 32 characters; the same function
keys foster households (``household_key``). Ingest computes it in DuckDB, once per distinct ID text of a batch
(``ingest.transform``); this function is its reference, and tests compare the two.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["KEY_LENGTH", "pseudonym"]

KEY_LENGTH = 32


def pseudonym(key: bytes, la_code: str, normalised_id: str) -> str:
    """The keyed hash of one normalised identifier."""
    message = f"{la_code}:{normalised_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:KEY_LENGTH]
