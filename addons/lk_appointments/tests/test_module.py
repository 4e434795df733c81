# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from unittest.mock import patch

from trytond.modules.lk_appointments.exceptions import AppointmentError
from trytond.modules.lk_base.tests.tools import statements
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
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


class LkAppointmentsTestCase(ModuleTestCase):
    """What the scenarios (tests/scenario_lk_appointments*.rst) leave out:
    blocked times, a service bound to a person, the QR code of the ticket"""
    module = 'lk_appointments'

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

    @with_transaction()
    def test_statements_constant(self):
        """The free days of the horizon take as many statements as the
        free slots of one day, and a booking as many whatever the bookings
        of the office"""
        pool = Pool()
        Appointment = pool.get('lk.appointment')
        Offer = pool.get('lk.appointment.offer')
        offer = make_office(capacity=1)
        parties = [make_party(i) for i in range(12)]
        connection = Transaction().connection

        def count(function, *args):
            # a new instance each time: nothing read before in its cache
            with statements(connection) as sent:
                function(*args)
            return len(sent)

        def book(party, date, n):
            offer_ = Offer(offer.id)
            start, _ = offer_.free_slots(date)[n]
            return count(Appointment.book, party, offer_, start)
        with now_at(dt.datetime(2025, 10, 27, 4)):
            day = dt.date(2025, 10, 29)
            # the offer, its office, branch and service read once
            Offer(offer.id).free_days()
            counts = {count(lambda: Offer(offer.id).free_slots(day))
                for _ in range(2)}
            counts |= {count(lambda: Offer(offer.id).free_days())
                for _ in range(2)}
            self.assertEqual(len(counts), 1, counts)
            # the first booking reads the sequence, the notification set-up
            book(parties[0], day, 0)
            second = book(parties[1], day, 0)
            for i, party in enumerate(parties[2:-1]):
                book(party, day + dt.timedelta(days=i % 3), i)
            self.assertEqual(book(parties[-1], day, 5), second)
            # the full slots are left out, by one grouped query
            self.assertEqual(
                count(lambda: Offer(offer.id).free_days()), counts.pop())


del ModuleTestCase
