# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Business rules the portal leaves to the models: the branch scope of a
registration at the counter, the password policy of the web user."""
import re

import pytest

from trytond.pool import Pool
from trytond.transaction import Transaction

from .portal_fixtures import csrf, random_snils, staff_login, text


def branch_id(app, code):
    database = app.config['TRYTON_DATABASE']
    with Transaction().start(database, 0, readonly=True):
        Branch = Pool().get('lk.branch')
        return Branch.search([('code', '=', code)])[0].id


def counter_values(branch):
    return {
        'person_kind': 'fl', 'snils': random_snils(),
        'last_name': 'Счётчиков', 'first_name': 'Пётр',
        'middle_name': 'Ильич',
        'email': 'counter-%s@example.ru' % random_snils(),
        'branch': branch,
        }


@pytest.mark.parametrize('groups, branches, code, allowed', [
        (['group_lk_operator'], ['khakassia'], 'khakassia', True),
        (['group_lk_operator'], ['khakassia'], 'krasnoyarsk', False),
        (['group_lk_consolidation_operator'], ['khakassia', 'krasnoyarsk'],
            'krasnoyarsk', True),
        (['group_lk_consolidation_operator'], ['khakassia', 'krasnoyarsk'],
            'altai', False),
        (['group_lk_admin'], [], 'altai', True),
        ])
def test_counter_registration_branch_scope(
        portal_app, outbox, make_staff, groups, branches, code, allowed):
    "The model refuses a client of a branch outside the operator's scope"
    from trytond.modules.lk_base.exceptions import BranchScopeError
    staff = make_staff(groups, branches)
    branch = branch_id(portal_app, code)
    database = portal_app.config['TRYTON_DATABASE']
    with Transaction().start(database, staff.id, context={
                'language': 'ru'}):
        pool = Pool()
        WebUser = pool.get('web.user')
        ConsentText = pool.get('lk.pd.consent.text')
        values = counter_values(branch)
        if allowed:
            user = WebUser.lk_register(
                values, ConsentText.current(), channel='paper')
            assert user.party.branch.id == branch
        else:
            with pytest.raises(BranchScopeError) as error:
                WebUser.lk_register(
                    values, ConsentText.current(), channel='paper')
            assert error.value.message == (
                'Регистрировать можно только клиентов своих филиалов.')


def test_counter_form_offers_own_branches(portal_app, make_staff):
    staff = make_staff(['group_lk_operator'], ['khakassia'])
    client = portal_app.test_client()
    staff_login(client, staff)
    page = text(client.get('/operator/clients/new'))
    options = re.findall(r'<option value="(\d+)"', page)
    assert options == [str(branch_id(portal_app, 'khakassia'))]


def test_registration_password_policy_of_the_model(client):
    "The web user's policy answers next to the password, typed data kept"
    snils = random_snils()
    email = 'policy-%s@example.ru' % snils
    response = client.post('/register', data={
            'csrf_token': csrf(client, '/register'),
            'person_kind': 'fl', 'snils': snils,
            'last_name': 'Правилов', 'first_name': 'Иван',
            'middle_name': 'Петрович', 'mobile': '8 913 765-43-21',
            'email': email, 'password': email, 'password2': email,
            'branch': branch_id(client.application, 'khakassia'),
            'consent': 'y'})
    page = text(response)
    assert response.status_code == 200
    assert 'Правилов' in page
    password_block = page[page.index('name="password"') - 600:
        page.index('name="password"') + 600]
    assert 'Пароль не должен совпадать со СНИЛС, ИНН, логином или e-mail' in (
        password_block)
