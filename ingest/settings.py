"""Environment settings (docs/design.md, "Settings").

| variable                   | default                          |
|----------------------------|----------------------------------|
| CSC_DATA_DIR               | ./data                           |
| CSC_LANDING_DIR            | $CSC_DATA_DIR/landing            |
| CSC_ARCHIVE_DIR            | $CSC_DATA_DIR/archive            |
| CSC_WAREHOUSE_PATH         | $CSC_DATA_DIR/warehouse.duckdb   |
| CSC_PUBLISHED_DIR          | $CSC_DATA_DIR/published          |
| CSC_PSEUDONYMISATION_KEY   | none: required unless CSC_DEMO=1 |
| CSC_DEMO                   | 0                                |

With ``CSC_DEMO=1`` and no key set, the fixed demo key :data:`DEMO_KEY` is used. It is published here on
purpose: it protects nothing and is only for synthetic data. A real deployment sets its own secret key:
outside the demo, settings that need the key refuse (:class:`MissingKeyError`, naming the reason) when
``CSC_PSEUDONYMISATION_KEY`` is missing, shorter than :data:`MIN_KEY_LENGTH` characters, or is the published
demo key.

:func:`restrict_umask` makes everything the calling process creates owner-only (0600 files, 0700 folders):
the pipeline's entry points call it (``python -m orchestration.run``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEMO_KEY", "MIN_KEY_LENGTH", "MissingKeyError", "Settings", "restrict_umask"]

#: The documented demo key (synthetic data only; never use it for real children's data).
DEMO_KEY = "csc-scorecard-demo-key-synthetic-data-only"

#: A key of its own: at least this many characters (e.g. ``secrets.token_hex(32)`` gives 64).
MIN_KEY_LENGTH = 32

_TRUE = {"1", "true", "yes", "on"}
_KEY_HOWTO = (
    "Set it to a long random secret of your own kept outside the repository "
    '(e.g. the output of `python -c "import secrets; print(secrets.token_hex(32))"`), '
    "or set CSC_DEMO=1 to use the built-in demo key (synthetic data only)."
)


def restrict_umask() -> int:
    """Set the process umask to 077 (owner-only files and folders); returns the previous umask."""
    return os.umask(0o077)


class MissingKeyError(RuntimeError):
    """CSC_DEMO is not 1 and CSC_PSEUDONYMISATION_KEY is not a key of its own (missing, short, demo key)."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    landing_dir: Path
    archive_dir: Path
    warehouse_path: Path
    published_dir: Path
    pseudonymisation_key: str | None = field(repr=False)  # never printed
    demo: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, require_key: bool = True) -> Settings:
        """Read the settings from the environment (or ``env``).

        Raises :class:`MissingKeyError` when ``CSC_DEMO`` is not 1, ``require_key`` is true and the key is not
        one of its own: not set, shorter than :data:`MIN_KEY_LENGTH`, or the published demo key.
        """
        env = os.environ if env is None else env
        data_dir = Path(env.get("CSC_DATA_DIR") or "./data")

        def path(var: str, default: Path) -> Path:
            value = env.get(var)
            return Path(value) if value else default

        demo = (env.get("CSC_DEMO") or "0").strip().lower() in _TRUE
        key = env.get("CSC_PSEUDONYMISATION_KEY") or None
        if key is None and demo:
            key = DEMO_KEY
        if require_key and not demo:
            problem = _key_problem(key)
            if problem:
                raise MissingKeyError(f"CSC_PSEUDONYMISATION_KEY {problem}. {_KEY_HOWTO}")
        return cls(
            data_dir=data_dir,
            landing_dir=path("CSC_LANDING_DIR", data_dir / "landing"),
            archive_dir=path("CSC_ARCHIVE_DIR", data_dir / "archive"),
            warehouse_path=path("CSC_WAREHOUSE_PATH", data_dir / "warehouse.duckdb"),
            published_dir=path("CSC_PUBLISHED_DIR", data_dir / "published"),
            pseudonymisation_key=key,
            demo=demo,
        )

    @property
    def key_bytes(self) -> bytes:
        if not self.pseudonymisation_key:
            raise MissingKeyError(
                "No pseudonymisation key: set CSC_PSEUDONYMISATION_KEY (or CSC_DEMO=1 for synthetic data)."
            )
        problem = None if self.demo else _key_problem(self.pseudonymisation_key)
        if problem:  # settings read with require_key=False must not pseudonymise real data with a weak key
            raise MissingKeyError(f"CSC_PSEUDONYMISATION_KEY {problem}. {_KEY_HOWTO}")
        return self.pseudonymisation_key.encode("utf-8")


def _key_problem(key: str | None) -> str | None:
    """Why ``key`` is not a pseudonymisation key of its own (None when it is)."""
    if key is None:
        return "is not set"
    if key.strip() == DEMO_KEY:
        return "is the published demo key, which protects nothing (only for synthetic data, with CSC_DEMO=1)"
    if len(key.strip()) < MIN_KEY_LENGTH:
        return f"is too short ({len(key.strip())} characters; at least {MIN_KEY_LENGTH} required)"
    return None
