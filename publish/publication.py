"""The published marts: ``<published>/scorecard.duckdb`` and ``<published>/parquet/<table>.parquet``.

Everything is first written into a staging folder inside the published folder (same file system), checked,
and flushed to disk; only then is each file moved over its published name with ``os.replace()`` (atomic).
A failure before that point leaves the last publication untouched; a reader that has the old file open keeps
its snapshot, a new connection sees the new file. The DuckDB file is written with ``STORAGE_VERSION 'v1.4.0'``
so DuckDB 1.x clients (many BI drivers) can open it.

Published: ``marts.scorecard_monthly``, ``marts.scorecard`` and the ``marts.dim_*`` tables without child-level
columns. Facts (``fct_*``) and any table with a pseudonymous child or household key are never published.
``publication.json``, replaced last, names the publication and the sha256 of every file it consists of.

With ``CSC_PUBLISH_SHARED_EXPORT=1`` (or ``shared_export=True``) the same publication also holds
``shared/scorecard_monthly.csv`` and ``shared/scorecard.csv``: the export for sharing outside the council,
with small-number suppression (publish/suppression.py, publish/README.md). The DuckDB file and Parquet keep
exact figures.

Permissions: published files are owner-only (0600, folders 0700) whatever the umask; with
``CSC_PUBLISHED_GROUP_READABLE=1`` they are group-readable (0640, folders 0750) so an analysts' group can
open them (the folder's group decides who: e.g. a setgid folder owned by that group).

One publisher at a time: ``publish`` holds an exclusive ``flock`` on the published folder. A publication that
was killed leaves its ``.staging-*`` folder behind (the published files themselves are untouched until the
replace step); the next publication, holding the lock, removes it. A kill in the middle of the replace step
(a few milliseconds) can leave some files new and others old: ``publication.json`` then does not match the
files' sha256 until the next publication.

Test hook: ``CSC_TEST_PUBLISH_PAUSE_SECONDS`` (tests/test_faults.py only) sleeps after the staging files are
complete and before the first replace, so a test can kill the process at that point deterministically.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from publish.suppression import SHARED_DIR, write_shared_export

PUBLISHED_DB = "scorecard.duckdb"
PARQUET_DIR = "parquet"
MANIFEST_NAME = "publication.json"
STORAGE_VERSION = "v1.4.0"
REQUIRED_TABLES = ("scorecard_monthly", "scorecard")
#: Columns that make a table child-level: such a table is never published, whatever its name.
CHILD_LEVEL_COLUMNS = frozenset({"child_key", "household_key", "child_id", "household_id"})
SHARED_TABLES = ("scorecard_monthly", "scorecard")
STAGING_PREFIX = ".staging-"
PAUSE_HOOK = "CSC_TEST_PUBLISH_PAUSE_SECONDS"
_TRUE = {"1", "true", "yes", "on"}


def _env_flag(name: str) -> bool:
    return (os.environ.get(name) or "0").strip().lower() in _TRUE


class PublicationError(RuntimeError):
    """The publication could not be built; the previous one is untouched."""


@dataclass
class PublicationResult:
    publication_id: str
    published_dir: Path
    database: Path
    parquet: dict[str, Path]
    rows: dict[str, int]
    seconds: float
    manifest: Path
    skipped: dict[str, str] = field(default_factory=dict)


def _sql_str(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def tables_to_publish(con: duckdb.DuckDBPyConnection) -> tuple[list[str], dict[str, str]]:
    """(tables to publish, {table left out: why}) among the `marts` tables of the warehouse."""
    rows = con.execute(
        "select table_name, list(lower(column_name)) from information_schema.columns "
        "where table_catalog = current_database() and table_schema = 'marts' "
        "group by table_name order by table_name"
    ).fetchall()
    columns = {table: set(cols) for table, cols in rows}
    missing = [t for t in REQUIRED_TABLES if t not in columns]
    if missing:
        raise PublicationError(f"the warehouse has no marts.{', marts.'.join(missing)}: nothing to publish")
    chosen, skipped = [], {}
    for table, cols in columns.items():
        if not (table in REQUIRED_TABLES or table.startswith("dim_")):
            skipped[table] = "not an aggregate mart" if table.startswith("fct_") else "not a published mart"
            continue
        child_cols = sorted(cols & CHILD_LEVEL_COLUMNS)
        if child_cols:
            if table in REQUIRED_TABLES:
                raise PublicationError(
                    f"marts.{table} has child-level columns {child_cols}: refusing to publish"
                )
            skipped[table] = f"child-level ({', '.join(child_cols)})"
            continue
        chosen.append(table)
    return chosen, skipped


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _build(
    warehouse_path: Path, staging: Path, publication: dict, shared_export: bool = False
) -> tuple[list[str], dict[str, str], dict]:
    """Write the DuckDB file and the Parquet files (and the shared export) into ``staging``; return tables,
    skipped, row counts."""
    db_path = staging / PUBLISHED_DB
    parquet_dir = staging / PARQUET_DIR
    parquet_dir.mkdir()
    # An in-memory session with the warehouse attached read-only and the new file attached read-write.
    with duckdb.connect() as con:
        con.execute(f"attach {_sql_str(warehouse_path)} as wh (read_only)")
        con.execute("use wh")
        tables, skipped = tables_to_publish(con)
        rows = {t: con.execute(f"select count(*) from wh.marts.{t}").fetchone()[0] for t in tables}
        con.execute(f"attach {_sql_str(db_path)} as pub (storage_version '{STORAGE_VERSION}')")
        for table in tables:
            con.execute(f"create table pub.main.{table} as select * from wh.marts.{table}")
            target = parquet_dir / f"{table}.parquet"
            con.execute(
                f"copy (select * from wh.marts.{table}) to {_sql_str(target)} "
                "(format parquet, compression zstd)"
            )
        con.execute(
            "create table pub.main.publication (publication_id varchar, published_at timestamp, "
            "run_id varchar, reporting_month date, table_name varchar, row_count bigint)"
        )
        con.executemany(
            "insert into pub.main.publication values (?, ?, ?, ?, ?, ?)",
            [
                (
                    publication["publication_id"],
                    publication["published_at"],
                    publication["run_id"],
                    publication["reporting_month"],
                    t,
                    rows[t],
                )
                for t in tables
            ],
        )
        con.execute("detach pub")
        if shared_export:
            shared_rows = write_shared_export(con, staging / SHARED_DIR, source="marts")
            if shared_rows != {t: rows[t] for t in SHARED_TABLES}:
                raise PublicationError(f"shared export: wrote {shared_rows}, expected the marts' row counts")
    # Read back what was written before anything is replaced.
    with duckdb.connect(str(db_path), read_only=True) as check:
        for table in tables:
            in_db = check.execute(f"select count(*) from main.{table}").fetchone()[0]
            in_parquet = check.execute(
                f"select count(*) from read_parquet({_sql_str(parquet_dir / f'{table}.parquet')})"
            ).fetchone()[0]
            if in_db != rows[table] or in_parquet != rows[table]:
                raise PublicationError(f"{table}: wrote {in_db} / {in_parquet} rows, expected {rows[table]}")
    return tables, skipped, rows


def publish(
    warehouse_path: Path,
    published_dir: Path,
    *,
    run_id: str | None = None,
    reporting_month: dt.date | None = None,
    shared_export: bool | None = None,
    group_readable: bool | None = None,
) -> PublicationResult:
    """Build the publication from the warehouse (read-only) and replace the published files atomically.

    ``shared_export`` and ``group_readable`` default to the environment (``CSC_PUBLISH_SHARED_EXPORT``,
    ``CSC_PUBLISHED_GROUP_READABLE``).
    """
    started = time.perf_counter()
    warehouse_path, published_dir = Path(warehouse_path), Path(published_dir)
    if shared_export is None:
        shared_export = _env_flag("CSC_PUBLISH_SHARED_EXPORT")
    if group_readable is None:
        group_readable = _env_flag("CSC_PUBLISHED_GROUP_READABLE")
    file_mode, dir_mode = (0o640, 0o750) if group_readable else (0o600, 0o700)
    if not warehouse_path.exists():
        raise PublicationError(f"no warehouse at {warehouse_path}")
    _make_dir(published_dir, dir_mode)
    lock = os.open(published_dir, os.O_RDONLY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one publisher at a time; released on exit, even when killed
        _remove_stale_staging(published_dir)
        return _publish_locked(
            warehouse_path,
            published_dir,
            run_id,
            reporting_month,
            shared_export,
            file_mode,
            dir_mode,
            started,
        )
    finally:
        os.close(lock)


def _make_dir(path: Path, mode: int) -> None:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, mode)


def _remove_stale_staging(published_dir: Path) -> None:
    """Staging folders left by a killed publication (called with the publish lock held: none is live)."""
    for stale in published_dir.glob(f"{STAGING_PREFIX}*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)


def _publish_locked(
    warehouse_path: Path,
    published_dir: Path,
    run_id: str | None,
    reporting_month: dt.date | None,
    shared_export: bool,
    file_mode: int,
    dir_mode: int,
    started: float,
) -> PublicationResult:
    publication = {
        "publication_id": uuid.uuid4().hex,
        "published_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        "run_id": run_id,
        "reporting_month": reporting_month,
    }
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=published_dir))
    try:
        tables, skipped, rows = _build(warehouse_path, staging, publication, shared_export)
        staged = [staging / PUBLISHED_DB] + [staging / PARQUET_DIR / f"{t}.parquet" for t in tables]
        if shared_export:
            staged += [staging / SHARED_DIR / f"{t}.csv" for t in SHARED_TABLES]
        for path in staged:
            os.chmod(path, file_mode)
            _fsync(path)
        files = {str(p.relative_to(staging)): _sha256(p) for p in staged}
        manifest = {
            "publication_id": publication["publication_id"],
            "published_at": publication["published_at"].isoformat(timespec="seconds") + "Z",
            "run_id": run_id,
            "reporting_month": reporting_month.isoformat() if reporting_month else None,
            "duckdb_storage_version": STORAGE_VERSION,
            "tables": rows,
            "files": files,
        }
        (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        os.chmod(staging / MANIFEST_NAME, file_mode)
        _fsync(staging / MANIFEST_NAME)
        if os.environ.get(PAUSE_HOOK):  # test hook (tests/test_faults.py): a deterministic kill point
            time.sleep(float(os.environ[PAUSE_HOOK]))

        # Commit: each file replaced atomically; the manifest last.
        out_parquet = published_dir / PARQUET_DIR
        out_shared = published_dir / SHARED_DIR
        _make_dir(out_parquet, dir_mode)
        for table in tables:
            os.replace(staging / PARQUET_DIR / f"{table}.parquet", out_parquet / f"{table}.parquet")
        if shared_export:
            _make_dir(out_shared, dir_mode)
            for table in SHARED_TABLES:
                os.replace(staging / SHARED_DIR / f"{table}.csv", out_shared / f"{table}.csv")
        os.replace(staging / PUBLISHED_DB, published_dir / PUBLISHED_DB)
        os.replace(staging / MANIFEST_NAME, published_dir / MANIFEST_NAME)
        _fsync(out_parquet)
        _fsync(published_dir)
        # Parquet files of tables no longer published (e.g. a dimension dropped from the marts).
        for stale in out_parquet.glob("*.parquet"):
            if stale.stem not in tables:
                stale.unlink()
        if not shared_export:  # an export switched off must not linger with out-of-date figures
            for table in SHARED_TABLES:
                (out_shared / f"{table}.csv").unlink(missing_ok=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return PublicationResult(
        publication_id=publication["publication_id"],
        published_dir=published_dir,
        database=published_dir / PUBLISHED_DB,
        parquet={t: published_dir / PARQUET_DIR / f"{t}.parquet" for t in tables},
        rows=rows,
        seconds=round(time.perf_counter() - started, 3),
        manifest=published_dir / MANIFEST_NAME,
        skipped=skipped,
    )
