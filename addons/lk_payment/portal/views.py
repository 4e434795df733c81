# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""«Мои платежи» and paying an invoice by card.

The return from the bank's page only shows the status recorded: the
outcome comes from the gateway (its callback followed by a status query,
or the polling), never from the browser."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from trytond.exceptions import UserError
from trytond.modules.lk_applications.portal.views import refusal
from trytond.modules.lk_base.portal.core import (
    current_party, file_response, get_own_or_404, paginate, portal_view,
    rollback)
from trytond.modules.lk_base.search import contains
from trytond.pool import Pool
from trytond.transaction import without_check_access

from ..report import qr_svg_uri
from . import blueprint as bp
from .forms import FilterForm, PayForm, RefundForm


def _invoice(invoice_id):
    return get_own_or_404('lk.payment.invoice', invoice_id)


def _states():
    Invoice = Pool().get('lk.payment.invoice')
    return Invoice.fields_get(['state'])['state']['selection']


@bp.route('/my/payments')
@portal_view()
def payments():
    form = FilterForm(request.args)
    form.state.choices = [('', _('All'))] + list(_states())
    form.validate()
    domain = [('party', '=', current_party().id)]
    if form.q.data and not form.q.errors:
        domain.append(contains(['number', 'contract_number'], form.q.data))
    if form.state.data and not form.state.errors:
        domain.append(('state', '=', form.state.data))
    page = paginate('lk.payment.invoice', domain)
    return render_template('lk_payment/payments.html', page=page,
        filter_form=form)


@bp.route('/my/payments/<int:invoice_id>', methods=['GET', 'POST'])
@portal_view()
def pay(invoice_id):
    "«Оплата по договорам ТП»: the amount, the rules, the agreement"
    Payment = Pool().get('lk.payment')
    invoice = _invoice(invoice_id)
    form = PayForm()
    if request.method == 'POST':
        if not invoice.payable:
            flash(_('This invoice has nothing left to pay.'), 'error')
            return redirect(url_for('lk_payment.pay', invoice_id=invoice.id))
        if form.validate():
            base = request.host_url.rstrip('/')
            try:
                url = Payment.start(invoice,
                    base + url_for('lk_payment.returned', payment_id=0
                        ).replace('/0/', '/%d/'),
                    base + url_for('lk_payment.failed', payment_id=0
                        ).replace('/0/', '/%d/'))
            except UserError as exception:
                rollback()
                flash(refusal(exception), 'error')
                return _pay_page(invoice, form, 503)
            payment, = Payment.search([
                    ('invoice', '=', invoice.id), ('form_url', '=', url),
                    ], limit=1)
            # the page policy's form-action keeps a form from being
            # redirected to another site: the bank's page is opened from
            # a page of ours
            return redirect(url_for('lk_payment.go', payment_id=payment.id))
        return _pay_page(invoice, form, 400)
    return _pay_page(invoice, form)


def _pay_page(invoice, form, status=200, refund_form=None):
    with without_check_access():
        payload = invoice.qr_payload()
    return render_template('lk_payment/pay.html', invoice=invoice,
        form=form, refund_form=refund_form or RefundForm(),
        qr=qr_svg_uri(payload),
        payments=[p for p in invoice.payments if p.state != 'created']
        ), status


def _payment(payment_id):
    return get_own_or_404('lk.payment', payment_id)


@bp.route('/my/payments/go/<int:payment_id>/')
@portal_view()
def go(payment_id):
    "On the way to the bank's card page"
    payment = _payment(payment_id)
    if payment.state != 'registered' or not payment.form_url:
        return redirect(url_for('lk_payment.pay',
                invoice_id=payment.invoice.id))
    return render_template('lk_payment/go.html', payment=payment)


@bp.route('/my/payments/return/<int:payment_id>/')
@portal_view()
def returned(payment_id):
    "Back from the bank's page: the status as the gateway said it"
    payment = _payment(payment_id)
    return render_template('lk_payment/returned.html', payment=payment,
        invoice=payment.invoice, failed=False)


@bp.route('/my/payments/fail/<int:payment_id>/')
@portal_view()
def failed(payment_id):
    payment = _payment(payment_id)
    return render_template('lk_payment/returned.html', payment=payment,
        invoice=payment.invoice, failed=True)


@bp.route('/my/payments/<int:invoice_id>/invoice.pdf')
@portal_view()
def invoice_pdf(invoice_id):
    InvoiceReport = Pool().get('lk_payment.invoice', type='report')
    invoice = _invoice(invoice_id)
    with without_check_access():
        _, content, _, _ = InvoiceReport.execute([invoice.id], {
                'model': invoice.__name__, 'id': invoice.id})
    return file_response('%s.pdf' % invoice.number.replace('/', '-'),
        bytes(content), 'application/pdf', inline=True)


@bp.route('/my/payments/<int:invoice_id>/refund', methods=['POST'])
@portal_view()
def refund(invoice_id):
    "The application for the refund of an erroneous payment"
    Refund = Pool().get('lk.payment.refund')
    invoice = _invoice(invoice_id)
    form = RefundForm()
    if not form.validate():
        return _pay_page(invoice, PayForm(formdata=None), 400, form)
    try:
        Refund.ask(invoice, form.reason.data)
    except UserError as exception:
        rollback()
        form.reason.errors = [refusal(exception)]
        return _pay_page(invoice, PayForm(formdata=None), 400, form)
    flash(_('Your request for a refund is sent. The company will answer '
            'in your inbox.'), 'success')
    return redirect(url_for('lk_payment.pay', invoice_id=invoice.id))
