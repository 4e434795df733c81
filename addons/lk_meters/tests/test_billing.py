# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Readings to billing through the outbound queue, against the loopback
stand-in of the billing."""
import datetime as dt
import threading
from decimal import Decimal

import pytest
from werkzeug.serving import make_server

from trytond.modules.lk_meters.standin import Billing
from trytond.pool import Pool
from trytond.transaction import Transaction


@pytest.fixture
def standin(lk_config):
    billing = Billing(secret='billing-secret')
    server = make_server('127.0.0.1', 0, billing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    lk_config('lk_billing', 'url',
        'http://127.0.0.1:%s/readings' % server.server_port)
    lk_config('lk_billing', 'secret', 'billing-secret')
    yield billing
    server.shutdown()
    thread.join()
    server.server_close()


def test_readings_to_billing(portal_app, standin):
    database = portal_app.config['TRYTON_DATABASE']
    with Transaction().start(database, 0):
        pool = Pool()
        Account = pool.get('lk.meter.account')
        Meter = pool.get('lk.meter')
        Branch = pool.get('lk.branch')
        Reading = pool.get('lk.meter.reading')
        account = Account(number='777000111', holder="Биллинг Тест",
            branch=Branch.search([])[0])
        account.save()
        meter = Meter(account=account, number='B1', model="СЭ",
            registers=[{'code': '001'}])
        meter.save()
        readings, _ = Reading.submit(meter, {
                meter.registers[0]: (Decimal(100), False)},
            token='billing-form', day=dt.date(2026, 3, 16))
        reading_id = readings[0].id
        Transaction().commit()

    with Transaction().start(database, 0):
        Event = Pool().get('lk.meter.billing.event')
        event, = Event.search([('reading', '=', reading_id)])
        Event.queue_process([event])
    with Transaction().start(database, 0):
        Event = Pool().get('lk.meter.billing.event')
        event, = Event.search([('reading', '=', reading_id)])
        assert (event.state, event.response_code) == ('done', 200)
        key = 'reading-%s' % event.id
        assert standin.events[key]['meter'] == 'B1'
        assert standin.events[key]['value'] in {'100', '100.000'}
        # delivered again after a crash: the billing keeps it once
        Event.retry([event])
        event.state = 'pending'
        event.save()
        Transaction().commit()
    with Transaction().start(database, 0):
        Event = Pool().get('lk.meter.billing.event')
        Event.queue_process(Event.search([('reading', '=', reading_id)]))
    assert standin.repeated == [key]
    assert list(standin.events).count(key) == 1
