"""./lk bench --explain: the plan of every SQL statement of a page.

Each selected page is requested once (warm: after two requests that fill
the caches) through the Flask test client of the bench WSGI app, on the
`--scale` database; every statement the request sends is, just before it
runs, explained on the same cursor, in the same transaction and with the
same parameters: `EXPLAIN (ANALYZE, BUFFERS)`, inside a savepoint rolled
back afterwards for the statements that write, so that the request itself
runs unchanged. Printed per statement: its execution time, the buffers it
touched, its first 100 characters and the plan's nodes that read a table;
the whole plans go to var/bench/explain/<page>.txt.
"""
import os
import re

from ..common import ROOT, var
from . import counting, pages as pages_, visitors as visitors_

SCAN = re.compile(r'(Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan'
    r'|Bitmap Index Scan)( using \S+)? on \S+')
TIME = re.compile(r'Execution Time: ([\d.]+) ms')
BUFFERS = re.compile(r'Buffers: shared (?:hit=(\d+))? ?(?:read=(\d+))?')


def explain_page(app, page, person, staff):
    """[(statement, plan text)] of page's request, the response status"""
    from trytond.backend.postgresql.database import LoggingCursor
    original = LoggingCursor.execute
    plans = []

    def execute(cursor, query, *args, **kwargs):
        text = str(query).lstrip()
        verb = text.split(None, 1)[0].upper() if text else ''
        if verb in {'SELECT', 'WITH', 'INSERT', 'UPDATE', 'DELETE'}:
            write = verb != 'SELECT'
            if write:
                original(cursor, 'SAVEPOINT lk_explain')
            try:
                original(cursor, 'EXPLAIN (ANALYZE, BUFFERS) ' + text,
                    *args, **kwargs)
                plan = '\n'.join(r[0] for r in cursor.fetchall())
            finally:
                if write:
                    original(cursor, 'ROLLBACK TO SAVEPOINT lk_explain')
            plans.append((cursor.mogrify(text, *args)
                    if hasattr(cursor, 'mogrify') else text, plan))
        return original(cursor, query, *args, **kwargs)
    LoggingCursor.execute = execute
    try:
        response = counting.request(app, page, person, staff)
    finally:
        LoggingCursor.execute = original
    return plans, response.status_code


def _summary(plan):
    time = TIME.search(plan)
    # the first Buffers line is the top node's: the statement's total
    match = BUFFERS.search(plan)
    hit = int(match.group(1) or 0) if match else 0
    read = int(match.group(2) or 0) if match else 0
    scans = sorted({m.group(0) for m in SCAN.finditer(plan)})
    return (float(time.group(1)) if time else 0.0), hit, read, scans


def run(database, env, args):
    visitors = visitors_.prepare(database, env, 3)
    app = counting.app_for(database)
    selected = [p for p in pages_.select(
            pages_.all_pages(visitors.facts), args.pages)
        if p.name not in {pages_.BARE, pages_.STATIC}
        and p.driver == 'wrk']
    os.makedirs(var('bench', 'explain'), exist_ok=True)
    person = visitors.clients[0]
    for page in selected:
        for _ in range(2):  # warm the caches
            counting.request(app, page, person, visitors.staff)
        plans, status = explain_page(app, page, person, visitors.staff)
        name = ''.join(c if c.isalnum() else '_' for c in page.name)[:60]
        path = var('bench', 'explain', f'{name}.txt')
        total = 0
        print(f'\nEXPLAIN (ANALYZE, BUFFERS) of {page.name} '
            f'(status {status}, {len(plans)} statements, database '
            f'{database})')
        with open(path, 'w', encoding='utf-8') as fp:
            for i, (statement, plan) in enumerate(plans, 1):
                if isinstance(statement, bytes):
                    statement = statement.decode('utf-8', 'replace')
                ms, hit, read, scans = _summary(plan)
                total += ms
                short = ' '.join(statement.split())
                print(f'{i:>3} {ms:>8.2f} ms  hit={hit:<6} read={read:<5} '
                    f'{short[:100]}')
                for scan in scans:
                    print(f'{"":>16}{scan}')
                fp.write(f'-- {i}: {ms:.2f} ms\n{statement}\n{plan}\n\n')
        print(f'    {total:>8.2f} ms in PostgreSQL; plans in '
            f'{os.path.relpath(path, ROOT)}', flush=True)
