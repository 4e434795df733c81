"""Project-wide pytest plugin.

- Test code under addons/<module>/ is imported under its installed name
  ``trytond.modules.<module>...`` (pytest alone would import it a second
  time as ``<module>...``, with its own copies of classes and exceptions).
- Each addons/*/tests/*.rst scenario doctest is one test item, built by the
  module's own tests/test_scenario.py ``load_tests``, i.e. exactly as
  Tryton's unittest runner builds it (load_doc_tests: setUp, tearDown,
  checker, option flags, .json configurations).
- The ``tryton_db`` fixture: one database with every lk_* module activated;
  each module's tests/portal_fixtures.py is loaded as a plugin on top.
- Activated test databases are built on each other: a module's set is
  activated on a copy of the cached database of its largest lk_*
  dependency (lk_edo on lk_applications on lk_base), so ir, res and
  lk_base are set up once per language, not once per module. On
  PostgreSQL the cached databases are kept as templates in the cluster
  (a copy is one CREATE DATABASE … TEMPLATE) besides Tryton's dump files.
- Passwords are hashed with a cheap Argon2 (test sessions only): the
  production parameters cost about half a second per hash and per login.
- With LK_TEST_REPORT set, the outcome counts and the seconds spent per
  module (setup, call and teardown of its tests; browser journeys
  tests/browser/test_<module>_*.py count for their module) are written
  there as JSON, for the table of ./lk test.
"""
import configparser
import functools
import hashlib
import importlib
import importlib.abc
import importlib.util
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

import pytest

ROOT = pathlib.Path(__file__).resolve().parent
ADDONS = ROOT / 'addons'
LK_MODULES = sorted(
    p.parent.name for p in ADDONS.glob('lk_*/tryton.cfg'))

# Loaded by load_tests for unittest; collected below as .rst items instead.
collect_ignore_glob = ['addons/*/tests/test_scenario.py']
# Fixtures a module offers to all tests (its portal_app, client, …)
pytest_plugins = [f'trytond.modules.{m}.tests.portal_fixtures'
    for m in LK_MODULES
    if (ADDONS / m / 'tests' / 'portal_fixtures.py').exists()]

if 'TRYTOND_DATABASE__PATH' not in os.environ:
    # Keep SQLite files and the filestore of a bare `pytest` out of ~/db.
    os.environ['TRYTOND_DATABASE__PATH'] = _TMP_DB_PATH = tempfile.mkdtemp(
        prefix='lk-pytest-')
else:
    _TMP_DB_PATH = None


class _AddonAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    "Resolve ``lk_x[.sub]`` to the already importable trytond.modules.lk_x"

    def find_spec(self, name, path=None, target=None):
        if name.partition('.')[0] in LK_MODULES:
            return importlib.util.spec_from_loader(name, self)

    def create_module(self, spec):
        module = importlib.import_module('trytond.modules.' + spec.name)
        spec.loader_state = module.__spec__
        return module

    def exec_module(self, module):
        # the import system has put the alias spec on the real module
        module.__spec__ = module.__spec__.loader_state


sys.meta_path.insert(0, _AddonAlias())


def pytest_configure(config):
    _fast_password_hash()
    _chain_activations()


@functools.cache
def _lk_depends(module):
    "The lk_* modules module depends on, directly or not"
    cfg = configparser.ConfigParser()
    cfg.read(ADDONS / module / 'tryton.cfg')
    direct = {d for d in cfg.get('tryton', 'depends', fallback='').split()
        if d in LK_MODULES}
    return frozenset(direct.union(*(_lk_depends(d) for d in direct)))


def _closure(modules):
    return frozenset(modules).union(*(
            _lk_depends(m) for m in modules if m in LK_MODULES))


def _cache_name(modules, lang):
    "The name activate_module gives the cached database of modules"
    return '-'.join(modules) + ('' if lang == 'en' else '--' + lang)


def _is_cached(name):
    from trytond import backend
    from trytond.tests import test_tryton
    cache_file = test_tryton._db_cache_file(test_tryton.DB_CACHE, name)
    if backend.name == 'postgresql' and test_tryton.db_exist(
            _pg_template(name)):
        return True
    return os.path.exists(cache_file)


def _base(modules, lang):
    """The one lk_* module whose activated database modules are best
    activated on: the cached one with the most dependencies, else the one
    with the most dependencies"""
    closure = _closure(modules)
    candidates = sorted((m for m in closure if m in LK_MODULES
            and _closure([m]) < closure),
        key=lambda m: (len(_closure([m])), m), reverse=True)
    cached = [m for m in candidates if _is_cached(_cache_name([m], lang))]
    return (cached or candidates or [None])[0]


def _activate_module(modules, lang='en'):
    """Tryton's activate_module (same name, same cache), a missing database
    built on the one of a dependency (activating modules on an activated
    database is Tryton's own upgrade path)"""
    from trytond.tests import test_tryton
    if isinstance(modules, str):
        modules = [modules]
    if (test_tryton.DB_CACHE and not test_tryton.db_exist(test_tryton.DB_NAME)
            and not _is_cached(_cache_name(modules, lang))):
        if base := _base(modules, lang):
            # leaves DB_NAME with base activated: only modules are added
            _activate_module([base], lang)
    return _tryton_activate_module(modules, lang=lang)


def _activate_modules(modules, *setup):
    "proteus' activate_modules, a missing database built as above"
    from trytond.tests import test_tryton
    if isinstance(modules, str):
        modules = [modules]
    modules = sorted(modules)  # its cache name
    if (not setup and test_tryton.DB_CACHE
            and not _is_cached(_cache_name(modules, 'en'))):
        test_tryton.drop_db()
        _activate_module(modules)
        test_tryton.drop_db()  # restored from the cache just made
    return _tryton_activate_modules(modules, *setup)


def _pg_template(name):
    "The template database of the cached database name on PostgreSQL"
    return 'lkcache-' + hashlib.shake_128(name.encode()).hexdigest(10)


def _restore_db_cache(name):
    from trytond import backend
    from trytond.pool import Pool
    from trytond.tests import test_tryton
    if backend.name != 'postgresql' or not test_tryton.DB_CACHE:
        return _tryton_restore_db_cache(name)
    template = _pg_template(name)
    if test_tryton.db_exist(template):
        _copy_pg_database(template, test_tryton.DB_NAME)
        Pool(test_tryton.DB_NAME).init()
        return True
    # a dump of an earlier run: restored, and kept as template for the next
    if _tryton_restore_db_cache(name):
        _copy_pg_database(test_tryton.DB_NAME, template)
        return True
    return False


def _backup_db_cache(name):
    from trytond import backend
    from trytond.tests import test_tryton
    _tryton_backup_db_cache(name)
    if backend.name == 'postgresql' and test_tryton.DB_CACHE:
        template = _pg_template(name)
        if not test_tryton.db_exist(template):
            _copy_pg_database(test_tryton.DB_NAME, template)


def _copy_pg_database(source, target):
    "target (dropped first) as a copy of source, which must be unused"
    from trytond import backend
    from trytond.transaction import Transaction
    databases = backend.Database._databases[os.getpid()]
    for name in [source, target]:
        if name in databases:
            databases[name].close()  # the pool's connections
    with Transaction().start(
            None, 0, close=True, autocommit=True) as transaction:
        database, connection = transaction.database, transaction.connection
        if target in database.list():
            database.drop(connection, target)
        database.create(connection, target, source)
        database.clear_cache()


_tryton_activate_module = _tryton_activate_modules = None
_tryton_restore_db_cache = _tryton_backup_db_cache = None


def _chain_activations():
    "Install the functions above in trytond.tests (once per process)"
    global _tryton_activate_module, _tryton_activate_modules
    global _tryton_restore_db_cache, _tryton_backup_db_cache
    from trytond.tests import test_tryton, tools
    if _tryton_activate_module:
        return
    _tryton_activate_module = test_tryton.activate_module
    _tryton_activate_modules = tools.activate_modules
    _tryton_restore_db_cache = test_tryton.restore_db_cache
    _tryton_backup_db_cache = test_tryton.backup_db_cache
    test_tryton.activate_module = _activate_module
    tools.activate_modules = _activate_modules
    # activate_module and tools.activate_modules look these up at call time
    test_tryton.restore_db_cache = tools.restore_db_cache = _restore_db_cache
    test_tryton.backup_db_cache = tools.backup_db_cache = _backup_db_cache


def _fast_password_hash():
    """Argon2id with minimal costs instead of the production parameters,
    in place in Tryton's one PasswordHash (res.user and web.user share it):
    hashes stay real (a wrong password is refused, the hash is salted)"""
    from pwdlib.hashers.argon2 import Argon2Hasher
    from trytond.res import user
    hashers = list(user.PASSWORD_HASH.hashers)
    hashers[0] = Argon2Hasher(time_cost=1, memory_cost=64, parallelism=1)
    user.PASSWORD_HASH.hashers = hashers
    user.PASSWORD_HASH.current_hasher = hashers[0]


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path, parent):
    collectors = yield
    if (file_path.suffix == '.rst' and file_path.parent.name == 'tests'
            and file_path.parent.parent.name in LK_MODULES
            and file_path.parent.parent.parent == ADDONS):
        # instead of pytest's doctest plugin (it takes .rst files named on
        # the command line)
        return [ScenarioFile.from_parent(parent, path=file_path)]
    return collectors


class ScenarioFile(pytest.File):

    def collect(self):
        package = f'trytond.modules.{self.path.parent.parent.name}.tests'
        loader = unittest.TestLoader()
        loader.testNamePatterns = [self.path.name]
        suite = unittest.TestSuite()
        try:
            module = importlib.import_module(package + '.test_scenario')
        except ModuleNotFoundError as e:
            if e.name != package + '.test_scenario':
                raise
            from trytond.tests.test_tryton import load_doc_tests
            load_doc_tests(package, str(self.path), loader, suite, None)
        else:
            module.load_tests(loader, suite, None)
        cases = list(_flatten(suite))
        for i, case in enumerate(cases):
            name = self.path.name
            if len(cases) > 1:
                name += f'[{i}]'
            yield ScenarioItem.from_parent(self, name=name, case=case)


def _flatten(suite):
    for test in suite:
        if isinstance(test, unittest.TestSuite):
            yield from _flatten(test)
        else:
            yield test


class ScenarioItem(pytest.Item):

    def __init__(self, *, case, **kwargs):
        super().__init__(**kwargs)
        self.case = case

    def runtest(self):
        self.case.setUp()
        try:
            self.case.runTest()
        finally:
            self.case.tearDown()

    def repr_failure(self, excinfo):
        if excinfo.errisinstance(self.case.failureException):
            return str(excinfo.value)  # the doctest report
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f'scenario {self.name}'


@pytest.fixture(scope='session')
def tryton_db():
    """Name of a database with every lk_* module activated, for portal tests.

    Like the demo database it is Russian: ru is its default language and
    its translations are loaded (``activate_module(..., lang='ru')``).

    It is separate from DB_NAME (which ModuleTestCase and the scenarios drop
    and re-create) and lives for the whole session, usable from any thread:
    on SQLite a file ``<DB_NAME>_portal.sqlite`` under [database] path (a
    temporary directory), never ``:memory:``; on PostgreSQL a database of
    the same name in the test cluster. It is built by Tryton's own
    ``activate_module`` in a child process, so DB_CACHE makes it cheap, and
    dropped at the end of the session. Its Pool is initialised here
    (trytond 8.0: a Transaction started on a database before Pool.init
    leaves an empty pool registered, see Pool.__new__). Data committed by
    one test stays visible to the next ones: create what you need with
    unique values.
    """
    from trytond.tests.test_tryton import DB_NAME, drop_db
    name = ('test' if DB_NAME == ':memory:' else DB_NAME) + '_portal'
    code = (f'import sys; sys.path.insert(0, {str(ROOT)!r}); '
        'import conftest; conftest._chain_activations(); '
        f'conftest._activate_module({LK_MODULES!r}, lang="ru")')
    subprocess.run([sys.executable, '-c', code], check=True, cwd=ROOT,
        env=dict(os.environ, DB_NAME=name))
    from trytond.pool import Pool
    Pool(name).init()
    yield name
    from trytond import backend
    backend.Database.clear_cache()  # the child created it behind our back
    drop_db(name)


_module_seconds = {}


def _module_of(path):
    "The lk_* module a test file belongs to, else 'tests'"
    path = (ROOT / path).resolve()  # relative to the rootdir
    if path.is_relative_to(ADDONS):
        return path.relative_to(ADDONS).parts[0]
    if path.is_relative_to(ROOT / 'tests' / 'browser'):
        for module in sorted(LK_MODULES, key=len, reverse=True):
            if path.name.startswith(f'test_{module}_'):
                return module
    return 'tests'


def pytest_runtest_logreport(report):
    module = _module_of(report.fspath)
    _module_seconds[module] = _module_seconds.get(module, 0) + report.duration


def pytest_sessionfinish(session, exitstatus):
    report = os.environ.get('LK_TEST_REPORT')
    terminal = session.config.pluginmanager.get_plugin('terminalreporter')
    if report and terminal:
        counts = {key: len(value) for key, value in terminal.stats.items()
            if key and key not in {'warnings', 'deselected'}}
        counts['exitstatus'] = int(exitstatus)
        counts['modules'] = {m: round(s, 1)
            for m, s in sorted(_module_seconds.items())}
        pathlib.Path(report).write_text(json.dumps(counts))


def pytest_unconfigure(config):
    if _TMP_DB_PATH:
        shutil.rmtree(_TMP_DB_PATH, ignore_errors=True)
