# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The portal core: the one safe-redirect check, the security headers of
every response, downloads."""
import pathlib
import re

import pytest

from .portal_fixtures import csrf, staff_login

HOME = '/fallback'


@pytest.mark.parametrize('target', [
        '/my', '/my/profile?tab=1', '/applications?q=%D0%B8%D0%B2',
        '/operator/clients?page=2#top',
        ])
def test_local_path_accepts_paths(target):
    from trytond.modules.lk_base.portal.core import local_path
    assert local_path(target, HOME) == target


@pytest.mark.parametrize('target', [
        None, '', 'my', 'evil.example', '//evil.example', '///evil.example',
        '/\\evil.example', '\\\\evil.example', '\\/evil.example',
        'http://evil.example/', 'https:evil.example', 'javascript:alert(1)',
        'JavaScript:alert(1)', 'data:text/html,x', ' /my',
        '/%2F%2Fevil.example', '/%2fevil.example', '%2F%2Fevil.example',
        '/%5Cevil.example', '/%5cevil.example', '%5C%5Cevil.example',
        '/%252F%252Fevil.example', '/\t/evil.example', '/\n/evil.example',
        '/\r\n/evil.example', '/\x00/evil.example', '/%09/evil.example',
        '/%0d%0aSet-Cookie:x=1', '/\x7f/evil.example',
        ])
def test_local_path_refuses_others(target):
    from trytond.modules.lk_base.portal.core import local_path
    assert local_path(target, HOME) == HOME


@pytest.mark.parametrize('target, expected', [
        ('/operator', '/operator'), ('/operator/clients', '/operator/clients'),
        ('/operators', HOME), ('/my', HOME),
        ('/operator//evil', '/operator//evil'),
        ])
def test_local_path_prefix(target, expected):
    from trytond.modules.lk_base.portal.core import local_path
    assert local_path(target, HOME, prefix='/operator') == expected


@pytest.mark.parametrize('target', [
        '//evil.example', '/\\evil.example', '/%5Cevil.example',
        'javascript:alert(1)', '/\t/evil.example'])
def test_login_next_stays_local(client, make_client, target):
    account = make_client()
    response = client.post('/login', query_string={'next': target}, data={
            'csrf_token': csrf(client, '/login'),
            'person_kind': account.person_kind, 'snils': account.snils,
            'password': account.password})
    assert response.status_code == 302
    assert response.headers['Location'] == '/my'


def test_language_switch_next_stays_local(client):
    token = csrf(client, '/login')
    for target, expected in [('/help', '/help'), ('/\\evil.example', '/my')]:
        response = client.post('/lang', data={
                'csrf_token': token, 'lang': 'ru', 'next': target})
        assert response.headers['Location'] == expected


def test_operator_back_ignores_other_sites(client, make_staff):
    "The demo account's refused POST goes back only to a page of the portal"
    staff = make_staff(['group_lk_demo'], ['khakassia'])
    staff_login(client, staff)
    token = csrf(client, '/operator/clients')
    response = client.post('/operator/clients/1/block',
        data={'csrf_token': token},
        headers={'Referer': 'http://evil.example/operator/clients'})
    assert response.headers['Location'] == '/operator/clients'
    response = client.post('/operator/clients/1/block',
        data={'csrf_token': token},
        headers={'Referer': 'http://localhost/operator/clients?page=2'})
    assert response.headers['Location'] == '/operator/clients?page=2'


def test_security_headers_on_pages(client):
    for url in ['/login', '/no-such-page', '/static/lk.css']:
        response = client.get(url)
        headers = response.headers
        assert headers['X-Content-Type-Options'] == 'nosniff', url
        assert headers['Referrer-Policy'] == 'same-origin', url
        assert headers['X-Frame-Options'] == 'DENY', url
        policy = headers['Content-Security-Policy']
        assert "frame-ancestors 'none'" in policy, url
        assert 'unsafe-inline' not in policy, url
        assert headers['Strict-Transport-Security'].startswith(
            'max-age='), url
    policy = client.get('/login').headers['Content-Security-Policy']
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy


def test_secure_cookie_and_hsts_unless_development(portal_app, tryton_db):
    from trytond.modules.lk_base.portal.app import create_app
    assert portal_app.config['SESSION_COOKIE_SECURE'] is True
    dev = create_app({
            'TRYTON_DATABASE': tryton_db, 'TESTING': True,
            'SECRET_KEY': 'test-secret', 'LK_DEV': True})
    assert dev.config['SESSION_COOKIE_SECURE'] is False
    response = dev.test_client().get('/login')
    assert 'Strict-Transport-Security' not in response.headers
    assert "frame-ancestors 'none'" in response.headers[
        'Content-Security-Policy']


TEMPLATES = sorted(pathlib.Path(__file__).resolve().parents[2].glob(
        'lk_*/portal/templates/**/*.html'))


@pytest.mark.parametrize('path', TEMPLATES, ids=lambda p: p.name)
def test_templates_need_no_inline_code(path):
    "What 'script-src/style-src self' would block: inline code and styles"
    html = path.read_text()
    assert not re.search(r'<script(?![^>]*\bsrc=)[^>]*>', html), path
    assert not re.search(r'<style\b', html), path
    assert not re.search(r'\son[a-z]+\s*=', html), path
    assert not re.search(r'\sstyle\s*=', html), path
    assert 'javascript:' not in html, path


@pytest.mark.parametrize('mimetype, inline, disposition', [
        ('text/html', True, 'attachment'),
        ('image/svg+xml', True, 'attachment'),
        (None, True, 'attachment'),
        ('application/pdf', False, 'attachment'),
        ('application/pdf', True, 'inline'),
        ('image/png', True, 'inline'),
        ('image/jpeg', True, 'inline'),
        ])
def test_file_response_disposition(portal_app, mimetype, inline, disposition):
    from trytond.modules.lk_base.portal.core import file_response
    with portal_app.test_request_context('/'):
        data, status, headers = file_response(
            'скан «1».pdf', b'%PDF', mimetype, inline=inline)
    assert headers['Content-Disposition'].split(';')[0] == disposition
    assert headers['Content-Disposition'].endswith(
        "filename*=UTF-8''%D1%81%D0%BA%D0%B0%D0%BD%20%C2%AB1%C2%BB.pdf")
    assert headers['X-Content-Type-Options'] == 'nosniff'


def test_file_download_is_sandboxed(tryton_db):
    "A served file gets a policy that runs nothing, whatever it holds"
    from trytond.modules.lk_base.portal.app import create_app
    from trytond.modules.lk_base.portal.core import file_response
    app = create_app({
            'TRYTON_DATABASE': tryton_db, 'TESTING': True,
            'SECRET_KEY': 'test-secret'})

    @app.route('/test-download-policy')
    def download():
        return file_response('x.html', b'<script>alert(1)</script>',
            'text/plain')
    response = app.test_client().get('/test-download-policy')
    policy = response.headers['Content-Security-Policy']
    assert 'sandbox' in policy and "default-src 'none'" in policy
    assert response.headers['Content-Disposition'].startswith('attachment')


def _header(response):
    html = response.get_data(as_text=True)
    match = re.search(r'<div class="whoami">(.*?)</div>', html, re.S)
    assert match, html
    return re.sub(r'\s+', ' ', re.sub(r'<[^>]+>', ' ', match.group(1)))


def test_header_shows_name_and_roles_of_client(client, make_client):
    "«Ваше имя: … Роли» as in the seed, with the client's roles"
    account = make_client()
    client.post('/login', data={
            'csrf_token': csrf(client, '/login'),
            'person_kind': account.person_kind, 'snils': account.snils,
            'password': account.password})
    header = _header(client.get('/my/profile'))
    assert 'Ваше имя:' in header
    assert 'Роли' in header
    assert 'Клиент ЛК' in header


def test_header_shows_name_and_roles_of_staff(client, make_staff):
    staff = make_staff(['group_lk_operator'], ['khakassia'])
    staff_login(client, staff)
    header = _header(client.get('/operator/clients'))
    assert 'Ваше имя:' in header
    assert 'Оператор заявок' in header


def test_staff_loaded_once_per_request(client, make_staff, make_client):
    from unittest import mock

    from trytond.pool import Pool
    staff = make_staff(['group_lk_operator'], ['khakassia'])
    staff_login(client, staff)
    Session = Pool(client.application.config['TRYTON_DATABASE']).get(
        'lk.operator.session')
    with mock.patch.object(
            Session, 'info', autospec=True,
            side_effect=Session.info) as info:
        assert client.get('/operator/clients').status_code == 200
    assert info.call_count == 1


def test_operator_groups_are_declared_by_their_modules(
        portal_app, client, make_staff):
    """A group its module marks «Operator Cabinet» opens the cabinet;
    lk_base declares no other module's groups"""
    from .portal_fixtures import run_as_root

    def setup(pool):
        Group = pool.get('res.group')
        ModelData = pool.get('ir.model.data')
        marked, plain = Group.create([
                {'name': 'Оператор модуля', 'lk_operator': True},
                {'name': 'Без кабинета'}])
        ModelData.create([{
                    'module': 'lk_applications',
                    'fs_id': 'test_group_%s' % g.id,
                    'model': 'res.group', 'db_id': g.id}
                for g in [marked, plain]])
        base = {d.fs_id for d in ModelData.search([
                    ('module', '=', 'lk_base'), ('model', '=', 'res.group'),
                    ])}
        return marked.id, plain.id, base
    marked, plain, base = run_as_root(portal_app, setup)
    assert not [g for g in base if 'announcement' in g]
    for group_id, status in [(marked, 200), (plain, 403)]:
        browser = portal_app.test_client()
        staff = make_staff([], ['khakassia'])

        def join(pool, staff=staff, group_id=group_id):
            User = pool.get('res.user')
            User.write([User(staff.id)], {'groups': [('add', [group_id])]})
        run_as_root(portal_app, join)
        staff_login(browser, staff)
        assert browser.get('/operator/clients').status_code == status
