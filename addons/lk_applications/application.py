# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import functools
import zoneinfo
from decimal import Decimal
from typing import NamedTuple, Optional

from sql.aggregate import Count, Min
from sql.conditionals import Coalesce

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Workflow, fields)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If, Or
from trytond.report import Report
from trytond.transaction import Transaction, without_check_access

from trytond.modules.lk_base import clock
from trytond.modules.lk_base.operator import (
    AuthorMixin, OperatorMixin, author_values, by_client, record_action)

from .exceptions import (
    ApplicationAccessError, ApplicationError, ApplicationModificationError,
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


class Edge(NamedTuple):
    "A move of the workflow and its rules, read by every place that takes it"
    source: str
    target: str
    method: str  # the button: its ir.model.button groups say who may take it
    comment: bool = False  # a comment for the client is required
    workflow: Optional[str] = None  # 'full' or 'short': only that workflow
    client: bool = False  # the client's pages take it


EDGES = [
    Edge('draft', 'incoming', 'submit', client=True),
    Edge('documents_requested', 'incoming', 'submit', client=True),
    Edge('incoming', 'accepted', 'accept'),
    Edge('incoming', 'documents_requested', 'request_documents',
        comment=True),
    Edge('accepted', 'documents_requested', 'request_documents',
        comment=True),
    Edge('accepted', 'contract_preparation', 'prepare_contract',
        workflow='full'),
    Edge('contract_preparation', 'contract_sent', 'send_contract',
        workflow='full'),
    Edge('contract_sent', 'contract_concluded', 'conclude_contract',
        workflow='full'),
    Edge('contract_concluded', 'execution', 'start_execution',
        workflow='full'),
    Edge('execution', 'execution_notified', 'notify_execution',
        workflow='full', client=True),
    Edge('execution_notified', 'execution_check', 'check_execution',
        workflow='full'),
    Edge('execution_check', 'execution', 'return_execution', comment=True,
        workflow='full'),
    Edge('execution_check', 'connected', 'connect', workflow='full'),
    Edge('connected', 'acts_issued', 'issue_acts', workflow='full'),
    Edge('acts_issued', 'closed', 'close', workflow='full'),
    Edge('accepted', 'closed', 'close', workflow='short'),
    Edge('incoming', 'withdrawn', 'withdraw', client=True),
    Edge('accepted', 'withdrawn', 'withdraw', client=True),
    Edge('documents_requested', 'withdrawn', 'withdraw', client=True),
    Edge('contract_preparation', 'withdrawn', 'withdraw', workflow='full',
        client=True),
    Edge('contract_sent', 'withdrawn', 'withdraw', workflow='full',
        client=True),
    Edge('incoming', 'rejected', 'reject', comment=True),
    Edge('accepted', 'rejected', 'reject', comment=True),
    Edge('documents_requested', 'rejected', 'reject', comment=True),
    Edge('contract_preparation', 'rejected', 'reject', comment=True,
        workflow='full'),
    Edge('documents_requested', 'annulled', 'annul'),
    Edge('contract_sent', 'annulled', 'annul', workflow='full'),
    ]
EDGE_BY_STATES = {(e.source, e.target): e for e in EDGES}
assert len(EDGE_BY_STATES) == len(EDGES), "one button per edge"


def button_states(method):
    "The PYSON of the button: invisible unless one of its edges is open"
    open_ = []
    for edge in EDGES:
        if edge.method == method:
            condition = Eval('state') == edge.source
            if edge.workflow:
                condition &= Eval('workflow') == edge.workflow
            open_.append(condition)
    return {
        'invisible': ~Or(*open_) if len(open_) > 1 else ~open_[0],
        'depends': ['state', 'workflow'],
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


# the categories where the posted terms are an offer, accepted by paying
# its invoice (Rules No. 861: ФЛ ≤ 15 kW, ЮЛ/ИП ≤ 150 kW)
OFFER_CATEGORIES = {'fl_15', 'upto_150'}


def today(timezone=None):
    """The company's date, or the date in the IANA time zone by the clock
    of the lk modules (tests patch this one function)"""
    if timezone:
        now = clock.utcnow().replace(tzinfo=dt.timezone.utc)
        return now.astimezone(zoneinfo.ZoneInfo(timezone)).date()
    return Pool().get('ir.date').today()


def by_user():
    """Whether a user acts in the transaction, under the access rules (not
    root, nor the code of a module taking a step itself)"""
    transaction = Transaction()
    return transaction.user != 0 and transaction.check_access


def transition(state):
    """Workflow.transition that takes only the edges of the method, under
    their rules (see Application.check_edge); every state change then goes
    through on_modification"""
    def decorator(func):
        func = Workflow.transition(state)(func)

        @functools.wraps(func)
        def wrapper(cls, applications, *args, **kwargs):
            for application in applications:
                application.check_edge(
                    application.edge_to(state), func.__name__)
            cls.log_action(func.__name__, applications)
            return func(cls, applications, *args, **kwargs)
        return wrapper
    return decorator


class Application(OperatorMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'lk.application'
    __string__ = "Application"

    _client_states = {
        'readonly': ~Eval('state').in_(list(EDITABLE_STATES)),
        }
    _review_states = {
        'readonly': Eval('state').in_(['draft'] + list(FINAL_STATES)),
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

    network_distance = fields.Integer(
        "Distance to the Network (m)", states=_review_states,
        help="From the plot to the existing network of the voltage class "
        "asked for; recorded by the operator at the review.")
    location = fields.Selection([
            (None, ""),
            ('town', "Town"),
            ('rural', "Rural Area"),
            ], "Location", states=_review_states,
        help="Town or urban settlement, or rural area: it decides the "
        "distance within which the shorter connection term applies.")
    land_issues = fields.Boolean(
        "Land Issues", states=_review_states,
        help="The connection needs land of other owners or a change of "
        "the use of land.")
    execution_term = fields.Function(
        fields.Char("Connection Term"), 'get_execution_term')

    submitted_at = fields.Timestamp("Submitted At", readonly=True)
    contract_date = fields.Date(
        "Contract Date", readonly=True,
        help="The deadline of the connection counts from this date.")
    deadline = fields.Date("Deadline", readonly=True)
    deadline_event = fields.Selection(
        'get_deadline_events', "Deadline For", readonly=True)
    deadline_event_string = deadline_event.translated('deadline_event')
    deadline_basis = fields.Char(
        "Legal Basis of the Deadline", readonly=True)
    notice_deadline = fields.Date(
        "Notice of Missing Documents By", readonly=True,
        help="The company must ask for the missing documents by this date.")
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

    del _client_states, _review_states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # No __access__ on party: the application's own rules decide (the
        # client's parties on the portal, the branches of an operator);
        # the party's rules would be OR-ed into every search of the
        # operators (the client's branch, in a subquery no index serves).
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._sql_indexes.update({
                Index(t, (t.number, Index.Equality())),
                Index(t,
                    (t.party, Index.Range()),
                    (t.state, Index.Equality())),
                # the board: the first cards of a stage by deadline, then
                # id (BOARD_ORDER), read from the index in that order
                Index(t,
                    (t.state, Index.Equality(cardinality='low')),
                    (t.deadline, Index.Range()),
                    (t.id, Index.Range())),
                # the operators' list: newest first, within their branches
                Index(t, (t.create_date, Index.Range(order='DESC'))),
                # the branches of an operator (the record rule), counted by
                # stage on the board
                Index(t,
                    (t.branch, Index.Range()),
                    (t.state, Index.Equality(cardinality='low'))),
                # the filter by kind, also overdue (open states, deadline)
                Index(t,
                    (t.kind, Index.Range()),
                    (t.state, Index.Equality(cardinality='low')),
                    (t.deadline, Index.Range())),
                # «client contains» of the operators' list (trigram)
                Index(t, (t.applicant_name, Index.Similarity())),
                Index(t, (t.applicant_identifier, Index.Similarity())),
                })
        cls._transitions |= {(e.source, e.target) for e in EDGES}
        cls._buttons.update({
                e.method: button_states(e.method) for e in EDGES})

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
        if self.category in OFFER_CATEGORIES:
            return 'offer'
        elif self.category:
            return 'signature'

    def get_overdue(self, name):
        return bool(self.deadline and self.deadline < self.local_today()
            and self.state not in FINAL_STATES)

    @classmethod
    def search_overdue(cls, name, clause):
        _, operator, value = clause
        if (operator == '=') == bool(value):
            # the open states by name, not «not in» the final ones: the
            # index of (state, deadline) serves «in»
            return [
                ('state', 'in', [
                        s for s, _ in cls.state.selection
                        if s not in FINAL_STATES]),
                ('deadline', '<', today()),
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
    def client_fields(cls):
        "The fields the client types, changed only in the editable states"
        return CLIENT_FIELDS

    @classmethod
    def check_modification(
            cls, mode, applications, values=None, external=False):
        super().check_modification(
            mode, applications, values=values, external=external)
        if mode == 'write' and values.keys() & cls.client_fields():
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
        if mode == 'write' and {'network_distance', 'location',
                'land_issues', 'voltage', 'category'} & set(field_names):
            cls._update_execution_deadline(cls.browse(applications))

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

    def edges(self):
        "The edges of the application's workflow open from its state"
        # the fields once, not once per edge (the board asks for each card)
        state, workflows = self.state, {None, self.kind.workflow}
        return [e for e in EDGES
            if e.source == state and e.workflow in workflows]

    def next_states(self):
        "The states the application may be moved to from its current one"
        return [e.target for e in self.edges()]

    def allowed_edges(self):
        "The open edges the user of the transaction may take"
        return [e for e in self.edges()
            if self.may_take(e) and not self.taken_by_system(e)]

    def system_edge(self, edge):
        """Why only the system takes edge for this application (a module
        that takes it itself, e.g. paying the invoice of an offer
        concludes the contract), or None: nobody takes such an edge by
        hand"""
        return None

    def taken_by_system(self, edge):
        "Whether the user of the transaction is refused edge by system_edge"
        return by_user() and self.system_edge(edge) is not None

    @classmethod
    def may_take(cls, edge):
        """Whether the user of the transaction may take the edge: the check
        ModelView.button makes with the groups of the edge's button, and
        only the client's edges for the portal user"""
        pool = Pool()
        Button = pool.get('ir.model.button')
        ModelAccess = pool.get('ir.model.access')
        User = pool.get('res.user')
        if not by_user():
            return True
        if by_client() and not edge.client:
            return False
        groups = Button.get_groups(cls.__name__, edge.method)
        if groups:
            return bool(groups & set(User.get_groups()))
        return ModelAccess.check(
            cls.__name__, 'write', raise_exception=False)

    def state_label(self, state):
        return dict(self.fields_get(['state'])['state']['selection'])[state]

    def edge_to(self, state):
        "The edge from the application's state to state"
        edge = EDGE_BY_STATES.get((self.state, state))
        if not edge or edge.workflow not in {None, self.kind.workflow}:
            if edge and edge.workflow == 'full':
                raise ApplicationError(gettext(
                        'lk_applications.msg_application_workflow_short',
                        application=self.rec_name))
            elif edge:
                raise ApplicationError(gettext(
                        'lk_applications.msg_application_workflow_full',
                        application=self.rec_name))
            raise ApplicationError(gettext(
                    'lk_applications.msg_application_no_transition',
                    application=self.rec_name,
                    source=self.state_string,
                    state=self.state_label(state)))
        return edge

    def check_edge(self, edge, method):
        "Refuse to take edge by method against the rules of the edge"
        if edge.method != method:
            raise ApplicationError(gettext(
                    'lk_applications.msg_application_edge_method',
                    application=self.rec_name,
                    source=self.state_string,
                    state=self.state_label(edge.target)))
        if not self.may_take(edge):
            raise ApplicationAccessError(gettext(
                    'lk_applications.msg_application_edge_access',
                    application=self.rec_name,
                    state=self.state_label(edge.target)))
        if edge.comment and not (self.status_comment or '').strip():
            raise ApplicationError(gettext(
                    'lk_applications.msg_application_comment_required',
                    application=self.rec_name))
        self.check_by_hand(edge)

    def check_by_hand(self, edge):
        "Refuse the user of the transaction an edge only the system takes"
        if self.taken_by_system(edge):
            raise ApplicationError(gettext(
                    'lk_applications.msg_application_edge_system',
                    application=self.rec_name,
                    state=self.state_label(edge.target),
                    reason=self.system_edge(edge)))

    @classmethod
    def move_to(cls, applications, state, comment=None):
        """Move the applications to state along the edge from their state,
        with its button, if the user may take it: the way of the portal and
        the board (the back office calls the buttons)"""
        by_method = {}
        for application in applications:
            edge = application.edge_to(state)
            if not cls.may_take(edge):
                raise ApplicationAccessError(gettext(
                        'lk_applications.msg_application_edge_access',
                        application=application.rec_name,
                        state=application.state_label(state)))
            # before the button, whose states would refuse it without why
            application.check_by_hand(edge)
            by_method.setdefault(edge.method, []).append(application)
        comment = (comment or '').strip()
        if comment:
            for application in applications:
                application.status_comment = comment
            cls.save(applications)
        for method, records in by_method.items():
            getattr(cls, method)(records)

    @classmethod
    def log_action(cls, method, applications):
        "Audit the button of an operator acting on behalf of the client"
        record_action(cls.__name__, method, applications)

    @classmethod
    def _state_changed(cls, applications):
        pool = Pool()
        History = pool.get('lk.application.history')
        Remark = pool.get('lk.application.remark')
        Event = pool.get('lk.application.event')
        histories, remarks = [], []
        for application in applications:
            comment = application.status_comment
            histories.append(History(
                    application=application, date=clock.utcnow(),
                    state=application.state, remark=comment))
            if comment:
                remarks.append(Remark(application=application, text=comment))
        History.save(histories)
        Remark.save(remarks)
        for application in applications:
            application.set_deadline()
            application.status_comment = None
        cls.save(applications)
        changed = [a for a in applications if a.state != 'draft']
        Event.queue(changed)
        cls._notify(changed)

    def local_today(self):
        "Today in the time zone of the application's branch"
        return today(self.branch.timezone if self.branch else None)

    def set_deadline(self):
        pool = Pool()
        Rule = pool.get('lk.application.deadline')
        event = DEADLINE_EVENTS.get(self.state)
        if event:
            start = self.local_today()
            if event == 'execution':
                start = self.contract_date or start
            self.deadline, rule = Rule.compute(self, event, start)
            self.deadline_event = event if self.deadline else None
            self.deadline_basis = rule.legal_basis if rule else None
        elif self.state not in KEEP_DEADLINE:
            self.deadline = self.deadline_event = None
            self.deadline_basis = None
        if self.state == 'incoming':
            self.notice_deadline, _ = Rule.compute(
                self, 'notice', self.local_today())
        else:
            self.notice_deadline = None

    def get_execution_term(self, name):
        "The term of the connection that applies with the data as they are"
        pool = Pool()
        Rule = pool.get('lk.application.deadline')
        rule = Rule.get_rule(self, 'execution')
        if rule:
            if rule.legal_basis:
                return '%s (%s)' % (rule.term, rule.legal_basis)
            return rule.term

    @classmethod
    def _update_execution_deadline(cls, applications):
        "The connection's deadline follows the data the operator records"
        pool = Pool()
        Rule = pool.get('lk.application.deadline')
        for application in applications:
            if (application.deadline_event == 'execution'
                    and application.contract_date):
                deadline, rule = Rule.compute(
                    application, 'execution', application.contract_date)
                basis = rule.legal_basis if rule else None
                if (deadline, basis) != (
                        application.deadline, application.deadline_basis):
                    with without_check_access():
                        cls.write([application], {
                                'deadline': deadline,
                                'deadline_basis': basis,
                                })

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

    def required_fields(self, step):
        "The names of the fields of a step the client must fill in"
        names = list(STEP_FIELDS.get(step, []))
        if step == 'object' and 'technical' not in self.steps:
            # without technical data the statement says what is asked
            names.append('reason')
        return names

    def missing(self, step):
        "The names of the required fields of a step that are empty"
        return [n for n in self.required_fields(step) if not getattr(self, n)]

    def step_of(self, field):
        "The step of the form where the client types the field"
        for step in self.steps:
            if field in STEP_FIELDS.get(step, []) or (
                    step == 'object' and field == 'reason'):
                return step
        return self.steps[0]

    def discardable(self):
        "Whether the user may delete the draft or withdraw the application"
        return self.state == 'draft' or 'withdrawn' in {
            e.target for e in self.allowed_edges()}

    @classmethod
    def discard(cls, applications):
        """The client's «delete»: a draft is deleted, a submitted application
        is withdrawn; return the drafts deleted"""
        drafts = [a for a in applications if a.state == 'draft']
        submitted = [a for a in applications if a.state != 'draft']
        if submitted:
            cls.move_to(submitted, 'withdrawn')
        cls.delete(drafts)
        return drafts

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
        remark = Remark(application=application, text=text)
        remark.save()
        for name, data, description in files:
            cls.attach(application, None, name, data,
                description=description, remark=remark)
        if remark.author_kind != 'client':
            cls._notify_remark(remark)
        return remark

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
        pass

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
            application.contract_date = application.local_today()
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
        pass

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
        pass

    @classmethod
    @ModelView.button
    @transition('annulled')
    def annul(cls, applications):
        pass

    @classmethod
    def annul_expired(cls):
        "Cron: annul the applications whose documents were not completed"
        # the day ends in the branch's time zone: east of the company's
        # one a day earlier
        applications = [a for a in cls.search([
                    ('state', '=', 'documents_requested'),
                    ('deadline', '<=', today()),
                    ])
            if a.deadline < a.local_today()]
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
                    'user': h.author,
                    'remark': h.remark,
                    } for h in reversed(self.history)],
            }


def _iso(value):
    return value.isoformat() if value else None


def _number(value):
    return str(value) if value is not None else None


class Remark(AuthorMixin, ModelSQL, ModelView):
    __name__ = 'lk.application.remark'
    __string__ = "Application Remark"

    application = fields.Many2One(
        'lk.application', "Application", required=True, ondelete='CASCADE')
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
        return author_values()['author_kind']


class History(AuthorMixin, ModelSQL, ModelView):
    __name__ = 'lk.application.history'
    __string__ = "Application History"

    application = fields.Many2One(
        'lk.application', "Application", required=True, ondelete='CASCADE',
        readonly=True)
    date = fields.Timestamp("Changed At", required=True, readonly=True)
    state = fields.Selection(STATES, "State", required=True, readonly=True)
    state_string = state.translated('state')
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
