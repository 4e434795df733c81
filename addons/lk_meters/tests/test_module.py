# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from decimal import Decimal
from unittest.mock import patch

from trytond.modules.lk_meters.meter import normalize_name
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME, ModuleTestCase, RouteTestCase, with_transaction)
from trytond.transaction import Transaction


def make_account(number='183251366600', day=dt.date(2026, 3, 10)):
    "An account of a Krasnoyarsk client with a meter of one register"
    pool = Pool()
    Branch = pool.get('lk.branch')
    Party = pool.get('party.party')
    Account = pool.get('lk.meter.account')
    Link = pool.get('lk.meter.account.link')
    Meter = pool.get('lk.meter')
    branches = Branch.search([('code', '=', 'KRS')])
    branch = branches[0] if branches else Branch(
        name="Красноярскэнерго", code='KRS', timezone='Asia/Krasnoyarsk')
    branch.save()
    party = Party(person_kind='fl', name="Рёлин Сергей",
        last_name="Рёлин", first_name="Сергей", notify_method='portal')
    party.save()
    account = Account(number=number, holder="Рёлин Сергей", branch=branch)
    account.save()
    Link(account=account, party=party).save()
    meter = Meter(account=account, number='310997', model="СЭ СО-505",
        verification_date=day + dt.timedelta(days=20),
        registers=[{'code': '001'}])
    meter.save()
    return party, account, meter


class LkMetersTestCase(ModuleTestCase):
    module = 'lk_meters'

    def test_normalize_name(self):
        "Case, ё/е, quotes and spaces do not matter"
        self.assertEqual(
            normalize_name("  ООО «Ёлка»   Плюс "),
            normalize_name('ооо "елка" плюс'))
        self.assertNotEqual(normalize_name("Иванов"), normalize_name("Иванова"))

    @with_transaction()
    def test_reading_period(self):
        "A reading after the window counts for the next month"
        pool = Pool()
        Branch = pool.get('lk.branch')
        branch = Branch(name="Б", code='B', meter_window_start=15,
            meter_window_end=25)
        self.assertEqual(branch.reading_period(dt.date(2026, 3, 20)),
            (dt.date(2026, 3, 1), False))
        self.assertEqual(branch.reading_period(dt.date(2026, 3, 5)),
            (dt.date(2026, 3, 1), True))
        self.assertEqual(branch.reading_period(dt.date(2026, 12, 26)),
            (dt.date(2027, 1, 1), True))

    @with_transaction()
    def test_remind_window(self):
        "Accounts without a reading of the open window are reminded once"
        pool = Pool()
        Account = pool.get('lk.meter.account')
        Notification = pool.get('lk.notification')
        Reading = pool.get('lk.meter.reading')
        party, account, meter = make_account()
        other_party, other, other_meter = make_account('183251366601')
        now = dt.datetime(2026, 3, 16, 3, 0)
        with patch('trytond.modules.lk_base.clock.utcnow', return_value=now):
            Reading.record(other_meter.registers[0], Decimal(10),
                now.date(), dt.date(2026, 3, 1), 'customer')
            Account.remind_window()
            Account.remind_window()
        self.assertEqual(Notification.search_count(
                [('party', '=', party.id)]), 1)
        self.assertEqual(Notification.search_count(
                [('party', '=', other_party.id)]), 0)
        with patch('trytond.modules.lk_base.clock.utcnow',
                return_value=dt.datetime(2026, 3, 27)):
            Account.remind_window()
        self.assertEqual(Notification.search_count(
                [('party', '=', party.id)]), 1)

    @with_transaction()
    def test_remind_verification(self):
        "The clients are told once that the verification date is near"
        pool = Pool()
        Meter = pool.get('lk.meter')
        Notification = pool.get('lk.notification')
        party, account, meter = make_account(day=dt.date.today())
        Meter.remind_verification()
        Meter.remind_verification()
        notices = Notification.search([('party', '=', party.id)])
        self.assertEqual(len(notices), 1)
        self.assertIn('310997', notices[0].subject)

    @with_transaction()
    def test_setup_demo(self):
        "The demo data load twice without duplicates"
        from trytond.modules.lk_meters.demo import setup_demo
        pool = Pool()
        Branch = pool.get('lk.branch')
        Account = pool.get('lk.meter.account')
        Branch(name="Красноярскэнерго", code='krasnoyarsk').save()
        setup_demo()
        setup_demo()
        account, = Account.search([('number', '=', '183251366600')])
        self.assertEqual(len(account.meters[0].registers[0].readings), 24)


class LkMetersRouteTestCase(RouteTestCase):
    "The integration endpoint of the billing"
    module = 'lk_meters'

    @classmethod
    def setUpDatabase(cls):
        pool = Pool()
        User = pool.get('res.user')
        UserApplication = pool.get('res.user.application')
        ModelData = pool.get('ir.model.data')
        Branch = pool.get('lk.branch')
        user = User(login='billing', name="Биллинг", groups=[
                ModelData.get_id('lk_base', 'group_lk_admin')])
        user.save()
        UserApplication(user=user, application='lk_meters',
            key='billing-key', state='validated').save()
        Branch(name="Красноярскэнерго", code='KRS').save()
        Transaction().commit()

    def test_import_rows(self):
        "Rows loaded, refused rows reported, a key required"
        client = self.client()
        url = '/%s/lk_meters/import/accounts' % DB_NAME
        body = {'rows': [
                {'number': '1000', 'holder': "Иванов", 'branch': 'KRS'},
                {'number': '1001', 'holder': "Петров", 'branch': 'NONE'},
                ]}
        self.assertEqual(client.post(url, json=body).status_code, 401)
        headers = {'Authorization': 'bearer billing-key'}
        response = client.post(url, json=body, headers=headers)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json['loaded'], 1)
        self.assertEqual(
            [e['row'] for e in response.json['errors']], [2])
        response = client.post(
            '/%s/lk_meters/import/nothing' % DB_NAME, json=body,
            headers=headers)
        self.assertEqual(response.status_code, 404)
        response = client.post(url, json={'rows': 'x'}, headers=headers)
        self.assertEqual(response.status_code, 400)


del ModuleTestCase, RouteTestCase
