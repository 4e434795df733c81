# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Portal core of lk_base: sign-in, registration, home, profile, inbox,
and the operators' cabinet under /operator."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

blueprint = Blueprint(
    'lk_base', __name__, template_folder='templates',
    static_folder='static', static_url_path='/static/lk_base')
operator_blueprint = Blueprint(
    'lk_operator', __name__, template_folder='templates',
    url_prefix='/operator')


def init_portal(app, portal):
    from . import auth, operator_views, views  # noqa: F401 (routes)
    app.register_blueprint(blueprint)
    app.register_blueprint(operator_blueprint)
    portal.add_menu('home', _l('Personal account'), 'lk_base.home', 10)
    portal.add_menu('profile', _l('My profile'), 'lk_base.profile', 20)
    portal.add_menu('service', _l('Service'), None, 50)
    portal.add_menu('help', _l('Help'), 'lk_base.help_page', 90)
    portal.add_card(
        'profile', _l('My profile'),
        _l('Your details, notification settings and change requests.'),
        'lk_base.profile', 'user', 10)
    portal.add_card(
        'notifications', _l('Notifications'),
        _l('Messages from the company about your applications, meters '
            'and payments.'),
        'lk_base.notifications', 'bell', 20, count_domain=_unread_domain)
    portal.add_operator_menu(
        'clients', _l('Portal users'), 'lk_operator.clients', 10)
    portal.add_operator_menu(
        'client_new', _l('Register a client'), 'lk_operator.client_new', 20)


def _unread_domain():
    from flask import g
    return 'lk.notification', [
        ('party', 'in', g.party_ids),
        ('direction', '=', 'in'),
        ('is_read', '=', False),
        ]
