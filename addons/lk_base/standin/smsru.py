# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A local stand-in for the SMS.RU HTTP API, as a small WSGI app.

It answers `POST /sms/send` (form fields api_id, to, msg, json=1 and an
optional from) the way SMS.RU does, and keeps what it accepted in
`messages`, so that developers and tests can send through the real
`SmsRuGateway`. Point the trytond configuration at it:

    [lk_sms]
    gateway = smsru
    url = http://127.0.0.1:<port>/sms/send
    api_id = <the api_id given to SmsRu>

Run it alone with `python -m trytond.modules.lk_base.standin.smsru`.
"""
import itertools
import json
import threading
from dataclasses import dataclass, field

from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Response

from . import Service, serve


@dataclass
class Message:
    sms_id: str
    to: str
    text: str
    sender: str | None = None


@dataclass
class SmsRu(Service):
    "The state of the stand-in: its api_id, balance, messages and failures"
    api_id: str = 'test-api-id'
    balance: float = 100.0
    price: float = 1.5
    messages: list = field(default_factory=list)
    # an HTTP status (e.g. 503) to answer with instead of sending
    fail_status: int | None = None
    # numbers that the gateway refuses one by one (status_code 207)
    refused: set = field(default_factory=set)
    method_prefix = 'on_'

    def __post_init__(self):
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.url_map = Map([
                Rule('/sms/send', endpoint='send', methods=['GET', 'POST']),
                ])

    def on_send(self, request):
        if self.fail_status:
            return Response('Service Unavailable', status=self.fail_status)
        values = request.values
        if values.get('api_id') != self.api_id:
            return self._json({
                    'status': 'ERROR',
                    'status_code': 200,
                    'status_text': "Неправильный api_id",
                    })
        numbers = [n.strip() for n in values.get('to', '').split(',')
            if n.strip()]
        text = values.get('msg', '')
        if not numbers or not text:
            return self._json({
                    'status': 'ERROR',
                    'status_code': 202 if not numbers else 203,
                    'status_text': "Неправильно указан получатель"
                    if not numbers else "Нет текста сообщения",
                    })
        return self._json({
                'status': 'OK',
                'status_code': 100,
                'sms': {n: self._send(n, text, values.get('from'))
                    for n in numbers},
                'balance': self.balance,
                })

    def _send(self, number, text, sender):
        if number in self.refused or not number.isdigit():
            return {
                'status': 'ERROR',
                'status_code': 207,
                'status_text': "На этот номер нельзя отправлять сообщения",
                }
        with self._lock:
            sms_id = '000000-%07d' % next(self._ids)
            self.messages.append(Message(sms_id, number, text, sender))
            self.balance = round(self.balance - self.price, 2)
        return {'status': 'OK', 'status_code': 100, 'sms_id': sms_id}

    @staticmethod
    def _json(data):
        return Response(
            json.dumps(data, ensure_ascii=False),
            content_type='application/json; charset=utf-8')


def main():
    serve(__doc__, 8030, {'--api-id': 'test-api-id'},
        lambda args: SmsRu(api_id=args.api_id))


if __name__ == '__main__':
    main()
