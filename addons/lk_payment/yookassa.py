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
    timeout = 15                          (seconds, every request)

The SDK sets no timeout on its requests (its `Configuration.timeout` is
the delay of its retries): the adapter gives each call a client whose
requests session has one, and retries no read that timed out, so that a
slow YooKassa gives the clear message of a gateway down instead of holding
the page. The SDK's configuration is global (class attributes that its
client copies when made): each call's client is made under a lock right
after the configuration of its adapter's shop, so that the portal's
threads paying to two branches' shops at once each use their own.
"""
import functools
import threading
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
_CONFIGURE = threading.Lock()


@registry.register('payment', 'yookassa')
class YooKassaGateway(PaymentGateway):
    name = 'yookassa'

    def __init__(self, shop_id, secret_key, url=DEFAULT_URL, timeout=15):
        self.shop_id = shop_id
        self.secret_key = secret_key
        self.url = url
        self.timeout = timeout

    @classmethod
    def from_config(cls, section):
        shop_id = config.get(section, 'username')
        secret_key = config.get(section, 'password')
        if not shop_id or not secret_key:
            raise registry.GatewayConfigurationError(
                "[%s] username (shopId) and password are required" % section)
        return cls(shop_id, secret_key,
            url=config.get(section, 'url', default=DEFAULT_URL),
            timeout=config.getfloat(section, 'timeout', default=15))

    def for_branch(self, branch):
        section = 'lk_payment_%s' % branch.code if branch else None
        if section and config.has_section(section):
            return self.__class__(
                config.get(section, 'username', default=self.shop_id),
                config.get(section, 'password', default=self.secret_key),
                url=self.url, timeout=self.timeout)
        return self

    def _sdk(self, name):
        """The SDK's class name (Payment, Refund) whose calls go through a
        client of this adapter's shop, URL and timeout"""
        import yookassa
        adapter = self

        class Api(getattr(yookassa, name)):
            def __init__(self):
                # the SDK keeps its configuration in class attributes, which
                # its client copies when it is made: another thread's shop
                # must not come in between
                with _CONFIGURE:
                    yookassa.Configuration.configure(
                        adapter.shop_id, adapter.secret_key,
                        api_url=adapter.url)
                    self.client = _client_class()(adapter.timeout)
        return Api

    def _call(self, function, *args):
        import requests
        try:
            return function(*args)
        except Exception as exception:  # the SDK raises requests' and its own
            # the SDK's client turns a transport error into an
            # AttributeError (it reads the response of none): name the cause
            cause = exception
            while cause is not None and not isinstance(
                    cause, requests.RequestException):
                cause = cause.__context__
            exception = cause or exception
            raise GatewayError('yookassa: %s' % (
                    ' '.join(str(exception).split()) or
                    exception.__class__.__name__))

    def register(self, number, amount, return_url, fail_url, description):
        payment = self._call(self._sdk('Payment').create, {
                'amount': {'value': str(amount), 'currency': 'RUB'},
                'confirmation': {'type': 'redirect', 'return_url': return_url},
                'capture': True,
                'description': description[:128],
                'metadata': {'order_number': number},
                }, number)
        return payment.id, payment.confirmation.confirmation_url

    def status(self, order_id):
        payment = self._call(self._sdk('Payment').find_one, order_id)
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
        self._call(self._sdk('Refund').create, {
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



@functools.cache
def _client_class():
    "The SDK's API client with a timeout on every request"
    from yookassa.client import ApiClient

    class Client(ApiClient):
        def __init__(self, timeout):
            super().__init__()
            self.request_timeout = timeout

        def get_session(self):
            session = super().get_session()
            # the SDK retries POSTs answered 202 (in progress), and would
            # retry a read that timed out: that one is not asked again
            for adapter in session.adapters.values():
                adapter.max_retries = adapter.max_retries.new(read=False)
            session.request = functools.partial(
                session.request, timeout=self.request_timeout)
            return session
    return Client
