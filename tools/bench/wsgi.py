"""The WSGI application gunicorn serves in a bench run:
`tools.bench.wsgi:create_app()`.

The portal (`trytond.modules.lk_base.portal.app:create_app()`, unchanged),
with the reference mounted beside it under /_bench in the same workers:
/_bench/bare, a bare Flask page rendering a template of 20 items, the
ceiling the portal pages are compared with. Its template comes from a
loader and is compiled once, as the portal's templates are (Jinja's
template cache; `auto_reload` is off outside debug): compiling it at each
request (`render_template_string`) cost about 4 ms of CPU, which made the
bare page four times slower and every ratio look better. Both run in the
same gunicorn workers, so the connection handling (a sync worker answers
one request per connection, wrk reconnects) is the same for both. The
static file is the portal's own stylesheet, served by Flask like every
static file of the portal.

/_bench/tryton is the floor of the platform: the same template filled
from one read-only Tryton transaction that searches and reads 10 parties
(as a minimal flask-tryton page does), with no session, record rules or
portal layout. A portal page can come near it, not above it: its ratio to
the bare page tells how much of the gap is Tryton's own cost per request.

/_bench/tryton-write is the floor of a submission (a GET, for wrk): the
same read and one row created (a `res.user.warning`, no rule, no
validation) in one read-write transaction that commits, rendered into the
same template. A form POST that records something (the readings POST) can
come near it, not above it.
"""
from flask import Flask, render_template
from jinja2 import DictLoader
from werkzeug.middleware.dispatcher import DispatcherMiddleware

TEMPLATE = """<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><h1>{{ title }}</h1>
<table>{% for item in items %}
<tr><td>{{ item.number }}</td><td>{{ item.name }}</td>
<td>{{ item.state }}</td><td>{{ item.date }}</td></tr>{% endfor %}
</table></body></html>"""
ITEMS = [{'number': 'ЗТП-%07d' % i, 'name': 'Объект %s' % i,
        'state': 'На рассмотрении', 'date': '01.12.2026'} for i in range(20)]


def reference_app(database):
    app = Flask('lk_bench_reference')
    app.jinja_loader = DictLoader({'bare.html': TEMPLATE})

    @app.route('/bare')
    def bare():
        return render_template('bare.html', title='Заявки', items=ITEMS)

    def parties():
        "The template's items: 10 parties searched and read"
        from trytond.pool import Pool
        Party = Pool().get('party.party')
        return [{'number': p['code'], 'name': p['name'],
                'state': 'Активен', 'date': '01.12.2026'}
            for p in Party.read([p.id for p in Party.search(
                        [], limit=10, order=[('id', 'ASC')])],
                ['code', 'name'])]

    @app.route('/tryton')
    def tryton():
        from trytond.transaction import Transaction
        with Transaction().start(database, 0, readonly=True):
            return render_template(
                'bare.html', title='Клиенты', items=parties())

    @app.route('/tryton-write')
    def tryton_write():
        import uuid

        from trytond.pool import Pool
        from trytond.transaction import Transaction
        with Transaction().start(database, 0):
            items = parties()
            Pool().get('res.user.warning').create([{'user': 0,
                        'always': False,
                        'name': 'bench-%s' % uuid.uuid4().hex}])
            return render_template(
                'bare.html', title='Клиенты', items=items)
    return app


def create_app():
    from trytond.modules.lk_base.portal.app import create_app as portal
    app = portal()
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {
            '/_bench': reference_app(app.config['TRYTON_DATABASE'])})
    return app
