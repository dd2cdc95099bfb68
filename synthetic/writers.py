"""Extract writers: Annex A (CSV or XLSX), SSDA903 and local CSVs, manifest.json.

Annex A text is written as Ofsted "preferred codes" (``a) Male``, ``e) 2A: Schools``), dates as
``DD/MM/YYYY`` (CSV) or real date cells (XLSX), child IDs as digit strings. Output is byte-for-byte
deterministic: the XLSX document properties carry the extract date, the manifest lists files sorted.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from synthetic import codes as K
from synthetic._dates import NEVER, age_years, format_dmy, format_dmy_hm

Column = tuple[str, str, np.ndarray]  # header, kind (text | date | int), values


def _map(values: np.ndarray, mapping: dict[str, str]) -> np.ndarray:
    """Bare codes -> template text (codes without a template text are written bare; blanks stay blank)."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    texts = np.array([mapping.get(u, u) if isinstance(u, str) else "" for u in uniques] + [""], dtype=object)
    return texts[np.where(codes < 0, len(uniques), codes)]


def _text(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=object)


def _blank(n: int) -> np.ndarray:
    return np.full(n, "", dtype=object)


def _person(df: pd.DataFrame, age_on: np.ndarray) -> list[Column]:
    dob = df["date_of_birth"].to_numpy()
    return [
        ("Child Unique ID", "text", _text(df["child_id"].to_numpy())),
        ("Gender", "text", _map(df["gender"].to_numpy(), K.GENDER_PREFERRED)),
        ("Ethnicity", "text", _map(df["ethnicity"].to_numpy(), K.ETHNICITY_PREFERRED)),
        ("Date of Birth", "date", dob),
        ("Age of Child (Years)", "int", age_years(dob, age_on)),
    ]


def _yn(values: np.ndarray) -> np.ndarray:
    return _map(values, K.YES_NO_PREFERRED)


def _worker(df: pd.DataFrame) -> np.ndarray:
    ids = pd.util.hash_array(df["child_id"].to_numpy(dtype=object)) % 60
    return np.array([f"SW{i:03d}" for i in ids], dtype=object)


def annex_a_columns(number: int, df: pd.DataFrame, pe: int) -> list[Column]:
    n = len(df)
    at_pe = np.full(n, pe, dtype=np.int64)
    g = df.get
    if number == 1:
        cols = _person(df, df["contact_date"].to_numpy())
        cols += [
            ("Date of Contact", "date", g("contact_date").to_numpy()),
            ("Contact Source", "text", _map(g("contact_source").to_numpy(), K.SOURCE_PREFERRED)),
        ]
    elif number == 2:
        placing = np.where(
            df["assessment_start_date"].to_numpy() < NEVER,
            df["assessment_start_date"].to_numpy(),
            df["plan_start_date"].to_numpy(),
        )
        cols = _person(df, placing)
        cols += [
            ("Assessment start date", "date", g("assessment_start_date").to_numpy()),
            ("Assessment completion date", "date", g("assessment_completion_date").to_numpy()),
            ("Organisation completing assessment", "text", _text(g("x_organisation").to_numpy())),
            ("Plan start date", "date", g("plan_start_date").to_numpy()),
            ("Plan end date", "date", g("plan_end_date").to_numpy()),
            ("Step up to social care date", "date", g("step_up_date").to_numpy()),
        ]
    elif number == 3:
        cols = _person(df, df["referral_date"].to_numpy())
        cols += [
            ("Date of referral", "date", g("referral_date").to_numpy()),
            ("Referral Source", "text", _map(g("referral_source").to_numpy(), K.SOURCE_PREFERRED)),
            ("Referral NFA?", "text", _yn(g("referral_nfa").to_numpy())),
            ("Number of Referrals in Last 12 Months", "int", g("x_count_12m").to_numpy()),
            ("Allocated Team", "text", _text(g("allocated_team").to_numpy())),
            ("Allocated Worker", "text", _worker(df)),
        ]
    elif number == 4:
        cols = _person(df, df["assessment_start_date"].to_numpy())
        cols += [
            ("Does the Child have a Disability", "text", _yn(g("x_disability").to_numpy())),
            ("Continuous Assessment Start Date", "date", g("assessment_start_date").to_numpy()),
            ("Child Seen During Continuous Assessment", "text", _yn(g("x_seen").to_numpy())),
            (
                "Continuous Assessment Date of Authorisation",
                "date",
                g("assessment_authorised_date").to_numpy(),
            ),
            (K.ANNEX_A_HEADERS[4][9], "text", _yn(g("x_in_need").to_numpy())),
            ("Allocated Team", "text", _text(g("allocated_team").to_numpy())),
            ("Allocated Worker", "text", _worker(df)),
        ]
    elif number == 5:
        cols = _person(df, df["strategy_discussion_date"].to_numpy())
        cols += [
            ("Does the Child have a Disability", "text", _yn(g("x_disability").to_numpy())),
            (K.ANNEX_A_HEADERS[5][6], "date", g("strategy_discussion_date").to_numpy()),
            (K.ANNEX_A_HEADERS[5][7], "text", _yn(g("icpc_not_required").to_numpy())),
            ("Date of Initial Child Protection Conference", "date", g("icpc_date").to_numpy()),
            (K.ANNEX_A_HEADERS[5][9], "text", _yn(g("icpc_resulted_in_cp_plan").to_numpy())),
            (K.ANNEX_A_HEADERS[5][10], "int", g("x_s47_12m").to_numpy()),
            (K.ANNEX_A_HEADERS[5][11], "int", g("x_icpc_12m").to_numpy()),
            ("Allocated Team", "text", _text(g("allocated_team").to_numpy())),
            ("Allocated Worker", "text", _worker(df)),
        ]
    elif number == 6:
        cols = _person(df, at_pe)
        cols += [
            ("Does the Child have a Disability", "text", _yn(g("x_disability").to_numpy())),
            ("CIN Start Date", "date", g("cin_start_date").to_numpy()),
            ("Primary Need Code", "text", _map(g("primary_need_code").to_numpy(), K.PRIMARY_NEED_PREFERRED)),
            ("Date Child Was Last Seen", "date", g("x_last_seen").to_numpy()),
            ("CIN Closure Date", "date", g("cin_closure_date").to_numpy()),
            ("Reason for Closure", "text", _map(g("closure_reason").to_numpy(), K.CLOSURE_PREFERRED)),
            ("Case status", "text", _map(g("case_status").to_numpy(), K.CASE_STATUS_PREFERRED)),
            ("Allocated Team", "text", _text(g("allocated_team").to_numpy())),
            ("Allocated Worker", "text", _worker(df)),
        ]
    elif number == 7:
        cols = _person(df, at_pe)
        cols += [
            ("Does the Child have a Disability", "text", _yn(g("x_disability").to_numpy())),
            ("Child Protection Plan Start Date", "date", g("cp_plan_start_date").to_numpy()),
            (
                "Initial Category of Abuse",
                "text",
                _map(g("initial_category_of_abuse").to_numpy(), K.ABUSE_PREFERRED),
            ),
            (
                "Latest Category of Abuse",
                "text",
                _map(g("latest_category_of_abuse").to_numpy(), K.ABUSE_PREFERRED),
            ),
            ("Date of the Last Statutory Visit", "date", g("last_statutory_visit_date").to_numpy()),
            ("Was the Child Seen Alone?", "text", _yn(g("x_seen_alone").to_numpy())),
            ("Date of latest review conference", "date", g("latest_review_conference_date").to_numpy()),
            ("Child Protection Plan End Date", "date", g("cp_plan_end_date").to_numpy()),
            (K.ANNEX_A_HEADERS[7][13], "text", _yn(np.full(n, "NO", dtype=object))),
            ("Number of Previous Child Protection Plans", "int", g("previous_cp_plans").to_numpy()),
            ("Allocated Team", "text", _text(g("allocated_team").to_numpy())),
            ("Allocated Worker", "text", _worker(df)),
        ]
    elif number == 8:
        h = K.ANNEX_A_HEADERS[8]
        cols = _person(df, at_pe)
        cols += [
            (h[5], "text", _yn(g("x_uasc").to_numpy())),
            (h[6], "text", _yn(g("x_disability").to_numpy())),
            (h[7], "date", g("date_started_looked_after").to_numpy()),
            (h[8], "text", _map(g("x_need").to_numpy(), K.CATEGORY_OF_NEED_PREFERRED)),
            (h[9], "text", _yn(np.full(n, "NO", dtype=object))),
            (h[10], "date", g("x_ls_start").to_numpy()),
            (h[11], "text", _map(g("legal_status").to_numpy(), K.LEGAL_STATUS_PREFERRED)),
            (h[12], "date", g("x_review").to_numpy()),
            (h[13], "date", g("last_social_work_visit_date").to_numpy()),
            (h[14], "text", _map(g("x_permanence").to_numpy(), K.PERMANENCE_PREFERRED)),
            (h[15], "date", g("x_iro").to_numpy()),
            (h[16], "date", g("x_health").to_numpy()),
            (h[17], "date", g("x_dental").to_numpy()),
            (h[18], "int", g("x_placements_12m").to_numpy()),
            (h[19], "date", g("date_ceased_looked_after").to_numpy()),
            (h[20], "text", _map(g("reason_ceased").to_numpy(), K.REASON_CEASED_PREFERRED)),
            (h[21], "date", g("x_placement_start").to_numpy()),
            (h[22], "text", _map(g("placement_type").to_numpy(), K.PLACEMENT_PREFERRED)),
            (h[23], "text", _map(g("placement_provider").to_numpy(), K.PROVIDER_PREFERRED)),
            (h[24], "text", _blank(n)),
            (h[25], "text", _blank(n)),
            (h[26], "text", np.where(g("x_location").to_numpy() == "IN", "a) In", "b) Out").astype(object)),
            (h[27], "text", _blank(n)),
            (h[28], "int", np.zeros(n, dtype=np.int64)),
            (h[29], "int", np.zeros(n, dtype=np.int64)),
            (h[30], "text", _blank(n)),
            (h[31], "text", _blank(n)),
            ("Allocated Team", "text", np.full(n, "Children in Care", dtype=object)),
            ("Allocated Worker", "text", _worker(df)),
        ]
    elif number == 9:
        cols = _person(df, at_pe)
        cols += [
            ("Does the Child have a Disability", "text", _yn(g("x_disability").to_numpy())),
            ("Allocated Team", "text", np.full(n, "Leaving Care", dtype=object)),
            ("Allocated Worker", "text", _worker(df)),
            (
                "Eligibility Category",
                "text",
                _map(g("eligibility_category").to_numpy(), K.ELIGIBILITY_PREFERRED),
            ),
            ("LA In Touch ", "text", _map(g("la_in_touch").to_numpy(), K.IN_TOUCH_PREFERRED)),
            (
                "Type of Accommodation",
                "text",
                _map(g("accommodation_type").to_numpy(), K.ACCOMMODATION_PREFERRED),
            ),
            (
                "Suitability of Accommodation",
                "text",
                _map(g("accommodation_suitability").to_numpy(), K.SUITABILITY_PREFERRED),
            ),
            ("Activity Status", "text", _map(g("activity_status").to_numpy(), K.ACTIVITY_PREFERRED)),
        ]
    elif number == 10:
        p = _person(df, at_pe)
        cols = [p[0], ("Family identifier", "text", _blank(n)), p[1], p[2], p[3], p[4]]
        h = K.ANNEX_A_HEADERS[10]
        cols += [
            (h[6], "text", _yn(g("x_disability").to_numpy())),
            (h[7], "date", g("date_entered_care").to_numpy()),
            (h[8], "date", g("date_should_be_placed").to_numpy()),
            (h[9], "date", g("date_placement_order").to_numpy()),
            (h[10], "date", g("date_matched").to_numpy()),
            (h[11], "date", g("date_placed").to_numpy()),
            (h[12], "date", g("date_adoption_order").to_numpy()),
            (h[13], "date", g("date_no_longer_placed").to_numpy()),
            (h[14], "text", _map(g("reason_no_longer_placed").to_numpy(), K.RD_PREFERRED)),
            (h[15], "date", np.full(n, NEVER, dtype=np.int64)),
        ]
    else:
        raise ValueError(number)
    assert [c[0] for c in cols] == K.ANNEX_A_HEADERS[number], number
    return cols


def _dob_of(df: pd.DataFrame) -> np.ndarray:
    return df["x_dob"].to_numpy() if "x_dob" in df else df["date_of_birth"].to_numpy()


def _ids(df: pd.DataFrame, column: str = "child_id") -> np.ndarray:
    return _text(df[column].to_numpy())


PLAIN_FILES: dict[str, tuple[str, Callable[[pd.DataFrame], list[Column]]]] = {
    "ssda903_header": (
        "ssda903/header.csv",
        lambda d: [
            ("CHILD", "text", _ids(d)),
            ("SEX", "text", _text(d["sex"].to_numpy())),
            ("DOB", "date", d["date_of_birth"].to_numpy()),
            ("ETHNIC", "text", _text(d["ethnic"].to_numpy())),
            ("UPN", "text", _blank(len(d))),
            ("MOTHER", "text", _blank(len(d))),
            ("MC_DOB", "text", _blank(len(d))),
        ],
    ),
    "ssda903_episodes": (
        "ssda903/episodes.csv",
        lambda d: [
            ("CHILD", "text", _ids(d)),
            ("DECOM", "date", d["decom"].to_numpy()),
            ("RNE", "text", _text(d["rne"])),
            ("LS", "text", _text(d["ls"])),
            ("CIN", "text", _text(d["cin"])),
            ("PLACE", "text", _text(d["place"])),
            ("PLACE_PROVIDER", "text", _text(d["place_provider"])),
            ("DEC", "date", d["dec"].to_numpy()),
            ("REC", "text", _text(d["rec"])),
            ("REASON_PLACE_CHANGE", "text", _text(d["reason_place_change"])),
            ("HOME_POST", "text", _blank(len(d))),
            ("PL_POST", "text", _blank(len(d))),
            ("URN", "text", _blank(len(d))),
        ],
    ),
    "ssda903_uasc": (
        "ssda903/uasc.csv",
        lambda d: [
            ("CHILD", "text", _ids(d)),
            ("SEX", "text", np.where(d["x_sex"].to_numpy() == "FEMALE", "F", "M").astype(object)),
            ("DOB", "date", d["x_dob"].to_numpy()),
            ("DUC", "date", d["duc"].to_numpy()),
        ],
    ),
    "ssda903_missing": (
        "ssda903/missing.csv",
        lambda d: [
            ("CHILD", "text", _ids(d)),
            ("DOB", "date", _dob_of(d)),
            ("MISSING", "text", _text(d["missing"])),
            ("MIS_START", "date", d["mis_start"].to_numpy()),
            ("MIS_END", "date", d["mis_end"].to_numpy()),
        ],
    ),
    "ssda903_oc3": (
        "ssda903/oc3.csv",
        lambda d: [
            ("CHILD", "text", _ids(d)),
            ("DOB", "date", d["x_dob"].to_numpy()),
            ("IN_TOUCH", "text", _text(d["in_touch"])),
            ("ACTIV", "text", _text(d["activ"])),
            ("ACCOM", "text", _text(d["accom"])),
        ],
    ),
    "local_mash": (
        "local/mash.csv",
        lambda d: [
            ("Child Unique ID", "text", _ids(d)),
            ("Referral Received", "datetime", d["referral_received"].to_numpy()),
            ("MASH Decision", "datetime", d["mash_decision"].to_numpy()),
        ],
    ),
    "local_referral_factors": (
        "local/referral_factors.csv",
        lambda d: [
            ("Child Unique ID", "text", _ids(d)),
            ("Date of referral", "date", d["referral_date"].to_numpy()),
            ("Factor", "text", _text(d["factor"])),
        ],
    ),
    "local_transfer_in_conferences": (
        "local/transfer_in_conferences.csv",
        lambda d: [
            ("Child Unique ID", "text", _ids(d)),
            ("Date of Transfer-in Conference", "date", d["conference_date"].to_numpy()),
            (
                "Resulted in CP Plan (Y/N)",
                "text",
                np.where(d["resulted_in_cp_plan"].to_numpy() == "YES", "Y", "N").astype(object),
            ),
        ],
    ),
    "local_care_plans": (
        "local/care_plans.csv",
        lambda d: [
            ("Child Unique ID", "text", _ids(d)),
            ("Plan Type", "text", _text(d["plan_type"])),
            ("Authorised Date", "date", d["authorised_date"].to_numpy()),
            ("End Date", "date", d["end_date"].to_numpy()),
        ],
    ),
    "local_missing_all": (
        "local/missing_all.csv",
        lambda d: [
            ("CHILD", "text", _ids(d)),
            ("MISSING", "text", _text(d["missing"])),
            ("MIS_START", "date", d["mis_start"].to_numpy()),
            ("MIS_END", "date", d["mis_end"].to_numpy()),
        ],
    ),
    "local_foster_carers": (
        "local/foster_carers.csv",
        lambda d: [
            ("Household ID", "text", _ids(d, "household_id")),
            ("Approval Date", "date", d["approval_date"].to_numpy()),
            ("Deregistration Date", "date", d["deregistration_date"].to_numpy()),
            ("Provider", "text", _text(d["provider"])),
        ],
    ),
}


def _csv_bytes(cols: list[Column]) -> bytes:
    data = []
    for _, kind, values in cols:
        if kind == "date":
            data.append(format_dmy(values).tolist())
        elif kind == "datetime":
            data.append(format_dmy_hm(values).tolist())
        elif kind == "int":
            data.append(np.asarray(values, dtype=np.int64).astype(str).tolist())
        else:
            data.append(["" if v is None else v for v in np.asarray(values, dtype=object).tolist()])
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([c[0] for c in cols])
    writer.writerows(zip(*data, strict=True))
    return buf.getvalue().encode("utf-8")


def write_csv(path: Path, cols: list[Column]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_csv_bytes(cols))


def write_annex_a_xlsx(path: Path, lists: dict[int, list[Column]], created: dt.date) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    wb.set_properties(
        {
            "title": "Annex A",
            "author": "Case management system",
            "company": "",
            "created": dt.datetime(created.year, created.month, created.day),
        }
    )
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    bold = wb.add_format({"bold": True})
    for number in sorted(lists):
        cols = lists[number]
        ws = wb.add_worksheet(f"List {number}")
        ws.write_string(0, 0, f"List {number}: {K.LIST_TITLES[number]}", bold)
        for j, (header, _, _) in enumerate(cols):
            ws.write_string(1, j, header, bold)
        n = len(cols[0][2]) if cols else 0
        prepared = []
        for _, kind, values in cols:
            if kind == "date":
                v = np.asarray(values, dtype=np.int64)
                prepared.append(("date", np.where(v >= NEVER, -1, v + 25569).tolist()))
            elif kind == "int":
                prepared.append(("int", np.asarray(values, dtype=np.int64).tolist()))
            else:
                prepared.append(("text", list(values)))
        for i in range(n):
            r = i + 2
            for j, (kind, vals) in enumerate(prepared):
                v = vals[i]
                if kind == "text":
                    if v:
                        ws.write_string(r, j, v)
                elif kind == "date":
                    if v >= 0:
                        ws.write_number(r, j, v, date_fmt)
                else:
                    ws.write_number(r, j, v)
    wb.close()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_manifest(folder: Path, la_code: str, spec: dict, source_system: str, files: list[str]) -> None:
    manifest = {
        "la_code": la_code,
        "period_end": spec["pe"].isoformat(),
        "extract_date": spec["ed"].isoformat(),
        "window_start": spec["ws"].isoformat(),
        "source_system": source_system,
        "files": {f: sha256_file(folder / f) for f in sorted(files)},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
