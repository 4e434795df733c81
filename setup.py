# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The packages and entry points of every addons/lk_* module, so that adding
a module is creating its directory (pyproject.toml holds everything else).

Each addons/lk_x directory with a tryton.cfg is installed as the package
trytond.modules.lk_x with its subpackages and data, and registered as the
Tryton module lk_x."""
import pathlib

from setuptools import find_packages, setup

ADDONS = 'addons'
MODULES = sorted(
    p.parent.name for p in pathlib.Path(__file__).resolve().parent.joinpath(
        ADDONS).glob('lk_*/tryton.cfg'))
PACKAGE_DATA = [
    'tryton.cfg', '*.xml', 'view/*.xml', 'locale/*.po', '*.html', '*.txt',
    'icons/*', 'tests/*.rst', 'tests/*.json', 'portal/templates/**/*',
    'portal/static/**/*', 'portal/translations/**/*', 'doc/*',
    ]


def packages(module):
    base = 'trytond.modules.' + module
    return [base] + [base + '.' + p
        for p in find_packages(ADDONS + '/' + module)]


setup(
    package_dir={
        'trytond.modules.' + m: ADDONS + '/' + m for m in MODULES},
    packages=[p for m in MODULES for p in packages(m)],
    package_data={'trytond.modules.' + m: PACKAGE_DATA for m in MODULES},
    entry_points={'trytond.modules': [
            '%s = trytond.modules.%s' % (m, m) for m in MODULES]},
    )
