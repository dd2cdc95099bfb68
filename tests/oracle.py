"""Independent test oracle for ``marts.scorecard_monthly``.

Computes, in plain Python over the synthetic generator's records (``council.truth``, ``council.snapshots``,
``council.extracts``, ``council.population``), the expected value of every scorecard indicator for every
council month, straight from the written definitions in ``../shared/spec/indicators.csv`` and the rules in
``scorecard_rules.md`` / ``extract_contract.md`` §5. It deliberately shares no code or SQL with the dbt
models.

Entry point: :func:`expected_scorecard_monthly`.

Readings of the definitions where a choice had to be made (the dbt models should agree; each is marked
``READING`` at the place it is used):

R1  Coverage. A list (raw table) covers month M when some extract holding it has ``window_start <= first day
    of M`` and ``period_end >= last day of M``. The same rule is used for the SSDA903 tables and the local
    tables. An indicator is ``source_not_supplied`` when any table it reads does not cover M.
R2  Council months run from the first month fully inside any extract's window to the month of the latest
    period_end.
R3  Reason precedence: source_not_supplied, then insufficient_history, then no_snapshot, then no_population,
    then zero_denominator.
R4  Snapshot indicators need the month's snapshot of the list (``council.snapshots[month_end][table]``);
    CP8-QL, LAC7-QL and LAC11-QL also need coverage of the state/903 tables they read. CP9 and NI147 read only
    the snapshot.
R5  Snapshot fields are matched to children, not plans: a CP6B child counts as seen (CP8-QL) when any of its
    rows in the month's List 7 snapshot has a visit date within 15 working days; the same for List 8 visits
    (LAC7-QL). A child with no row in the snapshot, or an empty visit date, is not seen. A snapshot date after
    the month end is read as empty (contract §5).
R6  Event counts count rows (records), not distinct children, unless the definition says "distinct children"
    (M5, EH2, EHS1, CP6B, CP9, LAC1 and what is built on LAC1, LAC11-QL cohort). CP2/CP4/CP3-QL count List 5
    rows; CP5-QL and CP7 count List 7 plans; LAC2/LAC3/LAC6/LAC12/LAC14 count 903 episodes.
R7  M6-QL: the earlier referral must have a strictly earlier date and a date strictly after (referral date
    minus 12 calendar months), month arithmetic clipped to the month's last day (2024-02-29 minus 12 months =
    2023-02-28). Needs List 3 coverage of M (else source_not_supplied) and of each of the 12 months before M
    (else insufficient_history). Earlier referrals are taken from the whole truth, whatever their month.
R8  Ages: completed years from the full date of birth (M4: at the referral date, from List 3's date of birth;
    LAC11-QL: at month end, from the SSDA903 header's date of birth). LAC11-QL reads ssda903_header, so it
    also needs that table's coverage.
R9  Working days: ``numpy.busday_count(a, b, holidays=England and Wales bank holidays)`` (a <= d < b).
    M8-QL: "next working day after day D" is the first working day strictly after D; a decision is timely
    when ``decision <= received + 24h`` or ``decision.date() <= next working day after received.date()``;
    the month is the decision's date.
R10 "Open at month end" for a record with start s and end e: ``s <= month end and (e is None or e > month
    end)``. EHS1 overlap: ``mis_start <= month end and (mis_end is None or mis_end >= first day of month)``,
    MISSING code M or A.
R11 LAC9: a LAC1 child counts when any of its episodes that is open at month end with legal status not V3/V4
    has PLACE U1-U6 and PLACE_PROVIDER PR4/PR5.
R12 LAC3: REC not X1 (an empty REC with a DEC counts). LAC14: child listed in the 903 uasc table with DUC
    empty or strictly after the episode's DECOM.
R13 Percent/rate numerators and denominators are reported also when the value is zero_denominator (0/0 gives
    numerator 0, denominator 0); with source_not_supplied / insufficient_history / no_snapshot /
    no_population every field is None. Rate: count / population x 10,000, numerator count, denominator
    population.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import holidays
import numpy as np

__all__ = [
    "CATALOGUE_PATH",
    "Expected",
    "catalogue_codes",
    "council_months",
    "expected_scorecard_monthly",
]

CATALOGUE_PATH = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "indicators.csv"

# Raw table names (docs/design.md).
CONTACTS = "annex_a_contacts"
EARLY_HELP = "annex_a_early_help"
REFERRALS = "annex_a_referrals"
ASSESSMENTS = "annex_a_assessments"
S47 = "annex_a_s47"
CIN = "annex_a_cin"
CP = "annex_a_cp"
CLA = "annex_a_cla"
CARE_LEAVERS = "annex_a_care_leavers"
HEADER = "ssda903_header"
EPISODES = "ssda903_episodes"
UASC = "ssda903_uasc"
MASH = "local_mash"
FACTORS = "local_referral_factors"
TRANSFER_IN = "local_transfer_in_conferences"
CARE_PLANS = "local_care_plans"
MISSING_ALL = "local_missing_all"
FOSTER_CARERS = "local_foster_carers"

SOURCE_NOT_SUPPLIED = "source_not_supplied"
NO_SNAPSHOT = "no_snapshot"
INSUFFICIENT_HISTORY = "insufficient_history"
ZERO_DENOMINATOR = "zero_denominator"
NO_POPULATION = "no_population"

NOT_LOOKED_AFTER_LS = frozenset({"V3", "V4"})  # short breaks only
FOSTER_PLACEMENTS = frozenset({"U1", "U2", "U3", "U4", "U5", "U6"})
IFA_PROVIDERS = frozenset({"PR4", "PR5"})
ADOPTION_REC = frozenset({"E11", "E12"})
SGO_REC = frozenset({"E43", "E44", "E45", "E46", "E47", "E48"})


class Expected(NamedTuple):
    value: float | None
    numerator: float | None
    denominator: float | None
    no_data_reason: str | None


# ------------------------------------------------------------------------------------------ small helpers


def _date(x: Any) -> dt.date | None:
    """A truth cell as a ``datetime.date`` (None / NaN / NaT -> None)."""
    if x is None:
        return None
    if isinstance(x, float) and math.isnan(x):
        return None
    if isinstance(x, dt.datetime):  # includes pandas.Timestamp; NaT compares unequal to itself
        if x != x:
            return None
        return x.date()
    if isinstance(x, dt.date):
        return x
    if hasattr(x, "isoformat") and x != x:  # NaT-like
        return None
    return dt.date.fromisoformat(str(x)[:10])


def _timestamp(x: Any) -> dt.datetime | None:
    if x is None:
        return None
    if isinstance(x, float) and math.isnan(x):
        return None
    if isinstance(x, dt.datetime):
        if x != x:
            return None
        return dt.datetime(x.year, x.month, x.day, x.hour, x.minute, x.second, x.microsecond)
    if isinstance(x, dt.date):
        return dt.datetime(x.year, x.month, x.day)
    return dt.datetime.fromisoformat(str(x))


def _code(x: Any) -> str | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    s = str(x).strip().upper()
    return s or None


def _int(x: Any) -> int | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    try:
        return int(x)
    except (TypeError, ValueError):
        return None


def _month_start(d: dt.date) -> dt.date:
    return dt.date(d.year, d.month, 1)


def _month_end(m: dt.date) -> dt.date:
    return dt.date(m.year, m.month, calendar.monthrange(m.year, m.month)[1])


def _add_months(d: dt.date, n: int) -> dt.date:
    """Calendar month arithmetic, clipping the day to the target month's last day."""
    total = d.year * 12 + (d.month - 1) + n
    year, month0 = divmod(total, 12)
    day = min(d.day, calendar.monthrange(year, month0 + 1)[1])
    return dt.date(year, month0 + 1, day)


def _age(dob: dt.date, on: dt.date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _rows(frame: Any) -> Iterator[Any]:
    """Rows of a truth frame (None or absent -> nothing)."""
    if frame is None:
        return iter(())
    return frame.itertuples(index=False)


def catalogue_codes(path: Path = CATALOGUE_PATH) -> list[str]:
    """Indicator codes of the catalogue seed, in file order."""
    import csv

    with open(path, newline="", encoding="utf-8") as fh:
        return [row["code"] for row in csv.DictReader(fh)]


class WorkingDays:
    """England and Wales bank holidays with numpy's business-day functions."""

    def __init__(self, first_year: int, last_year: int) -> None:
        hols = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
        self.holidays = np.array(sorted(hols.keys()), dtype="datetime64[D]")

    def count(self, a: dt.date, b: dt.date) -> int:
        """Working days d with a <= d < b (scorecard_rules.md)."""
        return int(np.busday_count(np.datetime64(a, "D"), np.datetime64(b, "D"), holidays=self.holidays))

    def next_working_day_after(self, d: dt.date) -> dt.date:
        day = d + dt.timedelta(days=1)
        while not bool(np.is_busday(np.datetime64(day, "D"), holidays=self.holidays)):
            day += dt.timedelta(days=1)
        return day


# ------------------------------------------------------------------------------------------ months, coverage


def council_months(council: Any) -> list[dt.date]:
    """First days of the council's months: first month fully inside an extract window .. latest period_end.

    READING R2.
    """
    starts = []
    for ext in council.extracts:
        ws = _date(ext.window_start)
        starts.append(ws if ws.day == 1 else _add_months(_month_start(ws), 1))
    first = min(starts)
    last = _month_start(max(_date(ext.period_end) for ext in council.extracts))
    months = []
    m = first
    while m <= last:
        months.append(m)
        m = _add_months(m, 1)
    return months


def _coverage(council: Any, months: list[dt.date]) -> dict[str, set[dt.date]]:
    """table -> months it covers (READING R1)."""
    covered: dict[str, set[dt.date]] = defaultdict(set)
    for ext in council.extracts:
        ws, pe = _date(ext.window_start), _date(ext.period_end)
        for table in ext.tables:
            for m in months:
                if ws <= m and pe >= _month_end(m):
                    covered[table].add(m)
    return covered


def _snapshot(council: Any, month: dt.date, table: str) -> Any | None:
    """The month's snapshot frame of ``table``, or None when there is none."""
    me = _month_end(month)
    by_table = None
    for key, value in council.snapshots.items():
        if _date(key) == me:
            by_table = value
            break
    if by_table is None:
        return None
    return by_table.get(table)


# ------------------------------------------------------------------------------------------ the oracle


def expected_scorecard_monthly(council: Any) -> dict[tuple[str, dt.date], Expected]:
    """Expected ``scorecard_monthly`` for one council: {(indicator_code, month_first_day): Expected}."""
    months = council_months(council)
    month_set = set(months)
    cover = _coverage(council, months)
    truth = council.truth
    wd = WorkingDays(months[0].year - 10, months[-1].year + 2)
    population = council.population
    t = {name: truth.get(name) for name in truth}

    figs: dict[dt.date, dict[str, float]] = {m: defaultdict(int) for m in months}

    def bump(d: dt.date | None, key: str, by: int = 1) -> None:
        if d is None:
            return
        m = _month_start(d)
        if m in month_set:
            figs[m][key] += by

    def open_months(start: dt.date | None, end: dt.date | None) -> Iterable[dt.date]:
        """Months whose end the record [start, end) is open at (READING R10): [month(start), month(end))."""
        if start is None:
            return ()
        lo = _month_start(start)
        hi = _month_start(end) if end is not None else None
        return [m for m in months if m >= lo and (hi is None or m < hi)]

    # ---- Front door -------------------------------------------------------------------------------------
    for r in _rows(t.get(CONTACTS)):
        bump(_date(r.contact_date), "M1")

    referral_dates: dict[Any, list[dt.date]] = defaultdict(list)
    referral_rows = []
    for r in _rows(t.get(REFERRALS)):
        d = _date(r.referral_date)
        if d is None:
            continue
        referral_dates[r.child_id].append(d)
        referral_rows.append((r.child_id, d, _date(r.date_of_birth)))
    cse_referrals = set()
    for r in _rows(t.get(FACTORS)):
        if _code(r.factor) == "11A":
            cse_referrals.add((r.child_id, _date(r.referral_date)))
    for child, d, dob in referral_rows:
        bump(d, "M2")
        # READING R7: earlier referral with date in (d - 12 months, d).
        floor = _add_months(d, -12)
        if any(floor < e < d for e in referral_dates[child]):
            bump(d, "M6_val")
        # READING R8: age at the referral date from the full date of birth.
        if dob is not None and _age(dob, d) >= 13 and (child, d) in cse_referrals:
            bump(d, "M4")

    for r in _rows(t.get(MASH)):
        received, decision = _timestamp(r.referral_received), _timestamp(r.mash_decision)
        if received is None or decision is None:
            continue
        bump(decision.date(), "M8_den")
        timely = decision <= received + dt.timedelta(
            hours=24
        ) or decision.date() <= wd.next_working_day_after(received.date())
        if timely:
            bump(decision.date(), "M8_num")

    # ---- Early help -------------------------------------------------------------------------------------
    step_up_children: dict[dt.date, set] = defaultdict(set)
    for r in _rows(t.get(EARLY_HELP)):
        bump(_date(r.assessment_start_date), "EH1a")
        bump(_date(r.assessment_completion_date), "EH1c")
        bump(_date(r.plan_start_date), "EH1b")
        su = _date(r.step_up_date)
        if su is not None:
            step_up_children[_month_start(su)].add(r.child_id)
    for m in months:
        figs[m]["M5"] = len(step_up_children.get(m, ()))

    # ---- State at month end: CP plans, CIN episodes, 903 episodes ------------------------------------------
    cp_open: dict[dt.date, set] = defaultdict(set)
    for r in _rows(t.get(CP)):
        start, end = _date(r.cp_plan_start_date), _date(r.cp_plan_end_date)
        for m in open_months(start, end):
            cp_open[m].add(r.child_id)
        bump(start, "CP_starts")
        prev = _int(r.previous_cp_plans)
        if prev is not None and prev >= 1:
            bump(start, "CP5_val")
        bump(end, "CP7")

    cin_open: dict[dt.date, set] = defaultdict(set)
    for r in _rows(t.get(CIN)):
        for m in open_months(_date(r.cin_start_date), _date(r.cin_closure_date)):
            cin_open[m].add(r.child_id)

    lac_open: dict[dt.date, set] = defaultdict(set)
    ifa_open: dict[dt.date, set] = defaultdict(set)
    episode_rows = []
    for r in _rows(t.get(EPISODES)):
        ls = _code(r.ls)
        decom, dec = _date(r.decom), _date(r.dec)
        if ls in NOT_LOOKED_AFTER_LS:
            continue  # short breaks only: not looked after (LAC1/LAC2/LAC3 all exclude V3/V4)
        for m in open_months(decom, dec):
            lac_open[m].add(r.child_id)
            if _code(r.place) in FOSTER_PLACEMENTS and _code(r.place_provider) in IFA_PROVIDERS:
                ifa_open[m].add(r.child_id)  # READING R11
        episode_rows.append((r.child_id, decom, dec, _code(r.rne), _code(r.rec)))

    uasc: dict[Any, list[dt.date | None]] = defaultdict(list)
    for r in _rows(t.get(UASC)):
        uasc[r.child_id].append(_date(r.duc))

    def is_uasc_on(child: Any, day: dt.date) -> bool:
        """Listed in the 903 uasc table with DUC empty or after ``day``."""
        return any(duc is None or duc > day for duc in uasc.get(child, ()))

    for child, decom, dec, rne, rec in episode_rows:
        if rne == "S":
            bump(decom, "LAC2")
            # READING R12: UASC at episode start = in uasc table with DUC empty or after DECOM.
            if decom is not None and is_uasc_on(child, decom):
                bump(decom, "LAC14")
        if dec is not None and rec != "X1":
            bump(dec, "LAC3")
            if rec in ADOPTION_REC:
                bump(dec, "LAC6_val")
            if rec in SGO_REC:
                bump(dec, "LAC12_val")

    dob_903: dict[Any, dt.date] = {}
    for r in _rows(t.get(HEADER)):
        d = _date(r.date_of_birth)
        if d is not None:
            dob_903[r.child_id] = d

    plans_open: dict[tuple[str, dt.date], set] = defaultdict(set)
    for r in _rows(t.get(CARE_PLANS)):
        plan_type = _code(r.plan_type)
        for m in open_months(_date(r.authorised_date), _date(r.end_date)):
            plans_open[(plan_type, m)].add(r.child_id)

    # ---- Other events -------------------------------------------------------------------------------------
    missing_children: dict[dt.date, set] = defaultdict(set)
    for r in _rows(t.get(MISSING_ALL)):
        if _code(r.missing) not in {"M", "A"}:
            continue
        start, end = _date(r.mis_start), _date(r.mis_end)
        if start is None:
            continue
        for m in months:  # READING R10: overlap
            if start <= _month_end(m) and (end is None or end >= m):
                missing_children[m].add(r.child_id)

    for r in _rows(t.get(ASSESSMENTS)):
        start, auth = _date(r.assessment_start_date), _date(r.assessment_authorised_date)
        if auth is None or start is None:
            continue
        bump(auth, "EH3")
        days = wd.count(start, auth)
        band = "a" if days <= 10 else "b" if days <= 25 else "c" if days <= 35 else "d" if days <= 45 else "e"
        bump(auth, f"EH3{band}")
        if days <= 45:
            bump(auth, "EH4_val")

    for r in _rows(t.get(S47)):
        sd, icpc = _date(r.strategy_discussion_date), _date(r.icpc_date)
        bump(sd, "CP1")
        if icpc is None:
            continue
        bump(icpc, "CP2")
        if _code(r.icpc_resulted_in_cp_plan) == "YES":
            bump(icpc, "CP4_val")
        if sd is not None and wd.count(sd, icpc) <= 15:
            bump(icpc, "CP3_val")

    for r in _rows(t.get(TRANSFER_IN)):
        d = _date(r.conference_date)
        bump(d, "CP4b")
        if _code(r.resulted_in_cp_plan) == "YES":
            bump(d, "CP4b_yes")

    foster_in_house: dict[dt.date, set] = defaultdict(set)
    for r in _rows(t.get(FOSTER_CARERS)):
        if _code(r.provider) != "IN_HOUSE":
            continue
        for m in open_months(_date(r.approval_date), _date(r.deregistration_date)):
            foster_in_house[m].add(r.household_id)

    # ---- Assemble -----------------------------------------------------------------------------------------
    out: dict[tuple[str, dt.date], Expected] = {}
    codes = catalogue_codes()
    for m in months:
        me = _month_end(m)
        f = figs[m]
        cp6b = cp_open.get(m, set())
        lac1 = lac_open.get(m, set())

        def covered(*tables: str, m: dt.date = m) -> bool:
            return all(m in cover.get(tb, ()) for tb in tables)

        def count(value: float, *tables: str) -> Expected:
            if not covered(*tables):
                return Expected(None, None, None, SOURCE_NOT_SUPPLIED)
            return Expected(float(value), None, None, None)

        def pct(num: float, den: float, *tables: str, reason: str | None = None) -> Expected:
            if not covered(*tables):
                return Expected(None, None, None, SOURCE_NOT_SUPPLIED)
            if reason is not None:
                return Expected(None, None, None, reason)
            n, d = float(num), float(den)
            if d == 0:
                return Expected(None, n, d, ZERO_DENOMINATOR)
            return Expected(100.0 * n / d, n, d, None)

        def rate(num: float, *tables: str) -> Expected:
            if not covered(*tables):
                return Expected(None, None, None, SOURCE_NOT_SUPPLIED)
            if not population:
                return Expected(None, None, None, NO_POPULATION)
            n = float(num)
            return Expected(n / population * 10000.0, n, float(population), None)

        # history for M6-QL (READING R7)
        history_ok = all(_add_months(m, -k) in cover.get(REFERRALS, ()) for k in range(1, 13))
        m6_reason = None if history_ok else INSUFFICIENT_HISTORY

        cp_snap = _snapshot(council, m, CP)
        cla_snap = _snapshot(council, m, CLA)
        cl_snap = _snapshot(council, m, CARE_LEAVERS)

        # CP8-QL / CP9 (READING R5)
        cp_seen: set = set()
        cp9_children: set = set()
        for r in _rows(cp_snap):
            visit = _date(r.last_statutory_visit_date)
            if visit is not None and visit <= me and wd.count(visit, me) <= 15:
                cp_seen.add(r.child_id)
            review = _date(r.latest_review_conference_date)
            if review is not None and _month_start(review) == m and review <= me:
                cp9_children.add(r.child_id)
        # LAC7-QL
        lac_visited: set = set()
        for r in _rows(cla_snap):
            visit = _date(r.last_social_work_visit_date)
            if visit is not None and visit <= me and (me - visit).days <= 42:
                lac_visited.add(r.child_id)
        # NI147, LAC11-QL cohort
        leavers: set = set()
        leavers_ok = 0
        leaver_rows = 0
        for r in _rows(cl_snap):
            leaver_rows += 1
            leavers.add(r.child_id)
            if _code(r.la_in_touch) == "YES" and _code(r.accommodation_suitability) == "SUITABLE":
                leavers_ok += 1
        lac16plus = {c for c in lac1 if c in dob_903 and _age(dob_903[c], me) >= 16}
        cohort = lac16plus | leavers
        pathway = plans_open.get(("PATHWAY", m), set())
        cla_plans = plans_open.get(("CLA", m), set())
        lac_uasc = {c for c in lac1 if is_uasc_on(c, me)}

        snap_cp = None if cp_snap is not None else NO_SNAPSHOT
        snap_cla = None if cla_snap is not None else NO_SNAPSHOT
        snap_cl = None if cl_snap is not None else NO_SNAPSHOT

        ex: dict[str, Expected] = {
            "M1": count(f["M1"], CONTACTS),
            "M2": count(f["M2"], REFERRALS),
            "M3": pct(f["M2"], f["M1"], CONTACTS, REFERRALS),
            "M2-NI": rate(f["M2"], REFERRALS),
            "M8-QL": pct(f["M8_num"], f["M8_den"], MASH),
            "M6-QL (val)": (
                count(f["M6_val"], REFERRALS)
                if m6_reason is None or not covered(REFERRALS)
                else Expected(None, None, None, m6_reason)
            ),
            "M6-QL": pct(f["M6_val"], f["M2"], REFERRALS, reason=m6_reason),
            "M4": count(f["M4"], REFERRALS, FACTORS),
            "EH1a": count(f["EH1a"], EARLY_HELP),
            "EH1c": count(f["EH1c"], EARLY_HELP),
            "EH1b": count(f["EH1b"], EARLY_HELP),
            "M5": count(f["M5"], EARLY_HELP),
            "EH2": count(len(cin_open.get(m, set()) - cp6b - lac1), CIN, CP, EPISODES),
            "EHS1": count(len(missing_children.get(m, ())), MISSING_ALL),
            "EH3": count(f["EH3"], ASSESSMENTS),
            "EH3a%": pct(f["EH3a"], f["EH3"], ASSESSMENTS),
            "EH3b%": pct(f["EH3b"], f["EH3"], ASSESSMENTS),
            "EH3c%": pct(f["EH3c"], f["EH3"], ASSESSMENTS),
            "EH3d%": pct(f["EH3d"], f["EH3"], ASSESSMENTS),
            "EH3e%": pct(f["EH3e"], f["EH3"], ASSESSMENTS),
            "EH4 (val)": count(f["EH4_val"], ASSESSMENTS),
            "EH4-QL": pct(f["EH4_val"], f["EH3"], ASSESSMENTS),
            "CP1": count(f["CP1"], S47),
            "CP1-NI": rate(f["CP1"], S47),
            "CP6B": count(len(cp6b), CP),
            "CP6B-NI": rate(len(cp6b), CP),
            "CP2": count(f["CP2"], S47),
            "CP2NI": rate(f["CP2"] + f["CP4b"], S47, TRANSFER_IN),
            "CP4 (val)": count(f["CP4_val"], S47),
            "CP4": pct(f["CP4_val"], f["CP2"], S47),
            "CP4b": count(f["CP4b"], TRANSFER_IN),
            "CP4b%": pct(f["CP4b_yes"], f["CP4b"], TRANSFER_IN),
            "CP3-QL (val)": count(f["CP3_val"], S47),
            "CP3-QL": pct(f["CP3_val"], f["CP2"], S47),
            "CP8-QL": pct(len(cp6b & cp_seen), len(cp6b), CP, reason=snap_cp),
            "CP5-QL (val)": count(f["CP5_val"], CP),
            "CP5-QL": pct(f["CP5_val"], f["CP_starts"], CP),
            "CP9": (
                Expected(float(len(cp9_children)), None, None, None)
                if snap_cp is None
                else Expected(None, None, None, NO_SNAPSHOT)
            ),
            "CP7": count(f["CP7"], CP),
            "LAC1": count(len(lac1), EPISODES),
            "LAC1-NI": rate(len(lac1), EPISODES),
            "LAC2": count(f["LAC2"], EPISODES),
            "LAC3": count(f["LAC3"], EPISODES),
            "LAC6 (val)": count(f["LAC6_val"], EPISODES),
            "LAC6 (%)": pct(f["LAC6_val"], f["LAC3"], EPISODES),
            "LAC12 (val)": count(f["LAC12_val"], EPISODES),
            "LAC12 (%)": pct(f["LAC12_val"], f["LAC3"], EPISODES),
            "LAC7-QL": pct(len(lac1 & lac_visited), len(lac1), EPISODES, reason=snap_cla),
            "LAC10 (%)": pct(len(lac1 & cla_plans), len(lac1), EPISODES, CARE_PLANS),
            "LAC10-QL": count(len(lac1 & cla_plans), EPISODES, CARE_PLANS),
            "LAC13": count(len(lac_uasc), EPISODES, UASC),
            "LAC14": count(f["LAC14"], EPISODES, UASC),
            "LAC11-QL": (
                count(len(cohort & pathway), EPISODES, HEADER, CARE_PLANS)
                if snap_cl is None or not covered(EPISODES, HEADER, CARE_PLANS)
                else Expected(None, None, None, NO_SNAPSHOT)
            ),
            "LAC11-QL (%)": pct(
                len(cohort & pathway),
                len(cohort),
                EPISODES,
                HEADER,
                CARE_PLANS,
                reason=snap_cl,
            ),
            "NI147": (
                Expected(None, None, None, NO_SNAPSHOT)
                if snap_cl is not None
                else pct(leavers_ok, leaver_rows)
            ),
            "LAC9 (val)": count(len(ifa_open.get(m, set()) & lac1), EPISODES),
            "LAC9": pct(len(ifa_open.get(m, set()) & lac1), len(lac1), EPISODES),
            "LAC16": count(len(foster_in_house.get(m, ())), FOSTER_CARERS),
        }
        missing = set(codes) - set(ex)
        if missing:
            raise KeyError(f"oracle has no rule for catalogue indicators {sorted(missing)}")
        for code in codes:
            out[(code, m)] = ex[code]
    return out
