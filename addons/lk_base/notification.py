# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import email
import email.policy
import html
import urllib.parse
import zoneinfo
from email.message import EmailMessage

import trytond.config as config
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.sendmail import send_message
from trytond.tools.email_ import set_from_header

from . import clock, gateway, identifiers
from .operator import OperatorMixin
from .queue import OutboundQueueMixin


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
            Delivery.__queue__.queue_process(deliveries)
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


class Delivery(OutboundQueueMixin, ModelSQL, ModelView):
    """The e-mail or SMS of a notification, or an e-mail of the accounts
    (validation, password reset, change of e-mail), sent by the outbound
    queue: retried while the mail server or the SMS gateway is down."""
    __name__ = 'lk.notification.delivery'
    __string__ = "Notification Delivery"
    _queue_setting = ('lk', 'delivery')

    notification = fields.Many2One(
        'lk.notification', "Notification", ondelete='CASCADE',
        readonly=True)
    web_user = fields.Many2One(
        'web.user', "Web User", ondelete='CASCADE', readonly=True,
        help="The account an e-mail of the accounts is about.")
    party = fields.Function(
        fields.Many2One('party.party', "Client"), 'get_party')
    channel = fields.Selection([
            ('email', "E-mail"),
            ('sms', "SMS"),
            ], "Channel", required=True, readonly=True)
    address = fields.Char("Address", required=True, readonly=True)
    subject = fields.Char("Subject", readonly=True)
    message = fields.Text(
        "Message", readonly=True,
        help="The e-mail as it is sent, for e-mails of the accounts.")
    sent_at = fields.Timestamp("Sent At", readonly=True)
    gateway_id = fields.Char("Gateway ID", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._sql_indexes.add(
            Index(t, (t.state, Index.Equality()),
                (t.next_attempt, Index.Range()),
                where=t.state == 'pending'))

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        cls._queue_migrate_state({'sent': 'done'})

    def get_party(self, name):
        if self.notification:
            return self.notification.party.id
        if self.web_user and self.web_user.party:
            return self.web_user.party.id

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
        deliveries = [
            cls(notification=notification, channel=channel,
                address=addresses[channel], subject=notification.subject)
            for channel in channels if addresses[channel]]
        cls.save(deliveries)
        return deliveries

    @classmethod
    def queue_email(cls, msg, web_user=None):
        """Queue the e-mail msg (an EmailMessage with its To and Subject)
        and send it once the transaction is committed."""
        if not msg['From']:
            from_cfg = config.get('email', 'from')
            set_from_header(msg, from_cfg, from_cfg)
        delivery = cls(
            channel='email', address=str(msg['To']),
            subject=str(msg['Subject']), message=msg.as_string(),
            web_user=web_user)
        delivery.save()
        cls.__queue__.queue_process([delivery])
        return delivery

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
    def send_pending(cls):
        "Cron: deliver what is due, in the clients' windows"
        cls.queue_process()

    def queue_postpone(self, now):
        if self.notification:
            return self.window_opening(now)

    def queue_prepare(self):
        if self.channel == 'sms':
            return ('sms', self.address, self.sms_text)
        if self.message:
            msg = email.message_from_string(
                self.message, policy=email.policy.default)
        else:
            msg = self.email_message()
        return ('email', self.address, msg)

    @classmethod
    def queue_call(cls, job):
        channel, address, content = job
        if channel == 'sms':
            return gateway.get('sms').send(address, content)
        send_message(content, strict=True)

    def queue_done(self, result):
        self.sent_at = clock.utcnow()
        self.gateway_id = result

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
        "The e-mail of the notification: text and HTML, then attachments"
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        notification = self.notification
        msg = EmailMessage()
        from_cfg = config.get('email', 'from')
        set_from_header(msg, from_cfg, from_cfg)
        msg['To'] = self.address
        msg['Subject'] = notification.subject
        body = notification.body or ''
        html_body = ''.join(
            '<p>%s</p>' % html.escape(p).replace('\n', '<br/>')
            for p in body.split('\n\n') if p.strip())
        if notification.link:
            url = portal_url(notification.link)
            body += '\n\n' + url
            html_body += '<p><a href="%s">%s</a></p>' % (
                html.escape(url), html.escape(url))
        msg.set_content(body)
        msg.add_alternative(
            '<!DOCTYPE html><html><head><title>%s</title></head>'
            '<body>%s</body></html>' % (
                html.escape(notification.subject), html_body),
            subtype='html')
        for attachment in Attachment.search([
                    ('resource', '=', str(notification)),
                    ]):
            msg.add_attachment(
                attachment.data, maintype='application',
                subtype='octet-stream', filename=attachment.name)
        return msg
