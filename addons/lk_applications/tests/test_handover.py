# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The hand-over through the outbound queue with its real commits, on the
portal's database, against respx and the loopback stand-in of the
document system."""
import datetime as dt
import logging
import threading
from unittest import mock

import httpx
import pytest
import respx
from werkzeug.serving import make_server

import trytond.config as config
from trytond.modules.lk_applications.exceptions import (
    HandoverConfigurationError, HandoverError)
from trytond.modules.lk_applications.handover import HttpHandover, signature
from trytond.modules.lk_applications.tests.test_module import (
    make_application)
from trytond.modules.lk_base.standin.handover import Handover
from trytond.pool import Pool
from trytond.transaction import Transaction

CLOCK = 'trytond.modules.lk_base.clock.utcnow'
ADMIN = 1


@pytest.fixture
def standin(lk_config):
    "The document system's stand-in on a free loopback port"
    handover = Handover(secret='shared-secret')
    server = make_server('127.0.0.1', 0, handover)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    lk_config('lk_handover', 'url',
        'http://127.0.0.1:%s/events' % server.server_port)
    lk_config('lk_handover', 'secret', 'shared-secret')
    yield handover
    server.shutdown()
    thread.join()
    server.server_close()


def events_of(application_id):
    Event = Pool().get('lk.application.event')
    return Event.search(
        [('application', '=', application_id)], order=[('id', 'ASC')])


def submitted(root, accept=False):
    "A submitted application (accepted if accept); its id and event ids"
    with root(ADMIN) as transaction:
        Application = Pool().get('lk.application')
        application = make_application()
        Application.submit([application])
        if accept:
            Application.accept([application])
        ids = application.id, [e.id for e in events_of(application.id)]
        transaction.commit()
    return ids


def process(root, event_ids, now=None):
    with root(ADMIN), mock.patch(
            CLOCK, return_value=now or dt.datetime.now()):
        Pool().get('lk.application.event').queue_process(event_ids)


def test_empty_secret_refuses_to_start(root, lk_config, caplog):
    "With an URL but no secret the cron stops with a clear, logged error"
    lk_config('lk_handover', 'url', 'https://edo.test/events')
    lk_config('lk_handover', 'secret', '')
    _, event_ids = submitted(root)
    with respx.mock(assert_all_called=False) as router:
        route = router.post('https://edo.test/events')
        with caplog.at_level(logging.ERROR), root(ADMIN):
            Event = Pool().get('lk.application.event')
            with pytest.raises(HandoverConfigurationError,
                    match=r'\[lk_handover\] secret'):
                Event.deliver_pending()
    assert not route.called
    assert 'hand-over refuses to start' in caplog.text
    with root(ADMIN):
        event, = Pool().get('lk.application.event').browse(event_ids)
        assert (event.state, event.attempts) == ('pending', 0)


def test_no_transaction_open_during_the_post(root, lk_config):
    "The claim is committed before the HTTP call, the outcome after it"
    lk_config('lk_handover', 'url', 'https://edo.test/events')
    lk_config('lk_handover', 'secret', 'shared-secret')
    _, (event_id,) = submitted(root)
    seen = []

    def post(request):
        transaction = Transaction()
        seen.append(in_transaction(transaction.connection))
        with transaction.new_transaction(readonly=True):
            event = Pool().get('lk.application.event')(event_id)
            seen.append((event.state, event.attempts))
        assert request.headers['X-LK-Signature'] == (
            'sha256=' + signature('shared-secret', request.content))
        return httpx.Response(200)

    with respx.mock() as router:
        router.post('https://edo.test/events').mock(side_effect=post)
        process(root, [event_id])
    assert seen == [False, ('pending', 1)]
    with root(ADMIN):
        event = Pool().get('lk.application.event')(event_id)
        assert (event.state, event.response_code) == ('done', 200)


def test_events_of_an_application_in_order(root, standin):
    "A later event waits while an earlier one of its application is due"
    application_id, (first, second) = submitted(root, accept=True)
    standin.fail_statuses.append(503)
    now = dt.datetime.now()
    process(root, [first, second], now)
    assert standin.events == {}
    with root(ADMIN):
        events = events_of(application_id)
        assert [(e.state, e.attempts, e.response_code) for e in events] == [
            ('pending', 1, 503), ('pending', 0, None)]

    # the second alone is not sent before the first
    process(root, [second], now + dt.timedelta(minutes=5))
    assert standin.events == {}

    process(root, [first, second], now + dt.timedelta(minutes=5))
    assert list(standin.events) == [str(first), str(second)]
    assert [(e['event'], e['state']) for e in standin.events.values()] == [
        ('submitted', 'incoming'), ('state', 'accepted')]
    with root(ADMIN):
        assert [e.state for e in events_of(application_id)] == [
            'done', 'done']


def test_failed_event_holds_the_later_ones(root, standin, lk_config):
    "A failed event stops its application's hand-over until retried"
    lk_config('lk_handover', 'attempts', '1')
    application_id, (first, second) = submitted(root, accept=True)
    standin.fail_statuses.append(500)
    now = dt.datetime.now()
    process(root, [first, second], now)
    later = now + dt.timedelta(days=2)
    process(root, [first, second], later)
    assert standin.events == {}
    with root(ADMIN) as transaction:
        Event = Pool().get('lk.application.event')
        assert [e.state for e in events_of(application_id)] == [
            'failed', 'pending']
        Event.retry(Event.browse([first]))
        transaction.commit()
    process(root, [first, second], later)
    assert list(standin.events) == [str(first), str(second)]


def test_crash_between_post_and_record_posts_again(root, standin):
    "At least once: the same Idempotency-Key is posted again after a crash"
    _, (event_id,) = submitted(root)
    now = dt.datetime.now()
    with mock.patch(
            'trytond.modules.lk_base.queue.OutboundQueueMixin._queue_record',
            side_effect=RuntimeError("killed")):
        with pytest.raises(RuntimeError):
            process(root, [event_id], now)
    assert list(standin.events) == [str(event_id)]
    with root(ADMIN):
        event = Pool().get('lk.application.event')(event_id)
        assert (event.state, event.attempts) == ('pending', 1)
        next_attempt = event.next_attempt
    assert next_attempt > now
    process(root, [event_id], now + dt.timedelta(seconds=1))
    assert standin.repeated == []
    process(root, [event_id], next_attempt)
    assert standin.repeated == [str(event_id)]
    assert list(standin.events) == [str(event_id)]
    with root(ADMIN):
        event = Pool().get('lk.application.event')(event_id)
        assert (event.state, event.attempts) == ('done', 2)


def test_standin_refuses_bad_signature_and_missing_key(standin):
    "The stand-in checks the signature and the idempotency key"
    url = config.get('lk_handover', 'url')
    body = b'{"event_id": 1}'
    with pytest.raises(HandoverError) as info:
        HttpHandover(url, 'wrong-secret').send('1', body)
    assert info.value.args[1] == 401
    response = httpx.post(url, content=body, headers={
            'X-LK-Signature': 'sha256=' + signature('shared-secret', body)})
    assert response.status_code == 400
    assert HttpHandover(url, 'shared-secret').send('1', body) == 200
    assert standin.events == {'1': {'event_id': 1}}


def in_transaction(connection):
    "Whether a database transaction is open on connection"
    if hasattr(connection, 'in_transaction'):  # sqlite3
        return connection.in_transaction
    info = getattr(connection, 'info', None)
    if info is not None and hasattr(info, 'transaction_status'):  # psycopg
        return info.transaction_status != 0
    return connection.get_transaction_status() != 0  # psycopg2
