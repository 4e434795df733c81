"""The whole process of technological connection (ТП) in a browser, the
seed's seven steps as one journey of a new individual and an operator:

1. the client registers, confirms the e-mail and applies for 15 kW;
2. the operator accepts the application in the operators' cabinet;
3. the offer is generated and sent (with the invoice of the fee);
4. the client pays in the RBS sandbox: «Оплачен», «Договор заключён»;
5. the client notifies that the technical conditions are fulfilled;
6. the operator records the connection, the client signs the acts by SMS
   code: «Закрыта»;
7. the client asks for the energy supply contract and signs it; the
   supplier's stand-in accepts it.

Screenshots of every step at desktop and phone width (tp-*.png)."""
import datetime as dt
import re
from decimal import Decimal
from unittest.mock import patch

import httpx
import pytest

import trytond.config as config
from trytond.modules.lk_base.tests.portal_fixtures import (
    random_snils, run_as_root)
from trytond.modules.lk_edo.standin.supplier import Supplier
from trytond.modules.lk_edo.supply import HttpSupplyGateway
from trytond.modules.lk_edo.tests.test_portal import outbox_code
from trytond.modules.lk_payment.tests.tools import PAYEE

PASSWORD = 'Light-2026-ok'
# DOMAIN.md's example rate of individuals ≤ 15 kW, per kW VAT included
RATE = Decimal('23859.53')


@pytest.fixture
def supplier(portal_app):
    "The guaranteeing supplier's stand-in behind the 'supply' gateway"
    supplier = Supplier(token='journey-token')
    if not config.has_section('lk_supply'):
        config.add_section('lk_supply')
    config.set('lk_supply', 'url', 'http://supplier.test')
    config.set('lk_supply', 'token', supplier.token)
    with patch.object(HttpSupplyGateway, 'transport',
            httpx.WSGITransport(app=supplier)):
        yield supplier


def fee_table(app, code):
    """The branch's bank details and its fee rate of individuals ≤ 15 kW,
    as staff keep them in the back office (Платежи → Получатели, Ставки
    платы за ТП)"""
    def create(pool):
        Payee = pool.get('lk.payment.payee')
        Fee = pool.get('lk.payment.fee')
        Branch = pool.get('lk.branch')
        branch, = Branch.search([('code', '=', code)])
        if not Payee.search([('branch', '=', None)]):
            Payee(**PAYEE).save()
        if not Fee.search([('branch', '=', branch.id)]):
            Fee(branch=branch, category='fl_15',
                start_date=dt.date(2026, 1, 1),
                rate=RATE, legal_basis="Тарифное решение региона").save()
    run_as_root(app, create)


def generate_offer(app, application_id):
    """What staff do in the back office (sao) where the portal has no page:
    the application's «Сформировать документ» wizard (lk_edo
    DocumentGenerate) with the type «Договор» and the fee from the rate
    table as its amount; the draft is sent with the move to «Договор
    направлен»"""
    def generate(pool):
        Application = pool.get('lk.application')
        Document = pool.get('lk.application.document')
        Type = pool.get('lk.edo.document.type')
        Fee = pool.get('lk.payment.fee')
        application = Application(application_id)
        type_, = Type.search([('code', '=', 'contract')])
        amount = Fee.compute(application)
        Document.edo_create(application, type_, amount=amount)
        return amount
    return run_as_root(app, generate)


def fetch_supplier_answers(app):
    "The cron «Fetch the Suppliers' Answers» (lk.edo.supply|check_answers)"
    run_as_root(app, lambda pool: pool.get('lk.edo.supply').check_answers())


@pytest.fixture
def operator(browser, page, live_server, make_staff):
    "An operator of Хакасэнерго in a browser context of its own"
    staff = make_staff(['group_lk_operator'], ['khakassia'])
    context = browser.new_context(
        viewport=page.viewport_size, locale='ru-RU')
    yield Operator(context.new_page(), page.screenshot_dir, live_server,
        staff)
    context.close()


class Operator:
    "The operator's own page (its own session) and what it does there"

    def __init__(self, page, directory, live_server, staff):
        self.page = page
        self.page.set_default_timeout(15000)
        self.dir = directory
        self.server = live_server
        self.staff = staff

    def shot(self, name):
        self.page.screenshot(path=str(self.dir / (name + '.png')),
            full_page=True)

    def sign_in(self):
        page = self.page
        page.goto(self.server + '/operator/login')
        page.fill('#login', self.staff.login)
        page.fill('#password', self.staff.password)
        page.keyboard.press('Enter')
        page.get_by_role('heading',
            name='Пользователи личного кабинета').wait_for()

    def open(self, application_id):
        self.page.goto(
            self.server + '/operator/applications/%d' % application_id)
        self.page.get_by_role('heading', name='История заявки').wait_for()

    def move(self, application_id, state, label, shot=None):
        "Move the application with the form of its page, as an operator"
        page = self.page
        self.open(application_id)
        page.select_option('#move-state-%d' % application_id, state)
        if shot:
            self.shot(shot)
        page.locator('form.move-form').get_by_role(
            'button', name='Перевести').click()
        page.get_by_text('переведена в статус «%s»' % label).wait_for()
        assert self.status() == label

    def status(self):
        return self.page.locator(
            '.app-status-box .app-status').inner_text().strip()


def status(page):
    "The status of the application as its page shows it to the client"
    return page.locator('.app-status-box .app-status').inner_text().strip()


def history(page):
    "(status, user) of the lines of the application's history, latest first"
    rows = page.locator('#history tbody tr')
    return [(rows.nth(i).locator('td').nth(1).inner_text().strip(),
            rows.nth(i).locator('td').nth(2).inner_text().strip())
        for i in range(rows.count())]


def sign(page, portal_app, phone):
    "Sign the document of the page by the code of the SMS outbox"
    page.get_by_label(re.compile('принимаю правила')).check()
    page.get_by_role('button', name='Получить код').click()
    page.get_by_text('Код отправлен по SMS').wait_for()
    page.fill('#code', outbox_code(portal_app, phone))
    page.get_by_role('button', name='Подписать', exact=True).click()
    page.get_by_text('Документ подписан.').wait_for()


def test_tp_process(page, shot, live_server, portal_app, confirmation_link,
        operator, scan, bank, supplier):
    snils = random_snils()
    email = 'tp-%s@example.ru' % snils
    phone = '+7913444%04d' % page.viewport_size['width']
    fee_table(portal_app, 'khakassia')

    # 1. The client registers, confirms the e-mail, applies for 15 kW
    page.goto(live_server + '/register')
    page.fill('#snils', snils)
    page.fill('#last_name', 'Кузнецова')
    page.fill('#first_name', 'Ольга')
    page.fill('#middle_name', 'Витальевна')
    page.fill('#email', email)
    page.fill('#mobile', phone)
    page.select_option('#branch', label='Республика Хакасия (Хакасэнерго)')
    page.fill('#password', PASSWORD)
    page.fill('#password2', PASSWORD)
    page.check('#consent')
    shot('tp-1a-register')
    page.click('button[type=submit].btn-primary')
    page.get_by_text('Почти готово').wait_for()
    page.goto(live_server + confirmation_link(email))
    page.get_by_text('E-mail подтверждён').wait_for()
    page.goto(live_server + '/login')
    page.fill('#snils', snils)
    page.fill('#password', PASSWORD)
    page.keyboard.press('Enter')
    page.get_by_role('heading', name='Личный кабинет').wait_for()

    page.goto(live_server + '/my/applications/new')
    page.get_by_label(
        'Присоединение впервые вводимых в эксплуатацию ЭПУ').check()
    page.get_by_role('button', name='Далее').click()
    page.get_by_text('Шаг 1 из 4').wait_for()
    assert page.input_value('#applicant_email') == email
    page.fill('#postal_address', '655017, г. Абакан, ул. Пушкина, д. 10')
    page.get_by_role('button', name='Далее').click()
    page.get_by_text('Шаг 2 из 4').wait_for()
    page.get_by_label('Объект (энергопринимающие устройства)').fill(
        'Жилой дом')
    page.get_by_label('Адрес объекта').fill(
        'Республика Хакасия, г. Абакан, ул. Садовая, д. 7')
    page.get_by_role('button', name='Далее').click()
    page.get_by_text('Шаг 3 из 4').wait_for()
    page.get_by_label('Максимальная мощность (кВт)').fill('15')
    page.get_by_label('0.22').check()
    page.get_by_label('III', exact=True).check()
    page.get_by_label(
        'Характер нагрузки (вид экономической деятельности)').fill(
        'Бытовая нагрузка')
    page.get_by_label('Отрасль').fill('Население')
    page.get_by_label('Гарантирующий поставщик').fill(
        'АО «Хакасэнергосбыт»')
    shot('tp-1b-technical-step')
    page.get_by_role('button', name='Далее').click()
    page.get_by_text('Шаг 4 из 4').wait_for()
    for name in ['plan', 'title', 'passport']:
        page.set_input_files('#document_' + name, str(scan))
    page.get_by_role('button', name='Подать заявку').click()
    page.get_by_text('Заявка подана').wait_for()
    application_id = int(re.search(
            r'/my/applications/(\d+)', page.url).group(1))
    assert status(page) == 'Входящая'
    assert history(page)[0][0] == 'Входящая'
    shot('tp-1c-submitted')

    # 2. The operator accepts the application in the operators' cabinet
    operator.sign_in()
    operator.move(application_id, 'accepted', 'Принята в работу',
        shot='tp-2a-operator-accept')
    operator.shot('tp-2b-operator-accepted')
    page.reload()
    assert status(page) == 'Принята в работу'
    assert history(page)[0] == ('Принята в работу', operator.staff.name)
    shot('tp-2c-client-accepted')

    # 3. The offer is generated and sent, with the invoice of the fee
    operator.move(application_id, 'contract_preparation',
        'Подготовка договора')
    amount = generate_offer(portal_app, application_id)
    assert amount == Decimal('357892.95')  # 15 kW × RATE
    operator.move(application_id, 'contract_sent', 'Договор направлен')
    operator.page.locator('#documents').get_by_text('Договор').first.wait_for()
    operator.shot('tp-3a-operator-sent')
    page.reload()
    assert status(page) == 'Договор направлен'
    assert page.get_by_text(
        'оферта, акцептуется оплатой счёта').count() == 1, page.inner_text(
        '.app-status-box')
    shot('tp-3b-client-offer-sent')
    page.locator('a[href$="/edo"]').first.click()
    page.get_by_role('heading', name='Документооборот').wait_for()
    assert page.locator('.edo-status-sent').count() == 1
    shot('tp-3c-client-edo-offer')

    # 4. The client pays in the RBS sandbox: the offer is accepted
    page.goto(live_server + '/my/payments')
    page.get_by_role('heading', name='Мои платежи').wait_for()
    assert page.locator('.pay-status-to_pay').count() == 1
    shot('tp-4a-payments')
    page.get_by_role('link', name='Оплатить').first.click()
    page.get_by_role('heading', name='Оплата по договорам ТП').wait_for()
    page.get_by_label('С правилами оплаты и возврата денежных средств '
        'согласен.').check()
    shot('tp-4b-pay')
    page.get_by_role('button', name='Оплатить').click()
    page.get_by_role('heading', name='Песочница платёжного шлюза').wait_for()
    assert page.get_by_text('357892,95 руб.').count() == 1
    shot('tp-4c-bank')
    page.get_by_role('button', name='Оплатить (успех)').click()
    page.get_by_text(re.compile('Банк подтвердил оплату 357.892,95 руб.')
        ).wait_for()
    shot('tp-4d-returned')
    page.goto(live_server + '/my/payments')
    assert page.locator('.pay-status-paid').inner_text().strip() == 'Оплачен'
    shot('tp-4e-paid')
    page.goto(live_server + '/my/applications/%d' % application_id)
    assert status(page) == 'Договор заключён'
    assert history(page)[0][0] == 'Договор заключён'
    assert re.search(r'Оферта акцептована: счёт № \S+ от [\d.]+ оплачен',
        page.locator('#history tbody tr').first.inner_text())
    shot('tp-4f-concluded')
    page.locator('a[href$="/edo"]').first.click()
    assert page.locator('.edo-status-accepted').inner_text().strip() == (
        'Акцептован оплатой')

    # 5. The client notifies that the technical conditions are fulfilled
    operator.move(application_id, 'execution', 'Выполнение ТУ')
    page.goto(live_server + '/my/applications/%d' % application_id)
    assert status(page) == 'Выполнение ТУ'
    shot('tp-5a-execution')
    page.get_by_role('button', name='Технические условия выполнены').click()
    page.get_by_text(
        'Компания уведомлена о выполнении технических условий.').wait_for()
    assert status(page) == 'Уведомление о выполнении ТУ получено'
    assert page.get_by_role(
        'button', name='Технические условия выполнены').count() == 0
    shot('tp-5b-notified')

    # 6. The operator records the connection; the client signs the acts
    operator.move(application_id, 'execution_check', 'Проверка выполнения ТУ')
    operator.move(application_id, 'connected', 'Присоединение выполнено')
    operator.move(application_id, 'acts_issued', 'Акты выданы',
        shot='tp-6a-operator-issue-acts')
    operator.shot('tp-6b-operator-acts-issued')
    page.goto(live_server + '/my/applications/%d/edo' % application_id)
    acts = page.locator('tr', has=page.get_by_role(
            'link', name='Ознакомиться и подписать'))
    assert acts.count() == 3
    shot('tp-6c-edo-acts')
    first = True
    while page.get_by_role('link', name='Ознакомиться и подписать').count():
        page.get_by_role('link', name='Ознакомиться и подписать').first.click()
        if first:
            # the mobile given at registration is confirmed once
            page.get_by_role(
                'button', name='Отправить код подтверждения').click()
            page.fill('#code', outbox_code(portal_app, phone))
            page.get_by_role('button', name='Подтвердить').click()
            page.get_by_text('Мобильный телефон подтверждён.').wait_for()
            shot('tp-6d-sign-act')
            first = False
        sign(page, portal_app, phone)
        assert page.get_by_text('Подписан заявителем').count() >= 1
        page.get_by_role('link', name='Документооборот').first.click()
        page.get_by_role('heading', name='Документооборот').wait_for()
    assert page.locator('.edo-status-signed_client').count() == 3
    shot('tp-6e-acts-signed')
    page.goto(live_server + '/my/applications/%d' % application_id)
    assert status(page) == 'Закрыта'
    states = [s for s, _ in history(page)]
    assert states == [
        'Закрыта', 'Акты выданы', 'Присоединение выполнено',
        'Проверка выполнения ТУ', 'Уведомление о выполнении ТУ получено',
        'Выполнение ТУ', 'Договор заключён', 'Договор направлен',
        'Подготовка договора', 'Принята в работу', 'Входящая',
        'Черновик'], states
    shot('tp-6f-closed')

    # 7. The client asks for the supply contract and signs it
    page.locator('a[href$="/edo"]').first.click()
    page.get_by_role('button', name='Запросить договор энергоснабжения'
        ).click()
    page.get_by_text('Договор энергоснабжения сформирован').wait_for()
    shot('tp-7a-supply-sign')
    sign(page, portal_app, phone)
    body, = supplier.contracts.values()
    assert body['supplier'] == 'АО «Хакасэнергосбыт»'
    assert Decimal(body['max_power']) == 15
    page.get_by_role('link', name='Документооборот').first.click()
    supply = page.locator('#supply')
    assert supply.locator('.edo-supply-sent').inner_text().strip() == (
        'Направлен поставщику')
    fetch_supplier_answers(portal_app)
    page.reload()
    assert supply.locator('.edo-supply-accepted').inner_text().strip() == (
        'Принят поставщиком')
    shot('tp-7b-supply-accepted')
    page.goto(live_server + '/my/notifications')
    assert page.get_by_text(re.compile('энергоснабжения', re.I)).count() >= 1
    shot('tp-7c-inbox')
