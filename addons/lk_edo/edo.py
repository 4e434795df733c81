# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Electronic document exchange of an application: the types of documents,
the exchange documents (an extension of the application's documents) with
their versions and status history, and their generation from per-branch
HTML templates."""
import os
from io import BytesIO

import relatorio.reporting
from genshi.template import TemplateLoader

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields, sequence_ordered)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.report import Report
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import (
    Button, StateAction, StateTransition, StateView, Wizard)

from trytond.modules.lk_applications.application import today
from trytond.modules.lk_applications.deadline import public_basis
from trytond.modules.lk_base import clock
from trytond.modules.lk_base.operator import AuthorMixin, record_action

from . import formats
from .exceptions import EdoError, EdoModificationError

STATES = [
    (None, ""),
    ('draft', "Draft"),
    ('sent', "Sent to Applicant"),
    ('signed_client', "Signed by Applicant"),
    ('signed_company', "Signed by Grid Company"),
    ('accepted', "Accepted by Payment"),
    ('rejected', "Rejected by Applicant"),
    ('annulled', "Annulled"),
    ]
# the fields of a version that are frozen once it is sent
FROZEN_FIELDS = {
    'data', 'name', 'edo_type', 'edo_amount', 'application', 'edo_number',
    'version'}
SIGNATURES = [
    ('none', "No Signature"),
    ('client', "Applicant"),
    ('company', "Grid Company"),
    ('both', "Both Sides"),
    ]
ROLES = [
    ('contract', "Contract and Technical Conditions"),
    ('invoice', "Invoice"),
    ('notice', "Notice of Connection Possibility"),
    ('act', "Act after Connection"),
    ('agreement', "Additional Agreement"),
    ('supply', "Energy Supply Contract"),
    ('other', "Other"),
    ]
TEMPLATE_DIR = os.path.join(os.path.dirname(__file__), 'templates')


class DocumentType(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'lk.edo.document.type'
    __string__ = "Exchange Document Type"

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True)
    role = fields.Selection(ROLES, "Role", required=True)
    signature = fields.Selection(
        SIGNATURES, "Signed By", required=True,
        help="Who signs a document of this type.")
    by_client = fields.Boolean(
        "Added by Client", help="The client may add it in the portal.")
    by_company = fields.Boolean("Added by Company")
    generated = fields.Boolean(
        "Generated", help="Generated from a template of the branch.")
    concludes_contract = fields.Boolean(
        "Concludes the Contract",
        help="The client's signature accepts the offer: the application "
        "moves to «Contract Concluded».")
    closes_connection = fields.Boolean(
        "Closes the Connection",
        help="The acts after connection: when every one is signed, the "
        "connection stage of the application is closed.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_unique', Unique(t, t.code), 'lk_edo.msg_type_code_unique'),
            ]

    @classmethod
    def default_signature(cls):
        return 'client'

    @classmethod
    def default_by_company(cls):
        return True

    @property
    def client_signs(self):
        return self.signature in {'client', 'both'}

    @property
    def company_signs(self):
        return self.signature in {'company', 'both'}

    def shipped_template(self):
        "The template shipped with the module for the type, or None"
        path = os.path.join(TEMPLATE_DIR, '%s.html' % self.code)
        if os.path.isfile(path):
            with open(path, encoding='utf-8') as file:
                return file.read()


class Template(DeactivableMixin, ModelSQL, ModelView):
    """A branch's HTML template of a type of generated document (Genshi
    markup of the Tryton HTML reports); the branch-less one is the default
    of every branch, the file shipped with the module the last resort."""
    __name__ = 'lk.edo.template'
    __string__ = "Exchange Document Template"

    type = fields.Many2One(
        'lk.edo.document.type', "Type", required=True, ondelete='CASCADE',
        domain=[('generated', '=', True)])
    branch = fields.Many2One(
        'lk.branch', "Branch", ondelete='CASCADE',
        help="Leave empty for the template of every branch.")
    content = fields.Text(
        "HTML", required=True,
        help="The HTML of the document with Genshi directives "
        "(py:content, py:if…) over «application», «document» and «fmt».")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('type', 'ASC'), ('branch', 'ASC NULLS FIRST'), ('id', 'ASC')]
        cls._buttons.update({
                'load_default': {},
                })

    @fields.depends('type', 'content')
    def on_change_type(self):
        if self.type and not self.content:
            self.content = self.type.shipped_template()

    @classmethod
    @ModelView.button
    def load_default(cls, templates):
        for template in templates:
            template.content = template.type.shipped_template() or ''
        cls.save(templates)

    @classmethod
    def content_of(cls, type_, branch):
        "The HTML that generates a document of type_ in branch"
        for branch_domain in ([('branch', '=', branch.id)] if branch else []) + [
                [('branch', '=', None)]]:
            templates = cls.search(
                [('type', '=', type_.id)] + [branch_domain], limit=1)
            if templates:
                return templates[0].content
        content = type_.shipped_template()
        if not content:
            raise EdoError(gettext(
                    'lk_edo.msg_no_template', type=type_.rec_name))
        return content


class Document(metaclass=PoolMeta):
    "A document of the electronic exchange: one row per version"
    __name__ = 'lk.application.document'

    _edo_readonly = Bool(Eval('edo_state')) & (Eval('edo_state') != 'draft')

    edo_type = fields.Many2One(
        'lk.edo.document.type', "Exchange Type", ondelete='RESTRICT',
        states={'readonly': _edo_readonly})
    edo_number = fields.Char(
        "Document Number", readonly=True,
        help="The number the versions of the document share.")
    edo_state = fields.Selection(
        STATES, "Exchange Status", readonly=True, sort=False)
    edo_state_date = fields.Timestamp("Status Changed At", readonly=True)
    edo_amount = fields.Numeric(
        "Amount", digits=(16, 2),
        states={
            'readonly': _edo_readonly,
            'invisible': ~Eval('edo_type'),
            },
        help="The fee the document states, VAT included.")
    edo_comment = fields.Text(
        "Comment of the Applicant", readonly=True,
        states={'invisible': ~Eval('edo_comment')})
    sent_at = fields.Timestamp("Sent At", readonly=True)
    statuses = fields.One2Many(
        'lk.edo.document.status', 'document', "Status History",
        readonly=True)
    signatures = fields.One2Many(
        'lk.edo.signature', 'document', "Signatures", readonly=True)
    company_signatures = fields.One2Many(
        'lk.edo.company.signature', 'document', "Company Signatures")
    edo_state_string = edo_state.translated('edo_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        for name in ['data', 'name', 'application']:
            field = getattr(cls, name)
            readonly = (field.states or {}).get('readonly')
            field.states = dict(field.states or {})
            field.states['readonly'] = (
                readonly | cls._edo_readonly if readonly is not None
                else cls._edo_readonly)
            field.depends |= {'edo_state'}
        cls._buttons.update({
                'edo_regenerate': {
                    'invisible': (Eval('edo_state') != 'draft'),
                    'depends': ['edo_state'],
                    },
                'edo_send': {
                    'invisible': (Eval('edo_state') != 'draft'),
                    'depends': ['edo_state'],
                    },
                'edo_preview': {
                    'invisible': ~Eval('edo_type'),
                    'depends': ['edo_type'],
                    },
                'edo_sign_company': {
                    'invisible': ~Eval('edo_state').in_(
                        ['sent', 'signed_client', 'accepted']),
                    'depends': ['edo_state'],
                    },
                'edo_annul': {
                    'invisible': ~Eval('edo_state').in_(
                        ['draft', 'sent', 'signed_client', 'rejected']),
                    'depends': ['edo_state'],
                    },
                })

    @property
    def is_edo(self):
        return bool(self.edo_type)

    @property
    def title(self):
        "An exchange document is listed by its type and number"
        if self.edo_type:
            return '%s № %s' % (self.edo_type.name, self.edo_number)
        return super().title

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('edo_type'):
            values.setdefault('edo_state', 'draft')
            values.setdefault('edo_state_date', clock.utcnow())
        return values

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if mode == 'write' and FROZEN_FIELDS & set(values or {}):
            for record in records:
                if record.edo_state not in {None, 'draft'}:
                    raise EdoModificationError(gettext(
                            'lk_edo.msg_version_frozen',
                            document=record.rec_name))
        elif mode == 'delete':
            for record in records:
                if record.edo_state not in {None, 'draft'}:
                    raise EdoModificationError(gettext(
                            'lk_edo.msg_version_frozen',
                            document=record.rec_name))

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        if mode == 'create':
            cls._edo_log([r for r in records if r.edo_type])

    @classmethod
    def _edo_log(cls, documents, comment=None):
        pool = Pool()
        Status = pool.get('lk.edo.document.status')
        Status.save([
                Status(document=d, state=d.edo_state, comment=comment,
                    date=clock.utcnow())
                for d in documents])

    @classmethod
    def _edo_set_state(cls, documents, state, comment=None, **values):
        for document in documents:
            document.edo_state = state
            document.edo_state_date = clock.utcnow()
            for name, value in values.items():
                setattr(document, name, value)
        with without_check_access():
            cls.save(documents)
        cls._edo_log(documents, comment=comment)

    def versions(self):
        "Every version of the document, the latest first"
        return self.search([
                ('application', '=', self.application.id),
                ('edo_number', '=', self.edo_number),
                ], order=[('version', 'DESC')])

    @classmethod
    def _next_number(cls, application):
        with without_check_access():
            numbers = {d.edo_number for d in cls.search([
                        ('application', '=', application.id),
                        ('edo_number', '!=', None),
                        ])}
        return '%s/%d' % (application.number or application.id,
            len(numbers) + 1)

    # generation

    @classmethod
    def edo_create(cls, application, type_, amount=None, name=None,
            data=None, description=None):
        """A new document of type_ for application: generated from its
        template unless data (the bytes of a PDF) is given"""
        document = cls(
            application=application, edo_type=type_,
            edo_number=cls._next_number(application), edo_amount=amount,
            description=description)
        if data is None:
            document.name = '%s.pdf' % type_.name
            document.data = b'%PDF-'  # replaced below, once saved
            document.save()
            document.data = document.render()
        else:
            document.name = name
            document.data = data
        document.save()
        return document

    def render(self):
        "The PDF of the document from the template of its type and branch"
        DocumentReport = Pool().get('lk_edo.document', type='report')
        party = self.application.party
        language = party.lang.code if party.lang else 'ru'
        with without_check_access(), \
                Transaction().set_context(language=language):
            _, content, _, _ = DocumentReport.execute([self.id], {
                    'model': self.__name__, 'id': self.id,
                    })
        return bytes(content)

    def edo_new_version(self, data=None, name=None, amount=None):
        """A new version of the document (generated again unless data is
        given): the earlier versions stay as they were, not current"""
        values = {
            'application': self.application, 'edo_type': self.edo_type,
            'edo_number': self.edo_number, 'description': self.description,
            'edo_amount': amount if amount is not None else self.edo_amount,
            'name': name or self.name, 'data': data or b'%PDF-',
            }
        with without_check_access():
            version = self.add_version(self.versions(), **values)
        if data is None:
            version.data = version.render()
            version.save()
        return version

    @classmethod
    @ModelView.button_action('lk_edo.wizard_document_preview')
    def edo_preview(cls, documents):
        pass

    @classmethod
    @ModelView.button
    def edo_regenerate(cls, documents):
        for document in documents:
            if document.edo_state != 'draft' or not (
                    document.edo_type and document.edo_type.generated):
                raise EdoError(gettext(
                        'lk_edo.msg_not_regenerable',
                        document=document.rec_name))
            document.data = document.render()
        cls.save(documents)
        record_action(cls.__name__, 'edo_regenerate', documents)

    @classmethod
    @ModelView.button
    def edo_send(cls, documents):
        "Send the drafts to the applicant: they are frozen from now on"
        pool = Pool()
        Notification = pool.get('lk.notification')
        for document in documents:
            if document.edo_state != 'draft':
                raise EdoError(gettext(
                        'lk_edo.msg_not_draft', document=document.rec_name))
        cls._edo_set_state(documents, 'sent', sent_at=clock.utcnow())
        record_action(cls.__name__, 'edo_send', documents)
        for document in documents:
            application = document.application
            party = application.party
            language = party.lang.code if party.lang else None
            message = ('lk_edo.msg_notify_new_version'
                if document.version > 1 else 'lk_edo.msg_notify_sent')
            with without_check_access():
                Notification.notify(
                    party,
                    gettext(message + '_subject', language,
                        type=document.edo_type.name,
                        number=document.edo_number),
                    gettext(message + '_body', language,
                        type=document.edo_type.name,
                        number=document.edo_number,
                        version=document.version,
                        application=application.number or ''),
                    link='/my/applications/%d/edo' % application.id)

    @classmethod
    @ModelView.button
    def edo_sign_company(cls, documents):
        "The grid company signed (its CMS signature is attached)"
        for document in documents:
            if (document.edo_type.company_signs
                    and not document.company_signatures):
                raise EdoError(gettext(
                        'lk_edo.msg_company_signature_missing',
                        document=document.rec_name))
            if (document.edo_type.client_signs
                    and document.edo_state not in {
                        'signed_client', 'accepted'}):
                raise EdoError(gettext(
                        'lk_edo.msg_client_signature_missing',
                        document=document.rec_name))
        cls._edo_set_state(documents, 'signed_company')
        record_action(cls.__name__, 'edo_sign_company', documents)
        cls._edo_signed(documents)

    @classmethod
    @ModelView.button
    def edo_annul(cls, documents):
        cls._edo_set_state(documents, 'annulled')
        record_action(cls.__name__, 'edo_annul', documents)

    def edo_reject(self, comment):
        "The applicant refuses to sign, with a comment"
        comment = (comment or '').strip()
        if not comment:
            raise EdoError(gettext('lk_edo.msg_reject_comment'))
        if self.edo_state != 'sent':
            raise EdoError(gettext(
                    'lk_edo.msg_not_sent', document=self.rec_name))
        self._edo_set_state([self], 'rejected', comment=comment,
            edo_comment=comment)

    @classmethod
    def _edo_signed(cls, documents):
        """A document is signed as its type wants: accept the offer, close
        the connection when the last act is signed"""
        pool = Pool()
        Application = pool.get('lk.application')
        for document in documents:
            if not document.edo_fully_signed:
                continue
            application = document.application
            type_ = document.edo_type
            with without_check_access():
                if (type_.concludes_contract
                        and application.state == 'contract_sent'):
                    Application.conclude_contract([application])
                if (type_.closes_connection
                        and application.state == 'acts_issued'
                        and application.edo_acts_signed()):
                    Application.close([application])

    @property
    def edo_fully_signed(self):
        type_ = self.edo_type
        if type_.company_signs:
            return self.edo_state == 'signed_company'
        if type_.client_signs:
            return self.edo_state in {
                'signed_client', 'accepted', 'signed_company'}
        return self.edo_state == 'sent'

    @property
    def edo_signature(self):
        "The applicant's signature of this version"
        for signature in self.signatures:
            if signature.sha256 == self.sha256:
                return signature


class DocumentStatus(AuthorMixin, ModelSQL, ModelView):
    __name__ = 'lk.edo.document.status'
    __string__ = "Exchange Document Status"

    document = fields.Many2One(
        'lk.application.document', "Document", required=True,
        ondelete='CASCADE', readonly=True)
    state = fields.Selection(STATES, "Status", readonly=True)
    state_string = state.translated('state')
    date = fields.Timestamp("Changed At", required=True, readonly=True)
    comment = fields.Text("Comment", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('document')
        cls._order = [('date', 'DESC'), ('id', 'DESC')]


class Application(metaclass=PoolMeta):
    __name__ = 'lk.application'

    @property
    def edo_documents(self):
        "The current versions of the exchange documents"
        return [d for d in self.documents if d.edo_type and d.current]

    def edo_acts_signed(self):
        "Every current act after connection is signed"
        acts = [d for d in self.documents
            if d.current and d.edo_type and d.edo_type.closes_connection
            and d.edo_state != 'annulled']
        return bool(acts) and all(a.edo_fully_signed for a in acts)

    @classmethod
    def send_contract(cls, applications):
        "The drafts of the contract are sent with the application's move"
        pool = Pool()
        Document = pool.get('lk.application.document')
        super().send_contract(applications)
        drafts = [d for a in applications for d in a.documents
            if d.current and d.edo_state == 'draft'
            and d.edo_type.role == 'contract']
        if drafts:
            Document.edo_send(drafts)

    @classmethod
    def accept_offer_by_payment(cls, applications, invoice=None):
        """The hook lk_payment calls once the invoice of the offer is fully
        paid; invoice: how the client knows the invoice (e.g. «№ 17 от
        22.06.2026»), or None.

        For the applications whose contract is an offer (contract_form
        'offer') still «Contract Sent», the offer is accepted: their
        current contract documents sent to the applicant become «Accepted
        by Payment» (a line of their status history), and they move to
        «Contract Concluded»: a history line whose remark says the invoice
        is paid, and the client's notification. The other applications are
        left as they are (so a second call does nothing).
        Return the applications concluded."""
        pool = Pool()
        Document = pool.get('lk.application.document')
        concluded = [a for a in applications
            if a.state == 'contract_sent' and a.contract_form == 'offer']
        if not concluded:
            return []
        offers = [d for a in concluded for d in a.documents
            if d.current and d.edo_type and d.edo_type.concludes_contract
            and d.edo_state == 'sent']
        message, values = (('lk_edo.msg_offer_paid_invoice',
                {'invoice': invoice}) if invoice
            else ('lk_edo.msg_offer_paid', {}))
        for application in concluded:
            party = application.party
            language = party.lang.code if party.lang else None
            application.status_comment = gettext(message, language, **values)
        with without_check_access():
            cls.save(concluded)
            if offers:
                Document._edo_set_state(offers, 'accepted',
                    comment=gettext(message, **values))
            cls.conclude_contract(concluded)
        return concluded

    @classmethod
    def issue_acts(cls, applications):
        """The acts after connection are generated and sent to the client
        when the operator records the connection"""
        pool = Pool()
        Document = pool.get('lk.application.document')
        Type = pool.get('lk.edo.document.type')
        super().issue_acts(applications)
        types = Type.search([
                ('closes_connection', '=', True),
                ('generated', '=', True),
                ])
        for application in applications:
            existing = {d.edo_type for d in application.documents
                if d.current and d.edo_type
                and d.edo_state not in {'annulled', 'rejected'}}
            acts = [Document.edo_create(application, t)
                for t in types if t not in existing]
            if acts:
                Document.edo_send(acts)


class DocumentReport(Report):
    "The PDF of an exchange document from its branch's template"
    __name__ = 'lk_edo.document'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['fmt'] = formats
        context['today'] = today()
        document = records[0] if records else None
        context['document'] = document
        context['application'] = document.application if document else None
        if document:
            context.update(cls.document_values(document))
        return context

    @classmethod
    def document_values(cls, document):
        "What every template may use besides the records"
        application = document.application
        party = application.party
        date = (document.create_date.date()
            if document.create_date else today())
        values = {
            'date': date,
            'names': {
                case: (formats.person_name(
                        party.last_name, party.first_name,
                        party.middle_name, case)
                    if party.person_kind == 'fl' and party.last_name
                    else application.applicant_name or party.rec_name)
                for case in [None] + list(formats.CASES)},
            'amount': document.edo_amount,
            'vat_rate': formats.vat_rate(date),
            'vat': (formats.vat_included(document.edo_amount, date)
                if document.edo_amount is not None else None),
            'deadline_rule': None,
            }
        with without_check_access():
            Rule = Pool().get('lk.application.deadline')
            rule = Rule.get_rule(application, 'execution')
        values['deadline_rule'] = rule
        values['deadline_basis'] = public_basis(
            rule.legal_basis if rule else None)
        return values

    @classmethod
    def render(cls, report, report_context):
        pool = Pool()
        Template = pool.get('lk.edo.template')
        document = report_context['document']
        with without_check_access():
            content = Template.content_of(
                document.edo_type, document.application.branch)
        loader = relatorio.reporting.MIMETemplateLoader()
        klass = loader.factories[loader.get_type('text/html')]
        # <xi:include href="base.html"/> finds the common parts shipped
        template = klass(BytesIO(content.encode('utf-8')),
            loader=TemplateLoader([TEMPLATE_DIR], auto_reload=True))
        data = template.generate(**report_context).render()
        if hasattr(data, 'getvalue'):
            data = data.getvalue()
        return data


class DocumentPreviewStart(ModelView):
    "The PDF of an exchange document as the applicant will read it"
    __name__ = 'lk.edo.document.preview.start'
    __string__ = "Preview of the Exchange Document"

    document = fields.Many2One(
        'lk.application.document', "Document", readonly=True)
    name = fields.Char("File Name", readonly=True)
    data = fields.Binary("PDF", filename='name', readonly=True)
    draft = fields.Boolean("Draft", readonly=True)
    regenerable = fields.Boolean("Regenerable", readonly=True)


class DocumentPreview(Wizard):
    """Staff read the PDF of a document before sending it: generate it
    again from the application and the template, then send it"""
    __name__ = 'lk.edo.document.preview'

    start = StateView('lk.edo.document.preview.start',
        'lk_edo.document_preview_start_view_form', [
            Button("Close", 'end', 'tryton-close'),
            Button("Regenerate", 'regenerate', 'tryton-refresh',
                states={'invisible': ~Eval('regenerable')}),
            Button("Send to the Applicant", 'send', 'tryton-ok',
                default=True, states={'invisible': ~Eval('draft')}),
            ])
    regenerate = StateTransition()
    send = StateTransition()

    def default_start(self, fields):
        document = self.record
        return {
            'document': document.id,
            'name': document.name,
            'data': document.data,
            'draft': document.edo_state == 'draft',
            'regenerable': (document.edo_state == 'draft'
                and bool(document.edo_type and document.edo_type.generated)),
            }

    def transition_regenerate(self):
        self.model.edo_regenerate([self.record])
        return 'start'

    def transition_send(self):
        self.model.edo_send([self.record])
        return 'end'


class DocumentGenerateStart(ModelView):
    "The type and the fee of the documents to generate"
    __name__ = 'lk.edo.document.generate.start'
    __string__ = "Generate an Exchange Document"

    type = fields.Many2One(
        'lk.edo.document.type', "Type", required=True,
        domain=[('generated', '=', True)])
    amount = fields.Numeric(
        "Amount", digits=(16, 2),
        help="The fee the document states, VAT included.")


class DocumentGenerate(Wizard):
    """Staff generate a document of the applications from the template of
    their branch: a draft, opened to preview and send"""
    __name__ = 'lk.edo.document.generate'

    start = StateView('lk.edo.document.generate.start',
        'lk_edo.document_generate_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Generate", 'generate', 'tryton-ok', default=True),
            ])
    generate = StateAction('lk_edo.act_edo_document_form')

    def do_generate(self, action):
        Document = Pool().get('lk.application.document')
        documents = [
            Document.edo_create(application, self.start.type,
                amount=self.start.amount)
            for application in self.records]
        return action, {'res_id': [d.id for d in documents]}
