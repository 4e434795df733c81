# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Portal core of lk_base: sign-in, registration, home, profile, inbox."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

blueprint = Blueprint(
    'lk_base', __name__, template_folder='templates',
    static_folder='static', static_url_path='/static/lk_base')


def init_portal(app, portal):
    from . import auth, views  # noqa: F401 (routes)
    app.register_blueprint(blueprint)
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
        'lk_base.notifications', 'bell', 20, count=_unread_count)


def _unread_count():
    from trytond.pool import Pool
    from flask import g
    Notification = Pool().get('lk.notification')
    return Notification.search_count([
            ('party', 'in', g.party_ids),
            ('direction', '=', 'in'),
            ('is_read', '=', False),
            ])
