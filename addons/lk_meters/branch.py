# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from zoneinfo import ZoneInfo

from trytond.i18n import gettext
from trytond.model import fields
from trytond.model.exceptions import ValidationError
from trytond.pool import PoolMeta

from trytond.modules.lk_base import clock


class Branch(metaclass=PoolMeta):
    __name__ = 'lk.branch'

    meter_window_start = fields.Integer(
        "Readings From Day", required=True,
        help="The first day of the month the readings of the month are "
        "taken on.")
    meter_window_end = fields.Integer(
        "Readings To Day", required=True,
        help="The last day of the month the readings of the month are "
        "taken on: later ones count for the next month.")

    @staticmethod
    def default_meter_window_start():
        return 15

    @staticmethod
    def default_meter_window_end():
        return 25

    @classmethod
    def validate_fields(cls, branches, field_names):
        super().validate_fields(branches, field_names)
        if field_names & {'meter_window_start', 'meter_window_end'}:
            for branch in branches:
                if not (1 <= branch.meter_window_start
                        <= branch.meter_window_end <= 28):
                    raise ValidationError(gettext(
                            'lk_meters.msg_branch_window_invalid',
                            branch=branch.rec_name))

    def local_today(self):
        "Today in the branch's time zone"
        now = clock.utcnow().replace(tzinfo=dt.timezone.utc)
        return now.astimezone(ZoneInfo(self.timezone)).date()

    def reading_period(self, day):
        """The period (first day of its month) a reading of day counts for
        and whether day is outside the window of its month"""
        first = day.replace(day=1)
        if day.day > self.meter_window_end:
            first = (first + dt.timedelta(days=32)).replace(day=1)
        outside = not (
            self.meter_window_start <= day.day <= self.meter_window_end)
        return first, outside
