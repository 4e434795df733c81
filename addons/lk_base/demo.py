# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo data of lk_base: branches and offices, the consent text, one client
of each person kind and one staff user per role.

`setup_demo()` runs as root inside a transaction and may run again: it
creates only what is missing. The logins are listed in DEMO_LOGINS.txt.
"""
import datetime as dt

from trytond.pool import Pool
from trytond.transaction import Transaction

BRANCHES = [
    ('altai', 'Алтайэнерго', 'Алтайский край', 'Asia/Barnaul', [
            ('Барнаул', 'г. Барнаул, ул. Кулагина, д. 16', '+7 3852 39-34-10'),
            ('Бийск', 'г. Бийск, ул. Советская, д. 25', '+7 3854 44-52-10'),
            ]),
    ('buryatia', 'Бурятэнерго', 'Республика Бурятия', 'Asia/Irkutsk', [
            ('Улан-Удэ', 'г. Улан-Удэ, ул. Жданова, д. 4', '+7 3012 28-43-45'),
            ]),
    ('gorno_altai', 'Горно-Алтайские ЭС', 'Республика Алтай',
        'Asia/Barnaul', [
            ('Горно-Алтайск', 'г. Горно-Алтайск, пр. Коммунистический, '
                'д. 167', '+7 38822 9-12-33'),
            ]),
    ('krasnoyarsk', 'Красноярскэнерго', 'Красноярский край',
        'Asia/Krasnoyarsk', [
            ('Красноярск', 'г. Красноярск, ул. Бограда, д. 144а',
                '+7 391 274-33-33'),
            ]),
    ('kuzbass', 'Кузбассэнерго-РЭС', 'Кемеровская область',
        'Asia/Novokuznetsk', [
            ('Кемерово', 'г. Кемерово, ул. Кузбасская, д. 2',
                '+7 3842 45-43-11'),
            ]),
    ('khakassia', 'Хакасэнерго', 'Республика Хакасия', 'Asia/Krasnoyarsk', [
            ('Абакан', 'г. Абакан, ул. Советская, д. 172',
                '+7 3902 29-61-00'),
            ]),
    ('chita', 'Читаэнерго', 'Забайкальский край', 'Asia/Chita', [
            ('Чита', 'г. Чита, ул. Профсоюзная, д. 9', '+7 3022 38-44-00'),
            ]),
    ]

CONSENT_TEXT = """\
Я, действуя свободно, своей волей и в своём интересе, даю согласие \
сетевой организации на обработку моих персональных данных (фамилия, имя, \
отчество, СНИЛС, ИНН, паспортные данные, адреса, номера телефонов, адрес \
электронной почты, сведения об энергопринимающих устройствах и приборах \
учёта) в целях технологического присоединения, исполнения договоров, \
учёта электрической энергии и информирования меня о ходе оказания услуг.

Согласие даётся на совершение действий, предусмотренных пунктом 3 статьи 3 \
Федерального закона от 27.07.2006 № 152-ФЗ «О персональных данных», с \
использованием средств автоматизации и без них, действует до достижения \
целей обработки и может быть отозвано мной письменным заявлением.
"""

CLIENT_PASSWORD = 'Demo-2026-lk'
STAFF_PASSWORD = 'Staff-2026-lk'

CLIENTS = [
    {
        'person_kind': 'fl', 'snils': '11223344595',
        'last_name': 'Гузиков', 'first_name': 'Иван',
        'middle_name': 'Игоревич', 'email': 'guzikov@example.ru',
        'mobile': '+79131234567', 'phone': '+73902123456',
        'branch': 'khakassia',
        'legal_address': 'Хакасия Респ, Абакан г, Солнечная ул, 85, 650014',
        'actual_address': 'Хакасия Респ, Алтайский р-н, Подгорное с, '
        'Армянино ул, 49, 650670',
        'passport_series': '9514', 'passport_number': '123456',
        'passport_issued_by': 'МВД по Республике Хакасия',
        'passport_issue_date': dt.date(2015, 4, 10),
        },
    {
        'person_kind': 'ul', 'inn': '1901032151', 'kpp': '190101001',
        'ogrn': '1021900551232', 'name': 'ООО «Абаканский хлебозавод»',
        'head_name': 'Петрова Анна Сергеевна', 'head_position': 'Директор',
        'email': 'office@hleb-abakan.example.ru', 'mobile': '+79131234568',
        'branch': 'khakassia',
        'legal_address': 'Хакасия Респ, Абакан г, Пушкина ул, 120, 655017',
        'bank_bik': '049514608', 'bank_name': 'Абаканское отделение',
        'bank_account': '40702810000000001234',
        'bank_corr_account': '30101810500000000608',
        },
    {
        'person_kind': 'ip', 'inn': '190123456763',
        'ogrn': '319190100012345', 'name': 'ИП Сидоров Пётр Иванович',
        'email': 'sidorov@example.ru', 'mobile': '+79131234569',
        'branch': 'krasnoyarsk',
        'legal_address': 'Красноярский край, Красноярск г, Мира пр-кт, 10',
        },
    ]

# (login, name, group 'module.xml_id's, branch codes of an operator); each
# module's demo.py creates its own staff with create_staff()
STAFF = [
    ('superadmin', 'Супер администратор', ['lk_base.group_lk_admin'], []),
    ('operator', 'Анисимова Екатерина Николаевна',
        ['lk_base.group_lk_operator'], ['khakassia']),
    ('consolidation', 'Токарев Алексей Юрьевич',
        ['lk_base.group_lk_consolidation_operator'],
        ['khakassia', 'krasnoyarsk']),
    ('demo', 'Демо', ['lk_base.group_lk_demo'], ['khakassia']),
    ]


def setup_demo():
    _branches()
    _consent_text()
    _clients()
    create_staff(STAFF)


def _branches():
    pool = Pool()
    Branch = pool.get('lk.branch')
    Office = pool.get('lk.office')
    result = {}
    for code, name, region, timezone, offices in BRANCHES:
        branch = Branch.search([('code', '=', code)])
        if not branch:
            branch = Branch(code=code, name=name, region=region,
                timezone=timezone, offices=[
                    Office(name=office, address=address, phone=phone,
                        opening_hours='пн–чт 8:00–17:00, пт 8:00–16:00')
                    for office, address, phone in offices])
            branch.save()
        else:
            branch, = branch
        result[code] = branch
    return result


def _consent_text():
    pool = Pool()
    ConsentText = pool.get('lk.pd.consent.text')
    if not ConsentText.search([]):
        ConsentText(
            version='1.0', valid_from=dt.date(2025, 9, 1),
            body=CONSENT_TEXT).save()


def _clients():
    pool = Pool()
    Party = pool.get('party.party')
    WebUser = pool.get('web.user')
    Consent = pool.get('lk.pd.consent')
    ConsentText = pool.get('lk.pd.consent.text')
    Lang = pool.get('ir.lang')
    Role = pool.get('lk.role')
    Branch = pool.get('lk.branch')
    from .web_user import login_of
    branches = {b.code: b for b in Branch.search([])}
    ru = Lang.search([('code', '=', 'ru')], limit=1)
    text = ConsentText.current()
    for values in CLIENTS:
        values = dict(values)
        login = login_of(values['person_kind'], values.get('snils'),
            values.get('inn'), values.get('kpp'))
        if WebUser.search([('login', '=', login)]):
            continue
        contacts = {k: values.pop(k) for k in ('email', 'mobile', 'phone')
            if k in values}
        values['branch'] = branches[values['branch']].id
        if ru:
            values['lang'] = ru[0].id
        party, = Party.create([values])
        for type_, value in contacts.items():
            party.set_contact(type_, value)
        client_role = Role.get('client')
        user = WebUser(
            email=contacts['email'], login=login, party=party,
            email_valid=True, roles=[client_role] if client_role else [])
        user.save()
        with Transaction().set_user(1):
            # set_password validates the policy only for a real user
            user.password = CLIENT_PASSWORD
            user.save()
        Consent.record(user, text, ip='127.0.0.1', user_agent='demo')


def create_staff(staff, password=STAFF_PASSWORD):
    """Create the missing back-office users of staff: (login, name, group
    'module.xml_id's, branch codes) tuples, for the demo.py of every
    module"""
    pool = Pool()
    User = pool.get('res.user')
    Branch = pool.get('lk.branch')
    ModelData = pool.get('ir.model.data')
    for login, name, groups, codes in staff:
        if User.search([('login', '=', login)]):
            continue
        user = User(login=login, name=name, groups=[
                ModelData.get_id(*g.split('.', 1)) for g in groups],
            lk_branches=Branch.search([('code', 'in', list(codes))]))
        user.password = password
        user.save()

