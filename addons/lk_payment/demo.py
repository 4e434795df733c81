# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo data of lk_payment: the bank details every branch is paid to, the
fee rate of individuals ≤ 15 kW of each branch (an example figure: verify
with the region's tariff decision) and, when the demo individual Гузиков
Иван Игоревич has no invoice yet (lk_edo's demo sends him an offer, whose
invoice is issued then), an offer to pay («Мои платежи» → Оплатить; the
RBS sandbox that `./lk demo` starts on 127.0.0.1:8010 takes the card).

`setup_demo()` runs as root inside a transaction after the modules it
depends on and may run again: it creates only what is missing."""
import datetime as dt
from decimal import Decimal

from trytond.pool import Pool

PAYEE = {
    'name': "ПАО «Россети Сибирь»", 'inn': '2460069527', 'kpp': '246001001',
    'bank_name': "ПАО Сбербанк г. Красноярск", 'bik': '040407627',
    'account': '40702810731000000013', 'corr_account': '30101810800000000627',
    }
# DOMAIN.md's example (Moscow region 2026), per kW VAT included
RATE = Decimal('23859.53')
CONTRACT = 'ДЕМО-ТП-1'


def setup_demo():
    pool = Pool()
    Payee = pool.get('lk.payment.payee')
    Fee = pool.get('lk.payment.fee')
    Branch = pool.get('lk.branch')
    if not Payee.search([('branch', '=', None)]):
        Payee(**PAYEE).save()
    for branch in Branch.search([]):
        if not Fee.search([('branch', '=', branch.id)]):
            Fee(branch=branch, category='fl_15',
                start_date=dt.date(2026, 1, 1), rate=RATE,
                legal_basis="Пример: ставка Московской области на 2026 год "
                "(проверьте по тарифному решению региона)").save()
    _demo_offer()


def _demo_offer():
    "An application of the demo individual with its offer to pay"
    pool = Pool()
    Party = pool.get('party.party')
    Application = pool.get('lk.application')
    Kind = pool.get('lk.application.kind')
    Invoice = pool.get('lk.payment.invoice')
    WebUser = pool.get('web.user')
    parties = Party.search([('snils', '=', '11223344595')], limit=1)
    if not parties or Invoice.search([('party', '=', parties[0].id)]):
        return
    party, = parties
    web_users = WebUser.search([('party', '=', party.id)], limit=1)
    kind, = Kind.search([('code', '=', 'new_connection')])
    application = Application.create_draft(
        kind, party, web_users[0] if web_users else None)
    application.save()
    Application.write([application], {
            'applicant_name': party.rec_name, 'max_power': Decimal(15),
            'voltage': '0.22', 'reliability': '3',
            'object_name': "Жилой дом", 'object_address': party.legal_address
            or "г. Абакан", 'supplier': "ПАО «Красноярскэнергосбыт»",
            'number': CONTRACT, 'state': 'contract_sent',
            })
    Invoice.create_for(application, Decimal('550.45'),
        contract_number=CONTRACT)
