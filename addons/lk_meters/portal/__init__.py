# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Portal of lk_meters: «Приборы учёта» — the client's personal accounts,
meters, readings and their history, and the requests to correct the
meters' data, the applications on meters."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

blueprint = Blueprint(
    'lk_meters', __name__, template_folder='templates',
    static_folder='static', static_url_path='/static/lk_meters')


def init_portal(app, portal):
    from . import applications, views  # noqa: F401 (routes)
    app.register_blueprint(blueprint)
    portal.add_menu('meters', _l('Meters'), 'lk_meters.meters', 30)
    portal.add_menu(
        'meter_applications', _l('Applications on meters'),
        'lk_meters.meter_applications', 40, parent='applications')
    # the meter data on the application page
    app.jinja_env.globals.setdefault(
        'application_data_templates', []).append(
        'lk_meters/_application_data.html')
    portal.add_card(
        'meters', _l('Meters'),
        _l('Link a personal account, submit readings, see the history '
            'of consumption.'),
        'lk_meters.meters', 'meter', 20)
