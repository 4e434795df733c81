# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from dateutil.relativedelta import relativedelta

from trytond.model import (
    MatchMixin, ModelSQL, ModelView, fields, sequence_ordered)
from trytond.modules.lk_base import workcalendar

from .kind import CATEGORIES

EVENTS = [
    ('review', "Review of the Application"),
    ('documents', "Completion of Documents by the Applicant"),
    ('contract', "Payment or Signature of the Contract"),
    ('execution', "Carrying Out the Connection"),
    ('check', "Check of the Fulfilled Technical Conditions"),
    ('acts', "Issue of the Acts"),
    ]


class DeadlineRule(sequence_ordered(), MatchMixin, ModelSQL, ModelView):
    __name__ = 'lk.application.deadline'
    __string__ = "Application Deadline Rule"

    event = fields.Selection(
        EVENTS, "Event", required=True, sort=False,
        help="What must be done by the deadline.")
    kind = fields.Many2One(
        'lk.application.kind', "Kind", ondelete='CASCADE',
        help="Empty for every kind.")
    category = fields.Selection(
        CATEGORIES, "Category", help="Empty for every category.")
    branch = fields.Many2One(
        'lk.branch', "Branch", ondelete='CASCADE',
        help="Empty for every branch.")
    duration = fields.Integer("Duration", required=True)
    unit = fields.Selection([
            ('working_days', "Working Days"),
            ('days', "Calendar Days"),
            ('months', "Months"),
            ], "Unit", required=True, sort=False,
        help="Working days follow the Russian production calendar; a "
        "deadline in days or months falling on a day off moves to the next "
        "working day.")
    legal_basis = fields.Char(
        "Legal Basis", translate=True,
        help="Where the value comes from; «(проверить)» marks values from "
        "secondary sources to check against the current law.")

    @staticmethod
    def default_unit():
        return 'working_days'

    def add_to(self, date):
        if self.unit == 'working_days':
            return workcalendar.add_working_days(date, self.duration)
        if self.unit == 'days':
            date += dt.timedelta(days=self.duration)
        else:
            date += relativedelta(months=self.duration)
        while not workcalendar.is_working_day(date):
            date += dt.timedelta(days=1)
        return date

    @classmethod
    def get_rule(cls, application, event):
        "The most specific rule: the first in sequence that matches"
        pattern = {
            'event': event,
            'kind': application.kind.id,
            'category': application.category,
            'branch': application.branch.id if application.branch else None,
            }
        for rule in cls.search([('event', '=', event)]):
            if rule.match(pattern):
                return rule

    @classmethod
    def compute(cls, application, event, start):
        rule = cls.get_rule(application, event)
        if rule:
            return rule.add_to(start)

