# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Portal of lk_edo: the «Обмен документами» of an application, reading and
signing by SMS code, the public verification of a signature."""
from flask import Blueprint

blueprint = Blueprint(
    'lk_edo', __name__, template_folder='templates',
    static_folder='static', static_url_path='/static/lk_edo')


def init_portal(app, portal):
    from . import views  # noqa: F401 (routes)
    app.register_blueprint(blueprint)
    # the «Документооборот» button of the application page
    app.jinja_env.globals.setdefault(
        'application_button_templates', []).append(
        'lk_edo/_application_button.html')
