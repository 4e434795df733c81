# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The client's booking form, history, ticket and cancellation; the
operators' queue."""
import re

import pytest

from trytond.modules.lk_base.tests.portal_fixtures import (
    csrf, login, run_as_root, staff_login, text)


@pytest.fixture
def choice(portal_app):
    "The ids of the demo office of Хакасэнерго and its first service"
    def setup(pool):
        from trytond.modules.lk_appointments.demo import setup_demo
        setup_demo()
        Office = pool.get('lk.office')
        office, = Office.search([('branch.code', '=', 'khakassia')])
        offer = office.appointment_offers[0]
        return {'branch': office.branch.id, 'office': office.id,
            'service': offer.id}
    return run_as_root(portal_app, setup)


def book(browser, choice):
    page = '/my/appointments/new?branch=%(branch)s&office=%(office)s' \
        '&service=%(service)s' % choice
    html = text(browser.get(page))
    slot = re.search(r'name="slot" value="([^"]+)"', html).group(1)
    response = browser.post('/my/appointments/new', data=dict(
            choice, csrf_token=csrf(browser, page), slot=slot))
    assert response.status_code == 302, text(response)
    return response.headers['Location'], slot


def test_cascade_and_booking(client, make_client, choice):
    login(client, make_client())
    html = text(client.get('/my/appointments/new'))
    assert 'Запись на приём' in html and 'Не выбран' in html
    assert 'name="slot"' not in html
    assert '<script>' not in html
    # each choice reloads the page keeping the ones before it
    html = text(client.get('/my/appointments/new?branch=%s' % choice['branch']))
    assert 'г. Абакан, ул. Советская, д. 172' in html
    assert 'selected>Хакасэнерго' in html
    html = text(client.get(
            '/my/appointments/new?branch=%(branch)s&office=%(office)s'
            '&service=%(service)s' % choice))
    assert 'name="slot"' in html
    assert 'Внимание!' in html and 'распечатать талон' in html
    assert 'Отправить' in html
    location, slot = book(client, choice)
    page = text(client.get(location))
    assert 'В ожидании' in page
    number = re.search(r'З-\d+', page).group(0)
    history = text(client.get('/my/appointments'))
    for column in ['№', 'Статус', 'Дата приёма', 'Филиал/Офис', 'Услуга',
            'Просмотр']:
        assert column in history
    assert number in history
    appointment_id = location.rsplit('/', 1)[1]
    pdf = client.get('/my/appointments/%s/ticket.pdf' % appointment_id)
    assert pdf.status_code == 200 and pdf.data.startswith(b'%PDF')
    ics = client.get('/my/appointments/%s/ticket.ics' % appointment_id)
    assert ics.headers['Content-Type'].startswith('text/calendar')
    assert number.encode() in ics.data
    assert client.get('/my/appointments/%s/ticket.exe'
        % appointment_id).status_code == 404
    # the slot is still offered while it has a free window (capacity 2)
    # and the client's own second booking of it is refused
    response = client.post('/my/appointments/new', data=dict(
            choice, csrf_token=csrf(client, location), slot=slot))
    assert response.status_code == 200
    assert 'У вас уже есть запись на это время.' in text(response)
    # cancelling frees the time
    response = client.post('/my/appointments/%s/cancel' % appointment_id,
        data={'csrf_token': csrf(client, location)})
    assert response.status_code == 302
    assert 'Отменена клиентом' in text(client.get(location))


def test_post_without_time_keeps_choices(client, make_client, choice):
    login(client, make_client())
    page = '/my/appointments/new?branch=%(branch)s&office=%(office)s' % choice
    response = client.post('/my/appointments/new', data=dict(
            choice, csrf_token=csrf(client, page)))
    html = text(response)
    assert response.status_code == 200
    assert 'Выберите время приёма.' in html
    assert 'value="%s" selected' % choice['service'] in html


def test_operator_queue(portal_app, make_client, make_staff, choice):
    browser = portal_app.test_client()
    login(browser, make_client())
    location, _ = book(browser, choice)
    number = re.search(r'З-\d+', text(browser.get(location))).group(0)
    staff = portal_app.test_client()
    staff_login(staff, make_staff(['group_lk_operator'], ['khakassia']))
    page = '/operator/appointments?office=%s' % choice['office']
    assert staff.get(page).status_code == 200
    response = staff.post(page, data={
            'csrf_token': csrf(staff, page), 'office': choice['office'],
            'number': number})
    assert response.status_code == 302
    # the client's page says the client came
    assert 'Подтверждена' in text(browser.get(location))
    other = portal_app.test_client()
    staff_login(other, make_staff(['group_lk_operator'], ['krasnoyarsk']))
    html = text(other.get(page))
    assert 'г. Абакан' not in html
    # a group of the operators' cabinet without access to the bookings
    stranger = portal_app.test_client()
    staff_login(stranger, make_staff(
            ['group_lk_consolidation_operator'], ['khakassia']))
    assert stranger.get(page).status_code == 403


def test_operator_queue_of_another_day(
        portal_app, make_client, make_staff, choice):
    import datetime as dt
    browser = portal_app.test_client()
    login(browser, make_client())
    location, slot = book(browser, choice)
    number = re.search(r'З-\d+', text(browser.get(location))).group(0)

    def local_day(pool):
        Office = pool.get('lk.office')
        return Office(choice['office']).to_local(
            dt.datetime.fromisoformat(slot)).date()
    day = run_as_root(portal_app, local_day)
    staff = portal_app.test_client()
    staff_login(staff, make_staff(['group_lk_operator'], ['khakassia']))
    page = '/operator/appointments?office=%s&day=%s' % (
        choice['office'], day.isoformat())
    html = text(staff.get(page))
    assert number in html and 'value="%s"' % day.isoformat() in html
    other_day = (day + dt.timedelta(days=400)).isoformat()
    html = text(staff.get('/operator/appointments?office=%s&day=%s' % (
                choice['office'], other_day)))
    assert number not in html and 'На этот день записей нет.' in html
    assert 'Очередь на' in html
    # a check-in from the queue of another day comes back to it
    response = staff.post(page, data={
            'csrf_token': csrf(staff, page), 'office': choice['office'],
            'day': day.isoformat(), 'number': number})
    assert response.status_code == 302
    assert ('day=%s' % day.isoformat() in response.headers['Location']
        or day == run_as_root(portal_app, lambda pool: pool.get(
                'lk.office')(choice['office']).today(dt.datetime.now())))
