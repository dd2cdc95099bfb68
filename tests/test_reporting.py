"""reporting/: the board-pack scorecard (HTML, XLSX), restatements, CLI, data dictionary, commentary.

The publication under test is built by ``publish.publish`` from a small warehouse whose ``marts.scorecard``
has exactly the contract's column set (read from dbt_project/models/marts/scorecard.yml) and display
columns computed with the dbt macros' SQL, so the renderer is exercised on what the pipeline publishes.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import struct
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml
from python_calamine import CalamineWorkbook

from publish import publish
from reporting import after_publication, load_scorecard, record_publication, render_month
from reporting.cli import main as cli_main
from reporting.data_dictionary import OUTPUT as DICTIONARY
from reporting.data_dictionary import read_catalogue, render, source_lists
from reporting.formatting import add_months, compare, display, financial_year_label
from reporting.restatements import LEDGER_FILE
from reporting.scorecard import SECTION_ORDER, ReportError
from reporting.screenshot import dump_dom, find_chromium, screenshot
from reporting.xlsx import HEADER_ROW, SHEET, column_headings

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "dbt_project" / "seeds" / "indicators.csv"
CONTRACT = ROOT / "dbt_project" / "models" / "marts" / "scorecard.yml"
LA, LA2 = "E06000999", "E06000045"
LAST = dt.date(2025, 3, 1)
SCRIPT = "<script>document.body.setAttribute('data-pwned','yes')</script>"
M1_COMMENTARY = f"{SCRIPT} Contacts & referrals <b>rose</b> after the schools campaign"
CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (CI: apt-get install -y chromium)"
)


# ---------------------------------------------------------------------------------------------- fixture
def catalogue() -> list[dict[str, str]]:
    with CATALOGUE.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def contract_columns() -> dict[str, str]:
    """marts.scorecard's enforced contract: column name -> data type, in order."""
    models = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))["models"]
    return {c["name"]: c["data_type"] for c in next(m for m in models if m["name"] == "scorecard")["columns"]}


def monthly_values(la_code: str, first: dt.date, last: dt.date, bump: dict | None = None) -> pd.DataFrame:
    """scorecard_monthly: a figure per indicator and month, with no-data months and half-way figures."""
    rows = []
    bump = bump or {}
    n = (last.year - first.year) * 12 + last.month - first.month + 1
    for i, ind in enumerate(catalogue()):
        for m in range(n):
            month = add_months(first, m)
            if ind["unit"] == "percent":
                value = 40 + (i * 7 + m * 3) % 50 + (0.65 if m % 3 == 0 else 0.25)
            elif ind["unit"] == "rate_per_10k":
                value = 20 + (i * 5 + m * 2) % 30 + 0.5  # a half: rounds away from zero
            else:
                value = float(100 + (i * 13 + m * 7) % 60)
            reason = None
            if ind["code"] == "LAC16" or (ind["code"] == "NI147" and month == add_months(last, -4)):
                value, reason = None, "no_snapshot" if ind["code"] == "NI147" else "source_not_supplied"
            value = bump.get((ind["code"], month), value)
            rows.append((la_code, ind["code"], month, value, None, None, reason))
    return pd.DataFrame(
        rows,
        columns=["la_code", "indicator_code", "month", "value", "numerator", "denominator", "no_data_reason"],
    )


TARGETS = {("LAC1", "this"): 90.0, ("CP4", "this"): 50.0, ("CP4", "prev"): 30.0, ("M1", "this"): 100.0}


def _change(new, old):
    return None if new is None or old is None or old == 0 else (new - old) / old * 100


def _arrow(change):
    if change is None:
        return None
    snapped = round(change, 9)
    return "up" if snapped >= 10 else "down" if snapped <= -10 else "similar"


def scorecard_rows(monthly: pd.DataFrame, reporting_months: list[dt.date]) -> pd.DataFrame:
    """marts.scorecard rows (numeric columns; the *_display columns are added in SQL below)."""
    cat = {row["code"]: row for row in catalogue()}
    out = []
    for (la_code, code), part in monthly.groupby(["la_code", "indicator_code"], sort=False):
        ind = cat[code]
        series = {
            r.month: (None if pd.isna(r.value) else r.value, r.no_data_reason) for r in part.itertuples()
        }
        national = any(ind[k] for k in ("stat_neighbour", "england", "se_region"))
        for month in [m for m in reporting_months if m in series]:  # the council's months only
            trend = [series.get(add_months(month, -k), (None, None))[0] for k in range(12, -1, -1)]
            last12 = [v for v in trend[1:] if v is not None]
            fy = [financial_year_label(add_months(month, 12 * k)) for k in (-1, 0, 1)]
            row = {
                "la_code": la_code,
                "reporting_month": month,
                "indicator_code": code,
                "section": ind["section"],
                "title": ind["title"],
                "outcome": ind["outcome"],
                "unit": ind["unit"],
                **{f"value_m{k}": v for k, v in zip(range(12, -1, -1), trend, strict=True)},
                "no_data_reason": series.get(month, (None, None))[1],
                "change_prev_month_pct": _change(trend[-1], trend[-2]),
                "change_prev_year_pct": _change(trend[-1], trend[0]),
                "avg_12m": sum(last12) / len(last12) if last12 else None,
                "max_12m": max(last12) if last12 else None,
                "polarity": ind["polarity"],
                "desired_direction": {"higher_is_better": "▲", "lower_is_better": "▼"}.get(
                    ind["polarity"], ""
                ),
                "percentage_flag": "P" if ind["is_percentage"] == "Y" else "-",
                "has_national": national,
                "bench_stat_neighbour": float(ind["stat_neighbour"]) if ind["stat_neighbour"] else None,
                "bench_england": float(ind["england"]) if ind["england"] else None,
                "bench_region": float(ind["se_region"]) if ind["se_region"] else None,
                "commentary": None,
            }
            row["change_prev_month_arrow"] = _arrow(row["change_prev_month_pct"])
            row["change_prev_year_arrow"] = _arrow(row["change_prev_year_pct"])
            for name, label in zip(("prev", "this", "next"), fy, strict=True):
                row[f"target_{name}_fy_label"] = label
                row[f"target_{name}_fy"] = TARGETS.get((code, name))
            if month == LAST:
                row["commentary"] = {"M1": M1_COMMENTARY, "CP4": "Line one\nLine two"}.get(code)
            out.append(row)
    return pd.DataFrame(out)


def _display_sql(expr: str, pct: str) -> str:
    """dbt_project/macros/scorecard_rounding.sql: display_figure."""
    snap = f"cast(cast({expr} as double) as decimal(38, 9))"
    return (
        f"case when {expr} is null then '-' "
        f"when {pct} then cast(cast(round({snap}, 1) as decimal(38, 1)) as varchar) "
        f"else cast(cast(round({snap}, 0) as decimal(38, 0)) as varchar) end"
    )


def _change_sql(expr: str) -> str:
    """dbt_project/macros/scorecard_change.sql: change_display."""
    rounded = f"cast(round(cast(cast({expr} as double) as decimal(38, 9)), 0) as decimal(38, 0))"
    return (
        f"case when {expr} is null then 'n/a' "
        f"when {rounded} > 0 then '+' || cast({rounded} as varchar) || '%' "
        f"else cast({rounded} as varchar) || '%' end"
    )


def build_publication(tmp: Path, monthly: pd.DataFrame, reporting_months: list[dt.date]) -> Path:
    """A warehouse with the scorecard marts, published by publish.publish into ``tmp/published``."""
    tmp.mkdir(parents=True, exist_ok=True)
    warehouse = tmp / "warehouse.duckdb"
    frame = scorecard_rows(monthly, reporting_months)
    pct = "percentage_flag = 'P'"
    displays = {
        "value_display": _display_sql("value_m0", pct),
        "change_prev_month_display": _change_sql("change_prev_month_pct"),
        "change_prev_year_display": _change_sql("change_prev_year_pct"),
        "avg_12m_display": _display_sql("avg_12m", pct),
        "max_12m_display": _display_sql("max_12m", pct),
        **{
            f"bench_{b}_display": "case when not has_national then 'Local' "
            f"else {_display_sql(f'bench_{b}', pct)} end"
            for b in ("stat_neighbour", "england", "region")
        },
    }
    columns = contract_columns()
    # columns the renderer does not need (benchmark provenance) are NULL of their contract type
    given = set(frame.columns) | set(displays)
    fill = {c: f"cast(null as {t})" for c, t in columns.items() if c not in given} | {
        "benchmark_year": "2024"
    }
    select = ", ".join(
        f"{displays[c]} as {c}" if c in displays else f"{fill[c]} as {c}" if c in fill else c for c in columns
    )
    cat = pd.DataFrame(catalogue()).rename(columns={"code": "indicator_code"})
    councils = pd.DataFrame({"la_code": [LA, LA2], "la_name": ["Northwold (fictional)", "Southampton"]})
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema if not exists marts")
        for name, df in {"monthly": monthly, "frame": frame, "cat": cat, "councils": councils}.items():
            con.register(name, df)
        con.execute("create or replace table marts.scorecard_monthly as select * from monthly")
        con.execute("alter table marts.scorecard_monthly alter month type date")
        con.execute(f"create or replace table marts.scorecard as select {select} from frame")
        con.execute("alter table marts.scorecard alter reporting_month type date")
        con.execute("create or replace table marts.dim_indicator as select * from cat")
        con.execute("create or replace table marts.dim_council as select * from councils")
    publish(warehouse, tmp / "published", run_id="test", reporting_month=reporting_months[-1])
    return tmp / "published"


@pytest.fixture
def published(tmp_path: Path) -> Path:
    monthly = pd.concat(
        [
            monthly_values(LA, add_months(LAST, -14), LAST),
            monthly_values(LA2, add_months(LAST, -13), add_months(LAST, -1)),
        ]
    )
    return build_publication(tmp_path, monthly, [add_months(LAST, -2), add_months(LAST, -1), LAST])


# ---------------------------------------------------------------------------------------------- HTML parsing
class ScorecardPage(HTMLParser):
    """Reads the rendered page: section headings, and per indicator row its cells by data-col/data-month."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.h2: list[str] = []
        self.rows: dict[str, dict[str, object]] = {}
        self.order: list[str] = []
        self.scripts = 0
        self.marks: dict[tuple[str, str], str] = {}
        self._text: list[str] | None = None
        self._target: tuple | None = None
        self._code: str | None = None
        self._months: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "h2":
            self._text, self._target = [], ("h2",)
        elif tag == "tr" and "data-code" in a:
            self._code = a["data-code"]
            self.order.append(self._code)
            self.rows[self._code] = {"months": []}
        elif tag == "td" and self._code is not None and "data-col" in a:
            key = a["data-col"]
            mark = re.search(r"mark-(\w+)", a.get("class", ""))
            if mark:
                self.marks[(self._code, a.get("data-month") or key)] = mark.group(1)
            self._text, self._target = [], ("td", key)
        elif tag == "td" and self._code is not None and a.get("class") == "code":
            self._text, self._target = [], ("td", "code")
        elif tag == "div" and self._code is not None and a.get("class") in ("title", "outcome"):
            self._text, self._target = [], ("div", a["class"])

    def handle_endtag(self, tag):
        if tag == "tr":
            self._code = None
        if self._target and tag == self._target[0]:
            text = " ".join("".join(self._text).split())
            if tag == "h2":
                self.h2.append(text)
            elif self._target[1] == "month":
                self.rows[self._code]["months"].append(text)
            else:
                self.rows[self._code][self._target[1]] = text
            self._text, self._target = None, None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def parse_page(html: str) -> ScorecardPage:
    page = ScorecardPage()
    page.feed(html)
    return page


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


# ---------------------------------------------------------------------------------------------- tests
def test_figures_are_printed_as_the_rules_say():
    assert display(104.5, False) == "105" and display(-2.5, False) == "-3"
    assert display(22.65, True) == "22.7" and display(22.6, True) == "22.6" and display(7.0, True) == "7.0"
    assert display(None, True) == "-" and display(float("nan"), False) == "-" and display(-0.4, False) == "0"
    assert compare(87.1, 86.7, "higher_is_better", True) == "better"
    assert compare(87.1, 86.7, "lower_is_better", True) == "worse"
    assert compare(86.74, 86.7, "higher_is_better", True) == "level"  # equal as printed
    assert (
        compare(87.1, 86.7, "context", True) is None and compare(None, 1.0, "lower_is_better", False) is None
    )


def test_python_figures_agree_with_the_marts_display_columns(published):
    card = load_scorecard(published, LA, "2025-03")
    with duckdb.connect(str(published / "scorecard.duckdb"), read_only=True) as con:
        shown = dict(
            con.execute(
                "select indicator_code, value_display from scorecard "
                "where la_code = ? and reporting_month = ?",
                [LA, LAST],
            ).fetchall()
        )
    assert {r.code: r.trend[-1].display for r in card.rows} == shown
    assert any(v.endswith(".5") is False and "." not in v for v in shown.values())  # counts have no decimals


@needs_chromium
def test_demo_month_renders_in_headless_chromium(published, tmp_path):
    result = render_month(published, LA, None, tmp_path / "reports" / LA, ledger_dir=tmp_path / "reports")
    assert result.reporting_month == LAST and result.html.name == f"scorecard_{LA}_2025-03.html"
    html = result.html.read_text(encoding="utf-8")
    # self-contained: nothing is fetched (no src/href to anything), no script of ours
    assert not re.search(r"""\b(?:src|href)\s*=\s*["'](?!#)""", html)
    assert "<script" not in html.replace("&lt;script", "")
    png = screenshot(result.html, tmp_path / "scorecard.png", width=1150, height=1400)
    width, height = png_size(png)
    assert (width, height) == (1150, 1400) and png.stat().st_size > 20_000  # a rendered page, not a blank
    page = parse_page(dump_dom(result.html))
    codes = [row["code"] for row in catalogue()]
    sections = list(dict.fromkeys(row["section"] for row in catalogue()))
    assert page.order == codes  # every catalogue indicator, in catalogue order
    assert all(page.rows[c]["code"] == c for c in codes)
    assert page.h2[: len(sections)] == [s for s in SECTION_ORDER if s in sections]
    assert set(sections) <= set(page.h2) and "Restated figures" in page.h2
    assert page.scripts == 0
    assert "Benchmarks 2023-24" in html  # the mart's benchmark_year (DfE year ending March 2024)
    m1 = page.rows["M1"]
    assert m1["months"][-1] == m1["months"][-1].strip() and len(m1["months"]) == 13
    assert page.rows["LAC16"]["months"] == ["-"] * 13 and page.rows["LAC16"]["avg_12m"] == "-"
    assert page.rows["NI147"]["months"][-5] == "-"


@needs_chromium
def test_commentary_with_script_appears_as_text(published, tmp_path):
    result = render_month(published, LA, "2025-03", tmp_path / "out")
    raw = result.html.read_text(encoding="utf-8")
    assert "&lt;script&gt;" in raw and "&lt;b&gt;rose&lt;/b&gt;" in raw and "&amp; referrals" in raw
    dom = dump_dom(result.html)
    page = parse_page(dom)
    assert page.rows["M1"]["commentary"] == " ".join(M1_COMMENTARY.split())  # the text, as written
    assert page.scripts == 0 and "data-pwned" not in dom.split("<td", 1)[0]  # the script never ran
    assert 'data-pwned="yes"' not in dom
    assert page.rows["CP4"]["commentary"] == "Line one Line two"


def test_commentary_is_escaped_without_a_browser(published):
    from reporting import render_html_text

    html = render_html_text(load_scorecard(published, LA, "2025-03"))
    assert SCRIPT not in html and "<b>rose</b>" not in html
    assert (
        "&lt;script&gt;document.body.setAttribute(&#39;data-pwned&#39;,&#39;yes&#39;)&lt;/script&gt;" in html
    )


def test_xlsx_has_the_same_cells_as_the_html(published, tmp_path):
    result = render_month(published, LA, "2025-03", tmp_path / "out")
    page = parse_page(result.html.read_text(encoding="utf-8"))
    card = load_scorecard(published, LA, "2025-03")
    rows = CalamineWorkbook.from_path(str(result.xlsx)).get_sheet_by_name(SHEET).to_python()
    headings = column_headings(card)
    assert rows[HEADER_ROW] == headings
    col = {h: i for i, h in enumerate(headings) if h}
    month_cols = [col[h] for h in headings[3:16]]
    pct = {r.code: r.is_percentage for r in card.rows}

    def shown(value, code):
        return display(value, pct[code]) if isinstance(value, float) else str(value)

    sheet_rows = {r[0]: r for r in rows[HEADER_ROW + 1 :] if r[0] in page.rows}
    bands = [r[0] for r in rows[HEADER_ROW + 1 :] if r[0] and r[0] not in page.rows]
    assert bands == page.h2[: len(bands)] and list(sheet_rows) == page.order
    for code, html_row in page.rows.items():
        x = sheet_rows[code]
        assert (x[1], " ".join(x[2].split())) == (html_row["title"], html_row["outcome"])
        assert [shown(x[c], code) for c in month_cols] == html_row["months"], code
        assert x[col["Change on last month"]] == html_row["change_prev_month"]
        assert x[col["Change on last month"] + 1] == html_row["change_prev_month_arrow"]
        assert x[col["Change on last year"]] == html_row["change_prev_year"]
        assert x[col["Change on last year"] + 1] == html_row["change_prev_year_arrow"]
        assert x[col["DoT"]] == html_row["desired_direction"]
        assert shown(x[col["12m avg"]], code) == html_row["avg_12m"]
        assert shown(x[col["12m max"]], code) == html_row["max_12m"]
        assert x[col["Percentage?"]] == html_row["percentage_flag"]
        for heading, key in (
            ("Stat. neighbours", "stat_neighbour"),
            ("England", "england"),
            ("Region", "region"),
        ):
            assert shown(x[col[heading]], code) == html_row[f"bench_{key}"], (code, key)
        for i, label in enumerate(card.target_labels):
            assert shown(x[col[f"Target {label}"]], code) == html_row[f"target_{i}"]
        assert " ".join(str(x[col["Commentary"]]).split()) == html_row["commentary"]
    # numbers are numbers (formatted by the cell), no data is the text '-'
    assert isinstance(sheet_rows["M1"][month_cols[0]], float) and sheet_rows["LAC16"][month_cols[0]] == "-"


def test_marks_take_polarity_into_account(published):
    card = load_scorecard(published, LA, "2025-03")
    rows = {r.code: r for r in card.rows}
    lac1, cp4, m1 = rows["LAC1"], rows["CP4"], rows["M1"]
    # LAC1 (lower is better) well above its 90 target this year: missed; no target last year: no mark
    assert lac1.trend[-1].mark == "missed" and lac1.targets[1].mark == "missed"
    assert lac1.trend[0].mark is None  # Mar 24 is in 2023-24, which has no LAC1 target
    # CP4 (higher is better, percent): the month of 2023-24 against 30, the rest against 50
    assert cp4.trend[0].mark == ("met" if cp4.trend[0].value >= 30 else "missed")
    assert all(c.mark == ("met" if round(c.value, 1) >= 50 else "missed") for c in cp4.trend[1:])
    for b in cp4.benchmarks:
        assert b.mark == compare(cp4.trend[-1].value, b.value, "higher_is_better", True)
    # context indicators get no mark, even with a target
    assert m1.polarity == "context" and m1.targets[1].value == 100.0
    assert all(c.mark is None for c in m1.trend) and all(t.mark is None for t in m1.targets)
    assert all(b.mark is None for r in card.rows if r.polarity == "context" for b in r.benchmarks)
    html_marks = parse_page(
        render_month(published, LA, "2025-03", published.parent / "o").html.read_text()
    ).marks
    assert html_marks[("LAC1", "2025-03")] == "missed" and html_marks[("LAC1", "target_1")] == "missed"
    assert not any(code == "M1" for code, _ in html_marks)


def test_restated_figures_are_listed(tmp_path):
    months = [add_months(LAST, -1), LAST]
    first = monthly_values(LA, add_months(LAST, -14), LAST)
    published = build_publication(tmp_path / "v1", first, months)
    ledger = tmp_path / "reports"
    added = record_publication(published, ledger)
    assert added == len(first) and record_publication(published, ledger) == 0  # idempotent
    # a later extract corrects three figures: one visibly, one only beyond the printed precision, and a
    # month first published as no data
    feb, dec, nov = add_months(LAST, -1), add_months(LAST, -3), add_months(LAST, -4)
    old_m1 = first.set_index(["indicator_code", "month"]).at[("M1", feb), "value"]
    old_m3 = first.set_index(["indicator_code", "month"]).at[("M3", dec), "value"]
    bump = {("M1", feb): old_m1 + 7, ("M3", dec): old_m3 + 0.01, ("NI147", nov): 55.0}
    second = monthly_values(LA, add_months(LAST, -14), LAST, bump)
    build_publication(tmp_path / "v2", second, months)
    published.joinpath("scorecard.duckdb").unlink()
    (tmp_path / "v2" / "published" / "scorecard.duckdb").rename(published / "scorecard.duckdb")
    assert record_publication(published, ledger) == 0  # nothing new: first values are kept
    result = render_month(published, LA, "2025-03", tmp_path / "out", ledger_dir=ledger, record=True)
    card = load_scorecard(published, LA, "2025-03", ledger_dir=ledger)
    listed = {(r.code, r.month): (r.first_display, r.current_display) for r in card.restatements}
    assert listed == {
        ("NI147", nov): ("-", "55.0"),
        ("M1", feb): (display(old_m1, False), display(old_m1 + 7, False)),
    }
    assert result.restatements == 2
    html = result.html.read_text(encoding="utf-8")
    section = html[html.index('id="restatements"') :]
    assert "<td>M1</td>" in section and "<td>NI147</td>" in section and "<td>M3</td>" not in section
    restated = CalamineWorkbook.from_path(str(result.xlsx)).get_sheet_by_name("Restatements").to_python()
    assert {r[0] for r in restated[2:]} == {"M1", "NI147"}
    # the ledger is aggregates only
    with duckdb.connect() as con:
        cols = [
            d[0] for d in con.execute(f"select * from read_parquet('{ledger / LEDGER_FILE}')").description
        ]
    assert not {"child_key", "household_key"} & set(cols)


def test_cli_renders_a_month_and_explains_what_is_missing(published, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CSC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CSC_PUBLISHED_DIR", str(published))
    monkeypatch.delenv("CSC_REPORTS_DIR", raising=False)
    assert cli_main(["--la-code", LA, "--month", "2025-02", "--out", str(tmp_path / "pack")]) == 0
    out = capsys.readouterr().out
    assert (
        "scorecard_E06000999_2025-02.html" in out
        and (tmp_path / "pack" / f"scorecard_{LA}_2025-02.xlsx").is_file()
    )
    assert (tmp_path / "reports" / LEDGER_FILE).is_file()  # the ledger lives in the reports folder
    assert cli_main(["--la-code", LA, "--month", "2019-03"]) == 1
    assert "2019-03 is not a published reporting month of E06000999 (published: 2025-01 to 2025-03)" in (
        capsys.readouterr().err
    )
    assert cli_main(["--la-code", "E09999999"]) == 1
    assert "E09999999 is not in the published scorecard" in capsys.readouterr().err
    assert cli_main(["--la-code", LA, "--month", "March"]) == 1
    assert "YYYY-MM" in capsys.readouterr().err
    with pytest.raises(ReportError, match="no publication"):
        load_scorecard(tmp_path / "nowhere", LA)


def test_after_publication_renders_every_council(published, tmp_path):
    rendered = after_publication(published, tmp_path / "reports", LAST)
    assert [(r.la_code, r.reporting_month) for r in rendered] == [(LA2, add_months(LAST, -1)), (LA, LAST)]
    for r in rendered:
        assert r.html.parent == tmp_path / "reports" / r.la_code and r.html.is_file() and r.xlsx.is_file()
    assert (tmp_path / "reports" / LEDGER_FILE).is_file()


def test_after_publication_in_worker_processes_renders_the_same_files(published, tmp_path, monkeypatch):
    alone = after_publication(published, tmp_path / "alone", LAST)
    monkeypatch.setattr("reporting.render.COUNCILS_PER_WORKER", 1)  # two councils: two spawned workers
    monkeypatch.setattr("reporting.render.os.cpu_count", lambda: 2)
    pooled = after_publication(published, tmp_path / "pooled", LAST)
    assert [(r.la_code, r.reporting_month, r.restatements) for r in pooled] == [
        (r.la_code, r.reporting_month, r.restatements) for r in alone
    ]
    for a, b in zip(alone, pooled, strict=True):
        assert b.html.parent == tmp_path / "pooled" / b.la_code
        assert b.html.read_bytes() == a.html.read_bytes()
        assert b.xlsx.is_file()


def test_data_dictionary_is_generated_from_the_catalogue():
    cat = read_catalogue()
    assert DICTIONARY.read_text(encoding="utf-8") == render(cat), "run python -m reporting.data_dictionary"
    sources = source_lists(cat)
    assert all(sources[row["code"]] for row in cat)  # every indicator names where it comes from
    assert sources["M3"] == ["Annex A List 1 (contacts)", "Annex A List 3 (referrals)"]
    assert "SSDA903 episodes" in sources["EH2"] and "Annex A List 7 (child protection)" in sources["EH2"]
    assert "population aged 0-17 (ONS mid-year estimate)" in sources["CP2NI"]
    text = DICTIONARY.read_text(encoding="utf-8")
    for row in cat:
        assert f"### {row['code']}\n" in text
    assert "| Numerator | M2 |" in text and "| Denominator | M1 |" in text


# ---------------------------------------------------------------------------------------------- commentary
FOSTER_CARERS = [
    ["Household ID", "Approval Date", "Deregistration Date", "Provider"],
    ["H1", "01/01/2020", "", "IN_HOUSE"],
]


def test_commentary_month_must_exist_and_text_is_kept_verbatim(landing, ingest_settings):
    """Ingest (ingest/load.py) keeps commentary text as written; rendering escapes it (tests above)."""
    from conftest import write_extract

    from ingest.load import ingest_landing

    write_extract(landing, LA, "2024-03", {"local/foster_carers.csv": FOSTER_CARERS})  # months to 2024-03
    cdir = landing / LA / "commentary"
    cdir.mkdir(parents=True)
    (cdir / "2024-13.csv").write_text("code,commentary\nM1,ok\n")
    (cdir / "2024-03.csv").write_text(f'code,commentary\nM1,"{SCRIPT}"\n', encoding="utf-8")
    report = ingest_landing(ingest_settings)
    status = {c.file: (c.status, c.message) for c in report.commentary}
    assert status[f"{LA}/commentary/2024-13.csv"][0] == "rejected"
    assert "YYYY-MM" in status[f"{LA}/commentary/2024-13.csv"][1]
    assert status[f"{LA}/commentary/2024-03.csv"][0] == "loaded"
    with duckdb.connect(str(ingest_settings.warehouse_path), read_only=True) as con:
        assert con.execute("select commentary from raw.commentary").fetchall() == [(SCRIPT,)]
