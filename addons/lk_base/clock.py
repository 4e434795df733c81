# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The clock of the lk modules and the backoff of their outbound queues.

Code calls `clock.utcnow()` (not a copy of it), so that a test moves the
time of every module by patching `trytond.modules.lk_base.clock.utcnow`.
"""
import datetime as dt


def utcnow():
    "Now in naive UTC, as Tryton stores timestamps"
    return dt.datetime.now()


def today():
    "The date of utcnow()"
    return utcnow().date()


def backoff(attempts, first, longest):
    "The wait after the n-th failed attempt: first, 2 × first, 4 × first …"
    return min(first * 2 ** (max(attempts, 1) - 1), longest)
