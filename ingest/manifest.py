"""Find extract folders, validate their manifest and verify their files (contract §1).

Layout: ``<landing>/<la_code>/<folder>/manifest.json``; ``<landing>/<la_code>/commentary/`` is not an extract.
Every file in the folder (except manifest.json) must be listed with its sha256, every listed file must exist
and match. Every message names the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath

log = logging.getLogger(__name__)

__all__ = [
    "MANIFEST_NAME",
    "ExtractFolder",
    "ExtractRejected",
    "Manifest",
    "discover_extracts",
    "known_councils",
    "parse_manifest",
    "sha256_file",
    "verify_files",
]

MANIFEST_NAME = "manifest.json"
COMMENTARY_DIR = "commentary"
REQUIRED_KEYS = ("la_code", "period_end", "extract_date", "window_start", "source_system", "files")
SEEDS_DIR = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"
_SHA = re.compile(r"^[0-9a-f]{64}$")
_LA_CODE = re.compile(r"^[EWSN]\d{8}$")


class ExtractRejected(Exception):
    """The whole extract is refused; the message names the file (and row and column where that applies)."""


@dataclass(frozen=True)
class ExtractFolder:
    la_code: str  # the <la_code> directory name
    path: Path
    relative: str  # path relative to the landing root, '/' separators

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST_NAME


@dataclass(frozen=True)
class Manifest:
    la_code: str
    period_end: dt.date
    extract_date: dt.date
    window_start: dt.date
    source_system: str
    files: dict[str, str]  # relative path -> sha256 (lower-case hex)
    sha256: str  # of manifest.json's bytes

    @property
    def extract_id(self) -> str:
        return self.sha256[:16]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def discover_extracts(landing: Path) -> list[ExtractFolder]:
    """Every ``<landing>/<la_code>/<folder>/`` holding a manifest.json, sorted (council, folder)."""
    found: list[ExtractFolder] = []
    if not landing.is_dir():
        log.warning("landing folder %s does not exist", landing)
        return found
    for la_dir in sorted(p for p in landing.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for folder in sorted(p for p in la_dir.iterdir() if p.is_dir()):
            if folder.name == COMMENTARY_DIR or folder.name.startswith("."):
                continue
            if (folder / MANIFEST_NAME).is_file():
                found.append(ExtractFolder(la_dir.name, folder, f"{la_dir.name}/{folder.name}"))
            else:
                log.info(
                    "%s/%s has no %s yet: not an extract, skipped", la_dir.name, folder.name, MANIFEST_NAME
                )
    return found


def _read_codes(path: Path) -> set[str]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return {row["la_code"].strip() for row in csv.DictReader(fh) if (row.get("la_code") or "").strip()}


@cache
def _known_councils_cached(seeds_dir: Path, _stamp: tuple[float, ...]) -> frozenset[str]:
    codes: set[str] = set()
    for rel in ("reference/la_lookup.csv", "council_settings.csv"):
        path = seeds_dir / rel
        if path.is_file():
            codes |= _read_codes(path)
        else:
            log.warning("council seed %s not found", path)
    return frozenset(codes)


def known_councils(seeds_dir: Path | None = None) -> frozenset[str]:
    """la_codes of la_lookup.csv plus council_settings.csv (the fictional demo council)."""
    seeds = (seeds_dir or SEEDS_DIR).resolve()
    # re-read when a seed file changes (a long-running orchestrator process)
    stamp = tuple(
        p.stat().st_mtime if p.is_file() else -1.0
        for p in (seeds / "reference/la_lookup.csv", seeds / "council_settings.csv")
    )
    return _known_councils_cached(seeds, stamp)


def _date(manifest: dict, key: str) -> dt.date:
    value = manifest.get(key)
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ExtractRejected(f"{MANIFEST_NAME}: '{key}' must be a date YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ExtractRejected(f"{MANIFEST_NAME}: '{key}' is not a valid date") from None


def _safe_relative(path: str) -> bool:
    if not path or "\\" in path or path.startswith("/"):
        return False
    parts = PurePosixPath(path).parts
    return all(p not in ("", ".", "..") for p in parts)


def parse_manifest(raw: bytes, folder_la_code: str, councils: frozenset[str]) -> Manifest:
    """Validate manifest.json's bytes; raises :class:`ExtractRejected`."""
    digest = hashlib.sha256(raw).hexdigest()
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise ExtractRejected(f"{MANIFEST_NAME}: not valid UTF-8 JSON{where}") from None
    if not isinstance(data, dict):
        raise ExtractRejected(f"{MANIFEST_NAME}: must be a JSON object")
    missing = [k for k in REQUIRED_KEYS if k not in data]
    if missing:
        raise ExtractRejected(f"{MANIFEST_NAME}: required key(s) missing: {', '.join(missing)}")
    la_code = data["la_code"]
    if not isinstance(la_code, str) or not _LA_CODE.match(la_code):
        raise ExtractRejected(f"{MANIFEST_NAME}: 'la_code' must be an ONS code like E06000045")
    if la_code != folder_la_code:
        raise ExtractRejected(
            f"{MANIFEST_NAME}: la_code {la_code} does not match the council folder {folder_la_code}"
        )
    if la_code not in councils:
        raise ExtractRejected(
            f"{MANIFEST_NAME}: la_code {la_code} is not a known council "
            "(seeds reference/la_lookup.csv, council_settings.csv)"
        )
    period_end = _date(data, "period_end")
    extract_date = _date(data, "extract_date")
    window_start = _date(data, "window_start")
    if (period_end + dt.timedelta(days=1)).day != 1:
        raise ExtractRejected(f"{MANIFEST_NAME}: period_end {period_end} is not the last day of a month")
    if window_start > period_end:
        raise ExtractRejected(
            f"{MANIFEST_NAME}: window_start {window_start} is after period_end {period_end}"
        )
    if extract_date < period_end:
        raise ExtractRejected(
            f"{MANIFEST_NAME}: extract_date {extract_date} is before period_end {period_end}"
        )
    source_system = data["source_system"]
    if not isinstance(source_system, str) or not source_system.strip():
        raise ExtractRejected(f"{MANIFEST_NAME}: 'source_system' must be a non-empty string")
    files = data["files"]
    if not isinstance(files, dict) or not files:
        raise ExtractRejected(f"{MANIFEST_NAME}: 'files' must be a non-empty object of path -> sha256")
    clean: dict[str, str] = {}
    for path, sha in files.items():
        if not isinstance(path, str) or not _safe_relative(path):
            raise ExtractRejected(
                f"{MANIFEST_NAME}: file path {path!r} is not a relative path inside the folder"
            )
        if path == MANIFEST_NAME:
            continue  # listing the manifest itself is harmless
        if not isinstance(sha, str) or not _SHA.match(sha.lower()):
            raise ExtractRejected(f"{MANIFEST_NAME}: sha256 of {path} is not 64 hex digits")
        clean[path] = sha.lower()
    return Manifest(la_code, period_end, extract_date, window_start, source_system.strip(), clean, digest)


def list_files(folder: Path) -> list[str]:
    """Every regular file below ``folder`` (relative, '/' separators), manifest.json excluded."""
    out = []
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            out.append(path.relative_to(folder).as_posix())  # listed so verify_files refuses it
        elif path.is_file():
            rel = path.relative_to(folder).as_posix()
            if rel != MANIFEST_NAME:
                out.append(rel)
    return out


def verify_files(folder: Path, manifest: Manifest, hashes: dict[str, str] | None = None) -> dict[str, Path]:
    """Check the folder against the manifest; returns {relative path: absolute path}.

    ``hashes`` ({relative path: sha256} of the files present) avoids hashing the files a second time.
    """
    present = list_files(folder) if hashes is None else sorted(hashes)
    unlisted = [p for p in present if p not in manifest.files]
    if unlisted:
        raise ExtractRejected(f"{unlisted[0]}: file present but not listed in {MANIFEST_NAME}")
    missing = [p for p in manifest.files if p not in present]
    if missing:
        raise ExtractRejected(f"{missing[0]}: listed in {MANIFEST_NAME} but missing from the folder")
    out: dict[str, Path] = {}
    for rel, expected in manifest.files.items():
        path = folder / rel
        if path.is_symlink():
            raise ExtractRejected(f"{rel}: is a symbolic link; extracts must hold real files")
        actual = hashes[rel] if hashes is not None else sha256_file(path)
        if actual != expected:
            raise ExtractRejected(f"{rel}: sha256 mismatch (manifest {expected[:12]}…, file {actual[:12]}…)")
        out[rel] = path
    return out
