# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import hashlib
from decimal import Decimal
from unittest.mock import patch

from trytond.modules.lk_applications.tests.test_module import (
    make_application)
from trytond.modules.lk_base.tests.tools import queue_in_transaction
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from ..exceptions import EdoError, EdoModificationError, SigningError
from .. import formats
from .tools import pdf_pages, pdf_qr_codes, pdf_text

CLOCK = 'trytond.modules.lk_base.clock.utcnow'


def person_application():
    "A submitted application of Гузиков Иван Игоревич, the contract sent"
    pool = Pool()
    Application = pool.get('lk.application')
    application = make_application(power=15)
    party = application.party
    party.last_name, party.first_name, party.middle_name = (
        "Гузиков", "Иван", "Игоревич")
    party.name = "Гузиков Иван Игоревич"
    party.save()
    application.applicant_name = party.name
    application.save()
    Application.submit([application])
    Application.accept([application])
    Application.prepare_contract([application])
    return application


def contract(application, amount=Decimal('50550.00')):
    pool = Pool()
    Document = pool.get('lk.application.document')
    Type = pool.get('lk.edo.document.type')
    type_, = Type.search([('code', '=', 'contract')])
    return Document.edo_create(application, type_, amount=amount)


def last_code(phone):
    "The code of the last SMS the outbox stand-in got for phone"
    pool = Pool()
    Delivery = pool.get('lk.notification.delivery')
    Outbox = pool.get('lk.sms.outbox')
    Delivery.queue_process()
    message, = Outbox.search(
        [('phone', '=', phone)], order=[('id', 'DESC')], limit=1)
    return message.text.split()[1]


def verify_mobile(party):
    pool = Pool()
    Code = pool.get('lk.edo.code')
    Code.send_phone_code(party)
    result = Code.verify_phone(party, last_code(party.edo_mobile))
    assert result is None, result


def make_cms(digest, algorithm='sha256'):
    "A detached CMS SignedData over digest with a self-made certificate"
    from asn1crypto import cms, keys, x509
    name = x509.Name.build({
            'common_name': 'ПАО «Россети Сибирь»', 'country_name': 'RU'})
    certificate = x509.Certificate({
            'tbs_certificate': {
                'version': 'v3', 'serial_number': 0x1234ABCD,
                'signature': {'algorithm': 'sha256_rsa'},
                'issuer': name, 'subject': name,
                'validity': {
                    'not_before': x509.Time(
                        name='utc_time', value=dt.datetime(
                            2026, 1, 1, tzinfo=dt.timezone.utc)),
                    'not_after': x509.Time(
                        name='utc_time', value=dt.datetime(
                            2027, 1, 1, tzinfo=dt.timezone.utc)),
                    },
                'subject_public_key_info': {
                    'algorithm': {'algorithm': 'rsa'},
                    'public_key': keys.RSAPublicKey(
                        {'modulus': 2 ** 255 + 1, 'public_exponent': 65537}),
                    },
                },
            'signature_algorithm': {'algorithm': 'sha256_rsa'},
            'signature_value': b'\x00' * 32,
            })
    signer = cms.SignerInfo({
            'version': 'v1',
            'sid': cms.SignerIdentifier(name='issuer_and_serial_number',
                value={'issuer': name, 'serial_number': 0x1234ABCD}),
            'digest_algorithm': {'algorithm': algorithm},
            'signed_attrs': [
                {'type': 'content_type', 'values': ['data']},
                {'type': 'message_digest', 'values': [digest]},
                ],
            'signature_algorithm': {'algorithm': 'rsassa_pkcs1v15'},
            'signature': b'\x00' * 32,
            })
    signed = cms.SignedData({
            'version': 'v1',
            'digest_algorithms': [{'algorithm': algorithm}],
            'encap_content_info': {'content_type': 'data'},
            'certificates': [certificate],
            'signer_infos': [signer],
            })
    return cms.ContentInfo(
        {'content_type': 'signed_data', 'content': signed}).dump()


class LkEdoTestCase(ModuleTestCase):
    module = 'lk_edo'

    def setUp(self):
        super().setUp()
        queue_in_transaction(self)

    def test_formats(self):
        "Names in a case, amounts in words, dates, VAT by date"
        self.assertEqual(
            formats.person_name("Гузиков", "Иван", "Игоревич", 'instrumental'),
            "Гузиковым Иваном Игоревичем")
        self.assertEqual(
            formats.person_name("Петрова", "Мария", "Ивановна", 'dative'),
            "Петровой Марии Ивановне")
        self.assertEqual(
            formats.amount_words(Decimal('50550.05')),
            "пятьдесят тысяч пятьсот пятьдесят рублей 05 копеек")
        self.assertEqual(
            formats.amount_words(Decimal('21.00')), "двадцать один рубль 00 копеек")
        self.assertEqual(formats.amount(Decimal('1234567.8')),
            "1\u00a0234\u00a0567,80")
        self.assertEqual(
            formats.date_long(dt.date(2026, 6, 21)), "«21» июня 2026 г.")
        self.assertEqual(formats.vat_rate(dt.date(2025, 12, 31)), 20)
        self.assertEqual(formats.vat_rate(dt.date(2026, 1, 1)), 22)
        self.assertEqual(
            formats.vat_included(Decimal('122.00'), dt.date(2026, 2, 1)),
            Decimal('22.00'))
        self.assertEqual(
            formats.mask_name("Гузиков Иван Игоревич"), "Г****** И. И.")
        self.assertEqual(
            [formats.number(v) for v in ['0.38', Decimal('15.00'),
                    Decimal('15.5'), '10']], ['0,38', '15', '15,5', '10'])

    @with_transaction()
    def test_generated_contract(self):
        "The contract PDF names the client in the instrumental case, the fee "
        "in words, the power, the voltage and the deadline with its basis"
        application = person_application()
        document = contract(application)
        self.assertEqual(document.edo_state, 'draft')
        self.assertEqual(document.mimetype, 'application/pdf')
        text = pdf_text(document.data)
        self.assertIn("договор с Гузиковым Иваном Игоревичем", text)
        self.assertIn("пятьдесят тысяч пятьсот пятьдесят рублей 00 копеек",
            text)
        self.assertIn("НДС 22%", text)
        self.assertIn("15 кВт", text)
        self.assertIn("0,38 кВ", text)
        self.assertIn("Срок выполнения мероприятий", text)
        self.assertEqual(
            document.sha256, hashlib.sha256(document.data).hexdigest())
        self.assertEqual([s.state for s in document.statuses], ['draft'])

    @with_transaction()
    def test_branch_template(self):
        "A branch's template replaces the default one"
        pool = Pool()
        Template = pool.get('lk.edo.template')
        Branch = pool.get('lk.branch')
        application = person_application()
        branch = application.branch
        if not branch:
            branch, = Branch.create([{'name': "Красноярскэнерго",
                        'code': 'krsk', 'region': "г. Красноярск"}])
        application.branch = branch
        application.save()
        document = contract(application)
        Template.create([{
                    'type': document.edo_type.id, 'branch': branch.id,
                    'content': '<html xmlns:py="http://genshi.edgewall.org/">'
                    '<body><p>Особая форма ${names["genitive"]}</p></body>'
                    '</html>'}])
        document.__class__.edo_regenerate([document])
        self.assertIn("Особая форма Гузикова Ивана Игоревича",
            pdf_text(document.data))

    @with_transaction()
    def test_sent_version_frozen(self):
        "A sent version cannot be changed; a new version is, and notifies"
        pool = Pool()
        Document = pool.get('lk.application.document')
        Notification = pool.get('lk.notification')
        application = person_application()
        document = contract(application)
        Document.edo_send([document])
        self.assertEqual(document.edo_state, 'sent')
        with self.assertRaises(EdoModificationError):
            Document.write([document], {'data': b'%PDF-1.4 other'})
        with self.assertRaises(EdoModificationError):
            Document.delete([document])
        version = document.edo_new_version(amount=Decimal('60000'))
        self.assertEqual(
            (version.version, version.edo_number, version.edo_state),
            (2, document.edo_number, 'draft'))
        self.assertFalse(Document(document.id).current)
        Document.edo_send([version])
        subjects = [n.subject for n in Notification.search(
                [('party', '=', application.party.id)])]
        self.assertTrue(any('Новая версия' in s or 'New version' in s
                for s in subjects), subjects)

    @with_transaction()
    def test_sign_by_sms(self):
        "Signing concludes the contract, stamps the PDF with a QR code"
        pool = Pool()
        Application = pool.get('lk.application')
        Signature = pool.get('lk.edo.signature')
        Rules = pool.get('lk.edo.rules')
        application = person_application()
        document = contract(application)
        Application.send_contract([application])
        self.assertEqual(document.edo_state, 'sent')
        party = application.party
        party.mobile = '+79131234567'
        party.save()
        with self.assertRaises(SigningError):
            Signature.request_code(document)  # the mobile is not verified
        verify_mobile(party)
        Signature.request_code(document)
        rules = Rules.current()
        signature = Signature.sign(
            document, last_code('+79131234567'), rules,
            remote_addr='192.0.2.7', user_agent='Test')
        self.assertIsInstance(signature, Signature, signature)
        self.assertEqual(document.edo_state, 'signed_client')
        self.assertEqual(application.state, 'contract_concluded')
        self.assertEqual(signature.sha256, document.sha256)
        self.assertEqual(
            (signature.phone, signature.ip_address, signature.rules_version),
            ('+79131234567', '192.0.2.7', '1'))
        stamped = signature.stamped
        self.assertEqual(pdf_pages(stamped), pdf_pages(document.data) + 1)
        text = pdf_text(stamped)
        self.assertIn(signature.number, text)
        self.assertIn(document.sha256, text.replace(' ', ''))
        self.assertIn(
            signature.signed_at.strftime('%d.%m.%Y %H:%M:%S') + ' UTC', text)
        self.assertEqual(pdf_qr_codes(stamped), [signature.verify_url])
        self.assertEqual(Signature.verify(data=document.data), signature)
        self.assertEqual(Signature.verify(data=stamped), signature)
        self.assertIsNone(Signature.verify(data=document.data + b' '))
        self.assertEqual(
            Signature.verify(number=signature.number.lower()), signature)

    @with_transaction()
    def test_code_rules(self):
        "Expiry, three wrong tries, the resend throttle, another version"
        pool = Pool()
        Document = pool.get('lk.application.document')
        Signature = pool.get('lk.edo.signature')
        Rules = pool.get('lk.edo.rules')
        Code = pool.get('lk.edo.code')
        application = person_application()
        document = contract(application)
        Document.edo_send([document])
        party = application.party
        party.mobile = '+79131234568'
        party.save()
        rules = Rules.current()
        start = dt.datetime(2026, 6, 1, 10, 0)
        with patch(CLOCK, return_value=start):
            verify_mobile(party)
        with patch(CLOCK, return_value=start + dt.timedelta(minutes=2)):
            code = Signature.request_code(document)
            self.assertEqual(len(code.code_hash), 64)
            self.assertNotIn(last_code(party.edo_mobile), code.code_hash)
            # throttled: one a minute
            with self.assertRaises(SigningError):
                Signature.request_code(document)
        # expired after 5 minutes
        with patch(CLOCK, return_value=start + dt.timedelta(minutes=7, seconds=1)):
            value = last_code(party.edo_mobile)
            self.assertEqual(Signature.sign(document, value, rules),
                'lk_edo.msg_code_expired')
        # three wrong tries burn it
        with patch(CLOCK, return_value=start + dt.timedelta(minutes=8)):
            Signature.request_code(document)
            right = last_code(party.edo_mobile)
            wrong = '%06d' % ((int(right) + 1) % 10 ** 6)
            self.assertEqual(Signature.sign(document, wrong, rules),
                'lk_edo.msg_code_wrong')
            self.assertEqual(Signature.sign(document, wrong, rules),
                'lk_edo.msg_code_wrong')
            self.assertEqual(Signature.sign(document, wrong, rules),
                'lk_edo.msg_code_burnt')
            self.assertEqual(Signature.sign(document, right, rules),
                'lk_edo.msg_code_none')
        # 5 an hour
        for minute in [10, 12, 14]:
            with patch(CLOCK, return_value=start + dt.timedelta(minutes=minute)):
                Signature.request_code(document)
        with patch(CLOCK, return_value=start + dt.timedelta(minutes=16)):
            wait = Code.throttle_wait(party, 'sign', document)
            self.assertGreater(wait, 60)
            with self.assertRaises(SigningError):
                Signature.request_code(document)
        # a code for another version is refused
        with patch(CLOCK, return_value=start + dt.timedelta(minutes=70)):
            Signature.request_code(document)
            value = last_code(party.edo_mobile)
            Code.write(Code.search([('state', '=', 'active')]),
                {'sha256': '0' * 64})
            self.assertEqual(Signature.sign(document, value, rules),
                'lk_edo.msg_code_other_version')
            # without the rules accepted
            self.assertEqual(Signature.sign(document, value, None),
                'lk_edo.msg_rules_not_accepted')
        self.assertEqual(document.edo_state, 'sent')

    @with_transaction()
    def test_on_behalf_refused(self):
        "An operator acting on behalf of the client cannot sign"
        pool = Pool()
        Document = pool.get('lk.application.document')
        Signature = pool.get('lk.edo.signature')
        application = person_application()
        document = contract(application)
        Document.edo_send([document])
        with Transaction().set_context(_lk_operator=1):
            with self.assertRaises(SigningError):
                Signature.request_code(document)
            with self.assertRaises(SigningError):
                Signature.sign(document, '000000', None)

    @with_transaction()
    def test_reject(self):
        "The applicant rejects with a comment, kept in the history"
        pool = Pool()
        Document = pool.get('lk.application.document')
        application = person_application()
        document = contract(application)
        Document.edo_send([document])
        with self.assertRaises(EdoError):
            document.edo_reject(' ')
        document.edo_reject("Неверная мощность")
        self.assertEqual(document.edo_state, 'rejected')
        self.assertEqual(
            [(s.state, s.comment) for s in document.statuses][0],
            ('rejected', "Неверная мощность"))

    @with_transaction()
    def test_acts_after_connection(self):
        "Issuing the acts generates and sends them; the last signature "
        "closes the connection"
        pool = Pool()
        Application = pool.get('lk.application')
        Signature = pool.get('lk.edo.signature')
        Rules = pool.get('lk.edo.rules')
        application = person_application()
        party = application.party
        party.mobile = '+79131234569'
        party.save()
        verify_mobile(party)
        Application.send_contract([application])
        Application.conclude_contract([application])
        for method in ['start_execution', 'notify_execution',
                'check_execution', 'connect', 'issue_acts']:
            getattr(Application, method)([application])
        acts = [d for d in application.documents
            if d.edo_type and d.edo_type.closes_connection]
        self.assertEqual(
            sorted(a.edo_type.code for a in acts),
            ['act_meter', 'act_tp', 'act_tu'])
        self.assertTrue(all(a.edo_state == 'sent' for a in acts))
        rules = Rules.current()
        start = dt.datetime(2026, 7, 1, 10, 0)
        for i, act in enumerate(acts):
            self.assertEqual(application.state, 'acts_issued')
            with patch(CLOCK, return_value=start + dt.timedelta(minutes=i)):
                Signature.request_code(act)
                result = Signature.sign(act, last_code(party.edo_mobile), rules)
                self.assertIsInstance(result, Signature, result)
        self.assertEqual(application.state, 'closed')

    @with_transaction()
    def test_supply_contract(self):
        "After the act of connection the client asks for the supply "
        "contract, signs it, it goes to the supplier who accepts it"
        import httpx
        from trytond.modules.lk_base.tests.tools import set_config
        from ..standin.supplier import Supplier
        from ..supply import HttpSupplyGateway
        pool = Pool()
        Application = pool.get('lk.application')
        Signature = pool.get('lk.edo.signature')
        Supply = pool.get('lk.edo.supply')
        Rules = pool.get('lk.edo.rules')
        Notification = pool.get('lk.notification')
        supplier = Supplier(token='t0ken')
        set_config(self, 'lk_supply', 'url', 'http://supplier.test')
        set_config(self, 'lk_supply', 'token', 't0ken')
        patcher = patch.object(HttpSupplyGateway, 'transport',
            httpx.WSGITransport(app=supplier))
        patcher.start()
        self.addCleanup(patcher.stop)
        application = person_application()
        party = application.party
        party.mobile = '+79131234570'
        party.save()
        verify_mobile(party)
        with self.assertRaises(EdoError):
            Supply.request(application)  # not connected yet
        Application.write([application], {'state': 'closed'})
        contract = Supply.request(application)
        with self.assertRaises(EdoError):
            Supply.request(application)
        document = contract.document
        self.assertEqual(document.edo_type.role, 'supply')
        self.assertIn("Сбыт", pdf_text(document.data))
        Signature.request_code(document)
        Signature.sign(document, last_code(party.edo_mobile), Rules.current())
        self.assertEqual(contract.state, 'pending')
        Supply.queue_process()
        contract = Supply(contract.id)
        self.assertEqual(
            (contract.state, contract.supplier_state), ('done', 'sent'))
        body, = supplier.contracts.values()
        self.assertEqual(body['application'], application.number)
        self.assertEqual(body['document']['sha256'], document.sha256)
        Supply.check_answers()
        contract = Supply(contract.id)
        self.assertEqual(contract.supplier_state, 'accepted')
        self.assertTrue(Notification.search([
                    ('party', '=', party.id),
                    ('link', '=', '/my/applications/%d/edo' % application.id),
                    ('subject', 'ilike', '%supply%'),
                    ]))

    @with_transaction()
    def test_company_signature(self):
        "A detached CMS signature: its certificate and its digest checked"
        pool = Pool()
        Company = pool.get('lk.edo.company.signature')
        application = person_application()
        document = contract(application)
        cms_data = make_cms(hashlib.sha256(document.data).digest())
        signature, = Company.create([{
                    'document': document.id, 'name': 'contract.pdf.sig',
                    'data': cms_data}])
        self.assertEqual(signature.digest_check, 'match')
        self.assertIn('Россети', signature.subject)
        self.assertEqual(signature.serial, '1234ABCD')
        self.assertEqual(signature.digest_algorithm, 'sha256')
        other, = Company.create([{
                    'document': document.id, 'name': 'other.sig',
                    'data': make_cms(hashlib.sha256(b'x').digest())}])
        self.assertEqual(other.digest_check, 'mismatch')
        gost, = Company.create([{
                    'document': document.id, 'name': 'gost.sig',
                    'data': make_cms(b'0' * 32, algorithm='1.2.643.7.1.1.2.2')}])
        self.assertEqual(gost.digest_check, 'unknown')
        with self.assertRaises(EdoError):
            Company.create([{'document': document.id, 'name': 'bad.sig',
                        'data': b'0\x82\x00\x10not a signature'}])


    @with_transaction()
    def test_no_marker_printed(self):
        "The «(проверить)» marker of a deadline's legal basis is not printed"
        pool = Pool()
        Rule = pool.get('lk.application.deadline')
        application = person_application()
        rule = Rule.get_rule(application, 'execution')
        rule.legal_basis = "Правила ТП № 861, п. 16 (проверить)"
        rule.save()
        text = pdf_text(contract(application).data)
        self.assertIn("(Правила ТП № 861, п. 16)", text)
        self.assertNotIn("проверить", text)
        self.assertNotIn("verify", text)

    @with_transaction()
    def test_templates_extend_base(self):
        "Every generated type prints its own text with the common blocks"
        pool = Pool()
        Document = pool.get('lk.application.document')
        Type = pool.get('lk.edo.document.type')
        application = person_application()
        titles = {
            'notice': "об обеспечении сетевой организацией возможности",
            'act_tu': "о выполнении технических условий",
            'act_meter': "допуска прибора учёта",
            'act_tp': "об осуществлении технологического присоединения",
            'supply': "ДОГОВОР ЭНЕРГОСНАБЖЕНИЯ",
            }
        for code, title in titles.items():
            type_, = Type.search([('code', '=', code)])
            text = pdf_text(Document.edo_create(application, type_).data)
            self.assertIn(title, text, code)
            self.assertIn("15 кВт", text, code)
            self.assertIn("подпись / Ф. И. О.", text, code)
        self.assertNotIn("претензий", pdf_text(Document.search([
                        ('edo_type.code', '=', 'supply')])[0].data))

    @with_transaction()
    def test_preview(self):
        "Staff read the draft, regenerate it, then send it from the preview"
        pool = Pool()
        Preview = pool.get('lk.edo.document.preview', type='wizard')
        Template = pool.get('lk.edo.template')
        application = person_application()
        document = contract(application)
        session_id, _, _ = Preview.create()
        preview = Preview(session_id)
        with Transaction().set_context(
                active_model=document.__name__, active_id=document.id,
                active_ids=[document.id]):
            values = preview.default_start(None)
            self.assertEqual(values['data'], document.data)
            self.assertTrue(values['draft'] and values['regenerable'])
            Template.create([{'type': document.edo_type.id,
                        'content': '<html xmlns:py="http://genshi.edgewall'
                        '.org/"><body><p>Проект договора</p></body></html>'}])
            self.assertEqual(preview.transition_regenerate(), 'start')
            self.assertIn("Проект договора",
                pdf_text(preview.default_start(None)['data']))
            self.assertEqual(preview.transition_send(), 'end')
        self.assertEqual(document.__class__(document.id).edo_state, 'sent')

    @with_transaction()
    def test_generate(self):
        "Staff generate the contract of an application from the back office"
        pool = Pool()
        Generate = pool.get('lk.edo.document.generate', type='wizard')
        Type = pool.get('lk.edo.document.type')
        application = person_application()
        type_, = Type.search([('code', '=', 'contract')])
        session_id, _, _ = Generate.create()
        generate = Generate(session_id)
        generate.start.type = type_
        generate.start.amount = Decimal('50550')
        with Transaction().set_context(
                active_model=application.__name__, active_id=application.id,
                active_ids=[application.id]):
            _, data = generate.do_generate({})
        document, = application.__class__(application.id).edo_documents
        self.assertEqual(data['res_id'], [document.id])
        self.assertEqual(
            (document.edo_state, document.edo_amount),
            ('draft', Decimal('50550')))
        self.assertIn("пятьдесят тысяч пятьсот пятьдесят рублей",
            pdf_text(document.data))

    @with_transaction()
    def test_offer_accepted_by_payment(self):
        "The hook of lk_payment: a paid offer concludes the contract"
        pool = Pool()
        Application = pool.get('lk.application')
        History = pool.get('lk.application.history')
        Notification = pool.get('lk.notification')
        application = person_application()
        self.assertEqual(application.contract_form, 'offer')
        document = contract(application)
        self.assertEqual(
            Application.accept_offer_by_payment([application]), [])
        Application.send_contract([application])
        concluded = Application.accept_offer_by_payment(
            [application], invoice="№ 17 от 22.06.2026")
        self.assertEqual(concluded, [application])
        self.assertEqual(application.state, 'contract_concluded')
        document = document.__class__(document.id)
        self.assertEqual(document.edo_state, 'accepted')
        self.assertIn("№ 17", document.statuses[0].comment)
        history = History.search(
            [('application', '=', application.id)], limit=1)[0]
        self.assertEqual(history.state, 'contract_concluded')
        self.assertIn("№ 17", history.remark)
        self.assertTrue(Notification.search([
                    ('party', '=', application.party.id),
                    ('link', '=', '/my/applications/%d' % application.id)]))
        # paid again: nothing more happens
        self.assertEqual(
            Application.accept_offer_by_payment([application]), [])

    @with_transaction()
    def test_offer_not_accepted_by_payment(self):
        "The contract of a larger applicant is signed, not paid"
        pool = Pool()
        Application = pool.get('lk.application')
        application = make_application(person_kind='ul', power=300)
        Application.submit([application])
        Application.accept([application])
        Application.prepare_contract([application])
        contract(application)
        Application.send_contract([application])
        self.assertEqual(application.contract_form, 'signature')
        self.assertEqual(
            Application.accept_offer_by_payment([application]), [])
        self.assertEqual(application.state, 'contract_sent')

    @with_transaction()
    def test_demo(self):
        "The demo: an offer to sign, a signed contract, the acts; twice"
        from trytond.modules.lk_base.demo import setup_demo as base_demo
        from ..demo import APPLICATIONS, setup_demo
        pool = Pool()
        Application = pool.get('lk.application')
        Signature = pool.get('lk.edo.signature')
        base_demo()
        setup_demo()
        setup_demo()
        names = [a[1] for a in APPLICATIONS]
        applications = Application.search(
            [('object_name', 'in', names)], order=[('id', 'ASC')])
        self.assertEqual(
            [a.state for a in applications],
            ['contract_sent', 'acts_issued'])
        offer, = applications[0].edo_documents
        self.assertEqual(offer.edo_state, 'sent')
        self.assertEqual(
            sorted(d.edo_state for d in applications[1].edo_documents),
            ['sent', 'sent', 'signed_client', 'signed_client'])
        self.assertEqual(len(Signature.search([
                        ('document.application', '=', applications[1].id)
                        ])), 2)


del ModuleTestCase

