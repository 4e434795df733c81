"""SQL statements per page, at two data sizes.

Every cursor trytond's PostgreSQL backend opens is a
`trytond.backend.postgresql.database.LoggingCursor`; lk_base's test helper
`statements()` wraps its `execute` while a request runs, so each statement
the request sends is counted, whoever sends it (ORM, record rules, caches,
the portal's own SQL). Each page is requested through the Flask test client
of the bench WSGI app in this process, against each database, three times;
the last (warm) count is kept, as the caches of a long-running worker are
warm too. A page whose count is higher on the larger database is flagged:
its number of statements grows with the data.
"""
import os

from . import environment, pages as pages_, visitors as visitors_

REPEAT = 3


def app_for(database):
    "The bench WSGI app (portal + reference) on database, for testing"
    os.environ['LK_PORTAL_CONFIG'] = environment.portal_config(database)
    from .wsgi import create_app
    app = create_app()
    app.config['TESTING'] = True
    return app


def request(app, page, person, staff):
    "Send page's request through a Flask test client; return the response"
    from .visitors import COOKIE
    method, path, body = page.request(person)
    client = app.test_client()
    if page.as_ == 'client':
        client.set_cookie(COOKIE, person.cookie)
    elif page.as_:
        client.set_cookie(COOKIE, staff[page.as_])
    return client.open(path, method=method, data=body)


def run(databases, args):
    "{page: [count per database]} for the pages of args"
    from trytond.modules.lk_base.tests.tools import statements
    counts = {}
    for database in databases:
        visitors = visitors_.prepare(database, None, 3)
        app = app_for(database)
        for page in pages_.select(
                pages_.all_pages(visitors.facts), args.pages):
            if page.name in {pages_.BARE, pages_.STATIC} or (
                    page.driver != 'wrk'):
                continue
            person = visitors.clients[0]
            for _ in range(REPEAT):
                with statements() as sent:
                    response = request(app, page, person, visitors.staff)
            status = response.status_code
            counts.setdefault(page.name, []).append(
                len(sent) if status in page.status else None)
    return counts
