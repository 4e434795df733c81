"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

Screenshots of the pages a journey passes go to var/screenshots/ so that a
person can look at them after the run.

Besides the browser and its pages, the fixtures the journeys share: `scan`
(a PDF to upload), `confirmation_link(email)` (read from the outbox),
`bank` (the RBS sandbox of lk_payment on a loopback port).
"""
import os
import pathlib
import re
import shutil
import threading
import urllib.parse
from unittest.mock import patch

import pytest
from werkzeug.serving import make_server

import trytond.config as config
from trytond.modules.lk_base.tests.portal_fixtures import run_as_root

SCREENSHOTS = pathlib.Path(__file__).resolve().parents[2] / 'var' / 'screenshots'
CHROMIUM_ARGS = [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--disable-dev-shm-usage',
    ]


HERE = pathlib.Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope='session')
def browser():
    from playwright.sync_api import sync_playwright
    executable = os.environ.get('LK_CHROMIUM') or shutil.which('chromium')
    assert executable, 'Debian chromium is needed: apt-get install chromium'
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=[(1280, 900), (390, 844)], ids=['desktop', 'phone'])
def page(request, browser):
    width, height = request.param
    context = browser.new_context(
        viewport={'width': width, 'height': height}, locale='ru-RU')
    page = context.new_page()
    page.set_default_timeout(15000)
    page.screenshot_dir = SCREENSHOTS / request.node.callspec.id
    page.screenshot_dir.mkdir(parents=True, exist_ok=True)
    yield page
    context.close()


@pytest.fixture
def shot(page):
    "shot(name): save a full-page screenshot of the page as it is now"
    def take(name):
        page.screenshot(path=str(page.screenshot_dir / (name + '.png')),
            full_page=True)
    return take


PDF = b'%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n'


@pytest.fixture
def scan(tmp_path):
    "A small PDF to upload as a scan"
    path = tmp_path / 'plan.pdf'
    path.write_bytes(PDF)
    return pathlib.Path(path)


@pytest.fixture
def confirmation_link(outbox):
    """confirmation_link(email): the path and query of the e-mail
    confirmation link last sent to email"""
    def find(email):
        for message in reversed(outbox):
            if message['To'] == email:
                body = message.get_body(('html', 'plain')).get_content()
                link = urllib.parse.urlsplit(re.search(
                        r'href="(http[^"]*/confirm-email[^"]*)"',
                        body).group(1))
                return link.path + '?' + link.query
    return find


@pytest.fixture
def bank(portal_app):
    "The RBS sandbox served on a free loopback port"
    from trytond.modules.lk_payment.gateway import RbsGateway
    from trytond.modules.lk_payment.standin.rbs import Sandbox
    sandbox = Sandbox()
    server = make_server('127.0.0.1', 0, sandbox, threaded=True)
    sandbox.base_url = 'http://127.0.0.1:%d' % server.server_port

    def deliver(url):
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        run_as_root(portal_app,
            lambda pool: pool.get('lk.payment').callback('rbs', params))
    sandbox.send = deliver
    if not config.has_section('lk_payment'):
        config.add_section('lk_payment')
    for option, value in [('gateway', 'rbs'), ('url', sandbox.base_url),
            ('username', sandbox.username), ('password', sandbox.password),
            ('secret', sandbox.secret)]:
        config.set('lk_payment', option, value)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with patch.object(RbsGateway, 'transport', None):
        yield sandbox
    server.shutdown()
