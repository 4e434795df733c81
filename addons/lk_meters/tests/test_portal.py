# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""«Приборы учёта» in the portal: the accounts table, linking, entering
readings, the history and its downloads, the change requests."""
import datetime as dt
import io
import re
from unittest.mock import patch

import pytest

from trytond.modules.lk_base.tests.portal_fixtures import (
    csrf, login, run_as_root, text)

NOW = dt.datetime(2026, 3, 16, 3, 0)


pytestmark = pytest.mark.usefixtures('no_login_delay')


@pytest.fixture(autouse=True)
def fixed_clock():
    with patch('trytond.modules.lk_base.clock.utcnow', return_value=NOW):
        yield


_numbers = iter(range(10**6))


@pytest.fixture
def account(portal_app):
    "An account of the billing with a meter of one 5-digit register"
    n = next(_numbers)

    def create(pool):
        Account = pool.get('lk.meter.account')
        Meter = pool.get('lk.meter')
        Reading = pool.get('lk.meter.reading')
        Branch = pool.get('lk.branch')
        branch = Branch.search([])[0]
        account = Account(
            number='18325%07d' % n, date=dt.date(2012, 10, 1),
            holder='Сергей Алексеевич Рёлин', branch=branch,
            address='Емельяновский р-н, рп Памяти 13 Борцов')
        account.save()
        meter = Meter(account=account, number='31%04d' % n,
            model='СЭ СО-505 220В 10-40А 1',
            registers=[{'code': '001', 'digits': 5}])
        meter.save()
        register, = meter.registers
        for month, value in [(1, 53700), (2, 53897)]:
            Reading.record(register, value, dt.date(2026, month, 20),
                dt.date(2026, month, 1), 'planned_check')
        return account.number, meter.id, register.id
    return run_as_root(portal_app, create)


def linked(portal_app, make_client, account):
    browser = portal_app.test_client()
    owner = make_client('fl')
    login(browser, owner)
    token = csrf(browser, '/my/meters')
    response = browser.post('/my/meters/accounts', data={
            'csrf_token': token, 'number': account[0],
            'name': 'сергей алексеевич релин'})
    assert response.status_code == 302, text(response)
    return browser, owner


def readings_count(portal_app, meter_id, **domain):
    def count(pool):
        Reading = pool.get('lk.meter.reading')
        return Reading.search_count([('meter', '=', meter_id)]
            + [(k, '=', v) for k, v in domain.items()])
    return run_as_root(portal_app, count)


def test_link_and_accounts_table(portal_app, make_client, account):
    browser = portal_app.test_client()
    login(browser, make_client('fl'))
    page = text(browser.get('/my/meters'))
    assert 'Добавить лицевой счет' in page
    assert account[0] not in page

    token = csrf(browser, '/my/meters')
    response = browser.post('/my/meters/accounts', data={
            'csrf_token': token, 'number': account[0], 'name': 'Иванов'})
    assert response.status_code == 400
    page = text(response)
    assert 'не найден. Проверьте оба поля' in page
    # what was typed is kept
    assert 'value="Иванов"' in page

    response = browser.post('/my/meters/accounts', data={
            'csrf_token': token, 'number': account[0],
            'name': '  СЕРГЕЙ  алексеевич рёлин '}, follow_redirects=True)
    page = text(response)
    assert 'добавлен' in page
    assert '№ %s от 2012-10-01' % account[0] in page
    assert 'Сергей Алексеевич Рёлин' in page
    assert 'СЭ СО-505 220В 10-40А 1' in page
    assert 'Техническая проверка (плановая)' in page
    assert '53897.0' in page
    assert 'Внести показания' in page and 'История показаний' in page

    account_id = int(re.search(
            r'/my/meters/accounts/(\d+)/remove', page).group(1))
    response = browser.post('/my/meters/accounts/%s/remove' % account_id,
        data={'csrf_token': token}, follow_redirects=True)
    assert 'удалён из личного кабинета' in text(response)
    assert 'СЭ СО-505' not in text(browser.get('/my/meters'))


def test_link_throttled(portal_app, make_client, account):
    browser = portal_app.test_client()
    login(browser, make_client('fl'))
    token = csrf(browser, '/my/meters')
    for i in range(5):
        browser.post('/my/meters/accounts', data={
                'csrf_token': token, 'number': '1%s' % i, 'name': 'x'})
    response = browser.post('/my/meters/accounts', data={
            'csrf_token': token, 'number': account[0],
            'name': 'Сергей Алексеевич Рёлин'})
    assert response.status_code == 400
    assert 'Слишком много неудачных попыток' in text(response)


def test_enter_readings(portal_app, make_client, account):
    browser, _ = linked(portal_app, make_client, account)
    _, meter_id, register_id = account
    page_url = '/my/meters/%s/readings' % meter_id
    page = text(browser.get(page_url))
    assert 'Ввод показаний по счетчику №: %s' % meter_id in page or (
        'Ввод показаний по счетчику №' in page)
    assert '53897.0 / 2026-02-20' in page
    assert 'Предыдущее показание' in page and 'Расход' in page
    assert 'март 2026' in page
    token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
    form = {'csrf_token': csrf(browser, page_url), 'token': token}

    # below the previous one without the rollover: refused next to it
    response = browser.post(page_url, data=dict(
            form, **{'value_%s' % register_id: '100'}))
    assert response.status_code == 400
    page = text(response)
    assert 'Показание меньше предыдущего (53897' in page
    assert 'value="100"' in page
    response = browser.post(page_url, data=dict(
            form, **{'value_%s' % register_id: 'abc'}))
    assert 'Введите показание числом' in text(response)
    assert readings_count(portal_app, meter_id, source='customer') == 0

    response = browser.post(page_url, data=dict(
            form, **{'value_%s' % register_id: '53 997,5'}),
        follow_redirects=True)
    page = text(response)
    assert 'Показания приняты за период: март 2026' in page
    # a double click: the same form records once
    response = browser.post(page_url, data=dict(
            form, **{'value_%s' % register_id: '53997,5'}))
    assert response.status_code == 302
    assert readings_count(portal_app, meter_id, source='customer') == 1

    # a rollover confirmed, far above the usual consumption: a warning
    page = text(browser.get(page_url))
    token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
    response = browser.post(page_url, data=dict(form, token=token, **{
                'value_%s' % register_id: '00050',
                'rollover_%s' % register_id: '1'}), follow_redirects=True)
    page = text(response)
    assert 'намного выше обычного' in page
    assert 'переход через ноль' in page
    assert readings_count(portal_app, meter_id, source='customer') == 2
    assert readings_count(portal_app, meter_id, source='customer',
        state='valid') == 1


def test_late_reading(portal_app, make_client, account):
    browser, _ = linked(portal_app, make_client, account)
    _, meter_id, register_id = account
    page_url = '/my/meters/%s/readings' % meter_id
    with patch('trytond.modules.lk_base.clock.utcnow',
            return_value=dt.datetime(2026, 3, 27, 3, 0)):
        page = text(browser.get(page_url))
        assert 'принимаются с 15 по 25 число' in page
        assert 'апрель 2026' in page
        token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
        response = browser.post(page_url, data={
                'csrf_token': csrf(browser, page_url), 'token': token,
                'value_%s' % register_id: '54000'}, follow_redirects=True)
    assert 'Показания приняты за период: апрель 2026' in text(response)


def test_history_and_downloads(portal_app, make_client, account):
    browser, _ = linked(portal_app, make_client, account)
    _, meter_id, _ = account
    page = text(browser.get('/my/meters/%s/history' % meter_id))
    assert '<svg' in page and 'role="img"' in page
    assert 'График в виде таблицы' in page
    assert '197.0' in page
    response = browser.get('/my/meters/%s/history.csv' % meter_id)
    assert response.status_code == 200
    data = response.get_data().decode('utf-8-sig')
    assert data.splitlines()[0].startswith('№ счетного устройства;')
    assert '53897' in data
    response = browser.get('/my/meters/%s/history.xlsx' % meter_id)
    assert response.status_code == 200
    import openpyxl
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert book.active.max_row == 3


def test_change_request(portal_app, make_client, account):
    browser, _ = linked(portal_app, make_client, account)
    _, meter_id, _ = account
    page_url = '/my/meters/%s/change' % meter_id
    token = csrf(browser, page_url)
    response = browser.post(page_url, data={
            'csrf_token': token, 'field': 'reading', 'reading': '',
            'new_value': '53800'})
    assert response.status_code == 400
    assert 'Выберите ошибочное показание' in text(response)
    response = browser.post(page_url, data={
            'csrf_token': token, 'field': 'model',
            'new_value': 'СЭ СО-505 220В 5-60А'}, follow_redirects=True)
    page = text(response)
    assert 'Запрос отправлен' in page
    assert 'Ожидает' in page
    assert 'СЭ СО-505 220В 5-60А' in page


def test_setup_demo(portal_app):
    from trytond.modules.lk_meters.demo import setup_demo

    def run(pool):
        setup_demo()
        setup_demo()  # idempotent
        Account = pool.get('lk.meter.account')
        Application = pool.get('lk.application')
        return (Account.search_count([('number', '=', '183251366600')]),
            Application.search_count([
                    ('kind.code', '=', 'meter_admission'),
                    ('meter.account.number', '=', '183251366600')]) <= 1)
    assert run_as_root(portal_app, run) == (1, True)


def _step(browser, application_id, step, data):
    url = '/my/applications/%s/edit/%s' % (application_id, step)
    return browser.post(url, data=dict(
            data, csrf_token=csrf(browser, url), action='next'))


def _kind(portal_app, code):
    "The id of the kind and of its reasons"
    def read(pool):
        kind, = pool.get('lk.application.kind').search([('code', '=', code)])
        return kind.id, [r.id for r in kind.meter_reasons]
    return run_as_root(portal_app, read)


def test_meter_application(portal_app, make_client, account):
    "«Заявки по направлению приборы учета»: list, chooser, 5 steps, submit"
    browser, _ = linked(portal_app, make_client, account)
    _, meter_id, _ = account
    page = text(browser.get('/my/meter-applications'))
    assert 'Заявки по направлению приборы учета' in page
    for label in ['Искать с', 'По', 'Статус', 'Найти', 'Обновить', 'ИД',
            'Дата создания/Дата изменения', 'ФЛ/ЮЛИП', 'ФИО/Название',
            'Данные', 'Управление', 'Ничего не найдено']:
        assert label in page, label
    assert 'Для отображения заявок поданных до 01.12.2016' in page

    page = text(browser.get('/my/meter-applications/new'))
    for name in ['Допуск в эксплуатацию прибора учета', 'Проверка ПУ',
            'Перепрограммирование ПУ',
            'Снятие показаний прибора учета сетевой организацией']:
        assert name in page
    # the chooser of technological connection does not offer them
    assert 'Проверка ПУ' not in text(browser.get('/my/applications/new'))
    token = csrf(browser, '/my/meter-applications/new')
    response = browser.post('/my/meter-applications/new',
        data={'csrf_token': token})
    assert response.status_code == 400
    response = browser.post('/my/meter-applications/new',
        data={'csrf_token': token, 'kind': 'meter_check'})
    assert response.status_code == 302
    location = response.headers['Location']
    assert location.endswith('/edit/request')
    application_id = int(re.search(r'/my/applications/(\d+)/', location)
        .group(1))

    page = text(browser.get(location))
    assert 'Шаг 1 из 5' in page
    for label in ['Вид заявки', 'Реквизиты и контакты', 'Объект',
            'Технические данные', 'Документы', 'Прошу осуществить',
            'В связи с', 'Сомнением в правильности показаний']:
        assert label in page, label
    check, check_reasons = _kind(portal_app, 'meter_check')
    admission, admission_reasons = _kind(portal_app, 'meter_admission')
    assert re.search(r'<input checked[^>]*value="%s"' % check, page)
    # a reason of another kind is refused next to the field
    response = _step(browser, application_id, 'request', {
            'kind': check, 'meter_reason': admission_reasons[0]})
    assert response.status_code == 400
    assert 'Выберите причину' in text(response)
    # the client changes the kind on the first step
    response = _step(browser, application_id, 'request', {
            'kind': admission, 'meter_reason': admission_reasons[1]})
    assert response.status_code == 302, text(response)
    assert response.headers['Location'].endswith('/edit/requisites')

    response = _step(browser, application_id, 'requisites', {
            'applicant_name': 'Рёлин Сергей Алексеевич',
            'applicant_phone': '+7 913 123-45-67',
            'applicant_email': 'relin@example.com',
            'postal_address': '660000, г. Красноярск, ул. Ленина, д. 1'})
    assert response.status_code == 302, text(response)
    page = text(browser.get(
            '/my/applications/%s/edit/object' % application_id))
    assert 'Шаг 3 из 5' in page
    assert 'СЭ СО-505 220В 10-40А 1' in page
    response = _step(browser, application_id, 'object', {'meter': ''})
    assert response.status_code == 400
    response = _step(browser, application_id, 'object', {
            'meter': meter_id, 'object_address': ''})
    assert response.status_code == 302, text(response)
    # the meter's number and model come into the technical data
    page = text(browser.get(
            '/my/applications/%s/edit/technical' % application_id))
    assert 'value="31' in page and 'value="СЭ СО-505 220В 10-40А 1"' in page
    response = _step(browser, application_id, 'technical', {
            'meter_number': '310997', 'meter_model': 'СЭ СО-505 220В 10-40А 1', 'voltage': '0.22',
            'work_date': '2026-03-20'})
    assert response.status_code == 302, text(response)

    url = '/my/applications/%s/edit/documents' % application_id
    page = text(browser.get(url))
    assert 'Шаг 5 из 5' in page and 'Паспорт прибора учета' in page
    response = browser.post(url, data={
            'csrf_token': csrf(browser, url), 'action': 'submit',
            'document_meter_passport': (io.BytesIO(PDF), 'passport.pdf')},
        content_type='multipart/form-data', follow_redirects=True)
    page = text(response)
    assert 'Заявка на допуск в эксплуатацию прибора учета' in page
    assert 'Входящая' in page
    assert 'Установкой нового прибора учета' not in page  # reason [1]
    assert 'Заменой прибора учета' in page
    assert 'Емельяновский р-н' in page
    assert '/my/meter-applications' in page  # «← Назад» to its list

    page = text(browser.get('/my/meter-applications'))
    assert 'Допуск в эксплуатацию прибора учета' in page
    assert 'в связи с: Заменой прибора учета' in page
    assert 'ФЛ' in page
    # not among the applications for technological connection
    assert 'прибора учета' not in text(browser.get('/my/applications'))

    # another client: 404 for the application and its steps, empty list
    other = portal_app.test_client()
    login(other, make_client('fl'))
    assert other.get(
        '/my/applications/%s' % application_id).status_code == 404
    assert other.get('/my/applications/%s/edit/request'
        % application_id).status_code == 404
    assert 'Ничего не найдено' in text(other.get('/my/meter-applications'))


PDF = b'%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'
