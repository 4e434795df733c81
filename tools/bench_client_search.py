"""Time the operators' client search at scale.

Creates a throwaway database with lk_base activated (SQLite in a temporary
directory, or PostgreSQL when a URI is given), bulk-inserts N clients
(party + web user + role, spread over the demo branches) with SQL, then
runs each filter of the client list (/operator/clients) the way the portal
does — search_count + the first page of 20 sorted by creation date — as a
super administrator and as an operator of two branches (record rules on),
and prints p50 / p95 in milliseconds.

    .venv/bin/python tools/bench_client_search.py [--count 100000]
        [--repeat 15] [--uri postgresql://user:pass@host:5432/]
"""
import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time

DB_NAME = 'bench_clients'


def parse():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--count', type=int, default=100000)
    parser.add_argument('--repeat', type=int, default=15)
    parser.add_argument('--uri', help="PostgreSQL URI (default: SQLite)")
    return parser.parse_args()


def setup_environment(args):
    os.environ['DB_NAME'] = DB_NAME
    if args.uri:
        os.environ['TRYTOND_DATABASE__URI'] = args.uri
    else:
        os.environ['TRYTOND_DATABASE__URI'] = 'sqlite://'
        os.environ['TRYTOND_DATABASE__PATH'] = tempfile.mkdtemp(
            prefix='lk-bench-')


def activate():
    from trytond.tests.test_tryton import activate_module, drop_db
    drop_db(DB_NAME)
    started = time.monotonic()
    activate_module(['lk_base'])
    print('activated lk_base in %.1f s' % (time.monotonic() - started))


def populate(count):
    from trytond.modules.lk_base.demo import setup_demo
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    started = time.monotonic()
    with Transaction().start(DB_NAME, 0) as transaction:
        pool = Pool()
        setup_demo()
        Party = pool.get('party.party')
        WebUser = pool.get('web.user')
        WebUserRole = pool.get('web.user-lk.role')
        Branch = pool.get('lk.branch')
        Role = pool.get('lk.role')
        branches = [b.id for b in Branch.search([])]
        client_role = Role.get('client').id
        moderator = Role.get('demo').id
        cursor = transaction.connection.cursor()
        party, web_user, link = (
            Party.__table__(), WebUser.__table__(), WebUserRole.__table__())
        cursor.execute(*party.select(party.id, order_by=party.id.desc,
                limit=1))
        start = (cursor.fetchone() or [0])[0] + 1
        cursor.execute(*web_user.select(web_user.id,
                order_by=web_user.id.desc, limit=1))
        user_start = (cursor.fetchone() or [0])[0] + 1
        rng = random.Random(42)
        first = ['Иван', 'Мария', 'Пётр', 'Анна', 'Сергей', 'Ольга']
        last = ['Иванов', 'Петрова', 'Сидоров', 'Кузнецова', 'Попов',
            'Смирнова', 'Волков', 'Соколова']
        base = dt.datetime(2015, 10, 29)
        batch = 5000
        for offset in range(0, count, batch):
            parties, users, links = [], [], []
            for i in range(offset, min(offset + batch, count)):
                pid = start + i
                kind = ('fl', 'fl', 'fl', 'ul', 'ip')[i % 5]
                created = base + dt.timedelta(minutes=47 * i)
                snils = inn = kpp = series = number = None
                if kind == 'fl':
                    snils = '%011d' % (10**10 + i)
                    name = '%s %s %s' % (
                        rng.choice(last), rng.choice(first), 'Иванович')
                    series, number = '%04d' % (i % 9000), '%06d' % i
                elif kind == 'ul':
                    inn, kpp = '%010d' % (10**9 + i), '190101001'
                    name = 'ООО «Предприятие %s»' % i
                else:
                    inn = '%012d' % (10**11 + i)
                    name = 'ИП %s %s' % (rng.choice(last), i)
                parties.append([pid, name, kind, snils, inn, kpp, series,
                        number, branches[i % len(branches)], True,
                        dt.time(0), dt.time(23, 59, 59), 'email', created,
                        0])
                login = snils or (inn + (kpp or ''))
                uid = user_start + i
                users.append([uid, 'client%s@example.ru' % i, login, pid,
                        True, i % 7 != 0, created, 0])
                links.append([uid, client_role])
                if i % 500 == 0:
                    links.append([uid, moderator])
            cursor.execute(*party.insert([party.id, party.name,
                        party.person_kind, party.snils, party.inn, party.kpp,
                        party.passport_series, party.passport_number,
                        party.branch, party.active, party.notify_from,
                        party.notify_to, party.notify_method,
                        party.create_date, party.create_uid],
                    values=parties))
            cursor.execute(*web_user.insert([web_user.id, web_user.email,
                        web_user.login, web_user.party, web_user.active,
                        web_user.email_valid, web_user.create_date,
                        web_user.create_uid], values=users))
            cursor.execute(*link.insert([link.web_user, link.role],
                    values=links))
        if transaction.database.has_sequence():
            for table in ('party_party', 'web_user'):
                cursor.execute(
                    "SELECT setval('%s_id_seq', (SELECT MAX(id) FROM %s))"
                    % (table, table))
        cursor.execute('ANALYZE')
        transaction.commit()
    print('inserted %s clients in %.1f s' % (
            count, time.monotonic() - started))
    return user_start


def filters(start, count):
    "(label, filters of web.user.lk_operator_domain)"
    i = count // 2
    while i % 5:
        i += 1
    return [
        ("без фильтров (1-я страница)", {}),
        ("Дата создания с/по", {'date_from': dt.date(2019, 1, 1),
                'date_to': dt.date(2019, 3, 31)}),
        ("Вид лица = ЮЛ", {'person_kind': 'ul'}),
        ("СНИЛС", {'identifier': '%011d' % (10**10 + i)}),
        ("ИНН ЮЛ", {'identifier': '%010d' % (10**9 + i + 3)}),
        ("Роли = Демо", {'roles': ['moderator']}),
        ("ФИО/Название (ilike)", {'name': 'Предприятие %s' % (i + 3)}),
        ("E-mail (ilike)", {'email': 'client%s@' % i}),
        ("Филиал", {'branch': 'branch'}),
        ("Ид", {'id': start + i}),
        ("Паспорт серия+номер", {'passport_series': '%04d' % (i % 9000),
                'passport_number': '%06d' % i}),
        ("Активирован = нет", {'activated': 'no'}),
        ("Филиал + Вид лица + ФИО", {'branch': 'branch',
                'person_kind': 'fl', 'name': 'Петрова'}),
        ]


def run_queries(start, count, repeat):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    with Transaction().start(DB_NAME, 0) as transaction:
        pool = Pool()
        User = pool.get('res.user')
        Branch = pool.get('lk.branch')
        ModelData = pool.get('ir.model.data')
        Role = pool.get('lk.role')
        branches = Branch.search([], limit=2)
        admin = User(login='bench_admin', name='Admin', groups=[
                ModelData.get_id('lk_base', 'group_lk_admin')])
        operator = User(login='bench_operator', name='Operator', groups=[
                ModelData.get_id('lk_base', 'group_lk_operator')],
            lk_branches=branches)
        User.save([admin, operator])
        users = {'super admin': admin.id, 'operator (2 branches)':
            operator.id}
        moderator = Role.get('demo').id
        branch = branches[0].id
        transaction.commit()

    results = []
    for label, values in filters(start, count):
        values = {k: ([moderator] if v == ['moderator'] else
                branch if v == 'branch' else v) for k, v in values.items()}
        row = [label]
        for user_id in users.values():
            with Transaction().start(DB_NAME, user_id, readonly=True,
                    context={'_check_access': True, 'active_test': False}):
                WebUser = Pool().get('web.user')
                domain = WebUser.lk_operator_domain(values)
                timings = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    total = WebUser.search_count(domain)
                    page = WebUser.search(domain, limit=20, order=[
                            ('create_date', 'DESC'), ('id', 'DESC')])
                    [u.party.name for u in page]
                    timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            p95 = timings[min(len(timings) - 1,
                    int(round(0.95 * (len(timings) - 1))))]
            row += [statistics.median(timings), p95, total]
        results.append(row)
    return list(users), results


def main():
    args = parse()
    setup_environment(args)
    activate()
    start = populate(args.count)
    users, results = run_queries(start, args.count, args.repeat)
    from trytond import backend
    print('\nbackend: %s, clients: %s, repeats: %s; ms per query '
        '(search_count + first page of 20)' % (
            backend.name, args.count, args.repeat))
    header = '%-30s' % 'filter' + ''.join(
        ' | %-28s' % u for u in users)
    print(header)
    print('%-30s' % '' + ' | %8s %8s %9s' % ('p50', 'p95', 'found') * 0
        + ''.join(' | %8s %8s %10s' % ('p50', 'p95', 'found')
            for _ in users))
    print('-' * len(header))
    for row in results:
        line = '%-30s' % row[0]
        for i in range(len(users)):
            p50, p95, total = row[1 + 3 * i: 4 + 3 * i]
            line += ' | %8.1f %8.1f %10d' % (p50, p95, total)
        print(line)
    from trytond.tests.test_tryton import drop_db
    drop_db(DB_NAME)


if __name__ == '__main__':
    sys.exit(main())
