# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""SMS gateways: one interface, a real HTTP adapter and a dev outbox.

The gateway is chosen by the `[lk_sms]` section of the trytond
configuration:

    [lk_sms]
    gateway = smsru          # or: outbox (default)
    url = https://sms.ru/sms/send
    api_id = …
    sender = ROSSETI         # optional, an approved sender name
    timeout = 10
"""
import abc
import logging

import httpx

import trytond.config as config
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool

from . import clock
from .exceptions import DeliveryError

logger = logging.getLogger(__name__)


class SmsGateway(abc.ABC):

    @abc.abstractmethod
    def send(self, phone, text):
        "Send text to phone in E.164; return the gateway's message id"


class SmsRuGateway(SmsGateway):
    """The HTTP API of SMS.RU (`/sms/send` with `json=1`), also spoken by
    the local stand-in `lk_base.standin.smsru`."""

    def __init__(self, url, api_id, sender=None, timeout=10):
        self.url = url
        self.api_id = api_id
        self.sender = sender
        self.timeout = timeout

    def send(self, phone, text):
        to = phone.lstrip('+')
        data = {'api_id': self.api_id, 'to': to, 'msg': text, 'json': 1}
        if self.sender:
            data['from'] = self.sender
        try:
            response = httpx.post(self.url, data=data, timeout=self.timeout)
            response.raise_for_status()
            result = response.json()
        except (httpx.HTTPError, ValueError) as exception:
            raise DeliveryError('SMS gateway unreachable: %s' % exception)
        if result.get('status') != 'OK':
            raise DeliveryError('SMS gateway refused: %s' % (
                    result.get('status_text') or result.get('status_code')))
        message = (result.get('sms') or {}).get(to) or {}
        if message.get('status') != 'OK':
            raise DeliveryError('SMS refused for %s: %s' % (
                    to, message.get('status_text')
                    or message.get('status_code')))
        return str(message.get('sms_id') or '')


class OutboxGateway(SmsGateway):
    "Development stand-in: keep the message in lk.sms.outbox"

    def send(self, phone, text):
        pool = Pool()
        Outbox = pool.get('lk.sms.outbox')
        message = Outbox(phone=phone, text=text, sent_at=clock.utcnow())
        message.save()
        return 'outbox-%s' % message.id


def get_gateway():
    name = config.get('lk_sms', 'gateway', default='outbox')
    if name == 'smsru':
        return SmsRuGateway(
            config.get('lk_sms', 'url', default='https://sms.ru/sms/send'),
            config.get('lk_sms', 'api_id'),
            sender=config.get('lk_sms', 'sender', default=None),
            timeout=config.getfloat('lk_sms', 'timeout', default=10))
    if name == 'outbox':
        return OutboxGateway()
    raise ValueError('Unknown SMS gateway %r' % name)


class SmsOutbox(ModelSQL, ModelView):
    __name__ = 'lk.sms.outbox'
    __string__ = "SMS Outbox"

    phone = fields.Char("Phone", readonly=True)
    text = fields.Text("Text", readonly=True)
    sent_at = fields.Timestamp("Sent At", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('sent_at', 'DESC'))
