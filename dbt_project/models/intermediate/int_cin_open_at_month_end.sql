-- Children with a List 6 CIN episode open at a council month's end (start <= month end, closure empty or after).
--
-- A child's episodes may overlap, so each child's episodes are first merged into disjoint spells (the days
-- from a start up to, not including, a closure; an empty closure runs on). A month end then falls in at most
-- one spell of a child, so the join gives each (council, month, child) once with no DISTINCT over its
-- 19.5 M rows at England: that hash table, built beside dim_child's, ran dbt out of memory at 3GB.

with

months as (

    select * from {{ ref('int_council_months') }}

),

episodes as (

    select
        la_code,
        child_key,
        cin_start_date as spell_start,
        coalesce(cin_closure_date, date '9999-12-31') as spell_end
    from {{ ref('fct_cin_episodes') }}

),

-- an episode starts a new spell when it starts after every earlier episode of the child has closed
ordered as (

    select
        *,
        coalesce(
            spell_start > max(spell_end) over (
                partition by la_code, child_key
                order by spell_start, spell_end
                rows between unbounded preceding and 1 preceding
            ),
            true
        ) as starts_spell
    from episodes

),

numbered as (

    select
        *,
        count(*) filter (where starts_spell) over (
            partition by la_code, child_key
            order by spell_start, spell_end
            rows unbounded preceding
        ) as spell_number
    from ordered

),

spells as (

    select
        la_code,
        child_key,
        min(spell_start) as spell_start,
        max(spell_end) as spell_end
    from numbered
    group by la_code, child_key, spell_number

),

final as (

    select
        months.la_code,
        months.month,
        spells.child_key
    from months
    inner join spells
        on months.la_code = spells.la_code
        and spells.spell_start <= months.month_end
        and spells.spell_end > months.month_end

)

select * from final
