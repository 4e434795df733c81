# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Portal of lk_appointments: booking a visit to a customer office, the
history of bookings, the ticket; the operators' queue of the day."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

blueprint = Blueprint(
    'lk_appointments', __name__, template_folder='templates',
    static_folder='static', static_url_path='/static/lk_appointments')


def init_portal(app, portal):
    from . import operator_views, views  # noqa: F401 (routes)
    app.register_blueprint(blueprint)
    portal.add_menu('appointments', _l('Appointment'), None, 60)
    portal.add_menu(
        'appointments_new', _l('Book a visit'),
        'lk_appointments.new', 10, parent='appointments')
    portal.add_menu(
        'appointments_list', _l('History of bookings'),
        'lk_appointments.appointments', 20, parent='appointments')
    portal.add_operator_menu(
        'appointments_queue', _l('Queue of the day'),
        'lk_appointments.operator_queue', 40)
    portal.add_card(
        'appointments', _l('Appointment'),
        _l('Book a visit to a customer office: consultation, documents, '
            'applications.'),
        'lk_appointments.new', 'calendar', 60)
