{#- Generic data tests of this project (no package dependencies, the build runs offline). -#}

{#- No two rows share the values of `columns`. -#}
{% test unique_combination(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as n_rows
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{#- `column_name` is NULL if and only if `reason_column` is not NULL. -#}
{% test null_iff_reason(model, column_name, reason_column) %}
    select *
    from {{ model }}
    where ({{ column_name }} is null) <> ({{ reason_column }} is not null)
{% endtest %}
