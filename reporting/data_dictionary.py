"""The data dictionary of the scorecard, generated from the indicator catalogue.

    python -m reporting.data_dictionary            # (re)write docs/data_dictionary.md
    python -m reporting.data_dictionary --check    # exit 1 when the committed file is out of date

For every indicator of ``dbt_project/seeds/indicators.csv``: definition, the source lists it is computed
from, numerator, denominator, unit and display, polarity and benchmarks. Source lists are read off the
catalogue text: the lists and files a definition names, plus the sources of every indicator it is built from
(``M3 = M2 / M1`` reads List 1 and List 3), so they follow the catalogue when it changes.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "dbt_project" / "seeds" / "indicators.csv"
OUTPUT = ROOT / "docs" / "data_dictionary.md"

ANNEX_A_LISTS = {
    1: "contacts",
    2: "early help",
    3: "referrals",
    4: "assessments",
    5: "section 47 enquiries and ICPCs",
    6: "children in need",
    7: "child protection",
    8: "children in care, month-end snapshot",
    9: "care leavers, month-end snapshot",
    10: "adoption",
}
#: (pattern on the definition, numerator and denominator text, source it names). Order is the output order.
SOURCE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    *[(re.compile(rf"\bList {n}\b"), f"Annex A List {n} ({name})") for n, name in ANNEX_A_LISTS.items()],
    # definitions that name the list's records rather than the list
    (re.compile(r"^Referrals\b"), "Annex A List 3 (referrals)"),
    (re.compile(r"\bCP plans\b"), "Annex A List 7 (child protection)"),
    (re.compile(r"\b903 episodes\b|\bPLACE\b|\bDECOM\b"), "SSDA903 episodes"),
    (re.compile(r"\b903 uasc\b|\buasc table\b"), "SSDA903 uasc"),
    (re.compile(r"\bmash\.csv\b|\bMASH decisions\b"), "local mash.csv"),
    (re.compile(r"\breferral_factors\.csv\b"), "local referral_factors.csv"),
    (re.compile(r"\btransfer_in_conferences\.csv\b"), "local transfer_in_conferences.csv"),
    (re.compile(r"\bcare_plans\.csv\b"), "local care_plans.csv"),
    (re.compile(r"\bmissing_all\.csv\b"), "local missing_all.csv"),
    (re.compile(r"\bfoster_carers\.csv\b"), "local foster_carers.csv"),
    (
        re.compile(r"^POP$|\bpopulation\b|\bper 10,000 children\b"),
        "population aged 0-17 (ONS mid-year estimate)",
    ),
]
SOURCE_ORDER = list(dict.fromkeys(source for _, source in SOURCE_PATTERNS))
UNITS = {
    "count": "count, shown as a whole number",
    "percent": "percentage (22.6 means 22.6%), shown to 1 decimal",
    "rate_per_10k": "rate per 10,000 children aged 0-17, shown as a whole number",
}
POLARITY = {
    "higher_is_better": "higher is better (DoT ▲)",
    "lower_is_better": "lower is better (DoT ▼)",
    "context": "context: no desired direction (DoT blank, no marks against target or benchmarks)",
}


def read_catalogue(path: Path = CATALOGUE) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return [
            {k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh) if row.get("code")
        ]


def _referenced_codes(text: str, codes: list[str], own: str) -> list[str]:
    """Catalogue codes named in ``text`` (longest first, so ``M6-QL (val)`` is not read as ``M6-QL``)."""
    found = []
    for code in sorted(codes, key=len, reverse=True):
        pattern = re.compile(r"(?<![\w-])" + re.escape(code) + r"(?![\w-])")
        if pattern.search(text):
            found.append(code)
            text = pattern.sub(" ", text)
    return [c for c in found if c != own]


def source_lists(catalogue: list[dict[str, str]]) -> dict[str, list[str]]:
    """code -> the source lists and files it is computed from (direct, and through the codes it uses)."""
    codes = [row["code"] for row in catalogue]
    direct: dict[str, set[str]] = {}
    uses: dict[str, list[str]] = {}
    for row in catalogue:
        texts = [row["definition"], row["numerator"], row["denominator"]]
        direct[row["code"]] = {
            source for pattern, source in SOURCE_PATTERNS for t in texts if pattern.search(t)
        }
        uses[row["code"]] = _referenced_codes(" | ".join(texts), codes, row["code"])

    def resolve(code: str, seen: frozenset[str]) -> set[str]:
        out = set(direct[code])
        for other in uses[code]:
            if other not in seen:
                out |= resolve(other, seen | {other})
        return out

    return {code: sorted(resolve(code, frozenset({code})), key=SOURCE_ORDER.index) for code in codes}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") if text else "—"


def _anchor(code: str) -> str:
    return re.sub(r"[^a-z0-9 -]", "", code.lower()).replace(" ", "-")


def render(catalogue: list[dict[str, str]]) -> str:
    sources = source_lists(catalogue)
    sections: dict[str, list[dict[str, str]]] = {}
    for row in catalogue:
        sections.setdefault(row["section"], []).append(row)
    lines = [
        "# Data dictionary: the scorecard indicators",
        "",
        "<!-- Generated by `python -m reporting.data_dictionary` from dbt_project/seeds/indicators.csv "
        "(the catalogue). Do not edit by hand: change the catalogue and regenerate. -->",
        "",
        f"{len(catalogue)} indicators in {len(sections)} sections, in board-pack order. Each is one row of "
        "`scorecard` per council and reporting month, and one row of `scorecard_monthly` per council and "
        "month (`value`, `numerator`, `denominator`; `value` is NULL with a `no_data_reason` when there is "
        "no data, never 0). Rules for the derived columns (changes, arrows, 12-month figures, benchmarks, "
        "targets): `../shared/spec/scorecard_rules.md`; how the extracts are read: "
        "`../shared/spec/extract_contract.md`.",
        "",
        "Numerator and denominator name the counts a percentage or rate is built from (`POP` is the "
        "population aged 0-17); counts have neither. Source lists are the extract lists and files an "
        "indicator is computed from, including those of the indicators it is built from.",
        "",
        "## Summary",
        "",
        "| code | section | title | unit | polarity | source lists |",
        "|---|---|---|---|---|---|",
    ]
    for row in catalogue:
        lines.append(
            f"| [{_cell(row['code'])}](#{_anchor(row['code'])}) | {_cell(row['section'])} | "
            f"{_cell(row['title'])} | {row['unit']} | {row['polarity']} | "
            f"{_cell('; '.join(sources[row['code']]))} |"
        )
    for section, rows in sections.items():
        lines += ["", f"## {section}"]
        for row in rows:
            benchmarks = [row.get("stat_neighbour", ""), row.get("england", ""), row.get("se_region", "")]
            bench = (
                " / ".join(b or "-" for b in benchmarks)
                + " (statistical neighbours / England / region, catalogue figures)"
                if any(benchmarks)
                else "Local: no national equivalent"
            )
            lines += [
                "",
                f"### {row['code']}",
                "",
                f"**{_cell(row['title'])}**",
                "",
                "| | |",
                "|---|---|",
                f"| Outcome | {_cell(row['outcome'])} |",
                f"| Definition | {_cell(row['definition'])} |",
                f"| Source lists | {_cell('; '.join(sources[row['code']]))} |",
                f"| Numerator | {_cell(row['numerator'])} |",
                f"| Denominator | {_cell(row['denominator'])} |",
                f"| Unit | {_cell(UNITS.get(row['unit'], row['unit']))} |",
                f"| Polarity | {_cell(POLARITY.get(row['polarity'], row['polarity']))} |",
                f"| Benchmarks | {_cell(bench)} |",
            ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reporting.data_dictionary", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--catalogue", type=Path, default=CATALOGUE)
    parser.add_argument("--out", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="exit 1 when --out differs from the catalogue")
    args = parser.parse_args(argv)
    text = render(read_catalogue(args.catalogue))
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != text:
            print(f"{args.out} is out of date: run python -m reporting.data_dictionary", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date")
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text.splitlines())} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
