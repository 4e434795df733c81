# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Every route of the portal with all modules, checked for

- anonymous access: a client page sends to /login, a staff page to
  /operator/login, a public page answers without either;
- CSRF: every POST without the token is refused with 400;
- another owner's record: every route with a record id answers 404 to
  another client (client pages) or to an operator outside the record's
  branch (staff pages), and changes nothing.

ROUTES classifies every endpoint of `app.url_map` and SAMPLES names a value
for every URL argument: a route added without being classified here, or
with an argument nobody knows how to fill, makes the tests fail.
"""
import datetime as dt
import io
import re
import urllib.parse

import pytest

from trytond.modules.lk_base.tests.portal_fixtures import (
    PASSWORD, csrf, login, random_inn, run_as_root, staff_login, text)

PUBLIC, CLIENT, STAFF = 'public', 'client', 'staff'

ROUTES = {
    'static': PUBLIC,
    'lk_base.static': PUBLIC,
    'lk_base.index': PUBLIC,
    'lk_base.login': PUBLIC,
    'lk_base.logout': PUBLIC,
    'lk_base.register': PUBLIC,
    'lk_base.confirm_email': PUBLIC,
    'lk_base.resend_confirmation': PUBLIC,
    'lk_base.reset_password': PUBLIC,
    'lk_base.reset_password_confirm': PUBLIC,
    'lk_base.help_page': PUBLIC,
    'lk_base.set_language': PUBLIC,
    'lk_base.dev_outbox': PUBLIC,
    'lk_base.home': CLIENT,
    'lk_base.profile': CLIENT,
    'lk_base.profile_change': CLIENT,
    'lk_base.profile_notifications': CLIENT,
    'lk_base.profile_request_cancel': CLIENT,
    'lk_base.notifications': CLIENT,
    'lk_base.notification': CLIENT,
    'lk_base.notification_attachment': CLIENT,
    'lk_base.notification_new': CLIENT,
    'lk_base.notifications_mark_read': CLIENT,
    'lk_operator.login': PUBLIC,
    'lk_operator.logout': STAFF,
    'lk_operator.home': STAFF,
    'lk_operator.act_stop': STAFF,
    'lk_operator.clients': STAFF,
    'lk_operator.clients_export': STAFF,
    'lk_operator.client': STAFF,
    'lk_operator.client_act': STAFF,
    'lk_operator.client_activate': STAFF,
    'lk_operator.client_block': STAFF,
    'lk_operator.client_resend_confirmation': STAFF,
    'lk_operator.client_reset_password': STAFF,
    'lk_operator.client_roles': STAFF,
    'lk_operator.client_new': STAFF,
    'lk_applications.static': PUBLIC,
    'lk_applications.applications': CLIENT,
    'lk_applications.new': CLIENT,
    'lk_applications.application': CLIENT,
    'lk_applications.step': CLIENT,
    'lk_applications.document': CLIENT,
    'lk_applications.print_': CLIENT,
    'lk_applications.remark': CLIENT,
    'lk_applications.submit': CLIENT,
    'lk_applications.withdraw': CLIENT,
    'lk_applications.fulfilled': CLIENT,
    'lk_applications.asset_transfers': CLIENT,
    'lk_applications.asset_transfer_new': CLIENT,
    'lk_applications.operator_applications': STAFF,
    'lk_applications.operator_board': STAFF,
    'lk_applications.operator_application': STAFF,
    'lk_applications.operator_document': STAFF,
    'lk_applications.operator_move': STAFF,
    'lk_applications.operator_remark': STAFF,
    'lk_applications.operator_review': STAFF,
    'lk_announcements.static': PUBLIC,
    'lk_announcements.board': PUBLIC,
    'lk_announcements.feed': PUBLIC,
    'lk_announcements.announcement': PUBLIC,
    'lk_announcements.write': CLIENT,
    'lk_announcements.mine': CLIENT,
    'lk_announcements.new': CLIENT,
    'lk_announcements.edit': CLIENT,
    'lk_announcements.close': CLIENT,
    'lk_announcements.thread': CLIENT,
    'lk_announcements.agree': CLIENT,
    'lk_announcements.apply': CLIENT,
    'lk_meters.static': PUBLIC,
    'lk_meters.meters': CLIENT,
    'lk_meters.link': CLIENT,
    'lk_meters.unlink': CLIENT,
    'lk_meters.meter': CLIENT,
    'lk_meters.readings': CLIENT,
    'lk_meters.history': CLIENT,
    'lk_meters.history_export': CLIENT,
    'lk_meters.change': CLIENT,
    'lk_meters.change_requests': CLIENT,
    'lk_meters.meter_applications': CLIENT,
    'lk_meters.meter_application_new': CLIENT,
    'lk_edo.static': PUBLIC,
    'lk_edo.documents': CLIENT,
    'lk_edo.add': CLIENT,
    'lk_edo.document': CLIENT,
    'lk_edo.file': CLIENT,
    'lk_edo.stamped': CLIENT,
    'lk_edo.company_signature': CLIENT,
    'lk_edo.phone_code': CLIENT,
    'lk_edo.phone_verify': CLIENT,
    'lk_edo.code': CLIENT,
    'lk_edo.sign': CLIENT,
    'lk_edo.reject': CLIENT,
    'lk_edo.supply': CLIENT,
    'lk_edo.verify': PUBLIC,
    'lk_appointments.static': PUBLIC,
    'lk_appointments.new': CLIENT,
    'lk_appointments.appointments': CLIENT,
    'lk_appointments.appointment': CLIENT,
    'lk_appointments.cancel': CLIENT,
    'lk_appointments.ticket': CLIENT,
    'lk_appointments.operator_queue': STAFF,
    'lk_appointments.operator_action': STAFF,
    'lk_appointments.operator_block': STAFF,
    'lk_payment.static': PUBLIC,
    'lk_payment.payments': CLIENT,
    'lk_payment.pay': CLIENT,
    'lk_payment.go': CLIENT,
    'lk_payment.returned': CLIENT,
    'lk_payment.failed': CLIENT,
    'lk_payment.invoice_pdf': CLIENT,
    'lk_payment.refund': CLIENT,
    'lk_payment.reconciliation': STAFF,
    }
# Staff pages of the super administrator only: an operator is refused
# (403) before any record is looked at
ADMIN_ONLY = {'lk_operator.client_roles'}

PDF = b'%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n'


pytestmark = pytest.mark.usefixtures('no_login_delay')


def rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda r: r.rule)


def methods(rule):
    return sorted(rule.methods & {'GET', 'POST'})


def url(rule, samples):
    "The path of rule with every argument taken from samples"
    missing = rule.arguments - set(samples)
    assert not missing, (
        '%s: add a sample of %s to SAMPLES' % (rule.endpoint, missing))
    return rule.build({a: samples[a] for a in rule.arguments})[1]


SAMPLES = {
    'filename': 'lk.css',
    'step': 'requisites',
    'application_id': 1,
    'document_id': 1,
    'notification_id': 1,
    'attachment_id': 1,
    'request_id': 1,
    'user_id': 1,
    'announcement_id': 1,
    'thread_id': 1,
    'account_id': 1,
    'meter_id': 1,
    'format_': 'csv',
    'signature_id': 1,
    'appointment_id': 1,
    'ext': 'pdf',
    'action': 'check_in',
    'invoice_id': 1,
    'payment_id': 1,
    }


def test_every_route_is_classified(portal_app):
    endpoints = {r.endpoint for r in portal_app.url_map.iter_rules()}
    assert endpoints - set(ROUTES) == set(), 'classify the new routes'
    assert set(ROUTES) - endpoints == set(), 'drop the removed routes'
    for rule in rules(portal_app):
        url(rule, SAMPLES)


def test_anonymous(portal_app):
    client = portal_app.test_client()
    for rule in rules(portal_app):
        kind = ROUTES[rule.endpoint]
        path = url(rule, SAMPLES)
        for method in methods(rule):
            # a fresh token: /logout has cleared the session
            token = csrf(client, '/login')
            response = client.open(
                path, method=method, data={'csrf_token': token})
            where = '%s %s' % (method, path)
            location = response.headers.get('Location', '')
            if kind == CLIENT:
                assert response.status_code == 302, where
                assert location.startswith('/login?next='), where
            elif kind == STAFF:
                assert response.status_code == 302, where
                assert location.startswith('/operator/login'), where
            else:
                assert response.status_code < 500, where
                assert not location.startswith('/login?next'), where
                assert not location.startswith('/operator/login?'), where


def test_post_without_csrf(portal_app, make_client, make_staff):
    anonymous = portal_app.test_client()
    client = portal_app.test_client()
    login(client, make_client())
    staff = portal_app.test_client()
    staff_login(staff, make_staff(
            ['group_lk_admin', 'group_lk_operator'], ['khakassia']))
    by_kind = {PUBLIC: [anonymous, client], CLIENT: [anonymous, client],
        STAFF: [anonymous, staff]}
    for rule in rules(portal_app):
        if 'POST' not in rule.methods:
            continue
        path = url(rule, SAMPLES)
        for who in by_kind[ROUTES[rule.endpoint]]:
            response = who.post(path, data={'lang': 'en', 'text': 'x'})
            assert response.status_code == 400, path
            assert 'Форма устарела' in text(response), path


@pytest.fixture
def others(portal_app, make_client):
    """Records of a client of Хакасэнерго: the ids of everything a URL can
    name, and the signed-in test client of that client."""
    def branch(pool):
        return pool.get('lk.branch').search([('code', '=', 'khakassia')])[0].id
    owner = make_client('fl', branch=run_as_root(portal_app, branch))
    browser = portal_app.test_client()
    login(browser, owner)

    token = csrf(browser, '/my/applications/new')
    response = browser.post('/my/applications/new',
        data={'csrf_token': token, 'kind': 'new_connection'})
    application_id = int(re.search(r'/my/applications/(\d+)/edit/',
            response.headers['Location']).group(1))
    page = '/my/applications/%s/edit/documents' % application_id
    response = browser.post(page, data={
            'csrf_token': csrf(browser, page), 'action': 'save',
            'document_plan': (io.BytesIO(PDF), 'plan.pdf')},
        content_type='multipart/form-data')
    assert response.status_code < 400, text(response)

    def create(pool):
        Notification = pool.get('lk.notification')
        Party = pool.get('party.party')
        Document = pool.get('lk.application.document')
        Request = pool.get('lk.profile.change.request')
        WebUser = pool.get('web.user')
        Attachment = pool.get('ir.attachment')
        party = Party(owner.party_id)
        notification = Notification.notify(
            party, 'Тема', 'Текст', attachments=[('акт.pdf', PDF)])
        request = Request.submit(party, {'last_name': 'Другой'})
        document, = Document.search([('application', '=', application_id)])
        attachment, = Attachment.search(
            [('resource', '=', str(notification))])
        appointment = _appointment(pool, party)
        user = WebUser(owner.user_id)
        user.set_reset_password_token()
        user.save()
        announcement, thread = _announcement_and_thread(pool, party)
        account, meter = _meter_of(pool, party)
        invoice, payment = _invoice_of(pool, application_id)
        return {
            'invoice_id': invoice.id,
            'payment_id': payment.id,
            'announcement_id': announcement.id,
            'thread_id': thread.id,
            'account_id': account.id,
            'meter_id': meter.id,
            'application_id': application_id,
            'document_id': document.id,
            'notification_id': notification.id,
            'attachment_id': attachment.id,
            'request_id': request.id,
            'user_id': owner.user_id,
            'appointment_id': appointment.id,
            'email': user.email,
            'token': user.reset_password_token,
            }
    samples = dict(SAMPLES, **run_as_root(portal_app, create))
    return owner, samples


def _announcement_and_thread(pool, party):
    """A draft announcement of the owner (nobody else may see it) and the
    owner's thread on another client's published announcement"""
    Announcement = pool.get('lk.announcement')
    Thread = pool.get('lk.announcement.thread')
    Party = pool.get('party.party')
    author = Party(person_kind='ip', name='ИП Автор', inn=random_inn(12))
    author.save()
    values = {
        'kind': 'demand', 'centre_name': 'ПС 35 кВ Борисовская',
        'substation_address': 'Борисово с, ТП-280', 'power': 30}
    own = Announcement(party=party, **values)
    other = Announcement(party=author, **values)
    Announcement.save([own, other])
    Announcement.submit([other])
    Announcement.approve([other])
    thread = Thread.open(other, party)
    thread.post(party, 'Здравствуйте')
    return own, thread


def _meter_of(pool, party):
    "A personal account with a meter and a reading, linked to party"
    Account = pool.get('lk.meter.account')
    Meter = pool.get('lk.meter')
    Link = pool.get('lk.meter.account.link')
    Reading = pool.get('lk.meter.reading')
    account = Account(number='9%011d' % party.id, holder=party.name,
        branch=party.branch)
    account.save()
    meter = Meter(account=account, number='M%s' % party.id, model='СЭ',
        registers=[{'code': '001'}])
    meter.save()
    Link(account=account, party=party).save()
    register, = meter.registers
    Reading.record(register, 100, dt.date(2026, 1, 20), dt.date(2026, 1, 1),
        'planned_check')
    return account, meter


def _invoice_of(pool, application_id):
    "An invoice of the owner's application with a captured card payment"
    from decimal import Decimal
    Application = pool.get('lk.application')
    Invoice = pool.get('lk.payment.invoice')
    Payment = pool.get('lk.payment')
    invoice, = Invoice.create_for(
        Application(application_id), Decimal('550.45'))
    payment = Payment(invoice=invoice, party=invoice.party, gateway='rbs',
        number='matrix-%s' % invoice.id, amount=invoice.total,
        captured_amount=invoice.total, state='captured')
    payment.save()
    Invoice.update_state([invoice])
    return invoice, payment


def _appointment(pool, party):
    "A booking of party at the Хакасэнерго office (lk_appointments)"
    from trytond.modules.lk_appointments.demo import setup_demo
    setup_demo()
    Office = pool.get('lk.office')
    Appointment = pool.get('lk.appointment')
    office, = Office.search([('branch.code', '=', 'khakassia')])
    offer = office.appointment_offers[0]
    date = offer.free_days()[0]
    start, _ = offer.free_slots(date)[0]
    return Appointment.book(party, offer, start)


def snapshot(app, samples):
    "What a wrongly allowed request would change"
    def read(pool):
        WebUser = pool.get('web.user')
        Application = pool.get('lk.application')
        Request = pool.get('lk.profile.change.request')
        Notification = pool.get('lk.notification')
        Announcement = pool.get('lk.announcement')
        Thread = pool.get('lk.announcement.thread')
        announcement = Announcement(samples['announcement_id'])
        thread = Thread(samples['thread_id'])
        Link = pool.get('lk.meter.account.link')
        Reading = pool.get('lk.meter.reading')
        ChangeRequest = pool.get('lk.meter.change.request')
        Appointment = pool.get('lk.appointment')
        Invoice = pool.get('lk.payment.invoice')
        Refund = pool.get('lk.payment.refund')
        Payment = pool.get('lk.payment')
        user = WebUser(samples['user_id'])
        application = Application(samples['application_id'])
        return (
            user.active, user.email_valid, [r.code for r in user.roles],
            user.password_hash, user.reset_password_token,
            application.state, application.write_date,
            len(application.documents),
            Request(samples['request_id']).state,
            Notification(samples['notification_id']).read_at,
            announcement.state, announcement.write_date,
            len(thread.messages), thread.author_agreed, thread.party_agreed,
            Link.search_count([('account', '=', samples['account_id'])]),
            Reading.search_count([('meter', '=', samples['meter_id'])]),
            ChangeRequest.search_count([]),
            Appointment(samples['appointment_id']).state,
            Invoice(samples['invoice_id']).state,
            Payment.search_count([]), Refund.search_count([]))
    return run_as_root(app, read)


def test_other_clients_records_are_404(portal_app, others, make_client):
    owner, samples = others
    before = snapshot(portal_app, samples)
    intruder = portal_app.test_client()
    login(intruder, make_client('fl'))
    token = csrf(intruder, '/my')
    checked = 0
    for rule in rules(portal_app):
        if ROUTES[rule.endpoint] != CLIENT or not any(
                a.endswith('_id') for a in rule.arguments):
            continue
        path = url(rule, samples)
        for method in methods(rule):
            response = intruder.open(path, method=method, data={
                    'csrf_token': token, 'text': 'x', 'action': 'save',
                    'applicant_name': 'x'})
            assert response.status_code == 404, '%s %s' % (method, path)
            checked += 1
    assert checked >= 12
    assert snapshot(portal_app, samples) == before


def test_other_branch_records_are_404(portal_app, others, make_staff):
    owner, samples = others
    before = snapshot(portal_app, samples)
    staff = portal_app.test_client()
    staff_login(staff, make_staff(['group_lk_operator'], ['krasnoyarsk']))
    token = csrf(staff, '/operator/clients')
    checked = 0
    for rule in rules(portal_app):
        if ROUTES[rule.endpoint] != STAFF or not any(
                a.endswith('_id') for a in rule.arguments):
            continue
        path = url(rule, samples)
        expected = 403 if rule.endpoint in ADMIN_ONLY else 404
        for method in methods(rule):
            response = staff.open(path, method=method, data={
                    'csrf_token': token, 'state': 'review', 'roles': '1'})
            assert response.status_code == expected, '%s %s' % (
                method, path)
            checked += 1
    assert checked >= 8
    assert snapshot(portal_app, samples) == before


def test_reset_password_confirm_of_another_is_404(
        portal_app, others, make_client):
    "Another's e-mail with one's own live token sets nothing"
    owner, samples = others
    intruder = make_client('fl')

    def token(pool):
        WebUser = pool.get('web.user')
        user = WebUser(intruder.user_id)
        user.set_reset_password_token()
        user.save()
        return user.reset_password_token
    own_token = run_as_root(portal_app, token)
    before = snapshot(portal_app, samples)
    browser = portal_app.test_client()
    form_token = csrf(browser, '/login')
    for email, token_ in [
            (samples['email'], own_token), (samples['email'], ''),
            (samples['email'], 'x' * 64), ('', samples['token']),
            (intruder.email, samples['token'])]:
        path = '/reset-password/confirm?' + urllib.parse.urlencode(
            {'email': email, 'token': token_})
        assert browser.get(path).status_code == 404, path
        response = browser.post(path, data={
                'csrf_token': form_token,
                'password': 'Taken-over-2026', 'password2': 'Taken-over-2026'})
        assert response.status_code == 404, path
    assert snapshot(portal_app, samples) == before
    # the owner's own link still works
    path = '/reset-password/confirm?' + urllib.parse.urlencode(
        {'email': samples['email'], 'token': samples['token']})
    assert browser.get(path).status_code == 200
    assert login(portal_app.test_client(), owner, PASSWORD).status_code == 302
