"""What each monthly extract of a council shows, and the corrections real drops carry.

An extract is the case system as known on its ``extract_date``, for the period ``window_start`` ..
``period_end`` (contract §1): event records placed in the window, state records open at some point of it,
snapshots as at period_end, the full 903 history of every child looked after in the window. Dates after
period_end are not shown (the extract is taken as at period_end).

Frames here use the raw column names of ``docs/design.md`` with ``child_id`` / ``household_id`` /
``date_of_birth``; dates are ``int64`` day numbers (``NEVER`` = blank), MASH times minutes since the epoch,
codes bare upper-case (``""`` = blank). Columns starting ``x_`` are template fields ingest does not keep.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from synthetic._dates import NEVER, add_working_days, add_years, age_years, day, to_date
from synthetic.simulate import World

ALL_TABLES = (
    "annex_a_contacts",
    "annex_a_early_help",
    "annex_a_referrals",
    "annex_a_assessments",
    "annex_a_s47",
    "annex_a_cin",
    "annex_a_cp",
    "annex_a_cla",
    "annex_a_care_leavers",
    "annex_a_adoption",
    "ssda903_header",
    "ssda903_episodes",
    "ssda903_uasc",
    "ssda903_missing",
    "ssda903_oc3",
    "local_mash",
    "local_referral_factors",
    "local_transfer_in_conferences",
    "local_care_plans",
    "local_missing_all",
    "local_foster_carers",
)
_PERSON = ["child_id", "gender", "ethnicity", "date_of_birth"]
TRUTH_COLUMNS: dict[str, list[str]] = {
    "annex_a_contacts": [*_PERSON, "contact_date", "contact_source"],
    "annex_a_early_help": [
        *_PERSON,
        "assessment_start_date",
        "assessment_completion_date",
        "plan_start_date",
        "plan_end_date",
        "step_up_date",
    ],
    "annex_a_referrals": [*_PERSON, "referral_date", "referral_source", "referral_nfa", "allocated_team"],
    "annex_a_assessments": [
        *_PERSON,
        "assessment_start_date",
        "assessment_authorised_date",
        "allocated_team",
    ],
    "annex_a_s47": [
        *_PERSON,
        "strategy_discussion_date",
        "icpc_not_required",
        "icpc_date",
        "icpc_resulted_in_cp_plan",
        "allocated_team",
    ],
    "annex_a_cin": [
        *_PERSON,
        "cin_start_date",
        "primary_need_code",
        "cin_closure_date",
        "closure_reason",
        "case_status",
        "allocated_team",
    ],
    "annex_a_cp": [
        *_PERSON,
        "cp_plan_start_date",
        "initial_category_of_abuse",
        "latest_category_of_abuse",
        "last_statutory_visit_date",
        "latest_review_conference_date",
        "cp_plan_end_date",
        "previous_cp_plans",
        "allocated_team",
    ],
    "annex_a_cla": [
        *_PERSON,
        "date_started_looked_after",
        "legal_status",
        "last_social_work_visit_date",
        "date_ceased_looked_after",
        "reason_ceased",
        "placement_type",
        "placement_provider",
    ],
    "annex_a_care_leavers": [
        *_PERSON,
        "eligibility_category",
        "la_in_touch",
        "accommodation_type",
        "accommodation_suitability",
        "activity_status",
        "latest_pathway_plan_review_date",
    ],
    "annex_a_adoption": [
        *_PERSON,
        "date_entered_care",
        "date_should_be_placed",
        "date_placement_order",
        "date_matched",
        "date_placed",
        "date_adoption_order",
        "date_no_longer_placed",
        "reason_no_longer_placed",
    ],
    "ssda903_header": ["child_id", "sex", "date_of_birth", "ethnic"],
    "ssda903_episodes": [
        "child_id",
        "decom",
        "rne",
        "ls",
        "cin",
        "place",
        "place_provider",
        "dec",
        "rec",
        "reason_place_change",
    ],
    "ssda903_uasc": ["child_id", "duc"],
    "ssda903_missing": ["child_id", "missing", "mis_start", "mis_end"],
    "ssda903_oc3": ["child_id", "in_touch", "activ", "accom"],
    "local_mash": ["child_id", "referral_received", "mash_decision"],
    "local_referral_factors": ["child_id", "referral_date", "factor"],
    "local_transfer_in_conferences": ["child_id", "conference_date", "resulted_in_cp_plan"],
    "local_care_plans": ["child_id", "plan_type", "authorised_date", "end_date"],
    "local_missing_all": ["child_id", "missing", "mis_start", "mis_end"],
    "local_foster_carers": ["household_id", "approval_date", "deregistration_date", "provider"],
}
TIMESTAMP_COLUMNS = frozenset({"referral_received", "mash_decision"})
INTEGER_COLUMNS = frozenset({"previous_cp_plans"})
DATE_COLUMNS = frozenset(
    c
    for cols in TRUTH_COLUMNS.values()
    for c in cols
    if c.endswith("_date")
    or c in {"date_of_birth", "decom", "dec", "duc", "mis_start", "mis_end"}
    or c.startswith("date_")
)

# contract §5: how each table is merged across extracts
EVENT_KEYS: dict[str, tuple[tuple[str, ...], str]] = {
    "annex_a_contacts": (("child_id", "contact_date", "contact_source"), "contact_date"),
    "annex_a_early_help": (("child_id", "_placing"), "_placing"),
    "annex_a_referrals": (("child_id", "referral_date"), "referral_date"),
    "annex_a_assessments": (("child_id", "assessment_start_date"), "assessment_start_date"),
    "annex_a_s47": (("child_id", "strategy_discussion_date"), "strategy_discussion_date"),
    "local_mash": (("child_id", "referral_received"), "_placing"),
    "local_referral_factors": (("child_id", "referral_date", "factor"), "referral_date"),
    "local_transfer_in_conferences": (("child_id", "conference_date"), "conference_date"),
    "local_missing_all": (("child_id", "mis_start"), "mis_start"),
}
STATE_KEYS: dict[str, tuple[tuple[str, ...], str]] = {
    "annex_a_cin": (("child_id", "cin_start_date"), "cin_closure_date"),
    "annex_a_cp": (("child_id", "cp_plan_start_date"), "cp_plan_end_date"),
    "local_care_plans": (("child_id", "plan_type", "authorised_date"), "end_date"),
    "local_foster_carers": (("household_id",), "deregistration_date"),
    "annex_a_adoption": (("child_id",), "_end"),
}
SNAPSHOT_TABLES = ("annex_a_cla", "annex_a_care_leavers")
HISTORY_TABLES = ("ssda903_header", "ssda903_episodes", "ssda903_uasc", "ssda903_missing", "ssda903_oc3")
SNAPSHOT_OF = ("annex_a_cp", "annex_a_cla", "annex_a_care_leavers")


@dataclass(frozen=True)
class ExtractInfo:
    folder: str
    period_end: dt.date
    extract_date: dt.date
    window_start: dt.date
    tables: frozenset[str]


@dataclass(frozen=True)
class Correction:
    """A correction carried by the drops (for tests and demos; synthetic data only)."""

    kind: str  # restated | deleted | late_entered
    table: str
    child_id: str
    placing_date: dt.date
    first_folder: str  # first extract showing the record (or the wrong version)
    fixed_folder: str  # extract where the correction (restatement, deletion, late entry) first shows
    column: str | None = None
    wrong_value: object = None
    right_value: object = None


def timeline(end_month: str, months: int, history_months: int, rng: np.random.Generator) -> list[dict]:
    """Extract specs in extract_date order: history, monthly drops, one re-run."""
    y, m = (int(x) for x in end_month.split("-"))
    last_first = dt.date(y, m, 1)

    def first_of(k: int) -> dt.date:  # k = 0 .. months-1 (reporting month index)
        total = last_first.year * 12 + last_first.month - 1 - (months - 1 - k)
        return dt.date(total // 12, total % 12 + 1, 1)

    def end_of(k: int) -> dt.date:
        return (first_of(k + 1) if k + 1 < months else _next_month(last_first)) - dt.timedelta(days=1)

    specs = []
    h = max(1, min(history_months, months))
    pe = end_of(h - 1)
    specs.append(
        dict(
            folder=f"{pe.isoformat()}_history",
            ws=first_of(0),
            pe=pe,
            ed=pe + dt.timedelta(days=int(rng.integers(2, 5))),
        )
    )
    monthly = []
    for k in range(h, months):
        pe = end_of(k)
        ws = first_of(max(0, k - 5))
        spec = dict(folder=pe.isoformat(), ws=ws, pe=pe, ed=pe + dt.timedelta(days=int(rng.integers(2, 5))))
        monthly.append(spec)
    specs += monthly
    if monthly:
        orig = monthly[(len(monthly) - 1) // 2]
        rerun = dict(
            folder=f"{orig['folder']}_rerun",
            ws=orig["ws"],
            pe=orig["pe"],
            ed=orig["ed"] + dt.timedelta(days=int(rng.integers(4, 8))),
            rerun_of=orig["folder"],
        )
        specs.append(rerun)
    specs.sort(key=lambda s: (s["ed"], s["folder"]))
    for s in specs:
        s["ws_d"], s["pe_d"], s["ed_d"] = day(s["ws"]), day(s["pe"]), day(s["ed"])
    return specs


def _next_month(d: dt.date) -> dt.date:
    return dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)


# ------------------------------------------------------------------------------------------ council view
@dataclass
class CouncilRecords:
    """One council's records (slices of the world) with what the drops do to them."""

    index: int
    seed: int
    tables: dict[str, pd.DataFrame]
    people: dict[str, np.ndarray]  # global per-child arrays: child_id, dob, gender, ethnicity, disability
    specs: list[dict]
    restatements: list[tuple[str, int, str, object, int]] = field(
        default_factory=list
    )  # table,row,col,wrong,until
    corrections: list[Correction] = field(default_factory=list)


def council_records(world: World, index: int, specs: list[dict], seed: int) -> CouncilRecords:
    tables = {}
    for name, df in world.tables.items():
        part = df[df["c"].to_numpy() == index].reset_index(drop=True).copy()
        part["_entered"] = np.int64(0)
        part["_deleted"] = NEVER
        tables[name] = part
    ch = world.children
    people = {k: ch[k].to_numpy() for k in ("child_id", "dob", "gender", "ethnicity", "disability")}
    rec = CouncilRecords(index=index, seed=seed, tables=tables, people=people, specs=specs)
    _natural_lateness(rec)
    _corrections(rec)
    return rec


def _rng(rec: CouncilRecords, *salt: object) -> np.random.Generator:
    key = zlib.crc32(repr((rec.seed, rec.index, *salt)).encode())
    return np.random.default_rng(key)


def _natural_lateness(rec: CouncilRecords) -> None:
    """A few records reach the case system days or weeks after their date."""
    rng = _rng(rec, "late")
    for name, col in (
        ("contacts", "contact_date"),
        ("referrals", "referral_date"),
        ("assessments", "assessment_start_date"),
    ):
        df = rec.tables[name]
        late = rng.random(len(df)) < 0.006
        d = df[col].to_numpy()
        df["_entered"] = np.where(late, d + rng.integers(5, 45, len(df)), d)


def _corrections(rec: CouncilRecords) -> None:
    """Restated, deleted and late-entered records, placed where a later drop's window covers them."""
    specs = rec.specs
    if len(specs) < 2:
        return
    rng = _rng(rec, "corrections")
    pairs = list(range(len(specs) - 1))  # (i, i+1) in extract_date order

    def overlap(i: int, j: int) -> tuple[int, int]:
        return max(specs[i]["ws_d"], specs[j]["ws_d"]), specs[i]["pe_d"]

    def pick(mask: np.ndarray) -> int | None:
        idx = np.flatnonzero(mask)
        return int(idx[rng.integers(0, len(idx))]) if len(idx) else None

    def pid(name: str, row: int) -> str:
        return str(rec.people["child_id"][rec.tables[name]["child"].to_numpy()[row]])

    def entered_in_error(name: str, raw_table: str, date_col: str, row: int, new_d, k: int) -> pd.DataFrame:
        """A duplicate of ``row`` dated ``new_d``: in drop k, gone from drop k+1 (whose window covers it)."""
        table = rec.tables[name]
        dup = table.iloc[[row]].copy()
        new_d = int(new_d)
        dup[date_col] = new_d
        dup["_entered"] = new_d
        dup["_deleted"] = specs[k + 1]["ed_d"]
        rec.tables[name] = table = pd.concat([table, dup], ignore_index=True)
        folders = specs[k]["folder"], specs[k + 1]["folder"]
        rec.corrections.append(
            Correction("deleted", raw_table, pid(name, len(table) - 1), to_date(new_d), *folders)
        )
        return table

    # 1. CP plan end date restated: wrong in the original monthly drop, corrected in its re-run
    i = next((k for k, s in enumerate(specs) if s.get("rerun_of")), None)
    i = (i - 1) if i is not None else pairs[0]
    lo, hi = overlap(i, i + 1)
    cp = rec.tables["cp"]
    e = cp["cp_plan_end_date"].to_numpy()
    s = cp["cp_plan_start_date"].to_numpy()
    row = pick((e >= lo + 20) & (e <= hi) & (e - s > 40))
    if row is not None:
        wrong = int(e[row] - rng.integers(5, 16))
        rec.restatements.append(("cp", row, "cp_plan_end_date", wrong, specs[i + 1]["ed_d"]))
        rec.corrections.append(
            Correction(
                "restated",
                "annex_a_cp",
                pid("cp", row),
                to_date(s[row]),
                specs[i]["folder"],
                specs[i + 1]["folder"],
                "cp_plan_end_date",
                to_date(wrong),
                to_date(e[row]),
            )
        )
    # 2. referral source restated (history -> first monthly drop)
    lo, hi = overlap(0, 1)
    ref = rec.tables["referrals"]
    d = ref["referral_date"].to_numpy()
    row = pick((d >= lo) & (d <= hi - 10) & (ref["_entered"].to_numpy() == d))
    if row is not None:
        right = ref["referral_source"].to_numpy()[row]
        wrong = "8" if right != "8" else "6"
        rec.restatements.append(("referrals", row, "referral_source", wrong, specs[1]["ed_d"]))
        rec.corrections.append(
            Correction(
                "restated",
                "annex_a_referrals",
                pid("referrals", row),
                to_date(d[row]),
                specs[0]["folder"],
                specs[1]["folder"],
                "referral_source",
                wrong,
                right,
            )
        )
    con = rec.tables["contacts"]
    # 3. contact source restated (key changes: the old record goes, the corrected one comes)
    k = pairs[min(2, len(pairs) - 1)]
    lo, hi = overlap(k, k + 1)
    d = con["contact_date"].to_numpy()
    row = pick((d >= lo) & (d <= hi) & con["contact_only"].to_numpy() & (con["_entered"].to_numpy() == d))
    if row is not None:
        right = con["contact_source"].to_numpy()[row]
        wrong = "2A" if right != "2A" else "3A"
        rec.restatements.append(("contacts", row, "contact_source", wrong, specs[k + 1]["ed_d"]))
        rec.corrections.append(
            Correction(
                "restated",
                "annex_a_contacts",
                pid("contacts", row),
                to_date(d[row]),
                specs[k]["folder"],
                specs[k + 1]["folder"],
                "contact_source",
                wrong,
                right,
            )
        )
    # 4. a contact entered in error: in one drop, gone from the next drop whose window covers it
    k = pairs[min(1, len(pairs) - 1)]
    lo, hi = overlap(k, k + 1)
    d = con["contact_date"].to_numpy()
    row = pick((d >= lo) & (d <= hi - 3) & con["contact_only"].to_numpy())
    if row is not None:
        new_d = d[row] + 1 + rng.integers(0, 2)
        con = entered_in_error("contacts", "annex_a_contacts", "contact_date", row, new_d, k)
    # 5. an assessment entered in error (a duplicate a day later), removed by the next drop
    k = pairs[min(3, len(pairs) - 1)]
    lo, hi = overlap(k, k + 1)
    ass = rec.tables["assessments"]
    d = ass["assessment_start_date"].to_numpy()
    row = pick((d >= lo) & (d <= hi - 3) & (ass["_entered"].to_numpy() == d))
    if row is not None:
        table = ("assessments", "annex_a_assessments", "assessment_start_date")
        ass = entered_in_error(*table, row, d[row] + 1, k)
    # 6. late-entered: an assessment of drop k's last month that first shows in drop k+1
    k = pairs[min(2, len(pairs) - 1)]
    lo, hi = overlap(k, k + 1)
    d = ass["assessment_start_date"].to_numpy()
    row = pick((d >= max(lo, hi - 27)) & (d <= hi) & (ass["_deleted"].to_numpy() == NEVER))
    if row is not None:
        ass.loc[row, "_entered"] = specs[k]["ed_d"] + 1
        rec.corrections.append(
            Correction(
                "late_entered",
                "annex_a_assessments",
                pid("assessments", row),
                to_date(d[row]),
                specs[k + 1]["folder"],
                specs[k + 1]["folder"],
            )
        )
    # 7. late-entered by two drops: a contact first shows in drop k+2
    if len(specs) >= 3:
        k = min(3, len(specs) - 3)
        lo, hi = max(specs[k]["ws_d"], specs[k + 2]["ws_d"]), specs[k]["pe_d"]
        d = con["contact_date"].to_numpy()
        row = pick(
            (d >= max(lo, hi - 20))
            & (d <= hi)
            & (con["_deleted"].to_numpy() == NEVER)
            & con["contact_only"].to_numpy()
        )
        if row is not None:
            con.loc[row, "_entered"] = specs[k + 1]["ed_d"] + 1
            rec.corrections.append(
                Correction(
                    "late_entered",
                    "annex_a_contacts",
                    pid("contacts", row),
                    to_date(d[row]),
                    specs[k + 2]["folder"],
                    specs[k + 2]["folder"],
                )
            )


# ------------------------------------------------------------------------------------------ one extract
def _visible(df: pd.DataFrame, ed: int) -> np.ndarray:
    return (df["_entered"].to_numpy() <= ed) & (df["_deleted"].to_numpy() > ed)


def _mask(values: np.ndarray, pe: int) -> np.ndarray:
    v = np.asarray(values, dtype=np.int64)
    return np.where(v > pe, NEVER, v)


def _person(rec: CouncilRecords, child: np.ndarray) -> dict[str, np.ndarray]:
    p = rec.people
    return {
        "child_id": p["child_id"][child],
        "gender": p["gender"][child],
        "ethnicity": p["ethnicity"][child],
        "date_of_birth": p["dob"][child],
        "x_disability": p["disability"][child],
    }


def _apply_restatements(
    rec: CouncilRecords, name: str, df: pd.DataFrame, rows: np.ndarray, ed: int, pe: int
) -> pd.DataFrame:
    """Show the wrong value of a restated record in extracts before its correction (when the field is
    filled in by then)."""
    for table, row, col, wrong, until in rec.restatements:
        if table == name and ed < until:
            hit = np.flatnonzero(rows == row)
            if len(hit):
                at = df.index[hit[0]]
                current = df.at[at, col]
                if current == "" or (
                    isinstance(wrong, int | np.integer) and (current >= NEVER or wrong > pe)
                ):
                    continue
                df.loc[at, col] = wrong
    return df


def build_extract(rec: CouncilRecords, spec: dict) -> dict[str, pd.DataFrame]:
    """The frames of one extract (see the module docstring for the representation)."""
    ws, pe, ed = spec["ws_d"], spec["pe_d"], spec["ed_d"]
    T = rec.tables
    rng = _rng(rec, "extract", pe)
    out: dict[str, pd.DataFrame] = {}

    def take(name: str, sel: np.ndarray, cols: dict[str, np.ndarray]) -> pd.DataFrame:
        rows = np.flatnonzero(sel)
        return _frame(
            {**{k: (v[rows] if isinstance(v, np.ndarray) else v) for k, v in cols.items()}, "_row": rows}
        )

    # List 1 contacts
    c = T["contacts"]
    sel = (c["contact_date"].to_numpy() >= ws) & (c["contact_date"].to_numpy() <= pe) & _visible(c, ed)
    ch = c["child"].to_numpy()
    df = take(
        "contacts",
        sel,
        {
            **_person(rec, ch),
            "contact_date": c["contact_date"].to_numpy(),
            "contact_source": c["contact_source"].to_numpy(),
        },
    )
    out["annex_a_contacts"] = _apply_restatements(rec, "contacts", df, df["_row"].to_numpy(), ed, pe)

    # List 2 early help
    e = T["early_help"]
    placing = np.where(
        e["assessment_start_date"].to_numpy() < NEVER,
        e["assessment_start_date"].to_numpy(),
        e["plan_start_date"].to_numpy(),
    )
    sel = (placing >= ws) & (placing <= pe)
    df = take(
        "early_help",
        sel,
        {
            **_person(rec, e["child"].to_numpy()),
            "assessment_start_date": e["assessment_start_date"].to_numpy(),
            "assessment_completion_date": _mask(e["assessment_completion_date"].to_numpy(), pe),
            "plan_start_date": _mask(e["plan_start_date"].to_numpy(), pe),
            "plan_end_date": _mask(e["plan_end_date"].to_numpy(), pe),
            "step_up_date": _mask(e["step_up_date"].to_numpy(), pe),
            "x_organisation": e["organisation"].to_numpy(),
        },
    )
    df.loc[df["assessment_completion_date"].to_numpy() == NEVER, "x_organisation"] = ""
    out["annex_a_early_help"] = df

    # List 3 referrals
    r = T["referrals"]
    d = r["referral_date"].to_numpy()
    sel = (d >= ws) & (d <= pe) & _visible(r, ed)
    df = take(
        "referrals",
        sel,
        {
            **_person(rec, r["child"].to_numpy()),
            "referral_date": d,
            "referral_source": r["referral_source"].to_numpy(),
            "referral_nfa": r["referral_nfa"].to_numpy(),
            "allocated_team": r["allocated_team"].to_numpy(),
        },
    )
    df = _apply_restatements(rec, "referrals", df, df["_row"].to_numpy(), ed, pe)
    df["x_count_12m"] = _prior_count(df["child_id"].to_numpy(), df["referral_date"].to_numpy())
    out["annex_a_referrals"] = df

    # List 4 assessments (also those started before the window and still open at its start)
    a = T["assessments"]
    st, au = a["assessment_start_date"].to_numpy(), a["assessment_authorised_date"].to_numpy()
    sel = (st <= pe) & ((st >= ws) | (au >= ws)) & _visible(a, ed)
    au_m = _mask(au, pe)
    df = take(
        "assessments",
        sel,
        {
            **_person(rec, a["child"].to_numpy()),
            "assessment_start_date": st,
            "assessment_authorised_date": au_m,
            "allocated_team": a["allocated_team"].to_numpy(),
            "x_seen": a["seen"].to_numpy(),
            "x_in_need": np.where(au_m < NEVER, np.where(a["in_need"].to_numpy(), "YES", "NO"), ""),
        },
    )
    out["annex_a_assessments"] = df

    # List 5 s47 (also enquiries started before the window whose ICPC falls in it)
    s = T["s47"]
    sd, icd = s["strategy_discussion_date"].to_numpy(), s["icpc_date"].to_numpy()
    sel = (sd <= pe) & ((sd >= ws) | ((icd >= ws) & (icd <= pe)))
    icm = _mask(icd, pe)
    concluded = s["concluded"].to_numpy() <= pe
    df = take(
        "s47",
        sel,
        {
            **_person(rec, s["child"].to_numpy()),
            "strategy_discussion_date": sd,
            "icpc_not_required": np.where(icm < NEVER, "NO", np.where(concluded & (icd == NEVER), "YES", "")),
            "icpc_date": icm,
            "icpc_resulted_in_cp_plan": np.where(icm < NEVER, s["icpc_resulted_in_cp_plan"].to_numpy(), ""),
            "allocated_team": s["allocated_team"].to_numpy(),
        },
    )
    df["x_s47_12m"] = _prior_count(df["child_id"].to_numpy(), df["strategy_discussion_date"].to_numpy())
    df["x_icpc_12m"] = _prior_count(df["child_id"].to_numpy(), df["icpc_date"].to_numpy())
    out["annex_a_s47"] = df

    # open plans / care at period end (for case status)
    cp = T["cp"]
    cps, cpe = cp["cp_plan_start_date"].to_numpy(), cp["cp_plan_end_date"].to_numpy()
    on_cp = set(cp["child"].to_numpy()[(cps <= pe) & (cpe > pe)].tolist())
    ep = T["episodes"]
    la = ~np.isin(ep["ls"].to_numpy(), ["V3", "V4"])
    in_care = set(
        ep["child"].to_numpy()[la & (ep["decom"].to_numpy() <= pe) & (ep["dec"].to_numpy() > pe)].tolist()
    )

    # List 6 CIN
    cin = T["cin"]
    cs, cc = cin["cin_start"].to_numpy(), cin["cin_close"].to_numpy()
    sel = (cs <= pe) & (cc >= ws)
    child = cin["child"].to_numpy()
    open_ = cc > pe
    status = np.full(len(cin), "CLOSED EPISODE", dtype=object)
    status[open_] = "CHILD IN NEED PLAN"
    status[open_ & np.isin(child, list(on_cp))] = "CHILD PROTECTION PLAN"
    status[open_ & np.isin(child, list(in_care))] = "LOOKED AFTER CHILD"
    df = take(
        "cin",
        sel,
        {
            **_person(rec, child),
            "cin_start_date": cs,
            "primary_need_code": cin["need"].to_numpy(),
            "cin_closure_date": _mask(cc, pe),
            "closure_reason": np.where(open_, "", cin["reason"].to_numpy()),
            "case_status": status,
            "allocated_team": cin["allocated_team"].to_numpy(),
            "x_last_seen": np.where(open_, pe - rng.integers(0, 30, len(cin)), np.minimum(cc, pe)),
        },
    )
    out["annex_a_cin"] = df

    # List 7 CP plans open at some point of the window
    sel = (cps <= pe) & (cpe >= ws)
    end_m = _mask(cpe, pe)
    visit = np.where(
        cpe > pe,
        add_working_days(
            np.full(len(cp), pe),
            -np.where(
                rng.random(len(cp)) < 0.88, rng.integers(0, 10, len(cp)), rng.integers(10, 30, len(cp))
            ),
        ),
        add_working_days(cpe, -cp["visit_gap"].to_numpy()),
    )
    visit = np.where(visit < cps, cps, visit)
    first_rev = cps + cp["review_offset"].to_numpy()
    upto = np.minimum(pe, cpe)
    k = np.maximum((upto - first_rev) // 182, 0)
    review = np.where(upto >= first_rev, first_rev + k * 182, NEVER)
    review = np.where(cpe <= pe, cpe, review)  # a plan ends at a review conference
    df = take(
        "cp",
        sel,
        {
            **_person(rec, cp["child"].to_numpy()),
            "cp_plan_start_date": cps,
            "initial_category_of_abuse": cp["initial_category_of_abuse"].to_numpy(),
            "latest_category_of_abuse": cp["latest_category_of_abuse"].to_numpy(),
            "last_statutory_visit_date": _mask(visit, pe),
            "latest_review_conference_date": _mask(review, pe),
            "cp_plan_end_date": end_m,
            "previous_cp_plans": cp["previous_cp_plans"].to_numpy().astype(np.int64),
            "allocated_team": cp["allocated_team"].to_numpy(),
            "x_seen_alone": cp["seen_alone"].to_numpy(),
        },
    )
    out["annex_a_cp"] = _apply_restatements(rec, "cp", df, df["_row"].to_numpy(), ed, pe)

    # List 8 children in care: most recent period per child, looked after in the window
    out["annex_a_cla"] = _list8(rec, ws, pe, rng)
    # List 9 care leavers and OC3
    out["annex_a_care_leavers"], oc3 = _list9(rec, pe, rng)

    # List 10 adoption
    ad = T["adoption"]
    endd = np.minimum(ad["date_adoption_order"].to_numpy(), ad["date_no_longer_placed"].to_numpy())
    sel = (ad["date_should_be_placed"].to_numpy() <= pe) & (endd >= ws)
    cols = {**_person(rec, ad["child"].to_numpy())}
    for col in (
        "date_entered_care",
        "date_should_be_placed",
        "date_placement_order",
        "date_matched",
        "date_placed",
        "date_adoption_order",
        "date_no_longer_placed",
    ):
        cols[col] = _mask(ad[col].to_numpy(), pe)
    cols["reason_no_longer_placed"] = np.where(
        ad["date_no_longer_placed"].to_numpy() <= pe, ad["reason_no_longer_placed"].to_numpy(), ""
    )
    df = take("adoption", sel, cols)
    df["_end"] = np.minimum(df["date_adoption_order"].to_numpy(), df["date_no_longer_placed"].to_numpy())
    out["annex_a_adoption"] = df

    # SSDA903: every child looked after (or on short breaks) at some time in the window, full history
    dec = ep["dec"].to_numpy()
    decom = ep["decom"].to_numpy()
    kids = np.unique(ep["child"].to_numpy()[(decom <= pe) & (dec >= ws)])
    esel = np.isin(ep["child"].to_numpy(), kids) & (decom <= pe)
    decm = _mask(dec, pe)
    df = take(
        "episodes",
        esel,
        {
            "child_id": rec.people["child_id"][ep["child"].to_numpy()],
            "decom": decom,
            "rne": ep["rne"].to_numpy(),
            "ls": ep["ls"].to_numpy(),
            "cin": ep["cin"].to_numpy(),
            "place": ep["place"].to_numpy(),
            "place_provider": ep["place_provider"].to_numpy(),
            "dec": decm,
            "rec": np.where(decm < NEVER, ep["rec"].to_numpy(), ""),
            "reason_place_change": np.where(decm < NEVER, ep["reason_place_change"].to_numpy(), ""),
        },
    )
    out["ssda903_episodes"] = df.sort_values(["child_id", "decom"], kind="stable")
    per = T["periods"]
    ukids = np.unique(
        per["child"].to_numpy()[per["uasc"].to_numpy() & np.isin(per["child"].to_numpy(), kids)]
    )
    udob = rec.people["dob"][ukids]
    out["ssda903_uasc"] = _frame(
        {
            "child_id": rec.people["child_id"][ukids],
            "duc": _mask(add_years(udob, 18), pe),
            "x_dob": udob,
            "x_sex": rec.people["gender"][ukids],
        }
    )
    hkids = np.union1d(kids, oc3["_child"].to_numpy().astype(np.int64))
    out["ssda903_header"] = _frame(
        {
            "child_id": rec.people["child_id"][hkids],
            "sex": np.where(
                rec.people["gender"][hkids] == "FEMALE",
                "F",
                np.where(rec.people["gender"][hkids] == "MALE", "M", "U"),
            ),
            "date_of_birth": rec.people["dob"][hkids],
            "ethnic": rec.people["ethnicity"][hkids],
        }
    )
    out["ssda903_oc3"] = oc3.drop(columns=["_child"])
    ma = T["missing_all"]
    ms = ma["mis_start"].to_numpy()
    # 903 missing: episodes that began while the child was looked after
    lap = per[np.isin(per["child"].to_numpy(), kids)]
    key_child = np.r_[lap["child"].to_numpy()]
    in_lac = np.zeros(len(ma), bool)
    if len(lap):
        m = pd.DataFrame({"child": ma["child"].to_numpy(), "ms": ms, "i": np.arange(len(ma))}).merge(
            pd.DataFrame({"child": key_child, "s": lap["start"].to_numpy(), "e": lap["end"].to_numpy()}),
            on="child",
        )
        hit = m["i"].to_numpy()[
            (m["ms"].to_numpy() >= m["s"].to_numpy()) & (m["ms"].to_numpy() < m["e"].to_numpy())
        ]
        in_lac[hit] = True
    miss_cols = {
        "child_id": rec.people["child_id"][ma["child"].to_numpy()],
        "missing": ma["missing"].to_numpy(),
        "mis_start": ms,
        "mis_end": _mask(ma["mis_end"].to_numpy(), pe),
    }
    out["ssda903_missing"] = take("missing", in_lac & (ms <= pe), miss_cols).assign(
        x_dob=lambda f: rec.people["dob"][ma["child"].to_numpy()[f["_row"].to_numpy()]]
    )
    out["local_missing_all"] = take("missing_all", (ms >= ws) & (ms <= pe), miss_cols)

    # MASH (placed by the date received)
    mh = T["mash"]
    rd = mh["referral_received"].to_numpy() // 1440
    dm = mh["mash_decision"].to_numpy()
    out["local_mash"] = take(
        "mash",
        (rd >= ws) & (rd <= pe),
        {
            "child_id": rec.people["child_id"][mh["child"].to_numpy()],
            "referral_received": mh["referral_received"].to_numpy(),
            "mash_decision": np.where(dm // 1440 > pe, NEVER * 1440, dm),
            "_placing": rd,
        },
    )
    f = T["factors"]
    d = f["referral_date"].to_numpy()
    out["local_referral_factors"] = take(
        "factors",
        (d >= ws) & (d <= pe),
        {
            "child_id": rec.people["child_id"][f["child"].to_numpy()],
            "referral_date": d,
            "factor": f["factor"].to_numpy(),
        },
    )
    t = T["transfer_in"]
    d = t["conference_date"].to_numpy()
    out["local_transfer_in_conferences"] = take(
        "transfer_in",
        (d >= ws) & (d <= pe),
        {
            "child_id": rec.people["child_id"][t["child"].to_numpy()],
            "conference_date": d,
            "resulted_in_cp_plan": t["resulted"].to_numpy(),
        },
    )
    p = T["care_plans"]
    pa, pend = p["authorised_date"].to_numpy(), p["end_date"].to_numpy()
    out["local_care_plans"] = take(
        "care_plans",
        (pa <= pe) & (pend >= ws),
        {
            "child_id": rec.people["child_id"][p["child"].to_numpy()],
            "plan_type": p["plan_type"].to_numpy(),
            "authorised_date": pa,
            "end_date": _mask(pend, pe),
        },
    )
    fc = T["foster_carers"]
    ap, dr = fc["approval_date"].to_numpy(), fc["deregistration_date"].to_numpy()
    out["local_foster_carers"] = take(
        "foster_carers",
        (ap <= pe) & (dr >= ws),
        {
            "household_id": fc["household_id"].to_numpy(),
            "approval_date": ap,
            "deregistration_date": _mask(dr, pe),
            "provider": fc["provider"].to_numpy(),
        },
    )
    return out


def _frame(cols: dict[str, object]) -> pd.DataFrame:
    """A frame that keeps text columns as plain object arrays (no conversion to pandas' string dtype)."""
    return pd.DataFrame(
        {
            k: pd.Series(v, dtype=object, copy=False) if getattr(v, "dtype", None) is np.dtype(object) else v
            for k, v in cols.items()
        }
    )


def _prior_count(child: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """Ofsted's "in the last 12 months" count: earlier events in the 12 months before the child's latest."""
    df = pd.DataFrame({"c": child, "d": dates})
    valid = df["d"] < NEVER
    latest = df["d"].where(valid).groupby(df["c"]).transform("max")
    inside = valid & (df["d"] < latest) & (df["d"] > latest - 365)
    return inside.groupby(df["c"]).transform("sum").to_numpy().astype(np.int64)


def _list8(rec: CouncilRecords, ws: int, pe: int, rng: np.random.Generator) -> pd.DataFrame:
    per = rec.tables["periods"]
    ep = rec.tables["episodes"]
    st, en = per["start"].to_numpy(), per["end"].to_numpy()
    sel = (st <= pe) & (en >= ws)
    p = per[sel].sort_values(["child", "start"]).drop_duplicates("child", keep="last")
    if not len(p):
        return pd.DataFrame({c: [] for c in TRUTH_COLUMNS["annex_a_cla"]})
    e = ep[ep["period"].to_numpy() >= 0]
    e = e[np.isin(e["period"].to_numpy(), p["period"].to_numpy()) & (e["decom"].to_numpy() <= pe)]
    e = e.sort_values(["period", "decom"])
    cur = e.drop_duplicates("period", keep="last").set_index("period")
    n = len(p)
    st, en = p["start"].to_numpy(), p["end"].to_numpy()
    cur = cur.reindex(p["period"].to_numpy())
    open_ = en > pe
    gap = np.where(rng.random(n) < 0.87, rng.integers(0, 43, n), rng.integers(43, 100, n))
    visit = np.where(open_, pe - gap, en - rng.integers(1, 30, n))
    visit = np.maximum(visit, st)
    # legal status start: the latest episode whose RNE changed the legal status
    ls_start = (
        e[e["rne"].isin(["S", "L", "B", "U"])].drop_duplicates("period", keep="last").set_index("period")
    )
    ls_start = ls_start.reindex(p["period"].to_numpy())["decom"].to_numpy()
    pl_start = (
        e[e["rne"].isin(["S", "P", "B", "T", "U"])].drop_duplicates("period", keep="last").set_index("period")
    )
    pl_start = pl_start.reindex(p["period"].to_numpy())["decom"].to_numpy()
    n_pl = (
        e[(e["decom"].to_numpy() > pe - 365) & e["rne"].isin(["S", "P", "B", "T", "U"]).to_numpy()]
        .groupby("period")
        .size()
        .reindex(p["period"].to_numpy())
        .fillna(0)
        .to_numpy()
        .astype(np.int64)
    )
    perm = np.select(
        [p["track"].to_numpy() == "adopt", p["track"].to_numpy() == "sgo", p["track"].to_numpy() == "short"],
        ["ADOPTION", "SGO", "RETURN"],
        "FOSTERING",
    ).astype(object)
    df = pd.DataFrame(
        {
            **_person(rec, p["child"].to_numpy()),
            "date_started_looked_after": st,
            "legal_status": cur["ls"].to_numpy(),
            "last_social_work_visit_date": _mask(visit, pe),
            "date_ceased_looked_after": _mask(en, pe),
            "reason_ceased": np.where(open_, "", p["rec"].to_numpy()),
            "placement_type": cur["place"].to_numpy(),
            "placement_provider": cur["place_provider"].to_numpy(),
            "x_uasc": np.where(p["uasc"].to_numpy(), "YES", "NO"),
            "x_need": p["need"].to_numpy(),
            "x_ls_start": np.nan_to_num(ls_start, nan=st).astype(np.int64),
            "x_review": _mask(np.maximum(st, pe - rng.integers(0, 180, n)), pe),
            "x_permanence": perm,
            "x_iro": _mask(np.maximum(st, pe - rng.integers(0, 120, n)), pe),
            "x_health": _mask(np.maximum(st, pe - rng.integers(10, 400, n)), pe),
            "x_dental": _mask(np.maximum(st, pe - rng.integers(10, 400, n)), pe),
            "x_placements_12m": np.maximum(n_pl, 1),
            "x_placement_start": np.nan_to_num(pl_start, nan=st).astype(np.int64),
            "x_location": np.where(rng.random(n) < 0.7, "IN", "OUT"),
        }
    )
    return df


def _list9(rec: CouncilRecords, pe: int, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    cl = rec.tables["care_leavers"]
    dob = rec.people["dob"][cl["child"].to_numpy()]
    age = age_years(dob, np.full(len(cl), pe))
    sel = (cl["ceased"].to_numpy() <= pe) & (age >= 17) & (age <= 21)
    cl = cl[sel]
    age = age[sel]
    n = len(cl)
    flip = rng.random(n) < 0.03
    base_yes = cl["touch_base"].to_numpy() < 0.94
    yes = base_yes ^ flip
    other = np.array(["NO", "REFU", "NREQ", "RHOM", "NO"], dtype=object)[
        (cl["touch_base"].to_numpy() * 1000).astype(np.int64) % 5
    ]
    touch = np.where(yes, "YES", other).astype(object)
    suitable = (cl["suit_base"].to_numpy() < 0.95) ^ (rng.random(n) < 0.02)
    suit = np.where(yes, np.where(suitable, "SUITABLE", "UNSUITABLE"), "").astype(object)
    accom = np.where(yes, np.where(suitable, cl["accom"].to_numpy(), cl["bad_accom"].to_numpy()), "").astype(
        object
    )
    activity = np.where(yes, cl["activity"].to_numpy(), "").astype(object)
    # pathway plan reviews (current template only; the 2019 layout written here has no such column)
    l9 = _frame(
        {
            **_person(rec, cl["child"].to_numpy()),
            "eligibility_category": np.where(age < 18, "RELEVANT CHILD", "FORMER RELEVANT CHILD").astype(
                object
            ),
            "la_in_touch": touch,
            "accommodation_type": accom,
            "accommodation_suitability": suit,
            "activity_status": activity,
            "latest_pathway_plan_review_date": np.full(n, NEVER, dtype=np.int64),
        }
    )
    oc3 = _frame(
        {
            "child_id": l9["child_id"].to_numpy(),
            "in_touch": touch,
            "activ": np.where(yes, activity, "0").astype(object),
            "accom": np.where(yes, accom + np.where(suitable, "1", "2"), "0").astype(object),
            "x_dob": dob[sel],
            "_child": cl["child"].to_numpy(),
        }
    )
    return l9, oc3
