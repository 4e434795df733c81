# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Portal of the board of power redistribution: the public pages, posting,
moderation seen from the portal, threads, the redistribution application."""
import datetime as dt
import re
import types
from decimal import Decimal

import pytest

from trytond.modules.lk_base.tests.portal_fixtures import (
    STAFF_PASSWORD, branch_id, csrf, login, run_as_root, staff_login, text)

XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>'


@pytest.fixture(autouse=True)
def no_message_limit(portal_app):
    "The suite shares one rate-limit storage; the limit test sets its own"
    from trytond.modules.lk_base.portal.app import limiter
    previous = portal_app.config['LK_ANNOUNCEMENT_MESSAGE_RATE_LIMIT']
    portal_app.config['LK_ANNOUNCEMENT_MESSAGE_RATE_LIMIT'] = '1000 per minute'
    limiter.reset()
    yield
    portal_app.config['LK_ANNOUNCEMENT_MESSAGE_RATE_LIMIT'] = previous
    limiter.reset()


def announce(app, party_id, state='published', **values):
    "An announcement of the party brought to state as the back office does"
    def create(pool):
        Announcement = pool.get('lk.announcement')
        data = dict(
            party=party_id, kind='offer',
            centre_name='ПС 35 кВ Борисовская',
            substation_address='Кемеровская обл, Борисово с, ТП-280',
            power=Decimal(375), phone='+7 913 000-11-22',
            email='author@example.ru', connected_power=Decimal(1000))
        data.update(values)
        announcement = Announcement(**data)
        announcement.save()
        if state != 'draft':
            Announcement.submit([announcement])
        if state in {'published', 'expired'}:
            Announcement.approve([announcement])
        if state == 'rejected':
            announcement.reject_reason = 'Нет такого ЦП'
            announcement.save()
            Announcement.reject([announcement])
        if state == 'expired':
            Announcement.write([announcement], {
                    'active_until': dt.date.today() - dt.timedelta(days=1)})
            Announcement.close_expired()
        assert announcement.state == state
        return announcement.id
    return run_as_root(app, create)


def state_of(app, announcement_id):
    def read(pool):
        return pool.get('lk.announcement')(announcement_id).state
    return run_as_root(app, read)


def moderate(app, announcement_id, reason=None):
    def do(pool):
        Announcement = pool.get('lk.announcement')
        announcement = Announcement(announcement_id)
        if reason:
            announcement.reject_reason = reason
            announcement.save()
            Announcement.reject([announcement])
        else:
            Announcement.approve([announcement])
    run_as_root(app, do)


def form_data(client, url, **values):
    data = {
        'csrf_token': csrf(client, url),
        'kind': 'demand',
        'centre_name': 'ПС110/10 "Кожаны" ТП42-10-04',
        'substation_address':
            'Красноярский край, Балахтинский р-н, Кожаны с, 13',
        'power': '15',
        'message': 'Ищем 15 кВт',
        'phone': '+7 913 123-45-67',
        'email': 'me@example.ru',
        'active_until': '',
        'contact_visibility': 'signed_in',
        }
    data.update(values)
    return data


def test_public_pages_without_session(portal_app, make_client):
    author = make_client('ul')
    published = announce(portal_app, author.party_id)
    anonymous = portal_app.test_client()

    board = anonymous.get('/announcements')
    assert board.status_code == 200
    page = text(board)
    assert 'Объявления о перераспределении мощности' in page
    assert '<meta name="robots" content="index, follow">' in page
    for column in ['ИД', 'Дата изменения', 'Наименование ЦП',
            'Местонахождение ЦП',
            'Объем планируемой к перерасп. макс. мощности, кВт',
            'Тип', 'Сообщений', 'Всего записей']:
        assert column in page, column
    assert '/announcements/%s"' % published in page

    detail = anonymous.get('/announcements/%s' % published)
    assert detail.status_code == 200
    # contacts are not rendered to anonymous visitors (nor robots)
    assert 'author@example.ru' not in text(detail)
    assert '000-11-22' not in text(detail)
    assert 'Войти' in text(detail) or '/login?next=' in text(detail)

    feed = anonymous.get('/announcements/feed.atom')
    assert feed.status_code == 200
    assert feed.mimetype == 'application/atom+xml'
    assert '/announcements/%s</id>' % published in text(feed)
    assert 'author@example.ru' not in text(feed)

    # a signed-in client sees the contacts the author chose to show
    reader = portal_app.test_client()
    login(reader, make_client('fl'))
    detail = text(reader.get('/announcements/%s' % published))
    assert 'author@example.ru' in detail
    assert 'noindex' in detail
    hidden = announce(portal_app, author.party_id,
        contact_visibility='messages')
    assert 'author@example.ru' not in text(
        reader.get('/announcements/%s' % hidden))


def test_board_hides_unmoderated_rejected_expired(portal_app, make_client):
    author = make_client('ul')
    centre = 'ЦП-проверка-%s' % author.party_id
    ids = {state: announce(portal_app, author.party_id, state,
            centre_name='%s %s' % (centre, state))
        for state in ['draft', 'moderation', 'published', 'rejected',
            'expired']}
    closed = announce(portal_app, author.party_id,
        centre_name='%s closed' % centre)
    run_as_root(portal_app, lambda pool: pool.get('lk.announcement').close(
            [pool.get('lk.announcement')(closed)]))
    anonymous = portal_app.test_client()
    page = text(anonymous.get('/announcements?centre=%s' % centre))
    assert '%s published' % centre in page
    assert 'Всего записей: 1' in page
    for state in ['draft', 'moderation', 'rejected', 'expired', 'closed']:
        assert '%s %s' % (centre, state) not in page, state
    for state in ['draft', 'moderation', 'rejected', 'expired']:
        assert anonymous.get(
            '/announcements/%s' % ids[state]).status_code == 404, state
        # nor to another client
    other = portal_app.test_client()
    login(other, make_client('fl'))
    assert other.get(
        '/announcements/%s' % ids['moderation']).status_code == 404
    # the author sees their own, with its state
    owner = portal_app.test_client()
    login(owner, author)
    page = text(owner.get('/announcements/%s' % ids['rejected']))
    assert 'Отклонено' in page and 'Нет такого ЦП' in page


def test_filters_and_paging(portal_app, make_client):
    author = make_client('ul')
    centre = 'ЦП-страницы-%s' % author.party_id
    for i in range(23):
        announce(portal_app, author.party_id,
            kind='demand' if i % 2 else 'offer',
            centre_name='%s %02d' % (centre, i),
            substation_address='Село %s' % ('Кожаны' if i < 3 else 'Другое'))
    anonymous = portal_app.test_client()
    page = text(anonymous.get('/announcements?centre=%s' % centre))
    assert 'Всего записей: 23' in page
    assert 'aria-label="Следующая страница"' in page or 'page=2' in page
    page2 = text(anonymous.get('/announcements?centre=%s&page=2' % centre))
    assert page2.count('%s ' % centre) == 3
    offers = text(anonymous.get(
            '/announcements?centre=%s&kind=offer' % centre))
    assert 'Всего записей: 12' in offers
    located = text(anonymous.get(
            '/announcements?centre=%s&location=Кожаны' % centre))
    assert 'Всего записей: 3' in located


def test_post_moderate_edit_close(portal_app, make_client):
    account = make_client('ul')
    browser = portal_app.test_client()
    login(browser, account)
    page = text(browser.get('/my/announcements/new'))
    for label in ['Добавление объявления', 'Вид объявления', 'Спрос',
            'Предложение', 'Наименование центра питания',
            'Адрес подстанции',
            'Объем планируемой к перераспределению максимальной мощности, '
            'кВт', 'Сообщение', 'Телефон', 'Почтовый ящик', 'Активно до',
            'Авторы несут личную ответственность за соблюдение авторских '
            'прав. Поля, отмеченные знаком *, обязательны для заполнения']:
        assert label in page, label

    # a missing required field answers next to it and keeps the form
    data = form_data(browser, '/my/announcements/new', substation_address='')
    response = browser.post('/my/announcements/new', data=data)
    assert response.status_code == 400
    assert 'Обязательное поле' in text(response)
    assert 'Ищем 15 кВт' in text(response)

    data = form_data(browser, '/my/announcements/new')
    response = browser.post('/my/announcements/new', data=data)
    assert response.status_code == 302, text(response)
    announcement_id = int(re.search(
            r'/announcements/(\d+)', response.headers['Location']).group(1))
    assert state_of(portal_app, announcement_id) == 'moderation'
    assert portal_app.test_client().get(
        '/announcements/%s' % announcement_id).status_code == 404

    moderate(portal_app, announcement_id)
    assert portal_app.test_client().get(
        '/announcements/%s' % announcement_id).status_code == 200

    url = '/my/announcements/%s/edit' % announcement_id
    assert 'value="15"' in text(browser.get(url))
    response = browser.post(url, data=form_data(browser, url, power='20'))
    assert response.status_code == 302, text(response)
    assert state_of(portal_app, announcement_id) == 'moderation'
    assert portal_app.test_client().get(
        '/announcements/%s' % announcement_id).status_code == 404

    moderate(portal_app, announcement_id, reason='Уточните адрес')

    def notices(pool):
        Notification = pool.get('lk.notification')
        return [n.body for n in Notification.search(
                [('party', '=', account.party_id)])]
    assert any('Уточните адрес' in b for b in run_as_root(
                portal_app, notices))

    response = browser.post(
        '/my/announcements/%s/close' % announcement_id,
        data={'csrf_token': csrf(browser, '/my/announcements')})
    assert response.status_code == 302
    assert state_of(portal_app, announcement_id) == 'closed'
    response = browser.get(url)
    assert response.status_code == 302
    # another client cannot edit or close it
    intruder = portal_app.test_client()
    login(intruder, make_client('fl'))
    assert intruder.get(url).status_code == 404


def connect(app, party_id, power):
    "A closed connection application of the party; return its id"
    def create(pool):
        Application = pool.get('lk.application')
        Kind = pool.get('lk.application.kind')
        kind, = Kind.search([('code', '=', 'new_connection')])
        return Application.create([{
                    'kind': kind.id, 'party': party_id, 'state': 'closed',
                    'object_name': 'Жилой дом',
                    'object_address': 'Кожаны с, 13',
                    'max_power': Decimal(power)}])[0].id
    return run_as_root(app, create)


def test_excluded_category_refused_with_reason(portal_app, make_client):
    account = make_client('fl')
    house = connect(portal_app, account.party_id, 10)
    browser = portal_app.test_client()
    login(browser, account)
    html = text(browser.get('/my/announcements/new'))
    assert 'Жилой дом, Кожаны с, 13: 10 кВт' in html
    data = form_data(browser, '/my/announcements/new', kind='offer',
        power='2', connection=str(house))
    response = browser.post('/my/announcements/new', data=data)
    assert response.status_code == 400
    page = text(response)
    # the refusal is next to the connected object, whose power decides
    error = re.search(
        r'id="connection-error">([^<]*)<', page).group(1)
    assert 'не подлежит перераспределению' in error
    assert 'Физические лица с энергопринимающими устройствами до 15 кВт' in (
        error)
    assert '861' in error
    assert 'Ищем 15 кВт' in page

    def count(pool):
        return pool.get('lk.announcement').search_count(
            [('party', '=', account.party_id)])
    assert run_as_root(portal_app, count) == 0

    # an offer of power receivers not in the list waits for the moderator,
    # who checks the act before approving
    data = form_data(browser, '/my/announcements/new', kind='offer',
        power='2', connection='0')
    response = browser.post('/my/announcements/new', data=data)
    assert response.status_code == 302, text(response)
    page = text(browser.get(response.headers['Location']))
    assert 'модератор проверит её по акту' in page


def test_thread_between_pair(portal_app, make_client):
    author = make_client('ul')
    writer = make_client('ip')
    third = make_client('fl')
    announcement_id = announce(portal_app, author.party_id)
    browser = portal_app.test_client()
    login(browser, writer)
    url = '/announcements/%s' % announcement_id
    response = browser.post(url + '/write', data={
            'csrf_token': csrf(browser, url), 'text': 'Возьмём 375 кВт'})
    assert response.status_code == 302
    thread_url = response.headers['Location']
    assert '/my/announcements/threads/' in thread_url
    assert 'Возьмём 375 кВт' in text(browser.get(thread_url))

    owner = portal_app.test_client()
    login(owner, author)
    assert 'Возьмём 375 кВт' in text(owner.get(thread_url))
    response = owner.post(thread_url, data={
            'csrf_token': csrf(owner, thread_url), 'text': 'Согласны'})
    assert response.status_code == 302

    def notices(pool):
        Notification = pool.get('lk.notification')
        return [(n.party.id, n.subject) for n in Notification.search([
                    ('party', 'in', [author.party_id, writer.party_id]),
                    ('subject', 'ilike', 'Новое сообщение%'),
                    ])]
    parties = {p for p, _ in run_as_root(portal_app, notices)}
    assert parties == {author.party_id, writer.party_id}
    assert 'Сообщений' in text(portal_app.test_client().get(url))

    # a client of another pair: 404 to read, to write and to agree
    intruder = portal_app.test_client()
    login(intruder, third)
    token = csrf(intruder, '/my/announcements')
    assert intruder.get(thread_url).status_code == 404
    for path in [thread_url, thread_url + '/agree', thread_url + '/apply']:
        assert intruder.post(path, data={
                'csrf_token': token, 'text': 'x'}).status_code == 404, path

    # the moderator hides a message: the parties see that it is hidden
    def hide(pool):
        Message = pool.get('lk.announcement.message')
        Message.hide(Message.search([('text', '=', 'Согласны')]))
    run_as_root(portal_app, hide)
    page = text(browser.get(thread_url))
    assert 'Согласны' not in page
    assert 'Сообщение скрыто модератором' in page

    # the author cannot write to their own announcement
    response = owner.post(url + '/write', data={
            'csrf_token': token_of(owner, url), 'text': 'сам себе'},
        follow_redirects=True)
    assert 'Это ваше собственное объявление' in text(response)


def token_of(client, url):
    return csrf(client, url)


def test_agreed_pair_files_the_application(portal_app, make_client):
    author = make_client('ul')
    receiver = make_client('ip')
    announcement_id = announce(portal_app, author.party_id,
        power=Decimal('120.5'))
    buyer = portal_app.test_client()
    login(buyer, receiver)
    url = '/announcements/%s' % announcement_id
    thread_url = buyer.post(url + '/write', data={
            'csrf_token': csrf(buyer, url), 'text': 'Нужна мощность'}
        ).headers['Location']
    token = csrf(buyer, thread_url)
    response = buyer.post(thread_url + '/apply', data={'csrf_token': token},
        follow_redirects=True)
    assert 'Заявку можно подать, когда согласны обе стороны' in text(response)

    seller = portal_app.test_client()
    login(seller, author)
    seller.post(thread_url + '/agree',
        data={'csrf_token': csrf(seller, thread_url)})
    # the ceding party has no link to file
    assert seller.post(thread_url + '/apply', data={
            'csrf_token': csrf(seller, thread_url)}).status_code == 404
    buyer.post(thread_url + '/agree', data={'csrf_token': token})
    page = text(buyer.get(thread_url))
    assert 'Подать заявку на перераспределение мощности' in page
    response = buyer.post(thread_url + '/apply', data={'csrf_token': token})
    assert response.status_code == 302
    assert '/my/applications/' in response.headers['Location']

    def application(pool):
        Application = pool.get('lk.application')
        application, = Application.search(
            [('party', '=', receiver.party_id)])
        return (application.kind.code, application.donor.id,
            application.max_power, application.object_address)
    assert run_as_root(portal_app, application) == (
        'redistribution', author.party_id, Decimal('120.5'),
        'Кемеровская обл, Борисово с, ТП-280')

    # the redistribution application comes from an agreed pair only: the
    # general kind chooser does not offer it, nor takes it when posted
    chooser = buyer.get('/my/applications/new')
    assert 'value="redistribution"' not in chooser.get_data(as_text=True)
    assert 'value="new_connection"' in chooser.get_data(as_text=True)
    response = buyer.post('/my/applications/new', data={
            'csrf_token': csrf(buyer, '/my/applications/new'),
            'kind': 'redistribution'})
    assert response.status_code == 400


def test_xss_in_every_text_field_is_harmless(portal_app, make_client):
    author = make_client('ul')
    announcement_id = announce(portal_app, author.party_id,
        centre_name=XSS, substation_address=XSS, message=XSS, phone=XSS,
        email=XSS)
    reader = make_client('ip')
    browser = portal_app.test_client()
    login(browser, reader)
    url = '/announcements/%s' % announcement_id
    thread_url = browser.post(url + '/write', data={
            'csrf_token': csrf(browser, url), 'text': XSS}
        ).headers['Location']
    owner = portal_app.test_client()
    login(owner, author)
    pages = [
        portal_app.test_client().get('/announcements'),
        portal_app.test_client().get(url),
        portal_app.test_client().get('/announcements/feed.atom'),
        browser.get(url),
        browser.get(thread_url),
        owner.get(thread_url),
        owner.get('/my/announcements'),
        owner.get('/my/announcements/%s/edit' % announcement_id),
        ]
    for response in pages:
        page = text(response)
        assert response.status_code == 200, response.request.path
        assert '<script>alert(1)' not in page, response.request.path
        assert '<img src=x' not in page, response.request.path
    assert '&lt;script&gt;alert(1)' in text(pages[1])


def test_message_rate_limit(portal_app, make_client):
    from trytond.modules.lk_base.portal.app import limiter
    author = make_client('ul')
    announcement_id = announce(portal_app, author.party_id)
    browser = portal_app.test_client()
    login(browser, make_client('ip'))
    url = '/announcements/%s' % announcement_id
    token = csrf(browser, url)
    portal_app.config['LK_ANNOUNCEMENT_MESSAGE_RATE_LIMIT'] = '3 per minute'
    limiter.reset()
    codes = [browser.post(url + '/write', data={
                'csrf_token': token, 'text': 'Сообщение %s' % i}).status_code
        for i in range(4)]
    assert codes == [302, 302, 302, 429]


def test_demo_data(portal_app):
    from trytond.modules.lk_announcements.demo import setup_demo

    def demo(pool):
        setup_demo()
        setup_demo()
        Announcement = pool.get('lk.announcement')
        Centre = pool.get('lk.power.centre')
        return (
            Centre.search_count([('name', '=', 'ПС 35 кВ Борисовская')]),
            [a.centre_name for a in Announcement.search(
                    [('state', '=', 'published'),
                        ('centre_name', 'in', [
                                'ПС110/10 "Кожаны" ТП42-10-04',
                                'ПС 35 кВ Борисовская'])])])
    centres, names = run_as_root(portal_app, demo)
    assert centres == 1
    assert sorted(set(names)) == [
        'ПС 35 кВ Борисовская', 'ПС110/10 "Кожаны" ТП42-10-04']


def test_announcement_operator_posts_for_a_client(portal_app, make_client):
    "«Оператор объявлений» acts on behalf of the client; the operator is kept"
    khakassia = branch_id(portal_app, 'khakassia')
    account = make_client('ul', branch=khakassia)

    def create(pool):
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        user = User(login='announcer-test-%s' % account.party_id,
            name='Оператор объявлений', groups=[ModelData.get_id(
                    'lk_announcements', 'group_announcement_operator')],
            lk_branches=[khakassia])
        user.password = STAFF_PASSWORD
        user.save()
        return user.id, user.login
    staff_id, staff_login_ = run_as_root(portal_app, create)
    browser = portal_app.test_client()
    staff_login(browser, types.SimpleNamespace(
            login=staff_login_, password=STAFF_PASSWORD))
    response = browser.post('/operator/clients/%s/act' % account.user_id,
        data={'csrf_token': csrf(browser, '/operator/clients')})
    assert response.headers['Location'] == '/my'
    response = browser.post('/my/announcements/new',
        data=form_data(browser, '/my/announcements/new', kind='offer'))
    assert response.status_code == 302, text(response)

    def read(pool):
        Announcement = pool.get('lk.announcement')
        announcement, = Announcement.search(
            [('party', '=', account.party_id)])
        return (announcement.state, announcement.operator.id,
            announcement.web_user.id, announcement.author)
    state, operator, web_user, author = run_as_root(portal_app, read)
    assert (state, operator, web_user) == (
        'moderation', staff_id, account.user_id)
    assert 'Оператор объявлений' in author
