{#-
  Relative change of the scorecard (scorecard_rules.md, "Derived columns"): (new - old) / old x 100, also for
  percent indicators (20.0 -> 18.0 is -10%, not -2 points). NULL ("n/a") when old is 0 or missing, or new is
  missing. Computed from unrounded values.
-#}
{% macro change_pct(new_value, old_value) -%}
    case
        when {{ new_value }} is null or {{ old_value }} is null or {{ old_value }} = 0 then null
        else ({{ new_value }} - {{ old_value }}) / {{ old_value }} * 100
    end
{%- endmacro %}

{#- Display of a relative change: whole percent, half away from zero, signed ('-8%', '+6%', '0%'), or
    'n/a'. -#}
{% macro change_display(change) -%}
    case
        when {{ change }} is null then 'n/a'
        when {{ round_half_away_from_zero(change, 0) }} > 0
            then '+' || cast({{ round_half_away_from_zero(change, 0) }} as varchar) || '%'
        else cast({{ round_half_away_from_zero(change, 0) }} as varchar) || '%'
    end
{%- endmacro %}

{#-
  Arrow of a relative change: 'up' when the unrounded change is +10% or more, 'down' when -10% or less,
  otherwise 'similar'; NULL when the change is n/a. The change is snapped to 9 decimals first (see
  snap_decimal) so that a change that is exactly 10% in decimal terms but 9.999999999999993 in binary
  floating point (45.5 -> 50.05) still counts as +10%.
-#}
{% macro arrow(change) -%}
    case
        when {{ change }} is null then null
        when {{ snap_decimal(change) }} >= 10 then 'up'
        when {{ snap_decimal(change) }} <= -10 then 'down'
        else 'similar'
    end
{%- endmacro %}
