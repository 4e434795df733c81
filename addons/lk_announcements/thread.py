# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.modules.lk_base.operator import (
    AuthorMixin, OperatorAuditMixin)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import AnnouncementError


class Thread(OperatorAuditMixin, ModelSQL, ModelView):
    __name__ = 'lk.announcement.thread'
    __string__ = "Announcement Thread"

    announcement = fields.Many2One(
        'lk.announcement', "Announcement", required=True,
        ondelete='CASCADE', readonly=True)
    party = fields.Many2One(
        'party.party', "Correspondent", required=True, ondelete='RESTRICT',
        readonly=True,
        help="The client who wrote to the author of the announcement.")
    author = fields.Function(
        fields.Many2One('party.party', "Author"), 'get_author')
    messages = fields.One2Many(
        'lk.announcement.message', 'thread', "Messages", readonly=True)
    author_agreed = fields.Boolean(
        "Author Agreed", readonly=True,
        help="The author of the announcement agreed to redistribute.")
    party_agreed = fields.Boolean(
        "Correspondent Agreed", readonly=True)
    agreed = fields.Function(fields.Boolean("Agreed"), 'get_agreed')
    application = fields.Many2One(
        'lk.application', "Redistribution Application", readonly=True,
        ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('write_date', 'DESC NULLS LAST'),
            ('create_date', 'DESC'), ('id', 'DESC')]
        cls._sql_constraints += [
            ('pair_unique', Unique(t, t.announcement, t.party),
                'lk_announcements.msg_thread_pair_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.party, Index.Range())))

    @staticmethod
    def default_author_agreed():
        return False

    @staticmethod
    def default_party_agreed():
        return False

    def get_author(self, name):
        return self.announcement.party.id

    def get_agreed(self, name):
        return bool(self.author_agreed and self.party_agreed)

    def get_rec_name(self, name):
        return '%s — %s' % (self.announcement.rec_name, self.party.rec_name)

    @property
    def receiver(self):
        "The party that receives the power"
        if self.announcement.kind == 'demand':
            return self.announcement.party
        return self.party

    @property
    def donor(self):
        "The party that cedes the power"
        if self.announcement.kind == 'demand':
            return self.party
        return self.announcement.party

    def other(self, party):
        return self.party if party == self.announcement.party else (
            self.announcement.party)

    @classmethod
    def open(cls, announcement, party):
        "The thread of the party on the announcement, made when missing"
        if announcement.party == party:
            raise AnnouncementError(gettext(
                    'lk_announcements.msg_thread_own'))
        threads = cls.search([
                ('announcement', '=', announcement.id),
                ('party', '=', party.id),
                ], limit=1)
        if threads:
            return threads[0]
        if announcement.state != 'published':
            raise AnnouncementError(gettext(
                    'lk_announcements.msg_thread_not_published'))
        thread = cls(announcement=announcement, party=party)
        thread.save()
        return thread

    def post(self, party, text):
        "Add a message of party to the thread and notify the other side"
        pool = Pool()
        Message = pool.get('lk.announcement.message')
        if self.announcement.state != 'published':
            raise AnnouncementError(gettext(
                    'lk_announcements.msg_thread_not_published'))
        message = Message(thread=self, party=party, text=text)
        message.save()
        self._notify(self.other(party), 'message', text=text)
        return message

    def agree(self, party):
        "The side of party agrees to redistribute the power"
        if party == self.announcement.party:
            self.author_agreed = True
        else:
            self.party_agreed = True
        self.save()
        self._notify(self.other(party), 'agreed')

    def _notify(self, party, event, **values):
        pool = Pool()
        Notification = pool.get('lk.notification')
        language = party.lang.code if party.lang else Transaction().language
        with without_check_access(), \
                Transaction().set_context(language=language):
            thread = self.__class__(self.id)
            values.update(announcement=thread.announcement.rec_name)
            Notification.notify(
                party,
                gettext('lk_announcements.msg_thread_%s_subject' % event,
                    language, **values),
                gettext('lk_announcements.msg_thread_%s_body' % event,
                    language, **values),
                link='/my/announcements/threads/%s' % thread.id)


class Message(AuthorMixin, ModelSQL, ModelView):
    __name__ = 'lk.announcement.message'
    __string__ = "Announcement Message"

    thread = fields.Many2One(
        'lk.announcement.thread', "Thread", required=True,
        ondelete='CASCADE', readonly=True)
    party = fields.Many2One(
        'party.party', "From", required=True, ondelete='RESTRICT',
        readonly=True)
    text = fields.Text("Message", required=True, readonly=True)
    hidden = fields.Boolean(
        "Hidden", readonly=True,
        help="Hidden by a moderator: the parties see that a message was "
        "hidden, not its text.")
    hidden_by = fields.Many2One(
        'res.user', "Hidden By", readonly=True, ondelete='RESTRICT',
        states={
            'invisible': ~Eval('hidden'),
            })

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('thread')
        cls._order = [('create_date', 'ASC'), ('id', 'ASC')]
        cls._sql_indexes.add(Index(t, (t.thread, Index.Range())))
        cls._buttons.update({
                'hide': {
                    'invisible': Eval('hidden', False),
                    'depends': ['hidden'],
                    },
                'unhide': {
                    'invisible': ~Eval('hidden', False),
                    'depends': ['hidden'],
                    },
                })

    @staticmethod
    def default_hidden():
        return False

    @classmethod
    def validate_fields(cls, messages, field_names):
        super().validate_fields(messages, field_names)
        if 'text' in field_names:
            for message in messages:
                if not message.text.strip():
                    raise AnnouncementError(gettext(
                            'lk_announcements.msg_message_empty'))

    @classmethod
    @ModelView.button
    def hide(cls, messages):
        cls.write(messages, {
                'hidden': True, 'hidden_by': Transaction().user})

    @classmethod
    @ModelView.button
    def unhide(cls, messages):
        cls.write(messages, {'hidden': False, 'hidden_by': None})
