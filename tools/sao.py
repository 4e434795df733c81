"""sao, Tryton's web client: npm tryton-sao 8.0.x in var/sao.

trytond serves [web] root, which must hold sao's index.html *and* a
node_modules/ beside it; npm hoists sao's dependencies next to the package,
so var/sao/root is made of links into var/sao/node_modules.
"""
import json
import os

from .common import ensure_system, log, run, var

SERIES = '8.0'


def _installed_version():
    try:
        with open(var('sao', 'node_modules', 'tryton-sao',
                'package.json')) as fp:
            return json.load(fp)['version']
    except FileNotFoundError:
        return None


def ensure():
    "Install sao when missing; return the web root"
    version = _installed_version()
    if not (version or '').startswith(SERIES + '.'):
        ensure_system({'npm': 'npm'})
        log(f'installing sao (npm tryton-sao@{SERIES}) into var/sao')
        os.makedirs(var('sao'), exist_ok=True)
        run(['npm', 'install', '--prefix', var('sao'), '--no-audit',
                '--no-fund', '--loglevel=error', f'tryton-sao@{SERIES}'])
    return _link_root()


def _link_root():
    package = var('sao', 'node_modules', 'tryton-sao')
    root = var('sao', 'root')
    os.makedirs(root, exist_ok=True)
    links = {name: os.path.join(package, name) for name in os.listdir(package)
        if name != 'node_modules'}
    links['node_modules'] = var('sao', 'node_modules')
    for name in os.listdir(root):
        if name not in links:
            os.remove(os.path.join(root, name))
    for name, target in links.items():
        link = os.path.join(root, name)
        if os.path.islink(link) and os.readlink(link) == target:
            continue
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(target, link)
    return root
