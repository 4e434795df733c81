# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The operators' cabinet core, for every module's operator pages.

Staff of customer service centres sign in with their back-office login at
/operator/login; the Flask session keeps only the key of their
`lk.operator.session`. Their pages run as THAT res.user with access checks
on, so access rights and record rules (branch scope, the demo account's
read-only access) apply as in the back office.

- `operator_view(groups=…)`: decorator of an operator page.
- `current_staff()`: who is asking (`g.staff`).
- `registry().add_operator_menu(…)`: entries of «Администрирование».
- Acting on behalf of a client: the session remembers the client; client
  pages then run as the portal user with that client's parties (core).
"""
import functools

from flask import abort, flash, g, redirect, request, url_for
from trytond.i18n import gettext as tryton_gettext

from ..operator import PATH_KEY
from .core import (
    ADMIN_GROUPS, DEMO_GROUP, OPERATOR, _portal_user, local_path,
    referrer_path, request_staff, run_in_transaction)

__all__ = ['ADMIN_GROUPS', 'OPERATOR', 'current_staff', 'operator_view',
    'staff_in', 'staff_transaction']


def staff_in(groups):
    "Whether the signed-in staff member is in one of groups"
    staff = g.get('staff')
    return bool(staff and staff.groups & set(groups))


def current_staff():
    return g.get('staff')


def _staff_setup():
    """(user, context) of a staff page, in the request's transaction: the
    staff member's res.user, or the portal user when nobody signed in"""
    staff = request_staff()
    g.web_user_id, g.party_ids = None, []
    return (staff.user_id if staff else _portal_user()), {
        PATH_KEY: request.path,
        }


def staff_transaction(readonly=None):
    "Run the view in a transaction as the signed-in staff user"
    return run_in_transaction(readonly=readonly, setup=_staff_setup)


def operator_view(groups=(OPERATOR,), readonly=None, acting=False,
        writes=True):
    """A page of the operators' cabinet.

    groups: 'module.xml_id' of the groups allowed (else 403), OPERATOR
    for any group a module marked «Operator Cabinet», None for any staff;
    acting: also reachable while acting on behalf of a client (only the way
    back is); writes: a POST changes data, which the demo account may not.
    """
    def decorator(view):
        @functools.wraps(view)
        def guard(*args, **kwargs):
            staff = g.staff
            if not staff:
                return redirect(url_for(
                        'lk_operator.login',
                        next=request.full_path.rstrip('?')))
            if staff.acting_for and not acting:
                abort(403)
            if groups and not staff_in(groups):
                abort(403)
            if (writes and request.method == 'POST'
                    and DEMO_GROUP in staff.groups):
                flash(tryton_gettext('lk_base.msg_demo_read_only'), 'error')
                return redirect(local_path(
                        referrer_path(), url_for('lk_operator.clients')))
            return view(*args, **kwargs)
        return staff_transaction(readonly=readonly)(guard)
    return decorator

