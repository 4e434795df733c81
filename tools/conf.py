"""Effective configuration files under var/etc, rendered from config/."""
import os
import secrets
import string

from .common import ROOT, var


def _generated(name, make):
    "Content of var/<name>, generated once by make()"
    path = var(name)
    if not os.path.exists(path):
        os.makedirs(var(), exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, 'w') as fp:
            fp.write(make() + '\n')
    with open(path) as fp:
        return fp.read().strip()


def admin_password():
    "Password of the back-office user admin (TRYTONPASSFILE)"
    return _generated('admin_password', lambda: secrets.token_urlsafe(9))


def _render(template, target, values):
    with open(os.path.join(ROOT, 'config', template), encoding='utf-8') as fp:
        text = string.Template(fp.read()).substitute(values)
    with open(target, 'w', encoding='utf-8') as fp:
        fp.write(text)
    return target


def write():
    "Render config/ into var/etc; return (trytond.conf, portal.cfg) paths"
    for directory in ['etc', 'db', 'filestore', 'log', 'mail/cur',
            'mail/new', 'mail/tmp']:  # mail: a Maildir
        os.makedirs(var(directory), exist_ok=True)
    return (
        _render('trytond.conf', var('etc', 'trytond.conf'), values()),
        _render('portal.cfg', var('etc', 'portal.cfg'), values()))


def values():
    "What config/ is rendered with: var/ and the secrets generated once"
    return {'VAR': var(),
        'SECRET_KEY': _generated('secret_key', lambda: secrets.token_hex(32)),
        'RBS_SECRET': _generated('rbs_secret', lambda: secrets.token_hex(16)),
        }
