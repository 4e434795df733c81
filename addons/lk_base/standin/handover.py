# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A local stand-in for the document system's hand-over endpoint, as a
small WSGI app.

It answers `POST /events` the way the document system does: it checks the
`X-LK-Signature` header (`sha256=<hex HMAC-SHA256 of the body with the
shared secret>`) and the `Idempotency-Key` header, keeps each event once
in `events` (a repeated key is answered 200 again without keeping it
twice) and refuses a bad signature with 401, a missing key or a body that
is not JSON with 400. Point the trytond configuration at it:

    [lk_handover]
    gateway = http
    url = http://127.0.0.1:<port>/events
    secret = <the secret given to Handover>

Run it alone with `python -m trytond.modules.lk_base.standin.handover`.
"""
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field

from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Response

from . import Service, serve


@dataclass
class Handover(Service):
    "The state of the stand-in: its secret, the events and the failures"
    secret: str = 'test-secret'
    # Idempotency-Key: the decoded JSON body, in the order received
    events: dict = field(default_factory=dict)
    # the keys of the requests refused or repeated, for the tests
    refused: list = field(default_factory=list)
    repeated: list = field(default_factory=list)
    # HTTP statuses to answer with, one per request, before accepting
    fail_statuses: list = field(default_factory=list)
    method_prefix = 'on_'

    def __post_init__(self):
        self._lock = threading.Lock()
        self.url_map = Map([
                Rule('/events', endpoint='event', methods=['POST']),
                ])

    def signature(self, body):
        return 'sha256=' + hmac.new(
            self.secret.encode('utf-8'), body, hashlib.sha256).hexdigest()

    def on_event(self, request):
        body = request.get_data()
        key = request.headers.get('Idempotency-Key')
        with self._lock:
            if self.fail_statuses:
                return self._answer(self.fail_statuses.pop(0), 'failure')
            if not hmac.compare_digest(
                    request.headers.get('X-LK-Signature', ''),
                    self.signature(body)):
                self.refused.append(key)
                return self._answer(401, 'bad signature')
            if not key:
                self.refused.append(key)
                return self._answer(400, 'missing Idempotency-Key')
            try:
                event = json.loads(body)
            except ValueError:
                self.refused.append(key)
                return self._answer(400, 'not JSON')
            if key in self.events:
                self.repeated.append(key)
                return self._answer(200, 'already received')
            self.events[key] = event
        return self._answer(200, 'received')

    @staticmethod
    def _answer(status, text):
        return Response(
            json.dumps({'status': text}), status=status,
            content_type='application/json')


def main():
    serve(__doc__, 8031, {'--secret': 'test-secret'},
        lambda args: Handover(secret=args.secret))


if __name__ == '__main__':
    main()
