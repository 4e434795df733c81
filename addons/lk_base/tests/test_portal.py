# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Portal tests of lk_base: auth, profile, notifications, access, CSRF."""
import datetime as dt
import re
import urllib.parse

import pytest

import trytond.config as config

from .portal_fixtures import (
    PASSWORD, csrf, login, random_inn, random_snils, run_as_root, text)

MY_PAGES = [
    '/my', '/my/profile', '/my/profile/change', '/my/notifications',
    '/my/notifications/new', '/my/notifications/1',
    ]
POSTS = [
    '/login', '/register', '/reset-password', '/logout',
    '/my/profile/notifications', '/my/profile/change',
    '/my/profile/requests/1/cancel', '/my/notifications/read',
    '/my/notifications/new', '/lang', '/login/resend-confirmation',
    ]


def notify(app, party_id, subject='Тема', body='Текст', attachments=()):
    def create(pool):
        Notification = pool.get('lk.notification')
        Party = pool.get('party.party')
        return Notification.notify(
            Party(party_id), subject, body, link='/my/profile',
            attachments=attachments).id
    return run_as_root(app, create)


def last_link(outbox, path):
    body = outbox[-1].get_body(('html', 'plain')).get_content()
    match = re.search(r'href="(http[^"]*%s[^"]*)"' % re.escape(path), body)
    assert match, body
    return urllib.parse.unquote(match.group(1)).replace('&amp;', '&')


pytestmark = pytest.mark.usefixtures('no_login_delay')


def test_portal_user_is_not_root(portal_app):
    assert portal_app.config['LK_PORTAL_USER'] > 1


@pytest.mark.parametrize('url', MY_PAGES)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers['Location'].startswith('/login?next=')


@pytest.mark.parametrize('url', POSTS)
def test_post_without_csrf_is_refused(logged_in, url):
    client, _ = logged_in
    response = client.post(url, data={'subject': 'x', 'body': 'y'})
    assert response.status_code == 400
    assert 'Форма устарела' in text(response)


def test_login_page_is_russian(client):
    response = client.get('/login')
    assert response.status_code == 200
    page = text(response)
    assert 'Форма входа' in page and 'Забыли пароль?' in page
    assert 'СНИЛС (11)' in page and 'Физическое лицо' in page


def test_login_wrong_password_keeps_identifier(client, make_client):
    account = make_client('fl')
    response = login(client, account, password='wrong-Password-1')
    assert response.status_code == 200
    page = text(response)
    assert 'Неверный идентификатор или пароль.' in page
    assert 'value="%s"' % account.snils in page
    assert client.get('/my').status_code == 302


def test_login_and_logout(client, make_client):
    account = make_client('fl')
    response = login(client, account)
    assert response.headers['Location'] == '/my'
    cookie = response.headers['Set-Cookie']
    assert 'HttpOnly' in cookie and 'SameSite=Lax' in cookie
    home = client.get('/my')
    assert home.status_code == 200
    assert account.first_name in text(home)
    response = client.post('/logout', data={
            'csrf_token': csrf(client, '/my')})
    assert response.status_code == 302
    assert client.get('/my').status_code == 302


@pytest.mark.parametrize('kind', ['ul', 'ip'])
def test_login_legal_entity_and_sole_proprietor(client, make_client, kind):
    account = make_client(kind)
    assert login(client, account).status_code == 302
    assert account.name in text(client.get('/my/profile'))


def test_login_next_is_local_only(client, make_client):
    account = make_client('fl')
    data = {
        'csrf_token': csrf(client, '/login'), 'person_kind': 'fl',
        'snils': account.snils, 'password': PASSWORD}
    response = client.post('/login?next=//evil.example/x', data=data)
    assert response.headers['Location'] == '/my'


def test_login_throttled_after_attempts(client, make_client):
    account = make_client('fl')
    for _ in range(config.getint('session', 'max_attempt', default=5) + 1):
        login(client, account, password='wrong-Password-1')
    response = login(client, account)
    assert 'Слишком много попыток' in text(response)
    assert client.get('/my').status_code == 302


def registration_data(client, kind='fl', **values):
    data = {
        'csrf_token': csrf(client, '/register'),
        'person_kind': kind,
        'email': 'new-%s@example.ru' % random_snils(),
        'mobile': '8 913 765-43-21',
        'password': 'Secret-pass-77',
        'password2': 'Secret-pass-77',
        'consent': 'y',
        }
    branch = re.search(r'<option value="(\d+)">', text(client.get(
                '/register'))).group(1)
    data['branch'] = branch
    if kind == 'fl':
        data.update(snils=random_snils(), last_name='Иванова',
            first_name='Мария', middle_name='Сергеевна')
    elif kind == 'ul':
        data.update(inn=random_inn(10), kpp='190101001',
            name='ООО «Свет»', head_name='Сидоров С. С.')
    else:
        data.update(inn=random_inn(12), name='ИП Орлов')
    data.update(values)
    return data


def test_register_confirm_login(client, outbox, portal_app):
    data = registration_data(client)
    response = client.post('/register', data=data)
    assert response.status_code == 200, text(response)
    assert 'Почти готово' in text(response)
    last_link(outbox, "/confirm-email")
    assert outbox[-1]['To'] == data['email']

    # not confirmed yet: the password is right but the e-mail is not
    response = client.post('/login', data={
            'csrf_token': csrf(client, '/login'), 'person_kind': 'fl',
            'snils': data['snils'], 'password': data['password']})
    assert 'ещё не подтверждён' in text(response)
    sent = len(outbox)
    client.post('/login/resend-confirmation', data={
            'csrf_token': csrf(client, '/login')})
    assert len(outbox) == sent + 1

    path = urllib.parse.urlsplit(last_link(outbox, '/confirm-email'))
    response = client.get(path.path + '?' + path.query)
    assert 'E-mail подтверждён' in text(response)

    response = client.post('/login', data={
            'csrf_token': csrf(client, '/login'), 'person_kind': 'fl',
            'snils': data['snils'], 'password': data['password']})
    assert response.status_code == 302
    profile = text(client.get('/my/profile'))
    assert 'Иванова Мария Сергеевна' in profile
    assert '+7 913 765-43-21' in profile

    def consent(pool):
        Consent = pool.get('lk.pd.consent')
        consents = Consent.search([('party.snils', '=', data['snils'])])
        return [(c.text.version, c.channel) for c in consents]
    assert run_as_root(portal_app, consent) == [('1.0', 'online')]


@pytest.mark.parametrize('kind', ['ul', 'ip'])
def test_register_other_kinds(client, kind):
    data = registration_data(client, kind)
    response = client.post('/register', data=data)
    assert 'Почти готово' in text(response), text(response)


def test_register_bad_input_keeps_values(client):
    data = registration_data(client, snils='112-233-445 96')
    data['middle_name'] = ''
    response = client.post('/register', data=data)
    page = text(response)
    assert response.status_code == 200
    assert 'Контрольное число СНИЛС не совпадает' in page
    assert 'Обязательное поле.' in page
    assert 'value="Иванова"' in page
    assert 'value="%s"' % data['email'] in page


def test_register_legal_entity_needs_kpp(client):
    data = registration_data(client, 'ul', kpp='')
    page = text(client.post('/register', data=data))
    assert 'Обязательное поле.' in page
    assert 'Почти готово' not in page


def test_register_needs_consent(client):
    data = registration_data(client)
    del data['consent']
    page = text(client.post('/register', data=data))
    assert 'необходимо согласие' in page


def test_register_weak_password(client):
    data = registration_data(client, password='12345678', password2='12345678')
    page = text(client.post('/register', data=data))
    assert 'и буквы, и цифры' in page


def test_register_twice_refused(client, make_client):
    account = make_client('fl')
    data = registration_data(client, snils=account.snils)
    page = text(client.post('/register', data=data))
    assert 'уже зарегистрирована' in page


def test_reset_password(client, make_client, outbox):
    account = make_client('fl')
    unknown = client.post('/reset-password', data={
            'csrf_token': csrf(client, '/reset-password'),
            'person_kind': 'fl', 'snils': random_snils()})
    sent = len(outbox)
    known = client.post('/reset-password', data={
            'csrf_token': csrf(client, '/reset-password'),
            'person_kind': 'fl', 'snils': account.snils})
    def without_token(response):
        return re.sub(r'value="[^"]*"', '', text(response))
    assert without_token(unknown) == without_token(known)
    assert len(outbox) == sent + 1
    url = urllib.parse.urlsplit(last_link(outbox, '/reset-password/confirm'))
    page = url.path + '?' + url.query

    weak = client.post(page, data={
            'csrf_token': csrf(client, page),
            'password': 'short', 'password2': 'short'})
    assert 'не менее 8 символов' in text(weak)
    response = client.post(page, data={
            'csrf_token': csrf(client, page),
            'password': 'Brand-new-2026', 'password2': 'Brand-new-2026'})
    assert response.status_code == 302
    assert login(client, account).status_code == 200
    assert login(client, account, 'Brand-new-2026').status_code == 302
    # the link is used up
    client.post('/logout', data={'csrf_token': csrf(client, '/my')})
    again = client.post(page, data={
            'csrf_token': csrf(client, page),
            'password': 'Other-new-2026', 'password2': 'Other-new-2026'})
    assert 'Ссылка недействительна' in text(again)


def test_profile_shows_seed_fields(logged_in):
    client, account = logged_in
    page = text(client.get('/my/profile'))
    for label in ['Дата регистрации', 'СНИЛС', 'Вид лица', 'ФИО', 'E-mail',
            'Мобильный телефон', 'Телефон', 'Филиал', 'Юридический адрес',
            'Фактический адрес', 'Получать с', 'до', 'Способ доставки']:
        assert label in page, label
    assert account.email in page


def test_notification_settings(logged_in, portal_app):
    client, account = logged_in
    token = csrf(client, '/my/profile')
    response = client.post('/my/profile/notifications', data={
            'csrf_token': token, 'notify_from': '25:00',
            'notify_to': '20:00', 'notify_method': 'sms'})
    assert response.status_code == 400
    assert 'value="25:00"' in text(response)
    response = client.post('/my/profile/notifications', data={
            'csrf_token': token, 'notify_from': '08:00',
            'notify_to': '20:00:00', 'notify_method': 'email_sms'})
    assert response.status_code == 302

    def settings(pool):
        party = pool.get('party.party')(account.party_id)
        return party.notify_from, party.notify_to, party.notify_method
    assert run_as_root(portal_app, settings) == (
        dt.time(8, 0), dt.time(20, 0), 'email_sms')


def test_profile_change_request(logged_in, portal_app):
    client, account = logged_in
    form = text(client.get('/my/profile/change'))
    assert 'value="Тестов"' in form
    data = {'csrf_token': csrf(client, '/my/profile/change'),
        'last_name': 'Новиков', 'first_name': account.first_name,
        'middle_name': 'Петрович', 'email': account.email,
        'bank_bik': '049514608', 'bank_account': '40702810000000001235'}
    bad = client.post('/my/profile/change', data=data)
    assert 'контрольный ключ' in text(bad)
    assert 'value="Новиков"' in text(bad)
    data['bank_account'] = '40702810000000001234'
    response = client.post('/my/profile/change', data=data)
    assert response.status_code == 302
    page = text(client.get('/my/profile'))
    assert 'На рассмотрении' in page or 'Submitted' in page

    def approve(pool):
        Request = pool.get('lk.profile.change.request')
        request, = Request.search([('party', '=', account.party_id)])
        Request.approve([request])
    run_as_root(portal_app, approve)
    page = text(client.get('/my/profile'))
    assert 'Новиков' in page and '40702810000000001234' in page
    inbox = text(client.get('/my/notifications'))
    assert 'изменение данных профиля' in inbox.lower()


def test_notifications_inbox_read_and_paging(logged_in, portal_app):
    client, account = logged_in
    ids = [notify(portal_app, account.party_id, 'Заявка №%s' % i)
        for i in range(23)]
    page = text(client.get('/my/notifications'))
    assert 'Всего записей: 23' in page
    assert 'Заявка №22' in page and 'Заявка №0<' not in page
    page2 = text(client.get('/my/notifications?page=2'))
    assert 'Заявка №0' in page2
    response = client.post('/my/notifications/read', data={
            'csrf_token': csrf(client, '/my/notifications'),
            'ids': [str(ids[0]), str(ids[1])]})
    assert response.status_code == 302
    assert 'Всего записей: 2' in text(
        client.get('/my/notifications?box=read'))
    detail = client.get('/my/notifications/%s' % ids[5])
    assert 'Заявка №5' in text(detail)
    assert 'Всего записей: 3' in text(
        client.get('/my/notifications?box=read'))


def test_notification_attachment(logged_in, portal_app):
    client, account = logged_in
    nid = notify(portal_app, account.party_id, attachments=[
            ('акт.pdf', b'%PDF-1.4 test')])
    page = text(client.get('/my/notifications/%s' % nid))
    link = re.search(r'href="(/my/notifications/%s/attachments/\d+)"' % nid,
        page).group(1)
    response = client.get(link)
    assert response.data == b'%PDF-1.4 test'


def test_write_to_company(logged_in):
    client, _ = logged_in
    token = csrf(client, '/my/notifications/new')
    empty = client.post('/my/notifications/new', data={
            'csrf_token': token, 'subject': 'Вопрос', 'body': ''})
    assert 'Обязательное поле.' in text(empty)
    assert 'value="Вопрос"' in text(empty)
    client.post('/my/notifications/new', data={
            'csrf_token': token, 'subject': 'Вопрос', 'body': 'Когда?'})
    assert 'Вопрос' in text(client.get('/my/notifications?box=sent'))


def test_other_clients_records_are_404(logged_in, make_client, portal_app):
    client, account = logged_in
    other = make_client('fl')
    nid = notify(portal_app, other.party_id, 'Чужое уведомление')

    def other_request(pool):
        Request = pool.get('lk.profile.change.request')
        Party = pool.get('party.party')
        return Request.submit(Party(other.party_id), {
                'actual_address': 'Чужой адрес'}).id
    rid = run_as_root(portal_app, other_request)
    token = csrf(client, '/my')
    assert client.get('/my/notifications/%s' % nid).status_code == 404
    assert client.get(
        '/my/notifications/%s/attachments/1' % nid).status_code == 404
    assert client.post('/my/notifications/read', data={
            'csrf_token': token, 'ids': [str(nid)]}).status_code == 404
    assert client.post('/my/profile/requests/%s/cancel' % rid, data={
            'csrf_token': token}).status_code == 404
    assert 'Чужое уведомление' not in text(client.get('/my/notifications'))

    def unchanged(pool):
        Notification = pool.get('lk.notification')
        Request = pool.get('lk.profile.change.request')
        return Notification(nid).is_read, Request(rid).state
    assert run_as_root(portal_app, unchanged) == (False, 'submitted')


def test_rate_limit_on_auth(client, portal_app):
    from trytond.modules.lk_base.portal.app import limiter
    portal_app.config['LK_AUTH_RATE_LIMIT'] = '3 per minute'
    limiter.reset()
    try:
        codes = [client.post('/reset-password', data={
                    'csrf_token': csrf(client, '/reset-password'),
                    'person_kind': 'fl', 'snils': random_snils()}
                ).status_code for _ in range(4)]
    finally:
        portal_app.config['LK_AUTH_RATE_LIMIT'] = '1000 per minute'
        limiter.reset()
    assert codes == [200, 200, 200, 429]


def test_language_switch(client):
    token = csrf(client, '/login')
    client.post('/lang', data={
            'csrf_token': token, 'lang': 'en', 'next': '/login'})
    assert 'Sign-in form' in text(client.get('/login'))
    client.post('/lang', data={'csrf_token': token, 'lang': 'ru'})
    assert 'Форма входа' in text(client.get('/login'))


def test_unknown_page_is_russian_404(client):
    response = client.get('/no-such-page')
    assert response.status_code == 404
    assert 'Страница не найдена' in text(response)


def test_portal_catalogs_agree():
    "Flask-Babel merges the modules' catalogs: one text, one translation"
    import pathlib

    from babel.messages.pofile import read_po
    addons = pathlib.Path(__file__).resolve().parents[2]
    seen = {}
    for po in sorted(addons.glob('lk_*/portal/translations/*/LC_MESSAGES/*.po')):
        language = po.parents[1].name
        with po.open('rb') as source:
            for message in read_po(source):
                if not message.id or not message.string:
                    continue
                key = (language, message.id)
                first = seen.setdefault(key, (message.string, po))
                assert first[0] == message.string, (
                    '%r is %r in %s but %r in %s' % (
                        message.id, first[0], first[1], message.string, po))
