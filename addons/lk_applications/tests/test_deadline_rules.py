# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The terms of the connection as configured (deadline.xml): the deadline
of the connection by voltage, distance to the network, town or rural area
and land issues; the payment of an offer under the public procurement law;
the company's notice of missing documents; «today» in the branch's time
zone. Table-driven against the rules the module ships."""
import datetime as dt
from decimal import Decimal
from unittest.mock import patch

import pytest

from trytond.modules.lk_applications.application import today
from trytond.modules.lk_base.tests.portal_fixtures import (
    branch_id, run_as_root)

from .test_workflow_edges import make_application

# (person kind, power kW, voltage kV, distance m, location, land issues)
#   → (duration, unit, words of the legal basis)
EXECUTION = [
    (('fl', 15, '0.22', 10, 'town', False), (30, 'working_days', '0,4 кВ')),
    (('fl', 15, '0.22', 15, 'rural', False), (30, 'working_days', '0,4 кВ')),
    (('fl', 15, '0.22', 10, 'town', True), (4, 'months', '300 м')),
    (('fl', 15, '0.22', 20, 'town', False), (4, 'months', '300 м')),
    (('fl', 15, '0.38', 300, 'town', False), (4, 'months', '300 м')),
    (('fl', 15, '0.22', 400, 'town', False), (6, 'months', 'п. 16')),
    (('fl', 15, '0.22', 400, 'rural', False), (4, 'months', '500 м')),
    (('fl', 15, '0.22', 600, 'rural', False), (6, 'months', 'п. 16')),
    (('fl', 15, '0.22', None, None, False), (6, 'months', 'п. 16')),
    (('fl', 15, '0.22', 10, None, False), (30, 'working_days', '0,4 кВ')),
    (('fl', 15, '0.22', 100, None, False), (6, 'months', 'п. 16')),
    (('ul', 100, '10', 200, 'town', False), (4, 'months', '300 м')),
    (('ul', 100, '6', 10, 'town', False), (4, 'months', '300 м')),
    (('ul', 100, '0.38', 10, 'rural', False), (30, 'working_days', '0,4 кВ')),
    (('ul', 100, '10', 800, 'rural', False), (6, 'months', 'п. 16')),
    (('ul', 200, '0.38', 10, 'town', False), (12, 'months', 'один год')),
    (('ul', 700, '10', 10, 'town', False), (24, 'months', 'п. 16')),
    ]
# (person kind, power kW, public procurement) → (duration, unit)
CONTRACT = [
    (('fl', 15, False), (5, 'working_days')),
    (('ul', 100, False), (5, 'working_days')),
    (('ul', 100, True), (15, 'working_days')),
    (('ip', 150, True), (15, 'working_days')),
    (('ul', 200, True), (10, 'working_days')),
    (('ul', 200, False), (10, 'working_days')),
    ]


@pytest.fixture
def clients(portal_app, make_client):
    khakassia = branch_id(portal_app, 'khakassia')
    made = {}

    def get(kind):
        if kind not in made:
            made[kind] = make_client(kind, branch=khakassia)
        return made[kind]
    return get


def setup(app, account, values, procurement=False):
    def write(pool):
        Application = pool.get('lk.application')
        Party = pool.get('party.party')
        application = Application(application_id)
        Party.write([application.party], {
                'public_procurement': procurement})
        Application.write([application], values)
        Application.write([application], {'state': 'incoming'})
    application_id = make_application(app, account, 'draft')
    run_as_root(app, write)
    return application_id


def rule_of(app, application_id, event):
    def get(pool):
        Application = pool.get('lk.application')
        Rule = pool.get('lk.application.deadline')
        rule = Rule.get_rule(Application(application_id), event)
        return rule.duration, rule.unit, rule.legal_basis
    return run_as_root(app, get)


@pytest.mark.parametrize('case, expected', EXECUTION)
def test_connection_term(portal_app, clients, case, expected):
    kind, power, voltage, distance, location, land_issues = case
    application_id = setup(portal_app, clients(kind), {
            'max_power': Decimal(power), 'voltage': voltage,
            'network_distance': distance, 'location': location,
            'land_issues': land_issues,
            })
    duration, unit, basis = rule_of(portal_app, application_id, 'execution')
    assert (duration, unit) == expected[:2]
    assert expected[2] in basis


@pytest.mark.parametrize('case, expected', CONTRACT)
def test_payment_term(portal_app, clients, case, expected):
    kind, power, procurement = case
    application_id = setup(portal_app, clients(kind), {
            'max_power': Decimal(power)}, procurement=procurement)
    assert rule_of(
        portal_app, application_id, 'contract')[:2] == expected


def test_notice_of_missing_documents(portal_app, clients):
    "Three working days from the submission: Friday → Wednesday"
    def submit(pool):
        Application = pool.get('lk.application')
        application = Application(application_id)
        Application.write([application], {'state': 'draft'})
        with patch('trytond.modules.lk_applications.application.today',
                return_value=dt.date(2026, 3, 13)):
            Application.submit([application])
        application = Application(application_id)
        return (application.notice_deadline, application.deadline_event,
            application.deadline_basis)
    application_id = make_application(portal_app, clients('fl'), 'draft')
    notice, event, basis = run_as_root(portal_app, submit)
    assert notice == dt.date(2026, 3, 18)
    assert event == 'review'
    assert basis


def test_connection_deadline_follows_the_review_data(portal_app, clients):
    "The operator records the distance after the contract: the deadline "
    "of the connection and its legal basis are computed again"
    def run(pool):
        Application = pool.get('lk.application')
        application = Application(application_id)
        Application.write([application], {
                'max_power': Decimal(15), 'voltage': '0.22'})
        Application.write([application], {'state': 'contract_sent'})
        with patch('trytond.modules.lk_applications.application.today',
                return_value=dt.date(2026, 3, 2)):
            Application.conclude_contract([application])
            Application.start_execution([Application(application_id)])
        application = Application(application_id)
        before = application.deadline, application.deadline_basis
        Application.write([application], {
                'network_distance': 10, 'location': 'town'})
        application = Application(application_id)
        return before, (application.deadline, application.deadline_basis,
            application.execution_term)
    application_id = make_application(portal_app, clients('fl'), 'draft')
    before, after = run_as_root(portal_app, run)
    assert before[0] == dt.date(2026, 9, 2)
    # 30 working days; 9 March is the day off for 8 March, a Sunday
    assert after[0] == dt.date(2026, 4, 14)
    assert '0,4 кВ' in after[1]
    assert after[2].startswith('30 ')


@pytest.mark.parametrize('utc, timezone, expected', [
        (dt.datetime(2026, 1, 12, 20, 0), 'Asia/Krasnoyarsk',
            dt.date(2026, 1, 13)),
        (dt.datetime(2026, 1, 12, 20, 0), 'Europe/Moscow',
            dt.date(2026, 1, 12)),
        (dt.datetime(2026, 1, 12, 21, 0), 'Europe/Moscow',
            dt.date(2026, 1, 13)),
        (dt.datetime(2026, 1, 12, 16, 59), 'Asia/Krasnoyarsk',
            dt.date(2026, 1, 12)),
        ])
def test_today_in_the_branch_time_zone(utc, timezone, expected):
    with patch('trytond.modules.lk_base.clock.utcnow', return_value=utc):
        assert today(timezone) == expected


def test_application_date_is_the_branch_one(portal_app, clients):
    "A contract concluded at 22:00 in Moscow is dated the next day in "
    "Khakassia (UTC+7)"
    def run(pool):
        Application = pool.get('lk.application')
        application = Application(application_id)
        Application.write([application], {'state': 'contract_sent'})
        with patch('trytond.modules.lk_base.clock.utcnow',
                return_value=dt.datetime(2026, 3, 2, 19, 0)):
            Application.conclude_contract([application])
        return Application(application_id).contract_date
    application_id = make_application(portal_app, clients('fl'), 'draft')
    assert run_as_root(portal_app, run) == dt.date(2026, 3, 3)


def test_operator_records_the_review_data(portal_app, client, make_staff,
        clients):
    "The operator's page: the data decide the connection term it shows; "
    "a wrong distance is refused next to the field, keeping what was typed"
    from trytond.modules.lk_base.tests.portal_fixtures import (
        csrf, staff_login)
    staff = make_staff(['group_lk_operator'], ['khakassia'])
    assert staff_login(client, staff).status_code == 302
    application_id = make_application(portal_app, clients('fl'), 'accepted')
    page = '/operator/applications/%s' % application_id
    assert 'Срок присоединения: 6 мес.' in client.get(page).get_data(
        as_text=True)
    response = client.post(page + '/review', data={
            'csrf_token': csrf(client, page), 'network_distance': '-5',
            'location': 'town'})
    assert response.status_code == 400
    shown = response.get_data(as_text=True)
    assert 'Укажите расстояние в метрах.' in shown
    assert 'value="-5"' in shown
    response = client.post(page + '/review', data={
            'csrf_token': csrf(client, page), 'network_distance': '12',
            'location': 'town'})
    assert response.status_code == 302
    shown = client.get(page).get_data(as_text=True)
    assert 'Срок присоединения: 30 раб. дн.' in shown
    assert 'п. 16 «б»' in shown


def test_review_needs_csrf(portal_app, client, make_staff, clients):
    from trytond.modules.lk_base.tests.portal_fixtures import staff_login
    staff = make_staff(['group_lk_operator'], ['khakassia'])
    assert staff_login(client, staff).status_code == 302
    application_id = make_application(portal_app, clients('fl'), 'accepted')
    response = client.post(
        '/operator/applications/%s/review' % application_id,
        data={'network_distance': '12'})
    assert response.status_code == 400
