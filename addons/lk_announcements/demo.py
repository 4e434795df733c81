# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo data of lk_announcements: power centres of the seed, the seed's
announcements on the board, the moderator and the announcement operator."""
from decimal import Decimal

from trytond.modules.lk_base.demo import create_staff
from trytond.pool import Pool

STAFF = [
    ('moderator', 'Модератор объявлений',
        ['lk_announcements.group_announcement_moderator'], []),
    ('announcer', 'Оператор объявлений',
        ['lk_announcements.group_announcement_operator'],
        ['khakassia', 'krasnoyarsk', 'kuzbass']),
    ]
# (branch code, name, voltage, location, substations)
CENTRES = [
    ('krasnoyarsk', 'ПС110/10 "Кожаны"', '110',
        'Красноярский край, Балахтинский р-н, Кожаны с', [
            ('ТП42-10-04', '10',
                'Красноярский край, Балахтинский р-н, Кожаны с, 13'),
            ]),
    ('kuzbass', 'ПС 35 кВ Борисовская', '35',
        'Кемеровская обл, Крапивинский р-н, Борисово с', [
            ('ТП-280', '10',
                'Кемеровская обл, Крапивинский р-н, Борисово с, ТП-280'),
            ]),
    ('khakassia', 'ПС 110/35/10 кВ "Абаканская"', '110',
        'Республика Хакасия, г. Абакан, ул. Пушкина, 1', []),
    ]
# (client INN, kind, centre name, address, power, message); an offer has
# the connected power the moderator took from the client's act
ANNOUNCEMENTS = [
    ('190123456763', 'demand', 'ПС110/10 "Кожаны" ТП42-10-04',
        'Красноярский край, Балахтинский р-н, Кожаны с, 13', 15,
        'Ищем 15 кВт для подключения мастерской.'),
    ('1901032151', 'offer', 'ПС 35 кВ Борисовская',
        'Кемеровская обл, Крапивинский р-н, Борисово с, ТП-280', 375,
        'Готовы передать часть максимальной мощности цеха.'),
    ('1901032151', 'demand', 'Кузбассэнерго-РЭС',
        'Кемеровская обл, Кемеровский р-н, Елыкаево с, Леонова ул, 43', 30,
        None),
    ]

# the connected maximum power of the demo offer's workshop, by its act
CONNECTED_POWER = Decimal(1000)


def setup_demo():
    create_staff(STAFF)
    _centres()
    _announcements()


def _centres():
    pool = Pool()
    Centre = pool.get('lk.power.centre')
    Branch = pool.get('lk.branch')
    for code, name, voltage, location, substations in CENTRES:
        if Centre.search([('name', '=', name)]):
            continue
        branches = Branch.search([('code', '=', code)], limit=1)
        if not branches:
            continue
        Centre(name=name, branch=branches[0], voltage=voltage,
            location=location, substations=[
                {'name': n, 'voltage': v, 'location': loc}
                for n, v, loc in substations]).save()


def _announcements():
    pool = Pool()
    Announcement = pool.get('lk.announcement')
    Party = pool.get('party.party')
    for inn, kind, centre, address, power, message in ANNOUNCEMENTS:
        parties = Party.search([('inn', '=', inn)], limit=1)
        if not parties or Announcement.search([
                    ('party', '=', parties[0].id),
                    ('centre_name', '=', centre),
                    ], limit=1):
            continue
        announcement = Announcement(
            party=parties[0], kind=kind, centre_name=centre,
            substation_address=address, power=Decimal(power),
            message=message, phone='+7 3902 29-61-00',
            email='energo@example.ru',
            connected_power=CONNECTED_POWER if kind == 'offer' else None)
        announcement.save()
        Announcement.submit([announcement])
        Announcement.approve([announcement])
