# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Helpers for scenarios: run code the way the portal and the server do.

Proteus speaks to Tryton as a back-office user over RPC. The portal's entry
points (registration, login, recovery…) and the server-side API other
modules call (`lk.notification.notify`) are not RPC methods: scenarios call
them inside these transactions instead.
"""
from contextlib import contextmanager
from unittest.mock import patch

from proteus import config as proteus_config

import trytond.config as config
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.worker import run_task


@contextmanager
def statements(connection=None):
    """The SQL statements sent while the block runs, a list of their texts
    filled as they go: those of connection (a trytond connection: the
    transaction's), or, on PostgreSQL, those of every connection when None
    (./lk bench counts whole requests). SQLite: its trace callback;
    PostgreSQL: the execute of trytond's LoggingCursor, which every cursor
    of its backend is."""
    from trytond import backend
    sent = []
    if backend.name == 'sqlite':
        connection.set_trace_callback(sent.append)
        try:
            yield sent
        finally:
            connection.set_trace_callback(None)
        return
    from trytond.backend.postgresql.database import LoggingCursor
    execute = LoggingCursor.execute

    def counted(cursor, query, *args, **kwargs):
        if connection is None or cursor.connection is connection:
            sent.append(str(query))
        return execute(cursor, query, *args, **kwargs)
    with patch.object(LoggingCursor, 'execute', counted):
        yield sent


def _database_name(config):
    return (config or proteus_config.get_config()).database_name


def _run_tasks(database_name, transaction):
    # as trytond runs the queue without a worker: after the commit
    while transaction.tasks:
        run_task(database_name, transaction.tasks.pop())


@contextmanager
def portal_request(web_parties=(), remote_addr='192.0.2.10', config=None,
        operator=None, audit=None, path=None):
    """A transaction as the portal runs a request: as the `lk_portal` user
    with access checks on, web_parties as the logged-in client's parties,
    committed at the end unless an exception is raised.

    operator, audit, path: an operator (res.user id) acting on behalf of
    the client, the audit of that acting and the page posted."""
    database_name = _database_name(config)
    with Transaction().start(database_name, 0, readonly=True):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        user_id = ModelData.get_id('lk_base', 'user_portal')
    context = {
        '_check_access': True,
        'web_parties': list(web_parties),
        '_request': {'remote_addr': remote_addr},
        }
    if operator:
        context.update({'_lk_operator': operator, '_lk_operator_audit': audit,
                '_lk_request_path': path})
    with Transaction().start(
            database_name, user_id, context=context) as transaction:
        yield Pool()
    _run_tasks(database_name, transaction)


@contextmanager
def server_transaction(user=1, config=None):
    """A transaction as server code runs it (another module's workflow,
    a cron task): by default as the admin, without access checks."""
    database_name = _database_name(config)
    with Transaction().start(database_name, user) as transaction:
        yield Pool()
    _run_tasks(database_name, transaction)


@contextmanager
def staff_request(user, config=None):
    """A transaction as the portal runs an operator's page: as the staff
    user with access checks on (access rights and record rules apply)."""
    database_name = _database_name(config)
    with Transaction().start(
            database_name, user, context={'_check_access': True}
            ) as transaction:
        yield Pool()
    _run_tasks(database_name, transaction)


def set_config(test, section, option, value):
    "Set a trytond configuration option for the duration of the test"
    if not config.has_section(section):
        config.add_section(section)
    previous = config.get(section, option)
    config.set(section, option, value)

    def restore():
        if previous is None:
            config._config.remove_option(section, option)
            config._cache_clear()
        else:
            config.set(section, option, previous)
    test.addCleanup(restore)


def queue_in_transaction(test):
    """Keep the outbound queues (lk_base.queue) from committing during
    test: a module test runs in one transaction rolled back at its end.
    Scenarios and the tests of the queue itself run the real commits."""
    patcher = patch('trytond.modules.lk_base.queue.commit')
    patcher.start()
    test.addCleanup(patcher.stop)


def run_outbound(Model, records=None, now=None):
    "Run the outbound queue of Model (for records) with the clock at now"
    if now is None:
        Model.queue_process(records)
        return
    with patch('trytond.modules.lk_base.clock.utcnow', return_value=now):
        Model.queue_process(records)
