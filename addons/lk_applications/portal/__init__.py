# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Portal of lk_applications: the client's applications and their forms,
the operators' list and board of applications."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

blueprint = Blueprint(
    'lk_applications', __name__, template_folder='templates',
    static_folder='static', static_url_path='/static/lk_applications')


def init_portal(app, portal):
    from ..deadline import public_basis
    from . import operator_views, views  # noqa: F401 (routes)
    app.register_blueprint(blueprint)
    app.add_template_filter(public_basis, 'public_basis')
    # the sections a module adds to the application page
    app.jinja_env.globals.setdefault('application_data_templates', [])
    portal.add_menu('applications', _l('Application'), None, 40)
    portal.add_menu(
        'applications_list', _l('My applications'),
        'lk_applications.applications', 10, parent='applications')
    portal.add_menu(
        'applications_new', _l('New application'),
        'lk_applications.new', 20, parent='applications')
    portal.add_menu(
        'asset_transfers', _l('Transfer of grid assets'),
        'lk_applications.asset_transfers', 30, parent='applications')
    portal.add_operator_menu(
        'applications', _l('Applications'),
        'lk_applications.operator_applications', 30,
        groups=operator_views.GROUPS)
    portal.add_operator_menu(
        'applications_board', _l('Board of applications'),
        'lk_applications.operator_board', 31, groups=operator_views.GROUPS)
    portal.add_card(
        'applications', _l('Applications'),
        _l('Technological connection: apply, complete the documents the '
            'company asks for, follow the status.'),
        'lk_applications.applications', 'bolt', 30, count_domain=_action_domain)


def _action_domain():
    "Applications waiting for the client: drafts and requested documents"
    from flask import g
    return 'lk.application', [
        ('party', 'in', g.party_ids),
        ('needs_action', '=', True),
        ]
