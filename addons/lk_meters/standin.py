# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A local stand-in for the billing's readings endpoint.

It speaks the protocol of the document system's stand-in
(`lk_base.standin.handover`): a signed JSON body, kept once per
`Idempotency-Key`, at `POST /readings`. Point the trytond configuration at
it:

    [lk_billing]
    url = http://127.0.0.1:8032/readings
    secret = <the secret given to --secret>

Run it with `python -m trytond.modules.lk_meters.standin`.
"""
from dataclasses import dataclass

from werkzeug.routing import Map, Rule

from trytond.modules.lk_base.standin import serve
from trytond.modules.lk_base.standin.handover import Handover


@dataclass
class Billing(Handover):
    "The readings received, in `events` by Idempotency-Key"

    def __post_init__(self):
        super().__post_init__()
        self.url_map = Map([
                Rule('/readings', endpoint='event', methods=['POST']),
                ])


def main():
    serve(__doc__, 8032, {'--secret': 'test-secret'},
        lambda args: Billing(secret=args.secret))


if __name__ == '__main__':
    main()
