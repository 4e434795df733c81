# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The client's bookings: the seed's form (Филиал → Офис → Услуга → Дата →
the grid of free slots), the history, the page, the ticket and the .ics.

The form works without JavaScript: its choices are a GET form that reloads
the page keeping them; the static script only submits it on change."""
import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from trytond.exceptions import UserError
from trytond.modules.lk_base.portal.core import (
    current_party, file_response, get_own_or_404, paginate, portal_view,
    rollback)
from trytond.pool import Pool

from . import blueprint as bp


def _int(name):
    try:
        return int(request.values.get(name) or 0) or None
    except ValueError:
        return None


def _date(value):
    try:
        return dt.date.fromisoformat(value or '')
    except ValueError:
        return None


def choices():
    """The branch, office and service (offer) chosen so far, each kept only
    when the one before it is, and the options of each list (the days and
    slots: `times`)"""
    pool = Pool()
    Offer = pool.get('lk.appointment.offer')
    offers = Offer.search([('office.active', '=', True)])
    by_office = {}
    for offer in offers:
        by_office.setdefault(offer.office, []).append(offer)
    branches = sorted({o.branch for o in by_office}, key=lambda b: b.name)
    state = {'branches': branches, 'offices': [], 'offers': [], 'days': [],
        'slots': [], 'branch': None, 'office': None, 'offer': None,
        'date': None}
    branch_id, office_id, offer_id = _int('branch'), _int('office'), _int(
        'service')
    branch = next((b for b in branches if b.id == branch_id), None)
    if not branch:
        return state
    state['branch'] = branch
    state['offices'] = sorted(
        (o for o in by_office if o.branch == branch),
        key=lambda o: (o.sequence or 0, o.address))
    office = next((o for o in state['offices'] if o.id == office_id), None)
    if not office:
        return state
    state['office'] = office
    state['offers'] = by_office[office]
    offer = next((o for o in state['offers'] if o.id == offer_id), None)
    if not offer:
        return state
    state['offer'] = offer
    return state


def times(state):
    """Fill in state the days with a free slot of the chosen service and
    the free slots of the chosen date (or of the first such day): both
    from one computation of the horizon"""
    offer, office = state['offer'], state['office']
    if not offer:
        return state
    free = offer.availability()
    state['days'] = [d for d, slots in sorted(free.items()) if slots]
    date = _date(request.values.get('date'))
    if date not in state['days']:
        date = state['days'][0] if state['days'] else None
    state['date'] = date
    if date:
        state['slots'] = [
            (start, office.to_local(start), office.to_local(end))
            for start, end in free[date]]
    return state


@bp.route('/my/appointments/new', methods=['GET', 'POST'])
@portal_view()
def new():
    pool = Pool()
    Appointment = pool.get('lk.appointment')
    state = choices()
    error = None
    if request.method == 'POST':
        start = None
        try:
            start = dt.datetime.fromisoformat(request.form.get('slot', ''))
        except ValueError:
            pass
        if not state['offer']:
            error = _('Choose the branch, the office and the service.')
        elif not start:
            error = _('Choose the time of the visit.')
        else:
            try:
                appointment = Appointment.book(
                    current_party(), state['offer'], start,
                    phone=request.form.get('phone') or None)
            except UserError as exception:
                rollback()
                error = exception.message
            else:
                flash(_('You are booked: print the ticket.'), 'success')
                return redirect(url_for(
                        'lk_appointments.appointment',
                        appointment_id=appointment.id))
    return render_template(
        'lk_appointments/new.html', error=error,
        chosen_slot=request.form.get('slot'), **times(state))


@bp.route('/my/appointments')
@portal_view()
def appointments():
    page = paginate('lk.appointment', [('party', '=', current_party().id)])
    return render_template('lk_appointments/appointments.html', page=page)


@bp.route('/my/appointments/<int:appointment_id>')
@portal_view()
def appointment(appointment_id):
    record = get_own_or_404('lk.appointment', appointment_id)
    return render_template(
        'lk_appointments/appointment.html', appointment=record)


@bp.route('/my/appointments/<int:appointment_id>/cancel', methods=['POST'])
@portal_view()
def cancel(appointment_id):
    pool = Pool()
    Appointment = pool.get('lk.appointment')
    record = get_own_or_404('lk.appointment', appointment_id)
    if record.state != 'pending':
        flash(_('This booking cannot be cancelled.'), 'error')
    else:
        try:
            Appointment.cancel([record])
        except UserError as exception:
            rollback()
            flash(exception.message, 'error')
        else:
            flash(_('The booking is cancelled, the time is free.'),
                'success')
    return redirect(url_for(
            'lk_appointments.appointment', appointment_id=appointment_id))


@bp.route('/my/appointments/<int:appointment_id>/ticket.<ext>')
@portal_view()
def ticket(appointment_id, ext):
    pool = Pool()
    Ticket = pool.get('lk.appointment.ticket', type='report')
    record = get_own_or_404('lk.appointment', appointment_id)
    if ext == 'pdf':
        _ext, content, _direct, _name = Ticket.execute([record.id], {})
        return file_response(
            'talon-%s.pdf' % record.number, content, 'application/pdf',
            inline=True)
    elif ext == 'ics':
        return file_response(
            'talon-%s.ics' % record.number, record.ics(), 'text/calendar')
    abort(404)
