# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import logging
import urllib.parse
import zoneinfo
from email.message import EmailMessage

import trytond.config as config
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.sendmail import send_message
from trytond.tools.email_ import set_from_header

from . import clock, identifiers, sms
from .operator import OperatorMixin

logger = logging.getLogger(__name__)


def portal_url(link):
    "Absolute URL of a portal link such as /my/applications/3"
    base = config.get('lk', 'portal_url', default='http://127.0.0.1:8000')
    return urllib.parse.urljoin(base.rstrip('/') + '/', link.lstrip('/'))


class Notification(OperatorMixin, ModelSQL, ModelView):
    __name__ = 'lk.notification'
    __string__ = "Notification"

    party = fields.Many2One(
        'party.party', "Client", required=True, ondelete='CASCADE',
        readonly=True)
    direction = fields.Selection([
            ('in', "To the client"),
            ('out', "From the client"),
            ], "Direction", required=True, readonly=True)
    subject = fields.Char("Subject", required=True, readonly=True)
    body = fields.Text("Text", readonly=True)
    link = fields.Char(
        "Link", readonly=True, help="Portal page the notification is about.")
    is_read = fields.Boolean("Read", readonly=True)
    read_at = fields.Timestamp("Read At", readonly=True)
    deliveries = fields.One2Many(
        'lk.notification.delivery', 'notification', "Deliveries",
        readonly=True)
    attachment_count = fields.Function(
        fields.Integer("Attachments"), 'get_attachment_count')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('party')
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._sql_indexes.add(
            Index(t,
                (t.party, Index.Range()),
                (t.direction, Index.Equality()),
                (t.create_date, Index.Range(order='DESC'))))

    @staticmethod
    def default_direction():
        return 'in'

    @staticmethod
    def default_is_read():
        return False

    @classmethod
    def get_attachment_count(cls, notifications, name):
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        counts = {n.id: 0 for n in notifications}
        for attachment in Attachment.search([
                    ('resource', 'in', [str(n) for n in notifications]),
                    ]):
            counts[attachment.resource.id] += 1
        return counts

    @classmethod
    def notify(cls, party, subject, body, link=None, attachments=(),
            channels=None):
        """Put a notification in the client's inbox and queue its delivery
        by e-mail and/or SMS as the client chose.

        attachments: (file name, bytes) pairs; channels: the delivery
        channels ('email', 'sms') instead of the client's choice."""
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        Delivery = pool.get('lk.notification.delivery')
        notification = cls(
            party=party, direction='in', subject=subject, body=body,
            link=link)
        notification.save()
        Attachment.save([
                Attachment(resource=notification, name=name, data=data)
                for name, data in attachments])
        deliveries = Delivery.plan(notification, channels=channels)
        if deliveries:
            Delivery.__queue__.send_due(deliveries)
        return notification

    @classmethod
    def send_from_client(cls, party, subject, body):
        "A message the client writes to the company (the «Отправленные» box)"
        notification = cls(
            party=party, direction='out', subject=subject, body=body,
            is_read=True)
        notification.save()
        return notification

    @classmethod
    def mark_read(cls, notifications):
        cls.write([n for n in notifications if not n.is_read], {
                'is_read': True,
                'read_at': clock.utcnow(),
                })


class Delivery(ModelSQL, ModelView):
    __name__ = 'lk.notification.delivery'
    __string__ = "Notification Delivery"

    notification = fields.Many2One(
        'lk.notification', "Notification", required=True,
        ondelete='CASCADE', readonly=True)
    party = fields.Function(
        fields.Many2One('party.party', "Client"), 'get_party')
    channel = fields.Selection([
            ('email', "E-mail"),
            ('sms', "SMS"),
            ], "Channel", required=True, readonly=True)
    address = fields.Char("Address", required=True, readonly=True)
    state = fields.Selection([
            ('pending', "Pending"),
            ('sent', "Sent"),
            ('failed', "Failed"),
            ], "State", required=True, readonly=True, sort=False)
    attempts = fields.Integer("Attempts", readonly=True)
    next_attempt = fields.Timestamp(
        "Next Attempt", readonly=True,
        states={'invisible': Eval('state') != 'pending'})
    sent_at = fields.Timestamp("Sent At", readonly=True)
    gateway_id = fields.Char("Gateway ID", readonly=True)
    last_error = fields.Text("Last Error", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('notification')
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'retry': {
                    'invisible': Eval('state') != 'failed',
                    'depends': ['state'],
                    },
                })
        cls._sql_indexes.add(
            Index(t, (t.state, Index.Equality()),
                (t.next_attempt, Index.Range()),
                where=t.state == 'pending'))

    @staticmethod
    def default_state():
        return 'pending'

    @staticmethod
    def default_attempts():
        return 0

    def get_party(self, name):
        return self.notification.party.id

    @classmethod
    def plan(cls, notification, channels=None):
        party = notification.party
        if channels is None:
            channels = {
                'email': ['email'],
                'sms': ['sms'],
                'email_sms': ['email', 'sms'],
                }.get(party.notify_method, [])
        addresses = {'email': party.email, 'sms': cls.sms_address(party)}
        now = clock.utcnow()
        deliveries = [
            cls(notification=notification, channel=channel,
                address=addresses[channel], next_attempt=now)
            for channel in channels if addresses[channel]]
        cls.save(deliveries)
        return deliveries

    @staticmethod
    def sms_address(party):
        "The client's mobile in E.164 (party stores it formatted)"
        mobile = party.mobile
        try:
            return identifiers.check_phone(mobile) if mobile else None
        except identifiers.InvalidIdentifier:
            # keep it: the failed delivery shows the bad number to staff
            return mobile

    @classmethod
    def send_pending(cls, now=None):
        "Cron: deliver what is due, in the clients' windows"
        if now is None:
            now = clock.utcnow()
        batch = config.getint('lk', 'delivery_batch', default=200)
        deliveries = cls.search([
                ('state', '=', 'pending'),
                ('next_attempt', '<=', now),
                ], order=[('next_attempt', 'ASC')], limit=batch)
        cls.send_due(deliveries, now=now)

    @classmethod
    def send_due(cls, deliveries, now=None):
        "Send the deliveries now (naive UTC) or postpone them to the window"
        if now is None:
            now = clock.utcnow()
        gateway = None
        # The queue passes ids: work on and save the same instances
        deliveries = cls.browse(deliveries)
        for delivery in deliveries:
            if delivery.state != 'pending':
                continue
            opening = delivery.window_opening(now)
            if opening > now:
                delivery.next_attempt = opening
                continue
            delivery.attempts += 1
            try:
                if delivery.channel == 'sms':
                    gateway = gateway or sms.get_gateway()
                    delivery.gateway_id = gateway.send(
                        delivery.address, delivery.sms_text)
                else:
                    send_message(delivery.email_message(), strict=True)
            except Exception as exception:
                delivery.reschedule(now, exception)
            else:
                delivery.state = 'sent'
                delivery.sent_at = now
                delivery.next_attempt = None
                delivery.last_error = None
        cls.save(deliveries)

    def reschedule(self, now, exception):
        max_attempts = config.getint('lk', 'delivery_attempts', default=12)
        logger.warning(
            "delivery %s failed (attempt %s): %s",
            self.id, self.attempts, exception)
        self.last_error = str(exception)[:2000]
        if self.attempts >= max_attempts:
            self.state = 'failed'
            self.next_attempt = None
        else:
            self.next_attempt = now + clock.backoff(
                self.attempts, dt.timedelta(minutes=1), dt.timedelta(hours=6))

    def window_opening(self, now):
        """The first moment from now (naive UTC) within the client's
        notification window, in the time zone of the client's branch."""
        party = self.notification.party
        tz = zoneinfo.ZoneInfo(
            party.branch.timezone if party.branch else config.get(
                'lk', 'timezone', default='Europe/Moscow'))
        local = now.replace(tzinfo=dt.timezone.utc).astimezone(tz)
        start, end = party.notify_from, party.notify_to
        # to the second, as the window's limits: 23:59:59.5 is within 23:59:59
        moment = local.time().replace(microsecond=0)
        if start <= end:
            inside = start <= moment <= end
        else:  # a window across midnight, e.g. 20:00 – 08:00
            inside = moment >= start or moment <= end
        if inside:
            return now
        opening = local.replace(
            hour=start.hour, minute=start.minute, second=start.second,
            microsecond=0)
        if opening <= local:
            opening += dt.timedelta(days=1)
        return opening.astimezone(dt.timezone.utc).replace(tzinfo=None)

    @property
    def sms_text(self):
        notification = self.notification
        text = notification.subject
        if notification.link:
            text += ' ' + portal_url(notification.link)
        return text

    def email_message(self):
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        notification = self.notification
        msg = EmailMessage()
        from_cfg = config.get('email', 'from')
        set_from_header(msg, from_cfg, from_cfg)
        msg['To'] = self.address
        msg['Subject'] = notification.subject
        body = notification.body or ''
        if notification.link:
            body += '\n\n' + portal_url(notification.link)
        msg.set_content(body)
        for attachment in Attachment.search([
                    ('resource', '=', str(notification)),
                    ]):
            msg.add_attachment(
                attachment.data, maintype='application',
                subtype='octet-stream', filename=attachment.name)
        return msg

    @classmethod
    @ModelView.button
    def retry(cls, deliveries):
        cls.write([d for d in deliveries if d.state == 'failed'], {
                'state': 'pending',
                'next_attempt': clock.utcnow(),
                'attempts': 0,
                })

