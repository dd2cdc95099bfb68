"""Content-addressed archive of every file as received: ``<archive>/<sha256[:2]>/<sha256>``.

Files are written owner-only (0600) in owner-only directories (0700), atomically (temporary file, then
``os.replace``). A file already archived is not written again.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

__all__ = ["archive_file", "ensure_private_dir", "make_private"]


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
