# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo data of lk_edo: an application of the demo individual whose offer
(contract + ТУ) is sent to sign in «Документооборот», and an application
of the demo company signed by SMS code, connected, whose acts are sent
and the first one signed. setup_demo() creates only what is missing: an
application is known by its object name."""
import re
from decimal import Decimal
from io import BytesIO

from pypdf import PdfWriter

from trytond.pool import Pool

# person identifier, object name, power, voltage, fee, how far it goes
APPLICATIONS = [
    ('11223344595', "Жилой дом (демо ЭДО)", Decimal(15), '0.22',
        Decimal('50550.00'), 'contract_sent'),
    ('1901032151', "Цех хлебобулочных изделий (демо ЭДО)", Decimal(250),
        '10', Decimal('1284600.00'), 'acts'),
    ]
DEMO_IP, DEMO_AGENT = '127.0.0.1', 'Демо-данные ЛК'
EXECUTION = [
    'start_execution', 'notify_execution', 'check_execution', 'connect',
    'issue_acts']


def _scan():
    "A one-page PDF for the scans of the checklist"
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    output = BytesIO()
    writer.write(output)
    return output.getvalue()


def _last_code(party):
    "The code of the last SMS queued for party, read before it is sent"
    Delivery = Pool().get('lk.notification.delivery')
    delivery, = Delivery.search([
            ('channel', '=', 'sms'), ('secret', '=', True),
            ('address', '=', party.edo_mobile),
            ], order=[('id', 'DESC')], limit=1)
    return re.search(r'\b(\d{6})\b', delivery.message).group(1)


def _sign(document):
    "The applicant signs document by the SMS code, as in the portal"
    pool = Pool()
    Code = pool.get('lk.edo.code')
    Signature = pool.get('lk.edo.signature')
    Rules = pool.get('lk.edo.rules')
    party = document.application.party
    if not party.edo_mobile_verified:
        Code.send_phone_code(party)
        Code.verify_phone(party, _last_code(party))
        party = party.__class__(party.id)
    Signature.request_code(document)
    return Signature.sign(
        document, _last_code(party), Rules.current(),
        remote_addr=DEMO_IP, user_agent=DEMO_AGENT)


def setup_demo():
    pool = Pool()
    Application = pool.get('lk.application')
    Document = pool.get('lk.application.document')
    Kind = pool.get('lk.application.kind')
    Party = pool.get('party.party')
    Type = pool.get('lk.edo.document.type')
    kinds = Kind.search([('code', '=', 'new_connection')], limit=1)
    contract_types = Type.search([('code', '=', 'contract')], limit=1)
    if not kinds or not contract_types:
        return
    scan = _scan()
    for identifier, name, power, voltage, fee, until in APPLICATIONS:
        if Application.search([('object_name', '=', name)]):
            continue
        parties = Party.search(['OR',
                ('snils', '=', identifier), ('inn', '=', identifier)],
            limit=1)
        if not parties:
            continue
        party, = parties
        application = Application.create_draft(kinds[0], party)
        address = party.actual_address or party.legal_address or (
            "Хакасия Респ, Абакан г")
        for field, value in {
                'applicant_phone': party.mobile,
                'postal_address': address,
                'object_name': name, 'object_address': address,
                'reason': "Новое строительство",
                'max_power': power, 'voltage': voltage,
                'reliability': '3',
                'load_character': "Бытовая" if party.person_kind == 'fl'
                else "Производственная",
                'industry': "Население" if party.person_kind == 'fl'
                else "Пищевая промышленность",
                'supplier': "АО «Хакасэнергосбыт»",
                }.items():
            setattr(application, field, value)
        application.save()
        for item in application.checklist():
            Application.attach(
                application, item, item.code + '.pdf', scan)
        Application.submit([application])
        Application.accept([application])
        Application.prepare_contract([application])
        Document.edo_create(application, contract_types[0], amount=fee)
        Application.send_contract([application])
        if until == 'contract_sent':
            continue
        contract, = [d for d in application.documents
            if d.current and d.edo_type == contract_types[0]]
        _sign(contract)
        application = Application(application.id)
        if application.state == 'contract_sent':
            Application.conclude_contract([application])
        for method in EXECUTION:
            getattr(Application, method)([application])
        application = Application(application.id)
        acts = sorted((d for d in application.documents
                if d.current and d.edo_type
                and d.edo_type.closes_connection),
            key=lambda d: d.edo_type.sequence or 0)
        if acts:
            _sign(acts[0])
