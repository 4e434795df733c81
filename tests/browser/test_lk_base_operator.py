"""The operator's journey in a browser: sign in to the operators' cabinet,
find a client, open the card, act on behalf of the client (the banner on
every page), and return."""
from trytond.modules.lk_base.tests.portal_fixtures import branch_id


def test_operator_finds_client_acts_on_behalf_and_returns(
        page, shot, live_server, portal_app, make_client, make_staff):
    khakassia = branch_id(portal_app, 'khakassia')
    account = make_client('fl', branch=khakassia, last_name='Гузикова')
    staff = make_staff(['group_lk_operator'], ['khakassia'])
    wide = page.viewport_size['width'] >= 800

    page.goto(live_server + '/operator/clients')
    # anonymous: sent to the staff sign-in
    page.get_by_role('heading', name='Вход для сотрудников').wait_for()
    page.fill('#login', staff.login)
    page.fill('#password', staff.password)
    shot('op-01-login')
    page.keyboard.press('Enter')
    page.get_by_role('heading', name='Пользователи личного кабинета').wait_for()

    page.fill('#identifier', account.snils)
    page.select_option('#person_kind', 'fl')
    page.click('button:has-text("Найти")')
    page.get_by_text('Всего записей: 1').wait_for()
    shot('op-02-client-list')

    page.click('table a:has-text("Гузикова")')
    page.get_by_role('heading', name='Действия').wait_for()
    assert page.get_by_text(account.email).first.is_visible()
    shot('op-03-client-card')

    page.click('button:has-text("Вход под пользователем")')
    banner = page.locator('.acting-banner')
    banner.get_by_text('Вы работаете от имени').wait_for()
    assert 'Гузикова' in banner.inner_text()
    shot('op-04-acting-home')
    if not wide:
        page.click('.nav-toggle summary')
    page.click('nav.main-nav >> text=Мой профиль')
    page.get_by_role('heading', name='Профиль пользователя').wait_for()
    assert banner.is_visible()
    shot('op-05-acting-profile')

    # the way back is reachable from the keyboard
    back = banner.get_by_role('button', name='Вернуться в свою учётную запись')
    back.focus()
    page.keyboard.press('Enter')
    page.get_by_text('Вы снова работаете от своего имени.').wait_for()
    assert page.locator('.acting-banner').count() == 0
    page.get_by_role('heading', name='Действия').wait_for()
    shot('op-06-returned')
