# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from . import clock
from .exceptions import ProfileChangeError
from .operator import OperatorMixin

# Fields of the client a profile change request may change; the contact
# ones are party.contact_mechanism types.
PARTY_FIELDS = [
    'last_name', 'first_name', 'middle_name', 'name', 'snils', 'inn',
    'kpp', 'ogrn', 'passport_series', 'passport_number',
    'passport_issued_by', 'passport_issue_date', 'head_name',
    'head_position', 'bank_bik', 'bank_name', 'bank_account',
    'bank_corr_account', 'legal_address', 'actual_address', 'branch',
    ]
CONTACT_FIELDS = ['email', 'mobile', 'phone']


class ProfileChangeRequest(OperatorMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'lk.profile.change.request'
    __string__ = "Profile Change Request"

    party = fields.Many2One(
        'party.party', "Client", required=True, ondelete='CASCADE',
        readonly=True)
    web_user = fields.Many2One(
        'web.user', "Web User", ondelete='SET NULL', readonly=True)
    lines = fields.One2Many(
        'lk.profile.change.request.line', 'request', "Changes",
        readonly=True)
    comment = fields.Text("Client's Comment", readonly=True)
    state = fields.Selection([
            ('submitted', "Submitted"),
            ('approved', "Approved"),
            ('rejected', "Rejected"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')
    rejection_reason = fields.Text(
        "Rejection Reason",
        states={
            'readonly': Eval('state') != 'submitted',
            })
    decided_by = fields.Many2One('res.user', "Decided By", readonly=True)
    decided_at = fields.Timestamp("Decided At", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('party')
        cls._order.insert(0, ('create_date', 'DESC'))
        cls._transitions |= {
            ('submitted', 'approved'),
            ('submitted', 'rejected'),
            ('submitted', 'cancelled'),
            }
        cls._buttons.update({
                'approve': {
                    'invisible': Eval('state') != 'submitted',
                    'depends': ['state'],
                    },
                'reject': {
                    'invisible': Eval('state') != 'submitted',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'submitted'

    def get_rec_name(self, name):
        return '%s №%s' % (self.party.rec_name, self.id)

    @classmethod
    def submit(cls, party, changes, comment=None, web_user=None):
        """Create a request from {field: new value} keeping only what
        differs from the client's current data."""
        pool = Pool()
        Line = pool.get('lk.profile.change.request.line')
        lines = []
        for field, new in changes.items():
            old = cls._current_value(party, field)
            if (new or None) != (old or None):
                lines.append(Line(
                        field=field, old_value=old, new_value=new or None))
        if not lines:
            raise ProfileChangeError(gettext(
                    'lk_base.msg_profile_change_nothing'))
        if cls.search([
                    ('party', '=', party.id),
                    ('state', '=', 'submitted'),
                    ], limit=1):
            raise ProfileChangeError(gettext(
                    'lk_base.msg_profile_change_pending'))
        request = cls(
            party=party, web_user=web_user, lines=lines, comment=comment)
        request.save()
        return request

    @staticmethod
    def _current_value(party, field):
        if field in CONTACT_FIELDS:
            return getattr(party, field, None) or None
        value = getattr(party, field, None)
        if isinstance(value, dt.date):
            return value.isoformat()
        if hasattr(value, 'id'):
            return str(value.id)
        return value

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, requests):
        for request in requests:
            request.apply()
        cls._decide(requests)
        cls._notify(requests, 'lk_base.msg_profile_change_approved_body')

    @classmethod
    @ModelView.button
    @Workflow.transition('rejected')
    def reject(cls, requests):
        for request in requests:
            if not request.rejection_reason:
                raise ProfileChangeError(gettext(
                        'lk_base.msg_profile_change_reason_required',
                        request=request.rec_name))
        cls._decide(requests)
        cls._notify(requests, 'lk_base.msg_profile_change_rejected_body')

    @classmethod
    @Workflow.transition('cancelled')
    def cancel(cls, requests):
        pass

    @classmethod
    def _decide(cls, requests):
        cls.write(requests, {
                'decided_by': Transaction().user,
                'decided_at': clock.utcnow(),
                })

    @classmethod
    def _notify(cls, requests, message):
        pool = Pool()
        Notification = pool.get('lk.notification')
        for request in requests:
            # in the client's language, not the staff member's
            party = request.party
            language = (
                party.lang.code if party.lang else Transaction().language)
            Notification.notify(
                party,
                gettext('lk_base.msg_profile_change_subject', language,
                    number=request.id),
                gettext(message, language, number=request.id,
                    reason=request.rejection_reason or ''),
                link='/my/profile')

    def apply(self):
        pool = Pool()
        Party = pool.get('party.party')
        WebUser = pool.get('web.user')
        party = Party(self.party.id)
        values = {}
        users = WebUser.search([('party', '=', party.id)])
        for line in self.lines:
            if line.field == 'email' and line.new_value and users:
                # the login e-mail: the new address confirms it first
                WebUser.request_email_change(users, line.new_value)
            elif line.field in CONTACT_FIELDS:
                party.set_contact(line.field, line.new_value)
            else:
                values[line.field] = line.typed_value
        if values:
            Party.write([party], values)


class ProfileChangeRequestLine(ModelSQL, ModelView):
    __name__ = 'lk.profile.change.request.line'
    __string__ = "Profile Change Request Line"

    request = fields.Many2One(
        'lk.profile.change.request', "Request", required=True,
        ondelete='CASCADE')
    field = fields.Selection('get_fields', "Field", required=True)
    field_string = field.translated('field')
    old_value = fields.Char("Old Value")
    new_value = fields.Char("New Value")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('request')

    @classmethod
    def get_fields(cls):
        pool = Pool()
        Party = pool.get('party.party')
        ContactMechanism = pool.get('party.contact_mechanism')
        types = dict(ContactMechanism.type.selection)
        return ([(f, getattr(Party, f).string) for f in PARTY_FIELDS]
            + [(f, types[f]) for f in CONTACT_FIELDS])

    @property
    def typed_value(self):
        pool = Pool()
        Party = pool.get('party.party')
        field = getattr(Party, self.field)
        if not self.new_value:
            return None
        if field._type == 'date':
            return dt.date.fromisoformat(self.new_value)
        if field._type == 'many2one':
            return int(self.new_value)
        return self.new_value
