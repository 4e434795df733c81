"""./lk bench --profile: where the time of a request goes.

Runs `--profile-requests` requests of the pages of `--pages` (by default
the client pages, the step form POST and two operator pages) through the
Flask test client of the bench WSGI app in this process, on the `--scale`
database of the throwaway PostgreSQL cluster, under cProfile, and prints
per page the milliseconds per request spent in (cumulative, so nested
parts overlap: «templates» holds the record reads that the templates
trigger, «cards» the SQL of their counts):

- visitor: `web.user.lk_visitor` (session, web user, party, roles)
- staff: `portal.core.load_staff` (operator session, groups)
- transaction: `Transaction.start` + `Transaction.stop` (connection from
  the pool, cache refresh with clean_timeout = 0, commit/rollback)
- record rules: `ir.rule.domain_get`
- access rights: `ir.model.access.check` and the field accesses
- menus and cards: the home cards' counters (`PortalRegistry.card_counts`)
  and the menu registry
- greeting: `party.party.get_greeting_name` and `rec_name` getters
- selection labels: `fields_get`, which each `<field>_string` asks
- translations: flask-babel `gettext` and trytond's `ir.translation`
- templates: `flask.render_template`
- SQL: the cursors' `execute` (time in PostgreSQL and the driver)

The whole-request figure is the time of `Flask.full_dispatch_request`.
"""
import cProfile
import os
import pstats
import re
import time

from . import counting, pages as pages_, visitors as visitors_

PAGES = ['/my', '/my/applications', 'application page', '/my/notifications',
    'step form POST', 'clients [operator] ФИО содержит',
    'applications [operator]']

PARTS = [
    ('request (all)', lambda f, n: n == 'full_dispatch_request'),
    ('visitor', lambda f, n: n == 'lk_visitor'),
    ('staff', lambda f, n: n == 'load_staff' and 'lk_base/portal' in f),
    ('transaction start', lambda f, n: f.endswith('trytond/transaction.py')
        and n == 'start'),
    ('transaction stop', lambda f, n: f.endswith('trytond/transaction.py')
        and n == 'stop'),
    ('record rules', lambda f, n: f.endswith('ir/rule.py')
        and n == 'domain_get'),
    ('access rights', lambda f, n: f.endswith('ir/model.py')
        and n in {'check', 'get_access'}),
    ('cards', lambda f, n: n == 'card_counts'),
    ('menus', lambda f, n: n in {'menu_entries', 'operator_groups'}),
    ('greeting / rec_name', lambda f, n: n in {
            'get_greeting_name', 'get_rec_name'}),
    ('selection labels', lambda f, n: f.endswith('model/model.py')
        and n == 'fields_get'),
    ('translations', lambda f, n: (n in {'gettext', 'ngettext', 'lazy_gettext'}
            and 'flask_babel' in f) or (f.endswith('ir/translation.py')
            and n in {'get_source', 'get_sources', 'get_ids'})
        or (f.endswith('trytond/i18n.py') and n == 'gettext')),
    ('templates', lambda f, n: n == 'render_template'
        and 'flask' in f),
    ('SQL execute', lambda f, n: n == 'execute'
        and 'backend/postgresql' in f),
    ]


def run(database, env, args):
    visitors = visitors_.prepare(database, env, 20)
    app = counting.app_for(database)
    every = pages_.all_pages(visitors.facts)
    selected = ([p for p in pages_.select(every, args.pages)
            if p.name not in {pages_.BARE, pages_.STATIC}
            and p.driver == 'wrk'] if args.pages
        else [p for p in every if p.name in PAGES])
    print(f'\nProfile (cProfile, in process, PostgreSQL, database '
        f'{database}), ms per request; parts nest and overlap')
    header = f"{'part':<22}" + ''.join(f'{p.name[:16]:>17}' for p in selected)
    print(header)
    figures = {}
    for page in selected:
        for person in visitors.clients[:3]:  # warm the caches
            counting.request(app, page, person, visitors.staff)
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for i in range(args.profile_requests):
            person = visitors.clients[i % len(visitors.clients)]
            counting.request(app, page, person, visitors.staff)
        profile.disable()
        wall = (time.perf_counter() - started) / args.profile_requests
        if args.profile_dump:
            os.makedirs(args.profile_dump, exist_ok=True)
            profile.dump_stats(os.path.join(args.profile_dump,
                    re.sub(r'\W+', '_', page.name).strip('_') + '.pstats'))
        stats = pstats.Stats(profile).stats
        figures[page.name] = {'wall': wall * 1000}
        for label, match in PARTS:
            total = sum(ct for (f, _, n), (_, _, _, ct, _) in stats.items()
                if match(f, n))
            figures[page.name][label] = total * 1000 / args.profile_requests
    for label in ['wall'] + [label for label, _ in PARTS]:
        row = f'{label:<22}'
        for page in selected:
            value = figures[page.name][label]
            share = value / figures[page.name]['request (all)'] * 100 \
                if label not in {'wall', 'request (all)'} else None
            row += f'{value:>10.2f}' + (
                f' ({share:>3.0f}%)' if share is not None else ' ' * 7)
        print(row)
    print('(wall: the whole test-client round trip with cProfile on)',
        flush=True)
    return figures
