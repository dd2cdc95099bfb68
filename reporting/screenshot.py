"""Headless Chromium from its command line: a PNG of a rendered scorecard, or its DOM after loading.

    python -m reporting.screenshot scorecard.html out.png [--width 1150 --height 1700]

Debian's ``chromium`` package (``apt-get install -y chromium``); no Playwright, no browser download. The page
is opened from a file URL with networking features off; the scorecard needs nothing from the network.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)


def find_chromium() -> str | None:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _run(args: list[str], timeout: int) -> subprocess.CompletedProcess:
    chromium = find_chromium()
    if chromium is None:
        raise RuntimeError("headless Chromium not found: apt-get install -y chromium")
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        return subprocess.run(
            [chromium, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )


def screenshot(html: Path, png: Path, *, width: int = 1150, height: int = 1700, timeout: int = 120) -> Path:
    """Load ``html`` in headless Chromium and write a ``width`` x ``height`` PNG of the top of the page."""
    png = Path(png).resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    _run([f"--screenshot={png}", f"--window-size={width},{height}", Path(html).resolve().as_uri()], timeout)
    if not png.is_file():
        raise RuntimeError(f"Chromium wrote no screenshot to {png}")
    return png


def dump_dom(html: Path, *, timeout: int = 120) -> str:
    """The DOM of ``html`` as Chromium serialises it after loading (scripts, if any, would have run)."""
    return _run(["--dump-dom", Path(html).resolve().as_uri()], timeout).stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reporting.screenshot", description=__doc__.split("\n")[0]
    )
    parser.add_argument("html", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--width", type=int, default=1150)
    parser.add_argument("--height", type=int, default=1700)
    args = parser.parse_args(argv)
    out = screenshot(args.html, args.png, width=args.width, height=args.height)
    print(f"wrote {out} ({out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
