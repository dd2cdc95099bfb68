"""The scorecard as an XLSX workbook laid out like the board pack (xlsxwriter).

Sheet ``Scorecard``: one band row per section, one row per indicator with the same columns as the HTML
(outcome in its own column). Figures are numbers with the scorecard's formats (``0.0`` for percentages,
``0`` for counts and rates, so Excel rounds half away from zero as the HTML does); no data is the text ``-``;
changes are the printed text (``+6%``, ``n/a``) with their arrow. Trend sparklines are native Excel
sparklines over a hidden sheet that holds the 13 values with blanks (gaps) for no data. Sheet
``Restatements`` lists the figures changed since first published. Prints A4 landscape, one page wide.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from reporting.formatting import NO_DATA, arrow_glyph, month_label, month_title
from reporting.scorecard import Scorecard, load_scorecard

SHEET = "Scorecard"
TREND_SHEET = "trend_data"
RESTATED_SHEET = "Restatements"
HEADER_ROW = 4  # 0-based row of the column headings; the first section band follows
FIXED_HEADINGS = ["Code", "Indicator", "Outcome"]
AFTER_MONTHS = [
    "Trend",
    "Change on last month",
    "",
    "Change on last year",
    "",
    "DoT",
    "12m avg",
    "12m max",
    "Percentage?",
    "Stat. neighbours",
    "England",
    "Region",
]


def column_headings(card: Scorecard) -> list[str]:
    """The headings of the Scorecard sheet, left to right (the test reads cells by these)."""
    return (
        FIXED_HEADINGS
        + [month_label(m) for m in card.months]
        + AFTER_MONTHS
        + [f"Target {label}" for label in card.target_labels]
        + ["Commentary"]
    )


def render_xlsx(
    published_dir: Path,
    la_code: str,
    month: str | None,
    out_path: Path,
    *,
    ledger_dir: Path | None = None,
    card: Scorecard | None = None,
) -> Path:
    """Write the scorecard of ``la_code`` for ``month`` (YYYY-MM, default latest) to ``out_path``."""
    card = card or load_scorecard(published_dir, la_code, month, ledger_dir=ledger_dir)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.tmp.xlsx")
    write_workbook(card, tmp)
    tmp.replace(out_path)
    return out_path


def write_workbook(card: Scorecard, path: Path) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    try:
        _write(wb, card)
    finally:
        wb.close()


def _write(wb: xlsxwriter.Workbook, card: Scorecard) -> None:
    wb.set_properties(
        {
            "title": f"Children and Families scorecard {card.la_name} {month_title(card.reporting_month)}",
            "subject": f"{card.la_code} {card.reporting_month:%Y-%m}",
            "comments": "Rendered from the published scorecard mart",
        }
    )
    base = {"font_name": "Arial", "font_size": 8, "valign": "top", "border": 1, "border_color": "#B8C0CC"}
    fmt = {
        "title": wb.add_format(
            {"font_name": "Arial", "bold": True, "font_size": 14, "font_color": "#1D3557"}
        ),
        "sub": wb.add_format({"font_name": "Arial", "font_size": 9}),
        "group": wb.add_format(
            {**base, "bold": True, "bg_color": "#457B9D", "font_color": "#FFFFFF", "align": "center"}
        ),
        "head": wb.add_format(
            {
                **base,
                "bold": True,
                "bg_color": "#1D3557",
                "font_color": "#FFFFFF",
                "align": "center",
                "valign": "bottom",
                "text_wrap": True,
            }
        ),
        "section": wb.add_format(
            {**base, "bold": True, "font_size": 10, "bg_color": "#E8EEF5", "font_color": "#1D3557"}
        ),
        "code": wb.add_format({**base, "bold": True}),
        "text": wb.add_format({**base, "text_wrap": True}),
        "outcome": wb.add_format({**base, "text_wrap": True, "italic": True, "font_color": "#555555"}),
        "pct": wb.add_format({**base, "num_format": "0.0"}),
        "int": wb.add_format({**base, "num_format": "0"}),
        "pct_now": wb.add_format({**base, "num_format": "0.0", "bold": True}),
        "int_now": wb.add_format({**base, "num_format": "0", "bold": True}),
        "nodata": wb.add_format({**base, "align": "center", "font_color": "#777777"}),
        "right": wb.add_format({**base, "align": "right"}),
        "centre": wb.add_format({**base, "align": "center"}),
        "note": wb.add_format(
            {"font_name": "Arial", "font_size": 8, "italic": True, "font_color": "#444444"}
        ),
        "cell": wb.add_format({"font_name": "Arial", "font_size": 8}),
        "bold": wb.add_format({"font_name": "Arial", "font_size": 8, "bold": True}),
    }
    ws = wb.add_worksheet(SHEET)
    trend_ws = wb.add_worksheet(TREND_SHEET)
    headings = column_headings(card)
    n_months = len(card.months)
    first_month_col = len(FIXED_HEADINGS)
    spark_col = first_month_col + n_months

    ws.write(0, 0, "Children and Families scorecard", fmt["title"])
    published = f" · published {card.published_at:%d %b %Y %H:%M} UTC" if card.published_at else ""
    ws.write(
        1,
        0,
        f"{card.la_name} ({card.la_code}) · reporting month {month_title(card.reporting_month)}{published}",
        fmt["sub"],
    )
    ws.write(2, 0, f"No data is shown as {NO_DATA}. Local: no national equivalent.", fmt["note"])
    # group headings
    ws.merge_range(3, first_month_col, 3, spark_col - 1, "Monthly values", fmt["group"])
    ws.merge_range(3, spark_col + 1, 3, spark_col + 2, "Change on last month", fmt["group"])
    ws.merge_range(3, spark_col + 3, 3, spark_col + 4, "Change on last year", fmt["group"])
    bench_col = headings.index("Stat. neighbours")
    ws.merge_range(3, bench_col, 3, bench_col + 2, card.benchmark_label, fmt["group"])
    ws.merge_range(3, bench_col + 3, 3, bench_col + 5, "Targets", fmt["group"])
    for col, heading in enumerate(headings):
        ws.write(HEADER_ROW, col, heading, fmt["head"])

    widths = [10, 42, 42] + [6.5] * n_months + [14, 8, 3, 8, 3, 5, 7, 7, 6, 8, 8, 8, 8, 8, 8, 40]
    for col, width in enumerate(widths[: len(headings)]):
        ws.set_column(col, col, width)

    row = HEADER_ROW + 1
    for name, rows in card.sections:
        ws.merge_range(row, 0, row, len(headings) - 1, name, fmt["section"])
        row += 1
        for r in rows:
            num, num_now = (fmt["pct"], fmt["pct_now"]) if r.is_percentage else (fmt["int"], fmt["int_now"])
            ws.write_string(row, 0, r.code, fmt["code"])
            ws.write_string(row, 1, r.title, fmt["text"])
            ws.write_string(row, 2, r.outcome, fmt["outcome"])
            for i, cell in enumerate(r.trend):
                col = first_month_col + i
                if cell.value is None:
                    ws.write_string(row, col, NO_DATA, fmt["nodata"])
                else:
                    ws.write_number(row, col, cell.value, num_now if i == n_months - 1 else num)
                    trend_ws.write_number(row, i, cell.value)
            first = xl_rowcol_to_cell(row, 0, row_abs=True, col_abs=True)
            last = xl_rowcol_to_cell(row, n_months - 1, row_abs=True, col_abs=True)
            ws.add_sparkline(
                row,
                spark_col,
                {
                    "range": f"'{TREND_SHEET}'!{first}:{last}",
                    "markers": False,
                    "last_point": True,
                    "empty_cells": "gaps",
                    "series_color": "#1D3557",
                    "last_color": "#E63946",
                },
            )
            col = spark_col + 1
            for text, arrow in (
                (r.change_prev_month_display, r.change_prev_month_arrow),
                (r.change_prev_year_display, r.change_prev_year_arrow),
            ):
                ws.write_string(row, col, text, fmt["right"])
                ws.write_string(row, col + 1, arrow_glyph(arrow), fmt["centre"])
                col += 2
            ws.write_string(row, col, r.desired_direction, fmt["centre"])
            col += 1
            for value in (r.avg_12m, r.max_12m):
                _figure(ws, row, col, value, NO_DATA, num, fmt)
                col += 1
            ws.write_string(row, col, r.percentage_flag, fmt["centre"])
            col += 1
            for b in r.benchmarks:
                _figure(ws, row, col, b.value, b.display, num, fmt)
                col += 1
            for t in r.targets:
                _figure(ws, row, col, t.value, NO_DATA, num, fmt)
                col += 1
            ws.write_string(row, col, r.commentary or "", fmt["text"])
            row += 1

    ws.freeze_panes(HEADER_ROW + 1, len(FIXED_HEADINGS) - 1)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.25, right=0.25, top=0.4, bottom=0.4)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(3, HEADER_ROW)
    ws.set_footer(f"&L{card.la_name} scorecard {month_title(card.reporting_month)}&RPage &P of &N")
    ws.activate()
    trend_ws.hide()

    rs = wb.add_worksheet(RESTATED_SHEET)
    rs.write(0, 0, "Figures changed since they were first published", fmt["bold"])
    heads = ["Code", "Indicator", "Month", "First published", "Now", "First published on"]
    for col, head in enumerate(heads):
        rs.write(1, col, head, fmt["bold"])
    for i, s in enumerate(card.restatements, start=2):
        rs.write_string(i, 0, s.code, fmt["cell"])
        rs.write_string(i, 1, s.title, fmt["cell"])
        rs.write_string(i, 2, month_label(s.month), fmt["cell"])
        rs.write_string(i, 3, s.first_display, fmt["cell"])
        rs.write_string(i, 4, s.current_display, fmt["cell"])
        rs.write_string(i, 5, f"{s.first_published_at:%d %b %Y}" if s.first_published_at else "", fmt["cell"])
    if not card.restatements:
        rs.write(2, 0, "No figure on the scorecard has changed since it was first published.", fmt["cell"])
    rs.set_column(1, 1, 60)
    rs.set_column(3, 5, 16)


def _figure(ws, row: int, col: int, value: float | None, text: str, num_format, fmt) -> None:
    """A number with the indicator's format, or the text shown instead (``-``, ``Local``)."""
    if value is None:
        ws.write_string(row, col, text, fmt["nodata"])
    else:
        ws.write_number(row, col, value, num_format)
