"""A client books a visit in a browser: sign in → Филиал → Офис → Услуга →
Дата → a free slot → «Отправить» → the booking page → the ticket PDF
(rendered with pdftoppm) → the history."""
import shutil
import subprocess

import pytest

from trytond.modules.lk_base.tests.portal_fixtures import (
    PASSWORD, run_as_root)


@pytest.fixture
def demo_services(portal_app):
    def setup(pool):
        from trytond.modules.lk_appointments.demo import setup_demo
        setup_demo()
    run_as_root(portal_app, setup)


def test_book_a_visit(page, shot, live_server, make_client, demo_services,
        make_staff, tmp_path):
    account = make_client('fl')
    page.goto(live_server + '/login')
    page.fill('#snils', account.snils)
    page.fill('#password', PASSWORD)
    page.keyboard.press('Enter')
    page.get_by_role('heading', name='Личный кабинет').wait_for()

    page.goto(live_server + '/my/appointments/new')
    page.get_by_role('heading', name='Запись на приём').wait_for()
    shot('appointments-01-empty-form')
    # the script submits the choices on change, each reload keeps them
    for select, label in [
            ('#appt-branch', 'Хакасэнерго'),
            ('#appt-office', 'г. Абакан, ул. Советская, д. 172'),
            ('#appt-service', 'Выдача документов')]:
        with page.expect_navigation(wait_until='load'):
            page.select_option(select, label=label)
    page.wait_for_selector('input[name="slot"]')
    office = page.locator('#appt-office').input_value()
    assert office
    assert page.get_by_text('Внимание!').is_visible()
    shot('appointments-02-slots')
    # the first day with free time: today or, late in the day, a later one
    day = page.locator('#appt-date').input_value()
    page.locator('.appt-slot').first.click()
    page.get_by_role('button', name='Отправить').click()

    page.get_by_text('Вы записаны на приём').wait_for()
    page.get_by_text('В ожидании').first.wait_for()
    shot('appointments-03-booking')

    link = page.get_by_role('link', name='Распечатать талон')
    response = page.request.get(live_server + link.get_attribute('href'))
    assert response.ok
    pdf = response.body()
    assert pdf.startswith(b'%PDF')
    ticket = tmp_path / 'ticket.pdf'
    ticket.write_bytes(pdf)
    if shutil.which('pdftoppm'):
        subprocess.run(['pdftoppm', '-png', '-r', '80', '-singlefile',
                str(ticket), str(page.screenshot_dir / 'appointments-04-ticket')],
            check=True)

    page.goto(live_server + '/my/appointments')
    page.get_by_role('heading', name='История записи на приём').wait_for()
    shot('appointments-05-history')

    # the operator of the branch sees the booking in the queue of the day
    staff = make_staff(['group_lk_operator'], ['khakassia'])
    page.context.clear_cookies()
    page.goto(live_server + '/operator/appointments')
    page.get_by_role('heading', name='Вход для сотрудников').wait_for()
    page.fill('#login', staff.login)
    page.fill('#password', staff.password)
    page.keyboard.press('Enter')
    page.get_by_role('heading', name='Очередь дня').wait_for()
    # the script that submits the choices on change runs at DOMContentLoaded,
    # which may come after the heading is there
    page.wait_for_load_state('load')
    # the day of the booking: today shown as it is (early in the office's
    # day), tomorrow picked (late in it)
    assert page.locator('#queue-office').input_value() == office
    if page.locator('#queue-day').input_value() != day:
        with page.expect_navigation(wait_until='load'):
            page.fill('#queue-day', day)
    assert page.locator('#queue-day').input_value() == day
    page.get_by_text('В ожидании').first.wait_for()
    shot('appointments-06-operator-queue')
