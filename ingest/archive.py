"""Content-addressed archive of every file as received: ``<archive>/<sha256[:2]>/<sha256>``.

Files are written owner-only (0600) in owner-only directories (0700), atomically (temporary file, then
``os.replace``). A file already archived is not written again. :class:`ArchiveWriter` writes them on a
background thread, so ingest's DuckDB work goes on meanwhile; ingest waits for it before it records anything
about a file (a batch's commit, a rejection), so a file is never known to the warehouse and missing from the
archive.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

log = logging.getLogger(__name__)

__all__ = ["ArchiveWriter", "archive_file", "ensure_private_dir", "make_private"]


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed; the directories created here are mode 0700."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    path.mkdir(parents=True, exist_ok=True)
    for created in missing:
        os.chmod(created, 0o700)
    return path


def make_private(path: Path) -> None:
    """chmod 0600 (files) if it exists."""
    if path.exists():
        os.chmod(path, 0o600)


def archive_file(source: Path, archive_dir: Path, sha256: str, data: bytes | None = None) -> Path:
    """Copy ``source`` (whose sha256 is given; ``data``: its bytes, when already read) into the archive;
    returns the archived path."""
    target_dir = ensure_private_dir(archive_dir / sha256[:2])
    os.chmod(archive_dir, 0o700)
    os.chmod(target_dir, 0o700)
    target = target_dir / sha256
    if target.exists():
        return target
    fd, tmp = tempfile.mkstemp(dir=target_dir, prefix=".incoming-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as out:
            if data is not None:
                out.write(data)
            else:
                with source.open("rb") as src:
                    shutil.copyfileobj(src, out, 1 << 20)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    log.debug("archived %s as %s", source.name, sha256[:12])
    return target


class ArchiveWriter:
    """:func:`archive_file` on one background thread (writing the copies is I/O, which releases the GIL).

    ``wait()`` returns once every file submitted so far is archived, and raises the first error; use as a
    context manager (leaving it waits, then stops the thread).
    """

    def __init__(self, archive_dir: Path) -> None:
        self.archive_dir = archive_dir
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive")
        self._pending: list[Future] = []

    def submit(self, source: Path, sha256: str, data: bytes) -> None:
        self._pending.append(self._pool.submit(archive_file, source, self.archive_dir, sha256, data))

    def wait(self) -> None:
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(self, *exc) -> None:
        try:
            if exc[0] is None:
                self.wait()
        finally:
            self._pool.shutdown(wait=True)
