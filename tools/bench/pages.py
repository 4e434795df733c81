"""The pages a bench run measures.

Each `Page` names who asks (`as_`: a signed-in client, the bench super
administrator or the branch operator, or nobody) and builds, for a visitor,
the request: method, path and form body. The client search filters are the
seed's («Поиск клиентов»), with values of rows that exist; the application
list and board of the operators are taken plain and with filters.
"""
import dataclasses
import datetime as dt
import urllib.parse

BARE = 'bare page'
STATIC = 'static file'
FLOOR = 'Tryton floor'
WRITE_FLOOR = 'Tryton write floor'
# the references every run measures beside the pages asked for
REFERENCES = {BARE, STATIC, FLOOR, WRITE_FLOOR}


@dataclasses.dataclass
class Page:
    name: str
    as_: str  # 'client', 'admin', 'operator' or None
    path: object  # str, or callable(client) -> str
    method: str = 'GET'
    body: object = None  # callable(client) -> dict
    status: tuple = (200,)
    # 'wrk', or 'overload': loaded by overload.py, which counts what the
    # database recorded (not counted, explained nor profiled: it is the
    # readings POST)
    driver: str = 'wrk'

    def request(self, client=None):
        path = self.path(client) if callable(self.path) else self.path
        body = self.body(client) if self.body else None
        return self.method, path, body


def _query(path, **params):
    return path + '?' + urllib.parse.urlencode(params, doseq=True)


def client_search_filters(facts):
    "(label, query parameters) of each seed filter of /operator/clients"
    series, number = (facts['passport'] or ' ').split(' ')
    return [
        ('без фильтров', {}),
        ('дата создания с/по', {'date_from': str(facts['date']),
                'date_to': str(facts['date'] + dt.timedelta(days=3))}),
        ('вид лица = ЮЛ', {'person_kind': 'ul'}),
        ('СНИЛС', {'identifier': facts['snils']}),
        ('ИНН ЮЛ', {'identifier': facts['inn_ul']}),
        ('роль = модератор', {'roles': [facts['moderator']]}),
        ('ФИО содержит', {'name': facts['person_name']}),
        ('название содержит', {'name': facts['org_name']}),
        ('e-mail содержит', {'email': facts['email']}),
        ('филиал', {'branch': facts['operator_branch']}),
        ('Ид', {'client_id': facts['client_id']}),
        ('паспорт серия+номер', {'passport_series': series,
                'passport_number': number}),
        ('активирован = нет', {'activated': 'no'}),
        ('филиал+вид+ФИО', {'branch': facts['operator_branch'],
                'person_kind': 'fl',
                'name': facts['person_name'].split()[0]}),
        ]


def application_filters(facts):
    return [
        ('', {}),
        (' состояние=на рассмотрении', {'state': 'incoming'}),
        (' просрочено+вид', {'overdue': 'yes', 'kind': facts['kind']}),
        (' клиент содержит', {'client': facts['applicant']}),
        ]


def all_pages(facts):
    pages = [
        Page(BARE, None, '/_bench/bare'),
        Page(STATIC, None, '/static/lk_base/lk.css'),
        Page(FLOOR, None, '/_bench/tryton'),
        Page(WRITE_FLOOR, None, '/_bench/tryton-write'),
        Page('/my', 'client', '/my'),
        Page('/my/applications', 'client', '/my/applications'),
        Page('application page', 'client', lambda c: c.application),
        Page('/my/notifications', 'client', '/my/notifications'),
        Page('document download', 'client', lambda c: c.document),
        Page('step form POST', 'client', lambda c: c.step, method='POST',
            body=lambda c: c.step_body, status=(302,)),
        ]
    if facts.get('meters'):
        pages += [
            Page('readings page', 'client', lambda c: c.readings),
            # the month-end peak: every request a new submission
            Page('readings POST', 'client', lambda c: c.readings,
                method='POST', body=lambda c: c.readings_body,
                status=(302,)),
            # the same at 4× the connections, then counted in the database
            Page('readings overload', 'client', lambda c: c.readings,
                method='POST', body=lambda c: c.readings_body,
                status=(302,), driver='overload'),
            ]
    if facts.get('appointments'):
        pages += [
            Page('appointment slots', 'client', lambda c: c.slots),
            # the first POST of a visitor books its place (302), the next
            # ones are refused: the place is already the visitor's (200)
            Page('booking POST', 'client', '/my/appointments/new',
                method='POST', body=lambda c: c.booking_body,
                status=(302, 200)),
            ]
    for as_ in ['admin', 'operator']:
        for label, params in client_search_filters(facts):
            pages.append(Page(f'clients [{as_}] {label}', as_,
                    _query('/operator/clients', **params)))
    for as_ in ['admin', 'operator']:
        for label, params in application_filters(facts):
            pages.append(Page(f'applications [{as_}]{label}', as_,
                    _query('/operator/applications', **params)))
            pages.append(Page(f'board [{as_}]{label}', as_,
                    _query('/operator/applications/board', **params)))
    return pages


def select(pages, names):
    "The pages whose name starts with one of names (comma-separated)"
    if not names:
        return pages
    wanted = [n.strip() for n in names.split(',') if n.strip()]
    return [p for p in pages if p.name in REFERENCES
        or any(p.name.startswith(w) for w in wanted)]
