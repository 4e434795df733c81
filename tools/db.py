"""The SQLite demo database var/db/lk_demo.sqlite and its demo data."""
import os
import shutil
import subprocess
import sys

from . import conf
from .common import (
    DATABASE, LkError, ROOT, lk_modules, log, run, source_hash, var,
    venv_bin)

ADMIN_EMAIL = 'admin@lk.localhost'


def path():
    return var('db', DATABASE + '.sqlite')


def _stamp():
    return var('db', DATABASE + '.stamp')


def exists():
    return os.path.isfile(path())


def up_to_date():
    "Whether the database was built from the current module sources"
    try:
        with open(_stamp()) as fp:
            return fp.read().strip() == source_hash()
    except FileNotFoundError:
        return False


def _admin(trytond_conf, *args):
    conf.admin_password()  # read at creation from TRYTONPASSFILE
    run([venv_bin('trytond-admin'), '-c', trytond_conf, '-d', DATABASE,
            *args], stdin=subprocess.DEVNULL,
        env=dict(os.environ, TRYTONPASSFILE=var('admin_password')))


def init(trytond_conf):
    if exists():
        raise LkError(f'{path()} exists: ./lk db upgrade, or ./lk db drop '
            'first')
    log(f'creating {path()} (Russian and English, admin password in '
        f"{var('admin_password')})")
    os.makedirs(var('filestore', DATABASE), exist_ok=True)
    if not os.path.lexists(var('db', DATABASE)):
        os.symlink(os.path.join('..', 'filestore', DATABASE),
            var('db', DATABASE))
    open(path(), 'x').close()  # trytond-admin initialises an empty file
    try:
        _admin(trytond_conf, '--all', '--email', ADMIN_EMAIL,
            '--language', 'ru', 'en')
        _activate(trytond_conf)
    except BaseException:
        drop()
        raise


def upgrade(trytond_conf):
    "Activate new lk_* modules and update all activated modules"
    _activate(trytond_conf, '--all')


def _activate(trytond_conf, *args):
    modules = lk_modules()
    log(f"activating/updating {', '.join(modules)} in {DATABASE}")
    _admin(trytond_conf, '-u', *modules, '--activate-dependencies', *args)
    with open(_stamp(), 'w') as fp:
        fp.write(source_hash())


def load_demo(trytond_conf):
    "Call setup_demo() of each activated lk_* module with a demo submodule"
    log('loading demo data')
    run([sys.executable, '-m', 'tools.demo_data', trytond_conf, DATABASE,
            *lk_modules()], cwd=ROOT)


def drop():
    for name in [path(), path() + '-wal', path() + '-shm', _stamp(),
            var('db', DATABASE)]:
        if os.path.lexists(name):
            os.remove(name)
    shutil.rmtree(var('filestore', DATABASE), ignore_errors=True)
    log(f'dropped {DATABASE}')
