# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Portal tests of the operators' applications: list, board, page and the
move to another state; branch scope, CSRF and who may reach what."""
import datetime as dt

import pytest

from trytond.modules.lk_base.tests.portal_fixtures import (
    branch_id, csrf, login, run_as_root, text)

GETS = [
    '/operator/applications',
    '/operator/applications/board',
    '/operator/applications/{id}',
    ]


pytestmark = pytest.mark.usefixtures('no_login_delay')


def make_application(app, account, state='incoming', deadline=None):
    "An application of the client's party moved to state by root"
    def create(pool):
        Application = pool.get('lk.application')
        Kind = pool.get('lk.application.kind')
        WebUser = pool.get('web.user')
        kind, = Kind.search([('code', '=', 'new_connection')])
        web_user = WebUser(account.user_id)
        application = Application.create_draft(
            kind, web_user.party, web_user)
        if state != 'draft':
            Application.write([application], {'state': state})
        if deadline:
            Application.write([application], {'deadline': deadline})
        return application.id, application.number
    return run_as_root(app, create)


def read(app, application_id):
    def get(pool):
        Application = pool.get('lk.application')
        Notification = pool.get('lk.notification')
        application = Application(application_id)
        notifications = Notification.search(
            [('party', '=', application.party.id)])
        return (application.state,
            [(h.state, h.author, h.remark) for h in application.history],
            len(notifications))
    return run_as_root(app, get)


@pytest.fixture
def altai_client(portal_app, make_client):
    return make_client(
        'fl', branch=branch_id(portal_app, 'altai'), last_name='Алтайский')


@pytest.fixture
def own(portal_app, khakassia_client):
    return make_application(portal_app, khakassia_client)


@pytest.fixture
def foreign(portal_app, altai_client):
    return make_application(portal_app, altai_client)


def link(application):
    "The link to the application's page, as the list and the board show it"
    return 'href="/operator/applications/%s"' % application[0]


def move(client, application_id, state, comment='', token=None,
        next_=None):
    page = '/operator/applications/%s' % application_id
    data = {'state': state, 'comment': comment,
        'csrf_token': token or csrf(client, page)}
    if next_:
        data['next'] = next_
    return client.post(page + '/move', data=data)


@pytest.mark.parametrize('path', GETS)
def test_anonymous_is_sent_to_operator_login(client, own, path):
    response = client.get(path.format(id=own[0]))
    assert response.status_code == 302
    assert '/operator/login' in response.headers['Location']


@pytest.mark.parametrize('path', GETS)
def test_client_cannot_reach_operator_pages(
        client, khakassia_client, own, path):
    assert login(client, khakassia_client).status_code == 302
    response = client.get(path.format(id=own[0]))
    assert response.status_code == 302
    assert '/operator/login' in response.headers['Location']


def test_other_branch_is_invisible(portal_app, client, operator, own,
        foreign, khakassia_client):
    foreign_id, _ = foreign
    assert client.get(
        '/operator/applications/%s' % foreign_id).status_code == 404
    token = csrf(client, '/operator/applications/%s' % own[0])
    response = move(client, foreign_id, 'accepted', token=token)
    assert response.status_code == 404
    assert read(portal_app, foreign_id)[0] == 'incoming'
    for path in ['/operator/applications', '/operator/applications/board']:
        page = text(client.get(path + '?client=Алтайский'))
        assert link(foreign) not in page
        results = page.split('id="search-title"')[1].split('</section>')[1]
        assert 'Алтайский' not in results
    # the board shows the first cards of each stage by deadline
    first = make_application(portal_app, khakassia_client,
        deadline=dt.date(2001, 1, 1))
    assert link(first) in text(client.get('/operator/applications/board'))


def test_move_runs_the_transition(portal_app, client, operator, own):
    application_id, number = own
    _, _, notified = read(portal_app, application_id)
    response = move(client, application_id, 'accepted',
        comment='Принята в работу', next_='/operator/applications/board')
    assert response.status_code == 302
    assert response.headers['Location'].endswith(
        '/operator/applications/board')
    state, history, notifications = read(portal_app, application_id)
    assert state == 'accepted'
    assert history[0] == ('accepted', operator.name, 'Принята в работу')
    assert notifications == notified + 1
    page = text(client.get('/operator/applications/board'))
    assert 'is moved to' in page or 'переведена' in page


def test_request_documents_needs_a_comment(portal_app, client, operator,
        own):
    application_id, _ = own
    move(client, application_id, 'accepted')
    before = read(portal_app, application_id)
    response = move(client, application_id, 'documents_requested')
    assert response.status_code == 302
    page = text(client.get(response.headers['Location']))
    assert 'Заполните замечание к заявке' in page
    assert read(portal_app, application_id) == before
    move(client, application_id, 'documents_requested',
        comment='Приложите план участка')
    assert read(portal_app, application_id)[0] == 'documents_requested'


def test_move_outside_the_workflow_is_refused(portal_app, client, operator,
        own):
    application_id, _ = own
    response = move(client, application_id, 'closed')
    page = text(client.get(response.headers['Location']))
    assert 'нельзя перевести из статуса «Входящая» в статус' in page
    assert read(portal_app, application_id)[0] == 'incoming'


def test_move_without_csrf_is_400(portal_app, client, operator, own):
    response = client.post(
        '/operator/applications/%s/move' % own[0],
        data={'state': 'accepted'})
    assert response.status_code == 400
    assert read(portal_app, own[0])[0] == 'incoming'


def test_filters(portal_app, client, operator, khakassia_client):
    late = make_application(portal_app, khakassia_client,
        deadline=dt.date.today() - dt.timedelta(days=3))
    fresh = make_application(portal_app, khakassia_client, state='draft')
    base = '/operator/applications'

    def numbers(query):
        page = text(client.get(base + query))
        return {n for n, a in [('late', late), ('fresh', fresh)]
            if link(a) in page}
    assert numbers('?client=Хакасов') == {'late', 'fresh'}
    assert numbers('?overdue=yes') == {'late'}
    assert numbers('?overdue=no&client=Хакасов') == {'fresh'}
    assert numbers('?state=draft&client=Хакасов') == {'fresh'}
    assert numbers('?client=%s' % khakassia_client.snils) == {
        'late', 'fresh'}
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    assert numbers('?date_from=' + tomorrow) == set()
    assert numbers('?client=Хакасов&date_to=' + tomorrow) == {
        'late', 'fresh'}
    board = text(client.get(base + '/board?overdue=yes'))
    assert link(late) in board and link(fresh) not in board
    assert 'deadline-overdue' in board


def test_filters_past_the_matches_read(portal_app, client, operator,
        make_client, monkeypatch):
    "More applications match the client's text than are read as ids"
    from trytond.modules.lk_applications.portal import operator_views
    monkeypatch.setattr(operator_views, 'MATCHES', 1)
    account = make_client(
        'fl', branch=branch_id(portal_app, 'khakassia'), last_name='Многов')
    ids = [make_application(portal_app, account) for _ in range(2)]
    for path in ['/operator/applications', '/operator/applications/board']:
        page = text(client.get(path + '?client=Многов'))
        assert all(link(a) in page for a in ids)


def set_branch(app, application_id, code):
    def write(pool):
        Application = pool.get('lk.application')
        Branch = pool.get('lk.branch')
        branch, = Branch.search([('code', '=', code)])
        Application.write([Application(application_id)], {'branch': branch})
    run_as_root(app, write)


def test_the_branch_of_the_application_decides(portal_app, client,
        operator, make_client):
    "The operator works the applications of the branch, whoever the client"
    handed_over = make_application(portal_app, make_client(
            'fl', branch=branch_id(portal_app, 'khakassia'),
            last_name='Переданов'))
    set_branch(portal_app, handed_over[0], 'altai')
    taken = make_application(portal_app, make_client(
            'fl', branch=branch_id(portal_app, 'altai'),
            last_name='Переданов'))
    set_branch(portal_app, taken[0], 'khakassia')
    assert client.get('/operator/applications/%s'
        % handed_over[0]).status_code == 404
    assert client.get('/operator/applications/%s'
        % taken[0]).status_code == 200
    for path in ['/operator/applications', '/operator/applications/board']:
        page = text(client.get(path + '?client=Переданов'))
        assert link(taken) in page and link(handed_over) not in page


def test_counts_stop_at_the_limit(portal_app, client, operator,
        make_client, monkeypatch):
    "The list and the board count no further than the limit"
    from trytond.modules.lk_applications.portal import operator_views
    from trytond.modules.lk_base.portal import core
    monkeypatch.setattr(core, 'COUNT_LIMIT', 2)
    monkeypatch.setattr(operator_views, 'COUNT_LIMIT', 2)
    monkeypatch.setattr(operator_views, 'BOARD_COLUMN', 1)
    monkeypatch.setitem(portal_app.config, 'LK_PAGE_SIZE', 1)
    counted = make_client(
        'fl', branch=branch_id(portal_app, 'khakassia'), last_name='Счётов')
    for _ in range(4):
        make_application(portal_app, counted)
    base = '/operator/applications?client=Счётов'
    # page 1 counts up to the pages after it: 3 of 4
    assert 'Всего записей: более 3' in text(client.get(base))
    assert 'Всего записей: 4' in text(client.get(base + '&page=2'))
    board = text(client.get('/operator/applications/board?client=Счётов'))
    assert 'более 2' in board
    assert 'Первые 1 из более чем 2; все — в списке' in board
