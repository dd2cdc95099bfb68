"""Performance benchmark (not a test): generate councils, run the whole pipeline, compare with a raw read.

``python -m benchmarks.run --scale one|ten|england [--work DIR] [--keep]`` (from the repository root)

Per scale, in a fresh work folder (default ``/tmp/csc-bench-<scale>``):

1. **generation** (timed apart, not part of any pipeline figure): ``python -m synthetic.cli`` writes every
   council's extracts (the demo council, 10 real councils, or all of England) into ``<work>/generated``;
2. the landing folder ``<work>/landing`` is built from hard links (no copy): every extract folder except the
   last one (by extract_date) of the first council, which is held back for step 5;
3. **baseline**: ``python -m benchmarks.baseline``, DuckDB ``read_csv`` (all_varchar) of every raw file of
   every landed extract into tables, once, in one process;
4. **pipeline, end to end**: ``python -m orchestration.run`` exactly as the product runs it (Dagster
   ``scorecard_job``: ingest → dbt build (subprocess) → GX gate → publication → board pack) on an empty
   warehouse; the same files as the baseline;
5. **monthly run**: the held-back extract lands; ``python -m orchestration.run`` again, start to publication.

Stage times come from the Dagster event log of each run (the instance in ``<work>/pipeline/dagster_home``:
STEP_START to STEP_SUCCESS of each step); "start-up" is the rest of the wall time (process starts, imports,
loading the definitions). Memory: every 0.2 s the process tree of each command is listed from /proc and its
VmRSS summed (``benchmarks/procmon.py``); a stage's peak is the largest sum sampled during it, and the
largest single-process VmHWM (kernel high-water mark) is reported too. The 1-minute load average is recorded
at the start, end and maximum of every command: the machine is shared.

Prints a table per scale and writes ``<work>/results.json``. Generated data stays in the work folder (never in
the repository) and is deleted at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import sys
import time
from pathlib import Path

from benchmarks.procmon import TIMED_OUT, Measured, run_measured

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GENERATE_ARGS = {"one": [], "ten": ["--councils", "10"], "england": ["--england"]}
STAGES = {  # Dagster step key -> stage
    "raw_extracts": "ingest",
    "warehouse_models": "dbt build",
    "publication_gate": "GX gate",
    "scorecard_publication": "publish",
    "scorecard_reports": "board pack",
}
PIPELINE_ENV_UNSET = (
    "CSC_PSEUDONYMISATION_KEY",
    "CSC_LANDING_DIR",
    "CSC_ARCHIVE_DIR",
    "CSC_WAREHOUSE_PATH",
    "CSC_PUBLISHED_DIR",
    "CSC_REPORTS_DIR",
    "DAGSTER_HOME",
)
MB = 1024 * 1024


# ------------------------------------------------------------------------------------------------ helpers
def log(msg: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {msg}", flush=True)


def du(path: Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total


def extract_folders(root: Path) -> list[tuple[str, Path, str]]:
    """(la_code, folder, extract_date) of every extract under ``root``, in (council, extract_date) order."""
    out = []
    for manifest in root.glob("*/*/manifest.json"):
        extract_date = json.loads(manifest.read_text(encoding="utf-8"))["extract_date"]
        out.append((manifest.parent.parent.name, manifest.parent, extract_date))
    return sorted(out, key=lambda e: (e[0], e[2], e[1].name))


def link_folder(src: Path, dst: Path) -> None:
    """Hard-link an extract folder into the landing folder (same bytes, no copy)."""
    shutil.copytree(src, dst, copy_function=os.link)


def measured_summary(m: Measured) -> dict[str, object]:
    peak_hwm, peak_cmd = m.peak_process_hwm
    return {
        "seconds": round(m.seconds, 1),
        "returncode": m.returncode,
        "peak_tree_rss_mb": round(m.peak_tree_rss / MB),
        "peak_process_hwm_mb": round(peak_hwm / MB),
        "peak_process": peak_cmd,
        "load_1m": {"start": m.load_start, "end": m.load_end, "max": m.load_max},
        # processes that peaked above 100 MB (the pipeline's Dagster process, dbt), largest first
        "processes": sorted(([round(h / MB), c] for h, c in m.hwm.values() if h > 100 * MB), reverse=True),
    }


def dagster_steps(home: Path, m: Measured) -> tuple[str | None, dict[str, dict[str, object]]]:
    """The latest run's id and, per step, its wall time (event log) and the tree's peak RSS during it."""
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs(limit=1)
        if not runs:
            return None, {}
        run_id = runs[0].run_id
        steps = {}
        for stat in instance.get_run_step_stats(run_id):
            start, end = stat.start_time, stat.end_time or m.ended
            if start is None:
                continue
            steps[stat.step_key] = {
                "stage": STAGES.get(stat.step_key, stat.step_key),
                "status": stat.status.value if stat.status else "?",
                "attempts": stat.attempts,
                "seconds": round(end - start, 1),
                "peak_tree_rss_mb": round(m.peak_between(start, end) / MB),
            }
    return run_id, steps


def dbt_profile(data_dir: Path, top: int = 8) -> dict[str, object]:
    """Per-node times of the run's `dbt build` (its run_results.json): totals by kind and the slowest."""
    found = [data_dir / "dbt_target" / "run_results.json"]
    if not found[-1].exists():
        return {}
    results = json.loads(found[-1].read_text(encoding="utf-8"))["results"]
    by_kind: dict[str, float] = {}
    for r in results:
        kind = r["unique_id"].split(".")[0]
        by_kind[kind] = by_kind.get(kind, 0.0) + r["execution_time"]
    slowest = sorted(results, key=lambda r: r["execution_time"], reverse=True)[:top]
    return {
        "nodes": len(results),
        "elapsed_seconds": round(json.loads(found[-1].read_text())["elapsed_time"], 1),
        "seconds_by_kind": {k: round(v, 1) for k, v in sorted(by_kind.items())},
        # unique_id is <kind>.<project>.<name>[.<hash>]: the name, not the hash of a long test name
        "slowest": [[r["unique_id"].split(".")[2], round(r["execution_time"], 1)] for r in slowest],
        "target": str(found[-1].parent),
    }


def pipeline(env: dict[str, str], home: Path, work: Path, name: str, timeout: float | None) -> dict:
    log(f"{name}: python -m orchestration.run")
    m = run_measured(
        [PYTHON, "-m", "orchestration.run"],
        cwd=REPO,
        env=env,
        log_path=work / f"{name}.log",
        timeout=timeout,
        progress_path=work / f"{name}.progress.json",
    )
    out = measured_summary(m)
    out["timed_out"] = m.returncode == TIMED_OUT
    run_id, steps = dagster_steps(home, m)
    out["run_id"] = run_id
    out["steps"] = steps
    out["startup_and_other_seconds"] = round(m.seconds - sum(s["seconds"] for s in steps.values()), 1)
    out["dbt"] = dbt_profile(Path(env["CSC_DATA_DIR"]))
    log(f"{name}: {out['seconds']} s, exit {m.returncode}, peak tree RSS {out['peak_tree_rss_mb']} MB")
    return out


# ------------------------------------------------------------------------------------------------ report
def _row(label: str, seconds, peak_mb, load: dict | None, note: str = "") -> str:
    sec = f"{seconds:9.1f}" if isinstance(seconds, int | float) else f"{'':>9}"
    mem = f"{peak_mb:9,}" if isinstance(peak_mb, int) else f"{'':>9}"
    ld = f"{load['start']:.1f} / {load['end']:.1f} / {load['max']:.1f}" if load else ""
    return f"  {label:<38}{sec}{mem}   {ld:<18} {note}".rstrip()


def report(res: dict) -> str:
    lines = [
        f"scale {res['scale']}: {res['councils']} council(s), {res['children']:,} children aged 0-17, "
        f"{res['folders_full']} extract folders in the full run (+1 held back for the monthly run), "
        f"{res['baseline'].get('rows', 0):,} rows, {res['landing_mb']:,} MB of raw files; "
        f"annex A as {res['annex_a_format']}; {os.cpu_count()} CPUs",
        f"  {'':<38}{'wall s':>9}{'peak MB':>9}   load 1m start/end/max",
    ]
    gen = res.get("generation")
    if gen:
        lines.append(
            _row(
                "generation (not in any figure below)",
                gen["seconds"],
                gen["peak_tree_rss_mb"],
                gen["load_1m"],
            )
        )
    base = res["baseline"]
    lines.append(
        _row(
            "baseline: DuckDB read_csv, all files", base["seconds"], base["peak_tree_rss_mb"], base["load_1m"]
        )
    )
    for key, title in (
        ("full", "pipeline end to end, empty warehouse"),
        ("monthly", "monthly: 1 new extract -> publication"),
    ):
        run = res.get(key)
        if not run:
            continue
        status = (
            "TIMED OUT"
            if run["timed_out"]
            else ("" if run["returncode"] == 0 else f"exit {run['returncode']}")
        )
        lines.append(_row(title, run["seconds"], run["peak_tree_rss_mb"], run["load_1m"], status))
        for step in run["steps"].values():
            lines.append(
                _row(
                    f"  {step['stage']}",
                    step["seconds"],
                    step["peak_tree_rss_mb"],
                    None,
                    step["status"] if step["status"] != "SUCCESS" else "",
                )
            )
        lines.append(_row("  start-up, definitions, other", run["startup_and_other_seconds"], None, None))
        for hwm_mb, command in run["processes"]:
            lines.append(f"      process peak (VmHWM) {hwm_mb:,} MB: {command}")
    full = res.get("full")
    if full and full["timed_out"]:
        lines.append("  ratio end to end / baseline: not measured (the pipeline was stopped before the end)")
    elif full and base["seconds"]:
        ratio = full["seconds"] / base["seconds"]
        steps_only = sum(s["seconds"] for s in full["steps"].values())
        lines.append(
            f"  ratio end to end / baseline: {ratio:.1f}x "
            f"(stages only, without start-up: {steps_only / base['seconds']:.1f}x)"
        )
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    p.add_argument("--scale", choices=sorted(GENERATE_ARGS), required=True)
    p.add_argument("--work", type=Path, help="work folder (default /tmp/csc-bench-<scale>); emptied first")
    p.add_argument("--keep", action="store_true", help="keep the generated data, warehouse and logs")
    p.add_argument(
        "--reuse-generated", action="store_true", help="reuse <work>/generated from an earlier --keep run"
    )
    p.add_argument(
        "--generate-only",
        action="store_true",
        help="generate <work>/generated (kept) and stop; run later with --reuse-generated",
    )
    p.add_argument("--annex-a-format", choices=("csv", "xlsx"), default="csv")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--no-monthly", action="store_true", help="skip the monthly run")
    p.add_argument("--timeout", type=float, help="seconds allowed to each pipeline run")
    p.add_argument(
        "--deadline",
        type=float,
        help="seconds allowed to the whole benchmark: the command running then is stopped and reported",
    )
    args = p.parse_args(argv)
    deadline = time.time() + args.deadline if args.deadline else None

    def allowed(limit: float | None = None) -> float | None:
        left = max(1.0, deadline - time.time()) if deadline else None
        return min(x for x in (limit, left) if x is not None) if (limit or left) else None

    os.umask(0o077)  # synthetic, but shaped like children's records: owner-only, as scripts/demo does
    work = (args.work or Path(f"/tmp/csc-bench-{args.scale}")).resolve()
    generated = work / "generated"
    if work.exists():
        for child in work.iterdir():
            if child == generated and args.reuse_generated:
                continue
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    work.mkdir(parents=True, exist_ok=True)
    res: dict[str, object] = {"scale": args.scale, "annex_a_format": args.annex_a_format, "work": str(work)}
    res["started"] = dt.datetime.now().isoformat(timespec="seconds")
    save = lambda: (work / "results.json").write_text(json.dumps(res, indent=2), encoding="utf-8")  # noqa: E731

    # 1. generation
    if not (args.reuse_generated and (generated / ".complete").exists()):
        shutil.rmtree(generated, ignore_errors=True)
        cmd = [PYTHON, "-m", "synthetic.cli", "--landing", str(generated), "--seed", str(args.seed)]
        cmd += ["--annex-a-format", args.annex_a_format, *GENERATE_ARGS[args.scale]]
        generated.mkdir(parents=True)
        log(f"generation: {' '.join(cmd[1:])}")
        m = run_measured(
            cmd,
            cwd=REPO,
            log_path=generated / ".generation.log",
            progress_path=work / "generation.progress.json",
            timeout=allowed(),
        )
        if m.returncode != 0:
            log(f"generation failed (exit {m.returncode}); see {generated / '.generation.log'}")
            return 1
        (generated / ".complete").write_text(json.dumps(measured_summary(m)), encoding="utf-8")
        log(f"generation: {m.seconds:.1f} s")
    if args.generate_only:
        return 0
    res["generation"] = json.loads((generated / ".complete").read_text(encoding="utf-8"))
    res["generation"]["reused"] = args.reuse_generated
    summary = (generated / ".generation.log").read_text(encoding="utf-8").splitlines()
    # csc-synth prints "<la_code> <name> (0-17 population N): ..." per council (counts only)
    res["children"] = sum(
        int(line.split("population ")[1].split(")")[0].replace(",", ""))
        for line in summary
        if "population " in line
    )
    res["generated_mb"] = round(du(generated) / MB)

    # 2. landing: everything but the first council's last extract
    extracts = extract_folders(generated)
    res["councils"] = len({e[0] for e in extracts})
    first = extracts[0][0]
    held = [e for e in extracts if e[0] == first][-1]
    landing = work / "landing"
    for la_code, folder, _ in extracts:
        if folder != held[1]:
            link_folder(folder, landing / la_code / folder.name)
    res["folders_full"] = len(extracts) - 1
    res["held_back"] = f"{held[0]}/{held[1].name}"
    res["landing_mb"] = round(du(landing) / MB)

    # 3. baseline
    log("baseline: python -m benchmarks.baseline")
    cmd = [
        PYTHON,
        "-m",
        "benchmarks.baseline",
        "--landing",
        str(landing),
        "--database",
        str(work / "baseline.duckdb"),
    ]
    m = run_measured(
        cmd,
        cwd=REPO,
        log_path=work / "baseline.log",
        progress_path=work / "baseline.progress.json",
        timeout=allowed(),
    )
    if m.returncode != 0:
        log(f"baseline failed; see {work / 'baseline.log'}")
        return 1
    inside = json.loads((work / "baseline.log").read_text().splitlines()[-1])
    inside["read_seconds"] = inside.pop("seconds")  # inside the process; "seconds" is the process wall
    res["baseline"] = {**inside, **measured_summary(m)}
    res["baseline_database_mb"] = round((work / "baseline.duckdb").stat().st_size / MB)
    (work / "baseline.duckdb").unlink()
    log(f"baseline: {m.seconds:.1f} s")
    save()

    # 4. the pipeline, end to end
    data = work / "pipeline"
    home = data / "dagster_home"
    env = {k: v for k, v in os.environ.items() if k not in PIPELINE_ENV_UNSET}
    env.update(
        CSC_DATA_DIR=str(data),
        CSC_LANDING_DIR=str(landing),
        CSC_DEMO="1",
        DAGSTER_HOME=str(home),
        PYTHONUNBUFFERED="1",
    )
    res["full"] = pipeline(env, home, work, "full", allowed(args.timeout))
    res["warehouse_mb"] = (
        round((data / "warehouse.duckdb").stat().st_size / MB)
        if (data / "warehouse.duckdb").exists()
        else None
    )
    save()

    # 5. the monthly run: the held-back extract lands
    if not args.no_monthly and res["full"]["returncode"] == 0:
        link_folder(held[1], landing / held[0] / held[1].name)
        res["monthly"] = pipeline(env, home, work, "monthly", allowed(args.timeout))
    res["ended"] = dt.datetime.now().isoformat(timespec="seconds")
    save()

    text = report(res)
    print(text)
    (work / "report.txt").write_text(text + "\n", encoding="utf-8")
    if not args.keep:
        for key in ("full", "monthly"):  # this run's dbt target folders
            target = (res.get(key) or {}).get("dbt", {}).get("target")
            if target:
                shutil.rmtree(target, ignore_errors=True)
        for child in (generated, landing, data):
            shutil.rmtree(child, ignore_errors=True)
        log(f"generated data and warehouse deleted; results in {work}/results.json and report.txt")
    ok = all((res.get(k) or {"returncode": 0})["returncode"] == 0 for k in ("full", "monthly"))
    return 0 if ok else 1


if __name__ == "__main__":
    start = time.perf_counter()
    code = main()
    log(f"benchmark finished in {time.perf_counter() - start:.0f} s")
    sys.exit(code)
