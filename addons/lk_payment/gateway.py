# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The card payment gateways: the interface of the kind 'payment' of the
lk_base registry and the adapter of the BPC/RBS REST protocol used by
several Russian banks (see doc/index.rst and standin/rbs.py).

    [lk_payment]
    gateway = rbs
    url = https://bank.example/payment/rest
    username = …
    password = …
    secret = …            # the key of the callbacks' HMAC-SHA256 checksum
    timeout = 15

    [lk_payment_<branch code>]   # merchant credentials of one branch
    username = …
    password = …
    secret = …
"""
import abc
import hashlib
import hmac
from dataclasses import dataclass
from decimal import Decimal

import httpx

import trytond.config as config

from trytond.modules.lk_base import gateway as registry

from .exceptions import GatewayError

# the outcome of an order, whatever the protocol
REGISTERED, PAID, CANCELLED, REFUNDED, DECLINED = (
    'registered', 'paid', 'cancelled', 'refunded', 'declined')
FINAL = {PAID, CANCELLED, REFUNDED, DECLINED}
# getOrderStatusExtended.do orderStatus → outcome (1 held and 5 3-DS wait)
RBS_STATUSES = {
    0: REGISTERED, 1: REGISTERED, 2: PAID, 3: CANCELLED, 4: REFUNDED,
    5: REGISTERED, 6: DECLINED}
CREDENTIALS = ('username', 'password', 'secret')


@dataclass
class Order:
    "What the gateway says of an order"
    status: str
    amount: Decimal = None  # paid, in roubles
    refunded: Decimal = Decimal(0)
    message: str = ''
    raw: dict = None


def kopecks(amount):
    return int((Decimal(amount) * 100).to_integral_value())


def roubles(value):
    return (Decimal(int(value or 0)) / 100).quantize(Decimal('0.01'))


def checksum(params, secret):
    "HMAC-SHA256 of the sorted «key;value;» pairs, in upper case hex"
    text = ''.join('%s;%s;' % (k, params[k])
        for k in sorted(params) if k != 'checksum')
    return hmac.new(secret.encode(), text.encode(),
        hashlib.sha256).hexdigest().upper()


class PaymentGateway(registry.Gateway):
    "Takes card payments on the gateway's page"

    name = None

    @abc.abstractmethod
    def register(self, number, amount, return_url, fail_url, description):
        "A new order: return (order id, URL of the card page)"

    @abc.abstractmethod
    def status(self, order_id):
        "The Order of order_id"

    @abc.abstractmethod
    def refund(self, order_id, amount, key):
        "Refund amount of a paid order (key: idempotency)"

    @abc.abstractmethod
    def reverse(self, order_id, key):
        "Cancel a paid order before the settlement (the whole amount)"

    @abc.abstractmethod
    def callback_order(self, params, body=None):
        """The order id a callback is about; raise ValueError if the
        callback is not authentic"""


def get(branch=None):
    "The configured payment gateway with the merchant of branch"
    return registry.get('payment').for_branch(branch)


@registry.register('payment', 'rbs')
class RbsGateway(PaymentGateway):
    name = 'rbs'
    transport = None  # the tests mount the stand-in here

    def __init__(self, url, username, password, secret, timeout=15):
        self.url = url.rstrip('/')
        self.username = username
        self.password = password
        self.secret = secret
        self.timeout = timeout

    @classmethod
    def from_config(cls, section):
        url = config.get(section, 'url')
        if not url:
            raise registry.GatewayConfigurationError(
                "[%s] url is required" % section)
        return cls(url, config.get(section, 'username', default=''),
            config.get(section, 'password', default=''),
            config.get(section, 'secret', default=''),
            timeout=config.getfloat(section, 'timeout', default=15))

    def for_branch(self, branch):
        "The same gateway with the merchant credentials of branch if set"
        section = 'lk_payment_%s' % branch.code if branch else None
        if section and config.has_section(section):
            values = {k: config.get(section, k, default=getattr(self, k))
                for k in CREDENTIALS}
            return self.__class__(self.url, timeout=self.timeout, **values)
        return self

    def _call(self, method, **params):
        params.update(userName=self.username, password=self.password)
        try:
            with httpx.Client(timeout=self.timeout,
                    transport=self.transport) as client:
                response = client.post(
                    '%s/%s' % (self.url, method), data=params)
                response.raise_for_status()
                data = response.json()
        except (httpx.HTTPError, ValueError) as exception:
            raise GatewayError('%s: %s' % (method, exception or
                    exception.__class__.__name__))
        if str(data.get('errorCode', '0')) not in {'0', ''}:
            raise GatewayError('%s: %s %s' % (
                    method, data.get('errorCode'), data.get('errorMessage')))
        return data

    def register(self, number, amount, return_url, fail_url, description):
        data = self._call('register.do', orderNumber=number,
            amount=kopecks(amount), returnUrl=return_url, failUrl=fail_url,
            description=description[:512], language='ru')
        return data['orderId'], data['formUrl']

    def status(self, order_id):
        data = self._call('getOrderStatusExtended.do', orderId=order_id)
        status = RBS_STATUSES.get(int(data.get('orderStatus', -1)))
        if status is None:
            raise GatewayError('unknown orderStatus %r' % data)
        refunded = roubles((data.get('paymentAmountInfo') or {}).get(
                'refundedAmount', 0))
        paid = roubles((data.get('paymentAmountInfo') or {}).get(
                'depositedAmount', data.get('amount', 0)))
        return Order(status, amount=paid, refunded=refunded,
            message=data.get('actionCodeDescription') or '', raw=data)

    def refund(self, order_id, amount, key):
        self._call('refund.do', orderId=order_id, amount=kopecks(amount))

    def reverse(self, order_id, key):
        self._call('reverse.do', orderId=order_id)

    def callback_order(self, params, body=None):
        if not self.secret:
            raise ValueError('no callback secret configured')
        given = (params.get('checksum') or '').upper()
        if not hmac.compare_digest(given, checksum(params, self.secret)):
            raise ValueError('bad checksum')
        return params.get('mdOrder')


registry.register_kind('payment', 'rbs')
