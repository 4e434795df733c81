# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import functools
import time
from operator import and_

import html2text
from sql import Literal
from sql.conditionals import Coalesce
from sql.operators import Equal

import trytond.config as config
from trytond.exceptions import RateLimitException
from trytond.i18n import gettext
from trytond.model import (
    Exclude, Index, ModelSQL, ModelView, fields)
from trytond.pool import Pool, PoolMeta
from trytond.report import get_email
from trytond.tools.email_ import set_from_header
from trytond.transaction import Transaction, without_check_access

from trytond.modules.web_user import user as web_user_module

from . import clock, identifiers, search
from .exceptions import (
    BranchScopeError, PasswordPolicyError, RegistrationError)
from .notification import portal_url
from .operator import OperatorAuditMixin, OperatorMixin
from .role import staff_role_codes


def login_of(person_kind, snils=None, inn=None, kpp=None):
    "The login of a client: СНИЛС for ФЛ, ИНН for ИП, ИНН+КПП for ЮЛ"
    if person_kind == 'fl':
        return identifiers._digits(snils)
    if person_kind == 'ul':
        return identifiers._digits(inn) + identifiers._digits(kpp).upper()
    return identifiers._digits(inn)


def unwrap_text(msg):
    """Make the text/plain alternatives of the report e-mail msg again
    without wrapping at 78 columns, which breaks the links in two."""
    plain = None
    for part in msg.iter_parts():
        if part.get_content_type() == 'text/plain':
            plain = part
        elif part.get_content_type() == 'text/html' and plain is not None:
            converter = html2text.HTML2Text()
            converter.body_width = 0
            language = plain['Content-Language']
            plain.set_content(converter.handle(part.get_content()))
            if language:
                plain['Content-Language'] = language
            plain = None


class User(OperatorAuditMixin, metaclass=PoolMeta):
    __name__ = 'web.user'

    login = fields.Char(
        "Login", readonly=True,
        help="СНИЛС of an individual, ИНН of a sole proprietor, "
        "ИНН followed by КПП of a legal entity.")
    consents = fields.One2Many('lk.pd.consent', 'web_user', "Consents")
    roles = fields.Many2Many(
        'web.user-lk.role', 'web_user', 'role', "Roles",
        help="What the user may do in the portal; registration gives "
        "«Клиент ЛК».")
    email_change = fields.Char(
        "New E-mail", readonly=True,
        help="The e-mail an approved change asks to confirm; the login "
        "e-mail stays the old one until the link in it is followed.")

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
        cls._sql_indexes.update({
                Index(t, (t.login, Index.Equality(cardinality='high'))),
                # «e-mail contains» of the operators' search (trigram)
                Index(t, (t.email, Index.Similarity())),
                Index(t, (t.party, Index.Range())),
                Index(t, (t.create_date, Index.Range(order='DESC'))),
                })

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
    def _check_counter_scope(cls, party):
        "The operator registers clients that their record rules show"
        Party = Pool().get('party.party')
        with Transaction().set_context(_check_access=True):
            if not Party.search([('id', '=', party.id)]):
                raise BranchScopeError(gettext(
                        'lk_base.msg_counter_branch_scope'))

    @classmethod
    @without_check_access
    def lk_register(cls, values, consent_text, ip=None, user_agent=None,
            channel='online'):
        """Create the client, its web user with the role «Клиент ЛК» and
        the consent, and send the e-mail validation. values holds the form's
        cleaned fields.

        At the counter (channel 'paper') the operator gives no password:
        the client gets a link to set one instead."""
        pool = Pool()
        Party = pool.get('party.party')
        Consent = pool.get('lk.pd.consent')
        Lang = pool.get('ir.lang')
        Role = pool.get('lk.role')

        # Two registrations of one client racing past the check below are
        # stopped by the unique constraints of party.party and web.user
        # (SQLConstraintError, a UserError the portal shows).
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
        if channel == 'paper':
            cls._check_counter_scope(party)
        party.set_contact('email', values['email'])
        if values.get('mobile'):
            party.set_contact('mobile', values['mobile'])

        client_role = Role.get('client')
        user = cls(
            email=values['email'], login=login, party=party,
            roles=[client_role] if client_role else [])
        user.save()
        if values.get('password'):
            user.password = values['password']
            user.save()
        Consent.record(user, consent_text, ip=ip, user_agent=user_agent,
            channel=channel)
        with Transaction().set_user(0):
            # the e-mail report reads the user, which no rule grants yet
            if values.get('password'):
                cls.validate_email([user])
            else:
                cls.reset_password([user])
                cls._notify_counter_registration(user)
        return user

    @classmethod
    def _notify_counter_registration(cls, user):
        "An SMS that the link to set the password is in the mailbox"
        pool = Pool()
        Notification = pool.get('lk.notification')
        party = user.party
        if not party.mobile:
            return
        language = party.lang.code if party.lang else None
        Notification.notify(
            party,
            gettext('lk_base.msg_counter_registration_subject', language),
            gettext('lk_base.msg_counter_registration_body', language,
                email=user.email),
            link='/reset-password', channels=['sms'])

    @classmethod
    @without_check_access
    def lk_registration_conflicts(cls, person_kind, login, email):
        "Return [(field, message id)] that forbid this registration"
        errors = []
        # a blocked client may not register again
        with Transaction().set_context(active_test=False):
            taken = cls.search([('login', '=', login)], limit=1)
        if taken:
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
            with Transaction().set_user(0):
                cls.reset_password([user])

    @classmethod
    @without_check_access
    def lk_resend_validation(cls, user):
        "Send the validation again to user (a record or an id); return it"
        user = cls(int(user))
        if not user.email_valid:
            with Transaction().set_user(0):
                cls.validate_email([user])
        return user

    @classmethod
    @without_check_access
    def lk_validate_email_token(cls, token):
        return cls.validate_email_token([token]) if token else []

    @classmethod
    @without_check_access
    def lk_reset_token_valid(cls, email, token):
        "Whether token is the live password reset token of email"
        if not email or not token:
            return False
        return bool(cls.search([
                    ('email', '=', email.lower()),
                    ('reset_password_token', '=', token),
                    ('reset_password_token_expire', '>', clock.utcnow()),
                    ], limit=1))

    @classmethod
    @without_check_access
    def lk_set_password_token(cls, email, token, password):
        pool = Pool()
        Attempt = pool.get('web.user.authenticate.attempt')
        if not cls.set_password_token(email, token, password):
            return False
        # Who proved to own the e-mail may log in again at once, and a
        # client registered at the counter has now confirmed the e-mail
        users = cls.search([('email', '=', email.lower())])
        for user in users:
            if user.login:
                Attempt.remove('login:' + user.login)
        cls.write([u for u in users if not u.email_valid],
            {'email_valid': True})
        return True

    @classmethod
    @without_check_access
    def lk_new_session(cls, user):
        return cls(user.id).new_session()

    @classmethod
    @without_check_access
    def lk_session_user(cls, key):
        "Return (web user id, party ids) of a live session key or None"
        visitor = cls.lk_visitor(key=key)
        return (visitor['id'], visitor['parties']) if visitor else None

    @classmethod
    @without_check_access
    def lk_user_parties(cls, user):
        "Return (web user id, party ids) of an active web user or None"
        visitor = cls.lk_visitor(user_id=user) if user is not None else None
        return (visitor['id'], visitor['parties']) if visitor else None

    @classmethod
    @without_check_access
    def lk_visitor(cls, key=None, user_id=None):
        """What each portal request needs of the active web user of the
        live session key (or of user_id, for an operator acting on behalf
        of a client), or None: {'id', 'parties' (none for a guest),
        'access' (see lk.role.lk_access), 'greeting', 'roles' (names),
        'party' (id, name, person_kind and branch of its own party)}.

        Two statements whatever the data, and no write: the user with its
        session and party, then its roles and secondary parties; the roles
        themselves come from lk.role's cache. An expired session is
        removed when the transaction may write (as web.user.session's
        get_user does)."""
        pool = Pool()
        Session = pool.get('web.user.session')
        Party = pool.get('party.party')
        Role = pool.get('lk.role')
        WebUserRole = pool.get('web.user-lk.role')
        Secondary = pool.get('web.user-party.party.secondary')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        user, party = cls.__table__(), Party.__table__()
        columns = [user.id, user.active, user.party, party.person_kind,
            party.first_name, party.middle_name, party.name, party.branch]
        if key:
            session = Session.__table__()
            query = session.join(user, condition=session.user == user.id
                ).join(party, 'LEFT', condition=user.party == party.id
                ).select(*columns, session.id,
                    Coalesce(session.write_date, session.create_date),
                    where=session.key == key, limit=1)
        elif user_id is not None:
            query = user.join(party, 'LEFT', condition=user.party == party.id
                ).select(*columns, where=user.id == int(user_id))
        else:
            return None
        cursor.execute(*query)
        row = cursor.fetchone()
        if not row:
            return None
        (id_, active, party_id, person_kind, first_name, middle_name, name,
            branch, *session_row) = row
        if session_row:
            session_id, modified = session_row
            if isinstance(modified, str):  # SQLite
                modified = dt.datetime.fromisoformat(modified)
            if abs(modified - dt.datetime.now()) > Session.timeout():
                if not transaction.readonly:
                    Session.delete([Session(session_id)])
                return None
        if not active or not party_id:
            return None
        user_role, secondary = WebUserRole.__table__(), Secondary.__table__()
        cursor.execute(*(
                user_role.select(Literal('r'), user_role.role,
                    where=user_role.web_user == id_)
                | secondary.select(Literal('p'), secondary.party,
                    where=secondary.user == id_)))
        role_ids, parties = [], [party_id]
        for kind, value in cursor:
            (role_ids if kind == 'r' else parties).append(value)
        roles = Role.lk_roles()
        access = Role.lk_access_of(role_ids)
        return {
            'id': id_,
            # public pages only: no client's data under the rules
            'parties': parties if access != 'guest' else [],
            'access': access,
            'greeting': Party.lk_greeting_name(
                person_kind, first_name, middle_name, name),
            # what the home page shows of the client's own party
            'party': {'id': party_id, 'name': name,
                'person_kind': person_kind, 'branch': branch},
            'roles': [r[4] for i, r in roles.items()
                if r[2] and i in set(role_ids)],
            }

    @classmethod
    @without_check_access
    def lk_logout(cls, key):
        pool = Pool()
        Session = pool.get('web.user.session')
        Session.remove(key)

    @classmethod
    def lk_operator_domain(cls, filters):
        """The domain of the operators' client list for the filters of the
        search form (a dict; missing or empty values do not filter)."""
        # The text filters test the columns themselves, in subqueries: the
        # ORM's clauses on a Char that is not required wrap the column in
        # COALESCE(column, ''), which no index of the column serves.
        pool = Pool()
        Party = pool.get('party.party')
        party, user = Party.__table__(), cls.__table__()
        parties, users = [], []
        domain = search.date_range(
            'create_date', filters.get('date_from'), filters.get('date_to'))
        # the filters on the party in one subquery: its indexes combine
        # (trigram of the name AND branch AND kind), where a join of the
        # party per filter leaves the planner to guess their selectivity
        if filters.get('person_kind'):
            parties.append(party.person_kind == filters['person_kind'])
        identifier = identifiers._digits(filters.get('identifier') or '')
        if identifier:
            # one indexed column by the length, no OR: СНИЛС has 11
            # digits, ИНН 10 or 12, the login of a legal entity ИНН + КПП
            if len(identifier) == 11:
                parties.append(party.snils == identifier)
            elif len(identifier) in {10, 12}:
                parties.append(party.inn == identifier)
            else:
                users.append(user.login == identifier)
        if filters.get('roles'):
            domain.append(('roles', 'in', list(filters['roles'])))
        if filters.get('name'):
            # the trigram index of party.name on PostgreSQL
            parties.append(search.ilike_contains(party.name, filters['name']))
        if filters.get('email'):
            users.append(search.ilike_contains(user.email, filters['email']))
        if filters.get('branch'):
            parties.append(party.branch == filters['branch'])
        if filters.get('id'):
            domain.append(('id', '=', filters['id']))
        if filters.get('passport_series'):
            parties.append(party.passport_series == filters['passport_series'])
        if filters.get('passport_number'):
            parties.append(party.passport_number == filters['passport_number'])
        if parties:
            domain.append(('party', 'in', party.select(
                        party.id, where=functools.reduce(
                            and_, parties))))
        if users:
            domain.append(('id', 'in', user.select(
                        user.id, where=functools.reduce(
                            and_, users))))
        if filters.get('activated') == 'yes':
            domain += [('email_valid', '=', True), ('active', '=', True)]
        elif filters.get('activated') == 'no':
            domain.append(['OR',
                    ('email_valid', '=', False), ('active', '=', False)])
        return domain

    def lk_is_staff(self):
        """Whether the web user belongs to staff: a staff role, or the
        e-mail or the party of a back-office user"""
        pool = Pool()
        StaffUser = pool.get('res.user')
        if {r.code for r in self.roles} & staff_role_codes():
            return True
        with Transaction().set_context(active_test=False):
            if self.email and StaffUser.search(
                    [('email', '=', self.email)], limit=1):
                return True
            try:
                Employee = pool.get('company.employee')
            except KeyError:
                Employee = None
            if Employee and self.party and Employee.search(
                    [('party', '=', self.party.id)], limit=1):
                return True
        return False

    @property
    def lk_state(self):
        "blocked, unconfirmed or active"
        if not self.active:
            return 'blocked'
        return 'active' if self.email_valid else 'unconfirmed'

    def get_email_validation_url(self, url=None):
        if url is None and not config.get('web', 'email_validation_url'):
            url = portal_url('/confirm-email')
        return super().get_email_validation_url(url=url)

    def get_email_reset_password_url(self, url=None):
        if url is None and not config.get('web', 'reset_password_url'):
            url = portal_url('/reset-password/confirm')
        return super().get_email_reset_password_url(url=url)

    def get_email_validation(self):
        return get_email(
            'lk_base.email_validation', self, self.languages)

    def get_email_reset_password(self):
        return get_email(
            'lk_base.email_reset_password', self, self.languages)

    def get_email_change(self):
        return get_email('lk_base.email_change', self, self.languages)

    # The e-mails of the accounts go through the retried delivery queue
    # of the notifications (lk.notification.delivery), not Tryton's
    # transactional send, which loses them when the mail server is down.

    @classmethod
    @ModelView.button
    def validate_email(cls, users, from_=None):
        for user in users:
            user.set_email_token()
            # the link goes to the current address: it must not confirm
            # a pending new one
            user.email_change = None
        cls.save(users)
        cls._queue_emails(users, cls.get_email_validation, from_=from_)

    @classmethod
    @ModelView.button
    def reset_password(cls, users, from_=None):
        now = clock.utcnow()
        # as web_user: no new link while the last one is valid
        users = [u for u in users
            if not (u.reset_password_token_expire
                and u.reset_password_token_expire > now)]
        for user in users:
            user.set_reset_password_token()
        cls.save(users)
        cls._queue_emails(users, cls.get_email_reset_password, from_=from_)

    @classmethod
    def _queue_emails(cls, users, email_func, from_=None, to=None):
        "Queue the e-mail of email_func(user) to each user (or to to(user))"
        pool = Pool()
        Delivery = pool.get('lk.notification.delivery')
        from_cfg = config.get('email', 'from')
        for user in users:
            msg, title = email_func(user)
            unwrap_text(msg)
            set_from_header(msg, from_cfg, from_ or from_cfg)
            msg['To'] = to(user) if to else user.email
            msg['Subject'] = title
            Delivery.queue_email(msg, web_user=user)

    @classmethod
    def request_email_change(cls, users, email):
        """Ask email to confirm that it becomes the login e-mail of users;
        until then the current e-mail stays."""
        email = email.lower()
        if cls.search([
                    ('email', '=', email),
                    ('id', 'not in', [u.id for u in users]),
                    ], limit=1):
            raise RegistrationError(gettext(
                    'lk_base.msg_register_email_taken'))
        for user in users:
            user.email_change = email
            user.set_email_token()
        cls.save(users)
        with Transaction().set_user(0):
            cls._queue_emails(users, cls.get_email_change,
                to=lambda u: u.email_change)

    @classmethod
    def validate_email_token(cls, tokens):
        # a confirmed change of e-mail becomes the login and contact e-mail
        changed = []
        for user in cls.search([
                    ('email_token', 'in', tokens),
                    ('email_change', '!=', None),
                    ]):
            if cls.search([
                        ('email', '=', user.email_change),
                        ('id', '!=', user.id),
                        ], limit=1):
                # taken since the request: the link no longer works
                continue
            if user.party:
                user.party.set_contact('email', user.email_change)
            user.email = user.email_change
            user.email_change = None
            changed.append(user)
        cls.save(changed)
        return super().validate_email_token(tokens)


class ConsentText(ModelSQL, ModelView):
    __name__ = 'lk.pd.consent.text'
    __string__ = "Consent Text"

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
            date = clock.today()
        texts = cls.search([('valid_from', '<=', date)], limit=1)
        if not texts:
            raise RegistrationError(gettext('lk_base.msg_consent_text_missing'))
        return texts[0]


class Consent(OperatorMixin, ModelSQL, ModelView):
    __name__ = 'lk.pd.consent'
    __string__ = "Personal Data Consent"

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
            given_at=clock.utcnow(), channel=channel,
            ip_address=ip, user_agent=(user_agent or '')[:500] or None)
        if channel == 'paper':
            consent.operator = Transaction().user
        consent.save()
        return consent


class EmailValidation(web_user_module.EmailValidation):
    __name__ = 'lk_base.email_validation'


class EmailResetPassword(web_user_module.EmailResetPassword):
    __name__ = 'lk_base.email_reset_password'


class EmailChange(web_user_module.EmailValidation):
    __name__ = 'lk_base.email_change'
