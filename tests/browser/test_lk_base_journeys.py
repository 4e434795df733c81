"""The journeys of a new client, clicked through in a browser:
register → confirm the e-mail → sign in → profile → inbox."""
from trytond.modules.lk_base.tests.portal_fixtures import (
    random_snils, run_as_root)


def test_register_confirm_sign_in_profile_inbox(
        page, shot, live_server, confirmation_link, portal_app):
    snils = random_snils()
    email = 'browser-%s@example.ru' % snils
    page.goto(live_server + '/register')
    shot('01-register')
    # the legal entity's fields are hidden for an individual
    assert page.locator('#kpp').is_hidden()
    page.fill('#snils', snils)
    page.fill('#last_name', 'Кузнецова')
    page.fill('#first_name', 'Ольга')
    page.fill('#middle_name', 'Витальевна')
    page.fill('#email', email)
    page.fill('#mobile', '+7 913 111-22-33')
    page.select_option('#branch', index=1)
    page.fill('#password', 'Light-2026-ok')
    page.fill('#password2', 'Light-2026-x')
    page.check('#consent')
    page.click('button[type=submit].btn-primary')
    # a mistake: the form comes back with the message and what was typed
    assert page.locator('#password2-error').is_visible()
    assert page.input_value('#last_name') == 'Кузнецова'
    shot('02-register-error')
    page.fill('#password', 'Light-2026-ok')
    page.fill('#password2', 'Light-2026-ok')
    page.click('button[type=submit].btn-primary')
    page.get_by_text('Почти готово').wait_for()

    page.goto(live_server + confirmation_link(email))
    page.get_by_text('E-mail подтверждён').wait_for()

    page.goto(live_server + '/login')
    page.fill('#snils', snils)
    page.fill('#password', 'Light-2026-ok')
    shot('03-login')
    page.keyboard.press('Enter')
    page.get_by_role('heading', name='Личный кабинет').wait_for()
    shot('04-home')

    def notify(pool):
        Party = pool.get('party.party')
        Notification = pool.get('lk.notification')
        party, = Party.search([('snils', '=', snils)])
        Notification.notify(
            party, 'Заявка на допуск в эксплуатацию прибора учета №55639',
            'Изменена заявка на допуск в эксплуатацию прибора учета. '
            'Новый статус: Принята в работу', link='/my')
    run_as_root(portal_app, notify)

    if page.viewport_size['width'] < 800:
        page.click('.nav-toggle summary')
    page.click('nav.main-nav >> text=Мой профиль')
    page.get_by_role('heading', name='Профиль пользователя').wait_for()
    assert page.get_by_text('Кузнецова Ольга Витальевна').is_visible()
    shot('05-profile')

    page.goto(live_server + '/my')
    page.click('text=Уведомления')
    page.get_by_text('Всего записей: 1').wait_for()
    shot('06-inbox')
    page.click('text=Заявка на допуск в эксплуатацию прибора учета №55639')
    page.get_by_text('Новый статус: Принята в работу').wait_for()
    shot('07-notification')
