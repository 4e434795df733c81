"""Paying an offer in a browser: «Мои платежи», the pay page with the
rules and the agreement, the bank's sandbox page, the return page and the
status the bank confirmed, the invoice PDF; screenshots at desktop and
phone width."""
from trytond.modules.lk_base.tests.portal_fixtures import PASSWORD
from trytond.modules.lk_edo.tests.tools import pdf_png
from trytond.modules.lk_payment.tests.test_portal import invoice_of


def test_pay_offer(page, shot, live_server, portal_app, make_client, bank):
    account = make_client('fl', last_name='Гузиков', first_name='Иван',
        middle_name='Игоревич')
    invoice_id = invoice_of(portal_app, account)
    page.goto(live_server + '/login')
    page.fill('#snils', account.snils)
    page.fill('#password', PASSWORD)
    page.keyboard.press('Enter')
    page.get_by_role('heading', name='Личный кабинет').wait_for()
    page.goto(live_server + '/my/payments')
    page.get_by_role('heading', name='Мои платежи').wait_for()
    assert page.get_by_text('Сумма: 550,45 руб.').count() == 1
    shot('payments-list')
    page.get_by_role('link', name='Оплатить').first.click()
    page.get_by_role('heading', name='Оплата по договорам ТП').wait_for()
    page.get_by_role('button', name='Оплатить').click()
    page.get_by_text('Чтобы оплатить, согласитесь с правилами.').wait_for()
    page.get_by_label('С правилами оплаты и возврата денежных средств '
        'согласен.').check()
    shot('payments-pay')
    page.get_by_role('button', name='Оплатить').click()
    page.get_by_role('heading', name='Песочница платёжного шлюза').wait_for()
    shot('payments-bank')
    page.get_by_role('button', name='Оплатить (успех)').click()
    page.get_by_text('Банк подтвердил оплату 550,45 руб.').wait_for()
    shot('payments-returned')
    page.goto(live_server + '/my/payments')
    assert page.locator('.pay-status-paid').count() == 1
    shot('payments-paid')
    response = page.request.get(
        live_server + '/my/payments/%d/invoice.pdf' % invoice_id)
    assert response.headers['content-type'] == 'application/pdf'
    pdf_png(response.body(), str(page.screenshot_dir / 'payments-invoice.png'))
