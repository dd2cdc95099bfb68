{#-
  Scorecard display rounding (scorecard_rules.md: "Display rounding is half away from zero (as in Excel)").

  Binary doubles cannot hold most decimal fractions: 22.65 is stored as 22.6499999999999986, so rounding the
  double itself (DuckDB round(22.65, 1) = 22.6) rounds the wrong way. We first snap the double to 9 decimal
  places (a DECIMAL(38, 9) cast, which rounds to nearest), which recovers the decimal figure the double stands
  for, then round that DECIMAL, which DuckDB does half away from zero (104.5 -> 105, -2.5 -> -3).
  Scorecard figures (counts, percents, rates, relative changes) are far inside DECIMAL(38, 9)'s range (1e29)
  and no figure is meaningful beyond 9 decimal places, so the snap never changes a real figure.
-#}

{% macro snap_decimal(expr) -%}
    cast(cast({{ expr }} as double) as decimal(38, 9))
{%- endmacro %}

{#- Round half away from zero to `digits` decimals; returns DECIMAL(38, digits) (NULL stays NULL). -#}
{% macro round_half_away_from_zero(expr, digits) -%}
    cast(round({{ snap_decimal(expr) }}, {{ digits }}) as decimal(38, {{ digits }}))
{%- endmacro %}

{#-
  Display text of a figure: 1 decimal for percent indicators, 0 for counts and rates, '-' for no data.
  `is_percentage` is a boolean SQL expression.
-#}
{% macro display_figure(expr, is_percentage) -%}
    case
        when {{ expr }} is null then '-'
        when {{ is_percentage }} then cast({{ round_half_away_from_zero(expr, 1) }} as varchar)
        else cast({{ round_half_away_from_zero(expr, 0) }} as varchar)
    end
{%- endmacro %}
