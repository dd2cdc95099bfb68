"""csc-synth: write synthetic monthly extracts of a fictional council (or of real councils, scaled).

Prints one line per council (folders and row counts), never record contents.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable

from synthetic.council import CouncilConfig, SyntheticCouncil, generate_council, iter_councils


def _summary(council: SyntheticCouncil, seconds: float) -> str:
    rows = council.rows_written
    groups = {"annex_a": 0, "ssda903": 0, "local": 0}
    for table, n in rows.items():
        groups[table.split("_")[0] if not table.startswith("annex_a") else "annex_a"] += n
    folders = [e.folder for e in council.extracts]
    return (
        f"{council.la_code} {council.la_name} (0-17 population {council.population:,}): "
        f"{len(folders)} folders {folders[0]} .. {max(folders)}; rows written {sum(rows.values()):,} "
        f"(annex_a {groups['annex_a']:,}, ssda903 {groups['ssda903']:,}, local {groups['local']:,}) "
        f"in {seconds:.1f} s"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="csc-synth", description=__doc__.splitlines()[0])
    p.add_argument(
        "--landing", required=True, help="landing root; extracts go to <landing>/<la_code>/<folder>/"
    )
    p.add_argument("--la-code", default="E06000999")
    p.add_argument("--population", type=int, default=50_000, help="children aged 0-17 (single council)")
    p.add_argument("--end-month", default="2025-03", help="last reporting month, YYYY-MM")
    p.add_argument("--months", type=int, default=36, help="reporting months covered by the extracts")
    p.add_argument("--history-months", type=int, default=24, help="months in the initial history extract")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--annex-a-format", choices=("csv", "xlsx"), default="csv")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--councils", type=int, help="N real English councils, volumes scaled by population")
    group.add_argument("--england", action="store_true", help="every current English council")
    args = p.parse_args(argv)
    if not 1 <= args.history_months <= args.months:
        p.error("--history-months must be between 1 and --months")

    started = time.perf_counter()
    councils: Iterable[SyntheticCouncil]
    if args.councils or args.england:
        councils = iter_councils(
            args.councils,
            args.seed,
            england=args.england,
            end_month=args.end_month,
            months=args.months,
            history_months=args.history_months,
        )
    else:
        cfg = CouncilConfig(
            la_code=args.la_code,
            population=args.population,
            end_month=args.end_month,
            months=args.months,
            history_months=args.history_months,
            seed=args.seed,
        )
        councils = [generate_council(cfg)]
    n = 0
    t0 = time.perf_counter()
    for council in councils:
        council.write(args.landing, annex_a_format=args.annex_a_format)
        print(_summary(council, time.perf_counter() - t0), flush=True)
        t0 = time.perf_counter()
        n += 1
    print(f"{n} council(s) written in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
