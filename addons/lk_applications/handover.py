# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Hand-over of applications to the company's internal document system.

Every submission and state change is an event row, written in the same
transaction as the change. A cron posts the due events as signed JSON and
marks an event delivered only on a 2xx answer; failures are retried with an
exponential backoff. Rows are locked while they are sent so that two cron
runs never post the same event (the receiver can also deduplicate on the
Idempotency-Key header, the event id).
"""
import datetime as dt
import hashlib
import hmac
import json
import logging

import httpx

import trytond.config as config
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pyson import Eval
from trytond.transaction import Transaction

from trytond.modules.lk_base import clock

from .application import STATES
from .exceptions import HandoverError

logger = logging.getLogger(__name__)


def _setting(name, default=None):
    return config.get('lk_applications', name, default=default)


class Event(ModelSQL, ModelView):
    __name__ = 'lk.application.event'
    __string__ = "Application Hand-over Event"

    application = fields.Many2One(
        'lk.application', "Application", required=True, ondelete='CASCADE',
        readonly=True)
    event_type = fields.Selection([
            ('submitted', "Submitted"),
            ('state', "State Changed"),
            ], "Event", required=True, readonly=True)
    application_state = fields.Selection(
        STATES, "Application State", required=True, readonly=True)
    payload = fields.Text("Payload", readonly=True)
    state = fields.Selection([
            ('pending', "Pending"),
            ('delivered', "Delivered"),
            ], "State", required=True, readonly=True, sort=False)
    attempts = fields.Integer("Attempts", readonly=True)
    next_attempt = fields.Timestamp(
        "Next Attempt", readonly=True,
        states={'invisible': Eval('state') != 'pending'})
    delivered_at = fields.Timestamp("Delivered At", readonly=True)
    response_code = fields.Integer("Response Code", readonly=True)
    last_error = fields.Text("Last Error", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('application')
        cls._order = [('id', 'DESC')]
        cls._sql_indexes.add(
            Index(t,
                (t.state, Index.Equality(cardinality='low')),
                (t.next_attempt, Index.Range()),
                where=t.state == 'pending'))
        cls._buttons.update({
                'retry': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'pending'

    @staticmethod
    def default_attempts():
        return 0

    @classmethod
    def queue(cls, applications):
        "Record the current state of the applications for the hand-over"
        events = []
        for application in applications:
            events.append(cls(
                    application=application,
                    event_type=(
                        'submitted' if application.state == 'incoming'
                        else 'state'),
                    application_state=application.state,
                    payload=json.dumps(
                        application.to_json(), ensure_ascii=False),
                    next_attempt=clock.utcnow()))
        cls.save(events)
        return events

    def body(self):
        return json.dumps({
                'event_id': self.id,
                'event': self.event_type,
                'state': self.application_state,
                'created_at': self.create_date.isoformat(),
                'application': json.loads(self.payload),
                }, ensure_ascii=False, sort_keys=True).encode('utf-8')

    @staticmethod
    def signature(body):
        secret = (_setting('handover_secret') or '').encode('utf-8')
        return hmac.new(secret, body, hashlib.sha256).hexdigest()

    def post(self, client):
        body = self.body()
        headers = {
            'Content-Type': 'application/json; charset=utf-8',
            'Idempotency-Key': str(self.id),
            'X-LK-Event': str(self.id),
            'X-LK-Signature': 'sha256=' + self.signature(body),
            }
        try:
            response = client.post(
                _setting('handover_url'), content=body, headers=headers)
        except httpx.HTTPError as exception:
            raise HandoverError(str(exception) or repr(exception), None)
        if not response.is_success:
            raise HandoverError(
                response.text[:500], response.status_code)
        return response.status_code

    @classmethod
    def _lock_due(cls):
        "The ids of the due events, locked against other cron runs"
        transaction = Transaction()
        database = transaction.database
        cursor = transaction.connection.cursor()
        table = cls.__table__()
        query = table.select(table.id,
            where=(table.state == 'pending')
            & ((table.next_attempt == None)  # noqa: E711
                | (table.next_attempt <= clock.utcnow())),
            order_by=[table.id.asc],
            limit=int(_setting('handover_batch', default=100)))
        if database.has_select_for():
            For = database.get_select_for_skip_locked()
            query.for_ = For('UPDATE')
        else:
            # SQLite has a single writer: take it now
            cls.lock()
        cursor.execute(*query)
        return [row[0] for row in cursor]

    @classmethod
    def deliver_pending(cls):
        "Cron: post the due events to the internal document system"
        if not _setting('handover_url'):
            return
        events = cls.browse(cls._lock_due())
        if not events:
            return
        timeout = float(_setting('handover_timeout', default=10))
        with httpx.Client(timeout=timeout) as client:
            for event in events:
                event.deliver(client)
        cls.save(events)

    def deliver(self, client):
        self.attempts = (self.attempts or 0) + 1
        try:
            self.response_code = self.post(client)
        except HandoverError as exception:
            message, self.response_code = exception.args
            self.last_error = message
            self.next_attempt = clock.utcnow() + self.backoff(self.attempts)
            logger.warning(
                "hand-over of event %s failed (%s): %s", self.id,
                self.response_code, message)
        else:
            self.state = 'delivered'
            self.delivered_at = clock.utcnow()
            self.next_attempt = None
            self.last_error = None

    @staticmethod
    def backoff(attempts):
        "1, 2, 4 … minutes, at most a day"
        first = int(_setting('handover_backoff', default=60))
        return clock.backoff(
            attempts, dt.timedelta(seconds=first), dt.timedelta(days=1))

    @classmethod
    @ModelView.button
    def retry(cls, events):
        cls.write([e for e in events if e.state == 'pending'], {
                'next_attempt': clock.utcnow(),
                })

