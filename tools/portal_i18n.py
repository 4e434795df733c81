"""Refresh the portal catalogs of a module: extract the messages of
addons/<module>/portal into translations/ru/LC_MESSAGES/messages.po,
keeping the translations already there (pybabel extract + update).

    .venv/bin/python tools/portal_i18n.py lk_base
"""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main(module):
    portal = ROOT / 'addons' / module / 'portal'
    pot = portal / 'translations' / 'messages.pot'
    po = portal / 'translations' / 'ru' / 'LC_MESSAGES' / 'messages.po'
    pybabel = pathlib.Path(sys.executable).parent / 'pybabel'
    subprocess.run([pybabel, 'extract', '-F', portal / 'babel.cfg',
            '-k', '_l', '--no-location', '--omit-header', '-o', pot, portal],
        check=True)
    command = 'update' if po.exists() else 'init'
    subprocess.run([pybabel, command, '-i', pot, '-d',
            portal / 'translations', '-l', 'ru', '--no-wrap'], check=True)
    pot.unlink()


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'lk_base')
