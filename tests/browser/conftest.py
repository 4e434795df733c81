"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

Screenshots of the pages a journey passes go to var/screenshots/ so that a
person can look at them after the run.
"""
import os
import pathlib
import shutil

import pytest

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
