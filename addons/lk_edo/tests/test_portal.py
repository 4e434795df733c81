# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Portal tests of lk_edo: the «Обмен документами» table, reading and
signing by SMS code, downloads and their headers, another client's
documents (404), CSRF, the public verification page."""
import re
from decimal import Decimal

import pytest

from trytond.modules.lk_base.tests.portal_fixtures import (
    csrf, login, run_as_root, text)

from .tools import pdf_text


pytestmark = pytest.mark.usefixtures('no_login_delay')


def contract_sent(app, account, mobile='+79135550101'):
    "An application of the client with its contract sent; its ids"
    def create(pool):
        Application = pool.get('lk.application')
        Kind = pool.get('lk.application.kind')
        WebUser = pool.get('web.user')
        Document = pool.get('lk.application.document')
        Type = pool.get('lk.edo.document.type')
        kind, = Kind.search([('code', '=', 'new_connection')])
        web_user = WebUser(account.user_id)
        party = web_user.party
        party.mobile = mobile
        party.save()
        application = Application.create_draft(kind, party, web_user)
        Application.write([application], {
                'applicant_name': party.rec_name, 'max_power': Decimal(15),
                'voltage': '0.22', 'reliability': '3',
                'object_name': "Жилой дом", 'object_address': "г. Абакан",
                'supplier': "ПАО «Красноярскэнергосбыт»",
                'state': 'contract_preparation', 'number': 'T-%s' % web_user.id,
                })
        type_, = Type.search([('code', '=', 'contract')])
        document = Document.edo_create(
            application, type_, amount=Decimal('55000'))
        Application.send_contract([application])
        return application.id, document.id
    return run_as_root(app, create)


def outbox_code(app, phone):
    def read(pool):
        Outbox = pool.get('lk.sms.outbox')
        message, = Outbox.search(
            [('phone', '=', phone)], order=[('id', 'DESC')], limit=1)
        return re.search(r'\b(\d{6})\b', message.text).group(1)
    return run_as_root(app, read)


def test_sign_in_portal(portal_app, client, make_client):
    account = make_client('fl', last_name='Гузиков', first_name='Иван',
        middle_name='Игоревич')
    application_id, document_id = contract_sent(portal_app, account)
    assert login(client, account).status_code == 302
    page = text(client.get('/my/applications/%d' % application_id))
    edo = '/my/applications/%d/edo' % application_id
    assert edo in page and 'Документооборот' in page
    table = text(client.get(edo))
    for column in ['Тип документа', 'Управление', 'Статусы',
            'Дата изменения статуса']:
        assert column in table
    assert 'Направлен заявителю' in table
    assert 'Добавить документ' in table
    doc = '%s/%d' % (edo, document_id)
    # the PDF the client reads, with safe headers
    response = client.get(doc + '/file')
    assert response.status_code == 200
    assert response.headers['Content-Type'] == 'application/pdf'
    assert response.headers['X-Content-Type-Options'] == 'nosniff'
    assert response.headers['Content-Disposition'].startswith('inline;')
    assert 'Гузиковым Иваном Игоревичем' in pdf_text(response.data)
    # the page frames it: framed by the portal itself only, the page and
    # the other files by nobody
    assert response.headers['X-Frame-Options'] == 'SAMEORIGIN'
    assert "frame-ancestors 'self'" in response.headers[
        'Content-Security-Policy']
    page_response = client.get(doc)
    assert '<iframe class="edo-viewer" src="%s/file"' % doc in text(
        page_response)
    assert page_response.headers['X-Frame-Options'] == 'DENY'
    assert "frame-ancestors 'none'" in page_response.headers[
        'Content-Security-Policy']
    # the code is refused before the mobile is confirmed
    response = client.post(doc + '/code', data={
            'csrf_token': csrf(client, doc), 'rules': 'y'})
    assert response.status_code == 302
    assert 'подтвердите мобильный' in text(client.get(doc))
    response = client.post('/my/edo/phone/code', data={
            'csrf_token': csrf(client, doc), 'next': doc})
    assert response.status_code == 302
    client.post('/my/edo/phone/verify', data={
            'csrf_token': csrf(client, doc), 'next': doc,
            'code': outbox_code(portal_app, '+79135550101')})
    page = text(client.get(doc))
    assert 'Подтверждён: +79135550101' in page
    # without the rules accepted: the form says so
    response = client.post(doc + '/code', data={
            'csrf_token': csrf(client, doc)})
    assert response.status_code == 400
    assert 'Примите правила' in text(response)
    client.post(doc + '/code', data={
            'csrf_token': csrf(client, doc), 'rules': 'y'})
    code = outbox_code(portal_app, '+79135550101')
    wrong = '%06d' % ((int(code) + 1) % 10 ** 6)
    response = client.post(doc + '/sign', data={
            'csrf_token': csrf(client, doc), 'code': wrong})
    assert response.status_code == 400
    assert 'Неверный код' in text(response)
    response = client.post(doc + '/sign', data={
            'csrf_token': csrf(client, doc), 'code': code})
    assert response.status_code == 302
    page = text(client.get(doc))
    assert 'Подписан заявителем' in page
    stamped = re.search(r'href="(%s/signature/\d+)"' % re.escape(doc), page)
    response = client.get(stamped.group(1))
    assert response.status_code == 200
    assert response.headers['X-Content-Type-Options'] == 'nosniff'
    assert response.headers['X-Frame-Options'] == 'DENY'
    signed = response.data
    number = re.search(r'Идентификатор подписи ([0-9A-F]{16})',
        pdf_text(signed)).group(1)
    def state(pool):
        return pool.get('lk.application')(application_id).state
    assert run_as_root(portal_app, state) == 'contract_concluded'

    # the public page: masked name only
    anonymous = portal_app.test_client()
    page = text(anonymous.get('/edo/verify?number=' + number))
    assert 'совпадает' in page.lower() or 'matches' in page.lower()
    assert 'Г****** И. И.' in page
    assert 'Гузиков' not in page
    import io
    response = anonymous.post('/edo/verify', data={
            'csrf_token': csrf(anonymous, '/edo/verify'),
            'file': (io.BytesIO(signed + b'%'), 'contract.pdf')},
        content_type='multipart/form-data')
    assert 'Г****** И. И.' not in text(response)
    response = anonymous.post('/edo/verify', data={
            'csrf_token': csrf(anonymous, '/edo/verify'),
            'file': (io.BytesIO(signed), 'contract.pdf')},
        content_type='multipart/form-data')
    assert 'Г****** И. И.' in text(response)


def test_other_client_404(portal_app, client, make_client):
    owner = make_client('fl')
    application_id, document_id = contract_sent(
        portal_app, owner, mobile='+79135550102')
    other = make_client('fl')
    assert login(client, other).status_code == 302
    edo = '/my/applications/%d/edo' % application_id
    doc = '%s/%d' % (edo, document_id)
    for url in [edo, doc, doc + '/file', doc + '/signature/1',
            doc + '/company-signature/1']:
        assert client.get(url).status_code == 404, url
    token = csrf(client, '/my/applications')
    for url in [doc + '/code', doc + '/sign', doc + '/reject', edo + '/add']:
        assert client.post(url, data={'csrf_token': token, 'rules': 'y',
                    'code': '123456', 'comment': 'x'}).status_code == 404, url
    # without CSRF
    assert client.post(doc + '/reject', data={'comment': 'x'}
        ).status_code == 400


def test_supply_in_portal(portal_app, client, make_client):
    "After the connection the client asks for the supply contract once; "
    "the table then shows its status"
    account = make_client('fl')
    application_id, _ = contract_sent(
        portal_app, account, mobile='+79135550103')

    def close(pool):
        Application = pool.get('lk.application')
        Application.write([Application(application_id)], {'state': 'closed'})
    run_as_root(portal_app, close)
    assert login(client, account).status_code == 302
    edo = '/my/applications/%d/edo' % application_id
    assert 'Запросить договор энергоснабжения' in text(client.get(edo))
    response = client.post(edo + '/supply', data={
            'csrf_token': csrf(client, edo)})
    assert response.status_code == 302
    assert '#sign' in response.headers['Location']
    page = text(client.get(edo))
    assert 'Ожидает подписи' in page
    assert 'Запросить договор энергоснабжения' not in page
    assert 'Договор энергоснабжения' in page
