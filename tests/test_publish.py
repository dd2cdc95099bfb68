"""publish/: the published DuckDB file (readable by DuckDB 1.x) and Parquet files, replaced atomically."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from test_quality_gate import monthly_frame, write_marts

from publish import PARQUET_DIR, PUBLISHED_DB, PublicationError, publish


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_publishes_aggregates_only_in_a_v1_readable_file(tmp_path):
    warehouse = write_marts(tmp_path / "warehouse.duckdb")
    result = publish(warehouse, tmp_path / "published", run_id="r1", reporting_month=dt.date(2025, 3, 1))
    assert sorted(result.rows) == ["dim_council", "dim_indicator", "scorecard", "scorecard_monthly"]
    assert result.skipped == {"dim_child": "child-level (child_key)", "fct_cp_plans": "not an aggregate mart"}
    published = tmp_path / "published"
    assert sorted(os.listdir(published)) == [PARQUET_DIR, "publication.json", PUBLISHED_DB]
    assert sorted(os.listdir(published / PARQUET_DIR)) == [f"{t}.parquet" for t in sorted(result.rows)]
    # The file header records the storage version DuckDB 1.x can read (not 2.0's).
    with duckdb.connect(str(result.database), read_only=True) as con:
        assert con.execute("select count(*) from scorecard_monthly").fetchone()[0] == len(monthly_frame())
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        assert "fct_cp_plans" not in tables and "dim_child" not in tables
        assert con.execute("select distinct run_id from publication").fetchall() == [("r1",)]
        storage = con.execute(
            "select tags['storage_version'] from duckdb_databases() where database_name = current_database()"
        ).fetchone()
    assert storage[0].startswith("v1.4"), storage  # a default DuckDB 2.0 file says v2.0.0+
    with duckdb.connect() as con:
        assert (
            con.execute(
                f"select count(*) from read_parquet('{published / PARQUET_DIR / 'scorecard.parquet'}')"
            ).fetchone()[0]
            == result.rows["scorecard"]
        )
    manifest = json.loads((published / "publication.json").read_text())
    assert manifest["files"][PUBLISHED_DB] == digests(published)[PUBLISHED_DB]
    assert manifest["tables"] == result.rows
    # No staging leftovers.
    assert not [p for p in published.iterdir() if p.name.startswith(".staging")]


def test_a_failed_build_leaves_the_publication_untouched(tmp_path):
    warehouse = write_marts(tmp_path / "warehouse.duckdb")
    published = tmp_path / "published"
    publish(warehouse, published)
    before = digests(published)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop table marts.scorecard")
    with pytest.raises(PublicationError, match=r"marts\.scorecard"):
        publish(warehouse, published)
    assert digests(published) == before


def test_refuses_a_required_mart_with_child_keys(tmp_path):
    warehouse = write_marts(tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(warehouse)) as con:
        con.execute("alter table marts.scorecard add column child_key varchar")
    with pytest.raises(PublicationError, match="child-level"):
        publish(warehouse, tmp_path / "published")
    assert not (tmp_path / "published" / PUBLISHED_DB).exists()


READER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("select count(*) from scorecard_monthly").fetchone()[0], flush=True)
    sys.stdin.readline()  # the test replaces the publication meanwhile
    print(con.execute("select count(*) from scorecard_monthly").fetchone()[0], flush=True)
    """
)


def test_a_reader_holding_the_old_file_keeps_its_snapshot(tmp_path):
    warehouse = write_marts(tmp_path / "warehouse.duckdb", monthly_frame(n_months=14))
    published = tmp_path / "published"
    first = publish(warehouse, published)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(first.database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        old_rows = int(reader.stdout.readline())
        write_marts(warehouse, monthly_frame(n_months=15))
        second = publish(warehouse, published)  # must not wait on, or be blocked by, the reader
        assert second.rows["scorecard_monthly"] > old_rows
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert int(reader.stdout.readline()) == old_rows
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
    with duckdb.connect(str(second.database), read_only=True) as con:
        assert (
            con.execute("select count(*) from scorecard_monthly").fetchone()[0]
            == second.rows["scorecard_monthly"]
        )
