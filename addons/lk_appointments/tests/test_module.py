# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import threading
from unittest.mock import patch

from trytond.modules.lk_appointments.exceptions import AppointmentError
from trytond.modules.lk_base.tests.tools import set_config
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME, ModuleTestCase, with_transaction)
from trytond.transaction import Transaction

T = dt.time


def now_at(value):
    return patch(
        'trytond.modules.lk_base.clock.utcnow', return_value=value)


def make_office(timezone='Europe/Moscow', capacity=2, code=None,
        manager=None):
    "An office open Mon–Fri 08:00–18:00 with a break 12:00–13:00"
    pool = Pool()
    Branch = pool.get('lk.branch')
    Office = pool.get('lk.office')
    Service = pool.get('lk.appointment.service')
    Offer = pool.get('lk.appointment.offer')
    Schedule = pool.get('lk.appointment.schedule')
    code = code or timezone
    branch = Branch(name=code, code=code, timezone=timezone)
    branch.save()
    office = Office(branch=branch, name="ЦОК", address="ул. Кулагина, д. 16")
    office.save()
    service = Service(name="Выдача документов", duration=30)
    service.save()
    offer = Offer(
        office=office, service=service, capacity=capacity, manager=manager)
    offer.save()
    Schedule.save([Schedule(
                office=office, weekday=str(d), start=T(8), end=T(18),
                break_start=T(12), break_end=T(13)) for d in range(5)])
    return offer


def make_party(n=1):
    pool = Pool()
    Party = pool.get('party.party')
    party = Party(
        person_kind='fl', name="Иванов Иван %s" % n, last_name="Иванов",
        first_name="Иван", notify_method='portal')
    party.save()
    return party


def local_times(offer, date):
    return [offer.office.to_local(s).strftime('%H:%M')
        for s, _ in offer.slots(date)]


class LkAppointmentsTestCase(ModuleTestCase):
    module = 'lk_appointments'

    @with_transaction()
    def test_slots_calendar_two_time_zones(self):
        "Slots across a holiday, a transfer and a shortened day"
        moscow = make_office('Europe/Moscow')
        barnaul = make_office('Asia/Barnaul')
        for offer, offset in [(moscow, 3), (barnaul, 7)]:
            # Friday 31.10.2025: the weekly schedule less the break
            slots = offer.slots(dt.date(2025, 10, 31))
            self.assertEqual(len(slots), 18)
            self.assertEqual(slots[0][0], dt.datetime(2025, 10, 31, 8 - offset))
            self.assertEqual(local_times(offer, dt.date(2025, 10, 31))[7:9],
                ['11:30', '13:00'])
            # Saturday 01.11.2025 is a working day of a transfer
            self.assertEqual(len(offer.slots(dt.date(2025, 11, 1))), 18)
            # Monday 03.11.2025 is its day off, 04.11 a holiday
            self.assertEqual(offer.slots(dt.date(2025, 11, 3)), [])
            self.assertEqual(offer.slots(dt.date(2025, 11, 4)), [])
            self.assertEqual(offer.slots(dt.date(2025, 11, 2)), [])
            # 30.04.2026 comes before the holiday of 01.05: one hour less
            times = local_times(offer, dt.date(2026, 4, 30))
            self.assertEqual((len(times), times[-1]), (16, '16:30'))
            self.assertEqual(offer.slots(dt.date(2026, 5, 1)), [])
            # 08.05.2026 (Friday) before Victory Day on a Saturday
            self.assertEqual(len(offer.slots(dt.date(2026, 5, 8))), 16)
            # 11.05.2026, the day off for it
            self.assertEqual(offer.slots(dt.date(2026, 5, 11)), [])

    @with_transaction()
    def test_exceptions(self):
        "A closed day and a shortened day of the office"
        pool = Pool()
        Exception_ = pool.get('lk.appointment.exception')
        offer = make_office()
        Exception_.save([
                Exception_(office=offer.office, date=dt.date(2025, 10, 30),
                    kind='closed', reason="Санитарный день"),
                Exception_(office=offer.office, date=dt.date(2025, 10, 31),
                    kind='shortened', end=T(15)),
                ])
        self.assertEqual(offer.slots(dt.date(2025, 10, 30)), [])
        times = local_times(offer, dt.date(2025, 10, 31))
        self.assertEqual((len(times), times[-1]), (12, '14:30'))

    @with_transaction()
    def test_capacity_cancel_no_show(self):
        "Capacity 2: the third is refused; cancelling frees; no-shows"
        pool = Pool()
        Appointment = pool.get('lk.appointment')
        offer = make_office(capacity=2)
        parties = [make_party(i) for i in range(4)]
        now = dt.datetime(2025, 10, 28, 4)
        with now_at(now):
            start, end = offer.free_slots(dt.date(2025, 10, 29))[0]
            first = Appointment.book(parties[0], offer, start)
            second = Appointment.book(parties[1], offer, start)
            self.assertEqual((first.seat, second.seat), (1, 2))
            self.assertTrue(first.number.startswith('З-'))
            self.assertNotIn(
                start, [s for s, _ in offer.free_slots(start.date())])
            with self.assertRaises(AppointmentError):
                Appointment.book(parties[2], offer, start)
            Appointment.cancel([first])
            self.assertEqual(first.state, 'cancelled')
            self.assertIn(
                start, [s for s, _ in offer.free_slots(start.date())])
            third = Appointment.book(parties[2], offer, start)
            self.assertEqual(third.seat, 1)
            # the client learnt of it, with the calendar file
            Notification = pool.get('lk.notification')
            notices = Notification.search([('party', '=', parties[2].id)])
            self.assertEqual(len(notices), 1)
            self.assertIn(third.number, notices[0].body)
            self.assertIn(b'BEGIN:VEVENT', third.ics())
        Appointment.check_in([second])
        with now_at(start + dt.timedelta(minutes=4, seconds=59)):
            Appointment.reject_no_shows()
            self.assertEqual(third.state, 'pending')
            with self.assertRaises(AppointmentError):
                Appointment.cancel([third])
        with now_at(start + dt.timedelta(minutes=5)):
            Appointment.reject_no_shows()
        self.assertEqual(third.state, 'rejected')
        self.assertEqual(second.state, 'confirmed')
        Appointment.serve([second])
        self.assertEqual(second.state, 'served')

    @with_transaction()
    def test_limits(self):
        "No past, the horizon, N active per client, one per slot"
        pool = Pool()
        Appointment = pool.get('lk.appointment')
        offer = make_office(capacity=3)
        other = make_office(code='other')
        party = make_party()
        now = dt.datetime(2025, 10, 28, 8)
        set_config(self, 'lk', 'appointment_max_active', '2')
        set_config(self, 'lk', 'appointment_horizon_days', '5')
        with now_at(now):
            past = [s for s, _ in offer.slots(now.date()) if s < now][-1]
            with self.assertRaises(AppointmentError):
                Appointment.book(party, offer, past)
            late = offer.slots(dt.date(2025, 11, 5))[0][0]
            with self.assertRaises(AppointmentError):
                Appointment.book(party, offer, late)
            self.assertEqual(offer.free_slots(dt.date(2025, 11, 5)), [])
            start = offer.slots(dt.date(2025, 10, 29))[0][0]
            with self.assertRaises(AppointmentError):
                # not a slot of the office
                Appointment.book(party, offer, start + dt.timedelta(
                        minutes=10))
            Appointment.book(party, offer, start)
            with self.assertRaises(AppointmentError):
                Appointment.book(party, other, start)
            Appointment.book(party, offer, start + dt.timedelta(hours=1))
            with self.assertRaises(AppointmentError) as cm:
                Appointment.book(party, offer, start + dt.timedelta(hours=2))
            self.assertIn('2', cm.exception.message)
            self.assertEqual(offer.free_days(now)[0], dt.date(2025, 10, 28))
            self.assertNotIn(dt.date(2025, 11, 3), offer.free_days(now))

    @with_transaction()
    def test_block_and_manager(self):
        "A blocked slot is not offered; a person takes one at a time"
        pool = Pool()
        Appointment = pool.get('lk.appointment')
        Block = pool.get('lk.appointment.block')
        User = pool.get('res.user')
        manager = User(name="Ольга Витальевна", login='olga')
        manager.save()
        first = make_office(code='m1', manager=manager)
        second = make_office(code='m2', manager=manager)
        parties = [make_party(i) for i in range(2)]
        with now_at(dt.datetime(2025, 10, 28, 4)):
            start, end = first.free_slots(dt.date(2025, 10, 29))[0]
            Block(office=first.office, start=start, end=end).save()
            self.assertNotIn(start,
                [s for s, _ in first.free_slots(dt.date(2025, 10, 29))])
            with self.assertRaises(AppointmentError):
                Appointment.book(parties[0], first, start)
            Appointment.book(parties[0], second, start)
            Block.delete(Block.search([]))
            with self.assertRaises(AppointmentError):
                Appointment.book(parties[1], first, start)

    @with_transaction()
    def test_reminder_and_check_in_number(self):
        "The day-before reminder goes once; check-in by ticket number"
        pool = Pool()
        Appointment = pool.get('lk.appointment')
        Notification = pool.get('lk.notification')
        offer = make_office()
        party = make_party()
        with now_at(dt.datetime(2025, 10, 27, 4)):
            start, _ = offer.free_slots(dt.date(2025, 10, 29))[0]
            appointment = Appointment.book(party, offer, start)
        with now_at(start - dt.timedelta(hours=25)):
            Appointment.send_reminders()
        self.assertFalse(appointment.reminded)
        with now_at(start - dt.timedelta(hours=23)):
            Appointment.send_reminders()
            Appointment.send_reminders()
        self.assertTrue(appointment.reminded)
        self.assertEqual(Notification.search_count(
                [('party', '=', party.id)]), 2)
        with self.assertRaises(AppointmentError):
            Appointment.check_in_number('З-999999')
        Appointment.check_in_number(' %s ' % appointment.number.lower())
        self.assertEqual(appointment.state, 'confirmed')

    @with_transaction()
    def test_ticket_report(self):
        "The ticket is a PDF"
        pool = Pool()
        Appointment = pool.get('lk.appointment')
        Ticket = pool.get('lk.appointment.ticket', type='report')
        offer = make_office()
        with now_at(dt.datetime(2025, 10, 27, 4)):
            start, _ = offer.free_slots(dt.date(2025, 10, 29))[0]
            appointment = Appointment.book(make_party(), offer, start)
        ext, content, _, _ = Ticket.execute([appointment.id], {})
        self.assertEqual(ext, 'pdf')
        self.assertTrue(bytes(content).startswith(b'%PDF'))
        size, path = appointment.qr_code()
        self.assertEqual(size, 21 + 8)
        self.assertTrue(path.startswith('M4 4h7v1h-7z'))

    def test_race_for_last_place(self):
        "20 clients after the last place on PostgreSQL: exactly one wins"
        from trytond import backend
        if backend.name != 'postgresql':
            self.skipTest("PostgreSQL only")
        with Transaction().start(DB_NAME, 0) as transaction:
            offer = make_office(capacity=1, code='race')
            parties = [make_party(i) for i in range(20)]
            offer_id, party_ids = offer.id, [p.id for p in parties]
            transaction.commit()
        now = dt.datetime(2025, 10, 28, 4)
        results = []
        barrier = threading.Barrier(20)

        def book(party_id):
            with Transaction().start(DB_NAME, 0) as transaction:
                pool = Pool()
                Appointment = pool.get('lk.appointment')
                Offer = pool.get('lk.appointment.offer')
                Party = pool.get('party.party')
                offer = Offer(offer_id)
                start = offer.slots(dt.date(2025, 10, 29))[0][0]
                barrier.wait()
                try:
                    Appointment.book(Party(party_id), offer, start)
                    transaction.commit()
                    results.append(True)
                except AppointmentError:
                    transaction.rollback()
                    results.append(False)
        with now_at(now):
            threads = [threading.Thread(target=book, args=(p,))
                for p in party_ids]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        self.assertEqual(results.count(True), 1)
        self.assertEqual(len(results), 20)
        with Transaction().start(DB_NAME, 0) as transaction:
            Appointment = Pool().get('lk.appointment')
            self.assertEqual(Appointment.search_count(
                    [('offer', '=', offer_id)]), 1)


del ModuleTestCase
