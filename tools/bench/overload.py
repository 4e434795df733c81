"""The readings at 4× overload: is any reading lost or recorded twice?

`readings overload` (a page of `--pages`) sends the readings POST of the
visitors with 4 × `--connections` concurrent connections for `--duration`
seconds, from a small asyncio load generator (httpx) rather than wrk: it
must know which submission the portal accepted. Every submission carries a
new idempotency key (the form's `token`), and one in RETRY_SHARE is sent
twice at once, as a double click. A submission is
accepted when the portal answers 302 to the history page; one the
generator gave up on (a timeout, a dropped connection) is «unknown».

Then it counts in the database, for the keys sent:

- accepted: keys answered 302; recorded: keys with readings;
- lost: accepted keys without their readings (one per register of the
  meter); duplicated: keys with more readings than registers;
- refused but recorded: keys neither accepted nor unknown that have
  readings;
- current: registers with more than one valid reading of a period (the
  database's exclusion constraint forbids it), replaced readings without
  the reading that replaced them.

Any lost, duplicated, refused-but-recorded or double current reading is a
mismatch: the run prints it and `./lk bench` fails.
"""
import asyncio
import random
import time
import urllib.parse
import uuid

from ..common import log

NAME = 'readings overload'
FACTOR = 4
RETRY_SHARE = 0.2
TIMEOUT = 30


def _body(client, token):
    return urllib.parse.urlencode(dict(client.readings_body, token=token))


async def _send(http, base, client, cookie, token, outcome, retry):
    started = time.monotonic()
    try:
        response = await http.post(base + client.readings,
            content=_body(client, token), headers={
                'Cookie': f'{cookie}={client.cookie}',
                'Content-Type': 'application/x-www-form-urlencoded',
                })
    except Exception:  # timeout, dropped connection
        outcome['unknown'].add(token)
        return
    finally:
        http.cookies.clear()
    outcome['latencies'].append(time.monotonic() - started)
    location = response.headers.get('location', '')
    if response.status_code == 302 and '/history' in location:
        outcome['accepted'].add(token)
        if retry:
            outcome['second clicks accepted'] += 1
    else:
        outcome['statuses'][response.status_code] = (
            outcome['statuses'].get(response.status_code, 0) + 1)


async def _worker(http, base, clients, cookie, deadline, outcome, rng):
    while time.monotonic() < deadline:
        client = rng.choice(clients)
        token = 'bench-' + uuid.uuid4().hex
        outcome['sent'][token] = client
        if rng.random() < RETRY_SHARE:
            # a double click: the same form twice at once
            await asyncio.gather(
                _send(http, base, client, cookie, token, outcome, False),
                _send(http, base, client, cookie, token, outcome, True))
        else:
            await _send(http, base, client, cookie, token, outcome, False)


async def _load(base, clients, cookie, connections, duration):
    import httpx
    outcome = {'sent': {}, 'accepted': set(), 'unknown': set(),
        'statuses': {}, 'latencies': [], 'second clicks accepted': 0}
    rng = random.Random(11)
    # a double click takes a second connection
    limits = httpx.Limits(max_connections=connections * 2,
        max_keepalive_connections=connections * 2)
    async with httpx.AsyncClient(limits=limits, timeout=TIMEOUT,
            follow_redirects=False) as http:
        deadline = time.monotonic() + duration
        started = time.monotonic()
        await asyncio.gather(*(
                _worker(http, base, clients, cookie, deadline, outcome,
                    random.Random(rng.random()))
                for _ in range(connections)))
        outcome['seconds'] = time.monotonic() - started
    return outcome


def _percentile(values, share):
    if not values:
        return 0
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * share))]


def count(database, outcome):
    "The counts in the database for the keys of outcome"
    from trytond.transaction import Transaction
    sent = outcome['sent']
    with Transaction().start(database, 0, readonly=True) as transaction:
        cursor = transaction.connection.cursor()
        cursor.execute("SELECT token, COUNT(*) FROM lk_meter_reading "
            "WHERE token LIKE 'bench-%%' GROUP BY token")
        rows = dict(cursor.fetchall())
        cursor.execute("""
            SELECT COUNT(*) FROM (
                SELECT register, period, source FROM lk_meter_reading
                WHERE state = 'valid' AND register IN (
                    SELECT register FROM lk_meter_reading
                    WHERE token LIKE 'bench-%%')
                GROUP BY register, period, source HAVING COUNT(*) > 1) s""")
        double_current, = cursor.fetchone()
        cursor.execute("SELECT COUNT(*) FROM lk_meter_reading "
            "WHERE token LIKE 'bench-%%' AND state = 'replaced' "
            "AND replaced_by IS NULL")
        unlinked, = cursor.fetchone()
    accepted, unknown = outcome['accepted'], outcome['unknown'] - \
        outcome['accepted']

    def registers(token):
        return sum(1 for k in sent[token].readings_body
            if k.startswith('value_'))
    lost = sum(1 for t in accepted if rows.get(t, 0) < registers(t))
    duplicated = sum(1 for t, n in rows.items()
        if t in sent and n > registers(t))
    refused_recorded = sum(1 for t in rows
        if t not in accepted and t not in unknown)
    counts = {
        'submissions sent': len(sent),
        'accepted (302)': len(accepted),
        'unknown (gave up)': len(unknown),
        'second clicks accepted': outcome['second clicks accepted'],
        'keys recorded': len(rows),
        'readings recorded': sum(rows.values()),
        'lost': lost,
        'duplicated': duplicated,
        'refused but recorded': refused_recorded,
        'unknown recorded': sum(1 for t in unknown if t in rows),
        'registers with 2 current': double_current,
        'replaced without successor': unlinked,
        }
    counts['mismatch'] = bool(lost or duplicated or refused_recorded
        or double_current or unlinked)
    return counts


def run(base, database, visitors, args):
    from .visitors import COOKIE
    clients = [c for c in visitors.clients if c.readings]
    connections = FACTOR * args.connections
    outcome = asyncio.run(_load(
            base, clients, COOKIE, connections, args.duration))
    latencies = outcome['latencies']
    seconds = outcome['seconds'] or 1
    result = {
        'requests': len(latencies),
        'rps': len(latencies) / seconds,
        'p50': _percentile(latencies, 0.50) * 1000,
        'p95': _percentile(latencies, 0.95) * 1000,
        'p99': _percentile(latencies, 0.99) * 1000,
        'mean': sum(latencies) / len(latencies) * 1000 if latencies else 0,
        'bad': sum(outcome['statuses'].values()),
        'errors': len(outcome['unknown']),
        'connections': connections,
        'statuses': {str(k): v for k, v in outcome['statuses'].items()},
        }
    result['counts'] = count(database, outcome)
    log(f"{NAME}: {connections} connections, {result['rps']:.1f} req/s, "
        f"p95 {result['p95']:.0f} ms; " + ', '.join(
            f'{k} {v}' for k, v in result['counts'].items()))
    return result
