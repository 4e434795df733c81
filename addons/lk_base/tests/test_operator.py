# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Portal tests of the operators' cabinet: staff sign-in, client list,
client actions, acting on behalf of a client, counter registration, branch
scope, the demo account, CSRF and who may reach what."""
import io
import re
import urllib.parse
import zipfile

import pytest

import trytond.config as config

from .portal_fixtures import (
    branch_id, csrf, login, random_snils, run_as_root, staff_login, text)

CLIENT_PAGES = [
    '/operator/clients/{id}',
    ]
CLIENT_POSTS = [
    '/operator/clients/{id}/block',
    '/operator/clients/{id}/activate',
    '/operator/clients/{id}/reset-password',
    '/operator/clients/{id}/resend-confirmation',
    '/operator/clients/{id}/act',
    '/operator/clients/{id}/roles',
    ]
GETS = ['/operator/', '/operator/clients', '/operator/clients/export.xlsx',
    '/operator/clients/new'] + CLIENT_PAGES
POSTS = ['/operator/logout', '/operator/act/stop', '/operator/clients/new',
    '/operator/login'] + CLIENT_POSTS


pytestmark = pytest.mark.usefixtures('no_login_delay')


@pytest.fixture
def khakassia(portal_app):
    return branch_id(portal_app, 'khakassia')


@pytest.fixture
def altai(portal_app):
    return branch_id(portal_app, 'altai')


def page_token(client):
    return csrf(client, '/operator/clients')


def url(path, account):
    return path.format(id=account.user_id)


@pytest.mark.parametrize('path', GETS)
def test_anonymous_is_sent_to_operator_login(client, make_client, path):
    account = make_client('fl')
    response = client.get(url(path, account))
    assert response.status_code == 302
    assert response.headers['Location'].startswith('/operator/login?next=')


@pytest.mark.parametrize(
    'path', GETS + [p for p in POSTS if p != '/operator/login'])
def test_client_cannot_reach_operator_pages(logged_in, path):
    client, account = logged_in
    token = csrf(client, '/my')
    if path in POSTS:
        response = client.post(url(path, account), data={
                'csrf_token': token})
    else:
        response = client.get(url(path, account))
    assert response.status_code == 302
    assert response.headers['Location'].startswith('/operator/login')
    # and the client is still signed in as themself
    assert client.get('/my').status_code == 200


@pytest.mark.parametrize('path', POSTS)
def test_post_without_csrf_is_refused(client, operator, make_client, path,
        khakassia):
    account = make_client('fl', branch=khakassia)
    response = client.post(url(path, account), data={'login': 'x'})
    assert response.status_code == 400
    assert 'Форма устарела' in text(response)


def test_staff_login_page_and_wrong_password(client, make_staff):
    staff = make_staff()
    page = text(client.get('/operator/login'))
    assert 'Вход для сотрудников' in page
    response = staff_login(client, staff, 'wrong-Password-1')
    assert 'Неверный логин или пароль.' in text(response)
    assert client.get('/operator/clients').status_code == 302


def test_staff_login_throttled(client, make_staff):
    staff = make_staff()
    for _ in range(config.getint('session', 'max_attempt', default=5) + 1):
        staff_login(client, staff, 'wrong-Password-1')
    response = staff_login(client, staff)
    assert 'Слишком много попыток' in text(response)
    assert client.get('/operator/clients').status_code == 302


def test_staff_session_is_server_side_and_revocable(
        client, operator, portal_app):
    assert client.get('/operator/clients').status_code == 200

    def revoke(pool):
        Session = pool.get('lk.operator.session')
        Session.delete(Session.search([('user', '=', operator.id)]))
    run_as_root(portal_app, revoke)
    assert client.get('/operator/clients').status_code == 302


def test_logout(client, operator):
    response = client.post('/operator/logout', data={
            'csrf_token': page_token(client)})
    assert response.headers['Location'] == '/operator/login'
    assert client.get('/operator/clients').status_code == 302


def test_administration_menu_for_operator_roles_only(client, make_staff):
    operator = make_staff(['group_lk_operator'], ['khakassia'])
    staff_login(client, operator)
    page = text(client.get('/operator/clients'))
    assert 'Администрирование' in page
    assert 'Список пользователей' in page or 'Пользователи личного' in page
    client.post('/operator/logout', data={'csrf_token': page_token(client)})

    # a staff group no module marked «Operator Cabinet»
    announcer = make_staff(['group_lk_client'])
    staff_login(client, announcer)
    home = client.get('/operator/', follow_redirects=True)
    assert 'Администрирование' not in text(home)
    assert client.get('/operator/clients').status_code == 403


def test_client_list_columns_and_filters(
        client, operator, make_client, khakassia):
    fl = make_client('fl', branch=khakassia)
    passport_number = '%06d' % (int(random_snils()) % 10**6)

    def passport(pool):
        Party = pool.get('party.party')
        Party.write([Party(fl.party_id)], {
                'passport_series': '9514',
                'passport_number': passport_number})
    run_as_root(client.application, passport)
    ul = make_client('ul', branch=khakassia)
    ip = make_client('ip', branch=khakassia)
    page = text(client.get('/operator/clients'))
    for label in ['Дата создания с', 'по', 'Вид лица', 'СНИЛС/ИНН', 'Роли',
            'ФИО/Название орг.', 'E-mail', 'Филиал', 'ИД', 'Серия', 'Номер',
            'Активирован', 'Создан', 'СНИЛС/ИНН/КПП', 'ФИО/Организация',
            'Состояние', 'Управление', 'Клиент ЛК']:
        assert label in page, label

    def found(**args):
        page = text(client.get(
                '/operator/clients?' + urllib.parse.urlencode(args)))
        return {a.user_id for a in (fl, ul, ip)
            if '/operator/clients/%s"' % a.user_id in page}
    assert found(identifier=fl.snils) == {fl.user_id}
    assert found(identifier=ul.inn) == {ul.user_id}
    assert found(identifier=ip.inn, person_kind='ip') == {ip.user_id}
    assert found(identifier=ip.inn, person_kind='fl') == set()
    assert found(name=ul.name[5:12]) == {ul.user_id}
    assert found(email=fl.email.upper()) == {fl.user_id}
    assert found(client_id=ip.user_id) == {ip.user_id}
    assert found(passport_series='9514',
        passport_number=passport_number) == {fl.user_id}
    assert found(identifier=fl.snils, activated='yes') == {fl.user_id}
    assert found(identifier=fl.snils, activated='no') == set()
    assert found(identifier=fl.snils, branch=khakassia) == {fl.user_id}
    assert found(identifier=fl.snils, date_from='2000-01-01',
        date_to='2000-12-31') == set()
    client_role = re.search(
        r'<option value="(\d+)">Клиент ЛК', page).group(1)
    assert found(identifier=fl.snils, roles=client_role) == {fl.user_id}


def test_client_list_sort_and_pages(client, admin, make_client, altai):
    names = []
    for _ in range(3):
        names.append(make_client('ul', branch=altai).name)
    args = {'person_kind': 'ul', 'branch': altai, 'sort': 'name',
        'dir': 'asc'}
    page = text(client.get(
            '/operator/clients?' + urllib.parse.urlencode(args)))
    positions = [page.index(n.replace('«', '&#171;') if n not in page else n)
        for n in sorted(names)]
    assert positions == sorted(positions)
    assert 'Всего записей:' in page
    assert 'page=2' in text(client.get(
            '/operator/clients?per_page=1&page=1'))\
        or 'Всего записей' in page


def test_export_xlsx(client, operator, make_client, khakassia):
    account = make_client('fl', branch=khakassia)
    response = client.get(
        '/operator/clients/export.xlsx?identifier=%s' % account.snils)
    assert response.status_code == 200
    assert response.mimetype.endswith('spreadsheetml.sheet')
    with zipfile.ZipFile(io.BytesIO(response.data)) as xlsx:
        strings = xlsx.read('xl/sharedStrings.xml').decode()
    assert account.first_name in strings and 'СНИЛС/ИНН/КПП' in strings


@pytest.mark.parametrize('path', CLIENT_PAGES + CLIENT_POSTS)
def test_branch_scope(client, operator, make_client, altai, path):
    "An operator of Хакасэнерго gets 404 for a client of Алтайэнерго"
    other = make_client('fl', branch=altai)
    if path in CLIENT_PAGES:
        response = client.get(url(path, other))
    else:
        response = client.post(url(path, other), data={
                'csrf_token': page_token(client)})
    expected = 403 if path.endswith('/roles') else 404
    assert response.status_code == expected


def test_branch_scope_list_and_export(client, operator, make_client, altai):
    other = make_client('fl', branch=altai)
    assert other.first_name not in text(client.get(
            '/operator/clients?identifier=%s' % other.snils))
    response = client.get(
        '/operator/clients/export.xlsx?identifier=%s' % other.snils)
    with zipfile.ZipFile(io.BytesIO(response.data)) as xlsx:
        assert other.first_name not in xlsx.read(
            'xl/sharedStrings.xml').decode()
    page = text(client.get('/operator/clients/new'))
    assert 'Хакасэнерго' in page and 'Алтайэнерго' not in page


def test_admin_sees_all_branches(client, admin, make_client, altai):
    other = make_client('fl', branch=altai)
    assert client.get('/operator/clients/%s' % other.user_id
        ).status_code == 200


def test_block_and_activate(client, operator, make_client, khakassia):
    account = make_client('fl', branch=khakassia)
    token = page_token(client)
    client.post('/operator/clients/%s/block' % account.user_id,
        data={'csrf_token': token})
    card = text(client.get('/operator/clients/%s' % account.user_id))
    assert 'Заблокирован' in card
    assert 'Вход под пользователем' not in card
    other = client.application.test_client()
    assert login(other, account).status_code == 200
    client.post('/operator/clients/%s/activate' % account.user_id,
        data={'csrf_token': token})
    assert login(other, account).status_code == 302


def test_reset_link_and_confirmation(
        client, operator, make_client, khakassia, outbox, portal_app):
    account = make_client('fl', branch=khakassia)
    token = page_token(client)
    sent = len(outbox)
    response = client.post(
        '/operator/clients/%s/reset-password' % account.user_id,
        data={'csrf_token': token}, follow_redirects=True)
    assert 'Ссылка для установки нового пароля отправлена' in text(response)
    assert len(outbox) == sent + 1 and outbox[-1]['To'] == account.email
    # the operator never sees the link or the password
    assert 'reset-password/confirm' not in text(response)

    def unconfirm(pool):
        WebUser = pool.get('web.user')
        WebUser.write([WebUser(account.user_id)], {'email_valid': False})
    run_as_root(portal_app, unconfirm)
    response = client.post(
        '/operator/clients/%s/resend-confirmation' % account.user_id,
        data={'csrf_token': token}, follow_redirects=True)
    assert 'Ссылка для подтверждения отправлена повторно' in text(response)\
        or 'отправили ссылку' in text(response).lower()
    assert len(outbox) == sent + 2


def test_roles_assigned_by_super_administrator_only(
        client, make_staff, make_client, khakassia, portal_app):
    account = make_client('fl', branch=khakassia)
    operator = make_staff(['group_lk_operator'], ['khakassia'])
    staff_login(client, operator)
    card = text(client.get('/operator/clients/%s' % account.user_id))
    assert 'Сохранить роли' not in card
    response = client.post('/operator/clients/%s/roles' % account.user_id,
        data={'csrf_token': page_token(client), 'roles': ['1']})
    assert response.status_code == 403
    client.post('/operator/logout', data={'csrf_token': page_token(client)})

    admin = make_staff(['group_lk_admin'])
    staff_login(client, admin)
    card = text(client.get('/operator/clients/%s' % account.user_id))
    moderator = re.search(
        r'value="(\d+)"[^>]*> <span>Гость', card).group(1)
    client_role = re.search(
        r'value="(\d+)"[^>]*> <span>Клиент ЛК', card).group(1)
    client.post('/operator/clients/%s/roles' % account.user_id, data={
            'csrf_token': page_token(client),
            'roles': [moderator, client_role]})
    listing = text(client.get(
            '/operator/clients?identifier=%s' % account.snils))
    assert 'Гость' in listing

    def roles(pool):
        WebUser = pool.get('web.user')
        return sorted(r.code for r in WebUser(account.user_id).roles)
    assert run_as_root(portal_app, roles) == [
        'client', 'guest']


def test_act_on_behalf(client, operator, make_client, khakassia, portal_app):
    account = make_client('fl', branch=khakassia)
    response = client.post('/operator/clients/%s/act' % account.user_id,
        data={'csrf_token': page_token(client)})
    assert response.headers['Location'] == '/my'
    home = text(client.get('/my'))
    assert 'Вы работаете от имени: %s' % 'Тестов' in home
    assert 'Вернуться в свою учётную запись' in home
    # the client's pages work unchanged
    token = csrf(client, '/my/notifications/new')
    client.post('/my/notifications/new', data={
            'csrf_token': token, 'subject': 'Вопрос оператора',
            'body': 'Текст'})
    client.post('/my/profile/change', data={
            'csrf_token': token, 'last_name': 'Тестов',
            'first_name': account.first_name, 'middle_name': 'Петрович',
            'email': account.email, 'actual_address': 'Абакан, Ленина 1'})
    # staff pages are out of reach through the client's session
    for path in ['/operator/clients', '/operator/clients/new',
            '/operator/clients/%s' % account.user_id]:
        assert client.get(path).status_code == 403
    assert client.post('/operator/clients/%s/block' % account.user_id,
        data={'csrf_token': token}).status_code == 403
    response = client.post('/operator/act/stop', data={'csrf_token': token})
    assert response.headers['Location'] == (
        '/operator/clients/%s' % account.user_id)
    assert 'от имени' not in text(client.get('/operator/clients'))
    assert client.get('/my').headers['Location'] == '/operator/'

    def check(pool):
        Audit = pool.get('lk.operator.audit')
        Notification = pool.get('lk.notification')
        Request = pool.get('lk.profile.change.request')
        audit, = Audit.search([('web_user', '=', account.user_id)])
        message, = Notification.search([('party', '=', account.party_id)])
        request, = Request.search([('party', '=', account.party_id)])
        return (audit.operator.id, bool(audit.ended_at),
            {(l.action, l.model, l.path) for l in audit.lines},
            message.operator.id, request.operator.id, request.web_user.id)
    operator_id, ended, lines, message_op, request_op, request_user = (
        run_as_root(portal_app, check))
    assert operator_id == message_op == request_op == operator.id
    assert request_user == account.user_id and ended
    assert ('request', None, '/my/notifications/new') in lines
    assert ('create', 'lk.notification', '/my/notifications/new') in lines
    assert ('create', 'lk.profile.change.request',
        '/my/profile/change') in lines


def test_cannot_act_on_behalf_of_staff(
        client, operator, make_client, make_staff, khakassia):
    account = make_client('fl', branch=khakassia)
    make_staff(['group_lk_operator'], email=account.email)
    response = client.post('/operator/clients/%s/act' % account.user_id,
        data={'csrf_token': page_token(client)}, follow_redirects=True)
    assert 'Работать от имени сотрудника нельзя.' in text(response)
    assert 'Вы работаете от имени' not in text(client.get('/operator/'
            'clients'))


def test_counter_registration(
        client, operator, khakassia, outbox, portal_app):
    snils = random_snils()
    email = 'counter-%s@example.ru' % snils
    form = text(client.get('/operator/clients/new'))
    assert 'name="password"' not in form
    data = {
        'csrf_token': csrf(client, '/operator/clients/new'),
        'person_kind': 'fl', 'snils': snils, 'last_name': 'Офисная',
        'first_name': 'Анна', 'middle_name': 'Петровна', 'email': email,
        'mobile': '+7 913 222-33-44', 'branch': khakassia,
        }
    missing = client.post('/operator/clients/new', data=data)
    assert 'необходимо согласие' in text(missing)
    assert 'value="Офисная"' in text(missing)
    bad = client.post('/operator/clients/new', data=dict(
            data, consent='y', snils='112-233-445 96'))
    assert 'Контрольное число СНИЛС не совпадает' in text(bad)
    sent = len(outbox)
    response = client.post('/operator/clients/new', data=dict(
            data, consent='y'))
    assert response.status_code == 302
    card = text(client.get(response.headers['Location']))
    assert 'Офисная Анна Петровна' in card and 'На бумаге в офисе' in card
    assert len(outbox) == sent + 1 and outbox[-1]['To'] == email

    def check(pool):
        WebUser = pool.get('web.user')
        Delivery = pool.get('lk.notification.delivery')
        user, = WebUser.search([('email', '=', email)])
        consent, = user.consents
        sms = Delivery.search([
                ('notification.party', '=', user.party.id),
                ('channel', '=', 'sms')])
        return (consent.channel, consent.operator.id, user.password_hash,
            [d.address for d in sms], user.email_valid,
            [r.code for r in user.roles])
    channel, consent_operator, password_hash, sms, valid, roles = (
        run_as_root(portal_app, check))
    assert (channel, consent_operator) == ('paper', operator.id)
    assert password_hash is None and not valid
    assert sms == ['+79132223344'] and roles == ['client']

    # the client sets the password with the e-mailed link and signs in
    body = outbox[-1].get_body(('html', 'plain')).get_content()
    link = urllib.parse.unquote(re.search(
            r'href="(http[^"]*/reset-password/confirm[^"]*)"', body).group(1)
        ).replace('&amp;', '&')
    link = urllib.parse.urlsplit(link)
    visitor = client.application.test_client()
    page = link.path + '?' + link.query
    visitor.post(page, data={
            'csrf_token': csrf(visitor, page),
            'password': 'Counter-2026-ok', 'password2': 'Counter-2026-ok'})
    response = visitor.post('/login', data={
            'csrf_token': csrf(visitor, '/login'), 'person_kind': 'fl',
            'snils': snils, 'password': 'Counter-2026-ok'})
    assert response.status_code == 302


def test_demo_account_is_read_only(
        client, make_staff, make_client, khakassia, portal_app):
    account = make_client('fl', branch=khakassia)
    demo = make_staff(['group_lk_demo'], ['khakassia'])
    staff_login(client, demo)
    assert client.get('/operator/clients/%s' % account.user_id
        ).status_code == 200
    token = page_token(client)
    for path in ['/operator/clients/{id}/block', '/operator/clients/{id}/act',
            '/operator/clients/new']:
        response = client.post(url(path, account), data={
                'csrf_token': token}, follow_redirects=True)
        assert 'Демо-доступ позволяет только просматривать' in text(
            response)

    def state(pool):
        WebUser = pool.get('web.user')
        Audit = pool.get('lk.operator.audit')
        return WebUser(account.user_id).active, Audit.search_count(
            [('web_user', '=', account.user_id)])
    assert run_as_root(portal_app, state) == (True, 0)
    # logging out is not a change
    response = client.post('/operator/logout', data={'csrf_token': token})
    assert response.headers['Location'] == '/operator/login'
