# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Application factory of the customer portal.

Settings come from defaults, then the Python file named by the
LK_PORTAL_CONFIG environment variable, then `test_config`. The blueprints
of the lk_* modules activated in the database are registered, each through
its `portal.init_portal(app, registry)`.
"""
import datetime as dt
import hashlib
import importlib
import os
import pathlib
import secrets
import tempfile

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, render_template, request, session
from flask_babel import Babel, get_locale
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_tryton import Tryton
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from trytond.modules import create_graph
from trytond.pool import Pool
from trytond.transaction import Transaction

from . import formats
from .core import PortalRegistry, selection_label

csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)

LANGUAGES = {'ru': 'Русский', 'en': 'English'}

DEFAULTS = {
    'TRYTON_DATABASE': None,
    'TRYTON_CONFIG': os.environ.get('TRYTON_CONFIG'),
    'SECRET_KEY': None,
    'SESSION_COOKIE_HTTPONLY': True,
    'SESSION_COOKIE_SAMESITE': 'Lax',
    # None: secure unless LK_DEV (the cookie then travels only over HTTPS)
    'SESSION_COOKIE_SECURE': None,
    'SESSION_COOKIE_NAME': 'lk_session',
    'PERMANENT_SESSION_LIFETIME': dt.timedelta(days=30),
    'MAX_CONTENT_LENGTH': 20 * 1024 * 1024,
    'WTF_CSRF_TIME_LIMIT': None,
    'BABEL_DEFAULT_LOCALE': 'ru',
    'BABEL_DEFAULT_TIMEZONE': 'Europe/Moscow',
    'RATELIMIT_STORAGE_URI': 'memory://',
    'RATELIMIT_HEADERS_ENABLED': True,
    'LK_AUTH_RATE_LIMIT': '20 per minute;200 per hour',
    'LK_COMPANY_NAME': 'Сетевая компания «Сибирь»',
    'LK_HOTLINE': '8 800 1000 380',
    'LK_PAGE_SIZE': 20,
    'LK_DEV': False,
    'LK_DEV_MAILDIR': None,
    'LK_PROXY_COUNT': 0,
    'LK_HSTS_MAX_AGE': 365 * 24 * 3600,
    }

# The pages load scripts, styles and images only from the portal itself:
# no inline script, no inline style, no framing by another site.
PAGE_POLICY = '; '.join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        ])
# Files served by the portal (downloads, the PDF print, images): nothing
# in them may run or load anything, whatever the browser takes them for.
FILE_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
# A PDF shown in place: Chrome's viewer refuses a sandboxed document
PDF_POLICY = "default-src 'none'; object-src 'self'; frame-ancestors 'none'"


def create_app(test_config=None):
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    if os.environ.get('LK_PORTAL_CONFIG'):
        app.config.from_pyfile(os.environ['LK_PORTAL_CONFIG'])
    if test_config:
        app.config.update(test_config)
    if not app.config['SECRET_KEY']:
        if not (app.config['LK_DEV'] or app.testing):
            raise RuntimeError('SECRET_KEY must be set for the portal')
        app.config['SECRET_KEY'] = secrets.token_hex(32)
    if app.config['SESSION_COOKIE_SECURE'] is None:
        app.config['SESSION_COOKIE_SECURE'] = not app.config['LK_DEV']
    if app.config['LK_PROXY_COUNT']:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=app.config['LK_PROXY_COUNT'],
            x_proto=app.config['LK_PROXY_COUNT'])

    Tryton(app)
    csrf.init_app(app)
    limiter.init_app(app)
    portal = PortalRegistry()
    app.extensions['lk_portal'] = portal

    modules, app.config['LK_PORTAL_USER'] = _database_facts(app)
    app.config['LK_MODULES'] = modules
    translations = []
    for name in modules:
        package = importlib.import_module(f'trytond.modules.{name}.portal')
        package.init_portal(app, portal)
        directory = pathlib.Path(package.__file__).parent / 'translations'
        if directory.is_dir():
            translations.append(_compile_translations(directory))
    app.config['BABEL_TRANSLATION_DIRECTORIES'] = ';'.join(translations)
    babel.init_app(app, locale_selector=_select_locale)
    formats.init_app(app)
    _register_error_pages(app)
    app.after_request(_security_headers)
    app.jinja_env.globals.update(
        portal=portal, languages=LANGUAGES, get_locale=get_locale,
        company=lambda: app.config['LK_COMPANY_NAME'],
        branch_name=branch_name, selection_label=selection_label)
    return app


def branch_name(branch):
    "The name of a branch (a record or an id) from the cache, '' for None"
    if not branch:
        return ''
    names = Pool().get('lk.branch').lk_names()
    return names.get(int(branch), ('', None))[0]


def _database_facts(app):
    "The activated lk_* modules, in dependency order, and the portal user"
    database = app.config['TRYTON_DATABASE']
    with Transaction().start(database, 0, readonly=True):
        pool = Pool()
        Module = pool.get('ir.module')
        User = pool.get('res.user')
        activated = {m.name for m in Module.search([
                    ('state', '=', 'activated'),
                    ])}
        graph = create_graph(activated)
        modules = [node.name for node in graph if node.name.startswith('lk_')]
        portal_user, = User.search([('login', '=', 'lk_portal')])
        return modules, portal_user.id


def _compile_translations(directory):
    """Compile the .po catalogs of a module into a cache directory; Babel
    reads only .mo files and the package may be installed read-only."""
    digest = hashlib.sha256()
    for po in sorted(directory.glob('*/LC_MESSAGES/*.po')):
        digest.update(po.read_bytes())
    target = pathlib.Path(tempfile.gettempdir()) / (
        'lk-portal-i18n-' + digest.hexdigest()[:16])
    for po in directory.glob('*/LC_MESSAGES/*.po'):
        mo = target / po.relative_to(directory).with_suffix('.mo')
        if not mo.exists():
            mo.parent.mkdir(parents=True, exist_ok=True)
            with po.open('rb') as source:
                catalog = read_po(source)
            tmp = mo.with_suffix('.tmp%s' % os.getpid())
            with tmp.open('wb') as output:
                write_mo(output, catalog)
            tmp.replace(mo)
    return str(target)


def _select_locale():
    lang = session.get('lang')
    if lang in LANGUAGES:
        return lang
    return 'ru'


def _security_headers(response):
    "The security headers of every response of the portal"
    headers = response.headers
    if response.mimetype == 'text/html':
        policy = PAGE_POLICY
    elif response.mimetype == 'application/pdf':
        policy = PDF_POLICY
    else:
        policy = FILE_POLICY
    headers.setdefault('Content-Security-Policy', policy)
    headers.setdefault('X-Content-Type-Options', 'nosniff')
    headers.setdefault('X-Frame-Options', 'DENY')
    # links to other sites never carry the portal's paths (which may hold
    # a token); the operator pages read the Referer of their own pages
    headers.setdefault('Referrer-Policy', 'same-origin')
    if not current_app.config['LK_DEV']:
        headers.setdefault(
            'Strict-Transport-Security',
            'max-age=%d; includeSubDomains'
            % current_app.config['LK_HSTS_MAX_AGE'])
    return response


def _register_error_pages(app):
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template(
            'lk_base/error.html', code=400, csrf=True), 400

    @app.errorhandler(HTTPException)
    def http_error(error):
        if request.path.startswith('/static/'):
            return error
        return render_template(
            'lk_base/error.html', code=error.code,
            description=error.description), error.code
