# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Read API of the applications for the company's internal systems.

Authenticated with a `res.user.application` key of the application
`lk_applications` (Authorization: bearer <key>); runs as the key's user
with its access rights. See doc/index.rst.
"""
import datetime as dt
from http import HTTPStatus

from werkzeug.exceptions import abort

from trytond.protocols.wrappers import (
    user_application, with_pool, with_transaction)
from trytond.wsgi import app

MAX_LIMIT = 500


def _since(value):
    try:
        return dt.datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        abort(HTTPStatus.BAD_REQUEST)


@app.route('/<database_name>/lk_applications/applications', methods={'GET'})
@with_pool
@with_transaction()
@user_application('lk_applications')
def applications(request, pool):
    Application = pool.get('lk.application')
    domain = [('state', '!=', 'draft')]
    if request.args.get('since'):
        since = _since(request.args['since'])
        domain.append(['OR',
                ('write_date', '>=', since),
                ('create_date', '>=', since),
                ])
    try:
        limit = min(int(request.args.get('limit', 100)), MAX_LIMIT)
    except ValueError:
        abort(HTTPStatus.BAD_REQUEST)
    records = Application.search(
        domain, order=[('id', 'ASC')], limit=limit)
    return {'applications': [a.to_json() for a in records]}


@app.route('/<database_name>/lk_applications/applications/<number>',
    methods={'GET'})
@with_pool
@with_transaction()
@user_application('lk_applications')
def application(request, pool, number):
    Application = pool.get('lk.application')
    records = Application.search([
            ('number', '=', number),
            ('state', '!=', 'draft'),
            ], limit=1)
    if not records:
        abort(HTTPStatus.NOT_FOUND)
    return records[0].to_json()
