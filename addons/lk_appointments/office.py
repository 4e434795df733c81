# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from zoneinfo import ZoneInfo

from trytond.model import fields
from trytond.modules.lk_base import workcalendar as calendar
from trytond.pool import Pool, PoolMeta

# a shortened pre-holiday day closes one hour earlier (ТК РФ, ст. 95)
SHORTENED_BY = dt.timedelta(hours=1)


class Office(metaclass=PoolMeta):
    __name__ = 'lk.office'

    appointment_offers = fields.One2Many(
        'lk.appointment.offer', 'office', "Services")
    appointment_schedule = fields.One2Many(
        'lk.appointment.schedule', 'office', "Weekly Schedule")
    appointment_exceptions = fields.One2Many(
        'lk.appointment.exception', 'office', "Exceptions")

    @property
    def tzinfo(self):
        "The time zone of the office: its branch's"
        return ZoneInfo(self.branch.timezone or 'UTC')

    def to_local(self, utc):
        "The naive UTC timestamp as a naive local time of the office"
        return utc.replace(tzinfo=dt.timezone.utc).astimezone(
            self.tzinfo).replace(tzinfo=None)

    def to_utc(self, local):
        "The naive local time of the office as a naive UTC timestamp"
        return local.replace(tzinfo=self.tzinfo).astimezone(
            dt.timezone.utc).replace(tzinfo=None)

    def today(self, utc_now):
        return self.to_local(utc_now).date()

    def opening_intervals(self, date):
        """The (start, end) local times the office receives clients on date:
        the weekly schedule less its breaks, after the production calendar
        and the office's exceptions"""
        return self.opening_days(date, date)[date]

    def opening_days(self, first, last):
        """{date: opening intervals} of the local dates first to last: the
        weekly schedule and the exceptions of the range read at once"""
        pool = Pool()
        Schedule = pool.get('lk.appointment.schedule')
        Exception_ = pool.get('lk.appointment.exception')
        lines = Schedule.search([('office', '=', self.id)])
        exceptions = {e.date: e for e in Exception_.search([
                    ('office', '=', self.id),
                    ('date', '>=', first),
                    ('date', '<=', last),
                    ])}
        return {date: day_intervals(date, lines, exceptions.get(date))
            for date in dates(first, last)}


def dates(first, last):
    "The dates from first to last"
    return [first + dt.timedelta(days=i)
        for i in range((last - first).days + 1)]


def day_intervals(date, lines, exception=None):
    """The (start, end) local times of date of an office with the weekly
    schedule lines (with weekday, start, end, break_start, break_end) and
    the exception of the date (with kind and end) or None: the schedule
    less its breaks, after the production calendar and the exception"""
    if exception and exception.kind == 'closed':
        return []
    weekday = date.weekday()
    if calendar.is_working_day(date):
        if weekday >= 5:
            # a weekend made a working day by a transfer is worked as
            # the first working weekday of the schedule
            weekday = min(
                (int(line.weekday) for line in lines
                    if int(line.weekday) < 5), default=weekday)
    elif weekday < 5 or calendar.is_holiday(date):
        # a holiday or a day off of a transfer
        if not exception:
            return []
    intervals = []
    for line in sorted((l for l in lines if int(l.weekday) == weekday),
            key=lambda l: l.start):
        if line.break_start and line.break_end:
            intervals += [(line.start, line.break_start),
                (line.break_end, line.end)]
        else:
            intervals.append((line.start, line.end))
    if not intervals:
        return []
    close = intervals[-1][1]
    if exception and exception.kind == 'shortened':
        close = exception.end
    elif calendar.is_shortened_day(date):
        close = (dt.datetime.combine(date, close) - SHORTENED_BY).time()
    return [(s, min(e, close)) for s, e in intervals if s < close]
