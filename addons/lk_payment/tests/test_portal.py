# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Portal tests of lk_payment: «Мои платежи», paying through the RBS
sandbox (the outcome from the gateway, not from the return page), a
gateway that is down, the refund request, another client's invoice."""
import re
import urllib.parse
from decimal import Decimal
from unittest.mock import patch

import httpx
import pytest

import trytond.config as config
from trytond.modules.lk_base.tests.portal_fixtures import (
    csrf, login, run_as_root, text)

from ..gateway import RbsGateway
from ..standin.rbs import Sandbox
from .tools import PAYEE


pytestmark = pytest.mark.usefixtures('no_login_delay')


@pytest.fixture
def sandbox(portal_app):
    sandbox = Sandbox()
    if not config.has_section('lk_payment'):
        config.add_section('lk_payment')
    for option, value in [('gateway', 'rbs'), ('url', 'http://bank.test'),
            ('username', sandbox.username), ('password', sandbox.password),
            ('secret', sandbox.secret)]:
        config.set('lk_payment', option, value)

    def deliver(url):
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        run_as_root(portal_app,
            lambda pool: pool.get('lk.payment').callback('rbs', params))
    sandbox.send = deliver
    with patch.object(RbsGateway, 'transport',
            httpx.WSGITransport(app=sandbox)):
        yield sandbox


def invoice_of(app, account, amount=Decimal('550.45')):
    "An invoice of the client's application sent as an offer; its id"
    def create(pool):
        Application = pool.get('lk.application')
        Kind = pool.get('lk.application.kind')
        WebUser = pool.get('web.user')
        Invoice = pool.get('lk.payment.invoice')
        Payee = pool.get('lk.payment.payee')
        if not Payee.search([('branch', '=', None)]):
            Payee(**PAYEE).save()
        kind, = Kind.search([('code', '=', 'new_connection')])
        web_user = WebUser(account.user_id)
        application = Application.create_draft(kind, web_user.party, web_user)
        Application.write([application], {
                'max_power': Decimal(15), 'state': 'contract_sent',
                'number': 'P-%s' % web_user.id})
        invoice, = Invoice.create_for(application, amount)
        return invoice.id
    return run_as_root(app, create)


def test_pay_by_card(portal_app, client, make_client, sandbox):
    account = make_client('fl')
    invoice_id = invoice_of(portal_app, account)
    assert login(client, account).status_code == 302
    page = text(client.get('/my/payments'))
    for expected in ['Мои платежи', 'ИД', 'Данные платежа', 'Сумма к оплате',
            'НДС', 'Статус', 'Оплата по договорам ТП', 'Сумма: 550,45 руб.',
            'К оплате', 'P-%s' % account.user_id]:
        assert expected in page, expected
    pay = '/my/payments/%d' % invoice_id
    page = text(client.get(pay))
    assert 'С правилами оплаты и возврата денежных средств согласен' in page
    assert 'Комиссионное вознаграждение' in page
    assert 'Сумма к оплате:' in page and '550,45' in page
    assert 'data:image/svg+xml' in page  # the bank transfer QR code
    # without the agreement: refused next to the checkbox
    response = client.post(pay, data={'csrf_token': csrf(client, pay)})
    assert response.status_code == 400
    assert 'согласитесь с правилами' in text(response)
    response = client.post(pay, data={
            'csrf_token': csrf(client, pay), 'agree': 'y'})
    assert response.status_code == 302, text(response)
    page = text(client.get(response.headers['Location']))
    assert 'Перейти на платёжную страницу банка' in page
    order_id = re.search(r'/payment/([0-9a-f-]+)"', page).group(1)
    order = sandbox.orders[order_id]
    assert order['amount'] == 55045
    # the browser's return alone changes nothing
    returned = urllib.parse.urlsplit(order['return']).path
    page = text(client.get(returned))
    assert 'Ожидает подтверждения банка' in page
    sandbox.pay(order_id, 'success')
    page = text(client.get(returned))
    assert 'Банк подтвердил оплату 550,45 руб.' in page
    page = text(client.get('/my/payments'))
    assert 'Оплачен' in page
    # the refund request with its reason
    refund = '/my/payments/%d/refund' % invoice_id
    response = client.post(refund, data={'csrf_token': csrf(client, pay)})
    assert response.status_code == 400
    assert 'Укажите причину возврата' in text(response)
    response = client.post(refund, data={'csrf_token': csrf(client, pay),
            'reason': 'Ошибочный платёж'})
    assert response.status_code == 302
    assert 'Возврат запрошен' in text(client.get(pay))

    def authors(pool):
        Payment = pool.get('lk.payment')
        Refund = pool.get('lk.payment.refund')
        payment, = Payment.search([('invoice', '=', invoice_id)])
        refund, = Refund.search([('payment', '=', payment.id)])
        return [(r.web_user.id if r.web_user else None, r.operator)
            for r in [payment, refund]]
    # the client's own payment and refund request, no operator
    assert run_as_root(portal_app, authors) == [
        (account.user_id, None), (account.user_id, None)]


def test_gateway_down(portal_app, client, make_client, sandbox):
    account = make_client('fl')
    invoice_id = invoice_of(portal_app, account)
    login(client, account)
    sandbox.down = True
    pay = '/my/payments/%d' % invoice_id
    response = client.post(pay, data={
            'csrf_token': csrf(client, pay), 'agree': 'y'})
    assert response.status_code == 503
    assert 'Платёжный шлюз банка не отвечает' in text(response)
    assert 'К оплате' in text(client.get('/my/payments'))


def test_invoice_pdf_and_search(portal_app, client, make_client):
    account = make_client('fl')
    invoice_id = invoice_of(portal_app, account)
    other = invoice_of(portal_app, make_client('fl'))
    login(client, account)
    response = client.get('/my/payments/%d/invoice.pdf' % invoice_id)
    assert response.status_code == 200
    assert response.data.startswith(b'%PDF')
    assert client.get('/my/payments/%d' % other).status_code == 404
    assert client.get('/my/payments/%d/invoice.pdf' % other).status_code == 404
    number = re.search(r'lk/\d+', text(client.get('/my/payments'))).group(0)
    page = text(client.get('/my/payments?q=' + number))
    assert number in page
    page = text(client.get('/my/payments?q=nothing-like-it'))
    assert 'Платежей пока нет' in page


def test_yookassa_slow(portal_app, client, make_client, lk_config):
    "YooKassa slower than the timeout: the Russian message at once, the "
    "invoice still to pay"
    import time
    from ..standin.yookassa import YooKassa
    from .tools import serve
    kassa = YooKassa(delay=3)
    kassa.base_url, stop = serve(kassa)
    for option, value in [('gateway', 'yookassa'),
            ('url', kassa.base_url + '/v3'), ('username', kassa.shop_id),
            ('password', kassa.secret_key), ('timeout', '0.5')]:
        lk_config('lk_payment', option, value)
    try:
        account = make_client('fl')
        invoice_id = invoice_of(portal_app, account)
        login(client, account)
        pay = '/my/payments/%d' % invoice_id
        start = time.monotonic()
        response = client.post(pay, data={
                'csrf_token': csrf(client, pay), 'agree': 'y'})
        assert time.monotonic() - start < 3
        assert response.status_code == 503
        assert 'Платёжный шлюз банка не отвечает' in text(response)
        assert 'Деньги не списаны' in text(response)
        assert 'К оплате' in text(client.get('/my/payments'))

        def payments(pool):
            return [(p.gateway, p.state, p.bank_order) for p in
                pool.get('lk.payment').search(
                    [('invoice', '=', invoice_id)])]
        assert run_as_root(portal_app, payments) == [
            ('yookassa', 'failed', None)]
    finally:
        stop()


def test_operator_does_not_conclude_an_offer(portal_app, client, operator,
        khakassia_client):
    "The move form offers no «Договор заключён» for an offer, and says why "
    "when asked for it"
    from trytond.modules.lk_applications.tests.test_workflow_edges import (
        make_application, move, read)
    offer = make_application(portal_app, khakassia_client, 'contract_sent',
        max_power=15)
    page = text(client.get('/operator/applications/%s' % offer))
    assert 'Договор направлен' in page
    assert '<option value="contract_concluded"' not in page
    before = read(portal_app, offer)
    response = move(client, offer, 'contract_concluded')
    assert response.status_code == 302
    page = text(client.get(response.headers['Location']))
    assert ('не переводится в статус «Договор заключён» вручную: договор '
        '— оферта, он заключается оплатой счёта') in page
    assert read(portal_app, offer) == before
    signed = make_application(portal_app, khakassia_client, 'contract_sent')
    page = text(client.get('/operator/applications/%s' % signed))
    assert '<option value="contract_concluded"' in page
