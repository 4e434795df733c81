# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Readings of the registers and their hand-over to the billing system.

A client submits the readings of a meter once per period: the period
follows the submission window of the account's branch, a second
submission of the period replaces the first (which stays in the history
as «replaced»), and the form's idempotency token makes a retried POST
record nothing more. Every new reading is an event of the billing queue
(`lk_base.queue`), posted through the `billing` gateway.
"""
import datetime as dt
import json
import logging
import statistics
from decimal import Decimal

import httpx
from sql.operators import Equal

import trytond.config as config
from trytond.i18n import gettext
from trytond.model import (
    Check, Exclude, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import without_check_access

from trytond.modules.lk_base.operator import AuthorMixin
from trytond.modules.lk_applications.handover import signature
from trytond.modules.lk_base import clock, gateway
from trytond.modules.lk_base.queue import OutboundQueueMixin

from .exceptions import BillingError, ReadingValidationError

logger = logging.getLogger(__name__)

SOURCES = [
    ('customer', "Submitted by the Customer"),
    ('planned_check', "Technical Check (Planned)"),
    ('amr', "AMR"),
    ('control', "Control Reading"),
    ('calculated', "Calculated"),
    ]
READING_STATES = [
    ('valid', "Valid"),
    ('replaced', "Replaced"),
    ]


def month_add(day, months):
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


def high_factor():
    return Decimal(config.get('lk_meters', 'high_factor', default='3'))


class Reading(AuthorMixin, ModelSQL, ModelView):
    __name__ = 'lk.meter.reading'
    __string__ = "Meter Reading"

    register = fields.Many2One(
        'lk.meter.register', "Register", required=True, ondelete='CASCADE')
    meter = fields.Many2One(
        'lk.meter', "Meter", required=True, ondelete='CASCADE',
        readonly=True)
    value = fields.Numeric("Reading", digits=(16, 3), required=True)
    date = fields.Date("Date", required=True)
    period = fields.Date(
        "Period", required=True,
        help="The first day of the month the reading counts for.")
    source = fields.Selection(SOURCES, "Source", required=True, sort=False)
    source_string = source.translated('source')
    state = fields.Selection(
        READING_STATES, "State", required=True, readonly=True)
    state_string = state.translated('state')
    previous_value = fields.Numeric(
        "Previous Reading", digits=(16, 3), readonly=True)
    consumption = fields.Numeric(
        "Consumption (kWh)", digits=(16, 3), readonly=True,
        help="The difference with the previous reading times the "
        "multiplier of the register.")
    rollover = fields.Boolean(
        "Rollover", readonly=True,
        help="The register went over its digits and started again at zero.")
    late = fields.Boolean(
        "Outside the Window", readonly=True,
        help="Submitted outside the submission window of the branch: it "
        "counts for the next period.")
    replaced_by = fields.Many2One(
        'lk.meter.reading', "Replaced By", readonly=True,
        ondelete='SET NULL',
        states={'invisible': Eval('state') != 'replaced'})
    token = fields.Char(
        "Idempotency Key", readonly=True,
        help="The key of the form it was submitted with: the same form "
        "sent twice records once.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('meter')
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._sql_constraints += [
            ('value_positive', Check(t, t.value >= 0),
                'lk_meters.msg_reading_value_positive'),
            ('token_unique', Unique(t, t.token),
                'lk_meters.msg_reading_token_unique'),
            ('valid_unique',
                Exclude(t,
                    (t.register, Equal), (t.period, Equal),
                    (t.source, Equal),
                    where=t.state == 'valid'),
                'lk_meters.msg_reading_period_unique'),
            ]
        cls._sql_indexes.update({
                Index(t,
                    (t.register, Index.Equality()),
                    (t.period, Index.Range())),
                Index(t, (t.meter, Index.Range())),
                })

    @staticmethod
    def default_state():
        return 'valid'

    @staticmethod
    def default_source():
        return 'customer'

    @staticmethod
    def default_rollover():
        return False

    @staticmethod
    def default_late():
        return False

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Register = pool.get('lk.meter.register')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('register'):
            values['meter'] = Register(values['register']).meter.id
        return values

    @classmethod
    def on_modification(cls, mode, readings, field_names=None):
        pool = Pool()
        Event = pool.get('lk.meter.billing.event')
        super().on_modification(mode, readings, field_names=field_names)
        if mode == 'create':
            Event.queue([r for r in readings if r.source == 'customer'])

    def get_rec_name(self, name):
        return '%s: %s (%s)' % (
            self.register.rec_name, self.value, self.date)

    @staticmethod
    def compute_consumption(register, previous, value, rollover=False):
        """The consumption from the previous value to value, or raise.

        Below the previous value is refused unless the client confirms
        the register rolled over its digits."""
        if value < 0:
            raise ReadingValidationError(gettext(
                    'lk_meters.msg_reading_value_positive'), register)
        if value >= register.capacity:
            raise ReadingValidationError(gettext(
                    'lk_meters.msg_reading_too_many_digits',
                    digits=register.digits), register)
        if previous is None:
            return None
        if value >= previous:
            return (value - previous) * register.multiplier
        if not rollover:
            raise ReadingValidationError(gettext(
                    'lk_meters.msg_reading_below_previous',
                    previous=previous), register)
        return (value + register.capacity - previous) * register.multiplier

    @classmethod
    def previous(cls, register, period, source='customer'):
        """The reading the next one of period follows: the last valid
        reading before period, or of period from another source"""
        readings = cls.search([
                ('register', '=', register.id),
                ('state', '=', 'valid'),
                ['OR',
                    ('period', '<', period),
                    [('period', '=', period), ('source', '!=', source)],
                    ],
                ], order=[('date', 'DESC'), ('id', 'DESC')], limit=1)
        return readings[0] if readings else None

    @classmethod
    def usual_consumption(cls, register, period):
        "The median consumption of the 12 periods before period, or None"
        readings = cls.search([
                ('register', '=', register.id),
                ('state', '=', 'valid'),
                ('period', '>=', month_add(period, -12)),
                ('period', '<', period),
                ('consumption', '!=', None),
                ])
        values = [r.consumption for r in readings]
        return statistics.median(values) if values else None

    @classmethod
    def is_high(cls, register, period, consumption):
        usual = cls.usual_consumption(register, period)
        return bool(consumption is not None and usual
            and consumption > usual * high_factor())

    @classmethod
    @without_check_access
    def find_submitted(cls, token):
        "The readings recorded with the form token"
        if not token:
            return []
        return cls.search([('token', 'like', token + ':%')])

    @classmethod
    def record(cls, register, value, day, period, source, rollover=False,
            late=False, token=None):
        """Record value of register for period; a valid reading of the
        period from the same source is replaced and kept as «replaced»"""
        value = Decimal(value)
        previous = cls.previous(register, period, source)
        previous_value = previous.value if previous else None
        consumption = cls.compute_consumption(
            register, previous_value, value, rollover)
        with without_check_access():
            replaced = cls.search([
                    ('register', '=', register.id),
                    ('period', '=', period),
                    ('source', '=', source),
                    ('state', '=', 'valid'),
                    ])
            # out of the constraint of one valid reading per period
            # before the new one enters it
            cls.write(replaced, {'state': 'replaced'})
        reading = cls(
            register=register, value=value, date=day, period=period,
            source=source, late=late, previous_value=previous_value,
            consumption=consumption,
            rollover=bool(previous_value is not None
                and value < previous_value),
            token=token)
        reading.save()
        if replaced:
            with without_check_access():
                cls.write(replaced, {'replaced_by': reading.id})
        return reading

    @classmethod
    def submit(cls, meter, values, token=None, day=None):
        """Record the client's readings of meter: values is {register:
        (value, rollover)}; return the readings and the registers whose
        consumption is far above their usual one.

        A form token already recorded returns what it recorded."""
        submitted = cls.find_submitted(token)
        if submitted:
            return submitted, []
        branch = meter.account.branch
        day = day or branch.local_today()
        period, late = branch.reading_period(day)
        # every register is checked before any is recorded
        high = []
        for register, (value, rollover) in values.items():
            previous = cls.previous(register, period)
            consumption = cls.compute_consumption(
                register, previous.value if previous else None,
                Decimal(value), rollover)
            if cls.is_high(register, period, consumption):
                high.append(register)
        readings = [
            cls.record(register, value, day, period, 'customer',
                rollover=rollover, late=late,
                token='%s:%s' % (token, register.id) if token else None)
            for register, (value, rollover) in values.items()]
        return readings, high

    @classmethod
    def correct(cls, reading, value):
        """Replace reading by one of value (a correction the company
        approved); return the new reading"""
        consumption = cls.compute_consumption(
            reading.register, reading.previous_value, value, reading.rollover)
        new = cls(
            register=reading.register, value=value, date=reading.date,
            period=reading.period, source=reading.source, late=reading.late,
            previous_value=reading.previous_value, consumption=consumption,
            rollover=reading.rollover)
        cls.write([reading], {'state': 'replaced'})
        new.save()
        cls.write([reading], {'replaced_by': new.id})
        return new

    def to_json(self):
        return {
            'id': self.id,
            'account': self.meter.account.number,
            'meter': self.meter.number,
            'register': self.register.code,
            'zone': self.register.zone,
            'value': str(self.value),
            'date': self.date.isoformat(),
            'period': self.period.strftime('%Y-%m'),
            'source': self.source,
            'rollover': self.rollover,
            'replaces': [r.id for r in self.replaced_readings()],
            }

    def replaced_readings(self):
        with without_check_access():
            return self.search([('replaced_by', '=', self.id)])


@gateway.register('billing', 'http')
class HttpBilling(gateway.Gateway):
    """POST of the signed JSON reading to `[lk_billing] url`; the
    stand-in `python -m trytond.modules.lk_meters.standin` speaks it."""

    def __init__(self, url, secret, timeout=10):
        self.url = url
        self.secret = secret
        self.timeout = timeout

    @classmethod
    def from_config(cls, section):
        url = config.get(section, 'url')
        if not url:
            return None
        return cls(url, config.get(section, 'secret', default=''),
            timeout=config.getfloat(section, 'timeout', default=10))

    def send(self, key, body):
        "Post body once (the receiver deduplicates on key)"
        headers = {
            'Content-Type': 'application/json; charset=utf-8',
            'Idempotency-Key': str(key),
            'X-LK-Signature': 'sha256=' + signature(self.secret, body),
            }
        try:
            response = httpx.post(
                self.url, content=body, headers=headers,
                timeout=self.timeout)
        except httpx.HTTPError as exception:
            raise BillingError(str(exception) or repr(exception), None)
        if not response.is_success:
            raise BillingError(response.text[:500], response.status_code)
        return response.status_code


gateway.register_kind('billing', 'http')


class BillingEvent(OutboundQueueMixin, ModelSQL, ModelView):
    "A reading to hand to the billing system"
    __name__ = 'lk.meter.billing.event'
    __string__ = "Reading for Billing"
    _queue_setting = ('lk_billing', None)

    reading = fields.Many2One(
        'lk.meter.reading', "Reading", required=True, ondelete='CASCADE',
        readonly=True)
    payload = fields.Text("Payload", readonly=True)
    delivered_at = fields.Timestamp("Delivered At", readonly=True)
    response_code = fields.Integer("Response Code", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('reading')
        cls._order = [('id', 'DESC')]
        cls._sql_indexes.add(Index(t,
                (t.state, Index.Equality(cardinality='low')),
                (t.next_attempt, Index.Range()),
                where=t.state == 'pending'))

    @classmethod
    def queue(cls, readings):
        events = [cls(reading=r, payload=json.dumps(
                    r.to_json(), ensure_ascii=False, sort_keys=True))
            for r in readings]
        with without_check_access():
            cls.save(events)
        return events

    @classmethod
    def deliver_pending(cls):
        "Cron: post the due readings to the billing system"
        cls.queue_process()

    @classmethod
    def queue_check(cls):
        if gateway.get('billing') is None:
            logger.info("billing is off: [lk_billing] url is not set")
            return False

    def queue_prepare(self):
        return self.id, self.payload.encode('utf-8')

    @classmethod
    def queue_call(cls, job):
        key, body = job
        return gateway.get('billing').send('reading-%s' % key, body)

    def queue_done(self, result):
        self.response_code = result
        self.delivered_at = clock.utcnow()

    def _queue_failure(self, now, exception):
        if isinstance(exception, BillingError):
            exception, self.response_code = exception.args
        super()._queue_failure(now, exception)
