"""A client applies for a connection in a browser: sign in → choose the
kind → the four steps → upload a scan → submit → the application page."""
from trytond.modules.lk_base.tests.portal_fixtures import PASSWORD


def test_apply_for_connection(page, shot, live_server, make_client, scan):
    account = make_client('fl')
    page.goto(live_server + '/login')
    page.fill('#snils', account.snils)
    page.fill('#password', PASSWORD)
    page.keyboard.press('Enter')
    page.get_by_role('heading', name='Личный кабинет').wait_for()

    page.goto(live_server + '/my/applications/new')
    page.get_by_role('heading', name='Выберите вид заявки').wait_for()
    shot('applications-01-kind-chooser')
    page.get_by_label(
        'Присоединение впервые вводимых в эксплуатацию ЭПУ').check()
    page.get_by_role('button', name='Далее').click()

    page.get_by_text('Шаг 1 из 4').wait_for()
    # the requisites come from the profile
    assert page.input_value('#applicant_email') == account.email
    page.fill('#applicant_phone', '+7 913 555-44-33')
    page.fill('#postal_address', '660000, г. Красноярск, ул. Ленина, д. 1')
    page.get_by_role('button', name='Далее').click()

    page.get_by_text('Шаг 2 из 4').wait_for()
    page.get_by_label('Объект (энергопринимающие устройства)').fill(
        'Жилой дом')
    page.get_by_label('Адрес объекта').fill(
        'Емельяновский р-н, пгт Емельяново, ул. Новая, 5')
    page.get_by_role('button', name='Далее').click()

    page.get_by_text('Шаг 3 из 4').wait_for()
    page.get_by_label('Максимальная мощность (кВт)').fill('15')
    page.get_by_label('0.22').check()
    page.get_by_label('III', exact=True).check()
    page.get_by_label(
        'Характер нагрузки (вид экономической деятельности)').fill(
        'Бытовая нагрузка')
    page.get_by_label('Отрасль').fill('Население')
    page.get_by_label('Гарантирующий поставщик').fill(
        'ПАО «Красноярскэнергосбыт»')
    shot('applications-02-technical-step')
    # a mistake: the message is next to the field, the rest is kept
    page.get_by_label('Максимальная мощность (кВт)').fill('-1')
    page.get_by_role('button', name='Далее').click()
    page.locator('#max_power-error').wait_for()
    assert page.input_value('#industry') == 'Население'
    shot('applications-02b-technical-error')
    page.get_by_label('Максимальная мощность (кВт)').fill('15')
    page.get_by_role('button', name='Далее').click()

    page.get_by_text('Шаг 4 из 4').wait_for()
    page.set_input_files('#document_plan', str(scan))
    page.set_input_files('#document_title', str(scan))
    page.set_input_files('#document_passport', str(scan))
    shot('applications-03-documents-step')
    page.get_by_role('button', name='Подать заявку').click()

    page.get_by_text('Заявка подана').wait_for()
    page.get_by_role('heading', name='История заявки').wait_for()
    assert page.get_by_text('Входящая').first.is_visible()
    shot('applications-04-application-page')

    page.goto(live_server + '/my/applications')
    page.locator('.app-status', has_text='Входящая').first.wait_for()
    shot('applications-05-list')
