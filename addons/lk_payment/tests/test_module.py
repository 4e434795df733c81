# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from decimal import Decimal
from unittest.mock import patch

from trytond.modules.lk_base.tests.tools import queue_in_transaction
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction

from .. import gateway
from ..exceptions import PaymentError
from ..invoice import split
from .tools import FAIL, RETURN, mount_sandbox, offer, serve

CLOCK = 'trytond.modules.lk_base.clock.utcnow'


def pay(sandbox, invoice, outcome='success', **kwargs):
    "Open the order of invoice and take outcome on the card page"
    Payment = Pool().get('lk.payment')
    url = Payment.start(invoice, RETURN, FAIL)
    order_id = url.rsplit('/', 1)[1]
    sandbox.pay(order_id, outcome, **kwargs)
    payment, = Payment.search([('bank_order', '=', order_id)])
    return payment


class LkPaymentTestCase(ModuleTestCase):
    module = 'lk_payment'

    def setUp(self):
        super().setUp()
        queue_in_transaction(self)

    def test_split(self):
        "Installments add up to the kopeck"
        parts = split(Decimal('1000.01'), (15, 30, 45, 10))
        self.assertEqual(parts, [Decimal('150.00'), Decimal('300.00'),
                Decimal('450.00'), Decimal('100.01')])
        self.assertEqual(sum(parts), Decimal('1000.01'))

    def test_checksum(self):
        "The callback checksum: HMAC-SHA256 of the sorted key;value; pairs"
        params = {'mdOrder': 'a', 'orderNumber': '1', 'operation':
            'deposited', 'status': '1'}
        value = gateway.checksum(params, 'key')
        import hashlib
        import hmac
        self.assertEqual(value, hmac.new(b'key',
                b'mdOrder;a;operation;deposited;orderNumber;1;status;1;',
                hashlib.sha256).hexdigest().upper())

    @with_transaction()
    def test_invoice_of_offer(self):
        "Sending the offer issues its invoice: VAT of its date, the term"
        with patch(CLOCK, return_value=dt.datetime(2026, 3, 2, 9)):
            application = offer()
        invoice, = application.invoices
        self.assertEqual(invoice.number, 'lk/%d' % invoice.id)
        self.assertEqual(invoice.total, Decimal('550.45'))
        self.assertEqual(invoice.vat_rate, Decimal(22))
        self.assertEqual(invoice.vat, Decimal('99.26'))
        self.assertTrue(invoice.offer)
        self.assertEqual(invoice.state, 'to_pay')
        self.assertTrue(invoice.due_date)
        self.assertTrue(invoice.due_basis)
        self.assertIn(invoice.contract_number, invoice.service)

    @with_transaction()
    def test_vat_by_date(self):
        "A line keeps the rate of the invoice's date"
        pool = Pool()
        Invoice = pool.get('lk.payment.invoice')
        application = offer()
        old, = Invoice.create_for(application, Decimal('118.00'),
            date=dt.date(2018, 6, 1))
        self.assertEqual((old.vat_rate, old.vat), (Decimal(18),
                Decimal('18.00')))

    @with_transaction()
    def test_installments(self):
        "Four installments; the first accepts the offer"
        application = offer(amount=Decimal('1000.01'), schedule=True)
        invoices = sorted(application.invoices, key=lambda i: i.installment)
        self.assertEqual([i.total for i in invoices], [Decimal('150.00'),
                Decimal('300.00'), Decimal('450.00'), Decimal('100.01')])
        self.assertEqual([i.offer for i in invoices],
            [True, False, False, False])

    @with_transaction()
    def test_installments_move_by_schedule(self):
        "Only the first installment accepts the offer; the later ones, "
        "paid before or after it, move nothing"
        pool = Pool()
        Application = pool.get('lk.application')
        Invoice = pool.get('lk.payment.invoice')
        Transfer = pool.get('lk.payment.transfer')
        application = offer(amount=Decimal('1000.00'), schedule=True)
        first, second, third, fourth = sorted(
            application.invoices, key=lambda i: i.installment)
        self.assertTrue(first.due_date)
        self.assertEqual([i.due_date for i in [second, third, fourth]],
            [None, None, None])

        def transfer(invoice):
            Transfer(invoice=invoice, date=dt.date.today(),
                amount=invoice.total, reference='п/п %s' % invoice.id).save()
            return Invoice(invoice.id)
        self.assertEqual(transfer(second).state, 'paid')
        application = Application(application.id)
        self.assertEqual(application.state, 'contract_sent')
        self.assertEqual(transfer(first).state, 'paid')
        application = Application(application.id)
        self.assertEqual(application.state, 'contract_concluded')
        history = len(application.history)
        for invoice in [third, fourth]:
            self.assertEqual(transfer(invoice).state, 'paid')
        application = Application(application.id)
        self.assertEqual(application.state, 'contract_concluded')
        self.assertEqual(len(application.history), history)

    @with_transaction()
    def test_installment_terms(self):
        "Each later installment is due after the step its schedule names"
        pool = Pool()
        Application = pool.get('lk.application')
        Invoice = pool.get('lk.payment.invoice')
        Transfer = pool.get('lk.payment.transfer')
        application = offer(amount=Decimal('1000.00'), schedule=True)
        first, second, third, fourth = sorted(
            application.invoices, key=lambda i: i.installment)

        def terms():
            return [(i.due_date, i.due_basis)
                for i in Invoice.browse([second, third, fourth])]
        self.assertEqual(terms(), [(None, None)] * 3)
        Transfer(invoice=first, date=dt.date.today(),
            amount=first.total).save()
        application = Application(application.id)
        self.assertEqual(application.state, 'contract_concluded')
        concluded = application.contract_date
        self.assertEqual(terms(), [
                (concluded + dt.timedelta(days=60),
                    "installment schedule of the contract: 30 % within 60 "
                    "days of its conclusion (verify)"),
                (None, None), (None, None)])
        Application.write([application], {'state': 'execution_check'})
        Application.connect([application])
        today = application.local_today()
        self.assertEqual(terms()[1][0], today + dt.timedelta(days=15))
        self.assertIn('45 % within 15 days', terms()[1][1])
        self.assertIsNone(terms()[2][0])
        Application.write([application], {'state': 'acts_issued'})
        Application.close([application])
        self.assertEqual(terms()[2][0], today + dt.timedelta(days=10))
        # a term once set is kept
        self.assertEqual(terms()[0][0], concluded + dt.timedelta(days=60))

    @with_transaction()
    def test_fee_table(self):
        "The fee of an individual ≤ 15 kW from the branch's rate by date"
        pool = Pool()
        Fee = pool.get('lk.payment.fee')
        application = offer()
        Fee.create([{'branch': application.branch.id, 'category': 'fl_15',
                    'start_date': dt.date(2025, 1, 1), 'rate': Decimal('100')},
                {'branch': application.branch.id, 'category': 'fl_15',
                    'start_date': dt.date(2026, 1, 1),
                    'rate': Decimal('23859.53')}])
        self.assertEqual(Fee.compute(application, dt.date(2025, 6, 1)),
            Decimal('1500.00'))
        self.assertEqual(Fee.compute(application, dt.date(2026, 6, 1)),
            Decimal('357892.95'))

    @with_transaction()
    def test_two_tabs(self):
        "Two tabs: the same open order; two orders paid: one is reversed"
        pool = Pool()
        Payment = pool.get('lk.payment')
        Refund = pool.get('lk.payment.refund')
        sandbox = mount_sandbox(self)
        invoice, = offer().invoices
        first = Payment.start(invoice, RETURN, FAIL)
        self.assertEqual(Payment.start(invoice, RETURN, FAIL), first)
        # the first order is left; a second one opens when it has expired
        with patch(CLOCK, return_value=dt.datetime.now()
                + dt.timedelta(hours=1)):
            second = Payment.start(invoice, RETURN, FAIL)
        self.assertNotEqual(first, second)
        for url in [first, second]:
            sandbox.pay(url.rsplit('/', 1)[1], 'success')
        payments = Payment.search([('invoice', '=', invoice.id)])
        self.assertEqual(sorted(p.state for p in payments),
            ['captured', 'duplicate'])
        Refund.queue_process()
        duplicate, = Payment.search([
                ('invoice', '=', invoice.id), ('state', '=', 'duplicate')])
        self.assertEqual(sandbox.orders[duplicate.bank_order]['status'], 3)
        self.assertEqual(duplicate.refunded_amount, Decimal('550.45'))
        invoice = invoice.__class__(invoice.id)
        self.assertEqual((invoice.state, invoice.paid),
            ('paid', Decimal('550.45')))
        with self.assertRaises(PaymentError):
            Payment.start(invoice, RETURN, FAIL)

    @with_transaction()
    def test_offer_not_concluded_by_hand(self):
        "An operator does not conclude an offer (paying its invoice does), "
        "a contract to sign is concluded by hand"
        from trytond.modules.lk_applications.exceptions import (
            ApplicationError)
        from trytond.pyson import PYSONDecoder, PYSONEncoder
        from trytond.transaction import Transaction
        pool = Pool()
        Application = pool.get('lk.application')
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        application, signed = offer(), offer(power=200)
        self.assertEqual((application.contract_form, signed.contract_form),
            ('offer', 'signature'))
        button = Application._buttons['conclude_contract']['invisible']
        for form, invisible in [('offer', True), ('signature', False)]:
            self.assertEqual(PYSONDecoder({'state': 'contract_sent',
                        'workflow': 'full', 'contract_form': form}).decode(
                    PYSONEncoder().encode(button)), invisible)
        operator = User(login='operator', name="Оператор",
            groups=[ModelData.get_id('lk_base', 'group_lk_operator')],
            lk_branches=[application.branch])
        operator.save()
        with Transaction().set_user(operator.id), \
                Transaction().set_context(_check_access=True):
            application, signed = Application.browse(
                [application.id, signed.id])
            self.assertNotIn('contract_concluded',
                [e.target for e in application.allowed_edges()])
            with self.assertRaises(ApplicationError) as refused:
                Application.move_to([application], 'contract_concluded')
            self.assertIn('concluded when its invoice is paid',
                refused.exception.message)
            self.assertIn('contract_concluded',
                [e.target for e in signed.allowed_edges()])
            Application.move_to([signed], 'contract_concluded')
        self.assertEqual(Application(signed.id).state, 'contract_concluded')
        self.assertEqual(Application(application.id).state, 'contract_sent')
        pay(mount_sandbox(self), application.invoices[0])
        self.assertEqual(Application(application.id).state,
            'contract_concluded')

    @with_transaction()
    def test_merchant_per_branch(self):
        "A branch with its own section pays to its own merchant"
        from trytond.modules.lk_base.tests.tools import set_config
        from ..exceptions import GatewayError
        from ..yookassa import YooKassaGateway
        sandbox = mount_sandbox(self)
        invoice, = offer().invoices
        self.assertEqual(invoice.branch.code, 'krsk')
        # the bank knows only the merchant of Красноярскэнерго
        sandbox.username, sandbox.password = 'krsk-merchant', 'krsk-password'
        with self.assertRaises(GatewayError):
            gateway.get(None).register('x', 1, RETURN, FAIL, 'x')
        for option, value in [('username', 'krsk-merchant'),
                ('password', 'krsk-password'), ('secret', 'krsk-key')]:
            set_config(self, 'lk_payment_krsk', option, value)
        service = gateway.get(invoice.branch)
        self.assertEqual((service.username, service.secret, service.url),
            ('krsk-merchant', 'krsk-key', 'http://bank.test'))
        sandbox.secret = 'krsk-key'
        payment = pay(sandbox, invoice)
        self.assertEqual(payment.state, 'captured')
        yookassa = YooKassaGateway('1', 'k', url='http://kassa.test',
            timeout=3).for_branch(invoice.branch)
        self.assertEqual(
            (yookassa.shop_id, yookassa.secret_key, yookassa.timeout),
            ('krsk-merchant', 'krsk-password', 3))

    def test_yookassa_shops_of_two_threads(self):
        "Two threads paying to two YooKassa shops at once each pay to theirs"
        import threading

        import yookassa

        from ..standin.yookassa import YooKassa
        from ..yookassa import YooKassaGateway
        kassas, gateways = [], []
        for shop in ['krsk', 'khakassia']:
            kassa = YooKassa(shop_id=shop, secret_key=shop + '-key')
            kassa.base_url, stop = serve(kassa)
            self.addCleanup(stop)
            kassas.append(kassa)
            gateways.append(YooKassaGateway(shop, shop + '-key',
                    url=kassa.base_url + '/v3', timeout=5))
        configure = yookassa.Configuration.configure
        first_configured, second_configured = (
            threading.Event(), threading.Event())

        def configured(account_id, *args, **kwargs):
            configure(account_id, *args, **kwargs)
            if account_id == 'krsk':
                # the second thread configures its shop now, if it can,
                # before the first one's client is made
                first_configured.set()
                second_configured.wait(timeout=1)
            else:
                second_configured.set()
        results = {}

        def register(gateway):
            try:
                results[gateway.shop_id] = gateway.register(
                    'order-' + gateway.shop_id, 100, RETURN, FAIL, 'x')
            except Exception as exception:
                results[gateway.shop_id] = exception
        with patch.object(yookassa.Configuration, 'configure',
                staticmethod(configured)):
            first = threading.Thread(target=register, args=[gateways[0]])
            first.start()
            self.assertTrue(first_configured.wait(timeout=5))
            second = threading.Thread(target=register, args=[gateways[1]])
            second.start()
            first.join(10)
            second.join(10)
        self.assertEqual(sorted(results), ['khakassia', 'krsk'])
        for kassa in kassas:
            self.assertEqual(
                [p['metadata']['order_number']
                    for p in kassa.payments.values()],
                ['order-' + kassa.shop_id])

    @with_transaction()
    def test_reconciliation(self):
        "The gateway's word against ours, order by order, asked outside "
        "the transaction that read ours"
        pool = Pool()
        Payment = pool.get('lk.payment')
        sandbox = mount_sandbox(self)
        paid = pay(sandbox, offer().invoices[0])
        left = pay(sandbox, offer().invoices[0], 'abandon')
        sandbox.orders[left.bank_order]['status'] = 2  # not known to us
        gone = pay(sandbox, offer().invoices[0], 'abandon')
        del sandbox.orders[gone.bank_order]  # the gateway answers an error
        today = dt.date.today()
        status = gateway.RbsGateway.status
        committed = []

        def asked(service, order_id):
            committed.append(commit.called)
            return status(service, order_id)
        with patch('trytond.modules.lk_payment.payment.commit') as commit, \
                patch.object(gateway.RbsGateway, 'status', autospec=True,
                    side_effect=asked):
            result = Payment.reconcile(today, today)
        self.assertTrue(committed)
        self.assertTrue(all(committed), committed)
        # only these: payments left by other tests are in the period too
        rows = {r.payment: r for r in result
            if r.payment in {paid.id, left.id, gone.id}}
        self.assertEqual(
            (rows[paid.id].gateway_status, rows[paid.id].gateway_paid,
                rows[paid.id].captured, rows[paid.id].match),
            ('paid', Decimal('550.45'), Decimal('550.45'), True))
        self.assertEqual(
            (rows[left.id].gateway_status, rows[left.id].gateway_paid,
                rows[left.id].captured, rows[left.id].match),
            ('paid', Decimal('550.45'), Decimal(0), False))
        self.assertEqual((rows[gone.id].match, rows[gone.id].gateway_status),
            (False, None))
        self.assertIn('getOrderStatusExtended.do', rows[gone.id].error)
        self.assertEqual(rows[paid.id].invoice, paid.invoice.number)

    @with_transaction()
    def test_unpaid_offer_annulled(self):
        "A reminder before the term, the application annulled after it"
        pool = Pool()
        Invoice = pool.get('lk.payment.invoice')
        Notification = pool.get('lk.notification')
        start = dt.datetime(2026, 3, 2, 9)
        with patch(CLOCK, return_value=start):
            application = offer()
        invoice, = application.invoices
        with patch(CLOCK, return_value=start):
            Invoice.remind_unpaid()
            Invoice.annul_unpaid()
        self.assertIsNone(Invoice(invoice.id).reminded_at)
        due = dt.datetime.combine(invoice.due_date, dt.time(9))
        with patch(CLOCK, return_value=due - dt.timedelta(days=1)):
            Invoice.remind_unpaid()
        self.assertTrue(Invoice(invoice.id).reminded_at)
        self.assertTrue(Notification.search([
                    ('subject', 'ilike', '%' + invoice.number + '%')]))
        with patch(CLOCK, return_value=due + dt.timedelta(days=2)), \
                patch('trytond.modules.lk_applications.application.today',
                    return_value=invoice.due_date + dt.timedelta(days=2)):
            Invoice.annul_unpaid()
        invoice = Invoice(invoice.id)
        self.assertEqual(invoice.state, 'cancelled')
        self.assertEqual(invoice.application.state, 'annulled')

    @with_transaction()
    def test_installment_reminded(self):
        "A later installment is reminded of before its term, once, without "
        "the lapse of the offer"
        pool = Pool()
        Invoice = pool.get('lk.payment.invoice')
        Notification = pool.get('lk.notification')
        Transfer = pool.get('lk.payment.transfer')
        application = offer(amount=Decimal('1000.00'), schedule=True)
        first, second, third, _ = sorted(
            application.invoices, key=lambda i: i.installment)
        Transfer(invoice=first, date=dt.date.today(),
            amount=first.total).save()
        second, third = Invoice.browse([second.id, third.id])
        self.assertTrue(second.due_date)
        self.assertIsNone(third.due_date)

        def reminders(invoice):
            return Notification.search([
                    ('subject', 'ilike', '%' + invoice.number + '%')])
        due = dt.datetime.combine(second.due_date, dt.time(9))
        with patch(CLOCK, return_value=due - dt.timedelta(days=3)):
            Invoice.remind_unpaid()
        self.assertEqual(reminders(second), [])
        for _ in range(2):
            with patch(CLOCK, return_value=due - dt.timedelta(days=1)):
                Invoice.remind_unpaid()
        reminder, = reminders(second)
        self.assertIn('300,00', reminder.body)
        self.assertIn('installment 2', reminder.body)
        self.assertNotIn('annulled', reminder.body)
        self.assertEqual(reminders(third), [])
        # an installment whose term has passed unreminded is not told to
        # pay by a day gone
        Invoice.write([third], {'due_date': second.due_date})
        with patch(CLOCK, return_value=due + dt.timedelta(days=1)):
            Invoice.remind_unpaid()
        self.assertEqual(reminders(third), [])

    @with_transaction()
    def test_qr_payload(self):
        "ST00012 with every required field, the sum in kopecks"
        invoice, = offer().invoices
        payload = invoice.qr_payload()
        fields_ = dict(p.split('=', 1) for p in payload.split('|')[1:])
        self.assertTrue(payload.startswith('ST00012|'))
        self.assertEqual(fields_['Sum'], '55045')
        self.assertEqual(fields_['PersonalAcc'], '40702810731000000013')
        self.assertEqual(fields_['BIC'], '040407627')
        self.assertEqual(fields_['CorrespAcc'], '30101810800000000627')
        self.assertEqual(fields_['PayeeINN'], '2460069527')
        self.assertIn(invoice.number, fields_['Purpose'])

    @with_transaction()
    def test_invoice_pdf(self):
        "The PDF read back: amounts, VAT, words, bank details, the QR code"
        from trytond.modules.lk_edo.tests.tools import pdf_qr_codes, pdf_text
        pool = Pool()
        Report = pool.get('lk_payment.invoice', type='report')
        with patch(CLOCK, return_value=dt.datetime(2026, 3, 2, 9)):
            invoice, = offer(amount=Decimal('50550.45')).invoices
        _, data, _, _ = Report.execute([invoice.id], {
                'model': invoice.__name__, 'id': invoice.id})
        text = pdf_text(data)
        for expected in ["50 550,45", "9 115,65", "22 %",
                "пятьдесят тысяч пятьсот пятьдесят рублей 45 копеек",
                "040407627", "40702810731000000013",
                "30101810800000000627", "2460069527",
                "ПАО Сбербанк г. Красноярск", invoice.number]:
            self.assertIn(expected, text.replace('\u00a0', ' '))
        payload, = pdf_qr_codes(data, page=0, scale=4)
        self.assertEqual(payload, invoice.qr_payload())
        fields_ = dict(p.split('=', 1) for p in payload.split('|')[1:])
        self.assertEqual(fields_, {
                'Name': "ПАО «Россети Сибирь»",
                'PersonalAcc': '40702810731000000013',
                'BankName': "ПАО Сбербанк г. Красноярск",
                'BIC': '040407627', 'CorrespAcc': '30101810800000000627',
                'Sum': '5055045', 'Purpose': invoice.purpose,
                'PayeeINN': '2460069527', 'KPP': '246001001',
                'Contract': invoice.contract_number})

    def test_two_sessions_pay_same_invoice(self):
        "Two sessions record the capture of one invoice at once on "
        "PostgreSQL: exactly one captured payment, the other reversed"
        import threading
        from trytond import backend
        from trytond.tests.test_tryton import DB_NAME
        from trytond.transaction import Transaction
        if backend.name != 'postgresql':
            self.skipTest("PostgreSQL only")
        sandbox = mount_sandbox(self)
        with Transaction().start(DB_NAME, 0) as transaction:
            Payment = Pool().get('lk.payment')
            invoice, = offer().invoices
            urls = [Payment.start(invoice, RETURN, FAIL)]
            with patch(CLOCK, return_value=dt.datetime.now()
                    + dt.timedelta(hours=1)):
                urls.append(Payment.start(invoice, RETURN, FAIL))
            order_ids = [u.rsplit('/', 1)[1] for u in urls]
            for order_id in order_ids:
                sandbox.orders[order_id]['status'] = 2  # paid, not recorded
            invoice_id = invoice.id
            transaction.commit()
        barrier = threading.Barrier(2)
        errors = []

        def record(order_id):
            service = gateway.get(None)
            order = service.status(order_id)
            for attempt in range(5):
                with Transaction().start(DB_NAME, 0) as transaction:
                    Payment = Pool().get('lk.payment')
                    payment, = Payment.search(
                        [('bank_order', '=', order_id)])
                    if not attempt:
                        barrier.wait()
                    try:
                        payment.apply(order)
                        transaction.commit()
                        return
                    except backend.DatabaseOperationalError:
                        transaction.rollback()
                    except Exception as exception:
                        errors.append(exception)
                        transaction.rollback()
                        return
        threads = [threading.Thread(target=record, args=(o,))
            for o in order_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with Transaction().start(DB_NAME, 0):
            Payment = Pool().get('lk.payment')
            Invoice = Pool().get('lk.payment.invoice')
            states = sorted(p.state for p in Payment.search(
                    [('invoice', '=', invoice_id)]))
            invoice = Invoice(invoice_id)
            self.assertEqual(states, ['captured', 'duplicate'], errors)
            self.assertEqual(
                (invoice.state, invoice.paid), ('paid', Decimal('550.45')))

del ModuleTestCase
