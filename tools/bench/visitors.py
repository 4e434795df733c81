"""The signed-in visitors of a bench run.

For `count` generated clients spread over the database: a portal session
(`web.user.lk_new_session`, as /login opens it), a document on their latest
application, and a draft of their own for the step form POST. For staff: the
users `bench_admin` (super administrator) and `bench_operator` (operator of
the branch «Хакасэнерго»), each with an `lk.operator.session`.

When lk_meters is activated, each client gets the readings form of its
meter (values above the last ones); when lk_appointments is, a free place
of a coming day among the month of bookings the data holds (`data`), its
slot page and its booking POST.

The sessions are opened in the database, not through /login: its rate limit
and password hashing would only slow the set-up. The Flask session cookies
are then signed with the portal's secret key, holding what the login views
put there (and a CSRF secret, whose token the POSTs send).
"""
import dataclasses
import hashlib
import os

from itsdangerous import URLSafeTimedSerializer

from . import environment

PDF = b'%PDF-1.4\n% bench scan\n' + b'0' * 20_000 + b'\n%%EOF\n'
COOKIE = 'lk_session'
OPERATOR_BRANCH = 'khakassia'


@dataclasses.dataclass
class Client:
    user_id: int
    party_id: int
    cookie: str
    csrf: str
    application: str
    document: str
    step: str
    step_body: dict
    # lk_meters: the page that submits the readings of the client's meter
    readings: str = None
    readings_body: dict = None
    # lk_appointments: the slot page of a free place, and its booking
    slots: str = None
    booking_body: dict = None


@dataclasses.dataclass
class Visitors:
    database: str
    clients: list
    staff: dict  # 'admin' / 'operator': cookie
    facts: dict  # values for the filters: ids, identifiers, names


def _serializer():
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface
    app = Flask('lk_bench')
    app.secret_key = environment.secret_key()
    return SecureCookieSessionInterface().get_signing_serializer(app)


def sign(values):
    "The value of the portal's session cookie holding values"
    return _serializer().dumps(dict(values))


def csrf_pair():
    "(raw secret for the session, the token the form sends)"
    raw = hashlib.sha1(os.urandom(64)).hexdigest()
    token = URLSafeTimedSerializer(
        environment.secret_key(), salt='wtf-csrf-token').dumps(raw)
    return raw, token


def prepare(database, env, count):
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    Pool(database).init()
    with Transaction().start(database, 0) as transaction:
        pool = Pool()
        WebUser = pool.get('web.user')
        Application = pool.get('lk.application')
        Document = pool.get('lk.application.document')
        Kind = pool.get('lk.application.kind')
        cursor = transaction.connection.cursor()
        # evenly spread confirmed bench clients with a submitted application
        cursor.execute('''
            SELECT u.id, u.party, MAX(a.id) FROM web_user u
            JOIN lk_application a ON a.web_user = u.id
            WHERE u.email LIKE '%%@bench.example.ru' AND u.email_valid
                AND a.state <> 'draft'
            GROUP BY u.id, u.party ORDER BY u.id''')
        rows = cursor.fetchall()
        if not rows:
            raise RuntimeError(f'no generated clients in {database}')
        step = max(1, len(rows) // count)
        rows = rows[::step][:count]
        kind, = Kind.search([('code', '=', 'new_connection')], limit=1)
        documents = Document.create([{
                    'application': a, 'name': 'scan-%s.pdf' % a,
                    'data': PDF}
                for _, _, a in rows])
        drafts = Application.create([{
                    'kind': kind.id, 'party': p, 'web_user': u,
                    'branch': WebUser(u).party.branch.id,
                    'applicant_name': 'Заявитель %s' % p,
                    'applicant_phone': '+79131234567',
                    'applicant_email': 'draft%s@bench.example.ru' % u,
                    'postal_address': 'г. Абакан, ул. Пушкина, д. 1',
                    } for u, p, _ in rows])
        clients = []
        for (user_id, party_id, app_id), document, draft in zip(
                rows, documents, drafts):
            key = WebUser.lk_new_session(WebUser(user_id))
            raw, token = csrf_pair()
            cookie = sign({'lk_sid': key, 'csrf_token': raw,
                    '_permanent': True})
            clients.append(Client(
                    user_id, party_id, cookie, token,
                    application=f'/my/applications/{app_id}',
                    document=(f'/my/applications/{app_id}/documents/'
                        f'{document.id}'),
                    step=f'/my/applications/{draft.id}/edit/requisites',
                    step_body={
                        'csrf_token': token,
                        'applicant_name': draft.applicant_name,
                        'applicant_phone': draft.applicant_phone,
                        'applicant_email': draft.applicant_email,
                        'postal_address': draft.postal_address,
                        'action': 'save',
                        }))
        staff, branch = _staff()
        facts = _facts(cursor, branch)
        facts['operator_branch'] = branch
        facts['meters'] = _meters(cursor, clients)
        facts['appointments'] = _appointments(cursor, clients)
        transaction.commit()
    return Visitors(database, clients, staff, facts)


def _staff():
    from trytond.pool import Pool
    pool = Pool()
    User = pool.get('res.user')
    Session = pool.get('lk.operator.session')
    Branch = pool.get('lk.branch')
    ModelData = pool.get('ir.model.data')
    branch, = Branch.search([('code', '=', OPERATOR_BRANCH)])
    cookies = {}
    for key, login, group, branches in [
            ('admin', 'bench_admin', 'group_lk_admin', []),
            ('operator', 'bench_operator', 'group_lk_operator', [branch]),
            ]:
        users = User.search([('login', '=', login)])
        if not users:
            users = User.create([{
                        'login': login, 'name': 'Бенчмарк %s' % key,
                        'groups': [('add', [
                                    ModelData.get_id('lk_base', group)])],
                        'lk_branches': [('add', [b.id for b in branches])],
                        }])
        cookies[key] = sign({'lk_staff': Session.start(users[0].id),
                '_permanent': True})
    return cookies, branch.id


def _facts(cursor, branch):
    """Values of existing rows for the search filters: clients of the
    operator's branch, so that both staff users find them"""
    def one(query, *params):
        cursor.execute(query, params)
        row = cursor.fetchone()
        return row[0] if row else None
    clients = ("FROM party_party p JOIN web_user u ON u.party = p.id "
        "WHERE u.email LIKE '%%@bench.example.ru' AND p.branch = %s ")
    return {
        'snils': one("SELECT p.snils " + clients
            + "AND p.snils IS NOT NULL ORDER BY p.id DESC OFFSET 7 LIMIT 1",
            branch),
        'inn_ul': one("SELECT p.inn " + clients
            + "AND p.person_kind = 'ul' ORDER BY p.id DESC OFFSET 5 LIMIT 1",
            branch),
        'passport': one("SELECT p.passport_series || ' ' || "
            "p.passport_number " + clients
            + "AND p.person_kind = 'fl' ORDER BY p.id DESC OFFSET 3 LIMIT 1",
            branch),
        'person_name': one("SELECT p.last_name || ' ' || p.first_name "
            + clients + "AND p.person_kind = 'fl' ORDER BY p.id DESC "
            "OFFSET 21 LIMIT 1", branch),
        'org_name': one("SELECT substr(p.name, 6, 14) " + clients
            + "AND p.person_kind = 'ul' ORDER BY p.id DESC OFFSET 9 LIMIT 1",
            branch),
        'email': one("SELECT split_part(u.email, '@', 1) || '@' " + clients
            + "ORDER BY p.id DESC OFFSET 11 LIMIT 1", branch),
        'client_id': one("SELECT u.id " + clients
            + "ORDER BY p.id DESC OFFSET 13 LIMIT 1", branch),
        'date': one("SELECT CAST(MIN(u.create_date) AS DATE) " + clients,
            branch),
        'moderator': one("SELECT id FROM lk_role "
            "WHERE code = 'announcement_moderator'"),
        'kind': one("SELECT id FROM lk_application_kind "
            "WHERE code = 'new_connection'"),
        'applicant': one("SELECT a.applicant_name FROM lk_application a "
            "WHERE a.branch = %s ORDER BY a.id DESC OFFSET 17 LIMIT 1",
            branch),
        }


def _active(cursor, module):
    cursor.execute("SELECT 1 FROM ir_module WHERE name = %s "
        "AND state = 'activated'", (module,))
    return bool(cursor.fetchone())


def _meters(cursor, clients):
    """The readings form of each client's meter (lk_meters), with values
    above the last ones; False when the module is not activated"""
    if not clients or not _active(cursor, 'lk_meters'):
        return False
    cursor.execute("""
        SELECT l.party, m.id, r.id, COALESCE(MAX(rd.value), 0)
        FROM lk_meter_account_link l
        JOIN lk_meter m ON m.account = l.account
        JOIN lk_meter_register r ON r.meter = m.id
        LEFT JOIN lk_meter_reading rd ON rd.register = r.id
        WHERE l.party = ANY(%s)
        GROUP BY l.party, m.id, r.id ORDER BY l.party, m.id, r.id""",
        ([c.party_id for c in clients],))
    meters = {}
    for party, meter, register, value in cursor.fetchall():
        meters.setdefault(party, (meter, {}))[1][
            'value_%s' % register] = str(int(value) + 150)
    for client in clients:
        if client.party_id in meters:
            meter, values = meters[client.party_id]
            client.readings = f'/my/meters/{meter}/readings'
            # no token: each submission is a new one, which replaces the
            # reading of the period as a client's second submission does
            client.readings_body = dict(values, csrf_token=client.csrf)
    return any(c.readings for c in clients)


def _appointments(cursor, clients, days=30):
    """For each client a free place of a coming day (lk_appointments): its
    slot page and its booking. The bookings of the clients themselves are
    cancelled first, so that none is at its limit of active bookings. False
    when the module is not activated."""
    import datetime as dt
    import random

    from trytond.pool import Pool
    if not clients or not _active(cursor, 'lk_appointments'):
        return False
    Offer = Pool().get('lk.appointment.offer')
    cursor.execute("UPDATE lk_appointment SET state = 'cancelled', "
        "seat_key = NULL, client_key = NULL WHERE party = ANY(%s) "
        "AND state IN ('pending', 'confirmed')",
        ([c.party_id for c in clients],))
    rng = random.Random(8)
    offers = Offer.search([('office.active', '=', True)])
    chosen, tries = [], 0
    while len(chosen) < len(clients) and tries < 20 * len(clients):
        tries += 1
        offer = rng.choice(offers)
        office = offer.office
        date = office.today(dt.datetime.now()) + dt.timedelta(
            days=rng.randint(1, days))
        # one slot of a day: two visitors never after the same place
        slots = offer.free_slots(date)
        if slots and not any(
                o == offer and d == date for o, d, _ in chosen):
            chosen.append((offer, date, rng.choice(slots)[0]))
    for client, (offer, date, start) in zip(clients, chosen):
        office = offer.office
        choice = {'branch': office.branch.id, 'office': office.id,
            'service': offer.id, 'date': date.isoformat()}
        client.slots = '/my/appointments/new?' + '&'.join(
            f'{k}={v}' for k, v in choice.items())
        client.booking_body = dict(choice, slot=start.isoformat(),
            csrf_token=client.csrf)
    return bool(chosen)
