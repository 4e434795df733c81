# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Outbound queues: rows to hand to an outside service (an SMTP server,
an SMS gateway, the document system…), retried until done or failed.

A model inherits `OutboundQueueMixin` and implements three methods:

- `queue_prepare(self)`: in the claim transaction, return everything the
  call needs (plain data: the call must not read the database);
- `queue_call(cls, job)`: the call to the service, run outside any
  database transaction; return a result or raise to retry later;
- `queue_done(self, result)`: in the recording transaction, keep what the
  service answered (the state, attempts and errors are the mixin's).

`queue_process()` (for an ir.cron) and `queue_process(records)` (for the
ir.queue task of rows to send at once) claim the due rows in a short
transaction (locked with FOR UPDATE SKIP LOCKED on PostgreSQL, their next
attempt moved on by the backoff) and commit it, call the service, then
record each outcome in another short transaction. A crash between the call
and the record leaves the row to be called again when its backoff is over:
the delivery is at least once, so the service is given an idempotency key.
"""
import datetime as dt
import logging

import trytond.config as config
from trytond.model import ModelSQL, ModelView, fields
from trytond.pyson import Eval
from trytond.transaction import Transaction

from . import clock

logger = logging.getLogger(__name__)

QUEUE_STATES = [
    ('pending', "Pending"),
    ('done', "Done"),
    ('failed', "Failed"),
    ]


def commit():
    """End the current database transaction; the next statement starts
    another. (Module tests, which run in one transaction rolled back at the
    end, replace it with `lk_base.tests.tools.queue_in_transaction`.)"""
    Transaction().commit()


class OutboundQueueMixin(ModelSQL, ModelView):
    """Rows sent to an outside service with retries.

    The settings are read from the section and prefix of `_queue_setting`
    (e.g. `('lk', 'delivery')` reads `[lk] delivery_attempts`…; with no
    prefix, `('lk_handover', None)` reads `[lk_handover] attempts`…):

    - `<prefix>_attempts`: the attempts before «failed» (12);
    - `<prefix>_backoff`: the first wait after a failure, in seconds (60);
      it doubles at each attempt up to `<prefix>_backoff_max` (21600);
    - `<prefix>_batch`: the rows claimed at once (100).
    """
    __slots__ = ()
    _queue_setting = ('lk', 'queue')

    state = fields.Selection(
        QUEUE_STATES, "State", required=True, readonly=True, sort=False)
    attempts = fields.Integer("Attempts", readonly=True)
    next_attempt = fields.Timestamp(
        "Next Attempt", readonly=True,
        states={'invisible': Eval('state') != 'pending'})
    last_error = fields.Text("Last Error", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'retry': {
                    'invisible': Eval('state') == 'done',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'pending'

    @staticmethod
    def default_attempts():
        return 0

    @staticmethod
    def default_next_attempt():
        return clock.utcnow()

    @classmethod
    def queue_config(cls, name, default):
        section, prefix = cls._queue_setting
        key = '%s_%s' % (prefix, name) if prefix else name
        return config.getint(section, key, default=default)

    @classmethod
    def queue_backoff(cls, attempts):
        "The wait after the attempts-th failed attempt"
        return clock.backoff(attempts,
            dt.timedelta(seconds=cls.queue_config('backoff', 60)),
            dt.timedelta(seconds=cls.queue_config('backoff_max', 6 * 3600)))

    @classmethod
    def queue_check(cls):
        """Raise if the queue cannot work as configured (e.g. a missing
        secret), return False if it is off: the run stops before it claims
        anything."""

    @classmethod
    def _queue_where(cls, table, now):
        "The SQL condition of the due rows"
        return ((table.state == 'pending')
            & ((table.next_attempt == None)  # noqa: E711
                | (table.next_attempt <= now)))

    @classmethod
    def _queue_order(cls, table):
        return [table.next_attempt.asc, table.id.asc]

    def queue_postpone(self, now):
        "Return a later moment for a due row that must wait, or None"

    def queue_prepare(self):
        "Return what queue_call needs, read from the database"
        raise NotImplementedError

    @classmethod
    def queue_call(cls, job):
        "Call the service with job, outside any database transaction"
        raise NotImplementedError

    def queue_done(self, result):
        "Record the result of a successful call"

    @classmethod
    def _queue_claim(cls, ids, now, exclude):
        """Lock the due rows (of ids if given), move their next attempt on
        and return the due rows and the [(row id, job)] to call."""
        transaction = Transaction()
        database = transaction.database
        cursor = transaction.connection.cursor()
        table = cls.__table__()
        where = cls._queue_where(table, now)
        if ids is not None:
            where &= table.id.in_(list(ids) or [-1])
        if exclude:
            where &= ~table.id.in_(list(exclude))
        query = table.select(table.id, where=where,
            order_by=cls._queue_order(table),
            limit=cls.queue_config('batch', 100))
        if database.has_select_for():
            For = database.get_select_for_skip_locked()
            query.for_ = For('UPDATE', of=[table])
        # SQLite has a single writer: nothing to lock
        cursor.execute(*query)
        records = cls.browse([row[0] for row in cursor])
        claimed = []
        for record in records:
            later = record.queue_postpone(now)
            if later and later > now:
                record.next_attempt = later
                continue
            record.attempts = (record.attempts or 0) + 1
            # if the run dies before it records the outcome, the row is
            # called again once this wait is over
            record.next_attempt = now + cls.queue_backoff(record.attempts)
            try:
                claimed.append((record.id, record.queue_prepare()))
            except Exception as exception:
                record._queue_failure(now, exception)
        cls.save(records)
        return records, claimed

    def _queue_failure(self, now, exception):
        max_attempts = self.queue_config('attempts', 12)
        message = str(exception) or repr(exception)
        logger.warning("%s %s failed (attempt %s): %s",
            self.__name__, self.id, self.attempts, message)
        self.last_error = message[:2000]
        if self.attempts >= max_attempts:
            self.state = 'failed'
            self.next_attempt = None
        else:
            self.next_attempt = now + self.queue_backoff(self.attempts)

    @classmethod
    def _queue_record(cls, outcomes, now):
        records = cls.browse([i for i, _, _ in outcomes])
        for record, (_, result, exception) in zip(records, outcomes):
            if record.state != 'pending':
                continue
            if exception is not None:
                record._queue_failure(now, exception)
            else:
                record.state = 'done'
                record.next_attempt = None
                record.last_error = None
                record.queue_done(result)
        cls.save(records)

    @classmethod
    def queue_process(cls, records=None):
        """Call the service for the due rows (of records if given).

        Commits: the claim and each batch of outcomes are transactions of
        their own, and none is open while the service is called."""
        ids = None if records is None else [int(r) for r in records]
        if cls.queue_check() is False:
            return
        seen = set()
        while True:
            now = clock.utcnow()
            due, claimed = cls._queue_claim(ids, now, seen)
            commit()
            if not due:
                break
            seen.update(map(int, due))
            outcomes = []
            for id_, job in claimed:
                try:
                    outcomes.append((id_, cls.queue_call(job), None))
                except Exception as exception:
                    outcomes.append((id_, None, exception))
            if outcomes:
                cls._queue_record(outcomes, clock.utcnow())
                commit()

    @classmethod
    @ModelView.button
    def retry(cls, records):
        "Send again now; a failed row starts over its attempts"
        now = clock.utcnow()
        cls.write([r for r in records if r.state == 'pending'], {
                'next_attempt': now,
                })
        cls.write([r for r in records if r.state == 'failed'], {
                'state': 'pending',
                'attempts': 0,
                'next_attempt': now,
                })

    @classmethod
    def _queue_migrate_state(cls, values):
        "Rename the old done states of a model's table (values: {old: new})"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        for old, new in values.items():
            cursor.execute(*table.update(
                    [table.state], [new], where=table.state == old))
