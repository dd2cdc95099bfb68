"""The raw-read baseline: DuckDB reads every raw file of every landed extract once into tables.

``python -m benchmarks.baseline --landing DIR --database FILE``

One process, one DuckDB database file (created afresh), default threads. Every extract folder's
``manifest.json`` lists its files; the CSV files are grouped by their path inside the folder (for example
``annex_a/list_03_referrals.csv``) and each group becomes one table through a single
``read_csv([...], all_varchar = true)`` over all councils and extracts. Columns are matched by position
within files that share a header line (their first line is compared; a second header variant of the same
file is appended ``BY NAME``): ``union_by_name = true`` would sniff every file and took twice as long
(3.4 s against 1.5 s for 140 files, 163 MB). No typing, no checks, no hashing, no archive copy: the least
any pipeline must do to have the data in DuckDB.

An Annex A workbook (``annex_a.xlsx``) cannot be read by DuckDB here (the ``excel`` extension is not
installable offline), so each of its sheets is read with pandas and python-calamine, the reader the product
uses, as text, and appended to its list's table. Prints one JSON line: seconds, tables, rows, files.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

import duckdb


def landed_files(landing: Path) -> dict[str, list[Path]]:
    """{path inside the extract folder: [files across councils and extracts]} from the manifests."""
    groups: dict[str, list[Path]] = defaultdict(list)
    for manifest in sorted(landing.glob("*/*/manifest.json")):
        for rel in json.loads(manifest.read_text(encoding="utf-8"))["files"]:
            groups[rel].append(manifest.parent / rel)
    return dict(sorted(groups.items()))


def table_name(rel: str) -> str:
    return rel.rsplit(".", 1)[0].replace("/", "__").replace("-", "_").lower()


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def load_xlsx(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> int:
    import pandas as pd

    rows = 0
    created: set[str] = set()
    for path in paths:
        sheets = pd.read_excel(path, sheet_name=None, engine="calamine", header=1, dtype=str)
        for sheet, frame in sheets.items():
            table = "annex_a__" + sheet.lower().replace(" ", "_")
            con.register("sheet_frame", frame)
            if table in created:
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM sheet_frame")
            else:
                con.execute(f"CREATE TABLE {table} AS SELECT * FROM sheet_frame")
                created.add(table)
            con.unregister("sheet_frame")
            rows += len(frame)
    return rows


def run(landing: Path, database: Path) -> dict[str, object]:
    database.unlink(missing_ok=True)
    database.with_name(database.name + ".wal").unlink(missing_ok=True)
    started = time.perf_counter()
    groups = landed_files(landing)
    con = duckdb.connect(str(database))
    rows = files = 0
    for rel, paths in groups.items():
        files += len(paths)
        if rel.endswith(".xlsx"):
            rows += load_xlsx(con, paths)
            continue
        table = table_name(rel)
        by_header: dict[bytes, list[Path]] = defaultdict(list)
        for path in paths:
            with path.open("rb") as fh:
                by_header[fh.readline()].append(path)
        for i, same in enumerate(by_header.values()):
            select = f"SELECT * FROM read_csv({_sql_list(same)}, all_varchar = true, header = true)"
            if i == 0:
                con.execute(f"CREATE TABLE {table} AS {select}")
            else:
                con.execute(f"INSERT INTO {table} BY NAME {select}")
        rows += con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    con.execute("CHECKPOINT")
    tables = len(con.execute("SELECT table_name FROM duckdb_tables()").fetchall())
    con.close()
    return {
        "seconds": round(time.perf_counter() - started, 3),
        "tables": tables,
        "rows": rows,
        "files": files,
        "bytes": sum(p.stat().st_size for paths in groups.values() for p in paths),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.baseline", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--landing", required=True, type=Path)
    parser.add_argument("--database", required=True, type=Path)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.landing, args.database)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
