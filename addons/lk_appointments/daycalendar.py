# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The production calendar as an office's day sees it.

Working days come from lk_base's `workcalendar` (the `holidays` package,
which knows the official transfers); what an office adds is the
shortened pre-holiday day: the working day right before a non-working
holiday is one hour shorter (Трудовой кодекс РФ, ст. 95). A day the rule misses is given a
«shortened day» exception of the office."""
import datetime as dt

from trytond.modules.lk_base import workcalendar

SHORTENED_BY = dt.timedelta(hours=1)


def is_working_day(date):
    return workcalendar.is_working_day(date)


def is_holiday(date):
    """A non-working holiday of ст. 112 (not a day off moved there by a
    transfer, which shortens nothing)"""
    name = workcalendar._russia(date.year).get(date)
    if not name:
        return False
    # the names are in English: «Day off (substituted from …)», «… (observed)»
    lowered = name.lower()
    return not any(w in lowered for w in ('day off', 'observed'))


def is_shortened(date):
    "A working day right before a non-working holiday"
    return is_working_day(date) and is_holiday(date + dt.timedelta(days=1))
