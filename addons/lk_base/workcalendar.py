# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Working days on the Russian production calendar.

The `holidays` package knows the official holiday transfers (it gets
2025–2026 right, unlike workalendar): a day is a working day when it is
neither a weekend nor a holiday, and a Saturday made a working day by a
transfer counts as one. A non-working holiday (Трудовой кодекс РФ,
ст. 112) shortens the working day before it by one hour (ст. 95).

The public helpers: `is_working_day`, `is_holiday`, `is_shortened_day`,
`add_working_days`, `working_days_between`.
"""
import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=16)
def _russia(year):
    return holidays.country_holidays('RU', years=[year])


@lru_cache(maxsize=16)
def _working_weekends(year):
    calendar = _russia(year)
    getter = getattr(calendar, 'weekend_workdays', None)
    return frozenset(getter or ())


def is_working_day(date):
    if date in _working_weekends(date.year):
        return True
    return date.weekday() < 5 and date not in _russia(date.year)


def is_holiday(date):
    """Whether date is a non-working holiday of ст. 112 (not a day off a
    transfer moved there, which shortens nothing)"""
    name = _russia(date.year).get(date)
    if not name:
        return False
    # the names are in English: «Day off (substituted from …)», «… (observed)»
    lowered = name.lower()
    return not any(w in lowered for w in ('day off', 'observed'))


def is_shortened_day(date):
    "Whether date is a working day right before a non-working holiday"
    return is_working_day(date) and is_holiday(date + dt.timedelta(days=1))


def add_working_days(date, days):
    "Return the date `days` working days after `date`"
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    while remaining:
        date += dt.timedelta(days=step)
        if is_working_day(date):
            remaining -= 1
    return date


def working_days_between(start, end):
    "Count working days after `start` up to and including `end`"
    count, date = 0, start
    while date < end:
        date += dt.timedelta(days=1)
        if is_working_day(date):
            count += 1
    return count
