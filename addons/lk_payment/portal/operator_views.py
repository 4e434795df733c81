# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The reconciliation of the card payments with the gateway, to XLSX, for
the super administrator (the gateway is asked of every order, outside the
database transaction: a report for a period, not a page to open often)."""
import datetime as dt

from flask import request
from flask_babel import gettext as _

from trytond.modules.lk_base.portal.export import xlsx_response
from trytond.modules.lk_base.portal.operator import (
    ADMIN_GROUPS, operator_view)
from trytond.modules.lk_base import clock
from trytond.pool import Pool

from . import blueprint as bp


def _date(name, default):
    try:
        return dt.date.fromisoformat(request.args.get(name) or '')
    except ValueError:
        return default


@bp.route('/operator/payments/reconciliation.xlsx')
@operator_view(groups=ADMIN_GROUPS, readonly=True)
def reconciliation():
    Payment = Pool().get('lk.payment')
    today = clock.today()
    date_to = _date('date_to', today)
    date_from = _date('date_from', date_to - dt.timedelta(days=30))
    columns = [
        (_('Created on'), 18), (_('Order number'), 22),
        (_('Gateway order'), 38), (_('Invoice'), 12), (_('Client'), 30),
        (_('Our status'), 22), (_('Captured'), 12), (_('Refunded'), 12),
        (_('Gateway status'), 16), (_('Gateway paid'), 12),
        (_('Gateway refunded'), 12), (_('Match'), 10)]
    rows = [[
            row.create_date, row.number, row.bank_order, row.invoice,
            row.client, row.state_string, float(row.captured),
            float(row.refunded), row.error or row.gateway_status,
            None if row.error else float(row.gateway_paid),
            None if row.error else float(row.gateway_refunded),
            _('Yes') if row.match else _('No')]
        for row in Payment.reconcile(date_from, date_to)]
    return xlsx_response('reconciliation', _('Reconciliation'), columns, rows)
