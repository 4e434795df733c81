# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The YooKassa API v3 adapter of the kind 'payment', through the official
`yookassa` SDK: `POST /payments` with an Idempotence-Key (our order
number), the redirect to `confirmation.confirmation_url`, refunds with an
Idempotence-Key. Webhooks are not signed: they only name the payment,
whose status is then fetched again (Payment.callback).

    [lk_payment]
    gateway = yookassa
    username = <shopId>
    password = <secret key>
    url = https://api.yookassa.ru/v3      (standin/yookassa.py in tests)
"""
from decimal import Decimal

import trytond.config as config

from trytond.modules.lk_base import gateway as registry

from .exceptions import GatewayError
from .gateway import (
    DECLINED, PAID, REFUNDED, REGISTERED, Order, PaymentGateway)

DEFAULT_URL = 'https://api.yookassa.ru/v3'
STATUSES = {
    'pending': REGISTERED, 'waiting_for_capture': REGISTERED,
    'succeeded': PAID, 'canceled': DECLINED}


@registry.register('payment', 'yookassa')
class YooKassaGateway(PaymentGateway):
    name = 'yookassa'

    def __init__(self, shop_id, secret_key, url=DEFAULT_URL):
        self.shop_id = shop_id
        self.secret_key = secret_key
        self.url = url

    @classmethod
    def from_config(cls, section):
        shop_id = config.get(section, 'username')
        secret_key = config.get(section, 'password')
        if not shop_id or not secret_key:
            raise registry.GatewayConfigurationError(
                "[%s] username (shopId) and password are required" % section)
        return cls(shop_id, secret_key,
            url=config.get(section, 'url', default=DEFAULT_URL))

    def for_branch(self, branch):
        section = 'lk_payment_%s' % branch.code if branch else None
        if section and config.has_section(section):
            return self.__class__(
                config.get(section, 'username', default=self.shop_id),
                config.get(section, 'password', default=self.secret_key),
                url=self.url)
        return self

    def _sdk(self):
        # the SDK keeps its configuration in class attributes: set before
        # every call (one adapter per call, no state kept between them)
        import yookassa
        yookassa.Configuration.configure(
            self.shop_id, self.secret_key, api_url=self.url)
        return yookassa

    def _call(self, function, *args):
        try:
            return function(*args)
        except Exception as exception:  # the SDK raises requests' and its own
            raise GatewayError('yookassa: %s' % (
                    ' '.join(str(exception).split()) or
                    exception.__class__.__name__))

    def register(self, number, amount, return_url, fail_url, description):
        sdk = self._sdk()
        payment = self._call(sdk.Payment.create, {
                'amount': {'value': str(amount), 'currency': 'RUB'},
                'confirmation': {'type': 'redirect', 'return_url': return_url},
                'capture': True,
                'description': description[:128],
                'metadata': {'order_number': number},
                }, number)
        return payment.id, payment.confirmation.confirmation_url

    def status(self, order_id):
        sdk = self._sdk()
        payment = self._call(sdk.Payment.find_one, order_id)
        status = STATUSES.get(payment.status)
        if status is None:
            raise GatewayError('unknown status %r' % payment.status)
        refunded = Decimal(str(payment.refunded_amount.value)) if getattr(
            payment, 'refunded_amount', None) else Decimal(0)
        amount = Decimal(str(payment.amount.value))
        if status == PAID and refunded >= amount:
            status = REFUNDED
        message = ''
        if payment.status == 'canceled' and payment.cancellation_details:
            message = payment.cancellation_details.reason or ''
        return Order(status, amount=amount if status in {PAID, REFUNDED}
            else None, refunded=refunded, message=message,
            raw={'id': payment.id, 'status': payment.status})

    def refund(self, order_id, amount, key):
        sdk = self._sdk()
        self._call(sdk.Refund.create, {
                'payment_id': order_id,
                'amount': {'value': str(amount), 'currency': 'RUB'},
                }, key)

    def reverse(self, order_id, key):
        # payments are captured at once: only a refund gives money back
        raise GatewayError('yookassa: no reversal of a captured payment')

    def callback_order(self, params, body=None):
        "The payment a webhook names (trusted only once fetched again)"
        if not params.get('order_id'):
            raise ValueError('no payment in the notification')
        return params['order_id']

