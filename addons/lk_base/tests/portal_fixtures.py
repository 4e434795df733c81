# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""pytest fixtures for the portal tests of every lk_* module.

Loaded by the root conftest.py (`pytest_plugins`). On top of its
`tryton_db` (one database with all lk_* modules activated):

- `portal_app`: the Flask portal over that database, demo branches and
  consent text loaded;
- `client`: a test client; `csrf(client, url)` reads a form's token;
- `outbox`: e-mails the code sent (SMTP is never reached);
- `make_client(kind)`: a new registered, confirmed client with unique
  identifiers; `login(client, account)` signs it in.
- `make_staff(groups, branches)`: a new back-office user of the lk_base
  groups and branches (codes of the demo branches);
  `staff_login(client, staff)` signs it in the operators' cabinet;
  `operator`, `admin`: the test client signed in as an operator of
  Хакасэнерго, as «Супер администратор»; `khakassia_client` a client there.
- `no_login_delay`: no throttling delay between sign-ins (a test module
  takes it with `pytestmark = pytest.mark.usefixtures('no_login_delay')`);
- `lk_config(section, option, value)`: a trytond option for the test;
- `root()`: a transaction of the portal's database (as root, or the user
  given), `run_as_root(app, function)` the same around one function;
- `text(response)`: the body of a test client's response as text.
"""
import itertools
import random
import re
import types
from unittest import mock

import pytest

from trytond.pool import Pool
from trytond.transaction import Transaction

from .tools import set_config

PASSWORD = 'Test-pass-2026'
STAFF_PASSWORD = 'Staff-pass-2026'
_counter = itertools.count(1)


def random_snils():
    from trytond.modules.lk_base.identifiers import snils_check_number
    number = '%09d' % random.randint(2_000_000, 999_999_999)
    return number + snils_check_number(number)


def _inn_check(digits, weights):
    return str(sum(int(d) * w for d, w in zip(digits, weights)) % 11 % 10)


def random_inn(length):
    if length == 10:
        base = '%09d' % random.randint(100_000_000, 999_999_999)
        return base + _inn_check(base, [2, 4, 10, 3, 5, 9, 4, 6, 8])
    base = '%010d' % random.randint(1_000_000_000, 9_999_999_999)
    base += _inn_check(base, [7, 2, 4, 10, 3, 5, 9, 4, 6, 8])
    return base + _inn_check(base, [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8])


@pytest.fixture(scope='session')
def outbox():
    "E-mails sent by web.user (validation, reset) and by deliveries"
    messages = []

    def collect(msg, *args, **kwargs):
        messages.append(msg)
    with mock.patch(
            'trytond.modules.web_user.user.send_message_transactional',
            collect), \
            mock.patch(
                'trytond.modules.lk_base.notification.send_message',
                collect):
        yield messages


@pytest.fixture(scope='session')
def portal_app(tryton_db, outbox):
    from trytond.modules.lk_base.demo import setup_demo
    from trytond.modules.lk_base.portal.app import create_app
    with Transaction().start(tryton_db, 0) as transaction:
        Pool(tryton_db).init()
        setup_demo()
        transaction.commit()
    app = create_app({
            'TRYTON_DATABASE': tryton_db,
            'TESTING': True,
            'SECRET_KEY': 'test-secret',
            'LK_AUTH_RATE_LIMIT': '1000 per minute',
            })
    return app


@pytest.fixture
def client(portal_app):
    return portal_app.test_client()


def text(response):
    "The body of a test client's response as text"
    return response.get_data(as_text=True)


@pytest.fixture
def lk_config(request):
    "Set a trytond configuration option for the duration of the test"
    test = types.SimpleNamespace(addCleanup=request.addfinalizer)

    def set_(section, option, value):
        set_config(test, section, option, value)
    return set_


@pytest.fixture
def no_login_delay(lk_config):
    "Sign-ins without the throttling delay (tests sign in many times)"
    lk_config('lk', 'max_login_delay', '0')


@pytest.fixture
def root(portal_app):
    """A transaction of the portal's database as root (or as user), to use
    as `with root() as transaction:`"""
    database = portal_app.config['TRYTON_DATABASE']

    def start(user=0):
        return Transaction().start(database, user)
    return start


def csrf(client, url):
    "The CSRF token of the form on the page at url"
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
        html)
    assert match, 'no CSRF token on %s' % url
    return match.group(1)


@pytest.fixture
def make_client(portal_app):
    "Create a registered client with a confirmed e-mail; return its data"
    def make(kind='fl', **extra):
        n = next(_counter)
        values = {
            'person_kind': kind,
            'email': 'client%s-%s@example.ru' % (n, random.randint(0, 10**9)),
            'password': PASSWORD,
            }
        if kind == 'fl':
            values.update(snils=random_snils(), last_name='Тестов',
                first_name='Иван%s' % n, middle_name='Петрович')
        elif kind == 'ul':
            values.update(inn=random_inn(10), kpp='190101001',
                name='ООО «Тест %s»' % n, head_name='Петров П. П.')
        else:
            values.update(inn=random_inn(12), name='ИП Тестов %s' % n)
        values.update(extra)
        database = portal_app.config['TRYTON_DATABASE']
        with Transaction().start(database, 0) as transaction:
            pool = Pool()
            WebUser = pool.get('web.user')
            ConsentText = pool.get('lk.pd.consent.text')
            Branch = pool.get('lk.branch')
            values.setdefault('branch', Branch.search([])[0].id)
            with transaction.set_user(1):
                user = WebUser.lk_register(
                    dict(values), ConsentText.current())
            user.email_valid = True
            user.save()
            account = types.SimpleNamespace(
                user_id=user.id, party_id=user.party.id, login=user.login,
                **values)
            transaction.commit()
        return account
    return make


@pytest.fixture
def make_staff(portal_app):
    "Create a staff user in groups (lk_base xml ids) linked to branches"
    def make(groups=('group_lk_operator',), branches=(), email=None):
        n = next(_counter)
        database = portal_app.config['TRYTON_DATABASE']
        with Transaction().start(database, 0) as transaction:
            pool = Pool()
            User = pool.get('res.user')
            Branch = pool.get('lk.branch')
            ModelData = pool.get('ir.model.data')
            login_ = 'staff%s-%s' % (n, random.randint(0, 10**9))
            user = User(
                login=login_, name='Оператор %s' % n, email=email,
                groups=[ModelData.get_id('lk_base', g) for g in groups],
                lk_branches=Branch.search([('code', 'in', list(branches))]))
            user.password = STAFF_PASSWORD
            user.save()
            staff = types.SimpleNamespace(
                id=user.id, login=login_, password=STAFF_PASSWORD,
                name=user.name)
            transaction.commit()
        return staff
    return make


def branch_id(app, code):
    "The id of the demo branch of code"
    def get(pool):
        Branch = pool.get('lk.branch')
        return Branch.search([('code', '=', code)])[0].id
    return run_as_root(app, get)


@pytest.fixture
def operator(client, make_staff):
    "The test client signed in as an operator of Хакасэнерго"
    staff = make_staff(['group_lk_operator'], ['khakassia'])
    assert staff_login(client, staff).status_code == 302
    return staff


@pytest.fixture
def admin(client, make_staff):
    "The test client signed in as «Супер администратор», without branches"
    staff = make_staff(['group_lk_admin'])
    assert staff_login(client, staff).status_code == 302
    return staff


@pytest.fixture
def khakassia_client(portal_app, make_client):
    "A new individual client of Хакасэнерго"
    return make_client(
        'fl', branch=branch_id(portal_app, 'khakassia'), last_name='Хакасов')


def staff_login(client, staff, password=None):
    return client.post('/operator/login', data={
            'csrf_token': csrf(client, '/operator/login'),
            'login': staff.login,
            'password': password or staff.password,
            })


def login(client, account, password=None):
    data = {
        'csrf_token': csrf(client, '/login'),
        'person_kind': account.person_kind,
        'snils': getattr(account, 'snils', ''),
        'inn': getattr(account, 'inn', ''),
        'kpp': getattr(account, 'kpp', ''),
        'password': password or account.password,
        }
    return client.post('/login', data=data)


@pytest.fixture
def logged_in(client, make_client):
    "A client signed in as a new individual; returns (client, account)"
    account = make_client('fl')
    response = login(client, account)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client, account


def run_as_root(app, function):
    "Run function() in a committed root transaction of the portal's database"
    with Transaction().start(app.config['TRYTON_DATABASE'], 0) as transaction:
        result = function(Pool())
        transaction.commit()
    return result


@pytest.fixture(scope='session')
def live_server(portal_app):
    "The portal served on a free loopback port from a thread; its base URL"
    import threading

    from werkzeug.serving import make_server
    server = make_server('127.0.0.1', 0, portal_app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:%s' % server.server_port
    server.shutdown()
    thread.join()
