"""The benchmark databases: an activated template, then bulk data.

`database(cluster, scale)` returns the name of a database holding the data
of `scale`, restored from `var/bench/<scale>-<source hash>.dump` when that
dump exists, else generated (and dumped for the next run). The template
(every lk_* module activated with trytond-admin, in Russian, plus the demo
data of each module: the seed's 7 branches, roles, application kinds, the
demo logins) is cached the same way.

The rows are written with COPY through psycopg, bypassing the ORM: at
scale 1 that is 100 000 clients (party + web user + the role «Клиент ЛК»;
ФЛ 60 %, ЮЛ 25 %, ИП 15 %, with valid and unique СНИЛС / ИНН+КПП / ИНН),
300 000 applications spread over the clients in realistic states with one
history row per state passed, and 1 000 000 notifications; when lk_meters
is activated, a personal account per client linked to it, with a meter of
one register (two, day and night, for every fifth) and 24 months of
readings (2.9 million at scale 1). `generate()` takes the counts, so a
test can run it at a tiny scale. The template has the pg_trgm extension,
which the trigram indexes of the «contains» searches need.
"""
import collections
import contextlib
import datetime as dt
import glob
import itertools
import os
import random
import subprocess
import sys
import time

from ..common import (
    ROOT, LkError, lk_modules, log, run, source_hash, var, venv_bin)

TEMPLATE = 'lk_bench_template'
CLIENTS, APPLICATIONS, NOTIFICATIONS = 100_000, 300_000, 1_000_000
KIND_SHARES = ('fl',) * 12 + ('ul',) * 5 + ('ip',) * 3
# The path of each final or current state through the full workflow
FULL_PATH = [
    'draft', 'incoming', 'accepted', 'contract_preparation', 'contract_sent',
    'contract_concluded', 'execution', 'execution_notified',
    'execution_check', 'connected', 'acts_issued', 'closed']
PATHS = {s: FULL_PATH[:i + 1] for i, s in enumerate(FULL_PATH)}
PATHS.update({
        'documents_requested': ['draft', 'incoming', 'documents_requested'],
        'withdrawn': ['draft', 'incoming', 'withdrawn'],
        'rejected': ['draft', 'incoming', 'accepted', 'rejected'],
        'annulled': ['draft', 'incoming', 'documents_requested', 'annulled'],
        })
SHORT_CLOSED = ['draft', 'incoming', 'accepted', 'closed']
# (state, weight): most applications are done, a fair part is in work
STATE_WEIGHTS = [
    ('draft', 8), ('incoming', 6), ('accepted', 5),
    ('documents_requested', 5), ('contract_preparation', 3),
    ('contract_sent', 3), ('contract_concluded', 3), ('execution', 6),
    ('execution_notified', 2), ('execution_check', 2), ('connected', 2),
    ('acts_issued', 2), ('closed', 38), ('withdrawn', 6), ('rejected', 7),
    ('annulled', 2)]
FULL_STATES = set(FULL_PATH[3:-1])
LAST_NAMES = ['Иванов', 'Петров', 'Сидоров', 'Кузнецов', 'Попов', 'Смирнов',
    'Волков', 'Соколов', 'Морозов', 'Новиков', 'Фёдоров', 'Лебедев',
    'Козлов', 'Егоров', 'Павлов', 'Степанов', 'Николаев', 'Орлов']
FIRST_NAMES = [('Иван', 'Мария'), ('Пётр', 'Анна'), ('Сергей', 'Ольга'),
    ('Алексей', 'Елена'), ('Дмитрий', 'Наталья'), ('Андрей', 'Татьяна'),
    ('Михаил', 'Ирина'), ('Николай', 'Светлана')]
MIDDLE_NAMES = [('Иванович', 'Ивановна'), ('Петрович', 'Петровна'),
    ('Сергеевич', 'Сергеевна'), ('Алексеевич', 'Алексеевна')]
SUBJECTS = ['Статус заявки изменён', 'Запрошены документы',
    'Договор направлен на подпись', 'Плановое отключение электроэнергии',
    'Напоминание о передаче показаний']
BASE_DATE = dt.datetime(2021, 1, 11, 9, 0)
# every MODERATORS-th client is also a moderator of announcements
MODERATORS = 500
# the months of readings of each meter register (lk_meters)
READING_MONTHS = 24
# lk_appointments: the generated offices, and the days of bookings before
# and after today
OFFICES = 50
BOOKING_DAYS = 30


def counts(scale):
    "(clients, applications, notifications) at scale"
    return (max(30, int(CLIENTS * scale)), max(90, int(APPLICATIONS * scale)),
        max(300, int(NOTIFICATIONS * scale)))


# Identifiers: numbers derived from the row index, with their check digits,
# so that they are unique and pass lk_base.identifiers

def snils(i):
    from trytond.modules.lk_base.identifiers import snils_check_number
    number = '%09d' % (2_000_000 + i)
    return number + snils_check_number(number)


def _check(digits, weights):
    return str(sum(int(d) * w for d, w in zip(digits, weights)) % 11 % 10)


def inn10(i):
    base = '19%07d' % i
    return base + _check(base, [2, 4, 10, 3, 5, 9, 4, 6, 8])


def inn12(i):
    base = '24%08d' % i
    base += _check(base, [7, 2, 4, 10, 3, 5, 9, 4, 6, 8])
    return base + _check(base, [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8])


def bench_email(i):
    return 'client%s@bench.example.ru' % i


# The cluster and its databases

class Cluster:
    "The throwaway cluster of testing.pg_cluster() and its client tools"

    def __init__(self, uri, bindir):
        self.uri, self.bindir = uri, bindir
        host_port = uri.split('@', 1)[1].rstrip('/')
        self.host, self.port = host_port.split(':')

    def tool(self, name, *args, **kwargs):
        return run([os.path.join(self.bindir, name), '-h', self.host,
                '-p', self.port, '-U', 'postgres', *args],
            stdin=subprocess.DEVNULL, **kwargs)

    def connect(self, name, **kwargs):
        import psycopg
        return psycopg.connect(self.uri + name, **kwargs)

    def exists(self, name):
        with self.connect('postgres', autocommit=True) as conn:
            return bool(conn.execute(
                    'SELECT 1 FROM pg_database WHERE datname = %s',
                    (name,)).fetchone())

    def create(self, name, template=None):
        args = ['-T', template] if template else ['-T', 'template0']
        self.tool('createdb', *args, '-E', 'UTF8', name)

    def drop(self, name):
        self.tool('dropdb', '--if-exists', name)

    def dump(self, name, path):
        tmp = path + '.tmp'
        self.tool('pg_dump', '-Fc', '-Z', '1', '-f', tmp, name)
        os.replace(tmp, path)

    def restore(self, name, path):
        self.create(name)
        self.tool('pg_restore', '-j', '2', '--no-owner', '-d', name, path)
        with self.connect(name, autocommit=True) as conn:
            conn.execute('ANALYZE')


def dump_path(key):
    return var('bench', f'{key}-{source_hash()}.dump')


def _prune(keep):
    "Remove the dumps of other module sources"
    for path in glob.glob(var('bench', '*.dump')):
        if not path.endswith(f'-{source_hash()}.dump'):
            os.remove(path)


def _cached(cluster, name, key, build):
    "Restore name from the dump of key, or build it and dump it"
    os.makedirs(var('bench'), exist_ok=True)
    _prune(key)
    path = dump_path(key)
    started = time.monotonic()
    if cluster.exists(name):
        return name
    if os.path.exists(path):
        cluster.restore(name, path)
        log(f'restored {name} from {os.path.relpath(path, ROOT)} in '
            f'{time.monotonic() - started:.0f} s')
        return name
    build()
    cluster.dump(name, path)
    log(f'built {name} in {time.monotonic() - started:.0f} s, dumped to '
        f'{os.path.relpath(path, ROOT)}')
    return name


def template(cluster, trytond_conf, env):
    "The database with every lk_* module activated and the demo data"
    from .. import conf

    def build():
        cluster.create(TEMPLATE)
        with cluster.connect(TEMPLATE, autocommit=True) as conn:
            # the trigram indexes of the «contains» searches (see README)
            conn.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        modules = lk_modules()
        log(f"activating {', '.join(modules)} in {TEMPLATE} (trytond-admin)")
        admin_env = dict(env, TRYTONPASSFILE=var('admin_password'))
        conf.admin_password()
        admin = [venv_bin('trytond-admin'), '-c', trytond_conf, '-d',
            TEMPLATE]
        try:
            run([*admin, '--all', '--email', 'admin@lk.localhost',
                    '--language', 'ru', 'en'], env=admin_env,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
            run([*admin, '-u', *modules, '--activate-dependencies'],
                env=admin_env, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL)
            run([sys.executable, '-m', 'tools.demo_data', trytond_conf,
                    TEMPLATE, *modules], cwd=ROOT, env=env)
        except BaseException:
            cluster.drop(TEMPLATE)
            raise
    return _cached(cluster, TEMPLATE, 'template', build)


def scale_name(scale):
    return 'lk_bench_' + ('%g' % scale).replace('.', '_')


def database(cluster, trytond_conf, env, scale):
    "The database with the data of scale (restored or generated)"
    name = scale_name(scale)

    def build():
        template(cluster, trytond_conf, env)
        cluster.create(name, template=TEMPLATE)
        started = time.monotonic()
        try:
            with cluster.connect(name) as conn:
                totals = generate(conn, *counts(scale))
        except BaseException:
            cluster.drop(name)
            raise
        log(f"generated {name}: {', '.join(f'{v} {k}' for k, v in totals.items())}"
            f' in {time.monotonic() - started:.0f} s')
    return _cached(cluster, name, 'scale%g' % scale, build)


# The generator

def _one(conn, query, params=()):
    row = conn.execute(query, params).fetchone()
    return row[0] if row else None


def _copy(conn, table, columns, rows):
    names = ', '.join('"%s"' % c for c in columns)
    count = 0
    with conn.cursor().copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _next_id(conn, table):
    return (_one(conn, f'SELECT MAX(id) FROM "{table}"') or 0) + 1


def _reset_sequence(conn, table):
    conn.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
        f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))')


def generate(conn, clients, applications, notifications, seed=8,
        finish=True):
    """Write clients, applications (with history) and notifications into
    the activated database of conn (psycopg); return the row counts.
    finish: commit, then VACUUM ANALYZE"""
    rng = random.Random(seed)
    branches = [r[0] for r in conn.execute(
            'SELECT id FROM lk_branch ORDER BY id')]
    if not branches:
        raise LkError('no branches: the template lacks the demo data')
    client_role = _one(conn, "SELECT id FROM lk_role WHERE code = 'client'")
    moderator = _one(conn,
        "SELECT id FROM lk_role WHERE code = 'announcement_moderator'")
    kinds = [(r[0], r[1], r[2]) for r in conn.execute(
            "SELECT id, workflow, \"group\" FROM lk_application_kind "
            "WHERE active ORDER BY id")]
    totals = {}

    party_start = _next_id(conn, 'party_party')
    user_start = _next_id(conn, 'web_user')
    kinds_of = []

    def parties():
        for i in range(clients):
            kind = KIND_SHARES[i % len(KIND_SHARES)]
            kinds_of.append(kind)
            created = BASE_DATE + dt.timedelta(minutes=17 * i)
            last = first = middle = snils_ = inn = kpp = None
            series = number = None
            if kind == 'fl':
                female = i % 2
                last = LAST_NAMES[i % len(LAST_NAMES)] + ('а' if female else '')
                first = FIRST_NAMES[(i // 2) % len(FIRST_NAMES)][female]
                middle = MIDDLE_NAMES[(i // 16) % len(MIDDLE_NAMES)][female]
                name = ' '.join([last, first, middle])
                snils_ = snils(i)
                series, number = '%04d' % (1000 + i % 9000), '%06d' % (
                    i % 1_000_000)
            elif kind == 'ul':
                inn, kpp = inn10(i), '190101001'
                name = 'ООО «%s %s»' % (
                    rng.choice(['Энергосервис', 'Хлебозавод', 'Стройдом',
                            'Агро', 'Теплосети', 'Торговый дом']), i)
            else:
                inn = inn12(i)
                last = LAST_NAMES[i % len(LAST_NAMES)]
                name = 'ИП %s %s.%s.' % (last, 'ИПАСНМ'[i % 6], 'ИПАС'[i % 4])
                series, number = '%04d' % (1000 + i % 9000), '%06d' % (
                    (i * 7) % 1_000_000)
            yield (party_start + i, 'Б%s' % (party_start + i), name, kind, last, first, middle, snils_,
                inn, kpp, series, number, branches[i % len(branches)], True,
                dt.time(8), dt.time(21), ('email', 'email', 'sms',
                    'email_sms', 'portal')[i % 5], created, 0)

    totals['clients'] = _copy(conn, 'party_party', [
            'id', 'code', 'name', 'person_kind', 'last_name', 'first_name',
            'middle_name', 'snils', 'inn', 'kpp', 'passport_series',
            'passport_number', 'branch', 'active', 'notify_from',
            'notify_to', 'notify_method', 'create_date', 'create_uid'],
        parties())
    _copy(conn, 'web_user', [
            'id', 'email', 'login', 'party', 'active', 'email_valid',
            'create_date', 'create_uid'],
        ((user_start + i, bench_email(i), _login(kinds_of[i], i),
                party_start + i, True, i % 9 != 0,
                BASE_DATE + dt.timedelta(minutes=17 * i, seconds=30), 0)
            for i in range(clients)))
    _copy(conn, 'web_user-lk_role', ['web_user', 'role', 'create_uid',
            'create_date'],
        ((user_start + i, role, 0, BASE_DATE) for i in range(clients)
            for role in ([client_role, moderator] if i % MODERATORS == 0
                else [client_role])))

    states, weights = zip(*STATE_WEIGHTS)
    app_start = _next_id(conn, 'lk_application')
    history = []
    now = dt.datetime.now().replace(microsecond=0)
    span = (now - BASE_DATE).total_seconds()

    def applications_rows():
        for j in range(applications):
            # clients with more applications than others, every client one
            i = j if j < clients else int(rng.paretovariate(1.2) * 7919 * j
                ) % clients
            kind_id, workflow, group = kinds[j % len(kinds)]
            state = rng.choices(states, weights)[0]
            path = PATHS[state]
            if workflow != 'full' and (state in FULL_STATES
                    or state == 'closed'):
                state, path = 'closed', SHORT_CLOSED
            created = BASE_DATE + dt.timedelta(
                seconds=span * j / applications)
            step_at = created
            for passed in path:
                # no author references: the history shows «Система»
                history.append((app_start + j, step_at, passed, 0, step_at))
                step_at += dt.timedelta(days=rng.randint(1, 9),
                    minutes=rng.randint(0, 600))
            submitted = created + dt.timedelta(hours=2) if state != 'draft' \
                else None
            deadline = None
            if state not in {'draft', 'closed', 'withdrawn', 'rejected',
                    'annulled'}:
                deadline = (step_at + dt.timedelta(days=rng.choice(
                            [-5, 3, 10, 30]))).date()
            power = (5, 15, 15, 60, 150, 300, 700)[j % 7]
            kind = kinds_of[i]
            name = 'Объект %s' % j if group != 'assets' else None
            yield (app_start + j, 'ЗТП-%07d' % (app_start + j), kind_id,
                party_start + i, branches[i % len(branches)],
                user_start + i, state, 4 if state != 'draft' else j % 4,
                'Заявитель %s' % i, snils(i) if kind == 'fl' else (
                    inn10(i) if kind == 'ul' else inn12(i)),
                '+7913%07d' % i, bench_email(i),
                'г. Абакан, ул. Пушкина, д. %s' % (1 + i % 200),
                name, 'г. Абакан, ул. Ленина, д. %s' % (1 + j % 300), power,
                '0.38' if power < 670 else '10', '3', 'Жилой дом',
                'Быт', 'АО «Энергосбыт»', submitted, deadline,
                'fl_15' if kind == 'fl' and power <= 15 else (
                    'upto_150' if power <= 150 else (
                        'upto_670' if power < 670 else 'from_670')),
                created, 0)

    totals['applications'] = _copy(conn, 'lk_application', [
            'id', 'number', 'kind', 'party', 'branch', 'web_user', 'state',
            'step', 'applicant_name', 'applicant_identifier',
            'applicant_phone', 'applicant_email', 'postal_address',
            'object_name', 'object_address', 'max_power', 'voltage',
            'reliability', 'load_character', 'industry', 'supplier',
            'submitted_at', 'deadline', 'category', 'create_date',
            'create_uid'],
        applications_rows())
    totals['history rows'] = _copy(conn, 'lk_application_history', [
            'application', 'date', 'state', 'create_uid', 'create_date'],
        history)
    del history[:]

    # Notifications: spread over the clients, newest first for a few
    conn.execute('''
        INSERT INTO lk_notification (party, direction, subject, body, link,
            is_read, read_at, create_date, create_uid)
        SELECT %(start)s + (g::bigint * 7919) %% %(clients)s,
            CASE WHEN g %% 17 = 0 THEN 'out' ELSE 'in' END,
            (%(subjects)s::text[])[1 + g %% %(nsubjects)s],
            'Уведомление № ' || g || '. Подробности в личном кабинете.',
            CASE WHEN g %% 3 = 0 THEN '/my/applications' END,
            g %% 4 <> 0,
            CASE WHEN g %% 4 <> 0 THEN %(base)s::timestamp
                + g * interval '1 second' * %(step)s END,
            %(base)s::timestamp + g * interval '1 second' * %(step)s, 0
        FROM generate_series(0, %(count)s - 1) AS g''', {
            'start': party_start, 'clients': clients,
            'subjects': SUBJECTS, 'nsubjects': len(SUBJECTS),
            'base': BASE_DATE, 'step': span / notifications,
            'count': notifications})
    totals['notifications'] = notifications
    tables = ['party_party', 'web_user', 'web_user-lk_role',
        'lk_application', 'lk_application_history', 'lk_notification']
    if _one(conn, "SELECT to_regclass('lk_meter_reading')"):
        totals.update(_meters(conn, rng, party_start, clients, branches,
                now.date()))
        tables += ['lk_meter_account', 'lk_meter_account_link', 'lk_meter',
            'lk_meter_register', 'lk_meter_reading']
    if _one(conn, "SELECT to_regclass('lk_appointment')"):
        totals.update(_offices(conn, rng, branches))
        totals.update(bookings(conn, rng))
        tables += ['lk_office', 'lk_appointment_offer',
            'lk_appointment_schedule', 'lk_appointment_exception',
            'lk_appointment_block', 'lk_appointment']
    for table in tables:
        _reset_sequence(conn, table)
    if finish:
        conn.commit()
        conn.autocommit = True
        conn.execute('VACUUM ANALYZE')
    return totals


def _meters(conn, rng, party_start, clients, branches, today):
    """lk_meters: a personal account per client, linked to it, with one
    meter of one register (of two, day and night, for every fifth) and
    READING_MONTHS months of readings of each register"""
    totals = {}
    account_start = _next_id(conn, 'lk_meter_account')
    meter_start = _next_id(conn, 'lk_meter')
    register_start = _next_id(conn, 'lk_meter_register')
    created = BASE_DATE

    def period(months_back):
        month = today.year * 12 + today.month - 1 - months_back
        return dt.date(month // 12, month % 12 + 1, 1)

    totals['meter accounts'] = _copy(conn, 'lk_meter_account', [
            'id', 'number', 'holder', 'branch', 'address', 'create_date',
            'create_uid'],
        ((account_start + i, 'ЛС-%09d' % (account_start + i),
                'Абонент %s' % i, branches[i % len(branches)],
                'г. Абакан, ул. Пушкина, д. %s' % (1 + i % 200), created, 0)
            for i in range(clients)))
    _copy(conn, 'lk_meter_account_link', [
            'account', 'party', 'create_date', 'create_uid'],
        ((account_start + i, party_start + i, created, 0)
            for i in range(clients)))
    _copy(conn, 'lk_meter', [
            'id', 'account', 'number', 'model', 'phases', 'active',
            'installation_date', 'create_date', 'create_uid'],
        ((meter_start + i, account_start + i, 'ПУ-%08d' % i,
                'СЭ СО-505 220В 10-40А 1', '1', True, dt.date(2020, 6, 1),
                created, 0)
            for i in range(clients)))
    registers = []
    for i in range(clients):
        for zone in (['t1', 't2'] if i % 5 == 0 else ['t1']):
            registers.append((register_start + len(registers),
                    meter_start + i, zone))
    totals['meter registers'] = _copy(conn, 'lk_meter_register', [
            'id', 'meter', 'code', 'zone', 'digits', 'multiplier',
            'create_date', 'create_uid'],
        ((r, m, '1' if z == 't1' else '2', z, 6, 1, created, 0)
            for r, m, z in registers))

    def readings():
        for register, meter, _ in registers:
            value = 1000 + register % 5000
            for back in range(READING_MONTHS, 0, -1):
                first = period(back)
                used = rng.randint(80, 400)
                yield (register, meter, value + used, first.replace(day=20),
                    first, 'customer' if back % 6 else 'planned_check',
                    'valid', value, used, False, False,
                    dt.datetime.combine(first.replace(day=20), dt.time(10)),
                    0)
                value += used
    totals['meter readings'] = _copy(conn, 'lk_meter_reading', [
            'register', 'meter', 'value', 'date', 'period', 'source',
            'state', 'previous_value', 'consumption', 'rollover', 'late',
            'create_date', 'create_uid'],
        readings())
    return totals


def _offices(conn, rng, branches):
    """lk_appointments: OFFICES offices spread over the branches, each
    giving two or three of the services with one to four windows, open
    Monday to Friday 08:00–18:00 with a lunch break (every third also on
    Saturday 09:00–14:00, every fifth without a break), with a closed and
    a shortened day and a blocked hour in the coming weeks"""
    services = [r[0] for r in conn.execute(
            'SELECT id FROM lk_appointment_service WHERE active ORDER BY id')]
    if not services:
        raise LkError('no appointment services: the template lacks the '
            'demo data of lk_appointments')
    totals = {}
    office_start = _next_id(conn, 'lk_office')
    created = BASE_DATE
    totals['offices'] = _copy(conn, 'lk_office', [
            'id', 'branch', 'name', 'address', 'phone', 'sequence', 'active',
            'create_date', 'create_uid'],
        ((office_start + i, branches[i % len(branches)],
                'Центр обслуживания клиентов № %s' % (i + 1),
                'ул. Энергетиков, д. %s' % (i + 1),
                '+7 3902 29-%02d-%02d' % (i // 100, i % 100), 100 + i, True,
                created, 0)
            for i in range(OFFICES)))
    offices = range(office_start, office_start + OFFICES)
    _copy(conn, 'lk_appointment_offer', [
            'office', 'service', 'capacity', 'active', 'create_date',
            'create_uid'],
        ((office, service, rng.randint(1, 4), True, created, 0)
            for i, office in enumerate(offices)
            for service in services[:2 + i % 2]))
    lunch = [(dt.time(12), dt.time(13)), (dt.time(13), dt.time(14))]

    def schedule():
        for i, office in enumerate(offices):
            start, end = lunch[i % 2] if i % 5 else (None, None)
            for day in range(5):
                yield (office, str(day), dt.time(8), dt.time(18), start, end,
                    created, 0)
            if i % 3 == 0:
                yield (office, '5', dt.time(9), dt.time(14), None, None,
                    created, 0)
    totals['schedule lines'] = _copy(conn, 'lk_appointment_schedule', [
            'office', 'weekday', 'start', 'end', 'break_start', 'break_end',
            'create_date', 'create_uid'], schedule())
    today = dt.date.today()

    def exceptions():
        for i, office in enumerate(offices):
            closed = today + dt.timedelta(days=3 + i % 20)
            yield (office, closed, 'closed', None, 'Санитарный день',
                created, 0)
            yield (office, closed + dt.timedelta(days=1 + i % 5),
                'shortened', dt.time(15), None, created, 0)
    totals['exceptions'] = _copy(conn, 'lk_appointment_exception', [
            'office', 'date', 'kind', 'end', 'reason', 'create_date',
            'create_uid'], exceptions())
    # an hour of each office blocked (04:00–05:00 UTC of a coming day)
    _copy(conn, 'lk_appointment_block', [
            'office', 'start', 'end', 'reason', 'create_date', 'create_uid'],
        ((office, dt.datetime.combine(day, dt.time(4)),
                dt.datetime.combine(day, dt.time(5)), 'Учёба', created, 0)
            for i, office in enumerate(offices)
            for day in [today + dt.timedelta(days=2 + i % 25)]))
    return totals


def bookings(conn, rng, days=BOOKING_DAYS):
    """lk_appointments: the bookings of every offer of an active office,
    marked with the comment 'bench' (those of an earlier run deleted): in
    the slots of the days days back about 60 % of the places (served, some
    rejected as no-shows, a few cancelled) and in those of the days days
    ahead about half (pending, a tenth already cancelled), each place of
    another generated client; none in a blocked time. The slots are the
    module's own (`day_intervals`, `slot_times`), the keys of a place and
    of a client as `Appointment.book` writes them."""
    from zoneinfo import ZoneInfo

    from trytond.modules.lk_appointments.appointment import slot_times
    from trytond.modules.lk_appointments.office import dates, day_intervals
    from trytond.modules.lk_base import clock
    now = clock.utcnow().replace(microsecond=0)
    conn.execute("DELETE FROM lk_appointment WHERE comment = 'bench'")
    parties = [r[0] for r in conn.execute(
            "SELECT p.id FROM party_party p JOIN web_user u "
            "ON u.party = p.id WHERE u.email LIKE '%@bench.example.ru' "
            "ORDER BY p.id")]
    offers = conn.execute(
        'SELECT f.id, f.office, f.capacity, s.duration, '
        "COALESCE(b.timezone, 'UTC') FROM lk_appointment_offer f "
        'JOIN lk_appointment_service s ON s.id = f.service '
        'JOIN lk_office o ON o.id = f.office '
        'JOIN lk_branch b ON b.id = o.branch '
        'WHERE f.active AND o.active AND f.manager IS NULL '
        'ORDER BY f.id').fetchall()
    if not parties or not offers:
        return {'bookings': 0}
    Line = collections.namedtuple(
        'Line', 'weekday start end break_start break_end')
    Exception_ = collections.namedtuple('Exception_', 'kind end')
    lines, exceptions, blocks = {}, {}, {}
    for office, *line in conn.execute('SELECT office, weekday, start, '
            '"end", break_start, break_end FROM lk_appointment_schedule'):
        lines.setdefault(office, []).append(Line(*line))
    for office, date, kind, end in conn.execute('SELECT office, date, '
            'kind, "end" FROM lk_appointment_exception'):
        exceptions[office, date] = Exception_(kind, end)
    for office, start, end in conn.execute(
            'SELECT office, start, "end" FROM lk_appointment_block'):
        blocks.setdefault(office, []).append((start, end))
    # the places and client times of the bookings that stay (the demo's,
    # or a test's in the same database)
    taken = set()
    for seat_key, client_key in conn.execute(
            'SELECT seat_key, client_key FROM lk_appointment '
            'WHERE seat_key IS NOT NULL'):
        taken.update([seat_key, client_key])
    used = set()
    numbers = itertools.count(1)
    clients = itertools.cycle(parties)

    def rows():
        for offer, office, capacity, duration, timezone in offers:
            tzinfo = ZoneInfo(timezone)
            today = now.replace(tzinfo=dt.timezone.utc).astimezone(
                tzinfo).date()
            for date in dates(today - dt.timedelta(days=days),
                    today + dt.timedelta(days=days)):
                intervals = day_intervals(date, lines.get(office, []),
                    exceptions.get((office, date)))
                for start, end in slot_times(
                        date, intervals, duration, tzinfo):
                    if any(s < end and e > start
                            for s, e in blocks.get(office, [])):
                        continue
                    past = start <= now
                    for seat in range(1, capacity + 1):
                        if rng.random() >= (0.6 if past else 0.5):
                            continue
                        seat_key = 'o%s@%s#%s' % (
                            offer, start.isoformat(), seat)
                        if seat_key in taken:
                            continue
                        # the next client without a place at this time
                        # (none left when every client has one: a small
                        # scale)
                        party = next((p for p in itertools.islice(
                                    clients, len(parties))
                                if (p, start) not in used
                                and 'p%s@%s' % (p, start.isoformat())
                                not in taken), None)
                        if party is None:
                            continue
                        used.add((party, start))
                        draw = rng.random()
                        if past:
                            state = ('served' if draw < 0.75 else
                                'rejected' if draw < 0.95 else 'cancelled')
                        else:
                            state = 'pending' if draw < 0.9 else 'cancelled'
                        keys = (None, None)
                        if state in {'served', 'pending'}:
                            keys = (seat_key,
                                'p%s@%s' % (party, start.isoformat()))
                        yield ('З-Б%07d' % next(numbers), party, offer,
                            start, end, seat, *keys, state, past, 'bench',
                            now, 0)
    return {'bookings': _copy(conn, 'lk_appointment', [
                'number', 'party', 'offer', 'start', 'end', 'seat',
                'seat_key', 'client_key', 'state', 'reminded', 'comment',
                'create_date', 'create_uid'], rows())}


def refresh_bookings(cluster, name):
    """Generate the bookings of the database name again when they were
    generated on another day than today (restored from the dump of an
    earlier day), so that the coming month is today's"""
    with cluster.connect(name) as conn:
        if not _one(conn, "SELECT to_regclass('lk_appointment')"):
            return
        generated = _one(conn, "SELECT MAX(create_date) FROM lk_appointment "
            "WHERE comment = 'bench'")
        if generated and generated.date() == dt.date.today():
            return
        started = time.monotonic()
        totals = bookings(conn, random.Random(8))
        _reset_sequence(conn, 'lk_appointment')
        conn.commit()
        conn.autocommit = True
        conn.execute('VACUUM ANALYZE lk_appointment')
    log(f"{name}: {totals['bookings']} bookings of today's month generated "
        f'in {time.monotonic() - started:.0f} s')


def _login(kind, i):
    if kind == 'fl':
        return snils(i)
    if kind == 'ul':
        return inn10(i) + '190101001'
    return inn12(i)


@contextlib.contextmanager
def timed(label):
    started = time.monotonic()
    yield
    log(f'{label} in {time.monotonic() - started:.1f} s')
