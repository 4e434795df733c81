# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import re
import time

import trytond.config as config
from trytond.i18n import gettext
from trytond.model import (
    Check, DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from trytond.modules.lk_base.operator import AuthorMixin

from .exceptions import AccountLinkThrottled

ZONES = [
    ('t1', "T1 (day)"),
    ('t2', "T2 (night)"),
    ('t3', "T3 (peak)"),
    ]
PHASES = [
    ('1', "Single-phase"),
    ('3', "Three-phase"),
    ]


def normalize_name(name):
    """The name as it is compared when a client links an account: case,
    ё/е, quotes and extra spaces do not matter"""
    name = (name or '').casefold().replace('ё', 'е')
    name = re.sub(r'[«»"“”„\']', '', name)
    return ' '.join(name.split())


def normalize_number(number):
    return re.sub(r'[\s\-№]', '', number or '')


class Account(ModelSQL, ModelView):
    __name__ = 'lk.meter.account'
    __string__ = "Personal Account"
    _rec_name = 'number'

    number = fields.Char("Number", required=True)
    date = fields.Date("Date", help="The date of the account or contract.")
    holder = fields.Char(
        "Holder", required=True,
        help="Full name of the individual or name of the organisation, "
        "as in the company's billing.")
    branch = fields.Many2One(
        'lk.branch', "Branch", required=True, ondelete='RESTRICT')
    address = fields.Char("Address")
    meters = fields.One2Many('lk.meter', 'account', "Meters")
    links = fields.One2Many(
        'lk.meter.account.link', 'account', "Linked Clients")
    reminded_period = fields.Date(
        "Reminded For", readonly=True,
        help="The last period the linked clients were reminded to submit "
        "their readings for.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('number', 'ASC'), ('id', 'ASC')]
        cls._sql_constraints += [
            ('number_unique', Unique(t, t.number),
                'lk_meters.msg_account_number_unique'),
            ]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('number'):
            values['number'] = normalize_number(values['number'])
        return values

    def parties(self):
        "The clients the account is linked to"
        return [link.party for link in self.links]

    @classmethod
    def remind_window(cls):
        """Cron: remind the clients of the accounts without a reading of
        the period that the window of their branch is open"""
        pool = Pool()
        Branch = pool.get('lk.branch')
        Reading = pool.get('lk.meter.reading')
        Notification = pool.get('lk.notification')
        for branch in Branch.search([]):
            day = branch.local_today()
            if not (branch.meter_window_start <= day.day
                    <= branch.meter_window_end):
                continue
            period, _ = branch.reading_period(day)
            accounts = cls.search([
                    ('branch', '=', branch.id),
                    ('links', '!=', None),
                    ['OR',
                        ('reminded_period', '=', None),
                        ('reminded_period', '<', period),
                        ],
                    ])
            for account in accounts:
                if Reading.search([
                            ('meter.account', '=', account.id),
                            ('period', '=', period),
                            ('state', '=', 'valid'),
                            ], limit=1):
                    continue
                for party in account.parties():
                    Notification.notify(party,
                        gettext('lk_meters.msg_window_subject',
                            account=account.number),
                        gettext('lk_meters.msg_window_body',
                            account=account.number,
                            start=branch.meter_window_start,
                            end=branch.meter_window_end,
                            period=period.strftime('%m.%Y')),
                        link='/my/meters')
            cls.write(accounts, {'reminded_period': period})

    @classmethod
    @without_check_access
    def link(cls, party, number, name, web_user=None):
        """Link the account of number to party when name is its holder's
        and return the link, else return None (which does not say whether
        the number or the name was wrong).

        Throttled per client and per IP network like the sign-in: the
        wrong attempts are kept, so the caller must not roll back."""
        pool = Pool()
        Attempt = pool.get('web.user.authenticate.attempt')
        Link = pool.get('lk.meter.account.link')
        key = 'lk_meter_account:%s' % int(party)
        if Attempt.count_ip() > config.getint(
                'session', 'max_attempt_ip_network', default=300):
            raise AccountLinkThrottled(gettext(
                    'lk_meters.msg_account_link_throttled'))
        count = Attempt.count(key)
        if count >= config.getint('lk_meters', 'link_attempts', default=5):
            Attempt.add(key)
            raise AccountLinkThrottled(gettext(
                    'lk_meters.msg_account_link_throttled'))
        cap = config.getfloat('lk', 'max_login_delay', default=2)
        Transaction().atexit(time.sleep, min(2 ** count - 1, cap))

        accounts = cls.search(
            [('number', '=', normalize_number(number))], limit=1)
        if (not accounts or not name
                or normalize_name(accounts[0].holder) != normalize_name(name)):
            Attempt.add(key)
            return None
        account, = accounts
        Attempt.remove(key)
        links = Link.search([
                ('account', '=', account.id),
                ('party', '=', int(party)),
                ], limit=1)
        if links:
            return links[0]
        link = Link(account=account, party=int(party))
        if web_user is not None:
            link.web_user = web_user
        link.save()
        return link


class AccountLink(AuthorMixin, ModelSQL, ModelView):
    "A client's access to a personal account"
    __name__ = 'lk.meter.account.link'
    __string__ = "Personal Account Link"

    account = fields.Many2One(
        'lk.meter.account', "Account", required=True, ondelete='CASCADE')
    party = fields.Many2One(
        'party.party', "Client", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('party')
        cls._sql_constraints += [
            ('account_party_unique', Unique(t, t.account, t.party),
                'lk_meters.msg_account_link_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.party, Index.Range())))

    def get_rec_name(self, name):
        return '%s — %s' % (self.account.rec_name, self.party.rec_name)


class Meter(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'lk.meter'
    __string__ = "Meter"
    _rec_name = 'number'

    account = fields.Many2One(
        'lk.meter.account', "Account", required=True, ondelete='CASCADE')
    number = fields.Char("Number", required=True)
    model = fields.Char(
        "Model", required=True, help="The equipment, e.g. «СЭ СО-505 "
        "220В 10-40А 1».")
    address = fields.Char("Installation Address")
    phases = fields.Selection(PHASES, "Phases", required=True)
    accuracy_class = fields.Char("Accuracy Class")
    installation_date = fields.Date("Installation Date")
    verification_date = fields.Date(
        "Next Verification", help="The date the meter is to be verified "
        "(поверка) by.")
    registers = fields.One2Many('lk.meter.register', 'meter', "Registers")
    verification_reminded = fields.Date(
        "Verification Reminded", readonly=True,
        help="The verification date the clients were last reminded of.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('account')
        cls._order = [('number', 'ASC'), ('id', 'ASC')]
        cls._sql_constraints += [
            ('number_per_account_unique', Unique(t, t.account, t.number),
                'lk_meters.msg_meter_number_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.account, Index.Range())))

    @staticmethod
    def default_phases():
        return '1'

    @property
    def branch(self):
        return self.account.branch

    @classmethod
    def remind_verification(cls):
        """Cron: tell the clients that the verification date of a meter
        is near (`[lk_meters] verification_notice_days`, 30)"""
        pool = Pool()
        Notification = pool.get('lk.notification')
        Date = pool.get('ir.date')
        today = Date.today()
        days = config.getint(
            'lk_meters', 'verification_notice_days', default=30)
        meters = cls.search([
                ('verification_date', '!=', None),
                ('verification_date', '>=', today),
                ('verification_date', '<=', today + dt.timedelta(days=days)),
                ('account.links', '!=', None),
                ])
        meters = [m for m in meters
            if m.verification_reminded != m.verification_date]
        for meter in meters:
            for party in meter.account.parties():
                Notification.notify(party,
                    gettext('lk_meters.msg_verification_subject',
                        meter=meter.number),
                    gettext('lk_meters.msg_verification_body',
                        meter=meter.number, model=meter.model,
                        date=meter.verification_date.strftime('%d.%m.%Y')),
                    link='/my/meters/%s' % meter.id)
            meter.verification_reminded = meter.verification_date
        cls.save(meters)

    @classmethod
    def replace(cls, old, new, final, initial, day, act=None):
        """Replace the meter old by new (saved, with its registers) on day.

        final: {register of old: its final reading}, initial: {register of
        new: its initial reading}, act: (file name, bytes) of the act of
        replacement. The clients of the account get a notice with the act.
        """
        pool = Pool()
        Reading = pool.get('lk.meter.reading')
        Notification = pool.get('lk.notification')
        period = day.replace(day=1)
        lines = []
        for register, value in final.items():
            Reading.record(register, value, day, period, 'control')
            lines.append(gettext('lk_meters.msg_replacement_final',
                    meter=old.number, register=register.code, value=value))
        for register, value in initial.items():
            Reading.record(register, value, day, period, 'control')
            lines.append(gettext('lk_meters.msg_replacement_initial',
                    meter=new.number, model=new.model,
                    register=register.code, value=value))
        old.active = False
        old.save()
        body = '\n'.join([gettext('lk_meters.msg_replacement_body',
                    old=old.number, new=new.number,
                    date=day.strftime('%d.%m.%Y'))] + lines)
        for party in old.account.parties():
            Notification.notify(party,
                gettext('lk_meters.msg_replacement_subject',
                    old=old.number, new=new.number),
                body, link='/my/meters/%s' % new.id,
                attachments=[act] if act else ())


class Register(ModelSQL, ModelView):
    "A register («счётное устройство») of a meter"
    __name__ = 'lk.meter.register'
    __string__ = "Meter Register"

    meter = fields.Many2One(
        'lk.meter', "Meter", required=True, ondelete='CASCADE')
    code = fields.Char("Number", required=True)
    zone = fields.Selection(ZONES, "Tariff Zone", required=True)
    zone_string = zone.translated('zone')
    digits = fields.Integer(
        "Digits", required=True,
        help="The digits of the register before the decimal point: it "
        "rolls over to zero after 10^digits − 1.")
    multiplier = fields.Numeric(
        "Multiplier", digits=(16, 3), required=True,
        help="The transformation ratio the consumption is multiplied by.")
    readings = fields.One2Many(
        'lk.meter.reading', 'register', "Readings", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('meter')
        cls._order = [('meter', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]
        cls._sql_constraints += [
            ('meter_code_unique', Unique(t, t.meter, t.code),
                'lk_meters.msg_register_code_unique'),
            ('digits_range', Check(t, (t.digits >= 1) & (t.digits <= 12)),
                'lk_meters.msg_register_digits'),
            ('multiplier_positive', Check(t, t.multiplier > 0),
                'lk_meters.msg_register_multiplier'),
            ]

    @staticmethod
    def default_zone():
        return 't1'

    @staticmethod
    def default_digits():
        return 6

    @staticmethod
    def default_multiplier():
        from decimal import Decimal
        return Decimal(1)

    @staticmethod
    def default_code():
        return '001'

    def get_rec_name(self, name):
        return '%s / %s' % (self.meter.rec_name, self.code)

    @property
    def capacity(self):
        "The value after which the register starts over at zero"
        return 10 ** self.digits

    def last_reading(self):
        "The last valid reading of the register, or None"
        pool = Pool()
        Reading = pool.get('lk.meter.reading')
        readings = Reading.search([
                ('register', '=', self.id),
                ('state', '=', 'valid'),
                ], order=[('date', 'DESC'), ('id', 'DESC')], limit=1)
        return readings[0] if readings else None
