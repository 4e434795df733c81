# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import without_check_access

from .exceptions import AnnouncementError

KIND = 'redistribution'


class Application(metaclass=PoolMeta):
    __name__ = 'lk.application'

    donor = fields.Many2One(
        'party.party', "Ceding Party", readonly=True, ondelete='RESTRICT',
        help="The holder of the maximum power who cedes part of it "
        "(redistribution of power).")
    redistribution_thread = fields.Many2One(
        'lk.announcement.thread', "Announcement Thread", readonly=True,
        ondelete='SET NULL',
        help="The agreement on the board of power redistribution that "
        "the application comes from.")

    @classmethod
    def create_redistribution(cls, thread, web_user=None):
        """The draft of the redistribution application of an agreed pair:
        the receiver applies, the ceding party and the power prefilled"""
        pool = Pool()
        Kind = pool.get('lk.application.kind')
        Thread = pool.get('lk.announcement.thread')
        if not thread.agreed:
            raise AnnouncementError(gettext(
                    'lk_announcements.msg_thread_not_agreed'))
        if thread.application:
            return thread.application
        with without_check_access():
            kind, = Kind.search([('code', '=', KIND)], limit=1)
        announcement = thread.announcement
        application = cls.create_draft(
            kind, thread.receiver, web_user=web_user)
        application.donor = thread.donor
        application.redistribution_thread = thread
        application.max_power = announcement.power
        application.object_address = announcement.substation_address
        application.reason = gettext(
            'lk_announcements.msg_application_reason',
            donor=thread.donor.rec_name, receiver=thread.receiver.rec_name,
            power=announcement.power, centre=announcement.centre_name,
            address=announcement.substation_address,
            announcement=announcement.id)
        application.save()
        with without_check_access():
            Thread.write([Thread(thread.id)], {'application': application.id})
        return application
