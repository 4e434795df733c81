# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Portal tests of the seed screens of issue 7: the remark form with one
row per file (client and operator), the search of the client's lists, the
«ФЛ/ЮР/ИП» column and the structured list of transferred objects; who may
download what, CSRF and sign-in on every new route."""
import datetime as dt
import io
import re

import pytest

from trytond.modules.lk_base.tests.portal_fixtures import (
    csrf, login, run_as_root, staff_login, text)

from .test_portal import HTML_AS_PDF, PDF, PNG, REQUISITES, new_application


pytestmark = pytest.mark.usefixtures('no_login_delay')


def submitted(app, account, code='new_connection'):
    "An application of the client's party moved to «Входящая» by root"
    def create(pool):
        Application = pool.get('lk.application')
        Kind = pool.get('lk.application.kind')
        WebUser = pool.get('web.user')
        kind, = Kind.search([('code', '=', code)])
        web_user = WebUser(account.user_id)
        application = Application.create_draft(
            kind, web_user.party, web_user)
        Application.write([application], {'state': 'incoming'})
        return application.id
    return run_as_root(app, create)


def remarks(app, application_id):
    def read(pool):
        Application = pool.get('lk.application')
        return [(r.author_kind, r.text,
                [(d.name, d.description, d.mimetype, d.uploaded_by)
                    for d in r.documents])
            for r in Application(application_id).remarks]
    return run_as_root(app, read)


def notifications(app, application_id):
    def read(pool):
        Application = pool.get('lk.application')
        Notification = pool.get('lk.notification')
        party = Application(application_id).party
        return [(n.subject, n.body, n.link) for n in Notification.search(
                [('party', '=', party.id)], order=[('id', 'ASC')])]
    return run_as_root(app, read)


def remark_documents(app, application_id):
    def read(pool):
        Document = pool.get('lk.application.document')
        return [d.id for d in Document.search([
                    ('application', '=', application_id),
                    ('remark', '!=', None)])]
    return run_as_root(app, read)


def post_remark(client, url, text_, rows, action='send', page=None):
    "rows: (file name, content or None, description) per row"
    data = {'csrf_token': csrf(client, page or url.rsplit('/', 1)[0]),
        'text': text_, 'action': action}
    for index, (name, content, description) in enumerate(rows):
        data['files-%s-description' % index] = description
        data['files-%s-file' % index] = (
            (io.BytesIO(content), name) if content is not None
            else (io.BytesIO(b''), ''))
    return client.post(url, data=data, content_type='multipart/form-data')


# F1 — the client's remark form


def test_remark_form_as_the_seed(logged_in):
    client, account = logged_in
    application_id = new_application(client, 'new_connection')
    page = text(client.get('/my/applications/%s' % application_id))
    form = page[page.index('id="remark"'):]
    form = form[:form.index('</form>')]
    for label in ['Форма добавления замечаний', 'Введите замечание',
            'Прикрепите файлы', 'Выберите файл', 'Описание']:
        assert label in form, label
    assert 'name="files-0-file"' in form
    assert 'name="files-0-description"' in form
    assert '>×</button>' in form and '>+</button>' in form
    # progressive enhancement by a static file, no inline script
    assert '/static/lk_applications/applications.js' in page
    assert not re.search(r'<script(?![^>]*\bsrc=)[^>]*>', page)
    assert ' onclick=' not in page
    assert client.get(
        '/static/lk_applications/applications.js').status_code == 200


def test_remark_rows_without_javascript(logged_in):
    "«+» and «×» submit the form; it comes back with what was typed"
    client, _ = logged_in
    application_id = new_application(client, 'new_connection')
    url = '/my/applications/%s/remark' % application_id
    response = post_remark(client, url, 'Мой «текст»',
        [(None, None, 'Схема')], action='add_row')
    assert response.status_code == 200
    page = text(response)
    assert 'Мой «текст»' in page
    assert 'value="Схема"' in page
    assert 'name="files-1-file"' in page
    response = post_remark(client, url, 'Мой «текст»',
        [(None, None, 'Схема'), (None, None, 'План')],
        action='remove_row_0')
    page = text(response)
    assert response.status_code == 200
    assert 'value="Схема"' not in page and 'value="План"' in page
    assert 'name="files-0-file"' not in page
    assert remarks(client.application, application_id) == []


def test_remark_with_a_file_per_row(logged_in):
    client, _ = logged_in
    application_id = new_application(client, 'new_connection')
    url = '/my/applications/%s/remark' % application_id
    response = post_remark(client, url, 'Прилагаю схему и план', [
            ('schema.pdf', PDF, 'Схема'),
            (None, None, ''),
            ('plan.png', PNG, 'План участка')])
    assert response.status_code == 302, text(response)
    (kind, remark, documents), = remarks(client.application, application_id)
    assert (kind, remark) == ('client', 'Прилагаю схему и план')
    assert sorted(d[:3] for d in documents) == [
        ('plan.png', 'План участка', 'image/png'),
        ('schema.pdf', 'Схема', 'application/pdf')]
    page = text(client.get('/my/applications/%s' % application_id))
    assert 'schema.pdf</a> — Схема' in page


def test_remark_bad_file_said_next_to_its_row(logged_in):
    client, _ = logged_in
    application_id = new_application(client, 'new_connection')
    url = '/my/applications/%s/remark' % application_id
    response = post_remark(client, url, 'Прилагаю', [
            ('schema.pdf', PDF, 'Схема'),
            ('virus.pdf', HTML_AS_PDF, 'Не скан')])
    assert response.status_code == 400
    page = text(response)
    row = page[page.index('name="files-1-file"'):]
    row = row[:row.index('</li>')]
    assert 'не является документом допустимого типа (PDF, JPEG, PNG)' in row
    assert 'value="Не скан"' in page and 'Прилагаю' in page
    assert remarks(client.application, application_id) == []
    # an empty remark: the Russian message next to the field
    response = post_remark(client, url, '  ', [(None, None, 'Схема')])
    assert response.status_code == 400
    assert 'Обязательное поле.' in text(response)


# F2 — the operators' remark with files


@pytest.fixture
def operator_page(portal_app, client, make_staff, khakassia_client):
    "An operator of Хакасэнерго signed in; an application of their branch"
    staff = make_staff(['group_lk_operator'], ['khakassia'])
    assert staff_login(client, staff).status_code == 302
    application_id = submitted(portal_app, khakassia_client)
    return client, staff, application_id


def test_operator_remark_with_files_notifies_the_client(
        portal_app, operator_page, khakassia_client):
    client, staff, application_id = operator_page
    page_url = '/operator/applications/%s' % application_id
    page = text(client.get(page_url))
    assert 'Форма добавления замечаний' in page
    assert 'action="%s/remark#remark"' % page_url in page
    before = len(notifications(portal_app, application_id))
    response = post_remark(client, page_url + '/remark',
        'Шаг 3. Технические данные заполнены неверно',
        [('act.pdf', PDF, 'Акт осмотра')], page=page_url)
    assert response.status_code == 302, text(response)
    (kind, remark, documents), = remarks(portal_app, application_id)
    assert kind == 'operator'
    assert documents[0][:3] == ('act.pdf', 'Акт осмотра', 'application/pdf')
    assert documents[0][3] == staff.name
    sent = notifications(portal_app, application_id)
    assert len(sent) == before + 1
    subject, body, link = sent[-1]
    assert 'Шаг 3. Технические данные заполнены неверно' in body
    assert link == '/my/applications/%s#remarks' % application_id
    # the operator and the client both download the file
    document_id, = remark_documents(portal_app, application_id)
    response = client.get('%s/documents/%s' % (page_url, document_id))
    assert response.status_code == 200 and response.data == PDF
    assert 'attachment' in response.headers['Content-Disposition']
    other = portal_app.test_client()
    login(other, khakassia_client)
    response = other.get('/my/applications/%s/documents/%s' % (
            application_id, document_id))
    assert response.status_code == 200 and response.data == PDF
    assert 'Акт осмотра' in text(
        other.get('/my/applications/%s' % application_id))


def test_operator_remark_bad_input(portal_app, operator_page):
    client, _, application_id = operator_page
    page_url = '/operator/applications/%s' % application_id
    response = post_remark(client, page_url + '/remark', 'Проверьте',
        [('scan.pdf', HTML_AS_PDF, 'Скан')], page=page_url)
    assert response.status_code == 400
    assert 'не является документом допустимого типа' in text(response)
    assert 'Проверьте' in text(response)
    response = post_remark(client, page_url + '/remark', 'Проверьте',
        [(None, None, 'Скан')], action='add_row', page=page_url)
    assert response.status_code == 200
    assert 'name="files-1-file"' in text(response)
    assert remarks(portal_app, application_id) == []


def test_operator_remark_other_branch_csrf_anonymous(
        portal_app, client, make_staff, make_client, khakassia_client):
    application_id = submitted(portal_app, khakassia_client)
    url = '/operator/applications/%s/remark' % application_id
    # anonymous: the operators' sign-in
    response = client.post(url, data={'text': 'x'})
    assert response.status_code in {302, 400}
    response = client.get('/operator/applications/%s' % application_id)
    assert '/operator/login' in response.headers['Location']
    # an operator of another branch does not find it
    staff = make_staff(['group_lk_operator'], ['altai'])
    assert staff_login(client, staff).status_code == 302
    token = csrf(client, '/operator/applications')
    response = client.post(url, data={'csrf_token': token, 'text': 'x'})
    assert response.status_code == 404
    # no CSRF token
    response = client.post(url, data={'text': 'x'})
    assert response.status_code == 400
    assert remarks(portal_app, application_id) == []


# downloads of another client's documents and remark files


def test_other_clients_remark_file_is_404(portal_app, logged_in,
        make_client):
    client, _ = logged_in
    application_id = new_application(client, 'new_connection')
    post_remark(client, '/my/applications/%s/remark' % application_id,
        'Файл', [('schema.pdf', PDF, '')])
    document_id, = remark_documents(portal_app, application_id)
    own = '/my/applications/%s/documents/%s' % (application_id, document_id)
    assert client.get(own).status_code == 200
    other = portal_app.test_client()
    other_account = make_client('fl')
    login(other, other_account)
    assert other.get(own).status_code == 404
    # nor under an application of their own
    other_id = new_application(other, 'new_connection')
    assert other.get('/my/applications/%s/documents/%s' % (
            other_id, document_id)).status_code == 404
    # nor by posting a remark or an object on the first one
    token = csrf(other, '/my/applications')
    for path in ['remark', 'edit/assets']:
        response = other.post(
            '/my/applications/%s/%s' % (application_id, path),
            data={'csrf_token': token, 'text': 'x', 'action': 'add_row'})
        assert response.status_code == 404, path
    anonymous = portal_app.test_client()
    response = anonymous.get(own)
    assert response.status_code == 302
    assert response.headers['Location'].startswith('/login?next=')


# F3 — the search of the client's lists


def set_create_date(app, application_id, date):
    def write(pool):
        Application = pool.get('lk.application')
        table = Application.__table__()
        from trytond.transaction import Transaction
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update(
                [table.create_date], [dt.datetime.combine(date, dt.time(12))],
                where=table.id == application_id))
    run_as_root(app, write)


def test_list_search_as_the_seed(portal_app, logged_in):
    client, _ = logged_in
    old = new_application(client, 'new_connection')
    recent = new_application(client, 'power_increase')
    set_create_date(portal_app, old, dt.date(2026, 1, 15))
    set_create_date(portal_app, recent, dt.date(2026, 3, 10))
    page = text(client.get('/my/applications'))
    for label in ['Искать с', 'По', 'Статус', 'Найти', 'Обновить']:
        assert label in page, label

    def found(query):
        page = text(client.get('/my/applications?' + query))
        return {i for i in (old, recent)
            if 'href="/my/applications/%s"' % i in page}
    assert found('date_from=2026-02-01') == {recent}
    assert found('date_to=2026-01-15') == {old}
    assert found('date_from=01.01.2026&date_to=31.01.2026') == {old}
    assert found('date_from=2026-01-01&state=draft') == {old, recent}
    assert found('state=incoming') == set()
    page = text(client.get('/my/applications?date_from=2026-02-01'))
    assert 'value="2026-02-01"' in page


def test_list_search_bad_dates(logged_in):
    client, _ = logged_in
    new_application(client, 'new_connection')
    page = text(client.get('/my/applications?date_from=32.13.2026'))
    field = page[page.index('id="date_from"'):]
    field = field[:field.index('</div>')]
    assert 'Введите дату в виде дд.мм.гггг.' in field
    assert 'value="32.13.2026"' in page
    page = text(client.get(
            '/my/applications?date_from=2026-03-01&date_to=2026-02-01'))
    assert 'Дата «По» раньше даты «Искать с».' in page
    page = text(client.get('/my/asset-transfers?date_to=вчера'))
    assert 'Введите дату в виде дд.мм.гггг.' in page


# F4, F5 — the asset transfers


def assets_url(application_id):
    return '/my/applications/%s/edit/assets' % application_id


def post_asset(client, application_id, action='add', **values):
    url = assets_url(application_id)
    data = {'csrf_token': csrf(client, url), 'action': action,
        'kind': 'overhead_line', 'voltage': '0.4', 'length': '',
        'capacity': '', 'address': '', 'description': ''}
    data.update(values)
    return client.post(url, data=data)


def assets(app, application_id):
    def read(pool):
        Application = pool.get('lk.application')
        application = Application(application_id)
        return [(a.kind, a.voltage, a.length, a.capacity, a.address)
            for a in application.assets], application.to_json()['assets']
    return run_as_root(app, read)


@pytest.fixture
def asset_draft(logged_in):
    client, account = logged_in
    application_id = new_application(client, 'asset_transfer')
    url = '/my/applications/%s/edit/requisites' % application_id
    response = client.post(url, data=dict(
            REQUISITES, csrf_token=csrf(client, url), action='next'))
    assert response.headers['Location'].endswith('/edit/assets')
    return client, account, application_id


def test_assets_step_as_the_seed(asset_draft):
    client, _, application_id = asset_draft
    page = text(client.get(assets_url(application_id)))
    for label in ['Передаваемые объекты', 'Вид объекта', 'Напряжение',
            'Протяжённость (м)', 'Мощность (кВА)', 'Адрес объекта',
            'Выбрать', 'Воздушная линия (ВЛ)',
            'Трансформаторная подстанция (ТП, КТП)', '10 кВ']:
        assert label in page, label
    assert '<textarea' not in page


def test_assets_added_and_removed(portal_app, asset_draft):
    client, _, application_id = asset_draft
    response = post_asset(client, application_id, length='350',
        address='с. Кожаны, ул. Лесная')
    assert response.status_code == 302
    response = post_asset(client, application_id, kind='substation',
        voltage='10', capacity='250', length='99',
        address='с. Кожаны, КТП-42')
    assert response.status_code == 302
    rows, json = assets(portal_app, application_id)
    assert [(k, v, str(l) if l else None, str(c) if c else None, a)
        for k, v, l, c, a in rows] == [
        ('overhead_line', '0.4', '350', None, 'с. Кожаны, ул. Лесная'),
        ('substation', '10', None, '250', 'с. Кожаны, КТП-42')]
    assert json[1] == {'kind': 'substation', 'voltage': '10',
        'length': None, 'capacity': '250', 'address': 'с. Кожаны, КТП-42',
        'description': None}
    page = text(client.get(assets_url(application_id)))
    assert 'с. Кожаны, КТП-42' in page and '250 кВА' in page
    remove = re.search(r'name="action" value="(remove_\d+)"', page).group(1)
    response = post_asset(client, application_id, action=remove)
    assert response.status_code == 302
    rows, _ = assets(portal_app, application_id)
    assert [r[0] for r in rows] == ['substation']
    # «Далее» goes on to the documents with an object in the list
    response = post_asset(client, application_id, action='next')
    assert response.headers['Location'].endswith('/edit/documents')
    # the application page, the list with «ФЛ/ЮР/ИП», the print
    page = text(client.get('/my/applications/%s' % application_id))
    assert 'с. Кожаны, КТП-42' in page
    page = text(client.get('/my/asset-transfers'))
    for label in ['ФЛ/ЮР/ИП', 'ФИО/Название организации',
            'Передаваемые объекты', '>ФЛ</abbr>', 'с. Кожаны, КТП-42']:
        assert label in page, label
    response = client.get('/my/applications/%s/print' % application_id)
    assert response.status_code == 200


def test_assets_bad_input_keeps_what_was_typed(portal_app, asset_draft):
    client, _, application_id = asset_draft
    response = post_asset(client, application_id, length='',
        address='с. Кожаны, «Лесная»')
    assert response.status_code == 400
    page = text(response)
    assert 'Укажите протяжённость линии.' in page
    assert 'value="с. Кожаны, «Лесная»"' in page
    response = post_asset(client, application_id, kind='substation',
        voltage='', capacity='-1', address='КТП')
    page = text(response)
    assert response.status_code == 400
    assert 'Укажите мощность от 0,1 до 1 000 000 кВА.' in page
    assert 'Обязательное поле.' in page
    response = post_asset(client, application_id, kind='other', voltage='',
        address='')
    assert response.status_code == 400
    # «Далее» without an object
    response = post_asset(client, application_id, action='next')
    assert response.status_code == 400
    assert 'Добавьте хотя бы один передаваемый объект.' in text(response)
    assert assets(portal_app, application_id)[0] == []


def test_assets_of_another_client_or_submitted(portal_app, asset_draft,
        make_client):
    client, _, application_id = asset_draft
    post_asset(client, application_id, length='10', address='ул. Лесная')
    page = text(client.get(assets_url(application_id)))
    remove = re.search(r'name="action" value="(remove_\d+)"', page).group(1)
    # a made-up line id is not found
    response = post_asset(client, application_id, action='remove_999999')
    assert response.status_code == 404
    other = portal_app.test_client()
    login(other, make_client('fl'))
    token = csrf(other, '/my/applications')
    response = other.post(assets_url(application_id), data={
            'csrf_token': token, 'action': remove})
    assert response.status_code == 404
    assert other.get(assets_url(application_id)).status_code == 404
    # without CSRF
    response = client.post(assets_url(application_id), data={
            'action': remove})
    assert response.status_code == 400
    assert len(assets(portal_app, application_id)[0]) == 1

    # once submitted the list is kept as it was
    def submit(pool):
        Application = pool.get('lk.application')
        Application.write([Application(application_id)],
            {'state': 'incoming'})
    run_as_root(portal_app, submit)
    response = client.post(assets_url(application_id), data={
            'csrf_token': csrf(client, '/my/applications'),
            'action': remove})
    assert response.status_code == 302
    assert '/edit/' not in response.headers['Location']
    assert len(assets(portal_app, application_id)[0]) == 1
