"""The ./lk bench tooling: valid generated identifiers, the data generator
against the models' constraints (PostgreSQL), the statement counter, the
signed session cookies and CSRF tokens, the wrk scripts."""
import os
import types

import pytest

from tools.bench import data, load, pages, visitors

on_postgresql = pytest.mark.skipif(
    not os.environ.get('TRYTOND_DATABASE__URI', '').startswith('postgresql'),
    reason='the generator writes with COPY: PostgreSQL only')


def test_identifiers_valid_and_unique():
    "The generated СНИЛС / ИНН pass lk_base.identifiers and never repeat"
    from trytond.modules.lk_base import identifiers
    indexes = list(range(0, 3000)) + [99_999, 999_999]
    logins = set()
    for i in indexes:
        identifiers.check_snils(data.snils(i))
        identifiers.check_inn(data.inn10(i), 'ul')
        identifiers.check_inn(data.inn12(i), 'ip')
        for kind in ['fl', 'ul', 'ip']:
            logins.add((kind, data._login(kind, i)))
    assert len(logins) == 3 * len(indexes)
    assert len({data.snils(i) for i in indexes}) == len(indexes)


def test_session_cookie_and_csrf_token(monkeypatch):
    """The cookies the bench signs open as Flask sessions (the portal's
    kind) of the same secret key, with a valid CSRF token"""
    from flask import Flask, session
    from flask_wtf.csrf import validate_csrf
    monkeypatch.setattr(
        'tools.bench.environment.secret_key', lambda: 'test-secret')
    portal_app = Flask('portal')
    portal_app.secret_key = 'test-secret'
    raw, token = visitors.csrf_pair()
    cookie = visitors.sign({'lk_sid': 'key', 'csrf_token': raw})
    serializer = portal_app.session_interface.get_signing_serializer(
        portal_app)
    assert serializer.loads(cookie) == {'lk_sid': 'key', 'csrf_token': raw}
    with portal_app.test_request_context():
        session['csrf_token'] = raw
        validate_csrf(token)  # raises when invalid


def test_wrk_script(tmp_path, monkeypatch):
    "One request per visitor, with its cookie and for a POST its form"
    monkeypatch.setattr('tools.bench.load.var',
        lambda *parts: str(tmp_path.joinpath(*parts[-1:])))
    clients = [types.SimpleNamespace(cookie='c%s' % i, step='/s/%s' % i,
            step_body={'csrf_token': 't%s' % i, 'action': 'save'})
        for i in range(3)]
    people = types.SimpleNamespace(clients=clients, staff={'admin': 'a'})
    page = pages.Page('step', 'client', lambda c: c.step, method='POST',
        body=lambda c: c.step_body, status=(302,))
    with open(load._script(page, people)) as fp:
        script = fp.read()
    assert script.count('table.insert(requests') == 3
    assert '"/s/2"' in script and 'lk_session=c2' in script
    assert 'csrf_token=t1&action=save' in script
    assert 'local expected = {[302] = true}' in script


@on_postgresql
def test_generator_rows_pass_constraints(tryton_db):
    "A tiny scale goes in under the database constraints and the checks"
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    from trytond.modules.lk_base.demo import setup_demo
    with Transaction().start(tryton_db, 0) as transaction:
        setup_demo()
        if 'lk.appointment.service' in dict(Pool().iterobject()):
            # the services the generated offices give (its demo data)
            from trytond.modules.lk_appointments.demo import (
                setup_demo as setup_appointments)
            setup_appointments()
        totals = data.generate(
            transaction.connection, 40, 120, 300, finish=False)
        pool = Pool()
        Party = pool.get('party.party')
        WebUser = pool.get('web.user')
        Application = pool.get('lk.application')
        parties = Party.search([('code', 'like', 'Б%')])
        assert len(parties) == totals['clients'] == 40
        Party.check_lk_identifiers(parties)
        assert {p.person_kind for p in parties} == {'fl', 'ul', 'ip'}
        users = WebUser.search([('email', 'like', '%@bench.example.ru')])
        assert all(u.login and u.party for u in users)
        applications = Application.search([('party', 'in', parties)])
        assert len(applications) == 120
        for application in applications:
            states = [h.state for h in application.history]
            assert states[-1] == 'draft' and states[0] == application.state
        if 'meter readings' in totals:  # lk_meters is activated
            Meter = pool.get('lk.meter')
            meters = Meter.search([('account.links.party', 'in', parties)])
            assert len(meters) == 40
            # one register, two for every fifth client
            assert totals['meter readings'] == 48 * data.READING_MONTHS
        if totals.get('bookings'):  # lk_appointments is activated
            # a booking that is not the generator's keeps its place and
            # its client's time when the bookings are generated again
            # with the same draws
            import random
            data.bookings(transaction.connection, random.Random(8))
            cursor = transaction.connection.cursor()
            cursor.execute("SELECT MIN(id) FROM lk_appointment "
                "WHERE comment = 'bench' AND seat_key IS NOT NULL")
            kept, = cursor.fetchone()
            cursor.execute("UPDATE lk_appointment SET comment = 'kept' "
                'WHERE id = %s', (kept,))
            again = data.bookings(transaction.connection, random.Random(8))
            assert 0 < again['bookings']
        transaction.rollback()


def test_statements(tryton_db):
    "Each statement of the connection sent in the block is counted, and "
    "only then; on PostgreSQL those of any connection when none is named"
    from trytond import backend
    from trytond.modules.lk_base.tests.tools import statements
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    with Transaction().start(tryton_db, 0) as transaction:
        connection = transaction.connection
        cursor = connection.cursor()
        with statements(connection) as sent:
            for _ in range(3):
                cursor.execute('SELECT 1')
        assert len(sent) == 3
        cursor.execute('SELECT 1')
        assert len(sent) == 3
        with statements(connection) as sent:
            Pool().get('lk.branch').search([])
        assert sent
        if backend.name == 'postgresql':
            with statements() as sent:
                cursor.execute('SELECT 1')
            assert sent == ['SELECT 1']


def test_workers_are_the_children_of_the_master():
    "The workers of a master are found by the parent pid of /proc/*/stat"
    import subprocess
    import sys
    child = subprocess.Popen([sys.executable, '-c', 'import time; '
            'time.sleep(30)'])
    try:
        assert child.pid in load.workers(os.getpid())
        assert load.rss_kib(child.pid) > 0
    finally:
        child.kill()
        child.wait()
    assert child.pid not in load.workers(os.getpid())
