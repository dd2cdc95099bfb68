{#-
    Long rows (la_code, month, indicator_code, numerator, denominator) from a wide per-(council, month)
    relation. `indicators` is a list of [code, numerator expression, denominator expression or none].
    Counts and rates carry the count as numerator and no denominator (scorecard_monthly adds the population
    for rates and clears the numerator of counts).
-#}
{% macro indicator_rows(relation, indicators) -%}
    {%- for code, numerator, denominator in indicators %}
    select
        la_code,
        month,
        '{{ code }}' as indicator_code,
        cast({{ numerator }} as double) as numerator,
        cast({{ denominator if denominator else 'null' }} as double) as denominator
    from {{ relation }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
