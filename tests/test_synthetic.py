"""Tests of the synthetic case system (synthetic/): determinism, manifests, realism, corrections, headers."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthetic import CouncilConfig, generate_council, generate_councils
from synthetic._dates import NEVER, day, working_days_between
from synthetic.cli import main as cli_main
from synthetic.codes import ANNEX_A_HEADERS, LIST_TABLES, LIST_TITLES

FORMATS_MD = Path(__file__).resolve().parents[2] / "shared" / "reference" / "csc_formats.md"
SMALL = dict(la_code="E06000999", population=6_000, end_month="2025-03", months=14, history_months=8, seed=3)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    council = generate_council(CouncilConfig(**SMALL))
    root = tmp_path_factory.mktemp("landing")
    council.write(root)
    return council, root / SMALL["la_code"]


@pytest.fixture(scope="module")
def demo():
    return generate_council(CouncilConfig())


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _dmy(text: str) -> dt.date | None:
    return dt.datetime.strptime(text, "%d/%m/%Y").date() if text else None


# ------------------------------------------------------------------------------------------ determinism
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_same_seed_gives_identical_bytes(tmp_path, fmt):
    cfg = dict(SMALL, population=1_500, months=7, history_months=6)
    for run in ("a", "b"):
        generate_council(CouncilConfig(**cfg)).write(tmp_path / run, annex_a_format=fmt)
    generate_council(CouncilConfig(**dict(cfg, seed=4))).write(tmp_path / "c", annex_a_format=fmt)
    a, b, c = (_hashes(tmp_path / run) for run in "abc")
    assert a and a == b
    assert set(a) == set(c) and a != c  # another seed: same files, other bytes
    if fmt == "xlsx":
        assert any(name.endswith("annex_a.xlsx") for name in a)


# ------------------------------------------------------------------------------------------ layout, manifest
def test_manifests_list_every_file_with_its_sha256(small):
    council, root = small
    folders = sorted(p for p in root.iterdir() if p.is_dir())
    assert [p.name for p in folders] == sorted(e.folder for e in council.extracts)
    for folder in folders:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert set(manifest) == {
            "la_code",
            "period_end",
            "extract_date",
            "window_start",
            "source_system",
            "files",
        }
        assert manifest["la_code"] == "E06000999"
        on_disk = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} - {"manifest.json"}
        assert set(manifest["files"]) == on_disk
        assert len(on_disk) == 10 + 5 + 6
        for rel, digest in manifest["files"].items():
            assert hashlib.sha256((folder / rel).read_bytes()).hexdigest() == digest


def test_timeline_history_monthly_drops_and_one_rerun(small):
    council, _ = small
    ex = council.extracts
    assert [e.extract_date for e in ex] == sorted(e.extract_date for e in ex)
    hist = [e for e in ex if e.folder.endswith("_history")]
    reruns = [e for e in ex if e.folder.endswith("_rerun")]
    monthly = [e for e in ex if e not in hist and e not in reruns]
    assert len(hist) == 1 and len(reruns) == 1 and len(monthly) == SMALL["months"] - SMALL["history_months"]
    h = hist[0]
    assert (h.window_start, h.period_end) == (dt.date(2024, 2, 1), dt.date(2024, 9, 30))
    assert h.folder == "2024-09-30_history"
    for e in monthly:
        assert e.folder == e.period_end.isoformat()
        assert 2 <= (e.extract_date - e.period_end).days <= 4
        assert e.window_start.day == 1 and (e.period_end - e.window_start).days in range(180, 185)
    orig = next(e for e in monthly if reruns[0].folder == f"{e.folder}_rerun")
    assert reruns[0].period_end == orig.period_end and reruns[0].extract_date > orig.extract_date


# ------------------------------------------------------------------------------------------ headers and codes
def _template_headers() -> dict[int, list[str]]:
    text = FORMATS_MD.read_text(encoding="utf-8")
    sec = text[text.index("### 1.2") : text.index("### 1.3")]
    out = {}
    for m in re.finditer(r"\*\*List (\d+) [^\n]*\n```\n(.*?)\n```", sec, re.S):
        number = int(m.group(1))
        if number not in out:  # List 9: the 2019 template comes first
            out[number] = [c.replace("\u2420", " ") for c in m.group(2).split(" | ")]
    return out


def test_annex_a_headers_equal_the_2019_template(small, tmp_path):
    _, root = small
    folder = next(p for p in root.iterdir() if p.name.endswith("_history"))
    # the characters that matter, independently of the reference file
    assert ANNEX_A_HEADERS[8][19] == "Date Ceased to be Looked After "
    assert ANNEX_A_HEADERS[9][9] == "LA In Touch "
    assert ANNEX_A_HEADERS[10][12] == "Date of Adoption Order "
    assert "children\u2019s" in ANNEX_A_HEADERS[4][9] and "\u2018Missing\u2019" in ANNEX_A_HEADERS[8][28]
    assert ANNEX_A_HEADERS[2][-3:] == ["Plan start date", "Plan end date", "Step up to social care date"]
    if FORMATS_MD.exists():
        template = _template_headers()
        for n in range(1, 11):
            expected = template[n] if n != 2 else template[2] + ANNEX_A_HEADERS[2][8:]
            assert ANNEX_A_HEADERS[n] == expected, n
    for n, (_, stem) in LIST_TABLES.items():
        with open(folder / "annex_a" / f"list_{n:02d}_{stem}.csv", newline="", encoding="utf-8") as fh:
            assert next(csv.reader(fh)) == ANNEX_A_HEADERS[n]
    # XLSX: a title row above the header row, real date cells
    from python_calamine import CalamineWorkbook

    council = generate_council(CouncilConfig(**dict(SMALL, population=2_000, months=7, history_months=6)))
    council.write(tmp_path, annex_a_format="xlsx")
    wb = CalamineWorkbook.from_path(next(tmp_path.rglob("annex_a.xlsx")))
    assert wb.sheet_names == [f"List {n}" for n in range(1, 11)]
    for n in range(1, 11):
        rows = wb.get_sheet_by_name(f"List {n}").to_python()
        assert rows[0][0] == f"List {n}: {LIST_TITLES[n]}"
        assert [str(h) for h in rows[1][: len(ANNEX_A_HEADERS[n])]] == ANNEX_A_HEADERS[n]
    contacts = wb.get_sheet_by_name("List 1").to_python()
    assert (
        isinstance(contacts[2][5], dt.date) and isinstance(contacts[2][0], str) and contacts[2][0].isdigit()
    )


def test_codes_are_ofsted_preferred_codes_and_ids_digits(small):
    council, root = small
    folder = root / council.extracts[-1].folder
    contacts = _read_csv(folder / "annex_a" / "list_01_contacts.csv")
    assert {r["Gender"] for r in contacts} <= {"a) Male", "b) Female", "c) Not stated/recorded"}
    assert all(re.fullmatch(r"[a-u]\) \d{1,2}[A-F]?: .+", r["Contact Source"]) for r in contacts)
    assert all(r["Child Unique ID"].isdigit() for r in contacts)
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", r["Date of Contact"]) for r in contacts)
    cl = _read_csv(folder / "annex_a" / "list_09_care_leavers.csv")
    assert {r["LA In Touch "] for r in cl} <= {"a) Yes", "b) No", "d) Refu", "e) NREQ", "f) Rhom"}
    mash = _read_csv(folder / "local" / "mash.csv")
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", r["Referral Received"]) for r in mash)
    # truth holds the bare codes ingest produces
    t = council.truth
    assert set(t["annex_a_contacts"]["gender"]) <= {"MALE", "FEMALE", "NOT STATED/RECORDED"}
    assert "2A" in set(t["annex_a_contacts"]["contact_source"])
    assert set(t["annex_a_care_leavers"]["accommodation_suitability"].dropna()) <= {"SUITABLE", "UNSUITABLE"}


def test_one_file_has_excel_style_ids_and_truth_ids_are_normalised(small):
    council, root = small
    excel = [
        p
        for p in root.rglob("care_plans.csv")
        if _read_csv(p) and _read_csv(p)[0]["Child Unique ID"].endswith(".0")
    ]
    assert len(excel) == 1
    assert not any(str(v).endswith(".0") for v in council.truth["local_care_plans"]["child_id"])


# ------------------------------------------------------------------------------------------ corrections
def _rows_for(folder: Path, table: str, child: str, date: dt.date) -> list[dict[str, str]]:
    files = {
        "annex_a_contacts": ("annex_a/list_01_contacts.csv", "Date of Contact"),
        "annex_a_referrals": ("annex_a/list_03_referrals.csv", "Date of referral"),
        "annex_a_assessments": ("annex_a/list_04_assessments.csv", "Continuous Assessment Start Date"),
        "annex_a_cp": ("annex_a/list_07_cp.csv", "Child Protection Plan Start Date"),
    }
    rel, col = files[table]
    return [r for r in _read_csv(folder / rel) if r.get("Child Unique ID") == child and _dmy(r[col]) == date]


def test_each_correction_kind_is_in_the_written_files(small):
    council, root = small
    corr = council.corrections
    assert {c.kind for c in corr} == {"restated", "deleted", "late_entered"}
    order = [e.folder for e in council.extracts]
    by_folder = {e.folder: e for e in council.extracts}
    truth = council.truth
    header = {
        "annex_a_contacts": "Contact Source",
        "annex_a_referrals": "Referral Source",
        "annex_a_cp": "Child Protection Plan End Date",
    }
    for c in corr:
        first, fixed = root / c.first_folder, root / c.fixed_folder
        assert (
            by_folder[c.fixed_folder].window_start <= c.placing_date <= by_folder[c.fixed_folder].period_end
        )
        t = truth[c.table]
        key_col = {
            "annex_a_contacts": "contact_date",
            "annex_a_referrals": "referral_date",
            "annex_a_assessments": "assessment_start_date",
            "annex_a_cp": "cp_plan_start_date",
        }[c.table]
        in_truth = t[(t["child_id"] == c.child_id) & (t[key_col] == c.placing_date)]
        if c.kind == "restated":
            before = _rows_for(first, c.table, c.child_id, c.placing_date)
            after = _rows_for(fixed, c.table, c.child_id, c.placing_date)
            assert before and after and before != after
            if c.table == "annex_a_cp":
                assert {_dmy(r[header[c.table]]) for r in before} == {c.wrong_value}
                assert {_dmy(r[header[c.table]]) for r in after} == {c.right_value}
                assert list(in_truth["cp_plan_end_date"]) == [c.right_value]
            else:
                assert any(
                    r[header[c.table]].split(")")[1].split(":")[0].strip() == c.wrong_value for r in before
                )
                assert any(
                    r[header[c.table]].split(")")[1].split(":")[0].strip() == c.right_value for r in after
                )
                assert c.wrong_value not in set(in_truth[header[c.table].lower().replace(" ", "_")])
        elif c.kind == "deleted":
            assert _rows_for(first, c.table, c.child_id, c.placing_date)
            assert not _rows_for(fixed, c.table, c.child_id, c.placing_date)
            assert in_truth.empty
        else:  # late entered: absent from the previous drop whose window covers the date, then present
            prev = by_folder[order[order.index(c.fixed_folder) - 1]]
            assert prev.window_start <= c.placing_date <= prev.period_end
            assert not _rows_for(root / prev.folder, c.table, c.child_id, c.placing_date)
            assert _rows_for(fixed, c.table, c.child_id, c.placing_date)
            assert len(in_truth) >= 1


def test_truth_agrees_with_the_simulated_case_system(small):
    """Independent check of the §5 merge: contacts in the truth are exactly the simulated contacts of the
    covered period, minus the one entered in error, with restated values corrected."""
    council, _ = small
    rec = council._records
    con = rec.tables["contacts"]
    first = min(e.window_start for e in council.extracts)
    last = max(e.period_end for e in council.extracts)
    last_ed = max(e.extract_date for e in council.extracts)
    d = con["contact_date"].to_numpy()
    keep = (d >= day(first)) & (d <= day(last)) & (con["_deleted"].to_numpy() == NEVER)
    keep &= con["_entered"].to_numpy() <= day(last_ed)
    ids = rec.people["child_id"][con["child"].to_numpy()]
    expected = set(zip(ids[keep], d[keep], con["contact_source"].to_numpy()[keep], strict=True))
    t = council.truth["annex_a_contacts"]
    got = {
        (a, day(b), s) for a, b, s in zip(t["child_id"], t["contact_date"], t["contact_source"], strict=True)
    }
    assert got == expected


# ------------------------------------------------------------------------------------------ realism
def _monthly(series: pd.Series, months: list[dt.date]) -> float:
    s = pd.Series([v for v in series if v is not None])
    return float(np.mean([((s >= m) & (s < _next(m))).sum() for m in months]))


def _next(m: dt.date) -> dt.date:
    return dt.date(m.year + (m.month == 12), m.month % 12 + 1, 1)


def test_demo_volumes_are_realistic(demo):
    t = demo.truth
    months = [dt.date(2024, m, 1) for m in range(4, 13)] + [dt.date(2025, m, 1) for m in range(1, 4)]
    assert 1200 <= _monthly(t["annex_a_contacts"]["contact_date"], months) <= 1650
    ref = t["annex_a_referrals"].sort_values(["child_id", "referral_date"])
    assert 230 <= _monthly(ref["referral_date"], months) <= 310
    prev = ref.groupby("child_id")["referral_date"].shift()
    recent = ref["referral_date"] >= months[0]
    rerefs = [
        (p is not None and not pd.isna(p) and (r - p).days <= 365)
        for r, p in zip(ref["referral_date"][recent], prev[recent], strict=True)
    ]
    assert 0.18 <= np.mean(rerefs) <= 0.28
    a = t["annex_a_assessments"]
    a = a[a["assessment_authorised_date"].map(lambda x: x is not None and x >= months[0])]
    assert 250 <= len(a) / 12 <= 350
    wd = working_days_between(
        np.array([day(x) for x in a["assessment_start_date"]]),
        np.array([day(x) for x in a["assessment_authorised_date"]]),
    )
    assert wd.min() == 0 and wd.max() > 70 and 0.74 <= (wd <= 45).mean() <= 0.87
    s = t["annex_a_s47"]
    assert 80 <= _monthly(s["strategy_discussion_date"], months) <= 125
    icpc = s[s["icpc_date"].map(lambda x: x is not None and x >= months[0])]
    assert 30 <= len(icpc) / 12 <= 52
    assert 0.80 <= (icpc["icpc_resulted_in_cp_plan"] == "YES").mean() <= 0.92
    late = (
        working_days_between(
            np.array([day(x) for x in icpc["strategy_discussion_date"]]),
            np.array([day(x) for x in icpc["icpc_date"]]),
        )
        > 15
    )
    assert 0.05 <= late.mean() <= 0.35
    cp = t["annex_a_cp"]
    me = dt.date(2025, 3, 31)
    open_cp = cp[(cp["cp_plan_start_date"] <= me) & cp["cp_plan_end_date"].map(lambda x: x is None or x > me)]
    assert 260 <= open_cp["child_id"].nunique() <= 420
    new = cp[cp["cp_plan_start_date"] >= months[0]]
    assert 0.14 <= (new["previous_cp_plans"] >= 1).mean() <= 0.30
    ep = t["ssda903_episodes"]
    la = ep[~ep["ls"].isin(["V3", "V4"])]
    open_ep = la[(la["decom"] <= me) & la["dec"].map(lambda x: x is None or x > me)]
    assert 430 <= open_ep["child_id"].nunique() <= 620
    ifa = open_ep["place"].isin(["U1", "U2", "U3", "U4", "U5", "U6"]) & open_ep["place_provider"].isin(
        ["PR4", "PR5"]
    )
    assert 0.18 <= ifa.mean() <= 0.33
    assert set(ep["ls"]) >= {"V3", "V2", "C1", "C2"} and set(ep["rne"]) >= {"S", "P", "L", "T", "B"}
    assert set(ep["rec"].dropna()) >= {"X1", "E11", "E12", "E4A"} and set(ep["rec"]) & {
        "E45",
        "E46",
        "E47",
        "E48",
    }
    uasc = set(t["ssda903_uasc"]["child_id"][t["ssda903_uasc"]["duc"].map(lambda x: x is None or x > me)])
    assert 0.05 <= len(uasc & set(open_ep["child_id"])) / open_ep["child_id"].nunique() <= 0.15
    cin = t["annex_a_cin"]
    open_cin = set(
        cin["child_id"][
            (cin["cin_start_date"] <= me) & cin["cin_closure_date"].map(lambda x: x is None or x > me)
        ]
    )
    assert 1200 <= len(open_cin - set(open_cp["child_id"]) - set(open_ep["child_id"])) <= 1850
    snap = demo.snapshots[me]
    cl = snap["annex_a_care_leavers"]
    assert (cl["la_in_touch"] == "YES").mean() >= 0.85
    assert (cl["accommodation_suitability"] == "SUITABLE").sum() / (cl["la_in_touch"] == "YES").sum() >= 0.85
    l8 = snap["annex_a_cla"]
    l8 = l8[l8["date_ceased_looked_after"].isna()]
    assert 0.75 <= l8["last_social_work_visit_date"].map(lambda v: (me - v).days <= 42).mean() <= 0.97
    fc = t["local_foster_carers"]
    inh = fc[
        (fc["provider"] == "IN_HOUSE")
        & (fc["approval_date"] <= me)
        & fc["deregistration_date"].map(lambda x: x is None or x > me)
    ]
    assert 130 <= len(inh) <= 250 and (fc["provider"] == "IFA").any()
    assert 1 <= _monthly(t["local_transfer_in_conferences"]["conference_date"], months) <= 6
    f = t["local_referral_factors"]
    assert (f["factor"] == "11A").sum() > 50
    mash = t["local_mash"]
    quick = (mash["mash_decision"] - mash["referral_received"]).map(lambda x: x.total_seconds() <= 86400)
    assert 0.7 <= quick.mean() <= 0.9
    assert set(t["local_care_plans"]["plan_type"]) == {"CLA", "PATHWAY"}
    assert set(t["local_missing_all"]["missing"]) == {"M", "A"}
    eh = t["annex_a_early_help"]
    assert eh["step_up_date"].notna().sum() > 50 and eh["plan_start_date"].notna().sum() > 1000
    assert demo.population == 50_000 and len(demo.snapshots) == 13


# ---------------------------------------------------------------------------------------- many councils, CLI
def test_multi_council_scales_with_real_population():
    councils = generate_councils(3, seed=5, months=7, history_months=6, scale=0.05)
    assert len({c.la_code for c in councils}) == 3
    assert all(re.fullmatch(r"E0[6-9]\d{6}|E10\d{6}", c.la_code) for c in councils)
    per_child = []
    for c in councils:
        n = len(c.extract_frames(c.extracts[0].folder)["annex_a_contacts"])
        per_child.append(n / c.population)
    assert max(per_child) / min(per_child) < 2.0  # volumes scale with population


def test_cli_prints_one_summary_line_per_council(tmp_path, capsys):
    code = cli_main(
        ["--landing", str(tmp_path), "--population", "1500", "--months", "7", "--history-months", "6"]
    )
    assert code == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("E06000999 ") and "folders" in out[0]
    assert (tmp_path / "E06000999" / "2025-02-28_history" / "manifest.json").exists()
    assert io.StringIO(out[0]).read().count("/") == 0  # no dates of birth or other record contents
