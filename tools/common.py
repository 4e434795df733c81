"""Paths, addon discovery, hashing and small process helpers for lk."""
import configparser
import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDONS = os.path.join(ROOT, 'addons')
VAR = os.path.join(ROOT, 'var')
VENV_BIN = os.path.dirname(sys.executable)
DATABASE = 'lk_demo'


class LkError(Exception):
    "A failure to report in one line, without a traceback"


def var(*parts):
    return os.path.join(VAR, *parts)


def log(message):
    print(f'lk: {message}', file=sys.stderr, flush=True)


def run(cmd, **kwargs):
    "Run cmd (a list), raising LkError when it fails"
    kwargs.setdefault('check', True)
    try:
        return subprocess.run(cmd, **kwargs)
    except subprocess.CalledProcessError as e:
        raise LkError(
            f'{os.path.basename(cmd[0])} failed (exit {e.returncode})')


def venv_bin(name):
    return os.path.join(VENV_BIN, name)


def _module_config(name):
    parser = configparser.ConfigParser()
    parser.read(os.path.join(ADDONS, name, 'tryton.cfg'))
    return parser['tryton']


def lk_modules():
    "The lk_* modules under addons/, dependencies first"
    names = sorted(n for n in os.listdir(ADDONS)
        if n.startswith('lk_')
        and os.path.isfile(os.path.join(ADDONS, n, 'tryton.cfg')))
    installed = {ep.name for ep in importlib.metadata.entry_points(
            group='trytond.modules')}
    if missing := [n for n in names if n not in installed]:
        raise LkError(f"{', '.join(missing)} not installed: reinstall "
            "the project (pip install -e '.[test]' -r requirements.txt; "
            "./lk does it when the set of addons/lk_* modules changes, see "
            "README, 'Adding a module')")
    depends = {n: set(_module_config(n).get('depends', '').split())
        for n in names}
    ordered = []

    def visit(name):
        if name in depends and name not in ordered:
            for dependency in sorted(depends[name]):
                visit(dependency)
            ordered.append(name)
    for name in names:
        visit(name)
    return ordered


def source_hash():
    """Hash of everything that decides the content of an activated database:
    module sources (without tests/, portal/ and doc/) and installed Tryton
    packages"""
    digest = hashlib.sha256()
    for dist in sorted(importlib.metadata.distributions(),
            key=lambda d: d.metadata['Name'] or ''):
        name = dist.metadata['Name'] or ''
        if name.lower().startswith(('trytond', 'proteus')):
            digest.update(f'{name}=={dist.version}\n'.encode())
    for top, dirs, files in os.walk(ADDONS):
        dirs[:] = sorted(d for d in dirs
            if d not in {'tests', 'portal', 'doc', '__pycache__'}
            and not d.startswith('.'))
        for name in sorted(files):
            if name.endswith(('.pyc', '~')):
                continue
            path = os.path.join(top, name)
            digest.update(os.path.relpath(path, ADDONS).encode() + b'\0')
            with open(path, 'rb') as fp:
                digest.update(fp.read())
    return digest.hexdigest()[:16]


def is_root():
    return os.geteuid() == 0


def ensure_system(commands):
    """Make sure each command exists, apt-installing its package when root.

    commands: {command or absolute path: debian package}"""
    missing = sorted({package for command, package in commands.items()
            if not (os.path.exists(command) if os.path.isabs(command)
                else shutil.which(command))})
    if not missing:
        return
    if not is_root():
        raise LkError('missing system packages, install them with: '
            f"sudo apt-get install -y {' '.join(missing)}")
    log(f"installing {' '.join(missing)} (apt)")
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    run(['apt-get', 'update', '-qq'], env=env)
    run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends',
            *missing], env=env, stdout=subprocess.DEVNULL)
