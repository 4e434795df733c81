# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Helpers of the tests of lk_payment: the RBS sandbox mounted in place of
the bank, its callbacks delivered to the callback handler, an offer to
pay; for the scenarios, a stand-in served on a loopback port and the
gateway's settings."""
from decimal import Decimal
from unittest.mock import patch
import urllib.parse

import httpx

from trytond.modules.lk_base.tests.tools import set_config
from trytond.pool import Pool

from ..gateway import RbsGateway
from ..standin.rbs import Sandbox

RETURN = 'http://portal.test/my/payments/return/%d'
FAIL = 'http://portal.test/my/payments/fail/%d'
PAYEE = {
    'name': "ПАО «Россети Сибирь»", 'inn': '2460069527', 'kpp': '246001001',
    'bank_name': "ПАО Сбербанк г. Красноярск", 'bik': '040407627',
    'account': '40702810731000000013', 'corr_account': '30101810800000000627',
    }


def serve(app):
    """Serve the WSGI app on a free loopback port in a thread: return its
    base URL and the function stopping it"""
    import threading
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):
            pass
    server = make_server('127.0.0.1', 0, app, threaded=True,
        request_handler=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return 'http://127.0.0.1:%d' % server.server_port, server.shutdown


def configure(values, section='lk_payment'):
    """Set options of section (a scenario's gateway); return the function
    restoring what they were"""
    class Cleanups(list):
        def addCleanup(self, function):
            self.append(function)
    cleanups = Cleanups()
    for option, value in values.items():
        set_config(cleanups, section, option, str(value))

    def restore():
        while cleanups:
            cleanups.pop()()
    return restore


def mount_sandbox(test, **values):
    """The RBS sandbox as the configured gateway; its callbacks call
    Payment.callback in the running transaction"""
    sandbox = Sandbox(**values)
    for option, value in [('gateway', 'rbs'), ('url', 'http://bank.test'),
            ('username', sandbox.username), ('password', sandbox.password),
            ('secret', sandbox.secret)]:
        set_config(test, 'lk_payment', option, value)
    patcher = patch.object(RbsGateway, 'transport',
        httpx.WSGITransport(app=sandbox))
    patcher.start()
    test.addCleanup(patcher.stop)
    sandbox.send = lambda url: deliver(url)
    return sandbox


def deliver(url):
    "A callback of the sandbox, as the callback route handles it"
    Payment = Pool().get('lk.payment')
    query = urllib.parse.urlsplit(url).query
    return Payment.callback('rbs', dict(urllib.parse.parse_qsl(query)))


def offer(power=15, amount=Decimal('550.45'), schedule=None):
    "An application with its contract sent and its invoices"
    from trytond.modules.lk_applications.tests.test_module import (
        make_application)
    pool = Pool()
    Application = pool.get('lk.application')
    Payee = pool.get('lk.payment.payee')
    Branch = pool.get('lk.branch')
    application = make_application(power=power)
    branches = Branch.search([('code', '=', 'krsk')])
    branch = branches[0] if branches else Branch(
        name="Красноярскэнерго", code='krsk', region="г. Красноярск")
    branch.save()
    application.branch = branch
    application.payment_schedule = 'installments' if schedule else 'full'
    application.save()
    if not Payee.search([('branch', '=', None)]):
        Payee(**PAYEE).save()
    Application.submit([application])
    Application.accept([application])
    Application.prepare_contract([application])
    from trytond.modules.lk_edo.tests.test_module import contract
    contract(application, amount=amount)
    Application.send_contract([application])
    return Application(application.id)
