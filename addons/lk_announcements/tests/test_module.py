# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from decimal import Decimal

from trytond.modules.lk_announcements.exceptions import (
    AnnouncementError, AnnouncementExcludedError,
    AnnouncementModificationError)
from trytond.modules.lk_base.tests.portal_fixtures import random_inn
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


def make_party(person_kind='ul', name="ООО «Ромашка»"):
    pool = Pool()
    Party = pool.get('party.party')
    party = Party(person_kind=person_kind, name=name, notify_method='portal')
    if person_kind == 'fl':
        party.last_name, party.first_name = name.split()[:2]
    else:
        party.inn = random_inn(10 if person_kind == 'ul' else 12)
        party.kpp = '246601001' if person_kind == 'ul' else None
    party.save()
    return party


def make_announcement(party, kind='offer', power=Decimal(100), **values):
    pool = Pool()
    Announcement = pool.get('lk.announcement')
    if kind == 'offer' and 'connection' not in values:
        values.setdefault('connected_power', Decimal(1000))
    announcement = Announcement(
        party=party, kind=kind, centre_name='ПС 35 кВ Борисовская',
        substation_address='Кемеровская обл, Борисово с, ТП-280',
        power=power, **values)
    announcement.save()
    return announcement


class LkAnnouncementsTestCase(ModuleTestCase):
    "Test lk_announcements module"
    module = 'lk_announcements'

    @with_transaction()
    def test_moderation_cycle(self):
        "Submit, approve, edit back to moderation, reject, close"
        pool = Pool()
        Announcement = pool.get('lk.announcement')
        Notification = pool.get('lk.notification')
        party = make_party()
        announcement = make_announcement(party)
        Announcement.submit([announcement])
        self.assertEqual(announcement.state, 'moderation')
        Announcement.approve([announcement])
        self.assertEqual(announcement.state, 'published')
        self.assertTrue(announcement.published_at)

        announcement.power = Decimal(50)
        announcement.save()
        self.assertEqual(announcement.state, 'moderation')

        with self.assertRaises(AnnouncementError):
            Announcement.reject([announcement])
        announcement.reject_reason = "Нет такого центра питания"
        announcement.save()
        Announcement.reject([announcement])
        self.assertEqual(announcement.state, 'rejected')
        notifications = Notification.search([('party', '=', party.id)])
        self.assertEqual(len(notifications), 2)
        self.assertIn("Нет такого центра питания", notifications[0].body)

        Announcement.close([announcement])
        with self.assertRaises(AnnouncementModificationError):
            announcement.power = Decimal(10)
            announcement.save()

    @with_transaction()
    def test_excluded_category(self):
        """An individual whose connected power is up to 15 kW is refused
        with the basis, whatever the power announced"""
        party = make_party('fl', "Иванов Иван")
        with self.assertRaises(AnnouncementExcludedError) as cm:
            make_announcement(party, 'offer', Decimal(5),
                connected_power=Decimal(15))
        self.assertIn('861', cm.exception.message)
        # the announced power is not what the rule looks at
        make_announcement(party, 'offer', Decimal(15),
            connected_power=Decimal(25))
        # no one cedes more than is connected
        with self.assertRaises(AnnouncementError):
            make_announcement(party, 'offer', Decimal(30),
                connected_power=Decimal(25))
        # demand is allowed
        make_announcement(party, 'demand', Decimal(15))

    @with_transaction()
    def test_connected_power_of_application(self):
        """The connected power comes from the client's connected
        application: its power and the power connected before it"""
        pool = Pool()
        Application = pool.get('lk.application')
        Kind = pool.get('lk.application.kind')
        party = make_party('fl', "Иванов Иван")
        kind, = Kind.search([('code', '=', 'new_connection')])
        house, workshop = Application.create([{
                    'kind': kind.id, 'party': party.id, 'state': 'closed',
                    'max_power': Decimal(10),
                    'previous_power': Decimal(5),
                    }, {
                    'kind': kind.id, 'party': party.id,
                    'state': 'acts_issued', 'max_power': Decimal(20),
                    'previous_power': Decimal(5),
                    }])
        with self.assertRaises(AnnouncementExcludedError):
            make_announcement(party, 'offer', Decimal(3), connection=house)
        announcement = make_announcement(
            party, 'offer', Decimal(3), connection=workshop)
        self.assertEqual(announcement.connected_power, Decimal(25))

    @with_transaction()
    def test_approve_offer_needs_connected_power(self):
        "The moderator approves an offer once the connected power is known"
        pool = Pool()
        Announcement = pool.get('lk.announcement')
        announcement = make_announcement(
            make_party(), 'offer', connected_power=None)
        Announcement.submit([announcement])
        with self.assertRaises(AnnouncementError):
            Announcement.approve([announcement])
        announcement.connected_power = Decimal(500)
        announcement.save()
        Announcement.approve([announcement])
        self.assertEqual(announcement.state, 'published')

    @with_transaction()
    def test_power_positive(self):
        with self.assertRaises(AnnouncementError):
            make_announcement(make_party(), power=Decimal(0))

    @with_transaction()
    def test_expire(self):
        "The cron expires published announcements past «Активно до»"
        pool = Pool()
        Announcement = pool.get('lk.announcement')
        announcement = make_announcement(
            make_party(), active_until=dt.date.today())
        Announcement.submit([announcement])
        Announcement.approve([announcement])
        Announcement.write([announcement], {
                'active_until': dt.date.today() - dt.timedelta(days=1)})
        # the author's change sent it back to moderation; it still expires
        Announcement.close_expired()
        self.assertEqual(announcement.state, 'expired')

    @with_transaction()
    def test_thread_and_application(self):
        "A thread per pair; an agreed pair files the application"
        pool = Pool()
        Announcement = pool.get('lk.announcement')
        Thread = pool.get('lk.announcement.thread')
        Application = pool.get('lk.application')
        donor = make_party()
        receiver = make_party('ip', "ИП Петров")
        announcement = make_announcement(donor, 'offer', Decimal(375))
        with self.assertRaises(AnnouncementError):
            Thread.open(announcement, receiver)
        Announcement.submit([announcement])
        Announcement.approve([announcement])
        thread = Thread.open(announcement, receiver)
        self.assertEqual(Thread.open(announcement, receiver), thread)
        with self.assertRaises(AnnouncementError):
            Thread.open(announcement, donor)
        thread.post(receiver, "Готовы взять 375 кВт")
        thread.post(donor, "Согласны")
        self.assertEqual(announcement.message_count, 2)

        with self.assertRaises(AnnouncementError):
            Application.create_redistribution(thread)
        thread.agree(donor)
        thread.agree(receiver)
        self.assertTrue(thread.agreed)
        application = Application.create_redistribution(thread)
        self.assertEqual(application.party, receiver)
        self.assertEqual(application.donor, donor)
        self.assertEqual(application.max_power, Decimal(375))
        self.assertEqual(application.kind.code, 'redistribution')
        self.assertEqual(Thread(thread.id).application, application)
        self.assertEqual(
            Application.create_redistribution(Thread(thread.id)), application)


del ModuleTestCase
