# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql.aggregate import Count

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Workflow, fields,
    sequence_ordered)
from trytond.modules.lk_base.operator import AuthorMixin
from trytond.modules.lk_base import clock
from trytond.modules.lk_base.party import PERSON_KINDS
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction, without_check_access

from .exceptions import (
    AnnouncementError, AnnouncementExcludedError,
    AnnouncementModificationError)

KINDS = [
    ('demand', "Demand"),
    ('offer', "Offer"),
    ]
STATES = [
    ('draft', "Draft"),
    ('moderation', "On Moderation"),
    ('published', "Published"),
    ('rejected', "Rejected"),
    ('closed', "Closed"),
    ('expired', "Expired"),
    ]
# what the author may no longer change
FINAL_STATES = {'closed', 'expired'}
# an author's change of these sends a published or rejected announcement
# back to moderation
CONTENT_FIELDS = {
    'kind', 'power_centre', 'substation', 'centre_name',
    'substation_address', 'power', 'message', 'phone', 'email',
    'active_until', 'contact_visibility', 'connection'}
# the applications whose power receivers are connected: the acts of
# technological connection state their maximum power
CONNECTED_STATES = ['connected', 'acts_issued', 'closed']
VISIBILITY = [
    ('signed_in', "To Signed-in Clients"),
    ('messages', "Only Through Messages"),
    ]


class Exclusion(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'lk.announcement.exclusion'
    __string__ = "Announcement Exclusion"

    name = fields.Char(
        "Category", required=True, translate=True,
        help="The category of applicants, as the client reads it.")
    kinds = fields.MultiSelection(
        KINDS, "Announcement Kinds", sort=False,
        help="The kinds of announcement refused to the category; "
        "empty for all.")
    person_kinds = fields.MultiSelection(
        PERSON_KINDS, "Person Kinds",
        help="Empty for all kinds of person.")
    max_power = fields.Numeric(
        "Up to Connected Power (kW)", digits=(16, 3),
        help="The category holds the clients whose connected maximum "
        "power (by the act of technological connection) is up to this; "
        "empty for any power.")
    legal_basis = fields.Char(
        "Legal Basis", required=True, translate=True,
        help="Shown to the client with the refusal, e.g. the point of "
        "the Rules of technological connection (ПП 861).")

    @staticmethod
    def default_kinds():
        return ['offer']

    def applies(self, kind, person_kind, power):
        """Whether the category holds an announcement of kind by a person
        of person_kind whose connected maximum power is power (None when
        not known: then a category bounded by power does not apply)"""
        if self.kinds and kind not in self.kinds:
            return False
        if self.person_kinds and person_kind not in self.person_kinds:
            return False
        if self.max_power is not None and (
                power is None or power > self.max_power):
            return False
        return True

    @classmethod
    @without_check_access
    def find(cls, kind, person_kind, power):
        "The first exclusion that refuses the announcement, or None"
        for exclusion in cls.search([]):
            if exclusion.applies(kind, person_kind, power):
                return exclusion


class Announcement(AuthorMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'lk.announcement'
    __string__ = "Power Redistribution Announcement"

    _content_states = {
        'readonly': Eval('state').in_(list(FINAL_STATES)),
        }

    kind = fields.Selection(
        KINDS, "Kind", required=True, sort=False, states=_content_states,
        help="Demand: the author looks for power; offer: the author "
        "cedes part of their maximum power.")
    kind_string = kind.translated('kind')
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')
    party = fields.Many2One(
        'party.party', "Client", required=True, ondelete='RESTRICT',
        states={
            'readonly': Eval('state') != 'draft',
            })
    branch = fields.Many2One(
        'lk.branch', "Branch", ondelete='RESTRICT',
        help="The branch whose moderators review the announcement.")
    power_centre = fields.Many2One(
        'lk.power.centre', "Power Centre", ondelete='RESTRICT',
        states=_content_states,
        help="Picked from the company's list; empty when the author typed "
        "the name.")
    substation = fields.Many2One(
        'lk.power.substation', "Substation", ondelete='RESTRICT',
        domain=[
            If(Eval('power_centre'),
                ('centre', '=', Eval('power_centre', -1)),
                ()),
            ],
        states=_content_states)
    centre_name = fields.Char(
        "Power Centre Name", required=True, states=_content_states)
    substation_address = fields.Char(
        "Substation Address", required=True, states=_content_states,
        help="Shown as the location of the power centre.")
    power = fields.Numeric(
        "Power (kW)", digits=(16, 3), required=True, states=_content_states,
        help="The maximum power planned for redistribution.")
    connection = fields.Many2One(
        'lk.application', "Connected Object", ondelete='RESTRICT',
        domain=[
            ('party', '=', Eval('party', -1)),
            ('state', 'in', CONNECTED_STATES),
            ('kind.workflow', '=', 'full'),
            ],
        states={
            'readonly': Eval('state').in_(list(FINAL_STATES)),
            'invisible': Eval('kind') != 'offer',
            },
        help="The client's application by which the power receivers whose "
        "power is ceded were connected.")
    connected_power = fields.Numeric(
        "Connected Maximum Power (kW)", digits=(16, 3),
        states={
            'readonly': (Eval('state').in_(list(FINAL_STATES))
                | Bool(Eval('connection'))),
            'invisible': Eval('kind') != 'offer',
            },
        help="The maximum power of the ceding client's power receivers by "
        "the act of technological connection: taken from the connected "
        "object, or entered by the moderator from the act the client "
        "showed. The rules of redistribution look at it.")
    message = fields.Text("Message", states=_content_states)
    phone = fields.Char("Phone", states=_content_states)
    email = fields.Char("E-mail", states=_content_states)
    active_until = fields.Date(
        "Active Until", states=_content_states,
        help="The day after, the announcement expires.")
    contact_visibility = fields.Selection(
        VISIBILITY, "Contacts Shown", required=True, sort=False,
        states=_content_states,
        help="Contacts are never shown to visitors who are not signed in, "
        "nor to search engines.")
    reject_reason = fields.Text(
        "Reason of Rejection",
        states={
            'invisible': ~Eval('state').in_(['moderation', 'rejected']),
            'readonly': Eval('state') != 'moderation',
            })
    published_at = fields.Timestamp("Published At", readonly=True)
    moderator = fields.Many2One(
        'res.user', "Moderator", readonly=True, ondelete='RESTRICT')
    threads = fields.One2Many(
        'lk.announcement.thread', 'announcement', "Threads", readonly=True)
    message_count = fields.Function(
        fields.Integer("Messages"), 'get_message_count')

    del _content_states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('party')
        cls._order = [('write_date', 'DESC NULLS LAST'),
            ('create_date', 'DESC'), ('id', 'DESC')]
        cls._sql_indexes.update({
                Index(t,
                    (t.state, Index.Equality(cardinality='low')),
                    (t.active_until, Index.Range())),
                Index(t, (t.party, Index.Range())),
                })
        cls._transitions |= {
            ('draft', 'moderation'),
            ('rejected', 'moderation'),
            ('published', 'moderation'),
            ('moderation', 'published'),
            ('moderation', 'rejected'),
            ('draft', 'closed'),
            ('moderation', 'closed'),
            ('published', 'closed'),
            ('rejected', 'closed'),
            ('moderation', 'expired'),
            ('published', 'expired'),
            }
        cls._buttons.update({
                'submit': {
                    'invisible': ~Eval('state').in_(['draft', 'rejected']),
                    'depends': ['state'],
                    },
                'approve': {
                    'invisible': Eval('state') != 'moderation',
                    'depends': ['state'],
                    },
                'reject': {
                    'invisible': Eval('state') != 'moderation',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state').in_(list(FINAL_STATES)),
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_kind():
        return 'demand'

    @staticmethod
    def default_contact_visibility():
        return 'signed_in'

    @classmethod
    def default_party(cls):
        parties = Transaction().context.get('web_parties') or []
        return parties[0] if parties else None

    @fields.depends('power_centre', 'substation', 'centre_name',
        'substation_address')
    def on_change_power_centre(self):
        if self.power_centre:
            self.centre_name = self.power_centre.name
            if not self.substation_address:
                self.substation_address = self.power_centre.location

    @fields.depends('substation', 'power_centre', 'centre_name',
        'substation_address')
    def on_change_substation(self):
        if self.substation:
            self.power_centre = self.substation.centre
            self.centre_name = self.substation.rec_name
            self.substation_address = (
                self.substation.location or self.substation.centre.location)

    @fields.depends('party', 'branch')
    def on_change_party(self):
        if self.party and not self.branch:
            self.branch = self.party.branch

    @classmethod
    def get_message_count(cls, announcements, name):
        pool = Pool()
        Message = pool.get('lk.announcement.message')
        Thread = pool.get('lk.announcement.thread')
        message = Message.__table__()
        thread = Thread.__table__()
        counts = {a.id: 0 for a in announcements}
        cursor = Transaction().connection.cursor()
        cursor.execute(*message.join(thread,
                condition=message.thread == thread.id
                ).select(thread.announcement, Count(message.id),
                where=thread.announcement.in_(list(counts))
                & (message.hidden == False),  # noqa: E712
                group_by=thread.announcement))
        counts.update(cursor)
        return counts

    def get_rec_name(self, name):
        return gettext('lk_announcements.msg_announcement_rec_name',
            id=self.id, kind=self.kind_string, centre=self.centre_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause[:3]
        bool_op = 'AND' if operator.startswith('!') else 'OR'
        return [bool_op,
            ('centre_name', operator, value),
            ('substation_address', operator, value),
            ('party.name', operator, value),
            ]

    @property
    def public(self):
        return self.state == 'published'

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Party = pool.get('party.party')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('branch') and values.get(
                'party'):
            with without_check_access():
                branch = Party(values['party']).branch
            values['branch'] = branch.id if branch else None
        if values.get('connection'):
            values['connected_power'] = cls.connection_power(
                values['connection'])
        return values

    @classmethod
    @without_check_access
    def connection_power(cls, application_id):
        """The maximum power connected by the application: the power it
        asked for and the power connected before it, as the act states"""
        pool = Pool()
        Application = pool.get('lk.application')
        application = Application(application_id)
        return (application.max_power or 0) + (
            application.previous_power or 0)

    @classmethod
    def check_modification(
            cls, mode, announcements, values=None, external=False):
        super().check_modification(
            mode, announcements, values=values, external=external)
        if mode == 'write' and values.keys() & CONTENT_FIELDS:
            for announcement in announcements:
                if announcement.state in FINAL_STATES:
                    raise AnnouncementModificationError(gettext(
                            'lk_announcements.msg_announcement_modify_state',
                            announcement=announcement.rec_name,
                            state=announcement.state_string))
        elif mode == 'delete':
            for announcement in announcements:
                if announcement.state != 'draft':
                    raise AnnouncementModificationError(gettext(
                            'lk_announcements.msg_announcement_delete_draft',
                            announcement=announcement.rec_name))

    @classmethod
    def validate_fields(cls, announcements, field_names):
        super().validate_fields(announcements, field_names)
        if field_names & {'kind', 'power', 'party', 'connected_power'}:
            for announcement in announcements:
                announcement.check_power()
                announcement.check_allowed()
        if 'active_until' in field_names:
            for announcement in announcements:
                announcement.check_active_until()

    def check_power(self):
        if self.power is not None and self.power <= 0:
            raise AnnouncementError(gettext(
                    'lk_announcements.msg_announcement_power_positive'))

    def check_allowed(self):
        """Refuse the categories the rules of redistribution exclude: they
        are told by the connected maximum power of the ceding client, not by
        the power announced"""
        pool = Pool()
        Exclusion = pool.get('lk.announcement.exclusion')
        connected = self.connected_power if self.kind == 'offer' else None
        if (connected is not None and self.power is not None
                and self.power > connected):
            raise AnnouncementError(gettext(
                    'lk_announcements.msg_announcement_power_connected',
                    power='{:f}'.format(self.power.normalize()),
                    connected='{:f}'.format(connected.normalize())))
        exclusion = Exclusion.find(
            self.kind, self.party.person_kind, connected)
        if exclusion:
            raise AnnouncementExcludedError(gettext(
                    'lk_announcements.msg_announcement_excluded',
                    kind=self.kind_string, category=exclusion.name,
                    basis=exclusion.legal_basis))

    def check_active_until(self):
        if (self.active_until and self.state in {'draft', 'moderation'}
                and self.active_until < clock.today()):
            raise AnnouncementError(gettext(
                    'lk_announcements.msg_announcement_active_until_past'))

    @classmethod
    def on_modification(cls, mode, announcements, field_names=None):
        super().on_modification(
            mode, announcements, field_names=field_names)
        if mode == 'write' and field_names & CONTENT_FIELDS:
            # the board shows only what a moderator has read
            back = [a for a in cls.browse(announcements)
                if a.state in {'published', 'rejected'}]
            if back:
                with without_check_access():
                    cls.submit(back)

    @classmethod
    @ModelView.button
    @Workflow.transition('moderation')
    def submit(cls, announcements):
        cls.write(announcements, {'reject_reason': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('published')
    def approve(cls, announcements):
        for announcement in announcements:
            if (announcement.kind == 'offer'
                    and announcement.connected_power is None):
                raise AnnouncementError(gettext(
                        'lk_announcements.msg_announcement_connected_unknown',
                        announcement=announcement.rec_name))
        cls.write(announcements, {
                'published_at': clock.utcnow(),
                'moderator': Transaction().user,
                })
        cls._notify(announcements, 'approved')

    @classmethod
    @ModelView.button
    @Workflow.transition('rejected')
    def reject(cls, announcements):
        for announcement in announcements:
            if not (announcement.reject_reason or '').strip():
                raise AnnouncementError(gettext(
                        'lk_announcements.msg_announcement_reject_reason',
                        announcement=announcement.rec_name))
        cls.write(announcements, {'moderator': Transaction().user})
        cls._notify(announcements, 'rejected')

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, announcements):
        pass

    @classmethod
    @Workflow.transition('expired')
    def expire(cls, announcements):
        cls._notify(announcements, 'expired')

    @classmethod
    def close_expired(cls):
        "Expire the announcements whose «Активно до» has passed (cron)"
        announcements = cls.search([
                ('state', 'in', ['moderation', 'published']),
                ('active_until', '<', clock.today()),
                ])
        cls.expire(announcements)

    @classmethod
    def _notify(cls, announcements, event):
        pool = Pool()
        Notification = pool.get('lk.notification')
        for announcement in announcements:
            party = announcement.party
            language = (
                party.lang.code if party.lang else Transaction().language)
            with without_check_access(), \
                    Transaction().set_context(language=language):
                announcement = cls(announcement.id)
                values = {
                    'announcement': announcement.rec_name,
                    'reason': announcement.reject_reason or '',
                    }
                Notification.notify(
                    party,
                    gettext('lk_announcements.msg_announcement_%s_subject'
                        % event, language, **values),
                    gettext('lk_announcements.msg_announcement_%s_body'
                        % event, language, **values),
                    link='/my/announcements/%s' % announcement.id)
