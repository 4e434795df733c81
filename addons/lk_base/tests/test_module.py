# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import threading
import urllib.parse
from unittest.mock import patch

import httpx
import respx
from werkzeug.serving import make_server

from trytond.i18n import gettext
from trytond.model.exceptions import (
    AccessError, SQLConstraintError, ValidationError)
from trytond.modules.lk_base import identifiers, workcalendar
from trytond.modules.lk_base.exceptions import (
    DeliveryError, PartyIdentifierError, PasswordPolicyError)
from trytond.modules.lk_base.sms import SmsRuGateway
from trytond.modules.lk_base.standin.smsru import SmsRu
from trytond.modules.party.tests import (
    PartyCheckEraseMixin, PartyCheckReplaceMixin)
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    ModuleTestCase, _DBTestCase, with_transaction)
from trytond.transaction import Transaction

from .tools import queue_in_transaction, run_outbound, set_config

SMSRU_URL = 'https://sms.test/sms/send'
KRASNOYARSK = 'Asia/Krasnoyarsk'  # UTC+7 all year


def run_queue():
    "Run the tasks queued in the transaction as trytond does after commit"
    pool = Pool()
    Queue = pool.get('ir.queue')
    transaction = Transaction()
    while transaction.tasks:
        Queue(transaction.tasks.pop()).run()


class LkBaseTestCase(
        PartyCheckEraseMixin, PartyCheckReplaceMixin, ModuleTestCase):
    module = 'lk_base'

    def setUp(self):
        super().setUp()
        queue_in_transaction(self)

    def create_branch(self, timezone=KRASNOYARSK, code='24'):
        pool = Pool()
        Branch = pool.get('lk.branch')
        branch = Branch(
            name="Красноярскэнерго", code=code, region="Красноярский край",
            timezone=timezone)
        branch.save()
        return branch

    def create_person(self, snils='11223344595', **values):
        pool = Pool()
        Party = pool.get('party.party')
        party = Party(
            person_kind='fl', last_name="Иванов", first_name="Иван",
            middle_name="Иванович", snils=snils, **values)
        party.save()
        return party

    def create_web_user(self, party, email):
        pool = Pool()
        WebUser = pool.get('web.user')
        user = WebUser(email=email, party=party, login=party.snils)
        user.save()
        return user

    # Identifiers

    def assertInvalid(self, key, check, *args):
        with self.assertRaises(identifiers.InvalidIdentifier) as cm:
            check(*args)
        self.assertEqual(cm.exception.key, key)

    def test_snils(self):
        "СНИЛС: format, check number, numbers issued before the checksum"
        self.assertEqual(
            identifiers.check_snils('112-233-445 95'), '11223344595')
        self.assertEqual(
            identifiers.format_snils('11223344595'), '112-233-445 95')
        self.assertInvalid(
            'msg_snils_invalid_checksum',
            identifiers.check_snils, '112-233-445 96')
        self.assertInvalid(
            'msg_snils_invalid_format', identifiers.check_snils, '1122334459')
        self.assertInvalid(
            'msg_snils_invalid_format',
            identifiers.check_snils, '112-233-445 9X')
        # up to 001-001-998 there is no check number to verify
        self.assertEqual(
            identifiers.check_snils('001-001-998 42'), '00100199842')
        self.assertInvalid(
            'msg_snils_invalid_checksum',
            identifiers.check_snils, '001-001-999 42')

    def test_snils_check_number(self):
        "СНИЛС check number: 100 and 101 give 00, above 101 modulo 101"
        for number, total, check in [
                ('112233445', 95, '95'),
                ('141008407', 99, '99'),
                ('026002389', 100, '00'),
                ('030214884', 101, '00'),
                ('126103073', 102, '01'),
                ('110767574', 150, '49'),
                ('543546368', 201, '00'),   # 201 mod 101 = 100
                ]:
            with self.subTest(number=number, total=total):
                self.assertEqual(
                    identifiers.snils_check_number(number), check)
                self.assertEqual(
                    identifiers.check_snils(number + check), number + check)

    def test_inn(self):
        "ИНН: 10 digits for ЮЛ, 12 for a person, check digits"
        self.assertEqual(
            identifiers.check_inn('7707083893', 'ul'), '7707083893')
        self.assertEqual(
            identifiers.check_inn('5001 0073 2259', 'fl'), '500100732259')
        self.assertEqual(
            identifiers.check_inn('500100732259', 'ip'), '500100732259')
        self.assertEqual(identifiers.check_inn('7707083893'), '7707083893')
        self.assertInvalid(
            'msg_inn_invalid_checksum', identifiers.check_inn,
            '7707083894', 'ul')
        self.assertInvalid(
            'msg_inn_invalid_checksum', identifiers.check_inn,
            '500100732258', 'fl')
        self.assertInvalid(
            'msg_inn_invalid_length_ul', identifiers.check_inn,
            '500100732259', 'ul')
        self.assertInvalid(
            'msg_inn_invalid_length_ip', identifiers.check_inn,
            '7707083893', 'ip')
        self.assertInvalid(
            'msg_inn_invalid_length_ip', identifiers.check_inn, '77070838AB')

    def test_kpp(self):
        "КПП: 4 digits, 2 digits or Latin capitals, 3 digits"
        self.assertEqual(identifiers.check_kpp('773601001'), '773601001')
        self.assertEqual(identifiers.check_kpp('7736ab001'), '7736AB001')
        for value in ['77360100', '7736010011', '77A601001', '7736АБ001']:
            with self.subTest(value=value):
                self.assertInvalid(
                    'msg_kpp_invalid', identifiers.check_kpp, value)

    def test_ogrn(self):
        "ОГРН has 13 digits, ОГРНИП 15, both with a check digit"
        self.assertEqual(
            identifiers.check_ogrn('1027700132195', 'ul'), '1027700132195')
        self.assertEqual(
            identifiers.check_ogrn('304500116000157', 'ip'),
            '304500116000157')
        self.assertEqual(
            identifiers.check_ogrn('304500116000157'), '304500116000157')
        self.assertInvalid(
            'msg_ogrn_invalid', identifiers.check_ogrn,
            '1027700132196', 'ul')
        self.assertInvalid(
            'msg_ogrnip_invalid', identifiers.check_ogrn,
            '304500116000158', 'ip')
        self.assertInvalid(
            'msg_ogrnip_invalid', identifiers.check_ogrn,
            '1027700132195', 'ip')
        self.assertInvalid(
            'msg_ogrn_invalid', identifiers.check_ogrn,
            '304500116000157', 'ul')

    def test_bik(self):
        "БИК has 9 digits"
        self.assertEqual(identifiers.check_bik('044525225'), '044525225')
        self.assertInvalid('msg_bik_invalid', identifiers.check_bik, '04452522')
        self.assertInvalid(
            'msg_bik_invalid', identifiers.check_bik, '04452522A')

    def test_accounts(self):
        "Settlement and correspondent accounts keyed with the БИК"
        bik = '044525225'
        self.assertEqual(
            identifiers.check_correspondent_account(
                '30101810400000000225', bik),
            '30101810400000000225')
        self.assertEqual(
            identifiers.check_settlement_account(
                '40702810200000012345', bik),
            '40702810200000012345')
        self.assertEqual(
            identifiers.check_settlement_account(
                '40817 810 7 0000 0000001', bik),
            '40817810700000000001')
        self.assertInvalid(
            'msg_account_invalid_key', identifiers.check_settlement_account,
            '40702810300000012345', bik)
        # the same account does not fit another bank
        self.assertInvalid(
            'msg_account_invalid_key', identifiers.check_settlement_account,
            '40702810200000012345', '044525593')
        self.assertInvalid(
            'msg_corr_account_invalid_key',
            identifiers.check_correspondent_account,
            '30101810500000000225', bik)
        self.assertInvalid(
            'msg_account_invalid_format',
            identifiers.check_settlement_account, '4070281020000001234', bik)
        self.assertInvalid(
            'msg_corr_account_invalid_format',
            identifiers.check_correspondent_account, '3010181040000000022X',
            bik)
        self.assertInvalid(
            'msg_bik_invalid', identifiers.check_settlement_account,
            '40702810200000012345', '')

    def test_passport(self):
        "Passport: series of 4 digits, number of 6"
        self.assertEqual(
            identifiers.check_passport('45 10', '123456'), ('4510', '123456'))
        self.assertInvalid(
            'msg_passport_series_invalid', identifiers.check_passport,
            '451', '123456')
        self.assertInvalid(
            'msg_passport_number_invalid', identifiers.check_passport,
            '4510', '12345A')

    def test_phone(self):
        "Phones typed the Russian way are stored in E.164"
        for value in [
                '89131234567', '8 (913) 123-45-67', '+7 913 123 45 67',
                '9131234567']:
            with self.subTest(value=value):
                self.assertEqual(
                    identifiers.check_phone(value), '+79131234567')
        for value in ['8913123456', 'телефон', '+7 000 000 00 00']:
            with self.subTest(value=value):
                self.assertInvalid(
                    'msg_phone_invalid', identifiers.check_phone, value)
        self.assertEqual(
            identifiers.format_phone('+79131234567'), '+7 913 123-45-67')

    # Party

    @with_transaction()
    def test_party_person(self):
        "A person is named after the parts of the name, СНИЛС compact"
        pool = Pool()
        Party = pool.get('party.party')
        Address = pool.get('party.address')

        party = self.create_person(snils='112-233-445 95')

        self.assertEqual(party.name, "Иванов Иван Иванович")
        self.assertEqual(party.snils, '11223344595')
        self.assertEqual(party.lk_identifier, '112-233-445 95')
        self.assertEqual(party.greeting_name, "Иван Иванович")
        # party's own full_name field is still there for addresses, reports
        self.assertEqual(party.full_name, "Иванов Иван Иванович")
        address = Address(party=party, city="Красноярск")
        address.save()
        self.assertEqual(address.rec_name, "Иванов Иван Иванович, Красноярск")

        Party.write([party], {'person_kind': 'fl', 'ogrn': None})
        self.assertEqual(party.name, "Иванов Иван Иванович")

        party.last_name = "Петров"
        party.save()
        self.assertEqual(party.name, "Петров Иван Иванович")
        self.assertEqual(
            Party.search([('rec_name', '=', '11223344595')]), [party])

    @with_transaction()
    def test_party_invalid_identifiers(self):
        "Invalid identifiers of a client are refused with a clear message"
        pool = Pool()
        Party = pool.get('party.party')

        for values, message in [
                ({'person_kind': 'fl', 'last_name': "Иванов",
                    'first_name': "Иван", 'snils': '112-233-445 96'},
                    'lk_base.msg_snils_invalid_checksum'),
                ({'person_kind': 'ul', 'name': "ООО «Ромашка»",
                    'inn': '7707083894', 'kpp': '773601001'},
                    'lk_base.msg_inn_invalid_checksum'),
                ({'person_kind': 'ul', 'name': "ООО «Ромашка»",
                    'inn': '500100732259', 'kpp': '773601001'},
                    'lk_base.msg_inn_invalid_length_ul'),
                ({'person_kind': 'ul', 'name': "ООО «Ромашка»",
                    'inn': '7707083893', 'kpp': '7736010'},
                    'lk_base.msg_kpp_invalid'),
                ({'person_kind': 'ip', 'name': "ИП Сидоров",
                    'inn': '500100732259', 'ogrn': '1027700132195'},
                    'lk_base.msg_ogrnip_invalid'),
                ({'name': "Клиент", 'bank_bik': '044525225',
                    'bank_account': '40702810300000012345'},
                    'lk_base.msg_account_invalid_key'),
                ({'name': "Клиент", 'bank_bik': '044525225',
                    'bank_corr_account': '30101810500000000225'},
                    'lk_base.msg_corr_account_invalid_key'),
                ({'name': "Клиент", 'passport_series': '4510',
                    'passport_number': '1234'},
                    'lk_base.msg_passport_number_invalid'),
                ]:
            with self.subTest(message=message):
                with self.assertRaises(PartyIdentifierError) as cm:
                    Party.create([values])
                self.assertEqual(cm.exception.message, gettext(message))

    @with_transaction()
    def test_party_valid_legal_entity(self):
        "A legal entity with all its requisites"
        pool = Pool()
        Party = pool.get('party.party')

        party, = Party.create([{
                    'person_kind': 'ul',
                    'name': "ПАО Сбербанк",
                    'inn': '7707083893',
                    'kpp': '773601001',
                    'ogrn': '1027700132195',
                    'bank_bik': '044525225',
                    'bank_account': '40702810200000012345',
                    'bank_corr_account': '30101810400000000225',
                    }])
        self.assertEqual(party.lk_identifier, '7707083893 / 773601001')

    @with_transaction()
    def test_party_snils_identifier(self):
        "СНИЛС as a party identifier is checked too"
        pool = Pool()
        Party = pool.get('party.party')
        Identifier = pool.get('party.identifier')

        party = Party(name="Клиент")
        party.save()
        identifier = Identifier(
            party=party, type='ru_snils', code='11223344595')
        identifier.save()
        identifier = Identifier(
            party=party, type='ru_snils', code='11223344596')
        with self.assertRaises(PartyIdentifierError) as cm:
            identifier.save()
        self.assertEqual(
            cm.exception.message,
            gettext('lk_base.msg_snils_invalid_checksum'))

    @with_transaction()
    def test_party_snils_unique(self):
        "Only one active client per СНИЛС"
        pool = Pool()
        Party = pool.get('party.party')

        first = self.create_person(snils='11223344595')
        Party.write([first], {'active': False})
        self.create_person(snils='11223344595')

        with self.assertRaises(SQLConstraintError) as cm:
            self.create_person(snils='112-233-445 95')
        self.assertEqual(
            cm.exception.message, gettext('lk_base.msg_party_snils_unique'))

    @with_transaction()
    def test_party_inn_kpp_unique(self):
        "Only one active legal entity per ИНН + КПП"
        pool = Pool()
        Party = pool.get('party.party')

        def create(**values):
            party = Party(**values)
            party.save()
            return party

        create(
            person_kind='ul', name="Головная", inn='7707083893',
            kpp='773601001')
        # a separate subdivision has another КПП
        create(
            person_kind='ul', name="Филиал", inn='7707083893',
            kpp='540602001')
        with self.assertRaises(SQLConstraintError) as cm:
            create(
                person_kind='ul', name="Дубль", inn='7707083893',
                kpp='773601001')
        self.assertEqual(
            cm.exception.message,
            gettext('lk_base.msg_party_inn_kpp_unique'))

    @with_transaction()
    def test_party_inn_ip_unique(self):
        "Only one active sole proprietor per ИНН"
        pool = Pool()
        Party = pool.get('party.party')

        def create(**values):
            party = Party(**values)
            party.save()
            return party

        create(person_kind='ip', name="ИП Иванов", inn='500100732259')
        with self.assertRaises(SQLConstraintError) as cm:
            create(person_kind='ip', name="ИП Иванов", inn='500100732259')
        self.assertEqual(
            cm.exception.message, gettext('lk_base.msg_party_inn_unique'))

    @with_transaction()
    def test_party_erase(self):
        "Erasing a client clears its identifiers, requests and messages"
        pool = Pool()
        Party = pool.get('party.party')
        Notification = pool.get('lk.notification')
        Request = pool.get('lk.profile.change.request')
        RequestLine = pool.get('lk.profile.change.request.line')
        Erase = pool.get('party.erase', type='wizard')

        party = self.create_person(
            passport_series='4510', passport_number='123456',
            bank_bik='044525225', bank_account='40817810700000000001',
            legal_address="Красноярск, ул. Ленина, 1")
        request = Request.submit(party, {'last_name': "Петрова"})
        notification = Notification(
            party=party, subject="Счёт", body="Оплатите счёт", link='/my')
        notification.save()
        Party.write([party], {'active': False})

        session_id, _, _ = Erase.create()
        erase = Erase(session_id)
        erase.ask.party = party
        erase.transition_erase()

        # the wizard updates the tables directly: read them again
        names = ['name', 'last_name', 'snils', 'passport_number',
            'bank_account', 'legal_address']
        values, = Party.read([party.id], names)
        self.assertEqual(
            values, {'id': party.id, **{n: None for n in names}})
        values, = RequestLine.search_read(
            [('request', '=', request.id)], fields_names=[
                'old_value', 'new_value'])
        self.assertEqual(
            (values['old_value'], values['new_value']), (None, None))
        values, = Notification.read([notification.id], ['body', 'link'])
        self.assertEqual((values['body'], values['link']), (None, None))

    @with_transaction()
    def test_branch_timezone(self):
        "A branch needs a known time zone"
        with self.assertRaises(ValidationError) as cm:
            self.create_branch(timezone='Asia/Krasnoyarskk')
        self.assertEqual(
            cm.exception.message,
            gettext(
                'lk_base.msg_branch_timezone_invalid',
                timezone='Asia/Krasnoyarskk'))

    # Web users

    @with_transaction()
    def test_password_policy(self):
        "Passwords: long enough, not only digits or letters, not a login"
        pool = Pool()
        WebUser = pool.get('web.user')
        Party = pool.get('party.party')

        for password, message in [
                ('abc123', 'lk_base.msg_password_too_short'),
                ('1234567890', 'lk_base.msg_password_letters_digits'),
                ('Парольдлинный',
                    'lk_base.msg_password_letters_digits'),
                ]:
            with self.subTest(password=password):
                with self.assertRaises(PasswordPolicyError) as cm:
                    WebUser.check_password_policy(password)
                self.assertEqual(
                    cm.exception.message, gettext(message, length=8))
        WebUser.check_password_policy('Тайна-2026')

        party = Party(
            person_kind='ul', name="ООО «Ромашка»", inn='7707083893',
            kpp='7736AB001')
        party.save()
        user = WebUser(
            email='office@romashka.example.com', party=party,
            login='77070838937736AB001')
        user.save()
        for password in ['77070838937736ab001', 'Office@Romashka.example.com']:
            with self.subTest(password=password):
                user.password = password
                with self.assertRaises(PasswordPolicyError) as cm:
                    user.save()
                self.assertEqual(
                    cm.exception.message,
                    gettext('lk_base.msg_password_equals_identifier'))
        user = WebUser(user.id)
        user.password = 'Ромашка-2026'
        user.save()
        self.assertTrue(WebUser.lk_authenticate(
                '77070838937736AB001', 'Ромашка-2026'))

    @with_transaction()
    def test_password_policy_length_from_config(self):
        "A longer minimum length may be configured, never a shorter one"
        pool = Pool()
        WebUser = pool.get('web.user')

        set_config(self, 'password', 'length', '12')
        with self.assertRaises(PasswordPolicyError) as cm:
            WebUser.check_password_policy('Тайна-2026')
        self.assertEqual(
            cm.exception.message,
            gettext('lk_base.msg_password_too_short', length=12))

        set_config(self, 'password', 'length', '4')
        with self.assertRaises(PasswordPolicyError):
            WebUser.check_password_policy('Ab-1')

    def test_login_of(self):
        "The login is the СНИЛС, the ИНН or ИНН followed by КПП"
        from trytond.modules.lk_base.web_user import login_of
        self.assertEqual(login_of('fl', snils='112-233-445 95'), '11223344595')
        self.assertEqual(login_of('ip', inn='5001 0073 2259'), '500100732259')
        self.assertEqual(
            login_of('ul', inn='7707083893', kpp='7736ab001'),
            '77070838937736AB001')

    # Working days

    def test_add_working_days_new_year_2026(self):
        "The 2026 New Year holidays last until 11 January"
        add = workcalendar.add_working_days
        # 31 Dec 2025 is a day off moved from 5 Jan 2025
        self.assertEqual(add(dt.date(2025, 12, 30), 1), dt.date(2026, 1, 12))
        self.assertEqual(add(dt.date(2025, 12, 29), 2), dt.date(2026, 1, 12))
        for day in range(1, 12):
            with self.subTest(day=day):
                self.assertFalse(
                    workcalendar.is_working_day(dt.date(2026, 1, day)))
        self.assertEqual(add(dt.date(2026, 1, 12), -1), dt.date(2025, 12, 30))
        self.assertEqual(add(dt.date(2026, 1, 5), 5), dt.date(2026, 1, 16))
        self.assertEqual(add(dt.date(2026, 1, 12), 0), dt.date(2026, 1, 12))
        self.assertEqual(
            workcalendar.working_days_between(
                dt.date(2025, 12, 26), dt.date(2026, 1, 12)),
            3)

    def test_add_working_days_saturday_1_november_2025(self):
        "Saturday 1 November 2025 is a working day, 3 and 4 are not"
        add = workcalendar.add_working_days
        self.assertTrue(workcalendar.is_working_day(dt.date(2025, 11, 1)))
        self.assertEqual(add(dt.date(2025, 10, 31), 1), dt.date(2025, 11, 1))
        self.assertEqual(add(dt.date(2025, 11, 1), 1), dt.date(2025, 11, 5))
        self.assertEqual(add(dt.date(2025, 10, 30), 3), dt.date(2025, 11, 5))
        self.assertFalse(workcalendar.is_working_day(dt.date(2025, 11, 8)))

    # Notification delivery

    def create_client(self, notify_from=None, notify_to=None, branch=True,
            method='email'):
        pool = Pool()
        ContactMechanism = pool.get('party.contact_mechanism')
        party = self.create_person(
            branch=self.create_branch() if branch else None,
            notify_method=method)
        if notify_from:
            party.notify_from = notify_from
            party.notify_to = notify_to
            party.save()
        ContactMechanism.create([
                {'party': party.id, 'type': 'email',
                    'value': 'ivanov@example.com'},
                {'party': party.id, 'type': 'mobile',
                    'value': '+79131234567'},
                ])
        return party

    def create_delivery(self, party, channel='email'):
        address = {'email': 'ivanov@example.com', 'sms': '+79131234567'}
        pool = Pool()
        Notification = pool.get('lk.notification')
        Delivery = pool.get('lk.notification.delivery')
        notification = Notification(
            party=party, subject="Счёт выставлен", body="Оплатите счёт.",
            link='/my/invoices/7')
        notification.save()
        delivery = Delivery(
            notification=notification, channel=channel,
            address=address[channel], next_attempt=dt.datetime(2026, 3, 9))
        delivery.save()
        return delivery

    @with_transaction()
    def test_window_opening_same_day(self):
        "An 08:00–20:00 window in Krasnoyarsk (UTC+7), times in naive UTC"
        party = self.create_client(dt.time(8), dt.time(20))
        delivery = self.create_delivery(party)

        for now, opening in [
                # 07:30 local: wait for 08:00 local the same day
                (dt.datetime(2026, 3, 10, 0, 30),
                    dt.datetime(2026, 3, 10, 1, 0)),
                # 12:00 local: now
                (dt.datetime(2026, 3, 10, 5, 0),
                    dt.datetime(2026, 3, 10, 5, 0)),
                # 20:00 local sharp is still inside
                (dt.datetime(2026, 3, 10, 13, 0),
                    dt.datetime(2026, 3, 10, 13, 0)),
                # 20:30 local: the next morning
                (dt.datetime(2026, 3, 10, 13, 30),
                    dt.datetime(2026, 3, 11, 1, 0)),
                # 23:30 UTC is already 06:30 the next day in Krasnoyarsk
                (dt.datetime(2026, 3, 10, 23, 30),
                    dt.datetime(2026, 3, 11, 1, 0)),
                ]:
            with self.subTest(now=now):
                self.assertEqual(delivery.window_opening(now), opening)

    @with_transaction()
    def test_window_opening_across_midnight(self):
        "A 20:00–08:00 window spans midnight"
        party = self.create_client(dt.time(20), dt.time(8))
        delivery = self.create_delivery(party)

        for now, opening in [
                # 21:00 local
                (dt.datetime(2026, 3, 10, 14, 0),
                    dt.datetime(2026, 3, 10, 14, 0)),
                # 03:00 local the next day
                (dt.datetime(2026, 3, 10, 20, 0),
                    dt.datetime(2026, 3, 10, 20, 0)),
                # 12:00 local: this evening at 20:00
                (dt.datetime(2026, 3, 10, 5, 0),
                    dt.datetime(2026, 3, 10, 13, 0)),
                # 08:00:30 local: already outside
                (dt.datetime(2026, 3, 10, 1, 0, 30),
                    dt.datetime(2026, 3, 10, 13, 0)),
                ]:
            with self.subTest(now=now):
                self.assertEqual(delivery.window_opening(now), opening)

    @with_transaction()
    def test_window_opening_default_time_zone(self):
        "Without a branch the window is in the [lk] timezone"
        party = self.create_client(dt.time(8), dt.time(20), branch=False)
        delivery = self.create_delivery(party)

        # 04:30 UTC is 07:30 in Moscow
        self.assertEqual(
            delivery.window_opening(dt.datetime(2026, 3, 10, 4, 30)),
            dt.datetime(2026, 3, 10, 5, 0))
        set_config(self, 'lk', 'timezone', 'Asia/Chita')
        # 07:30 UTC is 16:30 in Chita (UTC+9)
        self.assertEqual(
            delivery.window_opening(dt.datetime(2026, 3, 10, 7, 30)),
            dt.datetime(2026, 3, 10, 7, 30))

    @with_transaction()
    def test_window_whole_day(self):
        "The default window 00:00–23:59:59 lets everything through"
        party = self.create_client(branch=False)
        delivery = self.create_delivery(party)

        now = dt.datetime(2026, 3, 10, 20, 59, 59, 500000)  # 23:59:59.5 MSK
        self.assertEqual(delivery.window_opening(now), now)

    @with_transaction()
    def test_send_due_outside_window(self):
        "Outside the window nothing is sent, the delivery waits"
        pool = Pool()
        Delivery = pool.get('lk.notification.delivery')
        party = self.create_client(dt.time(8), dt.time(20))
        delivery = self.create_delivery(party)

        with patch('trytond.modules.lk_base.notification.send_message') as send:
            run_outbound(
                Delivery, [delivery.id], dt.datetime(2026, 3, 10, 0, 30))
            send.assert_not_called()

        delivery = Delivery(delivery.id)
        self.assertEqual(delivery.state, 'pending')
        self.assertEqual(delivery.attempts, 0)
        self.assertEqual(delivery.next_attempt, dt.datetime(2026, 3, 10, 1, 0))

        with patch('trytond.modules.lk_base.notification.send_message') as send:
            run_outbound(Delivery, now=dt.datetime(2026, 3, 10, 0, 59))
            send.assert_not_called()
            run_outbound(Delivery, now=dt.datetime(2026, 3, 10, 1, 0))
            msg, = send.call_args.args
        self.assertEqual(msg['To'], 'ivanov@example.com')
        self.assertEqual(msg['Subject'], "Счёт выставлен")
        self.assertIn(
            '/my/invoices/7', msg.get_body(('plain',)).get_content())
        delivery = Delivery(delivery.id)
        self.assertEqual(delivery.state, 'done')
        self.assertEqual(delivery.sent_at, dt.datetime(2026, 3, 10, 1, 0))
        self.assertEqual(delivery.attempts, 1)

    @with_transaction()
    def test_send_due_retries(self):
        "A failed delivery is retried with a growing delay, then failed"
        pool = Pool()
        Delivery = pool.get('lk.notification.delivery')
        party = self.create_client()
        delivery = self.create_delivery(party)
        set_config(self, 'lk', 'delivery_attempts', '3')

        now = dt.datetime(2026, 3, 10, 5, 0)
        with patch('trytond.modules.lk_base.notification.send_message',
                side_effect=ConnectionRefusedError("SMTP down")):
            for attempt, delay in [(1, 1), (2, 2)]:
                run_outbound(Delivery, [delivery], now)
                delivery = Delivery(delivery.id)
                self.assertEqual(delivery.state, 'pending')
                self.assertEqual(delivery.attempts, attempt)
                self.assertEqual(
                    delivery.next_attempt, now + dt.timedelta(minutes=delay))
                self.assertIn("SMTP down", delivery.last_error)
                now = delivery.next_attempt
            run_outbound(Delivery, [delivery], now)
        delivery = Delivery(delivery.id)
        self.assertEqual(delivery.state, 'failed')
        self.assertEqual(delivery.attempts, 3)
        self.assertIsNone(delivery.next_attempt)

        Delivery.retry([delivery])
        self.assertEqual(delivery.state, 'pending')
        self.assertEqual(delivery.attempts, 0)

    @with_transaction()
    def test_notify_plans_deliveries(self):
        "notify puts the message in the inbox and queues its deliveries"
        pool = Pool()
        Notification = pool.get('lk.notification')
        OutBox = pool.get('lk.sms.outbox')

        party = self.create_client(method='email_sms')
        with patch('trytond.modules.lk_base.notification.send_message') as send:
            notification = Notification.notify(
                party, "Договор готов", "Подпишите договор.",
                link='/my/applications/3',
                attachments=[('offer.pdf', b'%PDF-1.4')])
            self.assertEqual(
                sorted((d.channel, d.address, d.state)
                    for d in notification.deliveries),
                [('email', 'ivanov@example.com', 'pending'),
                    ('sms', '+79131234567', 'pending')])
            run_queue()
            msg, = send.call_args.args

        self.assertEqual(notification.attachment_count, 1)
        self.assertEqual(
            [p.get_filename() for p in msg.iter_attachments()], ['offer.pdf'])
        self.assertEqual(
            {d.state for d in Notification(notification.id).deliveries},
            {'done'})
        sms, = OutBox.search([])
        self.assertEqual(sms.phone, '+79131234567')
        self.assertEqual(
            sms.text, "Договор готов http://127.0.0.1:8000/my/applications/3")
        self.assertFalse(notification.is_read)

        Notification.mark_read([notification])
        self.assertTrue(notification.is_read)
        self.assertTrue(notification.read_at)

        question = Notification.send_from_client(
            party, "Вопрос по счёту", "Почему сумма изменилась?")
        self.assertEqual(question.direction, 'out')
        self.assertTrue(question.is_read)
        self.assertEqual(question.deliveries, ())

    # SMS

    @respx.mock
    def test_smsru_gateway_ok(self):
        "SMS.RU accepts the message and gives its id"
        route = respx.post(SMSRU_URL).mock(return_value=httpx.Response(200,
                json={
                    'status': 'OK', 'status_code': 100, 'balance': 42.5,
                    'sms': {'79131234567': {
                            'status': 'OK', 'status_code': 100,
                            'sms_id': '000000-10000001'}},
                    }))
        gateway = SmsRuGateway(SMSRU_URL, 'secret', sender='ROSSETI')

        self.assertEqual(
            gateway.send('+79131234567', "Код: 1234"), '000000-10000001')
        form = urllib.parse.parse_qs(route.calls.last.request.content.decode())
        self.assertEqual(form, {
                'api_id': ['secret'], 'to': ['79131234567'],
                'msg': ["Код: 1234"], 'json': ['1'], 'from': ['ROSSETI'],
                })

    @respx.mock
    def test_smsru_gateway_error(self):
        "SMS.RU refuses the request as a whole"
        respx.post(SMSRU_URL).mock(return_value=httpx.Response(200, json={
                    'status': 'ERROR', 'status_code': 200,
                    'status_text': "Неправильный api_id",
                    }))
        gateway = SmsRuGateway(SMSRU_URL, 'wrong')

        with self.assertRaisesRegex(DeliveryError, "Неправильный api_id"):
            gateway.send('+79131234567', "Код: 1234")

    @respx.mock
    def test_smsru_gateway_number_error(self):
        "SMS.RU accepts the request but refuses the number"
        respx.post(SMSRU_URL).mock(return_value=httpx.Response(200, json={
                    'status': 'OK', 'status_code': 100,
                    'sms': {'79131234567': {
                            'status': 'ERROR', 'status_code': 207,
                            'status_text': "На этот номер нельзя отправлять",
                            }},
                    }))
        gateway = SmsRuGateway(SMSRU_URL, 'secret')

        with self.assertRaisesRegex(DeliveryError, "79131234567"):
            gateway.send('+79131234567', "Код: 1234")

    @respx.mock
    def test_smsru_gateway_unreachable(self):
        "Network errors, HTTP errors and garbage become DeliveryError"
        gateway = SmsRuGateway(SMSRU_URL, 'secret')
        for response in [
                httpx.ConnectError("Connection refused"),
                httpx.ReadTimeout("timed out"),
                httpx.Response(503, text="Service Unavailable"),
                httpx.Response(200, text="<html>maintenance</html>"),
                ]:
            with self.subTest(response=response):
                respx.post(SMSRU_URL).mock(side_effect=[response])
                with self.assertRaises(DeliveryError):
                    gateway.send('+79131234567', "Код: 1234")

    def serve_smsru(self):
        "Serve the SMS.RU stand-in on a free local port"
        smsru = SmsRu(api_id='standin-key')
        server = make_server('127.0.0.1', 0, smsru)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        # cleanups run last registered first: stop, wait, then close
        self.addCleanup(server.server_close)
        self.addCleanup(thread.join)
        self.addCleanup(server.shutdown)
        url = 'http://127.0.0.1:%s/sms/send' % server.server_port
        set_config(self, 'lk_sms', 'gateway', 'smsru')
        set_config(self, 'lk_sms', 'url', url)
        set_config(self, 'lk_sms', 'api_id', 'standin-key')
        set_config(self, 'lk_sms', 'sender', 'LK-TEST')
        return smsru

    @with_transaction()
    def test_smsru_standin(self):
        "The real adapter against the stand-in, then through notify"
        from trytond.modules.lk_base import gateway as lk_gateway
        pool = Pool()
        Notification = pool.get('lk.notification')

        smsru = self.serve_smsru()
        gateway = lk_gateway.get('sms')
        self.assertIsInstance(gateway, SmsRuGateway)

        sms_id = gateway.send('+79131234567', "Проверка связи")
        message, = smsru.messages
        self.assertEqual(
            (message.sms_id, message.to, message.text, message.sender),
            (sms_id, '79131234567', "Проверка связи", 'LK-TEST'))

        with self.assertRaisesRegex(DeliveryError, "Неправильный api_id"):
            SmsRuGateway(gateway.url, 'wrong-key').send(
                '+79131234567', "Проверка связи")

        smsru.refused.add('79131234568')
        with self.assertRaisesRegex(DeliveryError, "79131234568"):
            gateway.send('+79131234568', "Проверка связи")

        party = self.create_client(method='sms')
        notification = Notification.notify(
            party, "Заявка принята", "Заявка № 5 принята.",
            link='/my/applications/5')
        run_queue()
        delivery, = Notification(notification.id).deliveries
        self.assertEqual(delivery.state, 'done')
        message = smsru.messages[-1]
        self.assertEqual(delivery.gateway_id, message.sms_id)
        self.assertEqual(message.to, '79131234567')
        self.assertEqual(
            message.text,
            "Заявка принята http://127.0.0.1:8000/my/applications/5")

    @with_transaction()
    def test_smsru_standin_down(self):
        "When the gateway is down the SMS waits for the next attempt"
        pool = Pool()
        Delivery = pool.get('lk.notification.delivery')

        smsru = self.serve_smsru()
        smsru.fail_status = 503
        delivery = self.create_delivery(self.create_client(), channel='sms')
        now = dt.datetime(2026, 3, 10, 5, 0)

        run_outbound(Delivery, [delivery], now)
        delivery = Delivery(delivery.id)
        self.assertEqual(delivery.state, 'pending')
        self.assertEqual(delivery.attempts, 1)
        self.assertIn("503", delivery.last_error)
        self.assertEqual(smsru.messages, [])

        smsru.fail_status = None
        run_outbound(Delivery, [delivery], delivery.next_attempt)
        self.assertEqual(Delivery(delivery.id).state, 'done')
        self.assertEqual(len(smsru.messages), 1)

    # Portal access

    @with_transaction()
    def test_portal_record_rules(self):
        "The portal user reads only the records of the logged-in client"
        pool = Pool()
        Party = pool.get('party.party')
        Notification = pool.get('lk.notification')
        Delivery = pool.get('lk.notification.delivery')
        Request = pool.get('lk.profile.change.request')
        Consent = pool.get('lk.pd.consent')
        ConsentText = pool.get('lk.pd.consent.text')
        WebUser = pool.get('web.user')
        ModelData = pool.get('ir.model.data')
        transaction = Transaction()

        text = ConsentText(
            version='2025-09', valid_from=dt.date(2025, 9, 1), body="Согласие")
        text.save()
        records = {}
        for key, snils in [('a', '11223344595'), ('b', '00100199842')]:
            party = self.create_person(snils=snils)
            user = self.create_web_user(party, 'client-%s@example.com' % key)
            notification = Notification(
                party=party, subject="Сообщение для %s" % key)
            notification.save()
            delivery = Delivery(
                notification=notification, channel='email',
                address=user.email)
            delivery.save()
            request = Request.submit(party, {'last_name': "Новая"})
            consent = Consent.record(user, text, ip='192.0.2.1')
            records[key] = (party, user, notification, delivery, request,
                consent)
        own = records['a']
        other = records['b']

        portal_user = ModelData.get_id('lk_base', 'user_portal')
        with transaction.set_user(portal_user), \
                transaction.set_context(
                    web_parties=[own[0].id], _check_access=True):
            for Model, mine, theirs in zip(
                    [Party, WebUser, Notification, Delivery, Request,
                        Consent],
                    own, other):
                with self.subTest(model=Model.__name__):
                    self.assertEqual(
                        Model.read([mine.id], ['id']), [{'id': mine.id}])
                    with self.assertRaises(AccessError):
                        Model.read([theirs.id], ['id'])
                    found = Model.search([])
                    self.assertIn(mine, found)
                    self.assertNotIn(theirs, found)
                    self.assertEqual(
                        Model.search([('id', '=', theirs.id)]), [])

            with self.assertRaises(AccessError):
                Party.write([Party(other[0].id)], {'notify_method': 'sms'})

        # Without a logged-in client the portal sees no client at all
        with transaction.set_user(portal_user), \
                transaction.set_context(_check_access=True):
            self.assertEqual(Party.search([('person_kind', '=', 'fl')]), [])


class LkBaseRussianTestCase(_DBTestCase):
    "The module activated in a Russian database"
    module = 'lk_base'
    language = 'ru'

    @with_transaction(context={'language': 'ru'})
    def test_message_in_russian(self):
        "Messages are translated"
        self.assertEqual(
            gettext('lk_base.msg_snils_invalid_checksum'),
            "Контрольное число СНИЛС не совпадает: проверьте номер.")
        self.assertEqual(
            gettext('lk_base.msg_password_too_short', length=8),
            "Пароль должен содержать не менее 8 символов.")

    @with_transaction(context={'language': 'ru'})
    def test_party_validation_in_russian(self):
        "A client with a wrong СНИЛС is told why in Russian"
        pool = Pool()
        Party = pool.get('party.party')

        party = Party(
            person_kind='fl', last_name="Иванов", first_name="Иван",
            snils='112-233-445 96')
        with self.assertRaises(PartyIdentifierError) as cm:
            party.save()
        self.assertEqual(
            cm.exception.message,
            "Контрольное число СНИЛС не совпадает: проверьте номер.")

    @with_transaction(context={'language': 'ru'})
    def test_fields_in_russian(self):
        "Field strings and selections are translated"
        pool = Pool()
        Party = pool.get('party.party')

        fields = Party.fields_get(['snils', 'person_kind', 'notify_from'])
        self.assertEqual(fields['snils']['string'], "СНИЛС")
        self.assertEqual(fields['notify_from']['string'], "Получать с")
        self.assertEqual(
            dict(fields['person_kind']['selection'])['fl'],
            "Физическое лицо")

    @with_transaction(context={'language': 'ru'})
    def test_emails_in_russian(self):
        "The e-mails to a Russian client are in Russian"
        pool = Pool()
        Party = pool.get('party.party')
        Lang = pool.get('ir.lang')
        WebUser = pool.get('web.user')
        ru, = Lang.search([('code', '=', 'ru')])

        party = Party(name="Иванов Иван", lang=ru)
        party.save()
        user = WebUser(email='ivanov@example.com', party=party)
        user.set_email_token()
        user.set_reset_password_token()
        user.save()

        msg, title = user.get_email_validation()
        self.assertEqual(title, "Подтверждение e-mail")
        html = msg.get_body(['html']).get_content()
        self.assertIn(
            "подтвердите, что <strong>ivanov@example.com</strong> — ваш "
            "адрес", html)

        msg, title = user.get_email_reset_password()
        self.assertEqual(title, "Восстановление пароля")
        self.assertIn(
            "привязанной к <strong>ivanov@example.com</strong>.",
            msg.get_body(['html']).get_content())

    @with_transaction(context={'language': 'en'})
    def test_decision_in_client_language(self):
        "Staff working in English notify a Russian client in Russian"
        pool = Pool()
        Party = pool.get('party.party')
        Lang = pool.get('ir.lang')
        Request = pool.get('lk.profile.change.request')
        ru, = Lang.search([('code', '=', 'ru')])

        party = Party(
            person_kind='fl', last_name="Иванова", first_name="Мария",
            lang=ru, notify_method='portal')
        party.save()
        request = Request.submit(party, {'last_name': "Петрова"})
        Request.approve([request])

        notification, = pool.get('lk.notification').search([
                ('party', '=', party.id)])
        self.assertEqual(
            notification.subject,
            "Запрос на изменение данных профиля № %s" % request.id)


del ModuleTestCase, _DBTestCase
