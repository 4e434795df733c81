# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The operators' queue of the day per office: check-in by ticket number,
served, no-show, blocking a slot, and the day's load. The day is the
office's today unless the operator picks another one (to prepare for
tomorrow, or to look back).

The pages run as the staff res.user (`operator_view`): the record rules
limit an operator to the bookings of their branches, and the buttons are
the model's, with their access rights. Booking for a client who phones is
the client's own form, opened while acting on their behalf: the booking
records the operator (OperatorMixin).

They are pages of the operators' cabinet (`operator_view()`: any group
marked «Operator Cabinet»); a staff member of such a group without access
to the bookings (e.g. the announcements' operator) gets 403."""
import datetime as dt

import functools

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from trytond.exceptions import UserError
from trytond.modules.lk_base import clock
from trytond.modules.lk_base.portal.core import get_own_or_404, rollback
from trytond.modules.lk_base.portal.operator import operator_view, staff_in
from trytond.pool import Pool

from . import blueprint as bp

ACTIONS = {'check_in', 'serve', 'reject'}


def bookings_access(view):
    "403 for a staff member whose groups have no access to the bookings"
    @functools.wraps(view)
    def guard(*args, **kwargs):
        ModelAccess = Pool().get('ir.model.access')
        if not ModelAccess.check(
                'lk.appointment', 'read', raise_exception=False):
            abort(403)
        return view(*args, **kwargs)
    return guard


def _offices():
    pool = Pool()
    Office = pool.get('lk.office')
    User = pool.get('res.user')
    domain = [('appointment_offers', '!=', None)]
    if not staff_in(('lk_base.group_lk_admin',)):
        domain.append(('branch', 'in', list(User.get_lk_branches())))
    return Office.search(domain, order=[('branch', 'ASC'), ('address', 'ASC')])


@bp.route('/operator/appointments', methods=['GET', 'POST'])
@operator_view()
@bookings_access
def operator_queue():
    pool = Pool()
    Appointment = pool.get('lk.appointment')
    offices = _offices()
    try:
        office_id = int(request.values.get('office') or 0)
    except ValueError:
        office_id = 0
    office = next((o for o in offices if o.id == office_id),
        offices[0] if offices else None)
    today = office.today(clock.utcnow()) if office else clock.today()
    try:
        day = dt.date.fromisoformat(request.values.get('day') or '')
    except ValueError:
        day = today
    if request.method == 'POST' and office:
        number = request.form.get('number', '').strip()
        try:
            if number:
                appointment = Appointment.check_in_number(number, office)
                flash(_('%(number)s is checked in.',
                        number=appointment.number), 'success')
        except UserError as exception:
            rollback()
            flash(exception.message, 'error')
        return redirect(url_for(
                'lk_appointments.operator_queue', office=office.id,
                **({'day': day.isoformat()} if day != today else {})))
    appointments, load = [], {}
    if office:
        start = office.to_utc(dt.datetime.combine(day, dt.time()))
        appointments = Appointment.search([
                ('offer.office', '=', office.id),
                ('start', '>=', start),
                ('start', '<', start + dt.timedelta(days=1)),
                ], order=[('start', 'ASC'), ('seat', 'ASC')])
        for appointment in appointments:
            load[appointment.state] = load.get(appointment.state, 0) + 1
    states = dict(Appointment.fields_get(['state'])['state']['selection'])
    return render_template(
        'lk_appointments/operator/queue.html', offices=offices,
        office=office, day=day, today=today, appointments=appointments,
        load=load, states=states)


@bp.route('/operator/appointments/<int:appointment_id>/<action>',
    methods=['POST'])
@operator_view()
@bookings_access
def operator_action(appointment_id, action):
    pool = Pool()
    Appointment = pool.get('lk.appointment')
    record = get_own_or_404('lk.appointment', appointment_id)
    if action not in ACTIONS:
        return redirect(url_for('lk_appointments.operator_queue'))
    try:
        getattr(Appointment, action)([record])
    except UserError as exception:
        rollback()
        flash(exception.message, 'error')
    return redirect(url_for(
            'lk_appointments.operator_queue', office=record.offer.office.id))


@bp.route('/operator/appointments/block', methods=['POST'])
@operator_view()
@bookings_access
def operator_block():
    "Block a slot of an office (for every service) from its start"
    pool = Pool()
    Block = pool.get('lk.appointment.block')
    offices = {o.id: o for o in _offices()}
    try:
        office = offices[int(request.form.get('office') or 0)]
        start = dt.datetime.fromisoformat(request.form.get('start', ''))
        minutes = int(request.form.get('minutes') or 30)
    except (KeyError, ValueError):
        flash(_('Choose the office and the time to block.'), 'error')
        return redirect(url_for('lk_appointments.operator_queue'))
    utc = office.to_utc(start)
    try:
        Block(office=office, start=utc,
            end=utc + dt.timedelta(minutes=max(minutes, 1)),
            reason=request.form.get('reason') or None).save()
    except UserError as exception:
        rollback()
        flash(exception.message, 'error')
    else:
        flash(_('The time is blocked.'), 'success')
    return redirect(url_for(
            'lk_appointments.operator_queue', office=office.id))
