"""The operator's board of applications in a browser: sign in, open the
board, move a card to the next stage with its form (keyboard, no drag)."""
from trytond.modules.lk_applications.tests.test_operator_portal import (
    make_application)
from trytond.modules.lk_base.tests.portal_fixtures import branch_id


def test_operator_moves_a_card_on_the_board(
        page, shot, live_server, portal_app, make_client, make_staff):
    khakassia = branch_id(portal_app, 'khakassia')
    account = make_client('fl', branch=khakassia, last_name='Доскина')
    application_id, number = make_application(portal_app, account)
    staff = make_staff(['group_lk_operator'], ['khakassia'])

    page.goto(live_server + '/operator/applications/board?client=Доскина')
    page.get_by_role('heading', name='Вход для сотрудников').wait_for()
    page.fill('#login', staff.login)
    page.fill('#password', staff.password)
    page.keyboard.press('Enter')
    page.get_by_role('heading', name='Доска заявок').wait_for()
    own = page.locator('a[href="/operator/applications/%s"]' % application_id)
    card = page.locator('.board-card', has=own)
    assert card.count() == 1
    shot('board-01')

    card.locator('select').select_option('accepted')
    card.get_by_role('button', name='Перевести').focus()
    page.keyboard.press('Enter')
    page.get_by_text('переведена в статус «Принята в работу»').wait_for()
    column = page.locator('.board-column', has=own)
    assert 'Принята в работу' in column.locator('h2').inner_text()
    shot('board-02-moved')
