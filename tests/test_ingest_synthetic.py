"""Ingest of extracts written by the synthetic case system (synthetic.generate_council).

* The XLSX and CSV forms of the same generated extracts give identical raw tables, ignoring
  ``extract_id`` (the manifests list different files, so their sha256 and hence the id differ),
  ``source_file`` (``annex_a.xlsx[List 1]`` vs ``annex_a/list_01_contacts.csv``) and ``source_line``
  (sheet row vs physical CSV line: a title row may sit above the header in one form only).
* A small generated demo ingests with zero rejections, and every child of the truth is in raw under the
  keyed pseudonym of its normalised ID.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from conftest import TEST_KEY

from ingest.load import ingest_landing
from ingest.pseudonymise import pseudonym
from ingest.schema import RAW_TABLES
from ingest.settings import Settings

synthetic = pytest.importorskip("synthetic")
if not hasattr(synthetic, "generate_council"):
    pytest.skip("synthetic.generate_council not available yet", allow_module_level=True)

LA = "E06000999"
IGNORED = ["extract_id", "source_file", "source_line"]


@pytest.fixture(scope="module")
def council():
    config = synthetic.CouncilConfig(
        la_code=LA, population=3_000, end_month="2025-03", months=4, history_months=3, seed=11
    )
    return synthetic.generate_council(config)


def _ingest(tmp_path, council, annex_a_format: str) -> Settings:
    root = tmp_path / annex_a_format
    landing = root / "landing"
    landing.mkdir(parents=True)
    council.write(landing, annex_a_format=annex_a_format)
    settings = Settings.from_env(
        {"CSC_DATA_DIR": str(root), "CSC_LANDING_DIR": str(landing), "CSC_PSEUDONYMISATION_KEY": TEST_KEY}
    )
    report = ingest_landing(settings)
    assert [r.message for r in report.rejected] == []
    assert len(report.loaded) == len(council.extracts)
    return settings


def _table(settings: Settings, table: str) -> pd.DataFrame:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        cols = [c for c in RAW_TABLES[table].column_names if c not in IGNORED]
        frame = con.execute(
            f"SELECT e.period_end, e.extract_date, {', '.join(f't.{c}' for c in cols)} "
            f"FROM raw.{table} t JOIN raw.extracts e USING (extract_id) "
            "ORDER BY e.period_end, e.extract_date, " + ", ".join(f"t.{c} NULLS FIRST" for c in cols)
        ).df()
        return frame.reset_index(drop=True)
    finally:
        con.close()


def _quarantine(settings: Settings) -> pd.DataFrame:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute(
            "SELECT table_name, column_name, reason, action, child_key FROM raw.quarantine "
            "ORDER BY ALL NULLS FIRST"
        ).df()
    finally:
        con.close()


def test_xlsx_and_csv_forms_give_identical_raw_tables(tmp_path, council):
    csv_settings = _ingest(tmp_path, council, "csv")
    xlsx_settings = _ingest(tmp_path, council, "xlsx")
    compared = 0
    for table in RAW_TABLES:
        left, right = _table(csv_settings, table), _table(xlsx_settings, table)
        pd.testing.assert_frame_equal(left, right, check_dtype=False, obj=table)
        compared += len(left)
    assert compared > 0
    pd.testing.assert_frame_equal(_quarantine(csv_settings), _quarantine(xlsx_settings))


def test_generated_demo_ingests_without_rejections_and_keys_match_truth(tmp_path, council):
    settings = _ingest(tmp_path, council, "csv")
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        key = TEST_KEY.encode()
        checked = 0
        for table, truth in council.truth.items():
            if table not in RAW_TABLES or truth.empty:
                continue
            id_col, key_col = (
                ("household_id", "household_key")
                if "household_id" in truth.columns
                else ("child_id", "child_key")
            )
            expected = {pseudonym(key, LA, str(i)) for i in truth[id_col].dropna().unique()}
            loaded = {r[0] for r in con.execute(f"SELECT DISTINCT {key_col} FROM raw.{table}").fetchall()}
            missing = expected - loaded
            assert not missing, f"{table}: {len(missing)} truth keys not in raw"
            checked += 1
        assert checked >= 5
        periods = con.execute("SELECT DISTINCT period_end FROM raw.extracts").fetchall()
        assert {str(p[0]) for p in periods} == {str(e.period_end) for e in council.extracts}
    finally:
        con.close()
