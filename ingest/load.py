"""Load extracts into the warehouse, in batches (contract §1, §7).

``ingest_landing(settings)`` walks the landing folder and returns an :class:`IngestReport`. For each extract
folder, in (council, folder) order:

1. read manifest.json (its sha256 gives ``extract_id`` = first 16 hex); an extract_id already in
   ``raw.extracts`` is skipped ("already ingested"); a folder rejected before with the same manifest is
   skipped ("rejected before, manifest unchanged");
2. read every file once: hash it, archive it as received (content-addressed) before anything is checked, and
   locate a CSV file's header row. A reading thread does this ahead of the loader (the bytes are not kept:
   DuckDB reads the files), so reading and archiving overlap the batches' work in DuckDB;
3. validate the manifest and verify the files against it (a problem here is recorded at once).

Extracts that pass wait in a batch (about ``BATCH_BYTES`` of files; the first ones smaller). A batch is staged
as text in DuckDB (``ingest.staging``), normalised in SQL (``ingest.transform``) and written in ONE
transaction: the data tables, ``raw.quarantine``, ``raw.extract_tables``, ``raw.extracts``, and a
``raw.rejected_extracts`` row for each extract refused by a file or a value (message naming file, row,
column). An extract is therefore loaded whole or not at all; a run killed mid-batch leaves no trace of the
batch, and the next run loads it again.
Commentary files (``<landing>/<la>/commentary/<YYYY-MM>.csv``) replace their council-month in
``raw.commentary``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import itertools
import logging
import os
import re
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from ingest.archive import archive_file, ensure_private_dir, make_private
from ingest.manifest import (
    COMMENTARY_DIR,
    MANIFEST_NAME,
    SEEDS_DIR,
    ExtractRejected,
    Manifest,
    discover_extracts,
    known_councils,
    list_files,
    parse_manifest,
    sha256_file,
    verify_files,
)
from ingest.readers import FileRejected, SourceFrame, csv_body, decode_bytes, read_xlsx
from ingest.schema import (
    ANNEX_A_WORKBOOK,
    META_TABLES,
    RAW_SCHEMA,
    RAW_TABLES,
    create_raw_schema,
    table_for_csv_path,
)
from ingest.settings import Settings
from ingest.staging import (
    CsvLayout,
    StagedFile,
    create_stage_tables,
    csv_layout,
    insert_rows,
    stage_files,
    stage_frame,
)
from ingest.transform import drop_batch_tables, map_batch, normalise_batch, write_batch

log = logging.getLogger(__name__)

__all__ = [
    "CommentaryResult",
    "ExtractResult",
    "IngestReport",
    "ingest_commentary_file",
    "ingest_landing",
    "open_warehouse",
]


@dataclass
class ExtractResult:
    folder: str  # relative to the landing root
    la_code: str
    status: str  # loaded | skipped | rejected
    message: str = ""
    extract_id: str | None = None
    rows: dict[str, int] = field(default_factory=dict)  # raw table -> rows loaded
    quarantined: dict[str, int] = field(default_factory=dict)  # raw table -> rows quarantined
    values_nulled: int = 0


@dataclass
class CommentaryResult:
    file: str  # relative to the landing root
    status: str  # loaded | unchanged | skipped | rejected
    message: str = ""
    rows: int = 0


@dataclass
class IngestReport:
    extracts: list[ExtractResult] = field(default_factory=list)
    commentary: list[CommentaryResult] = field(default_factory=list)
    seconds: float = 0.0
    #: where the time went: files (checking each extract, and waiting for the reading thread to read, hash and
    #: archive its files), stage and map (on the staging thread), normalise, write (and commit). The staging
    #: thread's seconds overlap the others', so the sum exceeds the wall time.
    stage_seconds: Counter[str] = field(default_factory=Counter)

    def _with(self, status: str) -> list[ExtractResult]:
        return [r for r in self.extracts if r.status == status]

    @property
    def loaded(self) -> list[ExtractResult]:
        return self._with("loaded")

    @property
    def skipped(self) -> list[ExtractResult]:
        return self._with("skipped")

    @property
    def rejected(self) -> list[ExtractResult]:
        return self._with("rejected")

    @property
    def rows_per_table(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for result in self.loaded:
            total.update(result.rows)
        return dict(sorted(total.items()))

    @property
    def rows_quarantined(self) -> int:
        return sum(sum(r.quarantined.values()) for r in self.loaded)

    @property
    def values_nulled(self) -> int:
        return sum(r.values_nulled for r in self.loaded)

    def summary(self) -> dict[str, object]:
        """Counts for run metadata (Dagster, logs): no record contents."""
        return {
            "extracts_loaded": len(self.loaded),
            "extracts_skipped": len(self.skipped),
            "extracts_rejected": len(self.rejected),
            "rejections": {r.folder: r.message for r in self.rejected},
            "rows_loaded": sum(self.rows_per_table.values()),
            "rows_per_table": self.rows_per_table,
            "rows_quarantined": self.rows_quarantined,
            "values_nulled": self.values_nulled,
            "commentary_loaded": sum(c.status == "loaded" for c in self.commentary),
            "commentary_rejected": sum(c.status == "rejected" for c in self.commentary),
            "seconds": round(self.seconds, 3),
            "stage_seconds": {k: round(v, 3) for k, v in self.stage_seconds.items()},
        }

    def summary_lines(self) -> list[str]:
        """Counts and messages only (never record contents)."""
        lines = [
            f"extracts loaded: {len(self.loaded)}, skipped: {len(self.skipped)}, "
            f"rejected: {len(self.rejected)}",
        ]
        for r in self.rejected:
            lines.append(f"  rejected {r.folder}: {r.message}")
        for r in self.skipped:
            lines.append(f"  skipped {r.folder}: {r.message}")
        lines.append(f"rows loaded: {sum(self.rows_per_table.values())}")
        for table, count in self.rows_per_table.items():
            lines.append(f"  {table}: {count}")
        lines.append(f"rows quarantined: {self.rows_quarantined} (values nulled: {self.values_nulled})")
        if self.stage_seconds:
            lines.append("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in self.stage_seconds.items()))
        done = Counter(c.status for c in self.commentary)
        lines.append(
            "commentary files "
            + ", ".join(f"{k}: {done.get(k, 0)}" for k in ("loaded", "unchanged", "skipped", "rejected"))
        )
        for c in self.commentary:
            if c.status == "rejected":
                lines.append(f"  rejected {c.file}: {c.message}")
        return lines


# ---------------------------------------------------------------------------------------------- warehouse
def open_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """Open (create) the warehouse read-write, owner-only, with the raw schema in place.

    DuckDB's memory is bounded as for ``dbt build`` (``CSC_DUCKDB_MEMORY_LIMIT``, default 3GB; above it DuckDB
    spills to ``<warehouse>.tmp``). Insertion order stays preserved: staging numbers records in file order.
    """
    ensure_private_dir(path.parent)
    config = {
        "memory_limit": os.environ.get("CSC_DUCKDB_MEMORY_LIMIT") or "3GB",
        "temp_directory": str(path) + ".tmp",
    }
    con = duckdb.connect(str(path), config=config)
    make_private(path)
    create_raw_schema(con)
    return con


def _private_warehouse_files(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        make_private(candidate)


def _relative(folder: Path, landing: Path) -> str:
    try:
        return folder.resolve().relative_to(landing.resolve()).as_posix()
    except ValueError:
        return f"{folder.parent.name}/{folder.name}"


def _record_rejection(con, la_code: str, folder: str, manifest_sha: str | None, message: str) -> None:
    con.execute(
        f"INSERT INTO {RAW_SCHEMA}.rejected_extracts VALUES (?, ?, ?, ?, ?)",
        [la_code, folder, manifest_sha, dt.datetime.now(), message],
    )


# ---------------------------------------------------------------------------------------------- extracts
#: Extracts are staged and written in batches of about this many bytes of files; a batch is one transaction.
#: Two batches are in memory at once (one staged while the one before is written), so a batch is half the
#: 1 GiB of the loader that did one batch at a time. England's ingest on one machine, one after another:
#: 287 s (batches of 512 MiB) and 294 s (1 GiB) staged ahead, against 341 s (1 GiB) and 431 s (512 MiB) one
#: batch at a time; peak memory 3.3 GB in all four (DuckDB's memory limit bounds it).
BATCH_BYTES = 2**29
#: The first batch is smaller, and each next one twice the size up to BATCH_BYTES: DuckDB waits idle until
#: the reading thread has read, hashed and archived the first batch's files, and the thread reads about twice
#: as fast as the batches are loaded, so it stays ahead of the doubling.
FIRST_BATCH_BYTES = 2**28


@dataclass
class _Pending:
    """An extract whose manifest and files passed their checks, waiting for its batch."""

    result: ExtractResult
    manifest: Manifest
    files: list[StagedFile]
    sheets: list[tuple[StagedFile, SourceFrame]]

    @property
    def sheet_files(self) -> list[StagedFile]:
        return [staged for staged, _ in self.sheets]

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files) + sum(len(frame) * 100 for _, frame in self.sheets)


@dataclass
class _Received:
    """An extract folder's files as read once: hashed, archived as received, and each contract CSV file's
    header located (:func:`ingest.staging.csv_layout`). The bytes are not kept."""

    manifest_sha: str
    hashes: dict[str, str] = field(default_factory=dict)  # {relative path: sha256}; "" for a symbolic link
    sizes: dict[str, int] = field(default_factory=dict)
    layouts: dict[str, CsvLayout | None] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # header problems, which refuse the extract


def _receive(folder: Path, archive_dir: Path, raw_manifest: bytes, manifest_sha: str) -> _Received:
    """Archive every file of ``folder`` as received (before any check can refuse it: nothing received is
    lost), hash it, and locate each CSV file's header."""
    archive_file(folder / MANIFEST_NAME, archive_dir, manifest_sha, raw_manifest)
    received = _Received(manifest_sha)
    for name in list_files(folder):
        path = folder / name
        if path.is_symlink():
            received.hashes[name] = ""
            continue
        data = path.read_bytes()
        received.hashes[name] = sha = hashlib.sha256(data).hexdigest()
        received.sizes[name] = len(data)
        archive_file(path, archive_dir, sha, data)
        table = table_for_csv_path(name)
        if table is not None:
            try:
                received.layouts[name] = csv_layout(data, table, name)
            except FileRejected as exc:
                received.problems[name] = str(exc)
    return received


def _receive_ahead(folder: Path, archive_dir: Path, rel: str, done: set[str], rejected: set[tuple]):
    """:func:`_receive` on the reading thread; None for a folder the loader will skip (its extract was
    loaded, or refused with this manifest, before this run) or whose manifest cannot be read (the loader
    records that)."""
    try:
        raw_manifest = (folder / MANIFEST_NAME).read_bytes()
    except OSError:
        return None
    manifest_sha = hashlib.sha256(raw_manifest).hexdigest()
    if manifest_sha[:16] in done or (rel, manifest_sha) in rejected:
        return None
    return _receive(folder, archive_dir, raw_manifest, manifest_sha)


def _prepare_extract(
    con, folder: Path, settings: Settings, extract_no: int, file_ids, batch_ids: set[str], ahead: Future
):
    """Checks up to the files' hashes; returns a :class:`_Pending` or a finished :class:`ExtractResult`.
    ``ahead``: the reading thread's :func:`_receive_ahead` for this folder."""
    la_code = folder.parent.name
    rel = _relative(folder, settings.landing_dir)
    result = ExtractResult(rel, la_code, "rejected")
    try:
        raw_manifest = (folder / MANIFEST_NAME).read_bytes()
    except OSError as exc:
        result.message = f"{MANIFEST_NAME}: cannot be read ({type(exc).__name__})"
        _record_rejection(con, la_code, rel, None, result.message)
        log.warning("rejected %s: %s", rel, result.message)
        return result
    manifest_sha = hashlib.sha256(raw_manifest).hexdigest()
    result.extract_id = manifest_sha[:16]
    if (
        result.extract_id in batch_ids
        or con.execute(
            f"SELECT 1 FROM {RAW_SCHEMA}.extracts WHERE extract_id = ?", [result.extract_id]
        ).fetchall()
    ):
        result.status, result.message = "skipped", "already ingested"
        log.info("skipped %s: already ingested (extract %s)", rel, result.extract_id)
        return result
    if con.execute(
        f"SELECT 1 FROM {RAW_SCHEMA}.rejected_extracts WHERE folder = ? AND manifest_sha256 = ?",
        [rel, manifest_sha],
    ).fetchall():
        result.status, result.message = "skipped", "rejected before, manifest unchanged"
        log.info("skipped %s: rejected before and its manifest is unchanged", rel)
        return result
    received = ahead.result()
    if received is None or received.manifest_sha != manifest_sha:  # the manifest changed since it was read
        received = _receive(folder, settings.archive_dir, raw_manifest, manifest_sha)
    try:
        manifest = parse_manifest(raw_manifest, la_code, known_councils())
        files = verify_files(folder, manifest, received.hashes)
        pending = _Pending(result, manifest, [], [])
        annex_csv = [name for name in files if name.startswith("annex_a/")]
        if ANNEX_A_WORKBOOK in files and annex_csv:
            raise ExtractRejected(
                f"{ANNEX_A_WORKBOOK} and {annex_csv[0]}: Annex A sent both as a workbook and as CSV files; "
                "send one form"
            )
        for name in sorted(files):
            if name == ANNEX_A_WORKBOOK:
                sheets = read_xlsx(files[name], name)
                if not sheets:
                    raise ExtractRejected(f"{name}: no sheet named 'List 1' .. 'List 10'")
                for number in sorted(sheets):
                    frame = sheets[number]
                    staged = StagedFile(next(file_ids), extract_no, frame.table, frame.source_file)
                    pending.sheets.append((staged, frame))
                continue
            table = table_for_csv_path(name)
            if table is None:
                raise ExtractRejected(f"{name}: not a file of the extract contract (unknown file name)")
            pending.files.append(
                StagedFile(
                    next(file_ids),
                    extract_no,
                    table,
                    name,
                    files[name],
                    size=received.sizes[name],
                    layout=received.layouts.get(name),
                    problem=received.problems.get(name),
                )
            )
    except (ExtractRejected, FileRejected) as exc:
        result.message = str(exc)
        _record_rejection(con, la_code, rel, manifest_sha, result.message)
        log.warning("rejected %s: %s", rel, result.message)
        return result
    return pending


def _insert_frame(con, table: str, frame: pd.DataFrame, columns: tuple[tuple[str, str], ...]) -> None:
    if frame.empty:
        return
    select = ", ".join(f'CAST("{name}" AS {typ}) AS "{name}"' for name, typ in columns)
    names = ", ".join(f'"{name}"' for name, _ in columns)
    con.register("_ingest_frame", frame)
    try:
        con.execute(f"INSERT INTO {RAW_SCHEMA}.{table} ({names}) SELECT {select} FROM _ingest_frame")
    finally:
        con.unregister("_ingest_frame")


def _stage_batch(con, batch: dict[int, _Pending], key: bytes, clock: Counter[str]) -> dict[int, str]:
    """Stage a batch into ``con``'s temporary tables with its value maps and pseudonyms; returns
    {extract_no: message} for the extracts refused by a file or a value. Runs on the staging thread, on a
    cursor of its own."""
    tables = list(RAW_TABLES.values())
    create_stage_tables(con, tables)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE stage_extracts "
        "(extract_no INTEGER, la_code VARCHAR, extract_id VARCHAR, extract_date DATE)"
    )
    insert_rows(
        con,
        "stage_extracts",
        ["extract_no", "la_code", "extract_id", "extract_date"],
        [[no, p.manifest.la_code, p.manifest.extract_id, p.manifest.extract_date] for no, p in batch.items()],
    )
    started = time.perf_counter()
    rejected = stage_files(con, [f for p in batch.values() for f in p.files])
    for p in batch.values():
        for staged, frame in p.sheets:
            stage_frame(con, staged, frame)
    clock["stage"] += time.perf_counter() - started
    started = time.perf_counter()
    map_batch(con, tables, key, rejected)
    clock["map"] += time.perf_counter() - started
    return rejected


def _write_batch(con, batch: dict[int, _Pending], staging: Future, clock: Counter[str]) -> None:
    """Normalise a batch staged on ``con`` (``staging``: its :func:`_stage_batch`), write it in ONE
    transaction, drop its temporary tables, and fill in its extracts' results. A refused extract writes only
    its ``raw.rejected_extracts`` row."""
    try:
        rejected = staging.result()
        tables = list(RAW_TABLES.values())
        started = time.perf_counter()
        normalise_batch(con, tables, rejected)
        clock["normalise"] += time.perf_counter() - started
        started = time.perf_counter()
        con.execute("BEGIN TRANSACTION")
        try:
            counts = write_batch(con, tables)
            extract_tables = con.execute(
                "SELECT f.extract_no, e.extract_id, f.table_name, f.source_file, f.file_id "
                "FROM stage_files AS f JOIN stage_extracts AS e USING (extract_no) ORDER BY f.file_id"
            ).fetchall()
            rows = []
            for extract_no, extract_id, table_name, source_file, file_id in extract_tables:
                if extract_no not in rejected:
                    loaded, quarantined = counts.files.get(file_id, (0, 0))
                    rows.append((extract_id, table_name, source_file, loaded, quarantined))
            _insert_frame(
                con,
                "extract_tables",
                pd.DataFrame(rows, columns=[c for c, _ in META_TABLES["extract_tables"].columns]),
                META_TABLES["extract_tables"].columns,
            )
            now = dt.datetime.now()
            for no, p in batch.items():
                m, result = p.manifest, p.result
                if no in rejected:
                    _record_rejection(con, m.la_code, result.folder, m.sha256, rejected[no])
                    continue
                con.execute(
                    f"INSERT INTO {RAW_SCHEMA}.extracts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [m.extract_id, m.la_code, m.period_end, m.extract_date, m.window_start, m.source_system,
                     result.folder, m.sha256, now],
                )  # fmt: skip
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        clock["write"] += time.perf_counter() - started
    finally:
        drop_batch_tables(con)
    for no, p in batch.items():
        result = p.result
        if no in rejected:
            result.message = rejected[no]
            log.warning("rejected %s: %s", result.folder, result.message)
            continue
        result.status = "loaded"
        names = sorted({f.table.name for f in p.files} | {s.table.name for s in p.sheet_files})
        result.message = f"{len(names)} table(s)"
        result.rows = {t: counts.rows.get(no, {}).get(t, 0) for t in names}
        result.quarantined = {t: counts.quarantined.get(no, {}).get(t, 0) for t in names}
        result.values_nulled = counts.values_nulled.get(no, 0)
        log.info(
            "loaded %s (extract %s): %d rows, %d rows quarantined",
            result.folder,
            result.extract_id,
            sum(result.rows.values()),
            sum(result.quarantined.values()),
        )


# ---------------------------------------------------------------------------------------------- commentary
_MONTH_FILE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])\.csv$")


def indicator_codes(seeds_dir: Path | None = None) -> frozenset[str]:
    """The ``code`` column of the indicator catalogue seed (dbt_project/seeds/indicators.csv)."""
    path = (seeds_dir or SEEDS_DIR) / "indicators.csv"
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return frozenset(row["code"].strip() for row in csv.DictReader(fh) if (row.get("code") or "").strip())


_CODE_LIKE = re.compile(r"^[A-Za-z0-9 ()%.-]{1,20}$")


def _shown_code(value: str) -> str:
    """A code for a message, only when it looks like a code (a swapped column must not echo free text)."""
    return repr(value) if _CODE_LIKE.match(value) else "(a value that is not a code)"


def _read_commentary(path: Path, rel: str, codes: frozenset[str]) -> pd.DataFrame:
    text = decode_bytes(path.read_bytes())
    if not text.strip():
        raise FileRejected(f"{rel}: file is empty (expected columns code, commentary)")
    body, lines = csv_body(text, rel)
    header = [str(h).strip().lower() for h in body.iloc[0]]
    if "code" not in header or "commentary" not in header:
        raise FileRejected(f"{rel}: row 1: columns 'code' and 'commentary' required")
    data = pd.DataFrame(
        {
            "indicator_code": body.iloc[1:, header.index("code")].str.strip().to_numpy(),
            "commentary": body.iloc[1:, header.index("commentary")].str.strip().to_numpy(),
            "source_line": lines[1:],
        }
    )
    data = data[(data["indicator_code"] != "") | (data["commentary"] != "")]
    blank = data[data["indicator_code"] == ""]
    if len(blank):
        raise FileRejected(f"{rel}: row {int(blank['source_line'].iloc[0])}: column 'code' is blank")
    unknown = data[~data["indicator_code"].isin(codes)]
    if len(unknown):
        first = unknown.iloc[0]
        raise FileRejected(
            f"{rel}: row {int(first['source_line'])}: column 'code': unknown indicator code "
            f"{_shown_code(first['indicator_code'])} (not in indicators.csv)"
        )
    dup = data[data["indicator_code"].duplicated()]
    if len(dup):
        raise FileRejected(
            f"{rel}: row {int(dup['source_line'].iloc[0])}: column 'code': indicator "
            f"{_shown_code(dup['indicator_code'].iloc[0])} appears twice"
        )
    data["commentary"] = data["commentary"].where(data["commentary"] != "", None)
    return data.reset_index(drop=True)


def ingest_commentary_file(con, path: Path, settings: Settings, codes: frozenset[str]) -> CommentaryResult:
    """Load one ``<la>/commentary/<YYYY-MM>.csv`` file, replacing that council-month."""
    la_code = path.parent.parent.name
    rel = f"{la_code}/{COMMENTARY_DIR}/{path.name}"
    sha = sha256_file(path)
    archive_file(path, settings.archive_dir, sha)
    if con.execute(
        f"SELECT 1 FROM {RAW_SCHEMA}.rejected_extracts WHERE folder = ? AND manifest_sha256 = ?", [rel, sha]
    ).fetchall():
        return CommentaryResult(rel, "skipped", "rejected before, file unchanged")
    try:
        match = _MONTH_FILE.match(path.name)
        if not match:
            raise FileRejected(f"{rel}: file name must be YYYY-MM.csv (a month), e.g. 2025-03.csv")
        if la_code not in known_councils():
            raise FileRejected(f"{rel}: {la_code} is not a known council")
        month = dt.date(int(match.group(1)), int(match.group(2)), 1)
        data = _read_commentary(path, rel, codes)
        first, last = con.execute(
            f"SELECT min(window_start), max(period_end) FROM {RAW_SCHEMA}.extracts WHERE la_code = ?",
            [la_code],
        ).fetchone()
        if first is None or month > last:
            # Commentary often arrives before its month's extract: wait (not a rejection) and retry next run.
            log.info("commentary %s waits for an extract covering %s", rel, f"{month:%Y-%m}")
            waiting = f"waiting for an extract of {la_code} covering {month:%Y-%m}"
            return CommentaryResult(rel, "skipped", waiting)
        if month < first.replace(day=1):
            raise FileRejected(
                f"{rel}: month {month:%Y-%m} is before {la_code}'s first reporting month {first:%Y-%m}"
            )
    except (FileRejected, UnicodeDecodeError) as exc:
        message = str(exc) if isinstance(exc, FileRejected) else f"{rel}: cannot be decoded"
        _record_rejection(con, la_code, rel, sha, message)
        log.warning("rejected commentary %s: %s", rel, message)
        return CommentaryResult(rel, "rejected", message)
    existing = con.execute(
        f"SELECT indicator_code, commentary, source_file, source_line FROM {RAW_SCHEMA}.commentary "
        "WHERE la_code = ? AND month = ? ORDER BY source_line",
        [la_code, month],
    ).fetchall()
    new = [(r.indicator_code, r.commentary, rel, int(r.source_line)) for r in data.itertuples()]
    if existing == new:
        return CommentaryResult(rel, "unchanged", rows=len(new))
    frame = data.assign(la_code=la_code, month=pd.Timestamp(month), source_file=rel)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DELETE FROM {RAW_SCHEMA}.commentary WHERE la_code = ? AND month = ?", [la_code, month])
        _insert_frame(con, "commentary", frame, META_TABLES["commentary"].columns)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    log.info("commentary %s: %d rows loaded", rel, len(new))
    return CommentaryResult(rel, "loaded", rows=len(new))


def commentary_files(landing: Path) -> list[Path]:
    if not landing.is_dir():
        return []
    return sorted(
        p
        for la_dir in landing.iterdir()
        if (la_dir / COMMENTARY_DIR).is_dir()
        for p in (la_dir / COMMENTARY_DIR).iterdir()
        if p.is_file() and not p.name.startswith(".")
    )


# ---------------------------------------------------------------------------------------------- landing
def _ingest_extracts(con, settings: Settings, report: IngestReport) -> None:
    """Extracts in (council, folder) order, in batches, on three threads (DuckDB releases the GIL):

    * a reading thread reads, hashes and archives the files ahead of the batches, skipping the folders loaded
      or refused before;
    * a staging thread stages a batch and builds its value maps and pseudonyms, on a cursor of its own (its
      temporary tables are its own), while
    * this thread checks the next extracts, and normalises and writes the batch staged before, on the other
      cursor.

    So one batch is staged while the one before it is written (the two cores were a third idle when each
    batch did the one then the other); batches are still written one at a time, in order."""
    file_ids = itertools.count(1)
    folders = discover_extracts(settings.landing_dir)
    done = {r[0] for r in con.execute(f"SELECT extract_id FROM {RAW_SCHEMA}.extracts").fetchall()}
    rejected = set(
        con.execute(f"SELECT folder, manifest_sha256 FROM {RAW_SCHEMA}.rejected_extracts").fetchall()
    )
    batch: dict[int, _Pending] = {}
    size, limit = 0, FIRST_BATCH_BYTES
    cursors = [con.cursor(), con.cursor()]
    free_cursor = itertools.cycle(cursors)  # at most one batch waits staged, so the batches alternate
    staged: tuple[duckdb.DuckDBPyConnection, dict[int, _Pending], Future] | None = None  # not written yet
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-reader") as reader,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-stager") as stager,
    ):
        ahead = [
            reader.submit(
                _receive_ahead,
                f.path,
                settings.archive_dir,
                _relative(f.path, settings.landing_dir),
                done,
                rejected,
            )
            for f in folders
        ]

        def load(batch: dict[int, _Pending]) -> None:
            """Stage ``batch`` on the free cursor, then write the batch staged before it."""
            nonlocal staged
            cursor = next(free_cursor)  # the other one holds the batch staged before, if any
            staging = stager.submit(_stage_batch, cursor, batch, settings.key_bytes, report.stage_seconds)
            before, staged = staged, (cursor, batch, staging)
            if before is not None:
                _write_batch(*before, report.stage_seconds)

        try:
            for extract_no, folder in enumerate(folders):
                ids = {p.manifest.extract_id for p in batch.values()}
                if staged is not None:  # the batch staged, not written yet
                    ids |= {p.manifest.extract_id for p in staged[1].values()}
                started = time.perf_counter()
                outcome = _prepare_extract(
                    con, folder.path, settings, extract_no, file_ids, ids, ahead[extract_no]
                )
                report.stage_seconds["files"] += time.perf_counter() - started
                if isinstance(outcome, ExtractResult):
                    report.extracts.append(outcome)
                    continue
                report.extracts.append(outcome.result)
                batch[extract_no] = outcome
                size += outcome.size
                if size >= limit:
                    load(batch)
                    batch, size, limit = {}, 0, min(2 * limit, BATCH_BYTES)
            if batch:
                load(batch)
            if staged is not None:
                before, staged = staged, None
                _write_batch(*before, report.stage_seconds)
        finally:
            for future in ahead:
                future.cancel()
            if staged is not None:  # an error: wait for the staging thread before the cursors close
                staged[2].exception()
            for cursor in cursors:
                cursor.close()


def ingest_landing(settings: Settings) -> IngestReport:
    """Ingest every extract folder and commentary file of the landing folder."""
    started = time.perf_counter()
    report = IngestReport()
    ensure_private_dir(settings.archive_dir)
    con = open_warehouse(settings.warehouse_path)
    try:
        _ingest_extracts(con, settings, report)
        files = commentary_files(settings.landing_dir)
        if files:
            codes = indicator_codes()
            for path in files:
                report.commentary.append(ingest_commentary_file(con, path, settings, codes))
        con.execute("CHECKPOINT")
    finally:
        con.close()
        _private_warehouse_files(settings.warehouse_path)
    report.seconds = time.perf_counter() - started
    log.info(
        "ingest finished: %d loaded, %d skipped, %d rejected, %d rows, %d quarantined in %.1f s",
        len(report.loaded),
        len(report.skipped),
        len(report.rejected),
        sum(report.rows_per_table.values()),
        report.rows_quarantined,
        report.seconds,
    )
    return report
