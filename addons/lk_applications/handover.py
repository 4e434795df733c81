# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Hand-over of applications to the company's internal document system.

Every submission and state change is an event row, written in the same
transaction as the change. The outbound queue of `lk_base` posts the due
events through the configured document-system gateway (`[lk_handover]`),
in order per application: an event waits while an earlier event of its
application is not delivered. A failed post is retried with a growing
delay; the receiver deduplicates on the Idempotency-Key header, the event
id, because a crash between the post and its record posts it again.
"""
import hashlib
import hmac
import json
import logging

import httpx
from sql.operators import Exists

import trytond.config as config
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields

from trytond.modules.lk_base import clock, gateway
from trytond.modules.lk_base.queue import OutboundQueueMixin

from .application import STATES
from .exceptions import HandoverConfigurationError, HandoverError

logger = logging.getLogger(__name__)


def signature(secret, body):
    "The hex HMAC-SHA256 of body with the shared secret"
    return hmac.new(secret.encode('utf-8'), body, hashlib.sha256).hexdigest()


@gateway.register('handover', 'http')
class HttpHandover(gateway.DocumentSystemGateway):
    """POST of the signed JSON body to `[lk_handover] url`, spoken also by
    the stand-in `lk_base.standin.handover`."""

    def __init__(self, url, secret, timeout=10):
        if not secret:
            raise HandoverConfigurationError(gettext(
                    'lk_applications.msg_handover_secret_missing'))
        self.url = url
        self.secret = secret
        self.timeout = timeout

    @classmethod
    def from_config(cls, section):
        url = config.get(section, 'url')
        if not url:
            return None
        return cls(url, config.get(section, 'secret', default=''),
            timeout=config.getfloat(section, 'timeout', default=10))

    def send(self, key, body):
        headers = {
            'Content-Type': 'application/json; charset=utf-8',
            'Idempotency-Key': str(key),
            'X-LK-Event': str(key),
            'X-LK-Signature': 'sha256=' + signature(self.secret, body),
            }
        try:
            response = httpx.post(
                self.url, content=body, headers=headers,
                timeout=self.timeout)
        except httpx.HTTPError as exception:
            raise HandoverError(str(exception) or repr(exception), None)
        if not response.is_success:
            raise HandoverError(response.text[:500], response.status_code)
        return response.status_code


class Event(OutboundQueueMixin, ModelSQL, ModelView):
    __name__ = 'lk.application.event'
    __string__ = "Application Hand-over Event"
    _queue_setting = ('lk_handover', None)

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
    delivered_at = fields.Timestamp("Delivered At", readonly=True)
    response_code = fields.Integer("Response Code", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('application')
        cls._order = [('id', 'DESC')]
        cls._sql_indexes.update({
                Index(t,
                    (t.state, Index.Equality(cardinality='low')),
                    (t.next_attempt, Index.Range()),
                    where=t.state == 'pending'),
                Index(t,
                    (t.application, Index.Range()),
                    (t.id, Index.Range()),
                    where=t.state != 'done'),
                })

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        cls._queue_migrate_state({'delivered': 'done'})

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
                        application.to_json(), ensure_ascii=False)))
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

    @classmethod
    def deliver_pending(cls):
        "Cron: post the due events to the internal document system"
        cls.queue_process()

    @classmethod
    def queue_check(cls):
        try:
            adapter = gateway.get('handover')
        except Exception as exception:
            logger.error("hand-over refuses to start: %s", exception)
            raise
        if adapter is None:
            # without a document system the events wait
            logger.info("hand-over is off: [lk_handover] url is not set")
            return False

    @classmethod
    def _queue_where(cls, table, now):
        # in order per application: not while an earlier one is not done
        earlier = cls.__table__()
        return super()._queue_where(table, now) & ~Exists(earlier.select(
                earlier.id,
                where=(earlier.application == table.application)
                & (earlier.id < table.id)
                & (earlier.state != 'done')))

    @classmethod
    def _queue_order(cls, table):
        return [table.id.asc]

    def queue_prepare(self):
        return self.id, self.body()

    @classmethod
    def queue_call(cls, job):
        key, body = job
        return gateway.get('handover').send(key, body)

    def queue_done(self, result):
        self.response_code = result
        self.delivered_at = clock.utcnow()

    def _queue_failure(self, now, exception):
        if isinstance(exception, HandoverError):
            exception, self.response_code = exception.args
        super()._queue_failure(now, exception)
