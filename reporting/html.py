"""The scorecard as a single self-contained HTML file laid out like a council's board pack.

Inline CSS and inline SVG sparklines only: no script, no web font, no image file, nothing fetched. Prints to
A4 landscape (the column header repeats on every page). Every text from the data (titles, outcomes,
commentary) goes through Jinja's autoescaping, so commentary containing markup appears as text.
"""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2

from reporting.formatting import NO_DATA, arrow_glyph, month_label, month_title
from reporting.scorecard import Scorecard, load_scorecard
from reporting.sparkline import sparkline_svg

MARK_TEXT = {
    "met": "target met",
    "missed": "target missed",
    "better": "better than the benchmark",
    "worse": "worse than the benchmark",
    "level": "level with the benchmark",
}

TEMPLATE = r"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="csc-scorecard-warehouse reporting">
<title>Children and Families scorecard – {{ card.la_name }} – {{ title_month }}</title>
<style>
@page { size: A4 landscape; margin: 7mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, Helvetica, sans-serif; font-size: 6.3pt; color: #111;
       margin: 0; padding: 3mm; }
main.page { width: 283mm; }
@media print { body { padding: 0; } }
header.pack { display: flex; justify-content: space-between; align-items: flex-end;
              border-bottom: 2px solid #1d3557; padding-bottom: 1.5mm; margin-bottom: 2mm; }
header.pack h1 { font-size: 12pt; margin: 0; color: #1d3557; }
header.pack .sub { font-size: 7.5pt; color: #333; margin-top: 0.8mm; }
header.pack .meta { text-align: right; font-size: 6pt; color: #555; }
.legend { font-size: 6pt; margin: 0 0 2mm 0; display: flex; gap: 4mm; flex-wrap: wrap; align-items: center; }
.legend span.key { display: inline-block; padding: 0 1.2mm; border-radius: 1px; }
table.scorecard { border-collapse: collapse; table-layout: fixed; width: 283mm; }
table.scorecard th, table.scorecard td { border: 0.5px solid #b8c0cc; padding: 0.5mm 0.6mm;
                                         vertical-align: top; }
table.scorecard thead th { background: #1d3557; color: #fff; font-weight: 600; text-align: center;
                           vertical-align: bottom; font-size: 5.8pt; }
table.scorecard thead tr.group th { background: #457b9d; }
tbody.section tr.section-band th { background: #e8eef5; text-align: left; padding: 1mm; border-left: 0;
                                   border-right: 0; }
tbody.section h2 { font-size: 8.5pt; margin: 0; color: #1d3557; }
tbody.section tr { break-inside: avoid; page-break-inside: avoid; }
tr.section-band { break-after: avoid; page-break-after: avoid; }
td.code { font-weight: 700; overflow-wrap: anywhere; }
td.indicator .title { font-weight: 600; }
td.indicator .outcome { color: #555; font-style: italic; font-size: 5.2pt; margin-top: 0.3mm;
                        line-height: 1.15; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.centre { text-align: center; }
td.current { font-weight: 700; }
td.nodata { color: #777; text-align: center; }
td.spark { padding: 0.3mm; text-align: center; vertical-align: middle; }
svg.spark .spark-line { fill: none; stroke: #1d3557; stroke-width: 1; }
svg.spark .spark-point { fill: #1d3557; }
svg.spark .spark-last { fill: #e63946; }
td.arrow { text-align: center; font-size: 7pt; padding-left: 0; padding-right: 0; }
td.commentary { white-space: pre-line; overflow-wrap: anywhere; font-size: 5.8pt; }
.mark-met, .mark-better { background: #d8efd3; }
.mark-missed, .mark-worse { background: #f7d4d7; }
.mark-level { background: #fdf0c4; }
td.marked::after { font-size: 5pt; margin-left: 0.4mm; }
td.mark-met.marked::after, td.mark-better.marked::after { content: "✓"; color: #1b7a2e; }
td.mark-missed.marked::after, td.mark-worse.marked::after { content: "✗"; color: #b3261e; }
td.mark-level.marked::after { content: "="; color: #8a6d00; }
section.restatements { margin-top: 3mm; break-inside: avoid; page-break-inside: avoid; }
section.restatements h2, section.notes h2 { font-size: 8.5pt; color: #1d3557; margin: 0 0 1mm 0; }
table.restated { border-collapse: collapse; font-size: 6.3pt; }
table.restated th, table.restated td { border: 0.5px solid #b8c0cc; padding: 0.5mm 1.5mm; text-align: left; }
table.restated th { background: #e8eef5; }
section.notes { margin-top: 3mm; font-size: 5.8pt; color: #444; }
section.notes ul { margin: 0; padding-left: 4mm; }
</style>
</head>
<body>
<main class="page">
{% macro cell(display, col, mark=None, title='', current=False, month=None, glyph=False) -%}
<td class="{{ 'nodata' if display == no_data else 'num' }}{{ ' current' if current }}
  {{- ' marked' if mark and glyph }}{{ ' mark-' ~ mark if mark }}" data-col="{{ col }}"
  {%- if month %} data-month="{{ month }}"{% endif %}{% if mark %} title="{{ title }}"{% endif %}>
  {{- display }}</td>
{%- endmacro %}
<header class="pack">
  <div>
    <h1>Children and Families scorecard</h1>
    <div class="sub">{{ card.la_name }} ({{ card.la_code }}) &middot; reporting month {{ title_month }}</div>
  </div>
  <div class="meta">
    {% if card.published_at %}Published {{ card.published_at.strftime("%d %b %Y %H:%M") }} UTC<br>{% endif %}
    {% if card.publication_id %}Publication {{ card.publication_id[:12] }}<br>{% endif %}
    {{ n_indicators }} indicators &middot; no data shown as {{ no_data }}
  </div>
</header>
<div class="legend" aria-label="legend">
  <strong>Marks</strong> (desired direction taken into account; none for context indicators):
  <span><span class="key mark-met">&nbsp;&nbsp;&nbsp;</span> month meets its financial year's target</span>
  <span><span class="key mark-missed">&nbsp;&nbsp;&nbsp;</span> misses it</span>
  <span>benchmarks and target: {{ month_short }} value <span class="key mark-better">✓ better</span>
    <span class="key mark-worse">✗ worse</span> <span class="key mark-level">= level</span></span>
  <span>Arrows: ↑ change of +10% or more, ↓ −10% or less, ↔ similar</span>
</div>
<table class="scorecard">
<colgroup>
  <col style="width:13mm"><col style="width:47mm">
  {% for m in card.months %}<col style="width:7mm">{% endfor %}
  <col style="width:12mm">
  <col style="width:8.2mm"><col style="width:3.4mm"><col style="width:8.2mm"><col style="width:3.4mm">
  <col style="width:5.6mm"><col style="width:7mm"><col style="width:7mm"><col style="width:4.4mm">
  <col style="width:7.2mm"><col style="width:7.2mm"><col style="width:7.2mm">
  <col style="width:7.8mm"><col style="width:7.8mm"><col style="width:7.8mm">
  <col>
</colgroup>
<thead>
  <tr class="group">
    <th colspan="2"></th>
    <th colspan="{{ card.months|length }}">Monthly values</th>
    <th></th>
    <th colspan="2">Change on last month</th>
    <th colspan="2">Change on last year</th>
    <th colspan="4"></th>
    <th colspan="3">{{ card.benchmark_label }}</th>
    <th colspan="3">Targets</th>
    <th></th>
  </tr>
  <tr>
    <th scope="col">Code</th>
    <th scope="col">Indicator / outcome</th>
    {% for m in card.months %}<th scope="col" class="month">{{ label(m) }}</th>{% endfor %}
    <th scope="col">Trend</th>
    <th scope="col">%</th><th scope="col"></th>
    <th scope="col">%</th><th scope="col"></th>
    <th scope="col" title="Desired direction">DoT</th>
    <th scope="col">12m avg</th>
    <th scope="col">12m max</th>
    <th scope="col" title="Percentage?">%?</th>
    <th scope="col" title="Statistical neighbour average">Stat. nbr</th>
    <th scope="col" title="England">Eng.</th>
    <th scope="col">Region</th>
    {% for t in target_labels %}<th scope="col">{{ t }}</th>{% endfor %}
    <th scope="col">Commentary</th>
  </tr>
</thead>
{% for name, rows in card.sections %}
<tbody class="section" id="section-{{ loop.index }}">
  <tr class="section-band"><th colspan="{{ n_columns }}" scope="colgroup"><h2>{{ name }}</h2></th></tr>
  {% for r in rows %}
  <tr class="indicator" data-code="{{ r.code }}" id="ind-{{ loop.index }}-{{ r.code|slug }}">
    <td class="code">{{ r.code }}</td>
    <td class="indicator"><div class="title">{{ r.title }}</div>
      <div class="outcome">{{ r.outcome }}</div></td>
    {% for c in r.trend %}
    {{ cell(c.display, 'month', c.mark, label(c.month) ~ ': ' ~ mark_text.get(c.mark, ''), loop.last,
            c.month.strftime('%Y-%m')) }}
    {% endfor %}
    <td class="spark">{{ spark(r) }}</td>
    <td class="num change" data-col="change_prev_month">{{ r.change_prev_month_display }}</td>
    <td class="arrow" data-col="change_prev_month_arrow" title="{{ r.change_prev_month_arrow or 'n/a' }}">
      {{- arrow(r.change_prev_month_arrow) }}</td>
    <td class="num change" data-col="change_prev_year">{{ r.change_prev_year_display }}</td>
    <td class="arrow" data-col="change_prev_year_arrow" title="{{ r.change_prev_year_arrow or 'n/a' }}">
      {{- arrow(r.change_prev_year_arrow) }}</td>
    <td class="centre" data-col="desired_direction" title="{{ r.polarity|replace('_', ' ') }}">
      {{- r.desired_direction }}</td>
    {{ cell(r.avg_12m_display, 'avg_12m') }}
    {{ cell(r.max_12m_display, 'max_12m') }}
    <td class="centre" data-col="percentage_flag">{{ r.percentage_flag }}</td>
    {% for b in r.benchmarks %}
    {{ cell(b.display, 'bench_' ~ b.key, b.mark, mark_text.get(b.mark, ''), glyph=True) }}
    {% endfor %}
    {% for t in r.targets %}
    {{ cell(t.display, 'target_' ~ loop.index0, t.mark, mark_text.get(t.mark, ''), glyph=True) }}
    {% endfor %}
    <td class="commentary" data-col="commentary">{{ r.commentary or '' }}</td>
  </tr>
  {% endfor %}
</tbody>
{% endfor %}
</table>
<section class="restatements" id="restatements">
  <h2>Restated figures</h2>
  {% if card.restatements %}
  <p>Figures on this page that changed since they were first published (later extracts corrected the
     records they count):</p>
  <table class="restated">
    <thead><tr><th>Code</th><th>Indicator</th><th>Month</th><th>First published</th><th>Now</th>
      <th>First published on</th></tr></thead>
    <tbody>
    {% for s in card.restatements %}
      <tr><td>{{ s.code }}</td><td>{{ s.title }}</td><td>{{ label(s.month) }}</td>
        <td>{{ s.first_display }}</td><td>{{ s.current_display }}</td>
        <td>{{ s.first_published_at.strftime('%d %b %Y') if s.first_published_at else '' }}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  {% else %}
  <p>No figure on this page has changed since it was first published.</p>
  {% endif %}
</section>
<section class="notes">
  <h2>Notes</h2>
  <ul>
    <li>Percentages to 1 decimal, counts and rates per 10,000 children aged 0-17 to whole numbers
        (half away from zero). “{{ no_data }}” means no data (a source list not supplied, too little history,
        a zero denominator); never 0.</li>
    <li>Changes are relative (also for percentages) and computed from unrounded values.
        12-month average and maximum cover {{ label(card.months[1]) }} to {{ label(card.months[-1]) }}.</li>
    <li>DoT is the desired direction of travel (▲ higher is better, ▼ lower is better, blank: context),
        not the direction the figure moved. %? shows P for percentage indicators.
        Local: the indicator has no national equivalent.</li>
  </ul>
</section>
</main>
</body>
</html>
"""


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text).strip("-").lower()


@functools.cache
def _template() -> jinja2.Template:
    """The compiled template, once per process instead of once per council."""
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    env.filters["slug"] = _slug
    return env.from_string(TEMPLATE)


def render_html_text(card: Scorecard) -> str:
    """The HTML of the scorecard, as a string."""
    template = _template()
    return template.render(
        card=card,
        title_month=month_title(card.reporting_month),
        month_short=month_label(card.reporting_month),
        target_labels=card.target_labels,
        n_indicators=len(card.rows),
        n_columns=2 + len(card.months) + 1 + 4 + 4 + 3 + 3 + 1,
        no_data=NO_DATA,
        mark_text=MARK_TEXT,
        label=month_label,
        arrow=arrow_glyph,
        spark=lambda r: sparkline_svg(
            r.values, label=f"{r.code} trend {month_label(card.months[0])} to {month_label(card.months[-1])}"
        ),
    )


def render_html(
    published_dir: Path,
    la_code: str,
    month: str | None,
    out_path: Path,
    *,
    ledger_dir: Path | None = None,
    card: Scorecard | None = None,
) -> Path:
    """Render the scorecard of ``la_code`` for ``month`` (YYYY-MM, default latest) to ``out_path``."""
    card = card or load_scorecard(published_dir, la_code, month, ledger_dir=ledger_dir)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.tmp")
    tmp.write_text(render_html_text(card), encoding="utf-8")
    tmp.replace(out_path)
    return out_path
