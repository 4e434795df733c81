"""A client links a personal account, enters a reading and sees it in the
history chart; files an application on its meter, in a browser."""
import datetime as dt
import random
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from trytond.modules.lk_base.tests.portal_fixtures import (
    PASSWORD, run_as_root)


@pytest.fixture
def account_number(portal_app):
    "An account of the billing with a year of readings; its number"
    number = '1832%08d' % random.randint(0, 10**8 - 1)

    def create(pool):
        from trytond.modules.lk_base import clock
        from trytond.modules.lk_meters.reading import month_add
        Account = pool.get('lk.meter.account')
        Meter = pool.get('lk.meter')
        Reading = pool.get('lk.meter.reading')
        Branch = pool.get('lk.branch')
        branch, = Branch.search([('code', '=', 'krasnoyarsk')])
        account = Account(number=number, date=dt.date(2012, 10, 1),
            holder='Сергей Алексеевич Рёлин', branch=branch,
            address='Емельяновский р-н, рп Памяти 13 Борцов, '
            'пер Советский, д. 78')
        account.save()
        meter = Meter(account=account, number=number[-6:],
            model='СЭ СО-505 220В 10-40А 1', address=account.address,
            registers=[{'code': '001', 'digits': 6},
                {'code': '002', 'zone': 't2', 'digits': 6}])
        meter.save()
        first = month_add(clock.today().replace(day=1), -12)
        for register, start in zip(meter.registers, [52000, 21000]):
            value = Decimal(start)
            for i in range(12):
                period = month_add(first, i)
                value += 120 + 15 * (i % 4) + (60 if period.month in {
                        12, 1, 2} else 0)
                Reading.record(register, value, period.replace(day=20),
                    period, 'planned_check' if i % 3 == 0 else 'customer')
        return number
    return run_as_root(portal_app, create)


pytestmark = pytest.mark.usefixtures('no_login_delay')


def sign_in(page, live_server, account):
    page.goto(live_server + '/login')
    page.fill('#snils', account.snils)
    page.fill('#password', PASSWORD)
    page.keyboard.press('Enter')
    page.get_by_role('heading', name='Личный кабинет').wait_for()


def link_account(page, live_server, account_number):
    page.goto(live_server + '/my/meters')
    page.get_by_role('heading', name='Добавить лицевой счет').wait_for()
    page.get_by_label('Номер личного счёта').fill(account_number)
    page.get_by_label('ФИО/Название организации').fill(
        'Сергей Алексеевич Рёлин')
    page.get_by_role('button', name='Добавить', exact=True).click()
    page.get_by_text('Лицевой счёт № %s добавлен' % account_number).wait_for()


def test_link_enter_history(
        page, shot, live_server, make_client, account_number):
    account = make_client('fl')
    sign_in(page, live_server, account)

    page.goto(live_server + '/my/meters')
    page.get_by_role('heading', name='Добавить лицевой счет').wait_for()
    page.get_by_label('Номер личного счёта').fill(account_number)
    page.get_by_label('ФИО/Название организации').fill('Иванов Иван')
    page.get_by_role('button', name='Добавить', exact=True).click()
    page.get_by_text('Лицевой счёт с таким номером').wait_for()
    shot('meters-01-link-refused')
    page.get_by_label('ФИО/Название организации').fill(
        'сергей алексеевич релин')
    page.get_by_role('button', name='Добавить', exact=True).click()
    page.get_by_text('Лицевой счёт № %s добавлен' % account_number).wait_for()
    assert page.get_by_text('СЭ СО-505 220В 10-40А 1').is_visible()
    shot('meters-02-accounts')

    page.get_by_role('link', name='Внести показания').first.click()
    page.get_by_role('heading', name='Ввод показаний по счетчику').wait_for()
    # the script that works out the consumption runs at DOMContentLoaded,
    # which may come after the heading is there
    page.wait_for_load_state('load')
    rows = page.locator('.reading-row')
    previous = [
        Decimal(rows.nth(i).get_attribute('data-previous'))
        for i in range(2)]
    # consumption as typed, a warning below the previous one
    page.fill('.reading-row >> nth=0 >> input.reading-value',
        str(previous[0] - 5))
    assert page.locator('.warning-below').first.is_visible()
    page.fill('.reading-row >> nth=0 >> input.reading-value',
        str(previous[0] + 150))
    assert page.locator('output.consumption').first.inner_text() == '150'
    page.fill('.reading-row >> nth=1 >> input.reading-value',
        str(previous[1] + 90))
    shot('meters-03-enter')
    page.get_by_role('button', name='Передать показания').click()
    page.get_by_text('Показания приняты за период').wait_for()
    page.get_by_role('heading', name='История показаний').wait_for()
    assert page.locator('svg.chart-svg rect').count() >= 12
    assert page.get_by_role('img', name='Расход по месяцам, кВт·ч').is_visible()
    shot('meters-04-history')


def test_meter_application(
        page, shot, live_server, make_client, account_number, tmp_path):
    "«Заявки по направлению приборы учета»: the kind, 5 steps, submitted"
    scan = tmp_path / 'passport.pdf'
    scan.write_bytes(
        b'%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n')
    account = make_client('fl')
    sign_in(page, live_server, account)
    link_account(page, live_server, account_number)

    page.goto(live_server + '/my/meter-applications')
    page.get_by_role(
        'heading', name='Заявки по направлению приборы учета').wait_for()
    assert page.get_by_text('Для отображения заявок поданных до 01.12.2016',
        exact=False).is_visible()
    shot('meters-05-applications-empty')
    page.get_by_role('link', name='Новая заявка').click()
    page.get_by_role('heading', name='Выберите вид заявки').wait_for()
    shot('meters-06-application-kind')
    page.get_by_label('Допуск в эксплуатацию прибора учета').check()
    page.get_by_role('button', name='Далее').click()

    page.get_by_text('Шаг 1 из 5').wait_for()
    # «В связи с» offers the reasons of the kind chosen above
    reason = page.locator('select[name="meter_reason"]')
    # meters.js hides the other kinds' reasons once it has run
    expect(reason.locator('optgroup:not([hidden])')).to_have_count(1)
    page.get_by_label('Проверка ПУ').check()
    assert page.locator('optgroup:not([hidden])').get_attribute(
        'label') == 'Проверка ПУ'
    page.get_by_label('Допуск в эксплуатацию прибора учета').check()
    reason.select_option(label='Заменой прибора учета')
    shot('meters-07-application-step1')
    page.get_by_role('button', name='Далее').click()

    page.get_by_text('Шаг 2 из 5').wait_for()
    page.fill('#applicant_phone', '+7 913 555-44-33')
    page.fill('#postal_address', '660000, г. Красноярск, ул. Ленина, д. 1')
    page.get_by_role('button', name='Далее').click()

    page.get_by_text('Шаг 3 из 5').wait_for()
    page.get_by_label('Прибор учёта').select_option(index=1)
    shot('meters-08-application-object')
    page.get_by_role('button', name='Далее').click()

    page.get_by_text('Шаг 4 из 5').wait_for()
    assert page.input_value('#meter_model') == 'СЭ СО-505 220В 10-40А 1'
    page.get_by_label('0.22').check()
    shot('meters-09-application-technical')
    page.get_by_role('button', name='Далее').click()

    page.get_by_text('Шаг 5 из 5').wait_for()
    page.set_input_files('#document_meter_passport', str(scan))
    page.get_by_role('button', name='Подать заявку').click()
    page.get_by_text('Заявка подана').wait_for()
    page.get_by_role('heading', name='Заявка по прибору учета').wait_for()
    assert page.get_by_text('Заменой прибора учета').is_visible()
    shot('meters-10-application-page')

    page.get_by_role('link', name='← Назад').click()
    page.locator('.app-status', has_text='Входящая').first.wait_for()
    shot('meters-11-applications-list')
