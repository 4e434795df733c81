# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Invoices of the connection fee: one per contract or one per installment
of a schedule, their lines with the VAT rate of their date, the fee table
of the branches and the bank details the branches are paid to."""
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import without_check_access

from trytond.modules.lk_applications.application import OFFER_CATEGORIES
from trytond.modules.lk_applications.deadline import public_basis
from trytond.modules.lk_base import clock, identifiers
from trytond.modules.lk_edo import formats

from .exceptions import PaymentError

CENT = Decimal('0.01')
INVOICE_STATES = [
    ('to_pay', "To Pay"),
    ('pending', "Awaiting Bank Confirmation"),
    ('paid', "Paid"),
    ('partial', "Partially Paid"),
    ('cancelled', "Cancelled"),
    ('refund_requested', "Refund Requested"),
    ('refunded', "Refunded"),
    ]
# the schedule of installments of DOMAIN.md, in percent of the fee
DEFAULT_SCHEDULE = (15, 30, 45, 10)


def cents(value):
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def split(total, schedule):
    "The amounts of the installments: the last one takes the rounding"
    parts = [cents(total * Decimal(p) / 100) for p in schedule[:-1]]
    return parts + [cents(total) - sum(parts, Decimal(0))]


class Payee(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'lk.payment.payee'
    __string__ = "Bank Details of a Branch"

    branch = fields.Many2One(
        'lk.branch', "Branch", ondelete='CASCADE',
        help="Leave empty for the details of every branch without its own.")
    name = fields.Char("Payee", required=True)
    inn = fields.Char("INN", size=12, required=True)
    kpp = fields.Char("KPP", size=9)
    bank_name = fields.Char("Bank", required=True)
    bik = fields.Char("BIK", size=9, required=True)
    account = fields.Char("Settlement Account", size=20, required=True)
    corr_account = fields.Char("Correspondent Account", size=20,
        required=True)
    reminder_days = fields.Integer(
        "Reminder Before the Term", required=True,
        help="Days before the term of an unpaid offer when the client is "
        "reminded; once the term is over the application is annulled.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('branch_unique', Unique(t, t.branch),
                'lk_payment.msg_payee_branch_unique'),
            ]

    @classmethod
    def default_reminder_days(cls):
        return 2

    @classmethod
    def validate_fields(cls, payees, field_names):
        super().validate_fields(payees, field_names)
        for payee in payees:
            identifiers.check_bik(payee.bik)
            identifiers.check_settlement_account(payee.account, payee.bik)
            identifiers.check_correspondent_account(
                payee.corr_account, payee.bik)

    @classmethod
    def of_branch(cls, branch):
        "The details the branch is paid to (its own, else the default)"
        with without_check_access():
            for domain in ([[('branch', '=', branch.id)]] if branch else []) + [
                    [('branch', '=', None)]]:
                payees = cls.search(domain, limit=1)
                if payees:
                    return payees[0]

    def qr_payload(self, amount=None, purpose=None, contract=None):
        """The text of the bank transfer QR code (ГОСТ Р 56042-2014,
        ST00012: UTF-8, «|»-separated, Sum in kopecks)"""
        fields_ = [
            ('Name', self.name), ('PersonalAcc', self.account),
            ('BankName', self.bank_name), ('BIC', self.bik),
            ('CorrespAcc', self.corr_account),
            ]
        if amount is not None:
            fields_.append(('Sum', str(int(cents(amount) * 100))))
        fields_ += [('Purpose', purpose), ('PayeeINN', self.inn),
            ('KPP', self.kpp), ('Contract', contract)]
        return 'ST00012|' + '|'.join(
            '%s=%s' % (k, v.replace('|', ' ')) for k, v in fields_ if v)


class Fee(ModelSQL, ModelView):
    __name__ = 'lk.payment.fee'
    __string__ = "Connection Fee Rate"

    branch = fields.Many2One(
        'lk.branch', "Branch", required=True, ondelete='CASCADE')
    category = fields.Selection([
            ('fl_15', "Individual up to 15 kW"),
            ], "Category", required=True)
    start_date = fields.Date("From", required=True)
    rate = fields.Numeric(
        "Rate per kW", digits=(16, 2), required=True,
        help="The preferential rate per kW of maximum power, VAT included.")
    standard_amount = fields.Numeric(
        "Cost at Standardised Rates", digits=(16, 2),
        help="When set, the fee is the lower of this and power × rate.")
    legal_basis = fields.Char("Legal Basis",
        help="The tariff decision of the region (verify the figures).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('branch', 'ASC'), ('start_date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def get_rate(cls, branch, category, date):
        with without_check_access():
            rates = cls.search([
                    ('branch', '=', branch.id),
                    ('category', '=', category),
                    ('start_date', '<=', date),
                    ], order=[('start_date', 'DESC')], limit=1)
        return rates[0] if rates else None

    def amount_for(self, power):
        amount = cents(self.rate * Decimal(power))
        if self.standard_amount is not None:
            amount = min(amount, cents(self.standard_amount))
        return amount

    @classmethod
    def compute(cls, application, date=None):
        "The fee of an individual ≤ 15 kW from the table, or None"
        if application.category != 'fl_15' or not application.branch:
            return None
        rate = cls.get_rate(
            application.branch, 'fl_15', date or application.local_today())
        if rate:
            power = application.max_power + (application.previous_power or 0)
            return rate.amount_for(power)


class Invoice(Workflow, ModelSQL, ModelView):
    __name__ = 'lk.payment.invoice'
    __string__ = "Invoice"
    _rec_name = 'number'

    number = fields.Char("Number", readonly=True)
    party = fields.Many2One(
        'party.party', "Client", required=True, ondelete='RESTRICT',
        readonly=True)
    application = fields.Many2One(
        'lk.application', "Application", ondelete='RESTRICT', readonly=True)
    branch = fields.Many2One('lk.branch', "Branch", readonly=True)
    contract_number = fields.Char("Contract Number", readonly=True)
    service = fields.Char("Service", readonly=True)
    date = fields.Date("Date", required=True, readonly=True)
    installment = fields.Integer("Installment", readonly=True,
        help="The number of the installment in the schedule; empty for "
        "the whole fee.")
    installment_percent = fields.Numeric(
        "Share", digits=(5, 2), readonly=True)
    offer = fields.Boolean("Acceptance of the Offer", readonly=True,
        help="Paying this invoice in full accepts the offer: the "
        "application moves to «Contract Concluded».")
    due_date = fields.Date("Payment Term", readonly=True)
    due_basis = fields.Char("Legal Basis of the Term", readonly=True)
    reminded_at = fields.Timestamp("Reminded At", readonly=True)
    lines = fields.One2Many(
        'lk.payment.invoice.line', 'invoice', "Lines",
        states={'readonly': Eval('state') != 'to_pay'})
    total = fields.Numeric("Total", digits=(16, 2), readonly=True,
        help="VAT included.")
    vat = fields.Numeric("VAT", digits=(16, 2), readonly=True)
    vat_rate = fields.Numeric("VAT Rate", digits=(5, 2), readonly=True)
    paid = fields.Numeric("Paid", digits=(16, 2), readonly=True)
    payments = fields.One2Many(
        'lk.payment', 'invoice', "Card Payments", readonly=True)
    transfers = fields.One2Many(
        'lk.payment.transfer', 'invoice', "Bank Transfers")
    state = fields.Selection(
        INVOICE_STATES, "Status", required=True, readonly=True, sort=False)
    state_string = state.translated('state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.party, Index.Range())),
                Index(t, (t.state, Index.Equality())),
                })
        cls._transitions |= {
            ('to_pay', 'cancelled'),
            ('partial', 'cancelled'),
            }
        cls._buttons.update({
                'cancel': {
                    'invisible': ~Eval('state').in_(['to_pay', 'partial']),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'to_pay'

    @classmethod
    def default_date(cls):
        return clock.today()

    @classmethod
    def default_paid(cls):
        return Decimal(0)

    @classmethod
    def default_offer(cls):
        return False

    @classmethod
    def on_modification(cls, mode, invoices, field_names=None):
        super().on_modification(mode, invoices, field_names=field_names)
        if mode == 'create':
            with without_check_access():
                for invoice in invoices:
                    cls.write([invoice], {'number': 'lk/%d' % invoice.id})
                cls.update_totals(invoices)

    @classmethod
    def update_totals(cls, invoices):
        "The totals stored for the lists (no per-row queries)"
        for invoice in invoices:
            lines = invoice.lines
            rates = {l.vat_rate for l in lines}
            cls.write([invoice], {
                    'total': sum((l.amount for l in lines), Decimal(0)),
                    'vat': sum((l.vat for l in lines), Decimal(0)),
                    'vat_rate': rates.pop() if len(rates) == 1 else None,
                    })

    @property
    def due(self):
        "What is left to pay"
        return max((self.total or 0) - (self.paid or 0), Decimal(0))

    @property
    def payable(self):
        return self.state in {'to_pay', 'pending', 'partial'} and self.due > 0

    @property
    def purpose(self):
        "The purpose of a bank transfer"
        text = gettext('lk_payment.msg_purpose',
            number=self.number, contract=self.contract_number or '')
        return '%s, %s' % (text, gettext(
                'lk_payment.msg_purpose_vat', rate=formats.amount(
                    self.vat_rate or 0).replace(',00', ''),
                vat=formats.amount(self.vat or 0)))

    def qr_payload(self):
        Payee = Pool().get('lk.payment.payee')
        payee = Payee.of_branch(self.branch)
        if payee:
            return payee.qr_payload(self.due, self.purpose,
                self.contract_number)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, invoices):
        pass

    @classmethod
    def create_for(cls, application, total, schedule=None,
            contract_number=None, date=None):
        """The invoices of the fee of application: one, or one per
        installment of schedule (percentages adding up to 100)"""
        pool = Pool()
        Line = pool.get('lk.payment.invoice.line')
        total = cents(total)
        if total <= 0:
            raise PaymentError(gettext('lk_payment.msg_amount_positive'))
        if schedule and sum(Decimal(p) for p in schedule) != 100:
            raise PaymentError(gettext('lk_payment.msg_schedule_100'))
        date = date or application.local_today()
        due_date, basis = cls.term_of(application, date)
        contract_number = contract_number or application.number
        offer = application.category in OFFER_CATEGORIES
        parts = split(total, schedule) if schedule else [total]
        party = application.party
        # the texts the client reads, in the client's language
        language = party.lang.code if party.lang else None
        invoices = []
        for i, amount in enumerate(parts):
            installment = i + 1 if schedule else None
            service = gettext('lk_payment.msg_service', language,
                contract=contract_number or '')
            if installment:
                service += ' — ' + gettext('lk_payment.msg_installment',
                    language, number=installment, percent=schedule[i])
            invoices.append(cls(
                    party=application.party, application=application,
                    branch=application.branch,
                    contract_number=contract_number, service=service,
                    date=date, installment=installment,
                    installment_percent=(
                        Decimal(schedule[i]) if schedule else None),
                    # the first installment accepts the offer
                    offer=offer and i == 0,
                    due_date=due_date if i == 0 else None,
                    due_basis=basis if i == 0 else None,
                    lines=[Line(description=service, amount=amount)]))
        with without_check_access():
            cls.save(invoices)
        return invoices

    @classmethod
    def term_of(cls, application, date):
        "The payment term of the offer and its legal basis"
        Rule = Pool().get('lk.application.deadline')
        with without_check_access():
            due_date, rule = Rule.compute(application, 'contract', date)
        return due_date, public_basis(rule.legal_basis if rule else None)

    @classmethod
    def update_state(cls, invoices):
        """The status from the money recorded: card payments captured less
        their refunds, bank transfers"""
        pool = Pool()
        Payment = pool.get('lk.payment')
        Refund = pool.get('lk.payment.refund')
        Application = pool.get('lk.application')
        accepted = []
        for invoice in cls.browse(invoices):
            if invoice.state == 'cancelled':
                continue
            paid = sum((p.net_amount for p in invoice.payments
                    if p.state in Payment.MONEY_STATES), Decimal(0))
            paid += sum((t.amount for t in invoice.transfers), Decimal(0))
            refunds = Refund.search([
                    ('payment.invoice', '=', invoice.id),
                    ('refund_state', 'in', ['requested', 'approved']),
                    ('automatic', '=', False),
                    ])
            refunded = any(p.refunded for p in invoice.payments)
            if refunds:
                state = 'refund_requested'
            elif paid >= invoice.total:
                state = 'paid'
            elif paid > 0:
                state = 'partial'
            elif refunded:
                state = 'refunded'
            elif any(p.state in Payment.PENDING_STATES
                    for p in invoice.payments):
                state = 'pending'
            else:
                state = 'to_pay'
            values = {}
            if state != invoice.state:
                values['state'] = state
            if paid != invoice.paid:
                values['paid'] = paid
            if values:
                was_paid = invoice.state == 'paid'
                cls.write([invoice], values)
                if state == 'paid' and not was_paid:
                    accepted.append(invoice)
        with without_check_access():
            for invoice in accepted:
                if invoice.offer and invoice.application:
                    # lk_edo's hook: paying the offer is its acceptance
                    Application.accept_offer_by_payment(
                        [invoice.application], invoice="№ %s от %s" % (
                            invoice.number, invoice.date.strftime("%d.%m.%Y")))
        for invoice in accepted:
            invoice.notify_paid()

    def notify_paid(self):
        Notification = Pool().get('lk.notification')
        party = self.party
        language = party.lang.code if party.lang else None
        with without_check_access():
            Notification.notify(party,
                gettext('lk_payment.msg_paid_subject', language,
                    number=self.number),
                gettext('lk_payment.msg_paid_body', language,
                    number=self.number, amount=formats.amount(self.total),
                    service=self.service or ''),
                link='/my/payments/%d' % self.id)

    @classmethod
    def remind_unpaid(cls):
        """Cron: remind the clients of the invoices whose term is near: the
        offer (unpaid, it lapses) and the later installments (due by the
        schedule of the contract)"""
        pool = Pool()
        Payee = pool.get('lk.payment.payee')
        Notification = pool.get('lk.notification')
        for invoice in cls.search([
                    ('state', 'in', ['to_pay', 'pending', 'partial']),
                    ('due_date', '!=', None),
                    ('reminded_at', '=', None),
                    ]):
            payee = Payee.of_branch(invoice.branch)
            days = payee.reminder_days if payee else 2
            today = (invoice.application.local_today()
                if invoice.application else clock.today())
            if invoice.due_date - dt.timedelta(days=days) > today or (
                    not invoice.offer and invoice.due_date < today):
                # not yet; or an installment past its term, whose «pay by»
                # would be wrong (an offer past it is annulled)
                continue
            party = invoice.party
            language = party.lang.code if party.lang else None
            Notification.notify(party,
                gettext('lk_payment.msg_reminder_subject', language,
                    number=invoice.number),
                gettext('lk_payment.msg_reminder_body' if invoice.offer
                    else 'lk_payment.msg_reminder_installment_body',
                    language, number=invoice.number,
                    installment=invoice.installment,
                    amount=formats.amount(invoice.due),
                    date=invoice.due_date.strftime('%d.%m.%Y')),
                link='/my/payments/%d' % invoice.id)
            cls.write([invoice], {'reminded_at': clock.utcnow()})

    @classmethod
    def annul_unpaid(cls):
        """Cron: an offer not paid within its term annuls the application
        (the term ends in the branch's time zone)"""
        pool = Pool()
        Application = pool.get('lk.application')
        expired = [i for i in cls.search([
                    ('offer', '=', True),
                    ('state', 'in', ['to_pay', 'partial']),
                    ('due_date', '<', clock.today() + dt.timedelta(days=1)),
                    ('application.state', '=', 'contract_sent'),
                    ])
            if i.due_date < i.application.local_today()]
        applications = []
        for invoice in expired:
            application = invoice.application
            application.status_comment = gettext(
                'lk_payment.msg_annulled_unpaid', number=invoice.number,
                date=invoice.due_date.strftime('%d.%m.%Y'))
            applications.append(application)
        if applications:
            Application.save(applications)
            Application.annul(applications)
            cls.cancel(expired)


class InvoiceLine(ModelSQL, ModelView):
    __name__ = 'lk.payment.invoice.line'
    __string__ = "Invoice Line"

    invoice = fields.Many2One(
        'lk.payment.invoice', "Invoice", required=True, ondelete='CASCADE')
    description = fields.Char("Description", required=True)
    amount = fields.Numeric(
        "Amount", digits=(16, 2), required=True, help="VAT included.")
    vat_rate = fields.Numeric("VAT Rate", digits=(5, 2), readonly=True,
        help="The rate of the invoice's date (Tax Code art. 164), kept.")
    vat = fields.Numeric("VAT", digits=(16, 2), readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('invoice')

    @classmethod
    def preprocess_values(cls, mode, values):
        "The VAT rate and amount of the date of the invoice, kept on the line"
        Invoice = Pool().get('lk.payment.invoice')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('invoice'):
            date = Invoice(values['invoice']).date
            amount = cents(values.get('amount') or 0)
            values['amount'] = amount
            values.setdefault('vat_rate', formats.vat_rate(date))
            values['vat'] = formats.vat_included(amount, date)
        return values


class Transfer(ModelSQL, ModelView):
    "A bank transfer recorded by staff from the bank statement"
    __name__ = 'lk.payment.transfer'
    __string__ = "Bank Transfer"

    invoice = fields.Many2One(
        'lk.payment.invoice', "Invoice", required=True, ondelete='RESTRICT')
    date = fields.Date("Date", required=True)
    amount = fields.Numeric("Amount", digits=(16, 2), required=True)
    reference = fields.Char("Payment Order")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('invoice')

    @classmethod
    def on_modification(cls, mode, transfers, field_names=None):
        super().on_modification(mode, transfers, field_names=field_names)
        Invoice = Pool().get('lk.payment.invoice')
        if mode != 'delete':
            Invoice.update_state([t.invoice for t in transfers])

    @classmethod
    def check_modification(cls, mode, transfers, values=None,
            external=False):
        super().check_modification(
            mode, transfers, values=values, external=external)
        if mode == 'delete':
            raise PaymentError(gettext('lk_payment.msg_transfer_delete'))
