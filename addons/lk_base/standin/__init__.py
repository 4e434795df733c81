# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Local stand-ins of the services the modules talk to, as small WSGI apps.

`Service` is the dispatch they share: a request goes to the method of the
endpoint its `url_map` matches, unless `refuse` answers it first (bad
credentials, a failure asked for by a test); `serve` is the command line
that runs one alone (`python -m trytond.modules.<module>.standin…`).
"""
import json

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response


class Service:
    """A stand-in as a WSGI app: the method `method_prefix + endpoint` of
    the rule its `url_map` matches answers, with the rule's values"""
    url_map = None
    method_prefix = ''

    def refuse(self, request):
        "The response refusing request before it is routed, or None"
        return None

    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            response = self.refuse(request)
            if response is None:
                endpoint, values = self.url_map.bind_to_environ(
                    environ).match()
                response = getattr(self, self.method_prefix + endpoint)(
                    request, **values)
        except HTTPException as exception:
            response = exception
        return response(environ, start_response)

    def _json(self, data, status=200):
        return Response(json.dumps(data), status=status,
            content_type='application/json')


def serve(doc, port, options, make_app, threaded=False):
    """Run a stand-in from the command line: --host (loopback), --port
    (port) and each of options ({'--flag': default}) as arguments;
    make_app(args) builds the WSGI app from them."""
    import argparse

    from werkzeug.serving import run_simple

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=port)
    for flag, default in options.items():
        parser.add_argument(flag, default=default)
    args = parser.parse_args()
    run_simple(args.host, args.port, make_app(args), threaded=threaded)
