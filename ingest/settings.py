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
purpose: it protects nothing and is only for synthetic data. A real deployment sets its own secret key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEMO_KEY", "MissingKeyError", "Settings"]

#: The documented demo key (synthetic data only; never use it for real children's data).
DEMO_KEY = "csc-scorecard-demo-key-synthetic-data-only"

_TRUE = {"1", "true", "yes", "on"}


class MissingKeyError(RuntimeError):
    """CSC_PSEUDONYMISATION_KEY is not set and CSC_DEMO is not 1."""


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

        Raises :class:`MissingKeyError` when no key is set, ``CSC_DEMO`` is not 1 and ``require_key`` is true.
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
        if key is None and require_key:
            raise MissingKeyError(
                "CSC_PSEUDONYMISATION_KEY is not set. Set it to a long random secret kept outside the "
                "repository "
                '(e.g. the output of `python -c "import secrets; print(secrets.token_hex(32))"`), '
                "or set CSC_DEMO=1 to use the built-in demo key (synthetic data only)."
            )
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
        return self.pseudonymisation_key.encode("utf-8")
