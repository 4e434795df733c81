# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import json
from decimal import Decimal
from unittest.mock import patch

import httpx
import respx

from trytond.modules.lk_applications.exceptions import ApplicationError
from trytond.modules.lk_base.exceptions import FileError
from trytond.modules.lk_base.tests.portal_fixtures import random_inn
from trytond.modules.lk_applications.handover import signature
from trytond.modules.lk_base.tests.tools import (
    queue_in_transaction, set_config)
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME, ModuleTestCase, RouteTestCase, _DBTestCase, with_transaction)
from trytond.transaction import Transaction

PDF = b'%PDF-1.4 scan'
HANDOVER_URL = 'https://edo.test/events'


def make_application(code='new_connection', person_kind='fl', power=15):
    "A complete draft of a new client"
    pool = Pool()
    Party = pool.get('party.party')
    Kind = pool.get('lk.application.kind')
    Application = pool.get('lk.application')
    party = Party(
        person_kind=person_kind, name="Иванов Иван", last_name="Иванов",
        first_name="Иван", notify_method='portal',
        inn=random_inn(10 if person_kind == 'ul' else 12)
        if person_kind != 'fl' else None,
        kpp='246601001' if person_kind == 'ul' else None)
    party.save()
    kind, = Kind.search([('code', '=', code)])
    application = Application.create_draft(kind, party)
    for name, value in {
            'applicant_phone': '+79131234567',
            'applicant_email': 'ivanov@example.com',
            'postal_address': "г. Красноярск", 'object_name': "Дом",
            'object_address': "г. Красноярск", 'reason': "Прошу",
            'max_power': Decimal(power), 'voltage': '0.38',
            'reliability': '3', 'load_character': "Бытовая",
            'industry': "Население", 'supplier': "Сбыт"}.items():
        setattr(application, name, value)
    application.save()
    for item in application.checklist():
        Application.attach(application, item, item.code + '.pdf', PDF)
    return application


class LkApplicationsTestCase(ModuleTestCase):
    module = 'lk_applications'

    def setUp(self):
        super().setUp()
        queue_in_transaction(self)

    @with_transaction()
    def test_category(self):
        "The category follows the person kind, the power and the kind"
        for code, kind, power, category, form in [
                ('new_connection', 'fl', 15, 'fl_15', 'offer'),
                ('new_connection', 'fl', 16, 'upto_150', 'offer'),
                ('new_connection', 'ul', 150, 'upto_150', 'offer'),
                ('new_connection', 'ul', 151, 'upto_670', 'signature'),
                ('new_connection', 'ip', 670, 'from_670', 'signature'),
                ('temporary', 'ul', 100, 'temporary', 'signature'),
                ('documents_restoration', 'fl', 5, None, None),
                ]:
            application = make_application(code, kind, power)
            self.assertEqual(
                (application.category, application.contract_form),
                (category, form), (code, kind, power))

    @with_transaction()
    def test_section_migrated_from_group(self):
        "A database without sections: the asset transfers get theirs"
        pool = Pool()
        Kind = pool.get('lk.application.kind')
        Kind.__table_handler__().drop_column('section')

        Kind.__register__('lk_applications')

        sections = {k.code: k.section for k in Kind.search([])}
        self.assertEqual(sections.pop('asset_transfer'), 'assets')
        self.assertEqual(set(sections.values()), {'connection'})

    @with_transaction()
    def test_connection_kind_needs_group(self):
        "A kind of technological connection has its heading in the chooser"
        pool = Pool()
        Kind = pool.get('lk.application.kind')
        kind, = Kind.create([{'name': "Вид", 'code': 'x', 'title': "вид",
                    'workflow': 'short', 'section': 'assets'}])
        with self.assertRaises(ValidationError):
            Kind.write([kind], {'section': 'connection'})
        Kind.write([kind], {'section': 'connection', 'group': 'documents'})

    @with_transaction()
    def test_documents_by_category(self):
        "The checklist depends on the category and the person kind"
        small = make_application('new_connection', 'fl', 10)
        large = make_application('new_connection', 'ul', 700)
        self.assertEqual(
            [d.code for d in small.checklist()],
            ['plan', 'title', 'passport', 'proxy'])
        self.assertEqual(
            [d.code for d in large.checklist()],
            ['plan', 'title', 'equipment', 'single_line', 'egrul', 'proxy'])

    @with_transaction()
    def test_scan_checked_by_content(self):
        "An HTML page renamed to .pdf is refused, a PNG accepted"
        pool = Pool()
        Application = pool.get('lk.application')
        application = make_application()
        item = application.checklist()[0]
        with self.assertRaises(FileError):
            Application.attach(
                application, item, 'plan.pdf', b'<html><body>x</body></html>')
        document = Application.attach(
            application, item, 'plan.png', b'\x89PNG\r\n\x1a\n' + b'0' * 8)
        self.assertEqual(document.mimetype, 'image/png')

    @with_transaction()
    def test_scan_too_large(self):
        "A scan larger than the configured size is refused"
        pool = Pool()
        Application = pool.get('lk.application')
        set_config(self, 'lk_applications', 'max_upload_size', '100')
        application = make_application()
        with self.assertRaises(FileError):
            Application.attach(
                application, application.checklist()[0], 'plan.pdf',
                PDF + b' ' * 200)

    @with_transaction()
    def test_move_to(self):
        "The board moves an application by its buttons, checking the path"
        pool = Pool()
        Application = pool.get('lk.application')
        application = make_application()
        Application.submit([application])
        self.assertIn('accepted', application.next_states())
        Application.move_to([application], 'accepted')
        self.assertEqual(application.state, 'accepted')
        with self.assertRaises(ApplicationError):
            Application.move_to([application], 'connected')
        short = make_application('documents_restoration')
        Application.submit([short])
        Application.move_to([short], 'accepted')
        self.assertNotIn('contract_preparation', short.next_states())
        with self.assertRaises(ApplicationError):
            Application.prepare_contract([short])
        Application.move_to([short], 'closed')
        self.assertEqual(short.state, 'closed')

    @with_transaction()
    def test_overdue(self):
        "An application past its deadline is overdue and found as such"
        pool = Pool()
        Application = pool.get('lk.application')
        application = make_application()
        Application.submit([application])
        self.assertEqual(Application.search([('overdue', '=', True)]), [])
        with patch('trytond.modules.lk_applications.application.today',
                return_value=application.deadline + dt.timedelta(days=1)):
            self.assertEqual(
                Application.search([('overdue', '=', True)]), [application])
            self.assertTrue(Application(application.id).overdue)

    @with_transaction()
    def test_deadline_per_branch(self):
        "A branch rule comes before the general one"
        pool = Pool()
        Application = pool.get('lk.application')
        Rule = pool.get('lk.application.deadline')
        Branch = pool.get('lk.branch')
        branch = Branch(name="Хакасэнерго", code='KHK')
        branch.save()
        Rule(event='review', branch=branch, duration=3, sequence=1).save()
        application = make_application()
        application.branch = branch
        application.save()
        with patch('trytond.modules.lk_applications.application.today',
                return_value=dt.date(2025, 12, 30)):
            Application.submit([application])
        self.assertEqual(application.deadline, dt.date(2026, 1, 14))

    @with_transaction()
    def test_handover_retries_and_delivers_once(self):
        "A failed post is retried after a backoff; a 2xx marks it delivered"
        pool = Pool()
        Application = pool.get('lk.application')
        Event = pool.get('lk.application.event')
        set_config(self, 'lk_handover', 'url', HANDOVER_URL)
        set_config(self, 'lk_handover', 'secret', 'secret')
        application = make_application()
        Application.submit([application])
        event, = Event.search([])
        now = dt.datetime.now() + dt.timedelta(seconds=1)
        clock = patch('trytond.modules.lk_base.clock.utcnow',
            side_effect=lambda: now)
        with clock, respx.mock() as router:
            route = router.post(HANDOVER_URL).mock(side_effect=[
                    httpx.Response(503), httpx.Response(200)])
            Event.deliver_pending()
            event = Event(event.id)
            self.assertEqual((event.state, event.attempts), ('pending', 1))
            Event.deliver_pending()
            self.assertEqual(route.call_count, 1)
            now += dt.timedelta(minutes=1)
            Event.deliver_pending()
            Event.deliver_pending()
        self.assertEqual(route.call_count, 2)
        event = Event(event.id)
        self.assertEqual((event.state, event.attempts), ('done', 2))
        request = route.calls.last.request
        self.assertEqual(request.headers['Idempotency-Key'], str(event.id))
        self.assertEqual(
            request.headers['X-LK-Signature'],
            'sha256=' + signature('secret', request.content))
        body = json.loads(request.content)
        self.assertEqual(body['application']['number'], application.number)

    @with_transaction()
    def test_handover_connection_error(self):
        "An unreachable endpoint is an error to retry, not a crash"
        pool = Pool()
        Application = pool.get('lk.application')
        Event = pool.get('lk.application.event')
        set_config(self, 'lk_handover', 'url', HANDOVER_URL)
        set_config(self, 'lk_handover', 'secret', 'secret')
        Application.submit([make_application()])
        with respx.mock() as router:
            router.post(HANDOVER_URL).mock(
                side_effect=httpx.ConnectError("refused"))
            Event.deliver_pending()
        event, = Event.search([])
        self.assertEqual(event.state, 'pending')
        self.assertIn("refused", event.last_error)


class LkApplicationsRussianTestCase(_DBTestCase):
    "The module activated in a Russian database"
    module = 'lk_applications'
    language = 'ru'

    @with_transaction(context={'language': 'ru'})
    def test_notification_as_the_seed(self):
        "The client reads «Заявка на … №N … Новый статус: Принята в работу»"
        pool = Pool()
        Application = pool.get('lk.application')
        Notification = pool.get('lk.notification')
        Lang = pool.get('ir.lang')
        ru, = Lang.search([('code', '=', 'ru')])
        application = make_application()
        application.party.lang = ru
        application.party.save()
        Application.submit([application])
        Application.accept([application])
        notification = Notification.search(
            [('party', '=', application.party.id)], limit=1)[0]
        self.assertEqual(
            notification.subject,
            "Заявка на присоединение впервые вводимых в эксплуатацию ЭПУ "
            "№%s" % application.number)
        self.assertEqual(
            notification.body,
            "Изменена заявка на присоединение впервые вводимых в "
            "эксплуатацию ЭПУ.\nНомер заявки на сайте: %s\n"
            "Новый статус: Принята в работу\n"
            "Срок (Рассмотрение заявки): %s" % (
                application.number,
                application.deadline.strftime('%d.%m.%Y')))
        self.assertEqual(
            notification.link, '/my/applications/%s' % application.id)

    @with_transaction(context={'language': 'ru'})
    def test_states_in_russian(self):
        "The states carry the trade's names"
        pool = Pool()
        Application = pool.get('lk.application')
        states = dict(
            Application.fields_get(['state'])['state']['selection'])
        self.assertEqual(states['incoming'], "Входящая")
        self.assertEqual(states['documents_requested'], "Дозапрос документов")
        self.assertEqual(states['execution'], "Выполнение ТУ")
        self.assertEqual(
            make_application().rec_name.split(' № ')[0],
            "Заявка на присоединение впервые вводимых в эксплуатацию ЭПУ")

    @with_transaction(context={'language': 'ru'})
    def test_print_renders_pdf(self):
        "The printable application is a PDF rendered by weasyprint"
        pool = Pool()
        Report = pool.get('lk.application', type='report')
        application = make_application()
        ext, content, _, name = Report.execute([application.id], {})
        self.assertEqual(ext, 'pdf')
        self.assertTrue(bytes(content).startswith(b'%PDF'))


class LkApplicationsRouteTestCase(RouteTestCase):
    "The read API for internal systems"
    module = 'lk_applications'

    @classmethod
    def setUpDatabase(cls):
        pool = Pool()
        User = pool.get('res.user')
        UserApplication = pool.get('res.user.application')
        ModelData = pool.get('ir.model.data')
        Application = pool.get('lk.application')
        user = User(login='edo', name="Документооборот", groups=[
                ModelData.get_id('lk_base', 'group_lk_admin')])
        user.save()
        key = UserApplication(
            user=user, application='lk_applications', key='edo-key',
            state='validated')
        key.save()
        application = make_application()
        Application.submit([application])
        cls.number = application.number
        Transaction().commit()

    def test_list_and_one(self):
        "Applications since a date and one by number, with a key"
        client = self.client()
        url = '/%s/lk_applications/applications' % DB_NAME
        self.assertEqual(client.get(url).status_code, 401)
        headers = {'Authorization': 'bearer edo-key'}
        response = client.get(
            url, query_string={'since': '2000-01-01T00:00:00'},
            headers=headers)
        self.assertEqual(response.status_code, 200)
        numbers = [a['number'] for a in response.json['applications']]
        self.assertIn(self.number, numbers)
        response = client.get(url + '/' + self.number, headers=headers)
        self.assertEqual(response.json['state'], 'incoming')
        self.assertEqual(response.json['history'][0]['state'], 'draft')
        response = client.get(url + '/no-such', headers=headers)
        self.assertEqual(response.status_code, 404)
        response = client.get(
            url, query_string={'since': 'yesterday'}, headers=headers)
        self.assertEqual(response.status_code, 400)


del ModuleTestCase, RouteTestCase, _DBTestCase
