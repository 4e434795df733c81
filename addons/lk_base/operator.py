# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Operators of customer service centres in the portal: their sessions,
acting on behalf of a client and the audit of what they did meanwhile."""
import datetime as dt
import secrets

from sql import Literal

import trytond.config as config
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from . import clock
from .exceptions import OperatorError

# Context keys of a portal request of an operator acting on behalf of a
# client. Keys starting with '_' are dropped from the context an RPC client
# sends, so no back-office user can forge them.
OPERATOR_KEY = '_lk_operator'
AUDIT_KEY = '_lk_operator_audit'
PATH_KEY = '_lk_request_path'


def acting_operator():
    "The res.user id of the operator acting on behalf of a client or None"
    return Transaction().context.get(OPERATOR_KEY)


def record_changes(model_name, mode, records, field_names=None):
    "Add to the running audit that records of model_name were changed"
    context = Transaction().context
    if context.get(AUDIT_KEY) and records:
        Line = Pool().get('lk.operator.audit.line')
        Line.add(context[AUDIT_KEY], model_name, mode, records, field_names)


def record_action(model_name, action, records):
    "Add to the running audit that the action (a button) ran on records"
    context = Transaction().context
    if context.get(AUDIT_KEY) and records:
        Line = Pool().get('lk.operator.audit.line')
        Line.add(context[AUDIT_KEY], model_name, 'button', records,
            method=action)


class OperatorAuditMixin:
    "Changes made while an operator acts on behalf of a client are audited"
    __slots__ = ()

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        record_changes(cls.__name__, mode, records, field_names)


class OperatorMixin(OperatorAuditMixin):
    """Records keep the operator who created or changed them on behalf of
    the client, besides the client itself."""
    __slots__ = ()

    operator = fields.Many2One(
        'res.user', "Operator", readonly=True, ondelete='RESTRICT',
        help="The operator who created or changed the record for the "
        "client, at the counter or acting on their behalf.")

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        operator = acting_operator()
        if operator:
            values['operator'] = operator
        return values


def by_client():
    """Whether the client acts: the transaction of the portal user (an
    operator acting on behalf of the client too)"""
    ModelData = Pool().get('ir.model.data')
    return Transaction().user == ModelData.get_id('lk_base', 'user_portal')


def author_values():
    """Who acts, as the records of AuthorMixin store it: the staff res.user
    or the client's web.user, and the operator acting on behalf"""
    WebUser = Pool().get('web.user')
    context = Transaction().context
    if by_client():
        web_user = context.get('web_user')
        parties = context.get('web_parties') or []
        if not web_user and parties:
            with without_check_access():
                web_users = WebUser.search(
                    [('party', '=', parties[0])], limit=1)
            web_user = web_users[0].id if web_users else None
        return {
            'operator': acting_operator(),
            'staff': None,
            'web_user': web_user,
            'author_kind': 'client',
            }
    return {
        'operator': None,
        'staff': Transaction().user or None,
        'web_user': None,
        'author_kind': 'operator',
        }


class AuthorMixin(OperatorMixin):
    """Records that keep who made them: the staff member or the client's web
    user, and the operator acting on behalf of the client"""
    __slots__ = ()

    staff = fields.Many2One(
        'res.user', "Staff Member", readonly=True, ondelete='RESTRICT')
    web_user = fields.Many2One(
        'web.user', "Client Account", readonly=True, ondelete='SET NULL')
    author = fields.Function(fields.Char("Author"), 'get_author')

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            for name, value in author_values().items():
                if name in cls._fields and value is not None:
                    values.setdefault(name, value)
        else:
            # the author is who made the record: a later change (a new
            # version unchecks «current» of the earlier ones) keeps it
            values.pop('operator', None)
        return values

    def get_author(self, name):
        with without_check_access():
            return self.author_name_of({
                    'operator': self.operator,
                    'staff': self.staff,
                    'web_user': self.web_user,
                    })

    @staticmethod
    def author_name_of(values):
        "The name of the author as people read it, from author values"
        pool = Pool()
        User = pool.get('res.user')
        WebUser = pool.get('web.user')
        operator = values.get('operator')
        if operator is not None:
            return gettext('lk_base.msg_author_on_behalf',
                operator=User(int(operator)).rec_name)
        elif values.get('web_user') is not None:
            web_user = WebUser(int(values['web_user']))
            return web_user.party.rec_name if web_user.party else (
                web_user.rec_name)
        elif values.get('staff') is not None:
            return User(int(values['staff'])).rec_name
        return gettext('lk_base.msg_author_system')


class Session(ModelSQL, ModelView):
    __name__ = 'lk.operator.session'
    __string__ = "Operator Portal Session"

    key = fields.Char("Key", required=True, readonly=True, strip=False)
    user = fields.Many2One(
        'res.user', "Operator", required=True, ondelete='CASCADE',
        readonly=True)
    expires = fields.Timestamp("Expires", required=True, readonly=True)
    ip_address = fields.Char("IP Address", readonly=True)
    user_agent = fields.Char("User Agent", readonly=True)
    acting_for = fields.Many2One(
        'web.user', "Acting For", ondelete='SET NULL', readonly=True)
    audit = fields.Many2One(
        'lk.operator.audit', "Audit", ondelete='SET NULL', readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._sql_indexes.update({
                Index(t, (t.key, Index.Equality(cardinality='high'))),
                Index(t, (t.user, Index.Range())),
                })

    def get_rec_name(self, name):
        return self.user.rec_name

    @classmethod
    @without_check_access
    def start(cls, user_id, ip=None, user_agent=None):
        "Open a session of the staff user; return its key"
        hours = config.getfloat('lk', 'operator_session_hours', default=12)
        session = cls(
            key=secrets.token_urlsafe(32), user=user_id,
            expires=clock.utcnow() + dt.timedelta(hours=hours),
            ip_address=ip, user_agent=(user_agent or '')[:500] or None)
        session.save()
        return session.key

    @classmethod
    @without_check_access
    def get(cls, key):
        "The live session of key or None"
        if not key:
            return None
        sessions = cls.search([
                ('key', '=', key),
                ('expires', '>', clock.utcnow()),
                ('user.active', '=', True),
                ], limit=1)
        return sessions[0] if sessions else None

    @classmethod
    @without_check_access
    def info(cls, key):
        """What the portal needs of the live session of key, or None: one
        statement (and the client's name while acting on behalf)"""
        if not key:
            return None
        pool = Pool()
        User = pool.get('res.user')
        WebUser = pool.get('web.user')
        session, user = cls.__table__(), User.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*session.join(user, condition=session.user == user.id
                ).select(user.id, user.name, user.login, session.acting_for,
                session.audit,
                where=(session.key == key)
                & (session.expires > clock.utcnow())
                & (user.active == Literal(True)),
                limit=1))
        row = cursor.fetchone()
        if not row:
            return None
        user_id, name, login, acting, audit = row
        acting_name = None
        if acting:
            acting_user = WebUser(acting)
            acting_name = (acting_user.party.rec_name
                if acting_user.party else None)
        return {
            'user_id': user_id,
            'name': name or login,
            'acting_for': acting,
            'acting_name': acting_name,
            'audit_id': audit,
            }

    @classmethod
    @without_check_access
    def end(cls, key):
        "Close the session of key, and its acting on behalf of a client"
        session = cls.get(key)
        if session:
            session._stop_acting()
            cls.delete([session])

    @classmethod
    @without_check_access
    def act(cls, key, web_user, ip=None):
        """Act on behalf of web_user, which the operator has found under the
        record rules of their branches; return the audit."""
        pool = Pool()
        Audit = pool.get('lk.operator.audit')
        WebUser = pool.get('web.user')
        session = cls.get(key)
        web_user = WebUser(int(web_user))
        if web_user.lk_is_staff():
            raise OperatorError(gettext('lk_base.msg_operator_act_staff'))
        if not web_user.active or not web_user.party:
            raise OperatorError(gettext('lk_base.msg_operator_act_blocked'))
        session._stop_acting()
        audit = Audit(
            operator=session.user, web_user=web_user, party=web_user.party,
            started_at=clock.utcnow(), ip_address=ip)
        audit.save()
        session.acting_for = web_user
        session.audit = audit
        session.save()
        return audit

    @classmethod
    @without_check_access
    def stop(cls, key):
        "Stop acting on behalf of a client; return the client's web user id"
        session = cls.get(key)
        if session and session.acting_for:
            web_user_id = session.acting_for.id
            session._stop_acting()
            return web_user_id

    def _stop_acting(self):
        if self.audit and not self.audit.ended_at:
            self.audit.ended_at = clock.utcnow()
            self.audit.save()
        if self.acting_for or self.audit:
            self.acting_for = None
            self.audit = None
            self.save()


class Audit(ModelSQL, ModelView):
    __name__ = 'lk.operator.audit'
    __string__ = "Acting on Behalf of a Client"

    operator = fields.Many2One(
        'res.user', "Operator", required=True, ondelete='RESTRICT',
        readonly=True)
    web_user = fields.Many2One(
        'web.user', "Web User", ondelete='SET NULL', readonly=True)
    party = fields.Many2One(
        'party.party', "Client", required=True, ondelete='CASCADE',
        readonly=True)
    started_at = fields.Timestamp("Started At", required=True, readonly=True)
    ended_at = fields.Timestamp("Ended At", readonly=True)
    ip_address = fields.Char("IP Address", readonly=True)
    lines = fields.One2Many(
        'lk.operator.audit.line', 'audit', "Actions", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('party')
        cls._order = [('started_at', 'DESC'), ('id', 'DESC')]
        cls._sql_indexes.update({
                Index(t, (t.operator, Index.Range()),
                    (t.started_at, Index.Range(order='DESC'))),
                Index(t, (t.party, Index.Range())),
                })

    def get_rec_name(self, name):
        return '%s → %s' % (self.operator.rec_name, self.party.rec_name)

    @classmethod
    @without_check_access
    def log_request(cls, audit_id, method, path):
        "An operator's POST on a client's page"
        pool = Pool()
        Line = pool.get('lk.operator.audit.line')
        Line(audit=audit_id, action='request', method=method,
            path=path[:500]).save()


class AuditLine(ModelSQL, ModelView):
    __name__ = 'lk.operator.audit.line'
    __string__ = "Action on Behalf of a Client"

    audit = fields.Many2One(
        'lk.operator.audit', "Audit", required=True, ondelete='CASCADE',
        readonly=True)
    action = fields.Selection([
            ('request', "Request"),
            ('create', "Created"),
            ('write', "Changed"),
            ('delete', "Deleted"),
            ('button', "Action Taken"),
            ], "Action", required=True, readonly=True)
    method = fields.Char(
        "Method", readonly=True,
        help="The HTTP method of a request, the name of an action.")
    path = fields.Char("Page", readonly=True)
    model = fields.Char("Model", readonly=True)
    record_ids = fields.Char("Records", readonly=True)
    field_names = fields.Char("Fields", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('audit')
        cls._order = [('create_date', 'ASC'), ('id', 'ASC')]
        cls._sql_indexes.add(Index(t, (t.audit, Index.Range())))

    @classmethod
    @without_check_access
    def add(cls, audit_id, model_name, mode, records, field_names=None,
            method=None):
        context = Transaction().context
        cls(audit=audit_id, action=mode, model=model_name, method=method,
            path=(context.get(PATH_KEY) or '')[:500] or None,
            record_ids=', '.join(str(r.id) for r in records)[:1000],
            field_names=', '.join(sorted(field_names or ()))[:1000] or None,
            ).save()
