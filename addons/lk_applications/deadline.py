# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import re
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from trytond.i18n import gettext
from trytond.model import (
    MatchMixin, ModelSQL, ModelView, fields, sequence_ordered)
from trytond.modules.lk_base import workcalendar
from trytond.pool import Pool

from .kind import CATEGORIES

# the marker of a figure DOMAIN.md says to verify: staff see it, clients
# and printed documents do not
_TO_VERIFY = re.compile(r'\s*\((?:проверить|verify)\)', re.IGNORECASE)


def public_basis(text):
    "The legal basis of a deadline rule as clients and documents show it"
    if text:
        return _TO_VERIFY.sub('', text).strip() or None


EVENTS = [
    ('review', "Review of the Application"),
    ('notice', "Notice of Missing Documents"),
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
    max_voltage = fields.Numeric(
        "Up to Voltage (kV)", digits=(16, 2),
        help="Only for applications at this voltage class or below; "
        "empty for any voltage.")
    max_distance = fields.Integer(
        "Up to Distance (m)",
        help="Only when the existing network of the voltage class is at "
        "most this far from the plot; empty for any distance.")
    location = fields.Selection(
        'get_locations', "Location",
        help="Only for objects in a town or in a rural area; empty for "
        "both.")
    without_land_issues = fields.Boolean(
        "Without Land Issues Only",
        help="Only when the connection needs no land of other owners.")
    public_procurement = fields.Boolean(
        "Public Procurement Customers Only",
        help="Only for clients buying under the public procurement law.")
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

    @classmethod
    def get_locations(cls):
        pool = Pool()
        Application = pool.get('lk.application')
        return Application.fields_get(['location'])['location']['selection']

    def match_application(self, application):
        "Whether the conditions of the rule on the application's data hold"
        if self.max_voltage is not None and (not application.voltage
                or Decimal(application.voltage) > self.max_voltage):
            return False
        if self.max_distance is not None and (
                application.network_distance is None
                or application.network_distance > self.max_distance):
            return False
        if self.location and application.location != self.location:
            return False
        if self.without_land_issues and application.land_issues:
            return False
        if self.public_procurement and not (
                application.party.public_procurement):
            return False
        return True

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
            if rule.match(pattern) and rule.match_application(application):
                return rule

    @classmethod
    def compute(cls, application, event, start):
        "The deadline of event from start and the rule it comes from"
        rule = cls.get_rule(application, event)
        if rule:
            return rule.add_to(start), rule
        return None, None

    @property
    def term(self):
        "The duration with its unit, as people read it"
        return gettext('lk_applications.msg_deadline_term_%s' % self.unit,
            duration=self.duration)

