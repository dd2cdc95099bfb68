"""A restated and a deleted record change exactly the months they belong to (contract §5), end to end.

Two hand-written extracts of one council go through the real ingest and the real dbt models:

* ``2024-06-30`` (window January-June): contacts in every month, referrals in February and April, two s47
  enquiries (March: the ICPC did not result in a plan; May: it did);
* ``2024-06-30_rerun`` (the same month re-extracted a week later, window March-June): the April contact of
  child C4B is gone (entered in error), the March ICPC is restated as having resulted in a plan, everything
  else in its window is as before; January and February are outside its window and must stay as they were.

The mart after the first extract is compared with the mart after both: exactly M1 and M3 of April (the deleted
contact) and CP4 (val) and CP4 of March (the restated ICPC) may change, to the values worked out here by hand.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import duckdb
import pytest
from conftest import TEST_KEY, write_extract

from ingest.load import ingest_landing
from ingest.settings import Settings

REPO = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO / "dbt_project"
LA = "E06000999"

CONTACT_HEADER = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
                  "Date of Contact", "Contact Source"]  # fmt: skip
REFERRAL_HEADER = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
                   "Date of referral", "Referral Source", "Referral NFA?"]  # fmt: skip
S47_HEADER = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
              "Strategy discussion initiating Section 47 Enquiry Start Date",
              "Was an Initial Child Protection Conference deemed unnecessary?",
              "Date of Initial Child Protection Conference",
              "Did the Initial Child Protection Conference Result in a Child Protection Plan"]  # fmt: skip


def contact(child: str, date: str) -> list[str]:
    return [child, "a) Male", "a) WBRI", "01/02/2015", "9", date, "e) 2A: Schools"]


CONTACTS = {
    "C1A": "10/01/2024",
    "C2A": "12/02/2024",
    "C2B": "20/02/2024",
    "C3A": "05/03/2024",
    "C4A": "08/04/2024",
    "C4B": "09/04/2024",  # deleted by the re-run
    "C5A": "07/05/2024",
    "C6A": "03/06/2024",
}
REFERRALS = [
    ["C2A", "a) Male", "a) WBRI", "01/02/2015", "9", "13/02/2024", "2A", "b) No"],
    ["C4A", "a) Male", "a) WBRI", "01/02/2015", "9", "09/04/2024", "2A", "b) No"],
]


def s47(march_outcome: str) -> list[list[str]]:
    return [
        S47_HEADER,
        ["C3A", "a) Male", "a) WBRI", "01/02/2015", "9", "06/03/2024", "b) No", "20/03/2024", march_outcome],
        ["C5A", "a) Male", "a) WBRI", "01/02/2015", "9", "08/05/2024", "b) No", "22/05/2024", "a) Yes"],
    ]


def extract_files(contacts: dict[str, str], march_outcome: str, first_month: int) -> dict:
    def in_window(date: str) -> bool:
        return int(date[3:5]) >= first_month

    return {
        "annex_a/list_01_contacts.csv": [
            CONTACT_HEADER,
            *(contact(child, date) for child, date in contacts.items() if in_window(date)),
        ],
        "annex_a/list_03_referrals.csv": [REFERRAL_HEADER, *(r for r in REFERRALS if in_window(r[5]))],
        "annex_a/list_05_s47.csv": s47(march_outcome),
    }


def build_mart(settings: Settings, target: Path) -> dict[tuple[str, dt.date], tuple]:
    ingest_landing(settings)
    env = {**os.environ, "CSC_WAREHOUSE_PATH": str(settings.warehouse_path)}
    command = [str(REPO / ".venv" / "bin" / "dbt"), "build", "--select", "+scorecard_monthly"]
    command += ["--indirect-selection", "cautious"]  # not the tests of seeds outside the selection
    command += ["--profiles-dir", str(DBT_PROJECT_DIR), "--project-dir", str(DBT_PROJECT_DIR)]
    command += ["--target-path", str(target), "--log-path", str(target / "logs")]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        rows = con.execute(
            "select indicator_code, month, value, numerator, denominator, no_data_reason "
            "from marts.scorecard_monthly where la_code = ?",
            [LA],
        ).fetchall()
    return {(code, month): tuple(rest) for code, month, *rest in rows}


@pytest.mark.slow
def test_restated_and_deleted_records_change_exactly_their_months(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    settings = Settings.from_env(
        {"CSC_DATA_DIR": str(tmp_path), "CSC_LANDING_DIR": str(landing), "CSC_PSEUDONYMISATION_KEY": TEST_KEY}
    )
    write_extract(
        landing, LA, "2024-06-30", extract_files(CONTACTS, "b) No", first_month=1),
        period_end="2024-06-30", extract_date="2024-07-03", window_start="2024-01-01",
    )  # fmt: skip
    before = build_mart(settings, tmp_path / "target")

    rerun_contacts = {child: date for child, date in CONTACTS.items() if child != "C4B"}
    write_extract(
        landing, LA, "2024-06-30_rerun", extract_files(rerun_contacts, "a) Yes", first_month=3),
        period_end="2024-06-30", extract_date="2024-07-10", window_start="2024-03-01",
    )  # fmt: skip
    after = build_mart(settings, tmp_path / "target")

    march, april = dt.date(2024, 3, 1), dt.date(2024, 4, 1)
    assert set(before) == set(after)  # same councils, indicators and months
    assert len({month for _, month in after}) == 6  # January to June
    changed = {key for key in after if after[key] != before[key]}
    assert changed == {("M1", april), ("M3", april), ("CP4 (val)", march), ("CP4", march)}
    # The deleted contact: April had 2 contacts and 1 referral, now 1 contact.
    assert before[("M1", april)][0] == 2 and after[("M1", april)][0] == 1
    assert before[("M3", april)][:3] == (50.0, 1, 2) and after[("M3", april)][:3] == (100.0, 1, 1)
    # The restated ICPC: March's one conference now resulted in a plan.
    assert before[("CP4 (val)", march)][0] == 0 and after[("CP4 (val)", march)][0] == 1
    assert before[("CP4", march)][:3] == (0.0, 0, 1) and after[("CP4", march)][:3] == (100.0, 1, 1)
    # Outside the re-run's window nothing was deleted: January and February keep their contacts.
    assert after[("M1", dt.date(2024, 1, 1))][0] == 1 and after[("M1", dt.date(2024, 2, 1))][0] == 2
    # Lists neither extract holds are "no data", not 0.
    assert after[("LAC1", april)][0] is None and after[("LAC1", april)][3] == "source_not_supplied"
