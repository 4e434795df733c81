"""The configuration of a bench run: config/trytond.conf and
config/portal.cfg rendered as `conf` does for ./lk demo, pointed at the
throwaway cluster, under var/bench/etc."""
import configparser
import os

from .. import conf
from ..common import var


def prepare(uri):
    "Write var/bench/etc/trytond.conf for uri; return the processes' env"
    conf.write()  # var/ layout and the generated secret key
    os.makedirs(var('bench', 'etc'), exist_ok=True)
    filestore = var('bench', 'filestore')
    os.makedirs(filestore, exist_ok=True)
    target = var('bench', 'etc', 'trytond.conf')
    conf._render('trytond.conf', target, conf.values())
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(target, encoding='utf-8')
    parser['database']['uri'] = uri
    # the filestore of database <name> is <path>/<name>
    parser['database']['path'] = filestore
    parser['cache']['clean_timeout'] = '0'
    with open(target, 'w', encoding='utf-8') as fp:
        parser.write(fp)
    env = {k: v for k, v in os.environ.items()
        if not k.startswith('TRYTOND_') and k not in {
            'TRYTON_CONFIG', 'LK_PORTAL_CONFIG', 'DB_NAME'}}
    env.update(TRYTON_CONFIG=target, TRYTOND_CONFIG=target, PYTHONUTF8='1')
    return env


def secret_key():
    with open(var('secret_key')) as fp:
        return fp.read().strip()


def portal_config(database):
    "Write the portal's settings for database; return the path"
    path = var('bench', 'etc', f'portal-{database}.cfg')
    with open(path, 'w', encoding='utf-8') as fp:
        fp.write(f"TRYTON_DATABASE = {database!r}\n"
            f"TRYTON_CONFIG = {var('bench', 'etc', 'trytond.conf')!r}\n"
            f"SECRET_KEY = {secret_key()!r}\n"
            "LK_DEV = False\n"
            "RATELIMIT_STORAGE_URI = 'memory://'\n")
    return path


def configure_trytond(env):
    "Configure trytond in this process like the portal's processes"
    os.environ.update({k: env[k] for k in ['TRYTON_CONFIG', 'TRYTOND_CONFIG']})
    from trytond import config
    config.update_etc(env['TRYTON_CONFIG'])


def close_trytond():
    """Stop the cache listeners and close the connection pools of trytond
    in this process, before the cluster goes away"""
    import sys
    if 'trytond.cache' not in sys.modules:
        return
    from trytond import backend
    from trytond.cache import MemoryCache
    from trytond.backend.postgresql.database import Database
    for name in list(MemoryCache._local.listeners):
        MemoryCache.drop(name)
    for database in list(Database._databases[os.getpid()].values()):
        database.close()
    del backend
