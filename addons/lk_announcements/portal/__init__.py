# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Portal of lk_announcements: the public board of power redistribution,
the client's announcements and their private threads."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

blueprint = Blueprint(
    'lk_announcements', __name__, template_folder='templates',
    static_folder='static', static_url_path='/static/lk_announcements')


def init_portal(app, portal):
    from . import views  # noqa: F401 (routes)
    app.config.setdefault(
        'LK_ANNOUNCEMENT_MESSAGE_RATE_LIMIT', '10 per minute;100 per day')
    app.register_blueprint(blueprint)
    app.add_template_filter(_atom_date, 'atom_date')
    portal.add_menu(
        'announcements', _l('Power redistribution announcements'),
        'lk_announcements.board', 10, parent='service')
    portal.add_menu(
        'announcements_mine', _l('My announcements'),
        'lk_announcements.mine', 20, parent='service')
    portal.add_card(
        'announcements', _l('Power redistribution'),
        _l('Announcements of demand and offer of maximum power, messages '
            'with their authors.'),
        'lk_announcements.mine', 'chat', 60, count_domain=_thread_domain)


def _thread_domain():
    "The client's threads: on own announcements and on others'"
    from flask import g
    return 'lk.announcement.thread', ['OR',
        ('party', 'in', g.party_ids),
        ('announcement.party', 'in', g.party_ids),
        ]


def _atom_date(value):
    "RFC 3339 of a naive UTC timestamp (now when None)"

    from trytond.modules.lk_base import clock
    value = value or clock.utcnow()
    return value.replace(microsecond=0).isoformat() + 'Z'
