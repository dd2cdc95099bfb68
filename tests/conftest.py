"""Shared fixtures: a temporary landing folder and a writer of tiny contract-format extracts."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

TEST_KEY = "test-key-not-secret-0123456789abcdef"


def write_extract(
    landing: Path,
    la_code: str,
    folder: str,
    files: dict[str, list[list[object]] | str | bytes],
    *,
    period_end: str = "2024-03-31",
    extract_date: str = "2024-04-03",
    window_start: str = "2023-10-01",
    source_system: str = "TestSystem",
    manifest_overrides: dict | None = None,
    encoding: str = "utf-8",
) -> Path:
    """Write ``<landing>/<la_code>/<folder>/`` with the given files and a correct manifest.json.

    ``files`` maps a path inside the folder to rows (written as CSV), text or bytes.
    """
    root = landing / la_code / folder
    hashes: dict[str, str] = {}
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_bytes(content.encode(encoding))
        else:
            with path.open("w", newline="", encoding=encoding) as fh:
                csv.writer(fh).writerows(content)
        hashes[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest = {
        "la_code": la_code,
        "period_end": period_end,
        "extract_date": extract_date,
        "window_start": window_start,
        "source_system": source_system,
        "files": hashes,
    }
    manifest.update(manifest_overrides or {})
    root.mkdir(parents=True, exist_ok=True)
    (root / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return root


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    path = tmp_path / "landing"
    path.mkdir()
    return path


@pytest.fixture
def ingest_settings(tmp_path: Path, landing: Path):
    """Settings over tmp_path (landing, archive, warehouse) with a fixed test key."""
    from ingest.settings import Settings

    return Settings.from_env(
        {
            "CSC_DATA_DIR": str(tmp_path),
            "CSC_LANDING_DIR": str(landing),
            "CSC_PSEUDONYMISATION_KEY": TEST_KEY,
        }
    )


@pytest.fixture
def extract_writer(landing: Path) -> Callable[..., Path]:
    """``extract_writer(la_code, folder, files, **manifest_fields)`` -> the extract folder."""

    def _write(la_code: str, folder: str, files, **kwargs) -> Path:
        return write_extract(landing, la_code, folder, files, **kwargs)

    return _write
