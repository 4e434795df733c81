# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A local stand-in for the guaranteeing supplier's contract endpoint, as a
small WSGI app speaking the protocol of `lk_edo.supply.HttpSupplyGateway`:

- `POST /contracts` with a JSON body and an `Idempotency-Key` header
  (`Authorization: Bearer <token>`): 201 `{"id": …, "status": "pending"}`;
  the same key again answers the same id;
- `GET /contracts/<id>`: `{"id": …, "status": "pending" | "accepted" |
  "refused", "comment": …}` — the decision is `decision` (accepted by
  default) once `delay` status requests have been answered pending.

    [lk_supply]
    gateway = http
    url = http://127.0.0.1:<port>
    token = <the token given to Supplier>
"""
import json
import uuid
from dataclasses import dataclass, field

from werkzeug.exceptions import NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Response

from trytond.modules.lk_base.standin import Service


@dataclass
class Supplier(Service):
    token: str = 'test-token'
    decision: str = 'accepted'
    comment: str = ''
    delay: int = 0
    contracts: dict = field(default_factory=dict)
    keys: dict = field(default_factory=dict)
    polls: dict = field(default_factory=dict)

    url_map = Map([
            Rule('/contracts', endpoint='create', methods=['POST']),
            Rule('/contracts/<id_>', endpoint='status', methods=['GET']),
            ])

    def refuse(self, request):
        if request.headers.get('Authorization') != 'Bearer %s' % self.token:
            return Response('unauthorized', status=401)

    def create(self, request):
        key = request.headers.get('Idempotency-Key')
        try:
            body = json.loads(request.get_data())
        except ValueError:
            body = None
        if not key or not isinstance(body, dict):
            return Response('bad request', status=400)
        if key not in self.keys:
            id_ = uuid.uuid4().hex
            self.keys[key] = id_
            self.contracts[id_] = body
        return self._json(
            {'id': self.keys[key], 'status': 'pending'}, status=201)

    def status(self, request, id_):
        if id_ not in self.contracts:
            raise NotFound()
        polls = self.polls[id_] = self.polls.get(id_, 0) + 1
        status = 'pending' if polls <= self.delay else self.decision
        return self._json({'id': id_, 'status': status,
                'comment': self.comment if status == 'refused' else ''})
