# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import functools
from decimal import Decimal

from sql.aggregate import Count, Min
from sql.conditionals import Coalesce

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Workflow, fields)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.report import Report
from trytond.transaction import Transaction, without_check_access

from trytond.modules.lk_base import clock

from .exceptions import (
    ApplicationError, ApplicationModificationError,
    ApplicationValidationError)
from .kind import CATEGORIES, PERSON_KINDS

STATES = [
    ('draft', "Draft"),
    ('incoming', "Incoming"),
    ('accepted', "Accepted"),
    ('documents_requested', "Documents Requested"),
    ('contract_preparation', "Contract Preparation"),
    ('contract_sent', "Contract Sent"),
    ('contract_concluded', "Contract Concluded"),
    ('execution', "Fulfilment of Technical Conditions"),
    ('execution_notified', "Notice of Fulfilment Received"),
    ('execution_check', "Check of Fulfilment"),
    ('connected', "Connection Done"),
    ('acts_issued', "Acts Issued"),
    ('closed', "Closed"),
    ('withdrawn', "Withdrawn"),
    ('rejected', "Rejected"),
    ('annulled', "Annulled"),
    ]
FINAL_STATES = {'closed', 'withdrawn', 'rejected', 'annulled'}
# what the client may change, and when
EDITABLE_STATES = {'draft', 'documents_requested'}
# the states the client has to act in
CLIENT_ACTION_STATES = ['draft', 'documents_requested']
# states only the full connection process passes
FULL_STATES = {
    'contract_preparation', 'contract_sent', 'contract_concluded',
    'execution', 'execution_notified', 'execution_check', 'connected',
    'acts_issued'}
# the deadline each state starts; states not listed keep the running one
# (KEEP_DEADLINE) or have none
DEADLINE_EVENTS = {
    'incoming': 'review',
    'documents_requested': 'documents',
    'contract_sent': 'contract',
    'contract_concluded': 'execution',
    'execution_notified': 'check',
    'connected': 'acts',
    }
KEEP_DEADLINE = {
    'accepted', 'contract_preparation', 'execution', 'execution_check'}
# the button method that moves an application into each state
TARGET_METHODS = {
    'incoming': 'submit',
    'accepted': 'accept',
    'documents_requested': 'request_documents',
    'contract_preparation': 'prepare_contract',
    'contract_sent': 'send_contract',
    'contract_concluded': 'conclude_contract',
    'execution': 'start_execution',
    'execution_notified': 'notify_execution',
    'execution_check': 'check_execution',
    'connected': 'connect',
    'acts_issued': 'issue_acts',
    'closed': 'close',
    'withdrawn': 'withdraw',
    'rejected': 'reject',
    'annulled': 'annul',
    }
STEP_FIELDS = {
    'requisites': [
        'applicant_name', 'applicant_phone', 'applicant_email',
        'postal_address'],
    'object': ['object_name', 'object_address'],
    'technical': [
        'max_power', 'voltage', 'reliability', 'load_character', 'industry',
        'supplier'],
    'assets': ['assets'],
    }
CLIENT_FIELDS = {
    'applicant_name', 'applicant_identifier', 'applicant_phone',
    'applicant_email', 'postal_address', 'object_name', 'object_address',
    'cadastral_number', 'reason', 'max_power', 'previous_power', 'voltage',
    'reliability', 'load_character', 'industry', 'stages', 'supplier',
    'assets', 'step'}
VOLTAGES = [
    (None, ""),
    ('0.22', "0.22 kV"),
    ('0.38', "0.38 kV"),
    ('6', "6 kV"),
    ('10', "10 kV"),
    ]
RELIABILITY = [
    (None, ""),
    ('1', "I"),
    ('2', "II"),
    ('3', "III"),
    ]


def today():
    "The company's date (scenarios patch it)"
    return Pool().get('ir.date').today()


def transition(state):
    """Workflow.transition that also refuses what the kind's workflow does
    not allow; every state change then goes through on_modification"""
    def decorator(func):
        func = Workflow.transition(state)(func)

        @functools.wraps(func)
        def wrapper(cls, applications, *args, **kwargs):
            for application in applications:
                application.check_workflow(state)
            return func(cls, applications, *args, **kwargs)
        return wrapper
    return decorator


class Application(Workflow, ModelSQL, ModelView):
    __name__ = 'lk.application'
    __string__ = "Application"

    _client_states = {
        'readonly': ~Eval('state').in_(list(EDITABLE_STATES)),
        }

    number = fields.Char("Number", readonly=True)
    kind = fields.Many2One(
        'lk.application.kind', "Kind", required=True, ondelete='RESTRICT',
        states={
            'readonly': Eval('state') != 'draft',
            })
    workflow = fields.Function(
        fields.Selection('get_workflows', "Workflow"), 'get_workflow')
    party = fields.Many2One(
        'party.party', "Client", required=True, ondelete='RESTRICT',
        states={
            'readonly': Eval('state') != 'draft',
            })
    person_kind = fields.Function(
        fields.Selection(PERSON_KINDS, "Person Kind"), 'get_person_kind')
    branch = fields.Many2One(
        'lk.branch', "Branch", ondelete='RESTRICT',
        help="The branch that works the application.")
    web_user = fields.Many2One(
        'web.user', "Web User", ondelete='SET NULL', readonly=True)
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')
    step = fields.Integer(
        "Steps Done", readonly=True,
        help="How many steps of the portal form the client has saved.")

    applicant_name = fields.Char(
        "Applicant", states=_client_states,
        help="Name of the legal entity or full name of the individual.")
    applicant_identifier = fields.Char(
        "СНИЛС / ИНН", states=_client_states)
    applicant_phone = fields.Char("Contact Phone", states=_client_states)
    applicant_email = fields.Char("E-mail", states=_client_states)
    postal_address = fields.Char("Postal Address", states=_client_states)

    object_name = fields.Char(
        "Object", states=_client_states,
        help="The power receivers: a house, a shop, a workshop…")
    object_address = fields.Char(
        "Object Address", states=_client_states)
    cadastral_number = fields.Char(
        "Cadastral Number", states=_client_states)
    reason = fields.Text(
        "Statement", states=_client_states,
        help="What the applicant asks for and why.")

    max_power = fields.Numeric(
        "Maximum Power (kW)", digits=(16, 3), states=_client_states,
        help="The power the applicant asks for now.")
    previous_power = fields.Numeric(
        "Previously Connected Power (kW)", digits=(16, 3),
        states=_client_states)
    voltage = fields.Selection(
        VOLTAGES, "Voltage Class", states=_client_states, sort=False)
    reliability = fields.Selection(
        RELIABILITY, "Reliability Category", states=_client_states,
        sort=False)
    load_character = fields.Char(
        "Load Character", states=_client_states,
        help="Kind of economic activity.")
    industry = fields.Char("Industry", states=_client_states)
    stages = fields.Text(
        "Construction Stages", states=_client_states,
        help="Stages (phases) of construction with their dates and power.")
    supplier = fields.Char(
        "Guaranteeing Supplier", states=_client_states,
        help="The supplier the energy supply contract will be made with.")
    assets = fields.One2Many(
        'lk.application.asset', 'application', "Transferred Objects",
        states=_client_states,
        help="The grid objects handed over to the company.")

    category = fields.Selection(
        CATEGORIES, "Applicant Category", readonly=True, sort=False,
        help="Derived from the kind, the person kind and the total power; "
        "decides the documents, the deadlines and the contract form.")
    contract_form = fields.Function(fields.Selection([
                (None, ""),
                ('offer', "Offer Accepted by Payment"),
                ('signature', "Contract to Sign"),
                ], "Contract Form"), 'get_contract_form')

    submitted_at = fields.Timestamp("Submitted At", readonly=True)
    contract_date = fields.Date(
        "Contract Date", readonly=True,
        help="The deadline of the connection counts from this date.")
    deadline = fields.Date("Deadline", readonly=True)
    deadline_event = fields.Selection(
        'get_deadline_events', "Deadline For", readonly=True)
    deadline_event_string = deadline_event.translated('deadline_event')
    overdue = fields.Function(
        fields.Boolean("Overdue"), 'get_overdue', searcher='search_overdue')
    needs_action = fields.Function(
        fields.Boolean("Awaits the Client"), 'get_needs_action',
        searcher='search_needs_action')
    status_comment = fields.Text(
        "Comment on the Next Status",
        states={
            'invisible': Eval('state').in_(list(FINAL_STATES)),
            },
        help="Goes into the history, the remarks and the client's "
        "notification with the next status change, e.g. what documents "
        "are missing.")

    documents = fields.One2Many(
        'lk.application.document', 'application', "Documents",
        filter=[('remark', '=', None)])
    remarks = fields.One2Many(
        'lk.application.remark', 'application', "Remarks")
    history = fields.One2Many(
        'lk.application.history', 'application', "History", readonly=True)
    events = fields.One2Many(
        'lk.application.event', 'application', "Hand-over Events",
        readonly=True)

    del _client_states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('party')
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._sql_indexes.update({
                Index(t, (t.number, Index.Equality())),
                Index(t,
                    (t.party, Index.Range()),
                    (t.state, Index.Equality())),
                Index(t,
                    (t.state, Index.Equality(cardinality='low')),
                    (t.deadline, Index.Range())),
                })
        cls._transitions |= {
            ('draft', 'incoming'),
            ('documents_requested', 'incoming'),
            ('incoming', 'accepted'),
            ('incoming', 'documents_requested'),
            ('accepted', 'documents_requested'),
            ('accepted', 'contract_preparation'),
            ('contract_preparation', 'contract_sent'),
            ('contract_sent', 'contract_concluded'),
            ('contract_concluded', 'execution'),
            ('execution', 'execution_notified'),
            ('execution_notified', 'execution_check'),
            ('execution_check', 'execution'),
            ('execution_check', 'connected'),
            ('connected', 'acts_issued'),
            ('acts_issued', 'closed'),
            ('accepted', 'closed'),
            ('incoming', 'withdrawn'),
            ('accepted', 'withdrawn'),
            ('documents_requested', 'withdrawn'),
            ('contract_preparation', 'withdrawn'),
            ('contract_sent', 'withdrawn'),
            ('incoming', 'rejected'),
            ('accepted', 'rejected'),
            ('documents_requested', 'rejected'),
            ('contract_preparation', 'rejected'),
            ('documents_requested', 'annulled'),
            ('contract_sent', 'annulled'),
            }
        full = Eval('workflow') == 'full'
        cls._buttons.update({
                'submit': {
                    'invisible': ~Eval('state').in_(
                        ['draft', 'documents_requested']),
                    'depends': ['state'],
                    },
                'accept': {
                    'invisible': Eval('state') != 'incoming',
                    'depends': ['state'],
                    },
                'request_documents': {
                    'invisible': ~Eval('state').in_(['incoming', 'accepted']),
                    'depends': ['state'],
                    },
                'prepare_contract': {
                    'invisible': (Eval('state') != 'accepted') | ~full,
                    'depends': ['state', 'workflow'],
                    },
                'send_contract': {
                    'invisible': Eval('state') != 'contract_preparation',
                    'depends': ['state'],
                    },
                'conclude_contract': {
                    'invisible': Eval('state') != 'contract_sent',
                    'depends': ['state'],
                    },
                'start_execution': {
                    'invisible': Eval('state') != 'contract_concluded',
                    'depends': ['state'],
                    },
                'notify_execution': {
                    'invisible': Eval('state') != 'execution',
                    'depends': ['state'],
                    },
                'check_execution': {
                    'invisible': Eval('state') != 'execution_notified',
                    'depends': ['state'],
                    },
                'return_execution': {
                    'invisible': Eval('state') != 'execution_check',
                    'depends': ['state'],
                    },
                'connect': {
                    'invisible': Eval('state') != 'execution_check',
                    'depends': ['state'],
                    },
                'issue_acts': {
                    'invisible': Eval('state') != 'connected',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': ~(
                        (Eval('state') == 'acts_issued')
                        | ((Eval('state') == 'accepted') & ~full)),
                    'depends': ['state', 'workflow'],
                    },
                'withdraw': {
                    'invisible': ~Eval('state').in_([
                            'incoming', 'accepted', 'documents_requested',
                            'contract_preparation', 'contract_sent']),
                    'depends': ['state'],
                    },
                'reject': {
                    'invisible': ~Eval('state').in_([
                            'incoming', 'accepted', 'documents_requested',
                            'contract_preparation']),
                    'depends': ['state'],
                    },
                'annul': {
                    'invisible': ~Eval('state').in_(
                        ['documents_requested', 'contract_sent']),
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_step():
        return 0

    @staticmethod
    def default_previous_power():
        return Decimal(0)

    @classmethod
    def default_party(cls):
        parties = Transaction().context.get('web_parties') or []
        return parties[0] if parties else None

    @classmethod
    def get_workflows(cls):
        pool = Pool()
        Kind = pool.get('lk.application.kind')
        return Kind.fields_get(['workflow'])['workflow']['selection']

    def get_workflow(self, name):
        return self.kind.workflow

    def get_person_kind(self, name):
        return self.party.person_kind

    @classmethod
    def get_deadline_events(cls):
        pool = Pool()
        Rule = pool.get('lk.application.deadline')
        return [(None, '')] + Rule.fields_get(['event'])['event']['selection']

    def get_contract_form(self, name):
        if self.category in {'fl_15', 'upto_150'}:
            return 'offer'
        elif self.category:
            return 'signature'

    def get_overdue(self, name):
        return bool(self.deadline and self.deadline < today()
            and self.state not in FINAL_STATES)

    @classmethod
    def search_overdue(cls, name, clause):
        _, operator, value = clause
        if (operator == '=') == bool(value):
            return [
                ('deadline', '<', today()),
                ('state', 'not in', list(FINAL_STATES)),
                ]
        return ['OR',
            ('deadline', '=', None),
            ('deadline', '>=', today()),
            ('state', 'in', list(FINAL_STATES)),
            ]

    def get_needs_action(self, name):
        return self.state in CLIENT_ACTION_STATES

    @classmethod
    def search_needs_action(cls, name, clause):
        _, operator, value = clause
        if (operator == '=') == bool(value):
            return [('state', 'in', CLIENT_ACTION_STATES)]
        return [('state', 'not in', CLIENT_ACTION_STATES)]

    def get_rec_name(self, name):
        return gettext('lk_applications.msg_application_rec_name',
            title=self.kind.title, number=self.number or '')

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause[:3]
        bool_op = 'AND' if operator.startswith('!') else 'OR'
        return [bool_op,
            ('number', operator, value),
            ('kind.title', operator, value),
            ('party.name', operator, value),
            ]

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Bool(Eval('overdue')), 'danger', '')),
            ]

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Sequence = pool.get('ir.sequence')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            with without_check_access():
                sequence = Sequence(ModelData.get_id(
                        'lk_applications', 'sequence_application'))
                values['number'] = sequence.get()
        return values

    @classmethod
    def check_modification(
            cls, mode, applications, values=None, external=False):
        super().check_modification(
            mode, applications, values=values, external=external)
        if mode == 'write' and values.keys() & CLIENT_FIELDS:
            for application in applications:
                if application.state not in EDITABLE_STATES:
                    raise ApplicationModificationError(gettext(
                            'lk_applications.msg_application_modify_state',
                            application=application.rec_name,
                            state=application.state_string))
        elif mode == 'delete':
            for application in applications:
                if application.state != 'draft':
                    raise ApplicationModificationError(gettext(
                            'lk_applications.msg_application_delete_draft',
                            application=application.rec_name))

    @classmethod
    def on_modification(cls, mode, applications, field_names=None):
        super().on_modification(mode, applications, field_names=field_names)
        if mode == 'create' or (mode == 'write' and 'state' in field_names):
            with without_check_access():
                cls._state_changed(cls.browse(applications))
        if mode in {'create', 'write'} and (
                mode == 'create' or {'kind', 'party', 'max_power',
                    'previous_power'} & set(field_names)):
            cls._update_category(cls.browse(applications))

    @classmethod
    def _update_category(cls, applications):
        for application in applications:
            category = application.compute_category()
            if category != application.category:
                with without_check_access():
                    cls.write([application], {'category': category})

    def compute_category(self):
        if self.kind.temporary:
            return 'temporary'
        if 'technical' not in (self.kind.steps or ()) or not self.max_power:
            return
        power = self.max_power + (self.previous_power or 0)
        if self.party.person_kind == 'fl' and power <= 15:
            return 'fl_15'
        elif power <= 150:
            return 'upto_150'
        elif power < 670:
            return 'upto_670'
        return 'from_670'

    def check_workflow(self, state):
        if state in FULL_STATES and self.kind.workflow != 'full':
            raise ApplicationError(gettext(
                    'lk_applications.msg_application_workflow_short',
                    application=self.rec_name))
        if (state == 'closed' and self.state == 'accepted'
                and self.kind.workflow == 'full'):
            raise ApplicationError(gettext(
                    'lk_applications.msg_application_workflow_full',
                    application=self.rec_name))

    @classmethod
    def _state_changed(cls, applications):
        pool = Pool()
        History = pool.get('lk.application.history')
        Remark = pool.get('lk.application.remark')
        Event = pool.get('lk.application.event')
        user, by_client = cls._acting_user()
        histories, remarks = [], []
        for application in applications:
            comment = application.status_comment
            histories.append(History(
                    application=application, date=clock.utcnow(),
                    state=application.state, user=user, remark=comment))
            if comment:
                remarks.append(Remark(
                        application=application, text=comment, author=user,
                        author_kind='client' if by_client else 'operator'))
        History.save(histories)
        Remark.save(remarks)
        for application in applications:
            application.set_deadline()
            application.status_comment = None
        cls.save(applications)
        changed = [a for a in applications if a.state != 'draft']
        Event.queue(changed)
        cls._notify(changed)

    @classmethod
    def _acting_user(cls):
        "Who changes the state, as the history shows it, and is it the client"
        pool = Pool()
        User = pool.get('res.user')
        WebUser = pool.get('web.user')
        ModelData = pool.get('ir.model.data')
        transaction = Transaction()
        if transaction.user == 0:
            return gettext('lk_applications.msg_history_system'), False
        if transaction.user == ModelData.get_id('lk_base', 'user_portal'):
            web_user = transaction.context.get('web_user')
            if web_user:
                return WebUser(web_user).party.rec_name, True
            parties = transaction.context.get('web_parties') or []
            if parties:
                return pool.get('party.party')(parties[0]).rec_name, True
        return User(transaction.user).rec_name, False

    def set_deadline(self):
        pool = Pool()
        Rule = pool.get('lk.application.deadline')
        event = DEADLINE_EVENTS.get(self.state)
        if event:
            start = today()
            if event == 'execution':
                start = self.contract_date or start
            self.deadline = Rule.compute(self, event, start)
            self.deadline_event = event if self.deadline else None
        elif self.state not in KEEP_DEADLINE:
            self.deadline = self.deadline_event = None

    @classmethod
    def _notify(cls, applications):
        pool = Pool()
        Notification = pool.get('lk.notification')
        for application in applications:
            party = application.party
            # in the client's language, not the staff member's
            language = (
                party.lang.code if party.lang else Transaction().language)
            with Transaction().set_context(language=language):
                application = cls(application.id)
                values = {
                    'title': application.kind.title,
                    'number': application.number,
                    'state': application.state_string,
                    }
                body = gettext(
                    'lk_applications.msg_application_changed_body',
                    language, **values)
                if application.history[0].remark:
                    body += '\n' + gettext(
                        'lk_applications.msg_application_changed_remark',
                        language, remark=application.history[0].remark)
                if application.deadline:
                    body += '\n' + gettext(
                        'lk_applications.msg_application_changed_deadline',
                        language, deadline=application.deadline.strftime(
                            '%d.%m.%Y'),
                        event=application.deadline_event_string)
                Notification.notify(
                    party,
                    gettext('lk_applications.msg_application_changed_subject',
                        language, **values),
                    body, link='/my/applications/%s' % application.id)

    @classmethod
    def _notify_remark(cls, remark):
        "Tell the client of the company's remark on their application"
        pool = Pool()
        Notification = pool.get('lk.notification')
        party = remark.application.party
        language = party.lang.code if party.lang else Transaction().language
        with Transaction().set_context(language=language):
            application = cls(remark.application.id)
            values = {
                'title': application.kind.title,
                'number': application.number,
                'remark': remark.text,
                'files': len(remark.documents),
                }
            Notification.notify(
                party,
                gettext('lk_applications.msg_application_changed_subject',
                    language, **values),
                gettext('lk_applications.msg_application_remark_body',
                    language, **values),
                link='/my/applications/%s#remarks' % application.id)

    @classmethod
    def create_draft(cls, kind, party, web_user=None):
        "A new draft with the requisites taken from the client's profile"
        application = cls(
            kind=kind, party=party, branch=party.branch, web_user=web_user,
            applicant_name=party.name,
            applicant_identifier=party.snils or party.inn,
            applicant_phone=party.mobile or party.phone,
            applicant_email=party.email,
            postal_address=party.actual_address or party.legal_address)
        application.save()
        return application

    @property
    def steps(self):
        return self.kind.ordered_steps

    def missing(self, step):
        "The names of the required fields of a step that are empty"
        names = list(STEP_FIELDS.get(step, []))
        if step == 'object' and 'technical' not in self.kind.steps:
            names.append('reason')
        return [n for n in names if not getattr(self, n)]

    def checklist(self):
        return self.kind.checklist(self.category, self.party.person_kind)

    def current_documents(self, item=None):
        return [d for d in self.documents if d.current
            and (item is None or d.kind_document == item)]

    def check_complete(self):
        for step in self.steps:
            missing = self.missing(step)
            if missing:
                field = self.__class__._fields[missing[0]]
                raise ApplicationValidationError(gettext(
                        'lk_applications.msg_application_field_required',
                        field=field.string, application=self.rec_name),
                    field=missing[0])
        if self.max_power is not None and self.max_power <= 0:
            raise ApplicationValidationError(gettext(
                    'lk_applications.msg_application_power_positive'),
                field='max_power')
        for item in self.checklist():
            if item.required and not self.current_documents(item):
                raise ApplicationValidationError(gettext(
                        'lk_applications.msg_application_document_missing',
                        document=item.name, application=self.rec_name),
                    field='document_%s' % item.code)

    @classmethod
    def attach(cls, application, item, name, data, description=None,
            remark=None):
        """Add a scan to the application: before submission it replaces the
        scan of the same checklist item, afterwards it is a new version and
        the previous ones are kept."""
        pool = Pool()
        Document = pool.get('lk.application.document')
        if application.state not in EDITABLE_STATES and not remark:
            raise ApplicationModificationError(gettext(
                    'lk_applications.msg_application_modify_state',
                    application=application.rec_name,
                    state=application.state_string))
        previous = application.current_documents(item) if item else []
        return Document.add_version(
            previous, keep=application.state != 'draft',
            application=application, kind_document=item, name=name,
            data=data, description=description, remark=remark)

    @classmethod
    def add_remark(cls, application, text, files=()):
        "A remark with files; files: (name, bytes, description) triples"
        pool = Pool()
        Remark = pool.get('lk.application.remark')
        user, by_client = cls._acting_user()
        remark = Remark(
            application=application, text=text, author=user,
            author_kind='client' if by_client else 'operator')
        remark.save()
        for name, data, description in files:
            cls.attach(application, None, name, data,
                description=description, remark=remark)
        if not by_client:
            cls._notify_remark(remark)
        return remark

    @classmethod
    def move_to(cls, applications, state):
        """Move applications to the state by the button that leads there,
        with the same access checks (for the operators' board)"""
        method = TARGET_METHODS.get(state)
        if not method:
            raise ApplicationError(gettext(
                    'lk_applications.msg_application_no_transition',
                    state=state))
        for application in applications:
            if (application.state, state) not in cls._transitions:
                raise ApplicationError(gettext(
                        'lk_applications.msg_application_no_transition',
                        state=state))
        getattr(cls, method)(applications)

    def next_states(self):
        "The states the application may be moved to from its current one"
        return [s for (f, s) in self.__class__._transitions
            if f == self.state and (
                self.kind.workflow == 'full' or s not in FULL_STATES)
            and not (s == 'closed' and self.state == 'accepted'
                and self.kind.workflow == 'full')]

    @classmethod
    @ModelView.button
    @transition('incoming')
    def submit(cls, applications):
        for application in applications:
            application.check_complete()
            if not application.submitted_at:
                application.submitted_at = clock.utcnow()
        cls.save(applications)

    @classmethod
    @ModelView.button
    @transition('accepted')
    def accept(cls, applications):
        pass

    @classmethod
    @ModelView.button
    @transition('documents_requested')
    def request_documents(cls, applications):
        for application in applications:
            if not application.status_comment:
                raise ApplicationError(gettext(
                        'lk_applications.msg_application_comment_required',
                        application=application.rec_name))

    @classmethod
    @ModelView.button
    @transition('contract_preparation')
    def prepare_contract(cls, applications):
        pass

    @classmethod
    @ModelView.button
    @transition('contract_sent')
    def send_contract(cls, applications):
        "The hand-over point: lk_edo and lk_payment extend it"
        pass

    @classmethod
    @ModelView.button
    @transition('contract_concluded')
    def conclude_contract(cls, applications):
        for application in applications:
            application.contract_date = today()
        cls.save(applications)

    @classmethod
    @ModelView.button
    @transition('execution')
    def start_execution(cls, applications):
        pass

    @classmethod
    @ModelView.button
    @transition('execution_notified')
    def notify_execution(cls, applications):
        pass

    @classmethod
    @ModelView.button
    @transition('execution_check')
    def check_execution(cls, applications):
        pass

    @classmethod
    @ModelView.button
    @transition('execution')
    def return_execution(cls, applications):
        for application in applications:
            if not application.status_comment:
                raise ApplicationError(gettext(
                        'lk_applications.msg_application_comment_required',
                        application=application.rec_name))

    @classmethod
    @ModelView.button
    @transition('connected')
    def connect(cls, applications):
        pass

    @classmethod
    @ModelView.button
    @transition('acts_issued')
    def issue_acts(cls, applications):
        pass

    @classmethod
    @ModelView.button
    @transition('closed')
    def close(cls, applications):
        pass

    @classmethod
    @ModelView.button
    @transition('withdrawn')
    def withdraw(cls, applications):
        pass

    @classmethod
    @ModelView.button
    @transition('rejected')
    def reject(cls, applications):
        for application in applications:
            if not application.status_comment:
                raise ApplicationError(gettext(
                        'lk_applications.msg_application_comment_required',
                        application=application.rec_name))

    @classmethod
    @ModelView.button
    @transition('annulled')
    def annul(cls, applications):
        pass

    @classmethod
    def annul_expired(cls):
        "Cron: annul the applications whose documents were not completed"
        applications = cls.search([
                ('state', '=', 'documents_requested'),
                ('deadline', '<', today()),
                ])
        for application in applications:
            application.status_comment = gettext(
                'lk_applications.msg_application_annulled_documents',
                deadline=application.deadline.strftime('%d.%m.%Y'))
        cls.save(applications)
        cls.annul(applications)

    def to_json(self):
        "What internal systems receive about the application"
        return {
            'id': self.id,
            'number': self.number,
            'kind': self.kind.code,
            'kind_name': self.kind.name,
            'state': self.state,
            'category': self.category,
            'contract_form': self.contract_form,
            'branch': self.branch.code if self.branch else None,
            'client': {
                'id': self.party.id,
                'person_kind': self.party.person_kind,
                'name': self.applicant_name,
                'identifier': self.applicant_identifier,
                'phone': self.applicant_phone,
                'email': self.applicant_email,
                'postal_address': self.postal_address,
                },
            'object': {
                'name': self.object_name,
                'address': self.object_address,
                'cadastral_number': self.cadastral_number,
                'statement': self.reason,
                },
            'technical': {
                'max_power': _number(self.max_power),
                'previous_power': _number(self.previous_power),
                'voltage': self.voltage,
                'reliability': self.reliability,
                'load_character': self.load_character,
                'industry': self.industry,
                'stages': self.stages,
                'supplier': self.supplier,
                },
            'assets': [a.to_json() for a in self.assets],
            'submitted_at': _iso(self.submitted_at),
            'contract_date': _iso(self.contract_date),
            'deadline': _iso(self.deadline),
            'deadline_event': self.deadline_event,
            'documents': [{
                    'id': d.id,
                    'item': d.kind_document.code if d.kind_document else None,
                    'name': d.name,
                    'size': d.size,
                    'mimetype': d.mimetype,
                    'version': d.version,
                    'current': d.current,
                    'sha256': d.sha256,
                    } for d in self.documents],
            'history': [{
                    'date': _iso(h.date),
                    'state': h.state,
                    'user': h.user,
                    'remark': h.remark,
                    } for h in reversed(self.history)],
            }


def _iso(value):
    return value.isoformat() if value else None


def _number(value):
    return str(value) if value is not None else None


class Remark(ModelSQL, ModelView):
    __name__ = 'lk.application.remark'
    __string__ = "Application Remark"

    application = fields.Many2One(
        'lk.application', "Application", required=True, ondelete='CASCADE')
    author = fields.Char("Author", readonly=True)
    author_kind = fields.Selection([
            ('operator', "Company"),
            ('client', "Client"),
            ], "From", required=True, readonly=True)
    author_kind_string = author_kind.translated('author_kind')
    text = fields.Text("Remark", required=True)
    documents = fields.One2Many(
        'lk.application.document', 'remark', "Files",
        add_remove=None,
        domain=[
            ('application', '=', Eval('application', -1)),
            ])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('application')
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_author_kind(cls):
        return 'operator'

    @classmethod
    def default_author(cls):
        pool = Pool()
        Application = pool.get('lk.application')
        return Application._acting_user()[0]


class History(ModelSQL, ModelView):
    __name__ = 'lk.application.history'
    __string__ = "Application History"

    application = fields.Many2One(
        'lk.application', "Application", required=True, ondelete='CASCADE',
        readonly=True)
    date = fields.Timestamp("Changed At", required=True, readonly=True)
    state = fields.Selection(STATES, "State", required=True, readonly=True)
    state_string = state.translated('state')
    user = fields.Char("User", readonly=True)
    remark = fields.Text("Remarks", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('application')
        cls._order = [('date', 'DESC'), ('id', 'DESC')]


class ApplicationReport(Report):
    __name__ = 'lk.application'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['today'] = today()
        return context


class ApplicationCount(ModelSQL, ModelView):
    __name__ = 'lk.application.count'
    __string__ = "Applications Count"

    state = fields.Selection(STATES, "State", readonly=True)
    branch = fields.Many2One('lk.branch', "Branch", readonly=True)
    kind = fields.Many2One('lk.application.kind', "Kind", readonly=True)
    overdue = fields.Boolean("Overdue", readonly=True)
    count = fields.Integer("Applications", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('state', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Application = pool.get('lk.application')
        application = Application.__table__()
        overdue = Coalesce(
            (application.deadline < today())
            & ~application.state.in_(list(FINAL_STATES)), False)
        # the parameter of today() may not appear twice: group outside
        rows = application.select(
            application.id, application.state, application.branch,
            application.kind, overdue.as_('overdue'),
            where=application.state != 'draft')
        return rows.select(
            Min(rows.id).as_('id'),
            rows.state.as_('state'),
            rows.branch.as_('branch'),
            rows.kind.as_('kind'),
            rows.overdue.as_('overdue'),
            Count(rows.id).as_('count'),
            group_by=[rows.state, rows.branch, rows.kind, rows.overdue])
