# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import time

from sql import Literal
from sql.operators import Equal

import trytond.config as config
from trytond.exceptions import RateLimitException
from trytond.i18n import gettext
from trytond.model import (
    Exclude, Index, ModelSQL, ModelView, fields)
from trytond.pool import Pool, PoolMeta
from trytond.report import get_email
from trytond.transaction import Transaction, without_check_access

from . import identifiers
from .exceptions import PasswordPolicyError, RegistrationError


def login_of(person_kind, snils=None, inn=None, kpp=None):
    "The login of a client: СНИЛС for ФЛ, ИНН for ИП, ИНН+КПП for ЮЛ"
    if person_kind == 'fl':
        return identifiers._digits(snils)
    if person_kind == 'ul':
        return identifiers._digits(inn) + identifiers._digits(kpp).upper()
    return identifiers._digits(inn)


class User(metaclass=PoolMeta):
    __name__ = 'web.user'

    login = fields.Char(
        "Login", readonly=True,
        help="СНИЛС of an individual, ИНН of a sole proprietor, "
        "ИНН followed by КПП of a legal entity.")
    consents = fields.One2Many('lk.pd.consent', 'web_user', "Consents")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('lk_login_exclude',
                Exclude(t, (t.login, Equal),
                    where=t.active == Literal(True)),
                'lk_base.msg_web_user_login_unique'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.login, Index.Equality(cardinality='high'))))

    @classmethod
    def set_password(cls, users, name, value):
        if value and value != 'x' * 10:
            cls.check_password_policy(value, users)
        super().set_password(users, name, value)

    @classmethod
    def check_password_policy(cls, password, users=()):
        "Refuse short, letter-only or digit-only passwords and identifiers"
        length = max(config.getint('password', 'length', default=0), 8)
        if len(password) < length:
            raise PasswordPolicyError(gettext(
                    'lk_base.msg_password_too_short', length=length))
        if password.isdigit() or password.isalpha():
            raise PasswordPolicyError(gettext(
                    'lk_base.msg_password_letters_digits'))
        lowered = password.lower()
        for user in users:
            party = getattr(user, 'party', None)
            for value in [getattr(user, 'login', None),
                    getattr(user, 'email', None),
                    party and party.snils, party and party.inn]:
                if value and lowered == value.lower():
                    raise PasswordPolicyError(gettext(
                            'lk_base.msg_password_equals_identifier'))

    # The portal calls these entry points as its low-privilege user for
    # anonymous visitors: they check what they need and nothing more.

    @classmethod
    @without_check_access
    def lk_find(cls, login):
        users = cls.search([('login', '=', login)], limit=1)
        return users[0] if users else None

    @classmethod
    @without_check_access
    def lk_register(cls, values, consent_text, ip=None, user_agent=None,
            channel='online'):
        """Create the client, its web user and the consent, and send the
        e-mail validation. values holds the form's cleaned fields."""
        pool = Pool()
        Party = pool.get('party.party')
        Consent = pool.get('lk.pd.consent')
        Lang = pool.get('ir.lang')

        # Serialize registrations so that the checks below and the
        # constraints of the tables see one registration at a time.
        cls.lock()
        Party.lock()
        login = login_of(
            values['person_kind'], values.get('snils'), values.get('inn'),
            values.get('kpp'))
        errors = cls.lk_registration_conflicts(
            values['person_kind'], login, values['email'])
        if errors:
            raise RegistrationError(gettext(errors[0][1]))

        party_values = {k: values.get(k) for k in [
                'person_kind', 'snils', 'inn', 'kpp', 'ogrn', 'last_name',
                'first_name', 'middle_name', 'head_name', 'head_position',
                'branch', 'legal_address', 'actual_address']
            if values.get(k) is not None}
        if values['person_kind'] != 'fl':
            party_values['name'] = values['name']
        langs = Lang.search([('code', '=', 'ru')], limit=1)
        if langs:
            party_values['lang'] = langs[0].id
        party, = Party.create([party_values])
        party.set_contact('email', values['email'])
        if values.get('mobile'):
            party.set_contact('mobile', values['mobile'])

        user = cls(
            email=values['email'], login=login, party=party)
        user.save()
        user.password = values['password']
        user.save()
        Consent.record(user, consent_text, ip=ip, user_agent=user_agent,
            channel=channel)
        cls.validate_email([user])
        return user

    @classmethod
    @without_check_access
    def lk_registration_conflicts(cls, person_kind, login, email):
        "Return [(field, message id)] that forbid this registration"
        errors = []
        if cls.search([('login', '=', login)], limit=1):
            field = {'fl': 'snils', 'ul': 'inn', 'ip': 'inn'}[person_kind]
            errors.append((field, 'lk_base.msg_register_identifier_taken'))
        if email and cls.search([('email', '=', email.lower())], limit=1):
            errors.append(('email', 'lk_base.msg_register_email_taken'))
        return errors

    @classmethod
    @without_check_access
    def lk_authenticate(cls, login, password):
        """Return the web user of login and password or None.

        Throttled like web.user.authenticate (attempts per login and per IP
        network) but the growing delay is capped so that an attacker
        cannot tie up the portal's workers."""
        pool = Pool()
        Attempt = pool.get('web.user.authenticate.attempt')
        key = 'login:' + login

        if Attempt.count_ip() > config.getint(
                'session', 'max_attempt_ip_network', default=300):
            raise RateLimitException()
        count = Attempt.count(key)
        if count > config.getint('session', 'max_attempt', default=5):
            Attempt.add(key)
            raise RateLimitException()
        cap = config.getfloat('lk', 'max_login_delay', default=2)
        Transaction().atexit(time.sleep, min(2 ** count - 1, cap))

        user = cls.lk_find(login)
        if user and user.password_hash:
            valid, new_hash = cls.check_password(password, user.password_hash)
            if valid:
                if new_hash:
                    user.password_hash = new_hash
                    user.save()
                Attempt.remove(key)
                return user
        Attempt.add(key)

    @classmethod
    @without_check_access
    def lk_request_password_reset(cls, login):
        "Send a reset link to the registered e-mail; say nothing either way"
        user = cls.lk_find(login)
        if user and user.email:
            cls.reset_password([user])

    @classmethod
    @without_check_access
    def lk_resend_validation(cls, user):
        user = cls(user.id)
        if not user.email_valid:
            cls.validate_email([user])

    @classmethod
    @without_check_access
    def lk_validate_email_token(cls, token):
        return cls.validate_email_token([token]) if token else []

    @classmethod
    @without_check_access
    def lk_set_password_token(cls, email, token, password):
        return cls.set_password_token(email, token, password)

    @classmethod
    @without_check_access
    def lk_new_session(cls, user):
        return cls(user.id).new_session()

    @classmethod
    @without_check_access
    def lk_session_user(cls, key):
        "Return (web user id, party ids) of a live session key or None"
        user = cls.get_user(key) if key else None
        if user and user.active and user.party:
            parties = [user.party.id] + [
                p.id for p in user.secondary_parties]
            return user.id, parties

    @classmethod
    @without_check_access
    def lk_logout(cls, key):
        pool = Pool()
        Session = pool.get('web.user.session')
        Session.remove(key)

    def get_email_validation(self):
        return get_email(
            'lk_base.report_email_validation', self, self.languages)

    def get_email_reset_password(self):
        return get_email(
            'lk_base.report_email_reset_password', self, self.languages)


class ConsentText(ModelSQL, ModelView):
    __name__ = 'lk.pd.consent.text'

    version = fields.Char("Version", required=True)
    valid_from = fields.Date("Valid From", required=True)
    body = fields.Text("Text", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('valid_from', 'DESC'))

    def get_rec_name(self, name):
        return self.version

    @classmethod
    @without_check_access
    def current(cls, date=None):
        "The text in force on date (today by default)"
        if date is None:
            date = dt.date.today()
        texts = cls.search([('valid_from', '<=', date)], limit=1)
        if not texts:
            raise RegistrationError(gettext('lk_base.msg_consent_text_missing'))
        return texts[0]


class Consent(ModelSQL, ModelView):
    __name__ = 'lk.pd.consent'

    web_user = fields.Many2One(
        'web.user', "Web User", required=True, ondelete='CASCADE',
        readonly=True)
    party = fields.Many2One(
        'party.party', "Party", required=True, ondelete='CASCADE',
        readonly=True)
    text = fields.Many2One(
        'lk.pd.consent.text', "Consent Text", required=True,
        ondelete='RESTRICT', readonly=True)
    given_at = fields.Timestamp("Given At", required=True, readonly=True)
    channel = fields.Selection([
            ('online', "Online"),
            ('paper', "Paper at the counter"),
            ], "Channel", required=True, readonly=True)
    ip_address = fields.Char("IP Address", readonly=True)
    user_agent = fields.Char("User Agent", readonly=True)
    operator = fields.Many2One(
        'res.user', "Operator", readonly=True, ondelete='RESTRICT',
        help="The staff member who collected a paper consent.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('party')
        cls._order.insert(0, ('given_at', 'DESC'))

    @classmethod
    def record(cls, web_user, text, ip=None, user_agent=None,
            channel='online'):
        consent = cls(
            web_user=web_user, party=web_user.party, text=text,
            given_at=dt.datetime.now(), channel=channel,
            ip_address=ip, user_agent=(user_agent or '')[:500] or None)
        if channel == 'paper':
            consent.operator = Transaction().user
        consent.save()
        return consent
