# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""«Приборы учёта»: the accounts table, linking and removing an account,
the meter's page, entering readings, the history with its chart and
downloads, the requests to correct a meter's data."""
import csv
import io
import uuid
from decimal import Decimal, InvalidOperation

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError
from trytond.modules.lk_base.portal.core import (
    current_party, current_web_user, file_response,
    get_own_or_404, portal_view, rollback)
from trytond.modules.lk_base.portal.export import xlsx_response
from trytond.pool import Pool

from ..exceptions import AccountLinkThrottled, ReadingValidationError
from . import blueprint as bp
from .chart import history_chart
from .forms import ChangeForm, LinkForm


def _accounts():
    pool = Pool()
    Link = pool.get('lk.meter.account.link')
    links = Link.search([('party', 'in', [current_party().id])])
    return [link.account for link in links]


def period_label(period):
    return format_date(period, 'LLLL yyyy')


@bp.app_template_filter('period')
def period_filter(value):
    return period_label(value) if value else ''


@bp.app_template_filter('reading')
def reading_filter(value):
    "A reading as the seed shows it: 53897.0"
    if value is None:
        return ''
    text = '{:f}'.format(Decimal(value).normalize())
    return text if '.' in text else text + '.0'


@bp.route('/my/meters')
@portal_view()
def meters():
    return render_template('lk_meters/meters.html',
        accounts=_accounts(), form=LinkForm(formdata=None))


@bp.route('/my/meters/accounts', methods=['POST'])
@portal_view()
def link():
    pool = Pool()
    Account = pool.get('lk.meter.account')
    form = LinkForm()
    error = None
    if form.validate_on_submit():
        try:
            linked = Account.link(
                current_party(), form.number.data, form.name.data,
                web_user=current_web_user())
        except AccountLinkThrottled as exception:
            error = exception.message
        else:
            if linked:
                flash(_('The personal account No. %(number)s is added.',
                        number=linked.account.number), 'success')
                return redirect(url_for('lk_meters.meters'))
            error = _('No personal account with this number and name '
                'was found. Check both and try again.')
    return render_template('lk_meters/meters.html',
        accounts=_accounts(), form=form, link_error=error), 400


@bp.route('/my/meters/accounts/<int:account_id>/remove', methods=['POST'])
@portal_view()
def unlink(account_id):
    pool = Pool()
    Link = pool.get('lk.meter.account.link')
    account = get_own_or_404('lk.meter.account', account_id)
    links = Link.search([
            ('account', '=', account.id),
            ('party', '=', current_party().id),
            ])
    if not links:
        abort(404)
    Link.delete(links)
    flash(_('The personal account No. %(number)s is removed from your '
            'cabinet.', number=account.number), 'success')
    return redirect(url_for('lk_meters.meters'))


@bp.route('/my/meters/<int:meter_id>')
@portal_view()
def meter(meter_id):
    meter = get_own_or_404('lk.meter', meter_id)
    return render_template('lk_meters/meter.html', meter=meter,
        requests=_requests(meter))


def _requests(meter):
    pool = Pool()
    Request = pool.get('lk.meter.change.request')
    return Request.search([('meter', '=', meter.id)])


def _decimal(text):
    text = (text or '').strip().replace(' ', '').replace(',', '.')
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return False
    return value if value.is_finite() else False


@bp.route('/my/meters/<int:meter_id>/readings', methods=['GET', 'POST'])
@portal_view()
def readings(meter_id):
    pool = Pool()
    Reading = pool.get('lk.meter.reading')
    meter = get_own_or_404('lk.meter', meter_id)
    branch = meter.account.branch
    day = branch.local_today()
    period, late = branch.reading_period(day)
    registers = list(meter.registers)
    states = Reading.register_states(registers, period)
    rows = []
    for register in registers:
        rows.append({
                'register': register,
                'previous': states[register.id].previous,
                'usual': states[register.id].usual,
                'value': request.form.get('value_%s' % register.id, ''),
                'rollover': bool(request.form.get(
                        'rollover_%s' % register.id)),
                'error': None,
                'consumption': None,
                })
    token = request.form.get('token') or uuid.uuid4().hex
    status = 200
    if request.method == 'POST':
        values = {}
        for row in rows:
            value = _decimal(row['value'])
            if value is None:
                row['error'] = _('Enter the current reading.')
            elif value is False or value < 0:
                row['error'] = _('Enter the reading as a number, e.g. '
                    '53897.5.')
            else:
                values[row['register']] = (value, row['rollover'])
                if row['previous']:
                    try:
                        row['consumption'] = Reading.compute_consumption(
                            row['register'], row['previous'].value, value,
                            row['rollover'])
                    except ReadingValidationError:
                        pass
        if not any(r['error'] for r in rows):
            response = _submit(meter, values, token, rows, states)
            if response:
                return response
        status = 400
    return render_template('lk_meters/readings.html', meter=meter,
        rows=rows, token=token, period=period, late=late, day=day,
        branch=branch), status


def _submit(meter, values, token, rows, states):
    pool = Pool()
    Reading = pool.get('lk.meter.reading')
    try:
        readings, high = Reading.submit(
            meter, values, token=token, states=states)
    except ReadingValidationError as exception:
        rollback()
        for row in rows:
            if row['register'] == exception.register:
                row['error'] = exception.message
        if not any(r['error'] for r in rows):
            flash(exception.message, 'error')
        return None
    except (UserError, ValidationError) as exception:
        # the same form sent twice at once: the first one recorded it
        rollback()
        readings, high = Reading.find_submitted(token), []
        if not readings:
            flash(exception.message, 'error')
            return None
    flash(_('The readings are accepted for %(period)s.',
            period=period_label(readings[0].period)), 'success')
    for register in high:
        flash(_('The consumption of register %(register)s is much higher '
                'than usual: check the reading. If it is wrong, submit '
                'the readings again before the end of the period.',
                register=register.code), 'warning')
    return redirect(url_for('lk_meters.history', meter_id=meter.id))


def _history(meter):
    pool = Pool()
    Reading = pool.get('lk.meter.reading')
    return Reading.search([('meter', '=', meter.id)],
        order=[('period', 'DESC'), ('date', 'DESC'), ('id', 'DESC')])


@bp.route('/my/meters/<int:meter_id>/history')
@portal_view()
def history(meter_id):
    meter = get_own_or_404('lk.meter', meter_id)
    readings = _history(meter)
    return render_template('lk_meters/history.html', meter=meter,
        readings=readings, chart=history_chart(meter, readings))


COLUMNS = [
    (_l('Register No.'), 14), (_l('Tariff zone'), 14), (_l('Period'), 14),
    (_l('Date'), 12), (_l('Reading'), 14), (_l('Consumption, kWh'), 16),
    (_l('Reading source'), 30), (_l('Status'), 14)]


def _rows(readings):
    return [[
            r.register.code, r.register.zone_string,
            period_label(r.period), r.date, float(r.value),
            float(r.consumption) if r.consumption is not None else None,
            r.source_string, r.state_string] for r in readings]


@bp.route('/my/meters/<int:meter_id>/history.<any(csv, xlsx):format_>')
@portal_view()
def history_export(meter_id, format_):
    meter = get_own_or_404('lk.meter', meter_id)
    readings = _history(meter)
    columns = [(str(header), width) for header, width in COLUMNS]
    name = 'readings-%s' % meter.number
    if format_ == 'xlsx':
        return xlsx_response(name, _('Readings'), columns, _rows(readings))
    output = io.StringIO()
    writer = csv.writer(output, delimiter=';')
    writer.writerow([header for header, _ in columns])
    for row in _rows(readings):
        writer.writerow([
                v.strftime('%d.%m.%Y') if hasattr(v, 'strftime')
                else '' if v is None else v for v in row])
    return file_response(name + '.csv',
        output.getvalue().encode('utf-8-sig'), 'text/csv; charset=utf-8')


@bp.route('/my/meters/<int:meter_id>/change', methods=['GET', 'POST'])
@portal_view()
def change(meter_id):
    pool = Pool()
    Request = pool.get('lk.meter.change.request')
    meter = get_own_or_404('lk.meter', meter_id)
    form = ChangeForm()
    selection = Request.fields_get(['field'])['field']['selection']
    form.field.choices = [(k, v) for k, v in selection if k]
    readings = [r for r in _history(meter) if r.state == 'valid'][:24]
    form.reading.choices = [('', '—')] + [
        (str(r.id), '%s — %s (%s)' % (
                r.register.code, reading_filter(r.value),
                period_label(r.period)))
        for r in readings]
    if form.validate_on_submit():
        values = {
            'meter': meter.id,
            'field': form.field.data,
            'new_value': form.new_value.data.strip(),
            'comment': form.comment.data or None,
            }
        if form.field.data == 'reading':
            if form.reading.data not in {str(r.id) for r in readings}:
                form.reading.errors = [_('Choose the wrong reading.')]
            values['reading'] = int(form.reading.data or 0) or None
        if not form.reading.errors:
            try:
                Request.create([values])
            except (UserError, ValidationError) as exception:
                rollback()
                form.new_value.errors = [exception.message]
            else:
                flash(_('Your request is sent: the company will review it '
                        'and notify you.'), 'success')
                return redirect(url_for('lk_meters.meter', meter_id=meter.id))
    status = 400 if request.method == 'POST' else 200
    return render_template('lk_meters/change.html', meter=meter, form=form,
        requests=_requests(meter)), status


@bp.route('/my/meters/change-requests')
@portal_view()
def change_requests():
    pool = Pool()
    Request = pool.get('lk.meter.change.request')
    requests = Request.search([('party', 'in', [current_party().id])])
    return render_template('lk_meters/change_requests.html',
        requests=requests)
