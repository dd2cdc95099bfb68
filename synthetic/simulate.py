"""The case-system simulation: every council of a run at once, vectorised with numpy.

:func:`simulate` returns a :class:`World`: one pandas frame per kind of record, for all councils together
(column ``c`` is the council's index), with every date as an ``int64`` day number (``NEVER`` = no date).
Dates are the *true* dates of the fictional case system; what an extract shows (as known at its period_end,
with late entries, deletions and restatements) is decided in :mod:`synthetic.extracts`.

Volumes are per 50,000 children aged 0-17 and scale linearly with each council's population (times its
``intensity``). The flows, per month for a council of 50,000:

* referrals (~270): "cases" of children; a case may go on to an assessment, a section 47 enquiry, an ICPC,
  a child protection plan and a period of care; about a quarter of children come back within a year;
* contacts (~1,400): every referral starts with a contact, plus contacts that go no further;
* early help episodes, MASH decisions, referral factors, transfer-in conferences, missing episodes of
  children open to the council, care plans, fostering households, care leavers, adoption decisions.

A burn-in runs before the first reporting month (3 years of cases, 20 years of periods of care, 25 years of
fostering households) so the stocks are realistic from the first month.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from synthetic._dates import NEVER, add_working_days, add_years, age_years, is_working_day
from synthetic.codes import ETHNICITY_CODES

PER = 50_000  # volumes below are per 50,000 children aged 0-17

# monthly rates per 50,000 children
RATE_FIRST_CASES = 194.0  # children referred for the first time in the simulation
RATE_UASC = 1.6
RATE_CONTACT_ONLY_CHILDREN = 880.0
RATE_EARLY_HELP = 215.0
RATE_TRANSFER_IN = 3.0
RATE_LEGACY_CARE = 19.0  # periods of care starting before the case stream (burn-in)
RATE_IN_HOUSE_CARERS = 2.0
RATE_IFA_CARERS = 1.3
SHORT_BREAK_CHILDREN = 9.0  # children with a series of V3 short breaks (per 50,000)
V4_CHILDREN = 3.0

# bare codes
GENDERS = np.array(["MALE", "FEMALE", "NOT STATED/RECORDED"], dtype=object)
ETHNICITIES = np.array([*ETHNICITY_CODES, "NOBT"], dtype=object)  # the 20 CBDS codes
ETH_P = np.array(
    [70.0, 0.6, 0.3, 5.0, 0.6, 1.6, 0.8, 1.0, 1.6, 2.0, 2.6, 1.0, 1.2, 0.8, 3.0, 0.8, 0.4, 1.6, 0.5, 4.6]
)
UASC_ETH = np.array(["AOTH", "BAFR", "OOTH", "BOTH", "MOTH", "AIND"], dtype=object)
SOURCES = np.array(
    [
        "1A",
        "1B",
        "1C",
        "1D",
        "2A",
        "2B",
        "3A",
        "3B",
        "3C",
        "3D",
        "3E",
        "3F",
        "4",
        "5A",
        "5B",
        "5C",
        "6",
        "7",
        "8",
        "9",
        "10",
    ],
    dtype=object,
)
SOURCE_P = np.array([3, 3, 2, 2, 18, 2, 5, 3, 2, 2, 1, 1, 3, 5, 3, 2, 30, 3, 6, 3, 1], dtype=float)
TEAMS_FRONT = np.array(["MASH", "Assessment Team 1", "Assessment Team 2", "Assessment Team 3"], dtype=object)
TEAMS_CASE = np.array(
    ["Safeguarding North", "Safeguarding South", "Safeguarding East", "Disabled Children"], dtype=object
)
ABUSE = np.array(
    ["NEGLECT", "EMOTIONAL ABUSE", "PHYSICAL ABUSE", "SEXUAL ABUSE", "MULTIPLE/NOT RECOMMENDED"], dtype=object
)
ABUSE_P = np.array([48, 36, 7, 4, 5], dtype=float)
NEEDS = np.array(["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"], dtype=object)
NEED_P = np.array([55, 6, 5, 10, 16, 3, 1, 4], dtype=float)
FACTORS = np.array(
    [
        "1B",
        "1C",
        "2B",
        "2C",
        "3A",
        "3B",
        "3C",
        "4A",
        "4B",
        "5A",
        "5B",
        "5C",
        "6A",
        "6C",
        "7A",
        "8B",
        "8C",
        "9A",
        "10A",
        "12A",
        "13A",
        "14A",
        "16A",
        "17A",
        "18B",
        "19B",
        "20",
        "21",
        "22A",
        "23A",
        "24A",
    ],
    dtype=object,
)
FACTOR_P = np.array(
    [8, 6, 8, 7, 3, 4, 4, 6, 5, 2, 2, 2, 4, 5, 1, 9, 6, 1, 3, 1, 1, 1, 2, 2, 4, 2, 1, 12, 1, 1, 2],
    dtype=float,
)
EH_ORGS = np.array(
    ["Family Hub", "School", "Health Visiting", "Early Help Team", "Youth Service"], dtype=object
)


def _pick(rng: np.random.Generator, values: np.ndarray, p: np.ndarray, n: int) -> np.ndarray:
    return values[rng.choice(len(values), size=n, p=p / p.sum())]


@dataclass
class Timeline:
    first_month: int  # day number of the first reporting month's first day
    end: int  # last day of the last reporting month
    case_start: int  # first day of the case stream (burn-in)
    care_start: int  # first day of the legacy periods of care (burn-in)
    carers_start: int


@dataclass
class World:
    """Every record of every council of a run (``c`` = council index)."""

    n_councils: int
    timeline: Timeline
    children: pd.DataFrame  # child, c, child_id, dob, gender, ethnicity, disability
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


class _Children:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.parts: list[dict[str, np.ndarray]] = []
        self.n = 0

    def add(self, c: np.ndarray, dob: np.ndarray, first_seen: np.ndarray, uasc: bool = False) -> np.ndarray:
        rng = self.rng
        n = len(c)
        if uasc:
            gender = np.where(rng.random(n) < 0.92, "MALE", "FEMALE").astype(object)
            eth = UASC_ETH[rng.integers(0, len(UASC_ETH), n)]
        else:
            gender = GENDERS[rng.choice(3, n, p=[0.51, 0.485, 0.005])]
            eth = _pick(rng, ETHNICITIES, ETH_P, n)
        disability = np.where(rng.random(n) < 0.08, "YES", "NO").astype(object)
        ids = np.arange(self.n, self.n + n, dtype=np.int64)
        self.parts.append(
            dict(
                child=ids,
                c=np.asarray(c, dtype=np.int64),
                dob=np.asarray(dob, dtype=np.int64),
                first_seen=np.asarray(first_seen, dtype=np.int64),
                gender=gender,
                ethnicity=eth,
                disability=disability,
            )
        )
        self.n += n
        return ids

    def frame(self, id_base: np.ndarray) -> pd.DataFrame:
        cols = {k: np.concatenate([p[k] for p in self.parts]) for k in self.parts[0]}
        df = pd.DataFrame(cols)
        # digit IDs in order of first appearance, per council, with small random gaps
        order = np.lexsort((df["child"].to_numpy(), df["first_seen"].to_numpy(), df["c"].to_numpy()))
        c_sorted = df["c"].to_numpy()[order]
        steps = self.rng.integers(1, 4, len(order))
        cum = np.cumsum(steps)
        first_of_c = np.r_[0, np.flatnonzero(np.diff(c_sorted)) + 1]
        base_at = np.repeat(cum[first_of_c] - steps[first_of_c], np.diff(np.r_[first_of_c, len(order)]))
        num = id_base[c_sorted] + (cum - base_at)
        ids = np.empty(len(order), dtype=object)
        ids[order] = num.astype(str)
        df["child_id"] = ids
        return df


def _monthly_events(
    rng: np.random.Generator, rate: np.ndarray, start: int, end: int, weekdays: float = 0.9
) -> tuple[np.ndarray, np.ndarray]:
    """Poisson events per council per month between ``start`` and ``end`` (day numbers): (council, day)."""
    m0 = np.datetime64(int(start), "D").astype("datetime64[M]")
    m1 = np.datetime64(int(end), "D").astype("datetime64[M]")
    months = np.arange(m0, m1 + 1)
    first = months.astype("datetime64[D]").astype(np.int64)
    ndays = ((months + 1).astype("datetime64[D]").astype(np.int64)) - first
    month_no = months.astype(np.int64) % 12  # 0 = January
    season = np.where(month_no == 7, 0.8, np.where(month_no == 11, 0.88, np.where(month_no == 8, 1.06, 1.0)))
    lam = np.asarray(rate, dtype=float)[:, None] * (ndays / 30.44 * season)[None, :]
    counts = rng.poisson(lam)
    n_c, n_m = counts.shape
    c = np.repeat(np.repeat(np.arange(n_c), n_m), counts.ravel())
    mi = np.repeat(np.tile(np.arange(n_m), n_c), counts.ravel())
    d = first[mi] + (rng.random(len(mi)) * ndays[mi]).astype(np.int64)
    # most events happen on working days
    move = (~is_working_day(d)) & (rng.random(len(d)) < weekdays)
    d[move] = add_working_days(d[move], np.zeros(move.sum(), dtype=np.int64))
    keep = (d >= start) & (d <= end)
    return c[keep], d[keep]


def _case_age_days(rng: np.random.Generator, n: int) -> np.ndarray:
    w = np.array([10, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 7, 8, 9, 9, 8, 5], dtype=float)
    years = rng.choice(18, n, p=w / w.sum())
    return (years * 365.25 + rng.random(n) * 365).astype(np.int64)


def _assessment_working_days(rng: np.random.Generator, n: int) -> np.ndarray:
    band = rng.choice(5, n, p=[0.16, 0.30, 0.20, 0.15, 0.19])
    lo = np.array([0, 11, 26, 36, 46])[band]
    hi = np.array([10, 25, 35, 45, 85])[band]
    return lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64)


# ------------------------------------------------------------------------------------------ periods of care
def _periods_of_care(
    rng: np.random.Generator,
    child: np.ndarray,
    c: np.ndarray,
    start: np.ndarray,
    dob: np.ndarray,
    uasc: np.ndarray,
    period_base: int,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Periods of care (one row each), their 903 episodes and their adoption records."""
    n = len(child)
    pid = np.arange(period_base, period_base + n, dtype=np.int64)
    age0 = (start - dob) / 365.25
    b18 = add_years(dob, 18)
    u = rng.random(n)
    track = np.where(uasc, "uasc", np.where((age0 < 4) & (u < 0.62), "adopt", ""))
    u2 = rng.random(n)
    track = np.where(track == "", np.where(u2 < 0.34, "short", np.where(u2 < 0.52, "sgo", "long")), track)

    end = np.full(n, NEVER, dtype=np.int64)
    rec = np.empty(n, dtype=object)
    # short stays: back home within months
    m = track == "short"
    end[m] = start[m] + rng.integers(7, 220, m.sum())
    rec[m] = _pick(
        rng,
        np.array(["E4A", "E4B", "E13", "E41", "E3", "E8", "E14"], dtype=object),
        np.array([50, 10, 12, 8, 5, 10, 5.0]),
        m.sum(),
    )
    m = track == "sgo"
    end[m] = start[m] + rng.integers(300, 1200, m.sum())
    rec[m] = _pick(
        rng, np.array(["E45", "E46", "E47", "E48"], dtype=object), np.array([40, 15, 35, 10.0]), m.sum()
    )
    m = track == "long"
    end[m] = start[m] + (rng.exponential(2700, m.sum()) + 200).astype(np.int64)
    rec[m] = _pick(
        rng,
        np.array(["E4A", "E13", "E41", "E8", "E9", "E2"], dtype=object),
        np.array([48, 18, 12, 15, 5, 1.0]),
        m.sum(),
    )
    m = track == "uasc"
    end[m] = b18[m]
    early = m & (rng.random(n) < 0.08)
    end[early] = start[early] + rng.integers(20, 300, early.sum())
    rec[early] = _pick(rng, np.array(["E15", "E16"], dtype=object), np.array([3, 1.0]), early.sum())

    # adoption track
    adopt = track == "adopt"
    na = int(adopt.sum())
    shobpa = np.full(n, NEVER, dtype=np.int64)
    po = np.full(n, NEVER, dtype=np.int64)
    matched = np.full(n, NEVER, dtype=np.int64)
    placed = np.full(n, NEVER, dtype=np.int64)
    ao = np.full(n, NEVER, dtype=np.int64)
    no_longer = np.full(n, NEVER, dtype=np.int64)
    rd = np.empty(n, dtype=object)
    shobpa[adopt] = start[adopt] + rng.integers(110, 300, na)
    reversed_ = adopt & (rng.random(n) < 0.12)
    goes = adopt & ~reversed_
    no_longer[reversed_] = shobpa[reversed_] + rng.integers(60, 300, reversed_.sum())
    rd[reversed_] = _pick(
        rng, np.array(["RD1", "RD2", "RD3", "RD4"], dtype=object), np.array([3, 2, 3, 2.0]), reversed_.sum()
    )
    end[reversed_] = no_longer[reversed_] + rng.integers(200, 900, reversed_.sum())
    rec[reversed_] = _pick(
        rng, np.array(["E45", "E47", "E4A", "E41"], dtype=object), np.array([3, 4, 2, 1.0]), reversed_.sum()
    )
    po[goes] = shobpa[goes] + rng.integers(20, 150, goes.sum())
    matched[goes] = po[goes] + rng.integers(40, 280, goes.sum())
    placed[goes] = matched[goes] + rng.integers(7, 50, goes.sum())
    ao[goes] = placed[goes] + rng.integers(120, 330, goes.sum())
    end[goes] = ao[goes]
    rec[goes] = np.where(rng.random(goes.sum()) < 0.7, "E11", "E12")

    # reaching 18 in care
    at18 = end >= b18
    end = np.where(at18, b18, end)
    rec[at18 & (track != "uasc")] = _pick(
        rng,
        np.array(["E5", "E17", "E6", "E13", "E4A", "E7"], dtype=object),
        np.array([40, 22, 8, 12, 15, 3.0]),
        int((at18 & (track != "uasc")).sum()),
    )
    rec[at18 & (track == "uasc")] = _pick(
        rng,
        np.array(["E5", "E17", "E6", "E13"], dtype=object),
        np.array([60, 15, 15, 10.0]),
        int((at18 & (track == "uasc")).sum()),
    )
    end = np.maximum(end, start + 1)
    need = np.where(uasc, "N8", _pick(rng, NEEDS, NEED_P, n))

    periods = pd.DataFrame(
        dict(period=pid, child=child, c=c, start=start, end=end, rec=rec, track=track, uasc=uasc, need=need)
    )

    # ---- episodes: initial, then changes
    ls0 = np.where(
        uasc,
        "V2",
        _pick(
            rng,
            np.array(["V2", "C1", "L1", "L2", "C2", "J1"], dtype=object),
            np.array([44, 36, 7, 5, 5, 3.0]),
            n,
        ),
    )
    ls0 = np.where((ls0 == "J1") & (age0 < 12), "V2", ls0)
    limit = np.where(goes, po, end)  # generic changes happen before the placement order
    n_changes = np.minimum(rng.poisson(np.maximum(limit - start, 0) / 260.0), 8)
    ep_period = [pid]
    ep_day = [start]
    ep_kind = [np.full(n, "S", dtype=object)]
    reps = np.repeat(np.arange(n), n_changes)
    span = np.maximum(limit[reps] - start[reps] - 2, 1)
    ep_period.append(pid[reps])
    ep_day.append(start[reps] + 1 + (rng.random(len(reps)) * span).astype(np.int64))
    ep_kind.append(
        _pick(
            rng, np.array(["P", "L", "B", "T", "U"], dtype=object), np.array([58, 14, 8, 14, 6.0]), len(reps)
        )
    )
    g = np.flatnonzero(goes)
    ep_period += [pid[g], pid[g]]
    ep_day += [po[g], placed[g]]
    ep_kind += [np.full(len(g), "LPO", dtype=object), np.full(len(g), "PAD", dtype=object)]
    ep = pd.DataFrame(
        dict(period=np.concatenate(ep_period), decom=np.concatenate(ep_day), kind=np.concatenate(ep_kind))
    )
    ep = ep.sort_values(["period", "decom"], kind="stable").drop_duplicates(["period", "decom"], keep="first")
    ep = ep.reset_index(drop=True)
    pidx = (ep["period"].to_numpy() - period_base).astype(np.int64)
    ep = ep[ep["decom"].to_numpy() < end[pidx]].reset_index(drop=True)
    pidx = (ep["period"].to_numpy() - period_base).astype(np.int64)
    ne = len(ep)
    kind = ep["kind"].to_numpy()
    decom = ep["decom"].to_numpy()
    first = np.r_[True, ep["period"].to_numpy()[1:] != ep["period"].to_numpy()[:-1]]
    last = np.r_[first[1:], True]
    age_ep = (decom - dob[pidx]) / 365.25

    # placements
    u = rng.random(ne)
    place = np.where(
        age_ep >= 16,
        np.where(
            u < 0.22, "K3", np.where(u < 0.42, "K2", np.where(u < 0.47, "P1", np.where(u < 0.5, "R1", "F")))
        ),
        np.where(
            u < 0.13, "K2", np.where(u < 0.18, "P1", np.where(u < 0.19, "S1", np.where(u < 0.195, "K1", "F")))
        ),
    ).astype(object)
    fost = place == "F"
    kin = rng.random(ne) < 0.2
    longterm = rng.random(ne) < 0.45
    place[fost & kin] = np.where(longterm[fost & kin], "U1", "U3")
    place[fost & ~kin] = np.where(longterm[fost & ~kin], "U4", "U6")
    pad = kind == "PAD"
    place[pad] = np.where(rng.random(pad.sum()) < 0.4, "A5", "A6")
    u = rng.random(ne)
    provider = np.empty(ne, dtype=object)
    provider[:] = "PR1"
    other_fost = np.isin(place, ["U4", "U5", "U6"])
    provider[other_fost] = np.where(u[other_fost] < 0.54, "PR1", np.where(u[other_fost] < 0.9, "PR4", "PR5"))
    kin_f = np.isin(place, ["U1", "U2", "U3"])
    provider[kin_f] = np.where(u[kin_f] < 0.9, "PR1", "PR2")
    home = np.isin(place, ["K2", "K3", "R1", "S1"])
    provider[home] = np.where(u[home] < 0.22, "PR1", np.where(u[home] < 0.9, "PR4", "PR5"))
    provider[place == "K1"] = "PR2"
    provider[place == "P1"] = "PR0"
    provider[pad] = np.where(u[pad] < 0.6, "PR1", np.where(u[pad] < 0.85, "PR2", "PR5"))
    # changes that keep the placement (L, T, U) carry the previous placement forward
    keep_place = np.isin(kind, ["L", "T", "U", "LPO"]) & ~first
    # forward-fill within period: iterate (at most 10 episodes per period)
    for _ in range(10):
        prev_place = np.r_[place[:1], place[:-1]]
        prev_prov = np.r_[provider[:1], provider[:-1]]
        changed = keep_place & ((place != prev_place) | (provider != prev_prov))
        if not changed.any():
            break
        place = np.where(keep_place, prev_place, place)
        provider = np.where(keep_place, prev_prov, provider)
    # legal status
    legal_change = np.isin(kind, ["L", "B", "U"])
    step = {"V2": "C1", "C1": "C2", "L1": "C1", "L2": "C1", "J1": "V2", "C2": "C2", "E1": "E1"}
    ls = ls0[pidx].copy()
    for _ in range(10):
        prev_ls = np.r_[ls[:1], ls[:-1]]
        nxt = np.array([step.get(x, x) for x in prev_ls], dtype=object)
        new = np.where(first, ls0[pidx], np.where(legal_change, nxt, prev_ls))
        new = np.where(kind == "LPO", "E1", new)
        if (new == ls).all():
            break
        ls = new
    rne = np.where(first, "S", np.where(kind == "LPO", "L", np.where(kind == "PAD", "P", kind))).astype(
        object
    )
    # a change that turned out to keep the same legal status is a placement change only
    same_ls = legal_change & (ls == np.r_[ls[:1], ls[:-1]]) & ~first
    rne[same_ls & (kind == "L")] = "T"
    rne[same_ls & (kind == "B")] = "P"
    rne[same_ls & (kind == "U")] = "T"
    dec = np.r_[decom[1:], NEVER]
    dec = np.where(last, end[pidx], dec)
    rec_ep = np.where(last, rec[pidx], "X1").astype(object)
    next_rne = np.concatenate([rne[1:], np.array(["S"], dtype=object)])
    rpc = np.where(
        ~last & np.isin(next_rne, ["P", "B"]),
        _pick(
            rng,
            np.array(["CARPL", "CREQB", "CREQO", "CHILD", "STAND", "LAREQ", "OTHER"], dtype=object),
            np.array([40, 15, 12, 10, 5, 8, 10.0]),
            ne,
        ),
        "",
    ).astype(object)
    episodes = pd.DataFrame(
        dict(
            period=ep["period"].to_numpy(),
            child=child[pidx],
            c=c[pidx],
            decom=decom,
            rne=rne,
            ls=ls,
            cin=need[pidx],
            place=place,
            place_provider=provider,
            dec=dec,
            rec=rec_ep,
            reason_place_change=rpc,
        )
    )
    adoption = pd.DataFrame(
        dict(
            child=child[adopt],
            c=c[adopt],
            period=pid[adopt],
            date_entered_care=start[adopt],
            date_should_be_placed=shobpa[adopt],
            date_placement_order=po[adopt],
            date_matched=matched[adopt],
            date_placed=placed[adopt],
            date_adoption_order=ao[adopt],
            date_no_longer_placed=no_longer[adopt],
            reason_no_longer_placed=rd[adopt],
        )
    )
    # a placement order after the end of a period that ended early (at 18 etc.) cannot happen: drop dates
    for col in ["date_placement_order", "date_matched", "date_placed", "date_adoption_order"]:
        pe = end[adopt]
        adoption.loc[adoption[col].to_numpy() > pe, col] = NEVER
    return periods, episodes, adoption


# ------------------------------------------------------------------------------------------ simulate
def simulate(
    populations: np.ndarray,
    intensities: np.ndarray,
    first_month: int,
    end: int,
    seed: int,
) -> World:
    """Simulate the case systems of ``len(populations)`` councils from burn-in to ``end``."""
    rng = np.random.default_rng(seed)
    n_c = len(populations)
    scale = np.asarray(populations, dtype=float) / PER * np.asarray(intensities, dtype=float)
    tl = Timeline(
        first_month=first_month,
        end=end,
        case_start=first_month - 3 * 365,
        care_start=first_month - 20 * 365,
        carers_start=first_month - 25 * 365,
    )
    kids = _Children(rng)
    tables: dict[str, list[pd.DataFrame]] = {}

    def add(name: str, df: pd.DataFrame) -> None:
        tables.setdefault(name, []).append(df)

    # ---------------------------------------------------------------- cases (referrals and what follows)
    c1, d1 = _monthly_events(rng, RATE_FIRST_CASES * scale, tl.case_start, end)
    cu, du = _monthly_events(rng, RATE_UASC * scale, tl.case_start, end, weekdays=0.7)
    age1 = _case_age_days(rng, len(c1))
    ageu = ((14 + rng.random(len(cu)) * 3.6) * 365.25).astype(np.int64)
    ch1 = kids.add(c1, d1 - age1, d1)
    chu = kids.add(cu, du - ageu, du, uasc=True)
    case_child = np.r_[ch1, chu]
    case_c = np.r_[c1, cu]
    case_ref = np.r_[d1, du]
    case_uasc = np.r_[np.zeros(len(c1), bool), np.ones(len(cu), bool)]
    dob_all = {"dob": np.r_[d1 - age1, du - ageu]}
    child_dob = np.empty(0, dtype=np.int64)

    def dob_of(ch: np.ndarray) -> np.ndarray:
        return child_dob[ch]

    child_dob = np.concatenate([p["dob"] for p in kids.parts])
    prev_plans = np.zeros(kids.n, dtype=np.int64)
    pre = rng.random(kids.n)
    prev_plans[pre < 0.16] = 1
    prev_plans[pre < 0.04] = 2
    del dob_all

    period_base = 0
    case_rows: list[pd.DataFrame] = []
    k = 0
    while len(case_child) and k < 8:
        n = len(case_child)
        dob = dob_of(case_child)
        age = (case_ref - dob) / 365.25
        u = rng.random((8, n))
        nfa = (u[0] < 0.10) & ~case_uasc
        assessed = ~nfa
        a_start = np.where(assessed, case_ref + rng.integers(0, 4, n), NEVER)
        a_auth = np.where(
            assessed,
            add_working_days(np.where(assessed, a_start, 0), _assessment_working_days(rng, n)),
            NEVER,
        )
        s47 = assessed & (u[1] < 0.40) & ~case_uasc
        strat = np.where(s47, case_ref + rng.integers(0, 3, n), NEVER)
        icpc = s47 & (u[2] < 0.40)
        icpc_wd = np.where(rng.random(n) < 0.8, rng.integers(4, 16, n), rng.integers(16, 36, n))
        icpc_date = np.where(icpc, add_working_days(np.where(icpc, strat, 0), icpc_wd), NEVER)
        cp = icpc & (u[3] < 0.85)
        cp_dur = np.where(
            u[4] < 0.25,
            rng.integers(60, 180, n),
            np.where(u[4] < 0.8, rng.integers(180, 330, n), rng.integers(330, 700, n)),
        )
        cp_start = np.where(cp, icpc_date, NEVER)
        cp_end = np.where(cp, cp_start + cp_dur, NEVER)
        lac_from_cp = cp & (u[5] < 0.19) & (age < 17)
        p_direct = np.where(age < 1, 0.13, np.where(age < 4, 0.045, np.where(age >= 13, 0.05, 0.024)))
        direct = (assessed & ~cp & (u[6] < p_direct) & (age < 17.5)) | case_uasc
        lac = lac_from_cp | direct
        lac_start = np.where(
            lac_from_cp,
            cp_end,
            np.where(
                direct, case_ref + np.where(case_uasc, rng.integers(0, 3, n), rng.integers(0, 40, n)), NEVER
            ),
        )
        lac = lac & (lac_start < add_years(dob, 18) - 30)
        lac_start = np.where(lac, lac_start, NEVER)
        in_need = assessed & ((u[7] < 0.50) | (s47 & (u[7] < 0.75)) | cp | lac)
        # periods of care
        li = np.flatnonzero(lac)
        per, eps, ado = _periods_of_care(
            rng, case_child[li], case_c[li], lac_start[li], dob[li], case_uasc[li], period_base
        )
        period_base += len(li)
        add("periods", per)
        add("episodes", eps)
        add("adoption", ado)
        lac_end = np.full(n, NEVER, dtype=np.int64)
        lac_end[li] = per["end"].to_numpy()
        lac_rec = np.empty(n, dtype=object)
        lac_rec[li] = per["rec"].to_numpy()
        # CIN episode
        cin_dur = (rng.gamma(2.0, 122.0, n)).astype(np.int64) + 20
        close = np.where(in_need, a_auth + cin_dur, a_auth)
        close = np.where(cp, np.maximum(close, cp_end + rng.integers(20, 200, n)), close)
        close = np.where(lac, np.maximum(close, lac_end), close)
        close = np.where(assessed, close, NEVER)
        reason = np.where(in_need, "RC7", np.where(rng.random(n) < 0.7, "RC8", "RC9")).astype(object)
        reason = np.where(lac & np.isin(lac_rec, ["E11", "E12"]), "RC1", reason)
        reason = np.where(lac & np.isin(lac_rec, ["E45", "E46", "E47", "E48"]), "RC4", reason)
        reason = np.where(lac & (lac_rec == "E41"), "RC3", reason)
        reason = np.where(lac & (lac_rec == "E3"), "RC5", reason)
        reason = np.where(lac & np.isin(lac_rec, ["E5", "E6", "E17", "E7"]), "RC7", reason)
        # previous plans in this LA
        plans_before = prev_plans[case_child].copy()
        np.add.at(prev_plans, case_child[cp], 1)
        case_rows.append(
            pd.DataFrame(
                dict(
                    child=case_child,
                    c=case_c,
                    k=k,
                    referral_date=case_ref,
                    uasc=case_uasc,
                    nfa=nfa,
                    a_start=a_start,
                    a_auth=a_auth,
                    in_need=in_need,
                    s47=s47,
                    strat=strat,
                    icpc_date=icpc_date,
                    cp=cp,
                    cp_start=cp_start,
                    cp_end=cp_end,
                    prev_plans=plans_before,
                    lac=lac,
                    lac_start=lac_start,
                    lac_end=lac_end,
                    cin_close=close,
                    cin_reason=reason,
                    cin_dur=cin_dur,
                )
            )
        )
        # next referral of the same child
        case_end = np.maximum.reduce(
            [
                case_ref,
                np.where(a_auth < NEVER, a_auth, case_ref),
                np.where(in_need, a_auth + np.minimum(cin_dur, 120), case_ref),
                np.where(cp, cp_end, case_ref),
                np.where(lac, lac_end, case_ref),
            ]
        )
        again = rng.random(n) < (0.33 if k == 0 else 0.30)
        gap = np.where(rng.random(n) < 0.8, rng.integers(20, 200, n), rng.integers(200, 700, n))
        nxt = case_end + gap
        cont = again & (nxt <= end) & (nxt < add_years(dob, 18) - 14) & ~case_uasc
        case_child, case_c, case_ref = case_child[cont], case_c[cont], nxt[cont]
        case_uasc = np.zeros(len(case_child), bool)
        k += 1
    cases = pd.concat(case_rows, ignore_index=True)

    # ---------------------------------------------------------------- legacy periods of care (burn-in)
    cl, dl = _monthly_events(rng, RATE_LEGACY_CARE * scale, tl.care_start, tl.case_start - 1, weekdays=0.75)
    w = np.array([16, 6, 5, 5, 5, 4, 4, 4, 4, 4, 5, 5, 6, 7, 8, 8, 6, 2], dtype=float)
    ly = rng.choice(18, len(cl), p=w / w.sum())
    ldob = dl - (ly * 365.25 + rng.random(len(cl)) * 365).astype(np.int64)
    luasc = (rng.random(len(cl)) < 0.07) & (ly >= 14)
    lch = np.empty(len(cl), dtype=np.int64)
    if (~luasc).any():
        lch[~luasc] = kids.add(cl[~luasc], ldob[~luasc], dl[~luasc])
    if luasc.any():
        lch[luasc] = kids.add(cl[luasc], ldob[luasc], dl[luasc], uasc=True)
    per, eps, ado = _periods_of_care(rng, lch, cl, dl, ldob, luasc, period_base)
    period_base += len(cl)
    add("periods", per)
    add("episodes", eps)
    add("adoption", ado)
    legacy_cin = pd.DataFrame(
        dict(
            child=lch,
            c=cl,
            cin_start=dl - rng.integers(0, 60, len(cl)),
            cin_close=per["end"].to_numpy() + rng.integers(0, 30, len(cl)),
            need=per["need"].to_numpy(),
            reason=np.select(
                [np.isin(per["rec"], ["E11", "E12"]), np.isin(per["rec"], ["E45", "E46", "E47", "E48"])],
                ["RC1", "RC4"],
                "RC7",
            ).astype(object),
        )
    )

    # ---------------------------------------------------------------- short breaks (V3/V4): not looked after
    n_sb = rng.poisson(SHORT_BREAK_CHILDREN * scale)
    n_v4 = rng.poisson(V4_CHILDREN * scale)
    sb_c = np.repeat(np.arange(n_c), n_sb + n_v4)
    sb_v4 = (
        np.concatenate([np.r_[np.zeros(a, bool), np.ones(b, bool)] for a, b in zip(n_sb, n_v4, strict=True)])
        if len(sb_c)
        else np.zeros(0, bool)
    )
    sb_start = tl.case_start + (rng.random(len(sb_c)) * (end - tl.case_start)).astype(np.int64)
    sb_dob = sb_start - ((5 + rng.random(len(sb_c)) * 10) * 365.25).astype(np.int64)
    sb_child = kids.add(sb_c, sb_dob, sb_start)
    sb_end = np.minimum(sb_start + rng.integers(700, 1800, len(sb_c)), add_years(sb_dob, 18))
    rows = []
    for i in range(len(sb_c)):
        if sb_v4[i]:
            starts = np.arange(sb_start[i], sb_end[i], 365)
            durs = np.full(len(starts), 364)
            ls = "V4"
        else:
            starts = sb_start[i] + np.cumsum(rng.integers(20, 45, 80))
            starts = starts[starts < sb_end[i]]
            durs = rng.integers(1, 4, len(starts))
            ls = "V3"
        rows.append(
            pd.DataFrame(
                dict(
                    period=-1,
                    child=sb_child[i],
                    c=sb_c[i],
                    decom=starts,
                    rne="S",
                    ls=ls,
                    cin="N2",
                    place="K2" if ls == "V3" else "U6",
                    place_provider="PR1",
                    dec=np.minimum(starts + durs, end + 400),
                    rec="E4A",
                    reason_place_change="",
                )
            )
        )
    if rows:
        add("episodes", pd.concat(rows, ignore_index=True))
    sb_cin = pd.DataFrame(
        dict(
            child=sb_child,
            c=sb_c,
            cin_start=sb_start - rng.integers(30, 400, len(sb_c)),
            cin_close=sb_end + rng.integers(0, 60, len(sb_c)),
            need="N2",
            reason="RC7",
        )
    )

    # ---------------------------------------------------------------- transfer-in conferences
    ct, dt_ = _monthly_events(rng, RATE_TRANSFER_IN * scale, tl.case_start, end, weekdays=1.0)
    tdob = dt_ - _case_age_days(rng, len(ct))
    tch = kids.add(ct, np.minimum(tdob, dt_ - 30), dt_ - 10)
    tres = rng.random(len(ct)) < 0.8
    add(
        "transfer_in",
        pd.DataFrame(dict(child=tch, c=ct, conference_date=dt_, resulted=np.where(tres, "YES", "NO"))),
    )
    t_dur = rng.integers(90, 500, len(ct))
    t_cin = pd.DataFrame(
        dict(
            child=tch,
            c=ct,
            cin_start=dt_ - rng.integers(5, 20, len(ct)),
            cin_close=np.where(
                tres, dt_ + t_dur + rng.integers(30, 150, len(ct)), dt_ + rng.integers(10, 90, len(ct))
            ),
            need="N1",
            reason="RC7",
        )
    )

    # ---------------------------------------------------------------- CP plans
    cpc = cases[cases["cp"]]
    tr = np.flatnonzero(tres)
    cp = pd.DataFrame(
        dict(
            child=np.r_[cpc["child"].to_numpy(), tch[tr]],
            c=np.r_[cpc["c"].to_numpy(), ct[tr]],
            cp_plan_start_date=np.r_[cpc["cp_start"].to_numpy(), dt_[tr]],
            cp_plan_end_date=np.r_[cpc["cp_end"].to_numpy(), dt_[tr] + t_dur[tr]],
            previous_cp_plans=np.r_[cpc["prev_plans"].to_numpy(), np.zeros(len(tr), dtype=np.int64)],
        )
    )
    n = len(cp)
    cp["initial_category_of_abuse"] = _pick(rng, ABUSE, ABUSE_P, n)
    cp["latest_category_of_abuse"] = np.where(
        rng.random(n) < 0.85, cp["initial_category_of_abuse"], _pick(rng, ABUSE, ABUSE_P, n)
    )
    cp["allocated_team"] = TEAMS_CASE[rng.integers(0, 3, n)]
    cp["review_offset"] = rng.integers(55, 90, n)  # first review conference ~3 months after the ICPC
    cp["visit_gap"] = rng.integers(1, 10, n)  # working days from the last visit to the plan end
    cp["seen_alone"] = np.where(rng.random(n) < 0.7, "YES", "NO")
    add("cp", cp)

    # ---------------------------------------------------------------- CIN episodes (List 6)
    ci = cases[~cases["nfa"]]
    n = len(ci)
    case_cin = pd.DataFrame(
        dict(
            child=ci["child"].to_numpy(),
            c=ci["c"].to_numpy(),
            cin_start=ci["referral_date"].to_numpy(),
            cin_close=ci["cin_close"].to_numpy(),
            need=np.where(ci["uasc"], "N8", _pick(rng, NEEDS, NEED_P, n)),
            reason=ci["cin_reason"].to_numpy(),
        )
    )
    cin = pd.concat([case_cin, legacy_cin, sb_cin, t_cin], ignore_index=True)
    cin["cin_close"] = np.maximum(cin["cin_close"].to_numpy(), cin["cin_start"].to_numpy())
    cin = cin.drop_duplicates(["child", "cin_start"]).reset_index(drop=True)
    cin["allocated_team"] = TEAMS_CASE[rng.integers(0, 4, len(cin))]
    add("cin", cin)

    # ---------------------------------------------------------------- referrals, contacts, MASH, factors
    n = len(cases)
    ref_source = _pick(rng, SOURCES, SOURCE_P, n)
    ref_source = np.where(cases["uasc"], "6", ref_source)
    referrals = pd.DataFrame(
        dict(
            child=cases["child"].to_numpy(),
            c=cases["c"].to_numpy(),
            referral_date=cases["referral_date"].to_numpy(),
            referral_source=ref_source,
            referral_nfa=np.where(cases["nfa"], "YES", "NO"),
            allocated_team=TEAMS_FRONT[rng.integers(0, 4, n)],
        )
    )
    add("referrals", referrals)

    # assessments: one per assessed case + re-assessments of open cases
    ca = cases[~cases["nfa"]]
    extra = ca[ca["in_need"].to_numpy() & (rng.random(len(ca)) < 0.30)]
    ex_start = (
        extra["a_auth"].to_numpy()
        + 40
        + (
            rng.random(len(extra))
            * np.maximum(
                extra["cin_close"].clip(upper=end + 400).to_numpy() - extra["a_auth"].to_numpy() - 60, 1
            )
        ).astype(np.int64)
    )
    ex_ok = ex_start < extra["cin_close"].to_numpy() - 10
    ex_start = add_working_days(ex_start[ex_ok], np.zeros(ex_ok.sum(), dtype=np.int64))
    ex_auth = add_working_days(ex_start, _assessment_working_days(rng, len(ex_start)))
    assessments = (
        pd.DataFrame(
            dict(
                child=np.r_[ca["child"].to_numpy(), extra["child"].to_numpy()[ex_ok]],
                c=np.r_[ca["c"].to_numpy(), extra["c"].to_numpy()[ex_ok]],
                assessment_start_date=np.r_[ca["a_start"].to_numpy(), ex_start],
                assessment_authorised_date=np.r_[ca["a_auth"].to_numpy(), ex_auth],
                in_need=np.r_[ca["in_need"].to_numpy(), np.ones(len(ex_start), bool)],
            )
        )
        .drop_duplicates(["child", "assessment_start_date"])
        .reset_index(drop=True)
    )
    assessments["allocated_team"] = TEAMS_FRONT[1 + rng.integers(0, 3, len(assessments))]
    assessments["seen"] = np.where(rng.random(len(assessments)) < 0.96, "YES", "NO")
    add("assessments", assessments)

    cs = cases[cases["s47"]]
    n = len(cs)
    s47 = pd.DataFrame(
        dict(
            child=cs["child"].to_numpy(),
            c=cs["c"].to_numpy(),
            strategy_discussion_date=cs["strat"].to_numpy(),
            icpc_date=cs["icpc_date"].to_numpy(),
            icpc_resulted_in_cp_plan=np.where(cs["icpc_date"] < NEVER, np.where(cs["cp"], "YES", "NO"), ""),
            # the enquiry's outcome (ICPC not needed) is known when it concludes, ~15 working days in
            concluded=add_working_days(cs["strat"].to_numpy(), rng.integers(5, 25, n)),
            allocated_team=TEAMS_CASE[rng.integers(0, 3, n)],
        )
    )
    add("s47", s47)

    # contacts: every referral's contact, earlier contacts of referred children, contact-only children
    n = len(referrals)
    pre = rng.random(n) < 0.3
    pre_days = referrals["referral_date"].to_numpy()[pre] - rng.integers(10, 200, pre.sum())
    cc, dc = _monthly_events(rng, RATE_CONTACT_ONLY_CHILDREN * scale, first_month - 400, end)
    cdob = dc - _case_age_days(rng, len(cc))
    cch = kids.add(cc, cdob, dc)
    again = rng.random(len(cc)) < 0.25
    again_d = dc[again] + rng.integers(15, 300, again.sum())
    contacts = pd.DataFrame(
        dict(
            child=np.r_[referrals["child"].to_numpy(), referrals["child"].to_numpy()[pre], cch, cch[again]],
            c=np.r_[referrals["c"].to_numpy(), referrals["c"].to_numpy()[pre], cc, cc[again]],
            contact_date=np.r_[referrals["referral_date"].to_numpy(), pre_days, dc, again_d],
            contact_source=np.r_[
                referrals["referral_source"].to_numpy(),
                _pick(rng, SOURCES, SOURCE_P, int(pre.sum())),
                _pick(rng, SOURCES, SOURCE_P, len(cc)),
                _pick(rng, SOURCES, SOURCE_P, int(again.sum())),
            ],
            contact_only=np.r_[np.zeros(n + pre.sum(), bool), np.ones(len(cc) + again.sum(), bool)],
        )
    )
    contacts = contacts[contacts["contact_date"] <= end]
    contacts = contacts.drop_duplicates(["child", "contact_date", "contact_source"]).reset_index(drop=True)
    add("contacts", contacts)

    # MASH: every referral and a quarter of other contacts
    mc = contacts[(~contacts["contact_only"]) | (rng.random(len(contacts)) < 0.25)]
    n = len(mc)
    hour = np.where(rng.random(n) < 0.88, rng.integers(8 * 60, 18 * 60, n), rng.integers(0, 24 * 60, n))
    received = mc["contact_date"].to_numpy() * 1440 + hour
    quick = rng.random(n) < 0.8
    late_day = add_working_days(mc["contact_date"].to_numpy(), rng.integers(2, 7, n))
    decision = np.where(
        quick,
        received + rng.integers(20, 20 * 60, n),
        late_day * 1440 + rng.integers(9 * 60, 17 * 60, n),
    )
    mash = pd.DataFrame(
        dict(
            child=mc["child"].to_numpy(),
            c=mc["c"].to_numpy(),
            referral_received=received,
            mash_decision=decision,
        )
    )
    mash = mash.drop_duplicates(["child", "referral_received"]).reset_index(drop=True)
    add("mash", mash)

    # factors recorded at referral; 11A (CSE) for some referrals of children aged 13+
    n = len(referrals)
    rdob = child_dob_lookup = np.concatenate([p["dob"] for p in kids.parts])
    age_r = age_years(rdob[referrals["child"].to_numpy()], referrals["referral_date"].to_numpy())
    nf = 1 + rng.binomial(2, 0.4, n)
    idx = np.repeat(np.arange(n), nf)
    fac = _pick(rng, FACTORS, FACTOR_P, len(idx))
    cse = ((age_r >= 13) & (rng.random(n) < 0.11)) | ((age_r < 13) & (age_r >= 10) & (rng.random(n) < 0.02))
    ci_ = np.flatnonzero(cse)
    factors = (
        pd.DataFrame(
            dict(
                child=np.r_[referrals["child"].to_numpy()[idx], referrals["child"].to_numpy()[ci_]],
                c=np.r_[referrals["c"].to_numpy()[idx], referrals["c"].to_numpy()[ci_]],
                referral_date=np.r_[
                    referrals["referral_date"].to_numpy()[idx], referrals["referral_date"].to_numpy()[ci_]
                ],
                factor=np.r_[fac, np.full(len(ci_), "11A", dtype=object)],
            )
        )
        .drop_duplicates(["child", "referral_date", "factor"])
        .reset_index(drop=True)
    )
    add("factors", factors)
    del child_dob_lookup

    # ---------------------------------------------------------------- early help (List 2)
    ce, de = _monthly_events(rng, RATE_EARLY_HELP * scale, first_month - 500, end)
    edob = de - _case_age_days(rng, len(ce))
    ech = kids.add(ce, edob, de)
    n = len(ce)
    a_comp = de + rng.integers(5, 60, n)
    a_comp[rng.random(n) < 0.04] = NEVER
    plan = (a_comp < NEVER) & (rng.random(n) < 0.75)
    p_start = np.where(plan, a_comp + rng.integers(0, 15, n), NEVER)
    p_end = np.where(plan, p_start + rng.integers(60, 320, n), NEVER)
    plan_only = rng.random(n) < 0.08
    a_start = np.where(plan_only, NEVER, de)
    a_comp = np.where(plan_only, NEVER, a_comp)
    p_start = np.where(plan_only, de, p_start)
    p_end = np.where(plan_only, de + rng.integers(60, 320, n), p_end)
    # step-ups: early help episodes of children who are then referred (first cases)
    su = cases[(cases["k"] == 0) & ~cases["uasc"] & (rng.random(len(cases)) < 0.075)]
    rs = su["referral_date"].to_numpy()
    su_as = rs - rng.integers(70, 220, len(su))
    su_ac = su_as + rng.integers(10, 40, len(su))
    su_ps = su_ac + rng.integers(0, 12, len(su))
    ok = su_ps < rs - 5
    early_help = pd.DataFrame(
        dict(
            child=np.r_[ech, su["child"].to_numpy()[ok]],
            c=np.r_[ce, su["c"].to_numpy()[ok]],
            assessment_start_date=np.r_[a_start, su_as[ok]],
            assessment_completion_date=np.r_[a_comp, su_ac[ok]],
            plan_start_date=np.r_[p_start, su_ps[ok]],
            plan_end_date=np.r_[p_end, rs[ok]],
            step_up_date=np.r_[np.full(n, NEVER, dtype=np.int64), rs[ok]],
        )
    )
    early_help["organisation"] = EH_ORGS[rng.integers(0, len(EH_ORGS), len(early_help))]
    add("early_help", early_help)

    # ---------------------------------------------------------------- missing episodes of open children
    cin_open_start = np.maximum(cin["cin_start"].to_numpy(), tl.case_start)
    cin_open_end = np.minimum(cin["cin_close"].to_numpy(), end)
    dob_all_arr = np.concatenate([p["dob"] for p in kids.parts])
    cin_age = (cin_open_start - dob_all_arr[cin["child"].to_numpy()]) / 365.25
    at_risk = (cin_open_end > cin_open_start) & (cin_age >= 11) & (rng.random(len(cin)) < 0.22)
    months_open = np.where(at_risk, (cin_open_end - cin_open_start) / 30.44, 0)
    n_miss = rng.poisson(months_open * 0.45)
    idx = np.repeat(np.arange(len(cin)), n_miss)
    ms = cin_open_start[idx] + (rng.random(len(idx)) * (cin_open_end[idx] - cin_open_start[idx])).astype(
        np.int64
    )
    dur = np.where(
        rng.random(len(idx)) < 0.45,
        0,
        np.where(rng.random(len(idx)) < 0.85, rng.integers(1, 4, len(idx)), rng.integers(4, 12, len(idx))),
    )
    missing_all = (
        pd.DataFrame(
            dict(
                child=cin["child"].to_numpy()[idx],
                c=cin["c"].to_numpy()[idx],
                missing=np.where(rng.random(len(idx)) < 0.8, "M", "A"),
                mis_start=ms,
                mis_end=ms + dur,
            )
        )
        .drop_duplicates(["child", "mis_start"])
        .reset_index(drop=True)
    )
    add("missing_all", missing_all)

    # ---------------------------------------------------------------- fostering households
    ci_h, di_h = _monthly_events(rng, RATE_IN_HOUSE_CARERS * scale, tl.carers_start, end)
    cf_h, df_h = _monthly_events(rng, RATE_IFA_CARERS * scale, tl.carers_start, end)
    hc = np.r_[ci_h, cf_h]
    happ = np.r_[di_h, df_h]
    hprov = np.r_[np.full(len(ci_h), "IN_HOUSE", dtype=object), np.full(len(cf_h), "IFA", dtype=object)]
    hdereg = happ + (rng.exponential(2900, len(hc)) + 90).astype(np.int64)
    order = np.lexsort((happ, hc))
    carers = pd.DataFrame(
        dict(c=hc[order], approval_date=happ[order], deregistration_date=hdereg[order], provider=hprov[order])
    )
    first_c = np.r_[0, np.flatnonzero(np.diff(carers["c"].to_numpy())) + 1]
    rank = np.arange(len(carers)) - np.repeat(first_c, np.diff(np.r_[first_c, len(carers)]))
    carers["household_id"] = (900000 + rank * 7 + rng.integers(0, 7, len(carers))).astype(str).astype(object)
    add("foster_carers", carers)

    frames = {name: pd.concat(parts, ignore_index=True) for name, parts in tables.items()}
    frames["cases"] = cases
    id_base = np.array([[100000, 1000000, 3000000][i % 3] for i in range(n_c)], dtype=np.int64)
    children = kids.frame(id_base)
    _care_plans_and_leavers(rng, frames, children, end)
    for df in [
        *frames.values(),
        children,
    ]:  # plain object arrays for text: cheaper to slice than pandas strings
        for col in df.columns:
            if isinstance(df[col].dtype, pd.StringDtype):
                df[col] = pd.Series(df[col].to_numpy(dtype=object), dtype=object, index=df.index)
    return World(n_councils=n_c, timeline=tl, children=children, tables=frames)


def _care_plans_and_leavers(
    rng: np.random.Generator, frames: dict[str, pd.DataFrame], children: pd.DataFrame, end: int
) -> None:
    per = frames["periods"]
    dob = children["dob"].to_numpy()[per["child"].to_numpy()]
    start, stop = per["start"].to_numpy(), per["end"].to_numpy()
    n = len(per)
    # CLA care plan per period of care (most authorised within 15 working days; some late)
    auth = add_working_days(
        start, np.where(rng.random(n) < 0.92, rng.integers(0, 15, n), rng.integers(25, 60, n))
    )
    ok = auth < stop
    cla = pd.DataFrame(
        dict(
            child=per["child"].to_numpy()[ok],
            c=per["c"].to_numpy()[ok],
            plan_type="CLA",
            authorised_date=auth[ok],
            end_date=stop[ok],
        )
    )
    # care leavers: left care aged 16+ after at least 13 weeks in care since 14
    b14, b16, b18, b21, b22 = (add_years(dob, y) for y in (14, 16, 18, 21, 22))
    leaver = (
        (stop >= b16)
        & (stop - np.maximum(start, b14) >= 91)
        & (stop < NEVER)
        & ~per["rec"].isin(["E11", "E12", "E45", "E46", "E47", "E48", "E2", "E3", "E15", "E16"]).to_numpy()
    )
    # pathway plans: young people in care at 16+, continuing for care leavers to 21
    in_care_16 = (stop > b16) & (start < b18)
    p_auth = np.maximum(b16, start) + rng.integers(10, 90, n)
    has = in_care_16 & (rng.random(n) < 0.93)
    p_auth = np.where(has & (p_auth >= stop) & leaver, stop + rng.integers(0, 50, n), p_auth)
    has = has & ((p_auth < stop) | leaver)
    p_end = np.where(leaver, b21, stop)
    has = has & (p_auth < p_end)
    pathway = pd.DataFrame(
        dict(
            child=per["child"].to_numpy()[has],
            c=per["c"].to_numpy()[has],
            plan_type="PATHWAY",
            authorised_date=p_auth[has],
            end_date=p_end[has],
        )
    )
    plans = pd.concat([cla, pathway], ignore_index=True)
    plans = plans.drop_duplicates(["child", "plan_type", "authorised_date"]).reset_index(drop=True)
    frames["care_plans"] = plans
    li = np.flatnonzero(leaver)
    m = len(li)
    frames["care_leavers"] = pd.DataFrame(
        dict(
            child=per["child"].to_numpy()[li],
            c=per["c"].to_numpy()[li],
            ceased=stop[li],
            from_=b18[li] * 0 + np.maximum(stop[li], b16[li]),
            until=b22[li],
            b18=b18[li],
            touch_base=rng.random(m),
            suit_base=rng.random(m),
            accom=_pick(
                rng, np.array(list("DEUZBKTC"), dtype=object), np.array([30, 12, 18, 12, 10, 6, 7, 5.0]), m
            ),
            bad_accom=_pick(rng, np.array(list("SVWXR"), dtype=object), np.array([3, 3, 2, 2, 1.0]), m),
            activity=_pick(
                rng,
                np.array(["F2", "F1", "F5", "P5", "F4", "G5", "G6", "G4", "P2"], dtype=object),
                np.array([25, 8, 14, 6, 5, 26, 7, 6, 3.0]),
                m,
            ),
        )
    )
    _ = end
