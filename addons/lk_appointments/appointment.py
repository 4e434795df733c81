# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Booking a visit to a customer office.

A service of an office (`lk.appointment.offer`) has slots of the service's
length within the office's opening hours; each slot has as many places as
the office has windows for the service (or one, for a service bound to a
person). A booking takes a place: its `seat_key` (slot + place number) is
unique in the database while the booking is active, so that of two clients
after the last place exactly one wins, on every backend; `client_key`
(client + slot) keeps a client to one booking per slot.
"""
import datetime as dt

from sql.aggregate import Count

import trytond.config as config
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.model.exceptions import SQLConstraintError
from trytond.modules.lk_base import clock
from trytond.modules.lk_base.operator import OperatorMixin, record_action
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.report import Report
from trytond.transaction import Transaction, without_check_access

from .exceptions import AppointmentError

ACTIVE = ('pending', 'confirmed', 'served')
WEEKDAYS = [
    ('0', "Monday"), ('1', "Tuesday"), ('2', "Wednesday"), ('3', "Thursday"),
    ('4', "Friday"), ('5', "Saturday"), ('6', "Sunday"),
    ]


def setting(name, default):
    return config.getint('lk', 'appointment_' + name, default=default)


class Service(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'lk.appointment.service'
    __string__ = "Appointment Service"

    name = fields.Char("Name", required=True, translate=True)
    duration = fields.Integer(
        "Slot Length", required=True,
        domain=[('duration', '>', 0)],
        help="The length of a visit in minutes.")

    @staticmethod
    def default_duration():
        return 30


class Offer(DeactivableMixin, ModelSQL, ModelView):
    """A service an office provides: its capacity is the number of windows
    serving it, or one person (the extension point of «Энергоадвокат»)"""
    __name__ = 'lk.appointment.offer'
    __string__ = "Office Service"

    office = fields.Many2One(
        'lk.office', "Office", required=True, ondelete='CASCADE')
    service = fields.Many2One(
        'lk.appointment.service', "Service", required=True,
        ondelete='RESTRICT')
    capacity = fields.Integer(
        "Windows", required=True,
        domain=[('capacity', '>', 0)],
        states={'invisible': Bool(Eval('manager'))},
        help="How many clients are received at once: the windows serving "
        "the service.")
    manager = fields.Many2One(
        'res.user', "Manager", ondelete='RESTRICT',
        help="A person who receives the clients instead of the office's "
        "windows (e.g. the personal manager of «Энергоадвокат»): one "
        "client at a time, and never two at once across their services.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('office_service_manager_unique',
                Unique(t, t.office, t.service, t.manager),
                'lk_appointments.msg_offer_unique'),
            ]

    @staticmethod
    def default_capacity():
        return 1

    def get_rec_name(self, name):
        return self.service.rec_name

    @property
    def places(self):
        return 1 if self.manager else self.capacity

    def seat_prefix(self, start):
        "What the places of a slot share: the windows, or the person"
        if self.manager:
            return 'u%s@%s' % (self.manager.id, start.isoformat())
        return 'o%s@%s' % (self.id, start.isoformat())

    def slots(self, date):
        """The (start, end) slots of date in naive UTC, offered or not"""
        return self.slots_between(date, date)[date]

    def slots_between(self, first, last):
        """{local date: the (start, end) slots of the date in naive UTC,
        offered or not} of the dates first to last"""
        office = self.office
        return {date: slot_times(
                date, intervals, self.service.duration, office.tzinfo)
            for date, intervals in office.opening_days(first, last).items()}

    def full_starts(self, first, last):
        """The starts between first and last (naive UTC) of the slots whose
        places are all taken: one grouped query, whoever asks (the places
        other clients took count)"""
        pool = Pool()
        Appointment = pool.get('lk.appointment')
        appointment = Appointment.__table__()
        offer = self.__table__()
        where = (appointment.start >= first) & (appointment.start <= last)
        where &= appointment.state.in_(ACTIVE)
        if self.manager:
            # the person is taken across their services and offices
            table = appointment.join(
                offer, condition=appointment.offer == offer.id)
            where &= offer.manager == self.manager.id
        else:
            table = appointment
            where &= appointment.offer == self.id
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(
                appointment.start, where=where,
                group_by=[appointment.start],
                having=Count(appointment.id) >= self.places))
        return {Appointment.start.sql_format(s) if isinstance(s, str) else s
            for s, in cursor}

    def blocked(self, start, end):
        return bool(self.blocks(start, end))

    def blocks(self, start, end):
        "The (start, end) of the blocks of the offer between start and end"
        pool = Pool()
        Block = pool.get('lk.appointment.block')
        return [(b.start, b.end) for b in Block.search([
                    ('office', '=', self.office.id),
                    ['OR',
                        ('service', '=', None),
                        ('service', '=', self.service.id)],
                    ('start', '<', end),
                    ('end', '>', start),
                    ])]

    def availability(self, first=None, last=None, now=None):
        """{local date: its free slots}: the slots with a free place, not
        started, not blocked, of the dates first to last (by default the
        whole horizon) within today and the booking horizon.

        The same few statements for a day as for the horizon: the schedule
        and the exceptions of the range, the full slots of the range
        (grouped) and its blocks."""
        now = now or clock.utcnow()
        today = self.office.today(now)
        horizon = today + dt.timedelta(days=setting('horizon_days', 30))
        first = max(first or today, today)
        last = min(last or horizon, horizon)
        if first > last:
            return {}
        days = {date: [(s, e) for s, e in slots if s > now]
            for date, slots in self.slots_between(first, last).items()}
        slots = [slot for day in days.values() for slot in day]
        if not slots:
            return days
        begin, end = min(s for s, _ in slots), max(e for _, e in slots)
        full = self.full_starts(begin, end)
        blocks = self.blocks(begin, end)
        return {date: [(s, e) for s, e in day
                if s not in full
                and not any(bs < e and be > s for bs, be in blocks)]
            for date, day in days.items()}

    def free_slots(self, date, now=None):
        """The slots of date with a free place, not started, not blocked and
        within the booking horizon"""
        return self.availability(date, date, now).get(date, [])

    def free_days(self, now=None):
        "The local dates within the horizon that have a free slot"
        return [date for date, slots in sorted(
                self.availability(now=now).items()) if slots]


def slot_times(date, intervals, minutes, tzinfo):
    """The (start, end) slots of minutes in the local intervals of date, in
    naive UTC of the time zone tzinfo"""
    length = dt.timedelta(minutes=minutes)

    def utc(local):
        return local.replace(tzinfo=tzinfo).astimezone(
            dt.timezone.utc).replace(tzinfo=None)
    result = []
    for start, end in intervals:
        current = dt.datetime.combine(date, start)
        end = dt.datetime.combine(date, end)
        while current + length <= end:
            result.append((utc(current), utc(current + length)))
            current += length
    return result


class Schedule(ModelSQL, ModelView):
    __name__ = 'lk.appointment.schedule'
    __string__ = "Office Schedule"

    office = fields.Many2One(
        'lk.office', "Office", required=True, ondelete='CASCADE')
    weekday = fields.Selection(WEEKDAYS, "Day", required=True, sort=False)
    start = fields.Time("Opens", required=True)
    end = fields.Time(
        "Closes", required=True,
        domain=[('end', '>', Eval('start'))])
    break_start = fields.Time(
        "Break From",
        domain=[If(Eval('break_start'),
                [('break_start', '>', Eval('start')),
                    ('break_start', '<', Eval('end'))], [])])
    break_end = fields.Time(
        "Break To",
        states={'required': Bool(Eval('break_start'))},
        domain=[If(Eval('break_start'),
                [('break_end', '>', Eval('break_start')),
                    ('break_end', '<', Eval('end'))], [])])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('weekday', 'ASC'), ('start', 'ASC'), ('id', 'ASC')]


class Exception_(ModelSQL, ModelView):
    __name__ = 'lk.appointment.exception'
    __string__ = "Office Schedule Exception"

    office = fields.Many2One(
        'lk.office', "Office", required=True, ondelete='CASCADE')
    date = fields.Date("Date", required=True)
    kind = fields.Selection([
            ('closed', "Closed"),
            ('shortened', "Shortened"),
            ], "Kind", required=True, sort=False,
        help="A shortened day closes at the given time; on a holiday it "
        "opens the office by its weekly schedule.")
    end = fields.Time(
        "Closes At",
        states={
            'required': Eval('kind') == 'shortened',
            'invisible': Eval('kind') != 'shortened',
            })
    reason = fields.Char("Reason", translate=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('office_date_unique', Unique(t, t.office, t.date),
                'lk_appointments.msg_exception_unique'),
            ]
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @staticmethod
    def default_kind():
        return 'closed'


class Block(ModelSQL, ModelView):
    "A time an office takes no bookings (of a service or of any)"
    __name__ = 'lk.appointment.block'
    __string__ = "Blocked Time"

    office = fields.Many2One(
        'lk.office', "Office", required=True, ondelete='CASCADE')
    service = fields.Many2One(
        'lk.appointment.service', "Service", ondelete='CASCADE',
        help="Empty for every service.")
    start = fields.DateTime("Start", required=True)
    end = fields.DateTime(
        "End", required=True, domain=[('end', '>', Eval('start'))])
    reason = fields.Char("Reason")


class Appointment(OperatorMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'lk.appointment'
    __string__ = "Appointment"
    _rec_name = 'number'

    number = fields.Char("Number", readonly=True)
    party = fields.Many2One(
        'party.party', "Client", required=True, ondelete='RESTRICT',
        readonly=True)
    offer = fields.Many2One(
        'lk.appointment.offer', "Service", required=True,
        ondelete='RESTRICT', readonly=True)
    office = fields.Function(
        fields.Many2One('lk.office', "Office"), 'get_offer_field',
        searcher='search_offer_field')
    branch = fields.Function(
        fields.Many2One('lk.branch', "Branch"), 'get_branch',
        searcher='search_branch')
    service = fields.Function(
        fields.Many2One('lk.appointment.service', "Service"),
        'get_offer_field', searcher='search_offer_field')
    start = fields.DateTime("Start", required=True, readonly=True)
    end = fields.DateTime("End", required=True, readonly=True)
    local_start = fields.Function(
        fields.DateTime("Local Time"), 'get_local_start')
    seat = fields.Integer("Place", readonly=True)
    seat_key = fields.Char("Place Key", readonly=True)
    client_key = fields.Char("Client Key", readonly=True)
    phone = fields.Char("Phone", states={'readonly': Eval('state') != 'pending'})
    comment = fields.Text(
        "Comment", states={'readonly': Eval('state') != 'pending'})
    reminded = fields.Boolean("Reminded", readonly=True)
    state = fields.Selection([
            ('pending', "Pending"),
            ('confirmed', "Confirmed"),
            ('served', "Served"),
            ('cancelled', "Cancelled by Client"),
            ('rejected', "Rejected"),
            ], "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('seat_key_unique', Unique(t, t.seat_key),
                'lk_appointments.msg_slot_taken'),
            ('client_key_unique', Unique(t, t.client_key),
                'lk_appointments.msg_client_slot'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.start, Index.Range()), (t.state, Index.Equality())),
                # the places taken of an offer's slots (full_starts, book)
                Index(t, (t.offer, Index.Equality()),
                    (t.start, Index.Range()), where=t.state.in_(ACTIVE)),
                Index(t, (t.party, Index.Range())),
                Index(t, (t.number, Index.Equality(cardinality='high'))),
                })
        cls._order = [('start', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('pending', 'confirmed'),
            ('confirmed', 'served'),
            ('pending', 'cancelled'),
            ('pending', 'rejected'),
            ('confirmed', 'rejected'),
            }
        cls._buttons.update({
                'check_in': {
                    'invisible': Eval('state') != 'pending',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'serve': {
                    'invisible': Eval('state') != 'confirmed',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'pending',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'reject': {
                    'invisible': ~Eval('state').in_(['pending', 'confirmed']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'pending'

    @staticmethod
    def default_reminded():
        return False

    def get_offer_field(self, name):
        return getattr(self.offer, name).id

    @classmethod
    def search_offer_field(cls, name, clause):
        return [('offer.' + clause[0],) + tuple(clause[1:])]

    def get_branch(self, name):
        return self.offer.office.branch.id

    @classmethod
    def search_branch(cls, name, clause):
        return [('offer.office.branch' + clause[0][len(name):],)
            + tuple(clause[1:])]

    def get_local_start(self, name):
        return self.offer.office.to_local(self.start)

    @property
    def local_end(self):
        return self.offer.office.to_local(self.end)

    @property
    def active(self):
        return self.state in {'pending', 'confirmed'}

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Sequence = pool.get('ir.sequence')
        ModelData = pool.get('ir.model.data')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            with without_check_access():
                sequence = Sequence(ModelData.get_id(
                        'lk_appointments', 'sequence_appointment'))
                values['number'] = sequence.get()
        return values

    @classmethod
    def book(cls, party, offer, start, phone=None, comment=None):
        """Book a place of offer's slot starting at start (naive UTC) for
        party; raise AppointmentError if it cannot be booked"""
        now = clock.utcnow()
        office = offer.office
        date = office.to_local(start).date()
        if start <= now:
            raise AppointmentError(gettext('lk_appointments.msg_past'))
        horizon = setting('horizon_days', 30)
        if date > office.today(now) + dt.timedelta(days=horizon):
            raise AppointmentError(gettext(
                    'lk_appointments.msg_horizon', days=horizon))
        slots = dict(offer.slots(date))
        if start not in slots or offer.blocked(start, slots[start]):
            raise AppointmentError(gettext('lk_appointments.msg_no_slot'))
        limit = setting('max_active', 3)
        # the client's coming bookings, for both limits at once
        own = cls.search([
                ('party', '=', party.id),
                ('state', 'in', ACTIVE),
                ('start', '>', now),
                ])
        if len([a for a in own if a.active]) >= limit:
            raise AppointmentError(gettext(
                    'lk_appointments.msg_max_active', limit=limit))
        if any(a.start == start for a in own):
            raise AppointmentError(gettext('lk_appointments.msg_client_slot'))
        with without_check_access():
            taken = {a.seat for a in cls.search([
                        ('start', '=', start),
                        ('state', 'in', ACTIVE),
                        ('offer.manager', '=', offer.manager.id)
                        if offer.manager else ('offer', '=', offer.id),
                        ])}
        free = [s for s in range(1, offer.places + 1) if s not in taken]
        if not free:
            raise AppointmentError(gettext('lk_appointments.msg_slot_taken'))
        seat = free[0]
        appointment = cls(
            party=party, offer=offer, start=start, end=slots[start],
            seat=seat, seat_key='%s#%s' % (offer.seat_prefix(start), seat),
            client_key='p%s@%s' % (party.id, start.isoformat()),
            phone=phone, comment=comment)
        try:
            # the database decides between two clients after one place
            with Transaction().set_context(_lk_booking=True):
                appointment.save()
        except SQLConstraintError as exception:
            raise AppointmentError(exception.message) from exception
        with without_check_access():
            appointment.notify_booked()
        return appointment

    def notify_booked(self):
        pool = Pool()
        Notification = pool.get('lk.notification')
        Notification.notify(
            self.party,
            gettext('lk_appointments.msg_booked_subject',
                number=self.number),
            gettext('lk_appointments.msg_booked_body', **self.describe()),
            link='/my/appointments/%s' % self.id,
            attachments=[('%s.ics' % self.number, self.ics())])

    def describe(self):
        local = self.local_start
        return {
            'number': self.number,
            'date': local.strftime('%d.%m.%Y'),
            'time': '%s – %s' % (
                local.strftime('%H:%M'), self.local_end.strftime('%H:%M')),
            'office': self.offer.office.rec_name,
            'service': self.offer.service.rec_name,
            }

    def ics(self):
        "The booking as an iCalendar file"
        import icalendar
        calendar = icalendar.Calendar()
        calendar.add('prodid', '-//LK//lk_appointments//RU')
        calendar.add('version', '2.0')
        event = icalendar.Event()
        event.add('uid', 'appointment-%s@lk' % self.id)
        event.add('dtstamp', clock.utcnow().replace(tzinfo=dt.timezone.utc))
        event.add('dtstart', self.start.replace(tzinfo=dt.timezone.utc))
        event.add('dtend', self.end.replace(tzinfo=dt.timezone.utc))
        event.add('summary', '%s: %s' % (
                self.number, self.offer.service.rec_name))
        event.add('location', self.offer.office.address)
        event.add('description', self.offer.office.rec_name)
        calendar.add_component(event)
        return calendar.to_ical()

    def qr_code(self):
        """(size, path) of the QR code of the number: the SVG path of its
        dark modules in a size × size view box, quiet zone included, for
        the ticket's inline <svg> (the report renderer fetches no data:
        URI and the template escapes markup)"""
        import segno
        border = 4
        matrix = segno.make_qr(self.number, error='m').matrix
        parts = []
        for y, row in enumerate(matrix):
            x = 0
            while x < len(row):
                if row[x]:
                    start = x
                    while x < len(row) and row[x]:
                        x += 1
                    parts.append('M%s %sh%sv1h-%sz' % (
                            start + border, y + border, x - start,
                            x - start))
                else:
                    x += 1
        return len(matrix) + 2 * border, ''.join(parts)

    @classmethod
    def _free(cls, appointments):
        cls.write(list(appointments), {'seat_key': None, 'client_key': None})

    @classmethod
    def copy(cls, appointments, default=None):
        default = default.copy() if default else {}
        for name in ['number', 'seat', 'seat_key', 'client_key', 'operator']:
            default.setdefault(name, None)
        default.setdefault('reminded', False)
        return super().copy(appointments, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('confirmed')
    def check_in(cls, appointments):
        record_action(cls.__name__, 'check_in', appointments)

    @classmethod
    def check_in_number(cls, number, office=None):
        "Check in the booking of the ticket number; return it"
        domain = [('number', '=', (number or '').strip().upper())]
        if office:
            domain.append(('offer.office', '=', office.id))
        appointments = cls.search(domain, limit=1)
        if not appointments:
            raise AppointmentError(gettext(
                    'lk_appointments.msg_unknown_number', number=number))
        appointment, = appointments
        if appointment.state != 'pending':
            raise AppointmentError(gettext(
                    'lk_appointments.msg_not_pending',
                    number=appointment.number))
        cls.check_in([appointment])
        return appointment

    @classmethod
    @ModelView.button
    @Workflow.transition('served')
    def serve(cls, appointments):
        record_action(cls.__name__, 'serve', appointments)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, appointments):
        now = clock.utcnow()
        for appointment in appointments:
            if appointment.start <= now:
                raise AppointmentError(gettext(
                        'lk_appointments.msg_cancel_started',
                        number=appointment.number))
        cls._free(appointments)
        record_action(cls.__name__, 'cancel', appointments)

    @classmethod
    @ModelView.button
    @Workflow.transition('rejected')
    def reject(cls, appointments):
        cls._free(appointments)
        record_action(cls.__name__, 'reject', appointments)

    @classmethod
    def reject_no_shows(cls):
        "Reject the bookings not checked in within the grace after the start"
        grace = dt.timedelta(minutes=setting('no_show_minutes', 5))
        appointments = cls.search([
                ('state', '=', 'pending'),
                ('start', '<=', clock.utcnow() - grace),
                ])
        cls.reject(appointments)

    @classmethod
    def send_reminders(cls):
        "Remind the clients of their visits of the next day"
        pool = Pool()
        Notification = pool.get('lk.notification')
        now = clock.utcnow()
        appointments = cls.search([
                ('state', '=', 'pending'),
                ('reminded', '=', False),
                ('start', '>', now),
                ('start', '<=', now + dt.timedelta(hours=24)),
                ])
        for appointment in appointments:
            Notification.notify(
                appointment.party,
                gettext('lk_appointments.msg_reminder_subject',
                    number=appointment.number),
                gettext('lk_appointments.msg_reminder_body',
                    **appointment.describe()),
                link='/my/appointments/%s' % appointment.id)
        cls.write(appointments, {'reminded': True})


class Ticket(Report):
    __name__ = 'lk.appointment.ticket'
