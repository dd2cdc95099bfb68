-- One row per date. Working days from A to B = working_day_index(B) - working_day_index(A)
-- = numpy.busday_count(A, B, holidays=England and Wales bank holidays): the working days d with A <= d < B.

with

bounds as (

    select * from {{ ref('int_calendar_bounds') }}

),

bank_holidays as (

    select
        holiday_date,
        string_agg(holiday_name, '; ' order by holiday_name) as holiday_name
    from {{ ref('int_bank_holidays') }}
    group by holiday_date

),

days as (

    select unnest(generate_series(bounds.first_date, bounds.last_date, interval 1 day))::date as date_day
    from bounds

),

flagged as (

    select
        days.date_day,
        date_trunc('month', days.date_day)::date as month,
        last_day(days.date_day) as month_end,
        year(days.date_day) as year,
        isodow(days.date_day) as iso_day_of_week,
        isodow(days.date_day) >= 6 as is_weekend,
        bank_holidays.holiday_date is not null as is_bank_holiday,
        bank_holidays.holiday_name as bank_holiday_name
    from days
    left join bank_holidays on days.date_day = bank_holidays.holiday_date

),

indexed as (

    select
        *,
        not is_weekend and not is_bank_holiday as is_working_day
    from flagged

),

final as (

    select
        *,
        -- working days strictly before this date
        coalesce(
            sum(case when is_working_day then 1 else 0 end) over (
                order by date_day rows between unbounded preceding and 1 preceding
            ),
            0
        ) as working_day_index,
        -- first working day strictly after this date (a gap of non-working days is never longer than 10)
        min(case when is_working_day then date_day end) over (
            order by date_day rows between 1 following and 10 following
        ) as next_working_day
    from indexed

)

select * from final
