# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Portal roles: «Демо» makes a portal account read-only in the ORM,
«Гость» opens the public pages only."""
import pytest

from trytond.pool import Pool
from trytond.transaction import Transaction

from .portal_fixtures import csrf, login, run_as_root, text


pytestmark = pytest.mark.usefixtures('no_login_delay')


def set_roles(app, account, codes):
    def write(pool):
        WebUser = pool.get('web.user')
        Role = pool.get('lk.role')
        user = WebUser(account.user_id)
        WebUser.write([user], {
                'roles': [('remove', [r.id for r in user.roles])]})
        WebUser.write([user], {
                'roles': [('add', [Role.get(c).id for c in codes])]})
    run_as_root(app, write)


def party_values(app, account):
    def read(pool):
        party = pool.get('party.party')(account.party_id)
        return party.last_name, party.notify_method
    return run_as_root(app, read)


@pytest.mark.parametrize('codes, access', [
        (['client'], 'client'), (['demo'], 'read_only'),
        (['client', 'demo'], 'read_only'), (['guest'], 'guest'),
        (['guest', 'client'], 'client'), ([], 'guest'),
        (['admin'], 'guest'),
        ])
def test_access_of_roles(portal_app, make_client, codes, access):
    account = make_client()
    set_roles(portal_app, account, codes)
    assert run_as_root(portal_app, lambda pool: pool.get('lk.role').lk_access(
            account.user_id)) == access


def test_demo_account_reads_but_cannot_write(portal_app, make_client):
    account = make_client()
    set_roles(portal_app, account, ['client', 'demo'])
    before = party_values(portal_app, account)
    client = portal_app.test_client()
    assert login(client, account).status_code == 302
    assert 'Тестов' in text(client.get('/my/profile'))
    response = client.post('/my/profile/notifications', data={
            'csrf_token': csrf(client, '/my/profile'),
            'notify_from': '08:00:00', 'notify_to': '20:00:00',
            'notify_method': 'sms'}, follow_redirects=True)
    assert 'Демо-доступ позволяет только просматривать' in text(response)
    assert party_values(portal_app, account) == before
    # signing out still works
    response = client.post('/logout', data={'csrf_token': csrf(client, '/my')})
    assert response.headers['Location'] == '/login'
    assert client.get('/my').status_code == 302


def test_demo_account_is_read_only_in_the_orm(portal_app, make_client):
    "Whatever the portal lets through, the ORM refuses with the message"
    from trytond.modules.lk_base.exceptions import DemoWriteError
    account = make_client()
    set_roles(portal_app, account, ['demo'])
    database = portal_app.config['TRYTON_DATABASE']
    context = {
        'web_user': account.user_id, 'web_parties': [account.party_id],
        '_check_access': True, 'language': 'ru'}
    with Transaction().start(database, portal_app.config['LK_PORTAL_USER'],
            context=context):
        pool = Pool()
        Party = pool.get('party.party')
        Notification = pool.get('lk.notification')
        party = Party(account.party_id)
        assert party.last_name == 'Тестов'
        with pytest.raises(DemoWriteError) as error:
            Party.write([party], {'notify_method': 'sms'})
        assert 'Демо-доступ позволяет только просматривать' in (
            error.value.message)
        with pytest.raises(DemoWriteError):
            Notification.create([{
                        'party': party.id, 'subject': 'x', 'body': 'x',
                        'direction': 'out'}])
    set_roles(portal_app, account, ['client'])
    with Transaction().start(database, portal_app.config['LK_PORTAL_USER'],
            context=context):
        Party = Pool().get('party.party')
        Party.write([Party(account.party_id)], {'notify_method': 'sms'})


def test_guest_sees_public_pages_only(portal_app, make_client):
    account = make_client()
    set_roles(portal_app, account, ['guest'])
    client = portal_app.test_client()
    assert login(client, account).status_code == 302
    for url in ['/my', '/my/profile', '/my/notifications',
            '/my/applications', '/my/applications/new']:
        response = client.get(url)
        assert response.status_code == 403, url
        assert 'Гостевой доступ' in text(response), url
        assert 'Тестов' not in text(response), url
    assert client.get('/help').status_code == 200
    response = client.post('/my/applications/new', data={
            'csrf_token': csrf(client, '/help'), 'kind': 'new_connection'})
    assert response.status_code == 403

    def count(pool):
        return pool.get('lk.application').search_count(
            [('party', '=', account.party_id)])
    assert run_as_root(portal_app, count) == 0
    # the ORM has no client's parties for the guest's requests
    assert run_as_root(portal_app, lambda pool: pool.get(
            'web.user').lk_user_parties(account.user_id)) == (
        account.user_id, [])
