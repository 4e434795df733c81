# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The callbacks of the payment gateways, on the trytond server (as
Tryton's own payment modules take their webhooks): authenticated, logged,
then the order's status is asked for before anything is recorded."""
from http import HTTPStatus

from werkzeug.wrappers import Response

from trytond.protocols.wrappers import with_pool, with_transaction
from trytond.wsgi import app


@app.route('/<database_name>/lk_payment/rbs/callback',
    methods={'GET', 'POST'})
@with_pool
@with_transaction(readonly=False)
def rbs_callback(request, pool):
    Payment = pool.get('lk.payment')
    params = dict(request.values.items())
    payment = Payment.callback('rbs', params)
    if payment is None:
        return Response('refused', status=HTTPStatus.FORBIDDEN)
    return Response('OK')


@app.route('/<database_name>/lk_payment/yookassa/webhook', methods={'POST'})
@with_pool
@with_transaction(readonly=False)
def yookassa_webhook(request, pool):
    "Not signed: it names a payment whose status is fetched again"
    Payment = pool.get('lk.payment')
    data = request.get_json(silent=True) or {}
    object_ = data.get('object') or {}
    payment = Payment.callback('yookassa', {
            'order_id': str(object_.get('id') or ''),
            'operation': str(data.get('event') or '')})
    if payment is None:
        return Response('refused', status=HTTPStatus.FORBIDDEN)
    return Response('OK')
