# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The energy supply contract (step 7): asked for by the client after the
act of connection, signed by SMS code, then handed to the guaranteeing
supplier through the gateway kind 'supply', whose answer comes back as a
status (see standin/supplier.py for the protocol)."""
import abc
import base64
import json

import httpx

import trytond.config as config
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import without_check_access

from trytond.modules.lk_base.operator import AuthorMixin
from trytond.modules.lk_base import clock, gateway
from trytond.modules.lk_base.exceptions import DeliveryError
from trytond.modules.lk_base.queue import OutboundQueueMixin

from .exceptions import EdoError

SUPPLIER_STATES = [
    ('waiting', "Waiting for the Signature"),
    ('sent', "Sent to the Supplier"),
    ('accepted', "Accepted by the Supplier"),
    ('refused', "Refused by the Supplier"),
    ]


class SupplyGateway(gateway.Gateway):
    "The guaranteeing supplier's contract service"

    @abc.abstractmethod
    def send(self, key, body):
        "Hand the contract over once (key: idempotency); return its id"

    @abc.abstractmethod
    def status(self, ref):
        "(status, comment) of the contract ref at the supplier"


@gateway.register('supply', 'http')
class HttpSupplyGateway(SupplyGateway):
    transport = None  # tests mount the stand-in here

    def __init__(self, url, token, timeout=10):
        self.url = url.rstrip('/')
        self.token = token
        self.timeout = timeout

    @classmethod
    def from_config(cls, section):
        url = config.get(section, 'url')
        token = config.get(section, 'token')
        if not url or not token:
            raise gateway.GatewayConfigurationError(
                "[%s] url and token are required" % section)
        return cls(url, token,
            timeout=config.getfloat(section, 'timeout', default=10))

    def _client(self):
        return httpx.Client(
            base_url=self.url, timeout=self.timeout,
            transport=self.transport,
            headers={'Authorization': 'Bearer %s' % self.token})

    def send(self, key, body):
        try:
            with self._client() as client:
                response = client.post('/contracts', content=body,
                    headers={'Idempotency-Key': key,
                        'Content-Type': 'application/json'})
                response.raise_for_status()
                return response.json()['id']
        except (httpx.HTTPError, ValueError, KeyError) as exception:
            raise DeliveryError('supplier unreachable: %s' % exception)

    def status(self, ref):
        try:
            with self._client() as client:
                response = client.get('/contracts/%s' % ref)
                response.raise_for_status()
                data = response.json()
        except (httpx.HTTPError, ValueError) as exception:
            raise DeliveryError('supplier unreachable: %s' % exception)
        return data.get('status'), data.get('comment') or None


gateway.register_kind('supply', 'http')


class SupplyContract(AuthorMixin, OutboundQueueMixin, ModelSQL, ModelView):
    "The client's request of the supply contract: who asked, on behalf too"
    __name__ = 'lk.edo.supply'
    __string__ = "Energy Supply Contract"
    _queue_setting = ('lk_supply', None)

    application = fields.Many2One(
        'lk.application', "Application", required=True, ondelete='CASCADE',
        readonly=True)
    document = fields.Many2One(
        'lk.application.document', "Document", required=True,
        ondelete='RESTRICT', readonly=True)
    supplier = fields.Char("Supplier", readonly=True)
    supplier_state = fields.Selection(
        SUPPLIER_STATES, "Supplier Status", readonly=True)
    supplier_state_string = supplier_state.translated('supplier_state')
    supplier_ref = fields.Char("Supplier Reference", readonly=True)
    supplier_comment = fields.Text("Supplier Comment", readonly=True)
    answered_at = fields.Timestamp("Answered At", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('application')

    @classmethod
    def default_supplier_state(cls):
        return 'waiting'

    @classmethod
    def request(cls, application):
        """The client asks for the supply contract: generated from the
        application and its acts, sent to sign"""
        pool = Pool()
        Document = pool.get('lk.application.document')
        Type = pool.get('lk.edo.document.type')
        if application.state != 'closed' or not application.supplier:
            raise EdoError(gettext(
                    'lk_edo.msg_supply_not_yet',
                    application=application.rec_name))
        with without_check_access():
            if cls.search([('application', '=', application.id),
                        ('supplier_state', '!=', 'refused')]):
                raise EdoError(gettext(
                        'lk_edo.msg_supply_exists',
                        application=application.rec_name))
            type_, = Type.search([('role', '=', 'supply')], limit=1)
            document = Document.edo_create(application, type_)
            Document.edo_send([document])
            contract = cls(application=application, document=document,
                supplier=application.supplier, state='done')
            contract.save()
        return contract

    @classmethod
    def signed(cls, documents):
        "The client signed: queue the hand-over to the supplier"
        with without_check_access():
            contracts = cls.search([
                    ('document', 'in', [d.id for d in documents]),
                    ('supplier_state', '=', 'waiting'),
                    ])
            cls.write(contracts, {'state': 'pending',
                    'next_attempt': clock.utcnow()})
        if contracts:
            cls.__queue__.queue_process(contracts)

    def queue_prepare(self):
        application = self.application
        signature = self.document.edo_signature
        body = {
            'application': application.number,
            'supplier': self.supplier,
            'applicant': application.applicant_name,
            'address': application.object_address,
            'max_power': str(application.max_power),
            'voltage': application.voltage,
            'reliability': application.reliability,
            'document': {
                'number': self.document.edo_number,
                'sha256': self.document.sha256,
                'signature': signature.number if signature else None,
                'pdf': base64.b64encode(bytes(
                        signature.stamped if signature
                        else self.document.data)).decode(),
                },
            }
        return ('lk-supply-%s' % self.id,
            json.dumps(body, ensure_ascii=False).encode())

    @classmethod
    def queue_call(cls, job):
        key, body = job
        return gateway.get('supply').send(key, body)

    def queue_done(self, result):
        self.supplier_ref = result
        self.supplier_state = 'sent'

    @classmethod
    def check_answers(cls):
        "Cron: fetch the supplier's answer of the contracts sent"
        pool = Pool()
        Notification = pool.get('lk.notification')
        service = gateway.get('supply')
        for contract in cls.search([('supplier_state', '=', 'sent')]):
            try:
                status, comment = service.status(contract.supplier_ref)
            except DeliveryError:
                continue
            if status not in {'accepted', 'refused'}:
                continue
            contract.supplier_state = status
            contract.supplier_comment = comment
            contract.answered_at = clock.utcnow()
            contract.save()
            party = contract.application.party
            language = party.lang.code if party.lang else None
            message = 'lk_edo.msg_supply_%s' % status
            Notification.notify(
                party,
                gettext(message + '_subject', language),
                gettext(message + '_body', language,
                    supplier=contract.supplier or '',
                    comment=comment or ''),
                link='/my/applications/%d/edo' % contract.application.id)


class Document(metaclass=PoolMeta):
    __name__ = 'lk.application.document'

    @classmethod
    def _edo_signed(cls, documents):
        pool = Pool()
        Supply = pool.get('lk.edo.supply')
        super()._edo_signed(documents)
        Supply.signed([d for d in documents
                if d.edo_type.role == 'supply' and d.edo_fully_signed])


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('lk.edo.supply|queue_process', "Send the Supply Contracts"),
                ('lk.edo.supply|check_answers',
                    "Fetch the Suppliers' Answers"),
                ])
