"""The board of power redistribution in a browser: the public list and an
announcement without signing in, then a client posts with the form
«Добавление объявления» (a refused category first: the house it offers
power of is connected with 10 kW) and writes to an author."""
from decimal import Decimal

from trytond.modules.lk_base.tests.portal_fixtures import (
    PASSWORD, run_as_root)


def _published(app, party_id):
    def create(pool):
        Announcement = pool.get('lk.announcement')
        announcement = Announcement(
            party=party_id, kind='offer',
            centre_name='ПС 35 кВ Борисовская',
            substation_address=(
                'Кемеровская обл, Крапивинский р-н, Борисово с, ТП-280'),
            power=Decimal(375), phone='+7 913 000-11-22',
            email='shakhta@example.ru', connected_power=Decimal(1000),
            message='Готовы передать часть максимальной мощности цеха.')
        announcement.save()
        Announcement.submit([announcement])
        Announcement.approve([announcement])
        return announcement.id
    return run_as_root(app, create)


def _connected_house(app, party_id):
    "The client's house, connected with 10 kW by a closed application"
    def create(pool):
        Application = pool.get('lk.application')
        Kind = pool.get('lk.application.kind')
        kind, = Kind.search([('code', '=', 'new_connection')])
        Application.create([{
                    'kind': kind.id, 'party': party_id, 'state': 'closed',
                    'object_name': 'Жилой дом',
                    'object_address': 'Балахтинский р-н, Кожаны с, 13',
                    'max_power': Decimal(10)}])
    run_as_root(app, create)


def test_board_and_form(page, shot, live_server, portal_app, make_client):
    author = make_client('ul')
    announcement_id = _published(portal_app, author.party_id)

    page.goto(live_server + '/announcements')
    page.get_by_role(
        'heading', name='Объявления о перераспределении мощности').wait_for()
    page.get_by_text('Всего записей:').wait_for()
    shot('announcements-01-board')
    page.get_by_label('Тип').select_option('offer')
    page.get_by_role('button', name='Найти').click()
    page.get_by_text('Всего записей:').wait_for()

    page.goto(live_server + '/announcements/%s' % announcement_id)
    page.get_by_text('Готовы передать часть').wait_for()
    assert page.get_by_text('shakhta@example.ru').count() == 0
    shot('announcements-02-detail-anonymous')

    account = make_client('fl')
    _connected_house(portal_app, account.party_id)
    page.goto(live_server + '/login')
    page.fill('#snils', account.snils)
    page.fill('#password', PASSWORD)
    page.keyboard.press('Enter')
    page.get_by_role('heading', name='Личный кабинет').wait_for()

    page.goto(live_server + '/my/announcements/new')
    page.get_by_role('heading', name='Добавление объявления').wait_for()
    page.get_by_text('Авторы несут личную ответственность').wait_for()
    shot('announcements-03-form')
    page.get_by_label('Предложение').check()
    page.get_by_label('Наименование центра питания').fill(
        'ПС110/10 "Кожаны" ТП42-10-04')
    page.get_by_label('Адрес подстанции').fill(
        'Красноярский край, Балахтинский р-н, Кожаны с, 13')
    page.get_by_label(
        'Объем планируемой к перераспределению максимальной мощности, кВт'
        ).fill('5')
    connection = page.get_by_label(
        'Присоединённые энергопринимающие устройства')
    connection.select_option(index=1)
    assert 'Жилой дом' in connection.evaluate(
        'select => select.selectedOptions[0].textContent')
    page.get_by_role('button', name='Отправить на модерацию').click()
    page.get_by_text('не подлежит перераспределению').wait_for()
    assert page.input_value('#substation_address').endswith('Кожаны с, 13')
    shot('announcements-04-form-refused')
    page.get_by_label('Спрос').check()
    page.get_by_role('button', name='Отправить на модерацию').click()
    page.get_by_text('Объявление отправлено на модерацию').wait_for()

    page.goto(live_server + '/announcements/%s' % announcement_id)
    page.get_by_text('shakhta@example.ru').wait_for()
    page.get_by_label('Сообщение').fill('Нужно 15 кВт, готовы обсудить.')
    page.get_by_role('button', name='Отправить').click()
    page.get_by_text('Сообщение отправлено').wait_for()
    shot('announcements-05-thread')
