# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Card payments of the invoices through the gateway of the branch, the
log of every exchange with it, the polling of the orders whose outcome is
not known yet and the refunds.

The outcome of an order is only ever taken from the gateway's answer to a
status query (after a callback, or by the polling queue), never from the
browser's return. Each capture is recorded once: the invoice is locked
while it is applied and one card payment at most may be captured per
invoice (a database constraint); a second one is reversed automatically."""
import datetime as dt
import json
import logging
import uuid
from decimal import Decimal

from sql import For
from sql.operators import Equal

import trytond.config as config
from trytond.i18n import gettext
from trytond.model import Exclude, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from trytond.modules.lk_base import clock
from trytond.modules.lk_base.queue import OutboundQueueMixin, commit
from trytond.modules.lk_base.operator import AuthorMixin

from . import gateway
from .exceptions import GatewayError, PaymentError, PaymentPending

logger = logging.getLogger(__name__)

PAYMENT_STATES = [
    ('created', "Created"),
    ('registered', "Awaiting the Bank"),
    ('captured', "Captured"),
    ('declined', "Declined"),
    ('cancelled', "Cancelled"),
    ('failed', "Gateway Unavailable"),
    ('refunded', "Refunded"),
    ('duplicate', "Duplicate, Reversed"),
    ]
REFUND_STATES = [
    ('requested', "Requested"),
    ('approved', "Approved"),
    ('done', "Done"),
    ('rejected', "Rejected"),
    ('failed', "Failed"),
    ]


def lock_rows(Model, records):
    """Lock the rows of records until the end of the transaction
    (SELECT … FOR UPDATE on PostgreSQL; SQLite has a single writer). Not
    ModelSQL.lock: it restarts the transaction, which the portal's does
    not do."""
    transaction = Transaction()
    if not transaction.database.has_select_for():
        return
    table = Model.__table__()
    query = table.select(table.id,
        where=table.id.in_([int(r) for r in records]))
    query.for_ = For('UPDATE')
    transaction.connection.cursor().execute(*query)


class Payment(AuthorMixin, ModelSQL, ModelView):
    __name__ = 'lk.payment'
    __string__ = "Card Payment"

    MONEY_STATES = {'captured'}
    PENDING_STATES = {'created', 'registered'}

    invoice = fields.Many2One(
        'lk.payment.invoice', "Invoice", required=True, ondelete='RESTRICT',
        readonly=True)
    party = fields.Many2One(
        'party.party', "Client", required=True, ondelete='RESTRICT',
        readonly=True)
    gateway = fields.Char("Gateway", required=True, readonly=True)
    number = fields.Char("Order Number", required=True, readonly=True,
        help="Our number of the order, unique at the gateway.")
    bank_order = fields.Char("Gateway Order", readonly=True)
    form_url = fields.Char("Payment Page", readonly=True)
    amount = fields.Numeric("Amount", digits=(16, 2), required=True,
        readonly=True)
    captured_amount = fields.Numeric("Captured", digits=(16, 2),
        readonly=True)
    refunded_amount = fields.Numeric("Refunded", digits=(16, 2),
        readonly=True)
    state = fields.Selection(PAYMENT_STATES, "Status", required=True,
        readonly=True, sort=False)
    state_string = state.translated('state')
    message = fields.Char("Gateway Message", readonly=True)
    captured_at = fields.Timestamp("Captured At", readonly=True)
    logs = fields.One2Many('lk.payment.log', 'payment', "Gateway Log",
        readonly=True)
    refunds = fields.One2Many('lk.payment.refund', 'payment', "Refunds",
        readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('invoice')
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        t = cls.__table__()
        cls._sql_constraints = [
            ('number_unique', Unique(t, t.gateway, t.number),
                'lk_payment.msg_payment_number_unique'),
            ('order_unique', Unique(t, t.gateway, t.bank_order),
                'lk_payment.msg_payment_order_unique'),
            ('one_capture', Exclude(t, (t.invoice, Equal),
                    where=(t.state == 'captured')),
                'lk_payment.msg_payment_one_capture'),
            ]
        cls._buttons.update({
                'check_status': {
                    'invisible': ~Eval('state').in_(
                        ['registered', 'captured']),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'created'

    @classmethod
    def default_refunded_amount(cls):
        return Decimal(0)

    @property
    def net_amount(self):
        return (self.captured_amount or 0) - (self.refunded_amount or 0)

    @property
    def refunded(self):
        return bool(self.refunded_amount) or self.state == 'refunded'

    def gateway_adapter(self):
        return gateway.get(self.invoice.branch)

    # paying

    @classmethod
    def start(cls, invoice, return_url, fail_url):
        """Open an order at the gateway for what is left to pay on invoice
        and return the URL of its card page.

        Commits: the payment row is recorded before the gateway is called
        and its outcome after, so that nothing is half-written if the
        gateway is down or slow (the row says so, the invoice stays to
        pay). A second tab of the same client reuses the open order."""
        pool = Pool()
        Invoice = pool.get('lk.payment.invoice')
        with without_check_access():
            lock_rows(Invoice, [invoice])
            invoice = Invoice(invoice.id)
            if not invoice.payable:
                raise PaymentError(gettext('lk_payment.msg_not_payable',
                        number=invoice.number))
            reuse = cls._open_order(invoice)
            if reuse:
                return reuse.form_url
            service = gateway.get(invoice.branch)
            payment = cls(invoice=invoice, party=invoice.party,
                gateway=service.name, amount=invoice.due,
                number='%s-%s' % (invoice.id, uuid.uuid4().hex[:8]))
            payment.save()
            payment_id, number = payment.id, payment.number
        commit()
        description = invoice.service or invoice.number
        try:
            bank_order, form_url = service.register(
                number, invoice.due, return_url % payment_id,
                fail_url % payment_id, description)
        except GatewayError as exception:
            with without_check_access():
                payment = cls(payment_id)
                payment.state = 'failed'
                payment.message = ' '.join(str(exception).split())[:250]
                payment.save()
                payment.log('out', 'register', str(exception), ok=False)
            commit()
            raise PaymentError(gettext('lk_payment.msg_gateway_down'))
        with without_check_access():
            payment = cls(payment_id)
            payment.bank_order = bank_order
            payment.form_url = form_url
            payment.state = 'registered'
            payment.save()
            payment.log('out', 'register', json.dumps(
                    {'orderId': bank_order, 'formUrl': form_url}))
            Poll = pool.get('lk.payment.poll')
            Poll.watch(payment, delay=Poll.queue_config('backoff', 60))
            Invoice.update_state([payment.invoice])
        return form_url

    @classmethod
    def _open_order(cls, invoice):
        "The order of invoice still open at the gateway for the same amount"
        timeout = config.getint('lk_payment', 'order_lifetime', default=1200)
        for payment in invoice.payments:
            if (payment.state == 'registered' and payment.form_url
                    and payment.amount == invoice.due
                    and (clock.utcnow() - payment.create_date
                        ).total_seconds() < timeout):
                return payment

    def log(self, direction, operation, text, ok=True):
        Log = Pool().get('lk.payment.log')
        Log(payment=self, direction=direction, operation=operation,
            text=(text or '')[:4000], ok=ok, date=clock.utcnow()).save()

    def apply(self, order):
        """Record what the gateway says of the order (the only way the
        payment's money changes)"""
        pool = Pool()
        Invoice = pool.get('lk.payment.invoice')
        Refund = pool.get('lk.payment.refund')
        lock_rows(Invoice, [self.invoice])
        payment = self.__class__(self.id)
        payment.log('in', 'status', json.dumps(order.raw or {
                    'status': order.status}, default=str))
        if order.status == gateway.PAID and payment.state in {
                'created', 'registered', 'declined', 'cancelled', 'failed'}:
            others = [p for p in payment.invoice.payments
                if p.id != payment.id and p.state == 'captured']
            payment.captured_amount = order.amount or payment.amount
            payment.captured_at = clock.utcnow()
            if others:
                # another tab paid first: give this money back at once
                payment.state = 'duplicate'
                payment.save()
                Refund.reverse_duplicate(payment)
            else:
                payment.state = 'captured'
                payment.save()
        elif order.status in {gateway.DECLINED, gateway.CANCELLED} and (
                payment.state in self.PENDING_STATES):
            payment.state = ('declined' if order.status == gateway.DECLINED
                else 'cancelled')
            payment.message = ' '.join((order.message or '').split())[:250]
            payment.save()
        elif order.status == gateway.REFUNDED or order.refunded:
            payment.refunded_amount = max(
                payment.refunded_amount or 0, order.refunded or 0)
            if order.status == gateway.REFUNDED and (
                    payment.refunded_amount >= (payment.captured_amount or 0)):
                if payment.state == 'captured':
                    payment.state = 'refunded'
            payment.save()
        Invoice.update_state([payment.invoice])
        return payment

    @classmethod
    @ModelView.button
    def check_status(cls, payments):
        "Ask the gateway now (staff)"
        Poll = Pool().get('lk.payment.poll')
        for payment in payments:
            Poll.watch(payment)

    @classmethod
    def reconcile(cls, date_from, date_to):
        """Rows comparing what the gateway says of each order opened
        between the dates with what is recorded: (payment, Order or the
        error, whether they match)"""
        rows = []
        with without_check_access():
            payments = cls.search([
                    ('bank_order', '!=', None),
                    ('create_date', '>=', dt.datetime.combine(
                            date_from, dt.time.min)),
                    ('create_date', '<', dt.datetime.combine(
                            date_to + dt.timedelta(days=1), dt.time.min)),
                    ], order=[('create_date', 'ASC'), ('id', 'ASC')])
            for payment in payments:
                try:
                    order = payment.gateway_adapter().status(
                        payment.bank_order)
                except GatewayError as exception:
                    rows.append((payment, str(exception), False))
                    continue
                ours = (payment.captured_amount or Decimal(0)
                    if payment.state in {'captured', 'refunded', 'duplicate'}
                    else Decimal(0))
                theirs = (order.amount or Decimal(0)
                    if order.status in {gateway.PAID, gateway.REFUNDED}
                    else Decimal(0))
                match = (ours == theirs and (payment.refunded_amount or 0)
                    == (order.refunded or 0))
                rows.append((payment, order, match))
        return rows

    @classmethod
    def callback(cls, gateway_name, params, body=None):
        """A callback of the gateway: authenticated (else logged and
        refused), then the order's status is asked for; returns the
        payment or None. Commits."""
        pool = Pool()
        Poll = pool.get('lk.payment.poll')
        Log = pool.get('lk.payment.log')
        bank_order = params.get('mdOrder') or params.get('order_id')
        with without_check_access():
            payments = cls.search([
                    ('gateway', '=', gateway_name),
                    ('bank_order', '=', bank_order),
                    ], limit=1) if bank_order else []
            payment = payments[0] if payments else None
            text = json.dumps(params, ensure_ascii=False)
            try:
                if not payment:
                    raise ValueError('unknown order')
                payment.gateway_adapter().callback_order(params, body)
            except ValueError as exception:
                logger.warning("refused %s callback %s: %s",
                    gateway_name, bank_order, exception)
                Log(payment=payment, direction='callback',
                    operation=params.get('operation') or 'callback',
                    text='%s\n%s' % (exception, text), ok=False,
                    date=clock.utcnow()).save()
                commit()
                return None
            payment.log('callback', params.get('operation') or 'callback',
                text)
            poll = Poll.watch(payment)
        commit()
        Poll.queue_process([poll])
        return cls(payment.id)


class Log(ModelSQL, ModelView):
    __name__ = 'lk.payment.log'
    __string__ = "Gateway Log"

    payment = fields.Many2One('lk.payment', "Payment", ondelete='CASCADE',
        readonly=True)
    date = fields.Timestamp("Date", required=True, readonly=True)
    direction = fields.Selection([
            ('out', "Request"),
            ('in', "Status"),
            ('callback', "Callback"),
            ], "Direction", readonly=True)
    operation = fields.Char("Operation", readonly=True)
    text = fields.Text("Content", readonly=True)
    ok = fields.Boolean("Accepted", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]


class Poll(OutboundQueueMixin, ModelSQL, ModelView):
    """The status query of an order until the gateway knows its outcome:
    after each callback and by the cron, with the backoff of the queue
    ([lk_payment] poll_attempts, poll_backoff, poll_backoff_max), for days"""
    __name__ = 'lk.payment.poll'
    __string__ = "Payment Status Query"
    _queue_setting = ('lk_payment', 'poll')

    payment = fields.Many2One('lk.payment', "Payment", required=True,
        ondelete='CASCADE', readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('payment')

    @classmethod
    def queue_config(cls, name, default):
        defaults = {'attempts': 40, 'backoff': 60}
        return super().queue_config(name, defaults.get(name, default))

    @classmethod
    def watch(cls, payment, delay=0):
        """Ask the status of payment in delay seconds, then with the
        backoff until known"""
        polls = cls.search([('payment', '=', payment.id)], limit=1)
        poll = polls[0] if polls else cls(payment=payment, state='done')
        if poll.state != 'pending':
            poll.attempts = 0
        poll.state = 'pending'
        poll.next_attempt = clock.utcnow() + dt.timedelta(seconds=delay)
        poll.save()
        return poll

    def queue_prepare(self):
        # the adapter is built from the configuration only: the call
        # reads nothing from the database
        return self.payment.gateway_adapter(), self.payment.bank_order

    @classmethod
    def queue_call(cls, job):
        service, bank_order = job
        order = service.status(bank_order)
        if order.status not in gateway.FINAL:
            raise PaymentPending('order %s: %s' % (bank_order, order.status))
        return order

    def queue_done(self, order):
        self.payment.apply(order)


class Refund(AuthorMixin, OutboundQueueMixin, ModelSQL, ModelView):
    """A refund of a card payment: asked for by the client with a reason
    and approved by staff, or made at once for a duplicate capture; then
    sent to the gateway by the queue ([lk_payment] refund_attempts…)"""
    __name__ = 'lk.payment.refund'
    __string__ = "Refund"
    _queue_setting = ('lk_payment', 'refund')

    payment = fields.Many2One('lk.payment', "Payment", required=True,
        ondelete='RESTRICT', readonly=True)
    amount = fields.Numeric("Amount", digits=(16, 2), required=True,
        states={'readonly': Eval('refund_state') != 'requested'})
    reason = fields.Text("Reason", required=True, readonly=True)
    automatic = fields.Boolean("Automatic", readonly=True,
        help="A duplicate capture reversed without approval.")
    operation = fields.Selection([
            ('refund', "Refund"),
            ('reverse', "Reversal"),
            ], "Operation", readonly=True)
    refund_state = fields.Selection(REFUND_STATES, "Refund Status",
        required=True, readonly=True, sort=False)
    refund_state_string = refund_state.translated('refund_state')
    approved_by = fields.Many2One('res.user', "Approved By", readonly=True)
    comment = fields.Text("Comment of the Company",
        states={'readonly': Eval('refund_state') != 'requested'})

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('payment')
        cls._buttons.update({
                'approve': {
                    'invisible': Eval('refund_state') != 'requested',
                    'depends': ['refund_state'],
                    },
                'reject': {
                    'invisible': Eval('refund_state') != 'requested',
                    'depends': ['refund_state'],
                    },
                })

    @classmethod
    def default_refund_state(cls):
        return 'requested'

    @classmethod
    def default_operation(cls):
        return 'refund'

    @classmethod
    def default_automatic(cls):
        return False

    @classmethod
    def default_state(cls):
        # the queue's state: sent only once approved
        return 'done'

    @classmethod
    def ask(cls, invoice, reason, amount=None):
        "The client asks for the refund of the invoice's card payment"
        pool = Pool()
        Invoice = pool.get('lk.payment.invoice')
        reason = (reason or '').strip()
        if not reason:
            raise PaymentError(gettext('lk_payment.msg_refund_reason'))
        payments = [p for p in invoice.payments if p.state == 'captured'
            and p.net_amount > 0]
        if not payments or invoice.state == 'refund_requested':
            raise PaymentError(gettext('lk_payment.msg_refund_nothing',
                    number=invoice.number))
        payment = payments[0]
        amount = payment.net_amount if amount is None else Decimal(amount)
        if not 0 < amount <= payment.net_amount:
            raise PaymentError(gettext('lk_payment.msg_refund_amount'))
        with without_check_access():
            refund = cls(payment=payment, amount=amount, reason=reason)
            refund.save()
            Invoice.update_state([invoice])
        return refund

    @classmethod
    def reverse_duplicate(cls, payment):
        refund = cls(payment=payment, amount=payment.captured_amount,
            reason=gettext('lk_payment.msg_duplicate_reason'),
            automatic=True, operation='reverse', refund_state='approved',
            state='pending', next_attempt=clock.utcnow())
        refund.save()
        return refund

    @classmethod
    @ModelView.button
    def approve(cls, refunds):
        "Staff approve: the refund goes to the gateway by the queue"
        for refund in refunds:
            if refund.amount > refund.payment.net_amount:
                raise PaymentError(gettext('lk_payment.msg_refund_amount'))
        cls.write(refunds, {
                'refund_state': 'approved', 'state': 'pending',
                'next_attempt': clock.utcnow(), 'attempts': 0,
                'approved_by': Transaction().user or None,
                })
        cls.__queue__.queue_process(refunds)

    @classmethod
    @ModelView.button
    def reject(cls, refunds):
        Invoice = Pool().get('lk.payment.invoice')
        cls.write(refunds, {'refund_state': 'rejected'})
        Invoice.update_state([r.payment.invoice for r in refunds])
        for refund in refunds:
            refund.notify('rejected')

    def queue_prepare(self):
        payment = self.payment
        return (payment.gateway_adapter(), payment.bank_order, self.amount,
            self.operation, 'lk-refund-%s' % self.id)

    @classmethod
    def queue_call(cls, job):
        service, bank_order, amount, operation, key = job
        if operation == 'reverse':
            try:
                service.reverse(bank_order, key)
            except GatewayError:
                # settled already: a refund of the whole amount
                service.refund(bank_order, amount, key)
        else:
            service.refund(bank_order, amount, key)
        return service.status(bank_order)

    def queue_done(self, order):
        payment = self.payment
        self.refund_state = 'done'
        self.save()  # before the invoice's status is computed again
        if order.status == gateway.CANCELLED or order.status == (
                gateway.REFUNDED) and not order.refunded:
            order.refunded = payment.captured_amount
        payment.log('out', self.operation, str(self.amount))
        if payment.state == 'duplicate':
            payment.refunded_amount = payment.captured_amount
            payment.save()
        else:
            payment.apply(order)
        if not self.automatic:
            self.notify('done')

    def _queue_failure(self, now, exception):
        super()._queue_failure(now, exception)
        if self.state == 'failed':
            self.refund_state = 'failed'

    def notify(self, outcome):
        Notification = Pool().get('lk.notification')
        invoice = self.payment.invoice
        party = invoice.party
        language = party.lang.code if party.lang else None
        with without_check_access():
            Notification.notify(party,
                gettext('lk_payment.msg_refund_%s_subject' % outcome,
                    language, number=invoice.number),
                gettext('lk_payment.msg_refund_%s_body' % outcome, language,
                    number=invoice.number, amount=str(self.amount),
                    comment=self.comment or ''),
                link='/my/payments/%d' % invoice.id)
