"""Document exchange in a browser: open «Документооборот» from the
application, read the offer, confirm the mobile and get the signing code
from the SMS outbox, sign, see «Подписан заявителем» and the stamped PDF;
screenshots of the table and of the contract's first and stamp pages."""
import re

from trytond.modules.lk_base.tests.portal_fixtures import PASSWORD
from trytond.modules.lk_edo.tests.test_portal import (
    contract_sent, outbox_code)
from trytond.modules.lk_edo.tests.tools import pdf_png


def test_sign_contract(page, shot, live_server, portal_app, make_client):
    phone = '+7913555%04d' % (page.viewport_size['width'])
    account = make_client('fl', last_name='Гузиков', first_name='Иван',
        middle_name='Игоревич')
    application_id, document_id = contract_sent(
        portal_app, account, mobile=phone)
    page.goto(live_server + '/login')
    page.fill('#snils', account.snils)
    page.fill('#password', PASSWORD)
    page.keyboard.press('Enter')
    page.get_by_role('heading', name='Личный кабинет').wait_for()
    page.goto(live_server + '/my/applications/%d' % application_id)
    page.locator('a[href$="/edo"]').click()
    page.get_by_role('heading', name='Документооборот').wait_for()
    assert page.get_by_text('Направлен заявителю').count() >= 1
    shot('edo-table')
    page.get_by_role('link', name='Ознакомиться и подписать').click()
    page.get_by_role('button', name='Отправить код подтверждения').click()
    page.fill('#code', outbox_code(portal_app, phone))
    page.get_by_role('button', name='Подтвердить').click()
    page.get_by_text('Мобильный телефон подтверждён.').wait_for()
    page.get_by_label(re.compile('принимаю правила')).check()
    page.get_by_role('button', name='Получить код').click()
    page.get_by_text('Код отправлен по SMS').wait_for()
    page.fill('#code', outbox_code(portal_app, phone))
    shot('edo-sign')
    page.get_by_role('button', name='Подписать', exact=True).click()
    page.get_by_text('Документ подписан.').wait_for()
    assert page.get_by_text('Подписан заявителем').count() >= 1
    link = page.get_by_role('link', name='Подписанный PDF')
    response = page.request.get(live_server + link.get_attribute('href'))
    assert response.headers['content-type'] == 'application/pdf'
    stamped = response.body()
    shot('edo-signed')
    pdf_png(stamped, str(page.screenshot_dir / 'edo-contract-page1.png'), 0)
    pdf_png(stamped, str(page.screenshot_dir / 'edo-contract-stamp.png'), -1)
