"""Throughput of ingest on a realistic List 1 (50,000 contacts, ~18,000 children). Marked slow."""

from __future__ import annotations

import datetime as dt
import random
import time

import pytest
from conftest import write_extract

from ingest.load import ingest_landing


@pytest.mark.slow
def test_contacts_50k_rows_per_second(landing, ingest_settings):
    rng = random.Random(7)
    header = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
              "Date of Contact", "Contact Source"]  # fmt: skip
    genders = ["a) Male", "b) Female"]
    ethnicities = ["a) WBRI", "n) BCRB", "k) APKN", "f) MWBC"]
    sources = ["e) 2A: Schools", "q) 6: Police", "l) 3F: Health services", "a) 1A: Individual"]
    rows: list[list[object]] = [["List 1: Contacts"], header]
    for _ in range(50_000):
        dob = dt.date(2006, 1, 1) + dt.timedelta(days=rng.randrange(6500))
        contact = dt.date(2023, 10, 1) + dt.timedelta(days=rng.randrange(180))
        rows.append([
            f"c{rng.randrange(20_000):06d} ", rng.choice(genders), rng.choice(ethnicities),
            dob.strftime("%d/%m/%Y"), "", contact.strftime("%d/%m/%Y"), rng.choice(sources),
        ])  # fmt: skip
    write_extract(landing, "E06000999", "2024-03", {"annex_a/list_01_contacts.csv": rows})
    started = time.perf_counter()
    report = ingest_landing(ingest_settings)
    seconds = time.perf_counter() - started
    loaded = report.rows_per_table["annex_a_contacts"]
    assert loaded + report.rows_quarantined == 50_000
    assert report.rows_quarantined < 500  # only chance duplicates of (child, date, source)
    rate = 50_000 / seconds
    print(f"\ningest 50,000 contacts: {seconds:.2f} s, {rate:,.0f} rows/s")
    assert rate > 20_000
