# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A local stand-in of the YooKassa API v3 for the `yookassa` SDK (WSGI,
served on a loopback port: the SDK talks through `requests`):

- `POST /payments` (Basic auth shopId:secret, `Idempotence-Key`): the same
  key answers the same payment; `{"id", "status": "pending",
  "confirmation": {"type": "redirect", "confirmation_url"}}`;
- `GET /payments/<id>`: the payment with its `status` (pending,
  succeeded, canceled) and `refunded_amount`;
- `POST /refunds` (`Idempotence-Key`, `payment_id`, `amount`).

`pay(id, outcome)` is the tester's choice on the card page: 'success'
(succeeded) or 'decline' (canceled, reason card_expired); `webhook(id)`
is the notification YooKassa would send (`payment.succeeded`…)."""
import base64
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from werkzeug.exceptions import NotFound
from werkzeug.routing import Map, Rule

from trytond.modules.lk_base.standin import Service


@dataclass
class YooKassa(Service):
    shop_id: str = '123456'
    secret_key: str = 'test_secret'
    base_url: str = 'http://127.0.0.1:8011'
    payments: dict = field(default_factory=dict)
    keys: dict = field(default_factory=dict)

    url_map = Map([
            Rule('/v3/payments', endpoint='create', methods=['POST']),
            Rule('/v3/payments/<id_>', endpoint='get', methods=['GET']),
            Rule('/v3/refunds', endpoint='refund', methods=['POST']),
            ])

    def refuse(self, request):
        expected = 'Basic ' + base64.b64encode(
            ('%s:%s' % (self.shop_id, self.secret_key)).encode()).decode()
        if request.headers.get('Authorization') != expected:
            return self._json({'type': 'error',
                    'code': 'invalid_credentials'}, 401)

    def _keyed(self, request):
        key = request.headers.get('Idempotence-Key')
        if not key:
            return None, self._json({'type': 'error',
                    'code': 'invalid_request'}, 400)
        return key, None

    def create(self, request):
        key, error = self._keyed(request)
        if error:
            return error
        if key not in self.keys:
            body = request.get_json()
            id_ = str(uuid.uuid4())
            self.payments[id_] = {
                'id': id_, 'status': 'pending', 'paid': False,
                'amount': body['amount'], 'description': body.get(
                    'description', ''),
                'metadata': body.get('metadata', {}),
                'confirmation': {'type': 'redirect',
                    'confirmation_url': '%s/card/%s' % (self.base_url, id_),
                    'return_url': body['confirmation']['return_url']},
                'created_at': '2026-01-01T00:00:00.000Z', 'test': True,
                'refundable': False, 'recipient': {
                    'account_id': self.shop_id, 'gateway_id': '1'},
                }
            self.keys[key] = id_
        return self._json(self.payments[self.keys[key]])

    def get(self, request, id_):
        if id_ not in self.payments:
            raise NotFound()
        return self._json(self.payments[id_])

    def refund(self, request):
        key, error = self._keyed(request)
        if error:
            return error
        body = request.get_json()
        payment = self.payments.get(body.get('payment_id'))
        if not payment or payment['status'] != 'succeeded':
            return self._json({'type': 'error', 'code': 'invalid_request'},
                400)
        if key not in self.keys:
            value = Decimal(body['amount']['value'])
            done = Decimal(payment.get('refunded_amount', {}).get(
                    'value', '0'))
            if done + value > Decimal(payment['amount']['value']):
                return self._json({'type': 'error',
                        'code': 'invalid_request'}, 400)
            payment['refunded_amount'] = {
                'value': str(done + value), 'currency': 'RUB'}
            self.keys[key] = str(uuid.uuid4())
        return self._json({'id': self.keys[key], 'status': 'succeeded',
                'payment_id': payment['id'], 'amount': body['amount'],
                'created_at': '2026-01-01T00:00:00.000Z'})

    def pay(self, id_, outcome):
        payment = self.payments[id_]
        if outcome == 'success':
            payment.update(status='succeeded', paid=True, refundable=True)
        else:
            payment.update(status='canceled', cancellation_details={
                    'party': 'payment_network', 'reason': 'card_expired'})

    def webhook(self, id_):
        "The body of the notification of the payment's status"
        payment = self.payments[id_]
        event = {'succeeded': 'payment.succeeded',
            'canceled': 'payment.canceled'}.get(
            payment['status'], 'payment.waiting_for_capture')
        return {'type': 'notification', 'event': event,
            'object': {'id': id_, 'status': payment['status']}}
