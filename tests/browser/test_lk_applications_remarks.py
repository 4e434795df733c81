"""The remark form in a browser: «+» and «×» add and remove file rows in
place (the files already chosen stay chosen), then the remark is sent with
a file per row; the asset step shows the length or the capacity the kind
needs."""
import pathlib

import pytest

from trytond.modules.lk_base.tests.portal_fixtures import PASSWORD

PDF = b'%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n'
PNG = b'\x89PNG\r\n\x1a\n' + b'\x00' * 64


@pytest.fixture
def files(tmp_path):
    pdf, png = tmp_path / 'schema.pdf', tmp_path / 'plan.png'
    pdf.write_bytes(PDF)
    png.write_bytes(PNG)
    return pathlib.Path(pdf), pathlib.Path(png)


def sign_in(page, live_server, account):
    page.goto(live_server + '/login')
    page.fill('#snils', account.snils)
    page.fill('#password', PASSWORD)
    page.keyboard.press('Enter')
    page.get_by_role('heading', name='Личный кабинет').wait_for()


def test_remark_rows_in_place(page, shot, live_server, make_client, files):
    sign_in(page, live_server, make_client('fl'))
    page.goto(live_server + '/my/applications/new')
    page.get_by_label(
        'Присоединение впервые вводимых в эксплуатацию ЭПУ').check()
    page.get_by_role('button', name='Далее').click()
    page.get_by_text('Шаг 1 из 4').wait_for()
    page.get_by_role('link', name='← Назад').click()
    form = page.locator('#remark')
    form.wait_for()
    page.wait_for_load_state()  # the deferred script has run
    rows = form.locator('[data-file-row]')
    assert rows.count() == 1
    page.fill('#text', 'Прилагаю схему и план')
    page.set_input_files('#files-0-file', str(files[0]))
    page.fill('#files-0-description', 'Схема')
    url = page.url
    form.get_by_role('button', name='Ещё один файл').click()
    form.get_by_role('button', name='Ещё один файл').click()
    assert rows.count() == 3 and page.url == url
    # the file chosen in the first row is still there
    assert page.eval_on_selector(
        '#files-0-file', 'input => input.files.length') == 1
    rows.nth(1).get_by_role('button', name='Убрать файл').click()
    assert rows.count() == 2
    page.set_input_files('#files-2-file', str(files[1]))
    page.fill('#files-2-description', 'План участка')
    shot('applications-remark-rows')
    form.get_by_role('button', name='Отправить замечание').click()
    page.get_by_text('Замечание отправлено.').wait_for()
    remarks = page.locator('#remarks')
    assert remarks.get_by_text('schema.pdf').count() == 1
    assert remarks.get_by_text('plan.png').count() == 1


def test_asset_size_follows_the_kind(page, shot, live_server, make_client):
    sign_in(page, live_server, make_client('fl'))
    page.goto(live_server + '/my/asset-transfers')
    page.get_by_role('button', name='Оформить заявку').click()
    page.get_by_text('Шаг 1 из 3').wait_for()
    page.fill('#applicant_phone', '+7 913 555-44-33')
    page.fill('#postal_address', '660000, г. Красноярск, ул. Ленина, д. 1')
    page.get_by_role('button', name='Далее').click()
    page.get_by_text('Шаг 2 из 3').wait_for()
    page.wait_for_load_state()  # the deferred script has run
    page.locator('#capacity').wait_for(state='hidden')
    assert page.is_visible('#length')
    page.select_option('#kind', 'substation')
    page.locator('#length').wait_for(state='hidden')
    assert page.is_visible('#capacity')
    page.select_option('#voltage', '10')
    page.fill('#capacity', '250')
    page.fill('#address', 'с. Кожаны, КТП-42')
    page.get_by_role('button', name='Выбрать').click()
    page.get_by_text('Объект добавлен в список.').wait_for()
    assert page.locator('table.assets').get_by_text(
        'с. Кожаны, КТП-42').count() == 1
    shot('applications-assets-step')


def test_list_search(page, shot, live_server, make_client):
    sign_in(page, live_server, make_client('fl'))
    page.goto(live_server + '/my/applications')
    page.fill('#date_from', '2026-03-01')
    page.fill('#date_to', '2026-02-01')
    page.get_by_role('button', name='Найти').click()
    page.get_by_text('Дата «По» раньше даты «Искать с».').wait_for()
    assert page.input_value('#date_from') == '2026-03-01'
    shot('applications-list-search')
    page.get_by_role('link', name='Обновить').click()
    assert page.input_value('#date_from') == ''
