"""The public API: :class:`CouncilConfig`, :func:`generate_council`, :func:`generate_councils`."""

from __future__ import annotations

import csv
import datetime as dt
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from synthetic import extracts as X
from synthetic import truth as TR
from synthetic import writers as W
from synthetic._dates import day
from synthetic.codes import LIST_TABLES
from synthetic.simulate import World, simulate

DATA_DIR = Path(__file__).parent / "data"
SOURCE_SYSTEMS = ("Liquidlogic LCS", "Mosaic", "Eclipse", "PARIS")
EXCEL_ID_FILE = "local/care_plans.csv"  # one file of one drop has IDs as Excel wrote them ("12345.0")


@dataclass(frozen=True)
class CouncilConfig:
    la_code: str = "E06000999"
    population: int = 50_000
    end_month: str = "2025-03"
    months: int = 36
    history_months: int = 24
    seed: int = 1
    la_name: str = "Northwold (fictional)"
    source_system: str = "Liquidlogic LCS"
    intensity: float = 1.0  # multiplies every volume (councils differ in need)


def _first_month_and_end(cfg: CouncilConfig) -> tuple[int, int]:
    y, m = (int(x) for x in cfg.end_month.split("-"))
    total = y * 12 + m - 1 - (cfg.months - 1)
    first = dt.date(total // 12, total % 12 + 1, 1)
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return day(first), day(nxt) - 1


class SyntheticCouncil:
    """One simulated council: its extracts (written on demand), truth and snapshots."""

    def __init__(self, config: CouncilConfig, world: World, index: int) -> None:
        self.config = config
        self.la_code = config.la_code
        self.la_name = config.la_name
        self.population = int(config.population)
        rng = np.random.default_rng(zlib.crc32(repr((config.seed, config.la_code, "timeline")).encode()))
        self._specs = X.timeline(config.end_month, config.months, config.history_months, rng)
        self._records = X.council_records(world, index, self._specs, config.seed)
        self.extracts = [
            X.ExtractInfo(s["folder"], s["pe"], s["ed"], s["ws"], frozenset(X.ALL_TABLES))
            for s in self._specs
        ]
        self._excel_ids_folder = next(
            (s["folder"] for s in self._specs if not s["folder"].endswith(("_history", "_rerun"))),
            self._specs[0]["folder"],
        )

    @property
    def corrections(self) -> list[X.Correction]:
        return list(self._records.corrections)

    def extract_frames(self, folder: str) -> dict[str, pd.DataFrame]:
        """The internal frames of one extract (int day numbers, bare codes)."""
        spec = next(s for s in self._specs if s["folder"] == folder)
        return X.build_extract(self._records, spec)

    @cached_property
    def _all_frames(self) -> list[dict[str, pd.DataFrame]]:
        return [X.build_extract(self._records, s) for s in self._specs]

    @cached_property
    def truth(self) -> dict[str, pd.DataFrame]:
        """Per raw table, the records a correct warehouse ends with after ingesting every extract."""
        return TR.merge(self._specs, self._all_frames)

    @cached_property
    def snapshots(self) -> dict[dt.date, dict[str, pd.DataFrame]]:
        """Per period_end: List 7, 8 and 9 rows of the latest extract (by extract_date) for that month."""
        out: dict[dt.date, dict[str, pd.DataFrame]] = {}
        for spec, frames in zip(self._specs, self._all_frames, strict=True):  # extract_date order: later wins
            out[spec["pe"]] = {t: TR.to_truth_frame(t, frames[t]) for t in X.SNAPSHOT_OF}
        return dict(sorted(out.items()))

    def write(self, landing_root: str | Path, annex_a_format: str = "csv") -> list[Path]:
        """Write every extract under ``<landing_root>/<la_code>/<folder>/``; returns the folders."""
        if annex_a_format not in ("csv", "xlsx"):
            raise ValueError("annex_a_format must be 'csv' or 'xlsx'")
        folders = []
        self.rows_written: dict[str, int] = {}
        for spec in self._specs:
            frames = X.build_extract(self._records, spec)
            folders.append(self._write_one(Path(landing_root), spec, frames, annex_a_format))
        return folders

    def row_counts(self, folder: str) -> dict[str, int]:
        return {t: len(df) for t, df in self.extract_frames(folder).items()}

    def _write_one(self, root: Path, spec: dict, frames: dict[str, pd.DataFrame], fmt: str) -> Path:
        folder = root / self.la_code / spec["folder"]
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.rglob("*"):
            if old.is_file():
                old.unlink()
        files: list[str] = []
        lists = {n: W.annex_a_columns(n, frames[t], spec["pe_d"]) for n, (t, _) in LIST_TABLES.items()}
        if fmt == "csv":
            for n, (_, stem) in LIST_TABLES.items():
                rel = f"annex_a/list_{n:02d}_{stem}.csv"
                W.write_csv(folder / rel, lists[n])
                files.append(rel)
        else:
            W.write_annex_a_xlsx(folder / "annex_a.xlsx", lists, spec["ed"])
            files.append("annex_a.xlsx")
        for table, (rel, columns) in W.PLAIN_FILES.items():
            cols = columns(frames[table])
            if rel == EXCEL_ID_FILE and spec["folder"] == self._excel_ids_folder:
                cols[0] = (cols[0][0], "text", np.array([f"{v}.0" for v in cols[0][2]], dtype=object))
            W.write_csv(folder / rel, cols)
            files.append(rel)
        W.write_manifest(folder, self.la_code, spec, self.config.source_system, files)
        for t, df in frames.items():
            self.rows_written[t] = self.rows_written.get(t, 0) + len(df)
        return folder


def generate_council(config: CouncilConfig) -> SyntheticCouncil:
    first, end = _first_month_and_end(config)
    world = simulate(np.array([config.population]), np.array([config.intensity]), first, end, config.seed)
    return SyntheticCouncil(config, world, 0)


# ------------------------------------------------------------------------------------------ many councils
def load_councils() -> pd.DataFrame:
    """Current English councils with their latest ONS 0-17 population (package data)."""
    with open(DATA_DIR / "la_lookup.csv", newline="", encoding="utf-8") as fh:
        lookup = pd.DataFrame(list(csv.DictReader(fh)))
    with open(DATA_DIR / "population_0_17.csv", newline="", encoding="utf-8") as fh:
        pop = pd.DataFrame(list(csv.DictReader(fh)))[["la_code", "population_0_17"]]
    df = lookup.merge(pop, on="la_code", how="inner")
    df["population_0_17"] = df["population_0_17"].astype(int)
    return df.sort_values("la_code").reset_index(drop=True)


def iter_councils(
    n: int | None = None,
    seed: int = 1,
    *,
    england: bool = False,
    end_month: str = "2025-03",
    months: int = 36,
    history_months: int = 24,
    chunk_size: int = 20,
    scale: float = 1.0,
) -> Iterator[SyntheticCouncil]:
    """Real English councils (``n`` picked at random, or all with ``england``), simulated in vectorised
    chunks of ``chunk_size`` councils; volumes scale with each council's real 0-17 population (times
    ``scale``, which only small tests should set below 1)."""
    table = load_councils()
    rng = np.random.default_rng(zlib.crc32(repr((seed, "councils")).encode()))
    if not england:
        if n is None or n < 1:
            raise ValueError("give n >= 1 or england=True")
        pick = np.sort(rng.choice(len(table), size=min(n, len(table)), replace=False))
        table = table.iloc[pick].reset_index(drop=True)
    intensity = np.exp(rng.normal(0.0, 0.15, len(table)))
    systems = rng.integers(0, len(SOURCE_SYSTEMS), len(table))
    for start in range(0, len(table), chunk_size):
        part = table.iloc[start : start + chunk_size]
        idx = np.arange(start, start + len(part))
        configs = [
            CouncilConfig(
                la_code=row.la_code,
                population=max(1, round(int(row.population_0_17) * scale)),
                end_month=end_month,
                months=months,
                history_months=history_months,
                seed=seed,
                la_name=row.la_name,
                source_system=SOURCE_SYSTEMS[systems[i]],
                intensity=float(intensity[i]),
            )
            for i, row in zip(idx, part.itertuples(index=False), strict=True)
        ]
        first, end = _first_month_and_end(configs[0])
        chunk_seed = zlib.crc32(repr((seed, "chunk", start)).encode())
        world = simulate(
            np.array([c.population for c in configs]),
            np.array([c.intensity for c in configs]),
            first,
            end,
            chunk_seed,
        )
        for i, cfg in enumerate(configs):
            yield SyntheticCouncil(cfg, world, i)


def generate_councils(n: int | None = None, seed: int = 1, **kwargs) -> list[SyntheticCouncil]:
    """``n`` real councils (or all current ones with ``england=True``); see :func:`iter_councils`."""
    return list(iter_councils(n, seed, **kwargs))
