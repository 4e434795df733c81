# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The simple electronic signature by SMS code (63-ФЗ art. 9): the signing
rules, the verification of the mobile, the one-time codes, the evidence
record with the stamped PDF; and the company's detached CMS signatures."""
import datetime as dt
import hashlib
import hmac
import secrets
from io import BytesIO
from zoneinfo import ZoneInfo

import segno
from asn1crypto import cms
from pypdf import PdfReader, PdfWriter

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.report import Report
from trytond.transaction import without_check_access

from trytond.modules.lk_base import clock
from trytond.modules.lk_base.file import FileMixin
from trytond.modules.lk_base.notification import portal_url
from trytond.modules.lk_base.operator import (
    OperatorMixin, acting_operator, author_values)

from . import formats
from .exceptions import EdoError, SigningError

CODE_LIFETIME = dt.timedelta(minutes=5)
CODE_TRIES = 3
RESEND_INTERVAL = dt.timedelta(seconds=60)
RESEND_PER_HOUR = 5
PURPOSES = [
    ('phone', "Verification of the Mobile"),
    ('sign', "Signature of a Document"),
    ]
CODE_STATES = [
    ('active', "Active"),
    ('used', "Used"),
    ('burnt', "Burnt"),
    ('replaced', "Replaced"),
    ]


def _hash(salt, code):
    return hmac.new(
        bytes.fromhex(salt), code.encode(), hashlib.sha256).hexdigest()


class SigningRules(ModelSQL, ModelView):
    "The rules of the simple electronic signature, versioned"
    __name__ = 'lk.edo.rules'
    __string__ = "Signing Rules"

    version = fields.Char("Version", required=True)
    date = fields.Date("Effective From", required=True)
    text = fields.Text("Text", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._sql_constraints = [
            ('version_unique', Unique(t, t.version),
                'lk_edo.msg_rules_version_unique'),
            ]

    def get_rec_name(self, name):
        return self.version

    @classmethod
    def current(cls):
        with without_check_access():
            rules = cls.search(
                [('date', '<=', clock.today())], limit=1)
        return rules[0] if rules else None


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    edo_verified_mobile = fields.Char(
        "Verified Mobile", readonly=True,
        help="The mobile the client confirmed with a code: the one the "
        "signing codes go to.")
    edo_verified_at = fields.Timestamp("Mobile Verified At", readonly=True)

    @property
    def edo_mobile(self):
        "The mobile in E.164 as the SMS are sent to"
        Delivery = Pool().get('lk.notification.delivery')
        return Delivery.sms_address(self)

    @property
    def edo_mobile_verified(self):
        mobile = self.edo_mobile
        return bool(mobile) and mobile == self.edo_verified_mobile


class Code(ModelSQL, ModelView):
    """A one-time code sent by SMS: only its hash is kept; it is bound to
    the SHA-256 of the version it signs"""
    __name__ = 'lk.edo.code'
    __string__ = "One-Time Code"

    party = fields.Many2One(
        'party.party', "Client", required=True, ondelete='CASCADE',
        readonly=True)
    purpose = fields.Selection(
        PURPOSES, "Purpose", required=True, readonly=True)
    document = fields.Many2One(
        'lk.application.document', "Document", ondelete='CASCADE',
        readonly=True)
    sha256 = fields.Char("SHA-256 of the Version", readonly=True)
    phone = fields.Char("Phone", required=True, readonly=True)
    salt = fields.Char("Salt", required=True, readonly=True)
    code_hash = fields.Char("Code Hash", required=True, readonly=True)
    sent_at = fields.Timestamp("Sent At", required=True, readonly=True)
    expires_at = fields.Timestamp("Expires At", required=True, readonly=True)
    attempts = fields.Integer("Wrong Tries", readonly=True)
    state = fields.Selection(CODE_STATES, "State", readonly=True)
    confirmed_at = fields.Timestamp("Confirmed At", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('party')
        cls._order = [('sent_at', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_attempts(cls):
        return 0

    @classmethod
    def default_state(cls):
        return 'active'

    @classmethod
    def _key(cls, party, purpose, document):
        return [
            ('party', '=', party.id), ('purpose', '=', purpose),
            ('document', '=', document.id if document else None),
            ]

    @classmethod
    def active(cls, party, purpose, document=None):
        "The phone and the end of the active code of party, or None"
        with without_check_access():
            codes = cls.search(cls._key(party, purpose, document) + [
                    ('state', '=', 'active'),
                    ('expires_at', '>', clock.utcnow()),
                    ], limit=1)
            if codes:
                return {'phone': codes[0].phone,
                    'expires_at': codes[0].expires_at}

    @classmethod
    def throttle_wait(cls, party, purpose, document=None):
        """The seconds to wait before another code may be sent (0 when it
        may): one a minute, five an hour"""
        now = clock.utcnow()
        with without_check_access():
            recent = cls.search(cls._key(party, purpose, document) + [
                    ('sent_at', '>', now - dt.timedelta(hours=1)),
                    ], order=[('sent_at', 'DESC')])
        waits = [0]
        if recent:
            waits.append(RESEND_INTERVAL - (now - recent[0].sent_at))
            if len(recent) >= RESEND_PER_HOUR:
                waits.append(dt.timedelta(hours=1)
                    - (now - recent[RESEND_PER_HOUR - 1].sent_at))
        wait = max(waits, key=lambda w: w.total_seconds() if w else 0)
        return max(0, int(-(-wait.total_seconds() // 1))) if wait else 0

    @classmethod
    def send(cls, party, purpose, phone, document=None, text=None):
        """Send a new code to phone (it replaces the active one); raise
        SigningError while throttled. Return the code record."""
        pool = Pool()
        Delivery = pool.get('lk.notification.delivery')
        if acting_operator():
            raise SigningError(gettext('lk_edo.msg_sign_on_behalf'))
        wait = cls.throttle_wait(party, purpose, document)
        if wait:
            raise SigningError(gettext(
                    'lk_edo.msg_code_throttled', seconds=wait))
        now = clock.utcnow()
        with without_check_access():
            cls.write(cls.search(cls._key(party, purpose, document) + [
                        ('state', '=', 'active')]), {'state': 'replaced'})
        value = '%06d' % secrets.randbelow(10 ** 6)
        salt = secrets.token_hex(16)
        code = cls(
            party=party, purpose=purpose, document=document,
            sha256=document.sha256 if document else None, phone=phone,
            salt=salt, code_hash=_hash(salt, value), sent_at=now,
            expires_at=now + CODE_LIFETIME)
        with without_check_access():
            code.save()
        language = party.lang.code if party.lang else None
        if purpose == 'sign':
            message = gettext('lk_edo.msg_sms_sign', language,
                code=value, number=document.edo_number)
        else:
            message = gettext('lk_edo.msg_sms_phone', language, code=value)
        Delivery.queue_sms(party, phone, message)
        return code

    @classmethod
    def check(cls, party, purpose, value, document=None):
        """Check the code typed for the active code of party: return the
        used code, or the id of the message saying why not. A wrong code
        counts (and is kept): the caller must not roll back."""
        now = clock.utcnow()
        with without_check_access():
            codes = cls.search(cls._key(party, purpose, document) + [
                    ('state', '=', 'active')], limit=1)
        if not codes:
            return 'lk_edo.msg_code_none'
        code, = codes
        if now > code.expires_at:
            code.state = 'burnt'
            with without_check_access():
                code.save()
            return 'lk_edo.msg_code_expired'
        if document and code.sha256 != document.sha256:
            return 'lk_edo.msg_code_other_version'
        value = (value or '').strip()
        if not hmac.compare_digest(code.code_hash, _hash(code.salt, value)):
            code.attempts += 1
            if code.attempts >= CODE_TRIES:
                code.state = 'burnt'
            with without_check_access():
                code.save()
            return ('lk_edo.msg_code_burnt' if code.state == 'burnt'
                else 'lk_edo.msg_code_wrong')
        code.state = 'used'
        code.confirmed_at = now
        with without_check_access():
            code.save()
        return code

    # the mobile

    @classmethod
    def send_phone_code(cls, party):
        mobile = party.edo_mobile
        if not mobile:
            raise SigningError(gettext('lk_edo.msg_no_mobile'))
        return cls.send(party, 'phone', mobile)

    @classmethod
    def verify_phone(cls, party, value):
        "Return None once the mobile is verified, or the message id"
        code = cls.check(party, 'phone', value)
        if isinstance(code, str):
            return code
        party = party.__class__(party.id)
        with without_check_access():
            party.__class__.write([party], {
                    'edo_verified_mobile': code.phone,
                    'edo_verified_at': code.confirmed_at,
                    })


class Signature(OperatorMixin, ModelSQL, ModelView):
    "The evidence of a simple electronic signature of a version"
    __name__ = 'lk.edo.signature'
    __string__ = "Simple Electronic Signature"

    number = fields.Char("Signature ID", required=True, readonly=True)
    document = fields.Many2One(
        'lk.application.document', "Document", required=True,
        ondelete='RESTRICT', readonly=True)
    application = fields.Function(fields.Many2One(
            'lk.application', "Application"), 'get_application',
        searcher='search_application')
    sha256 = fields.Char("SHA-256 of the Version", required=True,
        readonly=True)
    party = fields.Many2One(
        'party.party', "Signer", required=True, ondelete='RESTRICT',
        readonly=True)
    signer_name = fields.Char("Signer Name", required=True, readonly=True)
    web_user = fields.Many2One(
        'web.user', "Client Account", readonly=True, ondelete='SET NULL')
    phone = fields.Char("Phone", required=True, readonly=True)
    code_sent_at = fields.Timestamp("Code Sent At", readonly=True)
    signed_at = fields.Timestamp("Code Confirmed At", readonly=True)
    ip_address = fields.Char("IP Address", readonly=True)
    user_agent = fields.Char("User Agent", readonly=True)
    rules = fields.Many2One(
        'lk.edo.rules', "Signing Rules", readonly=True, ondelete='RESTRICT')
    rules_version = fields.Char("Rules Version", readonly=True)
    stamped = fields.Binary(
        "Stamped PDF", readonly=True, file_id='stamped_id',
        filename='stamped_name')
    stamped_id = fields.Char("Stamped PDF ID", readonly=True)
    stamped_name = fields.Char("Stamped PDF Name", readonly=True)
    stamped_sha256 = fields.Char("SHA-256 of the Stamped PDF", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('document')
        cls._order = [('signed_at', 'DESC'), ('id', 'DESC')]
        cls._sql_constraints = [
            ('number_unique', Unique(t, t.number),
                'lk_edo.msg_signature_number_unique'),
            ]

    def get_rec_name(self, name):
        return self.number

    def get_application(self, name):
        return self.document.application.id

    @classmethod
    def search_application(cls, name, clause):
        return [('document.application',) + tuple(clause[1:])]

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if mode == 'delete' or (mode == 'write' and set(values or {}) - {
                    'stamped', 'stamped_name', 'stamped_sha256'}):
            raise EdoError(gettext('lk_edo.msg_signature_immutable'))

    @property
    def verify_url(self):
        return portal_url('/edo/verify?number=%s' % self.number)

    @property
    def masked_name(self):
        return formats.mask_name(self.signer_name)

    @classmethod
    def request_code(cls, document):
        """The client asks for the code that signs document: refused while
        an operator acts on behalf, without a verified mobile, or when the
        version is not the one sent to sign"""
        party = document.application.party
        if acting_operator():
            raise SigningError(gettext('lk_edo.msg_sign_on_behalf'))
        cls._check_signable(document)
        if not party.edo_mobile_verified:
            raise SigningError(gettext('lk_edo.msg_mobile_not_verified'))
        Rules = Pool().get('lk.edo.rules')
        if not Rules.current():
            raise SigningError(gettext('lk_edo.msg_no_rules'))
        Code = Pool().get('lk.edo.code')
        return Code.send(party, 'sign', party.edo_verified_mobile, document)

    @classmethod
    def _check_signable(cls, document):
        if not (document.edo_type and document.edo_type.client_signs
                and document.current and document.edo_state == 'sent'):
            raise SigningError(gettext(
                    'lk_edo.msg_not_signable', document=document.rec_name))

    @classmethod
    def sign(cls, document, value, rules, remote_addr=None,
            user_agent=None):
        """Sign document with the code typed: return the signature or the
        id of the message saying why not (the tries are kept)"""
        pool = Pool()
        Code = pool.get('lk.edo.code')
        Document = pool.get('lk.application.document')
        Rules = pool.get('lk.edo.rules')
        if acting_operator():
            raise SigningError(gettext('lk_edo.msg_sign_on_behalf'))
        cls._check_signable(document)
        current = Rules.current()
        if not rules or not current or rules.id != current.id:
            return 'lk_edo.msg_rules_not_accepted'
        party = document.application.party
        code = Code.check(party, 'sign', value, document)
        if isinstance(code, str):
            return code
        author = author_values()
        signature = cls(
            number=secrets.token_hex(8).upper(), document=document,
            sha256=document.sha256, party=party,
            signer_name=document.application.applicant_name
            or party.rec_name,
            web_user=author.get('web_user'), phone=code.phone,
            code_sent_at=code.sent_at, signed_at=code.confirmed_at,
            ip_address=remote_addr, user_agent=(user_agent or '')[:500],
            rules=current, rules_version=current.version)
        with without_check_access():
            signature.save()
            signature.stamp()
        Document._edo_set_state([document], 'signed_client')
        Document._edo_signed([document])
        return signature

    def stamp(self):
        "The PDF of the version followed by the page of the stamp"
        StampReport = Pool().get('lk_edo.stamp', type='report')
        _, page, _, _ = StampReport.execute([self.id], {
                'model': self.__name__, 'id': self.id})
        writer = PdfWriter()
        for source in [self.document.data, page]:
            for pdf_page in PdfReader(BytesIO(bytes(source))).pages:
                writer.add_page(pdf_page)
        writer.add_metadata({
                '/Title': self.document.name,
                '/Subject': 'ПЭП %s, SHA-256 %s' % (self.number, self.sha256),
                })
        output = BytesIO()
        writer.write(output)
        data = output.getvalue()
        self.stamped = data
        self.stamped_name = '%s (подписан).pdf' % (
            self.document.name.rsplit('.', 1)[0])
        self.stamped_sha256 = hashlib.sha256(data).hexdigest()
        self.save()

    def public_facts(self):
        "What the public verification page shows: no personal data"
        with without_check_access():
            document = self.document
            return {
                'number': self.number, 'signer': self.masked_name,
                'signed_at': self.signed_at, 'sha256': self.sha256,
                'type': document.edo_type.name,
                'document_number': document.edo_number,
                'version': document.version,
                }

    @classmethod
    def verify(cls, data=None, number=None):
        """The signature data (a PDF: the signed version or its stamped
        copy) or number is of, or None"""
        with without_check_access():
            if data is not None:
                digest = hashlib.sha256(bytes(data)).hexdigest()
                found = cls.search(['OR',
                        ('sha256', '=', digest),
                        ('stamped_sha256', '=', digest),
                        ], limit=1)
            elif number:
                found = cls.search(
                    [('number', '=', number.strip().upper())], limit=1)
            else:
                found = []
        return found[0] if found else None


class StampReport(Report):
    "The page of the stamp of a simple electronic signature"
    __name__ = 'lk_edo.stamp'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        signature = records[0]
        context['signature'] = signature
        context['fmt'] = formats
        # the time of the signature where the client lives, and in UTC
        with without_check_access():
            branch = signature.document.application.branch
        zone = ZoneInfo(branch.timezone if branch and branch.timezone
            else 'Europe/Moscow')
        local = signature.signed_at.replace(
            tzinfo=dt.timezone.utc).astimezone(zone)
        hours = local.utcoffset().total_seconds() / 3600
        context['signed_local'] = local
        context['signed_offset'] = 'UTC%+g' % hours
        # drawn by the template as SVG cells: weasyprint fetches no data: URI
        qr = segno.make(signature.verify_url, error='m')
        border = 4
        context['qr_size'] = qr.symbol_size(border=border)[0]
        context['qr_cells'] = [
            (x, y) for y, row in enumerate(qr.matrix_iter(border=border))
            for x, dark in enumerate(row) if dark]
        return context


class CompanySignature(FileMixin, ModelSQL, ModelView):
    """A detached CMS signature (.sig/.p7s) of a version by the grid
    company: its certificate is shown and the digest it signs compared with
    the version where the digest algorithm is known (not GOST)"""
    __name__ = 'lk.edo.company.signature'
    __string__ = "Company Signature"
    file_types = [
        (b'0\x82', 'application/pkcs7-signature', 'sig'),
        (b'0\x80', 'application/pkcs7-signature', 'sig'),
        (b'0\x83', 'application/pkcs7-signature', 'sig'),
        (b'-----BEGIN', 'application/pkcs7-signature', 'p7s'),
        ]

    document = fields.Many2One(
        'lk.application.document', "Document", required=True,
        ondelete='RESTRICT')
    subject = fields.Char("Certificate Subject", readonly=True)
    issuer = fields.Char("Certificate Issuer", readonly=True)
    serial = fields.Char("Certificate Serial", readonly=True)
    valid_from = fields.Timestamp("Valid From", readonly=True)
    valid_to = fields.Timestamp("Valid To", readonly=True)
    digest_algorithm = fields.Char("Digest Algorithm", readonly=True)
    signing_time = fields.Timestamp("Signing Time", readonly=True)
    digest_check = fields.Selection([
            (None, ""),
            ('match', "The signed digest matches the version"),
            ('mismatch', "The signed digest does not match the version"),
            ('unknown', "Not checked (algorithm unknown here, e.g. GOST)"),
            ], "Digest Check", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('document')

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('data') is not None:
            values.update(cls.parse(bytes(values['data'])))
        return values

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        if mode == 'create':
            to_save = []
            for record in records:
                record.digest_check = record.check_digest()
                to_save.append(record)
            with without_check_access():
                cls.save(to_save)

    @classmethod
    def parse(cls, data):
        "The certificate and signed digest of a CMS signature (DER or PEM)"
        if data.startswith(b'-----BEGIN'):
            from asn1crypto import pem
            _, _, data = pem.unarmor(data)
        try:
            info = cms.ContentInfo.load(data)
            signed = info['content']
            signer = signed['signer_infos'][0]
            certificates = [c.chosen for c in signed['certificates']]
            serial = signer['sid'].chosen
            if isinstance(serial, cms.IssuerAndSerialNumber):
                number = serial['serial_number'].native
                cert = next((c for c in certificates
                        if c.serial_number == number), certificates[0])
            else:
                cert = certificates[0]
            values = {
                'subject': cert.subject.human_friendly,
                'issuer': cert.issuer.human_friendly,
                'serial': format(cert.serial_number, 'X'),
                'valid_from': cert.not_valid_before.replace(tzinfo=None),
                'valid_to': cert.not_valid_after.replace(tzinfo=None),
                'digest_algorithm': signer['digest_algorithm'][
                    'algorithm'].native,
                }
            for attribute in signer['signed_attrs'] or []:
                name = attribute['type'].native
                if name == 'signing_time':
                    values['signing_time'] = attribute['values'][0].native \
                        .replace(tzinfo=None)
            return values
        except Exception:
            raise EdoError(gettext('lk_edo.msg_cms_invalid'))

    def signed_digest(self):
        data = bytes(self.data)
        if data.startswith(b'-----BEGIN'):
            from asn1crypto import pem
            _, _, data = pem.unarmor(data)
        signer = cms.ContentInfo.load(data)['content']['signer_infos'][0]
        for attribute in signer['signed_attrs'] or []:
            if attribute['type'].native == 'message_digest':
                return attribute['values'][0].native

    def check_digest(self):
        try:
            digest = hashlib.new(self.digest_algorithm)
        except (ValueError, TypeError):
            return 'unknown'
        signed = self.signed_digest()
        if signed is None:
            return 'unknown'
        digest.update(bytes(self.document.data))
        return 'match' if digest.digest() == signed else 'mismatch'


class Delivery(metaclass=PoolMeta):
    __name__ = 'lk.notification.delivery'

    secret = fields.Boolean(
        "Secret", readonly=True,
        help="The text holds a one-time code: it is erased once sent.")

    @classmethod
    def queue_sms(cls, party, phone, text):
        """Queue an SMS of text (a one-time code) to phone, not kept in the
        client's inbox; sent once the transaction is committed"""
        delivery = cls(
            channel='sms', address=phone, message=text, secret=True)
        with without_check_access():
            delivery.save()
        cls.__queue__.queue_process([delivery])
        return delivery

    @property
    def sms_text(self):
        if not self.notification and self.message:
            return self.message
        return super().sms_text

    def queue_done(self, result):
        super().queue_done(result)
        if self.secret:
            self.message = None
