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
        pool = Pool()
        Exception_ = pool.get('lk.appointment.exception')
        exceptions = Exception_.search([
                ('office', '=', self.id),
                ('date', '=', date),
                ], limit=1)
        exception = exceptions[0] if exceptions else None
        if exception and exception.kind == 'closed':
            return []
        weekday = date.weekday()
        if calendar.is_working_day(date):
            if weekday >= 5:
                # a weekend made a working day by a transfer is worked as
                # the first working weekday of the schedule
                weekday = min(
                    (int(line.weekday) for line in self.appointment_schedule
                        if int(line.weekday) < 5), default=weekday)
        elif weekday < 5 or calendar.is_holiday(date):
            # a holiday or a day off of a transfer
            if not exception:
                return []
        lines = [l for l in self.appointment_schedule
            if int(l.weekday) == weekday]
        intervals = []
        for line in sorted(lines, key=lambda l: l.start):
            intervals.extend(line.intervals())
        if not intervals:
            return []
        close = intervals[-1][1]
        if exception and exception.kind == 'shortened':
            close = exception.end
        elif calendar.is_shortened_day(date):
            close = (dt.datetime.combine(date, close)
                - SHORTENED_BY).time()
        return [(s, min(e, close)) for s, e in intervals if s < close]
