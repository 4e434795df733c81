# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo data of lk_meters: the seed's account № 183251366600 with its meter
СЭ СО-505 and two years of readings, linked to the demo individual, and a
two-tariff meter of the demo company, an application on the meter of the
demo individual. setup_demo() creates only what is missing."""
import datetime as dt
from decimal import Decimal

from trytond.pool import Pool

from trytond.modules.lk_base import clock

from .reading import month_add

ACCOUNTS = [
    # number, date, holder, branch, address, party snils/inn, meters
    ('183251366600', dt.date(2012, 10, 1), 'Гузиков Иван Игоревич',
        'krasnoyarsk',
        'Емельяновский р-н, рп Памяти 13 Борцов, пер Советский, д. 78',
        '11223344595', [
            ('310997', 'СЭ СО-505 220В 10-40А 1', '1', '1.0',
                [('001', 't1', 6, 53897, 180)]),
            ]),
    ('190100042017', dt.date(2016, 3, 14), 'ООО «Абаканский хлебозавод»',
        'khakassia', 'Хакасия Респ, Абакан г, Пушкина ул, 165',
        '1901032151', [
            ('0112045', 'Меркурий 230 ART-03 3×220/380В', '3', '0.5S',
                [('001', 't1', 6, 120450, 2100),
                    ('002', 't2', 6, 64010, 900)]),
            ]),
    ]


def setup_demo():
    pool = Pool()
    Account = pool.get('lk.meter.account')
    Branch = pool.get('lk.branch')
    Party = pool.get('party.party')
    Link = pool.get('lk.meter.account.link')
    Meter = pool.get('lk.meter')
    Reading = pool.get('lk.meter.reading')
    today = clock.today()
    for (number, date, holder, code, address, identifier,
            meters) in ACCOUNTS:
        if Account.search([('number', '=', number)]):
            continue
        branches = Branch.search([('code', '=', code)], limit=1)
        if not branches:
            branches = Branch.search([], limit=1)
        if not branches:
            return
        account = Account(number=number, date=date, holder=holder,
            branch=branches[0], address=address)
        account.save()
        for meter_number, model, phases, accuracy, registers in meters:
            meter = Meter(account=account, number=meter_number, model=model,
                phases=phases, accuracy_class=accuracy, address=address,
                installation_date=date,
                verification_date=today + dt.timedelta(days=20),
                registers=[{'code': c, 'zone': z, 'digits': d}
                    for c, z, d, _, _ in registers])
            meter.save()
            first = month_add(today.replace(day=1), -24)
            for register, (_, _, _, start, monthly) in zip(
                    meter.registers, registers):
                value = Decimal(start)
                for i in range(24):
                    period = month_add(first, i)
                    # winter months take more
                    factor = Decimal('1.4') if period.month in {
                        11, 12, 1, 2} else Decimal(1)
                    value += (monthly * factor).quantize(Decimal(1))
                    Reading.record(register, value,
                        period.replace(day=20), period,
                        'customer' if i % 6 else 'planned_check')
        parties = Party.search(['OR',
                ('snils', '=', identifier), ('inn', '=', identifier)],
            limit=1)
        if parties:
            Link(account=account, party=parties[0]).save()
    _demo_application()


# a scan as the documents step accepts it
PDF = b'%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n'


def _demo_application():
    "The demo individual asks for the commissioning of its meter"
    pool = Pool()
    Application = pool.get('lk.application')
    Kind = pool.get('lk.application.kind')
    Meter = pool.get('lk.meter')
    meters = Meter.search([('account.number', '=', ACCOUNTS[0][0])], limit=1)
    kinds = Kind.search([('code', '=', 'meter_admission')], limit=1)
    if not meters or not kinds or not meters[0].account.links:
        return
    meter, kind = meters[0], kinds[0]
    party = meter.account.links[0].party
    if Application.search([('party', '=', party), ('kind', '=', kind)]):
        return
    application = Application.create_draft(kind, party)
    Application.write([application], {
            'meter_reason': kind.meter_reasons[1].id,
            'meter': meter.id,
            'voltage': '0.22',
            'postal_address': application.postal_address or meter.address,
            })
    for item in application.checklist():
        if item.required:
            Application.attach(application, item, item.code + '.pdf', PDF)
    if not any(application.missing(step) for step in application.steps):
        Application.submit([application])
