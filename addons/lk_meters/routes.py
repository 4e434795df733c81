# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Integration endpoint of the billing: the same rows as the back-office
import, as JSON.

    POST /<database>/lk_meters/import/<kind>
    Authorization: bearer <key>
    {"rows": [{"number": "183251366600", "holder": "…", "branch": "krasnoyarsk"}, …]}

kind is accounts, meters, registers or readings (the columns of
`imports.COLUMNS`). Each billing system has its own `res.user.application`
key of the application `lk_meters`, and runs as the key's user with its
access rights. The answer lists the refused rows (numbered from 1):

    {"loaded": 10, "errors": [{"row": 3, "error": "…"}]}
"""
from http import HTTPStatus

from werkzeug.exceptions import abort

from trytond.protocols.wrappers import (
    user_application, with_pool, with_transaction)
from trytond.wsgi import app

from .imports import COLUMNS

MAX_ROWS = 5000


@app.route('/<database_name>/lk_meters/import/<kind>', methods={'POST'})
@with_pool
@with_transaction()
@user_application('lk_meters')
def import_rows(request, pool, kind):
    Import = pool.get('lk.meter.import')
    if kind not in COLUMNS:
        abort(HTTPStatus.NOT_FOUND)
    data = request.parsed_data
    rows = data.get('rows') if isinstance(data, dict) else None
    if (not isinstance(rows, list) or len(rows) > MAX_ROWS
            or not all(isinstance(r, dict) for r in rows)):
        abort(HTTPStatus.BAD_REQUEST)
    rows = [{str(k).lower(): v for k, v in r.items()} for r in rows]
    loaded, errors = Import.load(kind, rows)
    # rows of a file are numbered from its header; here from the first row
    return {
        'loaded': loaded,
        'errors': [{'row': n - 1, 'error': e} for n, e in errors],
        }
