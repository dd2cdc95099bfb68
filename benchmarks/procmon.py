"""Run a command and sample the memory of its whole process tree from /proc (Linux only).

Every ``interval`` seconds the monitor lists the command's descendants (``/proc/*/stat`` parent links) and
reads ``VmRSS`` and ``VmHWM`` from each one's ``/proc/<pid>/status``. It keeps

- ``samples``: (unix time, summed VmRSS of the tree) pairs, so the peak of any time window (a pipeline stage)
  can be read afterwards;
- ``hwm``: per process, the last ``VmHWM`` seen (the kernel's exact peak RSS of that process, read while it
  was alive, so at most one interval old).

psutil is not installed here; this needs nothing but /proc.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

KIB = 1024
TIMED_OUT = -999  # returncode recorded when the timeout stopped the command


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # the command name (field 2) may hold spaces and parentheses: split after the last ')'
        fields = stat[stat.rfind(b")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def _tree(root: int) -> list[int]:
    children = _children_map()
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def _status(pid: int) -> tuple[int, int, str] | None:
    """(VmRSS bytes, VmHWM bytes, name) of a live process; None when it is gone or a zombie."""
    rss = hwm = None
    name = "?"
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Name:"):
                    name = line.split(None, 1)[1].strip()
                elif line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) * KIB
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1]) * KIB
    except OSError:
        return None
    if rss is None or hwm is None:
        return None
    return rss, hwm, name


def _cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    parts = [p.decode(errors="replace") for p in raw.split(b"\0") if p]
    # program and up to four arguments, enough to tell `dagster job execute` from `dbt build`
    return " ".join(Path(parts[0]).name if i == 0 else p for i, p in enumerate(parts[:5])) if parts else "?"


@dataclass
class Measured:
    command: list[str]
    returncode: int
    started: float  # unix time
    ended: float
    samples: list[tuple[float, int]] = field(default_factory=list)
    hwm: dict[int, tuple[int, str]] = field(default_factory=dict)  # pid -> (peak RSS bytes, command)
    load_start: float = 0.0
    load_end: float = 0.0
    load_max: float = 0.0

    @property
    def seconds(self) -> float:
        return self.ended - self.started

    @property
    def peak_tree_rss(self) -> int:
        """Largest summed RSS of the process tree seen in one sample."""
        return max((rss for _, rss in self.samples), default=0)

    @property
    def peak_process_hwm(self) -> tuple[int, str]:
        """The largest single-process peak RSS (kernel VmHWM) and that process's command."""
        return max(self.hwm.values(), default=(0, "?"))

    def peak_between(self, start: float, end: float) -> int:
        """Largest summed tree RSS sampled in [start, end] (unix times)."""
        return max((rss for t, rss in self.samples if start <= t <= end), default=0)


def run_measured(
    command: list[str],
    *,
    cwd: str | Path | None = None,
    env: dict[str, str] | None = None,
    log_path: Path | None = None,
    interval: float = 0.2,
    timeout: float | None = None,
    progress_path: Path | None = None,
    progress_every: float = 30.0,
) -> Measured:
    """Run ``command`` to the end (stdout and stderr to ``log_path``), sampling its tree's memory."""
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    load_start = os.getloadavg()[0]
    started = time.time()
    # its own session, so a timeout can stop the whole tree it started (dbt under dagster) by group id
    proc = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    result = Measured(command, -1, started, started, load_start=load_start, load_max=load_start)
    stop = threading.Event()

    def progress() -> None:
        """Peaks so far, for a long run that may be stopped before it ends."""
        if progress_path is None:
            return
        snapshot = {
            "command": command[:4],
            "elapsed_seconds": round(time.time() - started, 1),
            "peak_tree_rss_mb": round(result.peak_tree_rss / KIB / KIB),
            "current_tree_rss_mb": round(result.samples[-1][1] / KIB / KIB) if result.samples else 0,
            "process_peaks_mb": sorted(
                ([round(h / KIB / KIB), c] for h, c in result.hwm.values() if h > 100 * KIB * KIB),
                reverse=True,
            ),
            "load_1m_now": os.getloadavg()[0],
            "load_1m_max": result.load_max,
        }
        progress_path.write_text(json.dumps(snapshot, indent=1), encoding="utf-8")

    def poll() -> None:
        last_progress = 0.0
        while not stop.is_set():
            now = time.time()
            total = 0
            for pid in _tree(proc.pid):
                status = _status(pid)
                if status is None:
                    continue
                rss, hwm, name = status
                total += rss
                previous = result.hwm.get(pid)
                if previous is None:
                    result.hwm[pid] = (hwm, _cmdline(pid) or name)
                elif hwm > previous[0]:
                    result.hwm[pid] = (hwm, previous[1])
            result.samples.append((now, total))
            result.load_max = max(result.load_max, os.getloadavg()[0])
            if now - last_progress >= progress_every:
                progress()
                last_progress = now
            stop.wait(interval)
        progress()

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        result.returncode = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        result.returncode = TIMED_OUT
    finally:
        result.ended = time.time()
        stop.set()
        thread.join()
        if log_path:
            log.close()
    result.load_end = os.getloadavg()[0]
    return result
