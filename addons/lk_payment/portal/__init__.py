# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Portal of lk_payment: «Мои платежи», the pay page «Оплата по договорам
ТП» with the rules of payment and refund, the return from the bank, the
invoice PDF and the refund request."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

blueprint = Blueprint(
    'lk_payment', __name__, template_folder='templates',
    static_folder='static', static_url_path='/static/lk_payment')


def init_portal(app, portal):
    from . import operator_views, views  # noqa: F401 (routes)
    from trytond.modules.lk_edo.formats import amount
    app.register_blueprint(blueprint)
    # «550,45»: the amounts as the seed writes them, before «руб.»
    app.jinja_env.filters.setdefault('rub', amount)
    portal.add_menu('payments', _l('My payments'), 'lk_payment.payments', 70)
    portal.add_operator_menu(
        'payments_reconciliation', _l('Reconciliation of payments (XLSX)'),
        'lk_payment.reconciliation', 60,
        groups=('lk_base.group_lk_admin',))
    portal.add_card(
        'payments', _l('My payments'),
        _l('Pay the invoices of the connection contracts by card or by '
            'bank transfer, ask for a refund.'),
        'lk_payment.payments', 'card', 50)
