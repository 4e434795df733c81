"""The load test: gunicorn as in production, wrk on each page.

The portal runs as `gunicorn -w 2 tools.bench.wsgi:create_app()` on
127.0.0.1 and a free port, with `[cache] clean_timeout = 0` (its log goes
to var/log/bench-portal.log). Each page gets a second of warm-up, then
`--duration` seconds of wrk (Debian's package, installed when missing) with
`--connections` connections on 2 threads; a Lua script gives every request
the session cookie (and for a POST the CSRF token and the form) of the next
visitor, checks the status of each answer, and prints the latency
percentiles. Last, `--rss-requests` requests on /my, with the RSS of each
worker (/proc/PID/status; the workers are the processes whose parent in
/proc/PID/stat is the gunicorn master) read before and after.
"""
import json
import os
import subprocess
import time

from ..common import LkError, ensure_system, log, var, venv_bin
from ..serve import Supervisor
from ..testing import _free_port
from . import environment, pages as pages_

THREADS = 2
WARM_UP = 1
# the memory run lasts at most this many seconds
MEMORY_RUN_CAP = 300
MARK = 'BENCH '


def run(database, env, visitors, args):
    ensure_system({'wrk': 'wrk'})
    port = _free_port()
    address = ('127.0.0.1', port)
    env = dict(env, LK_PORTAL_CONFIG=environment.portal_config(database))
    supervisor = Supervisor()
    os.makedirs(var('log'), exist_ok=True)
    os.makedirs(var('bench', 'wrk'), exist_ok=True)
    try:
        master = supervisor.start('bench-portal', [venv_bin('gunicorn'),
                '-w', '2', '-b', '%s:%s' % address, '--timeout', '120',
                'tools.bench.wsgi:create_app()'], env)
        if not supervisor.wait_ready('bench-portal', address, timeout=120):
            raise LkError('the portal did not start, see '
                + var('log', 'bench-portal.log'))
        base = 'http://%s:%s' % address
        _wait_idle(base)
        selected = pages_.select(pages_.all_pages(visitors.facts), args.pages)
        results = {}
        for page in selected:
            if page.driver == 'overload':
                from . import overload
                _wait_idle(base)
                results[page.name] = overload.run(
                    base, database, visitors, args)
                _wait_idle(base)
                continue
            script = _script(page, visitors)
            _wrk(base + '/', script, WARM_UP, args.connections)
            _wait_idle(base)
            result = _wrk(base + '/', script, args.duration,
                args.connections)
            results[page.name] = result
            # the sync workers still answer the requests wrk left queued
            _wait_idle(base)
            log(f"{page.name}: {result['rps']:.1f} req/s, p95 "
                f"{result['p95']:.0f} ms"
                + (f", {result['bad']} unexpected answers"
                    if result['bad'] else ''))
        rss = None
        if args.rss_requests:
            try:
                rss = _memory_run(base, master.pid, visitors, args,
                    results.get('/my'))
            except LkError as e:
                log(f'memory run failed: {e}')
        return {'pages': results, 'rss': rss, 'duration': args.duration,
            'connections': args.connections, 'clients': len(
                visitors.clients)}
    finally:
        supervisor.stop()


def _wait_idle(base, timeout=180):
    "Wait until both workers answer the bare page at once"
    import urllib.request
    deadline = time.monotonic() + timeout
    fast = 0
    while fast < 4:
        if time.monotonic() > deadline:
            raise LkError('the portal stays busy, see '
                + var('log', 'bench-portal.log'))
        started = time.monotonic()
        try:
            with urllib.request.urlopen(base + '/_bench/bare',
                    timeout=5) as response:
                response.read()
        except OSError:
            time.sleep(0.5)
            fast = 0
            continue
        fast = fast + 1 if time.monotonic() - started < 0.2 else 0


def _lua(value):
    return json.dumps(value, ensure_ascii=False)


def _script(page, visitors):
    "A wrk script for page; path of the file"
    from urllib.parse import urlencode
    lines = ['local requests = {}']
    if page.as_ == 'client':
        people = visitors.clients
    elif page.as_:
        people = [visitors.staff[page.as_]]
    else:
        people = [None]
    for person in people:
        method, path, body = page.request(
            person if page.as_ == 'client' else None)
        headers = {}
        cookie = person.cookie if page.as_ == 'client' else person
        if cookie:
            headers['Cookie'] = f'{visitors_cookie()}={cookie}'
        encoded = None
        if body:
            encoded = urlencode(body)
            headers['Content-Type'] = 'application/x-www-form-urlencoded'
        lines.append('table.insert(requests, wrk.format(%s, %s, {%s}, %s))'
            % (_lua(method), _lua(path), ', '.join(
                    f'[{_lua(k)}] = {_lua(v)}' for k, v in headers.items()),
                _lua(encoded) if encoded else 'nil'))
    expected = ', '.join(f'[{s}] = true' for s in page.status)
    lines.append(f"""
local expected = {{{expected}}}
local i = math.random(#requests) - 1
local threads = {{}}
bad = 0
answered = 0
function setup(thread) table.insert(threads, thread) end
function request()
    i = i % #requests + 1
    return requests[i]
end
function response(status, headers, body)
    answered = answered + 1
    local location = headers["Location"] or headers["location"] or ""
    if not expected[status] or location:find("login") then
        bad = bad + 1
    end
end
function done(summary, latency, requests)
    local total_bad = 0
    for _, thread in ipairs(threads) do total_bad = total_bad + thread:get("bad") end
    local e = summary.errors
    io.write(string.format('{MARK}{{"requests": %d, "duration_us": %d, '
        .. '"bad": %d, "errors": %d, "p50": %d, "p95": %d, "p99": %d, '
        .. '"mean": %f}}\\n', summary.requests, summary.duration, total_bad,
        e.connect + e.read + e.write + e.timeout + e.status,
        latency:percentile(50), latency:percentile(95),
        latency:percentile(99), latency.mean))
end
""")
    name = ''.join(c if c.isalnum() else '_' for c in page.name)[:60]
    path = var('bench', 'wrk', f'{name}.lua')
    with open(path, 'w', encoding='utf-8') as fp:
        fp.write('\n'.join(lines))
    return path


def visitors_cookie():
    from .visitors import COOKIE
    return COOKIE


def _wrk(url, script, duration, connections, timeout=None):
    output = subprocess.run(['wrk', '-t', str(THREADS), '-c',
            str(max(THREADS, connections)), '-d', f'{duration}s',
            '--timeout', '10s', '-s', script, url],
        capture_output=True, text=True, timeout=timeout or duration + 60)
    for line in output.stdout.splitlines():
        if line.startswith(MARK):
            values = json.loads(line[len(MARK):])
            break
    else:
        raise LkError(f'wrk failed: {output.stdout}{output.stderr}')
    seconds = values['duration_us'] / 1e6
    return {
        'requests': values['requests'],
        'rps': values['requests'] / seconds if seconds else 0,
        'p50': values['p50'] / 1000, 'p95': values['p95'] / 1000,
        'p99': values['p99'] / 1000, 'mean': values['mean'] / 1000,
        'bad': values['bad'], 'errors': values['errors'],
        }


def workers(master):
    """The pids of the gunicorn workers of master: the processes whose
    parent (the 4th field of /proc/PID/stat) it is"""
    pids = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/stat') as fp:
                stat = fp.read()
        except OSError:  # gone meanwhile
            continue
        # the command (2nd field) is in parentheses and may hold spaces
        fields = stat[stat.rindex(')') + 2:].split()
        if int(fields[1]) == master:
            pids.append(int(entry))
    return sorted(pids)


def rss_kib(pid):
    with open(f'/proc/{pid}/status') as fp:
        for line in fp:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])


def _memory_run(base, master, visitors, args, measured=None):
    """About rss_requests requests on /my: wrk runs for the time they take
    at the rate measured on /my (at most MEMORY_RUN_CAP seconds)"""
    page = next(p for p in pages_.all_pages(visitors.facts)
        if p.name == '/my')
    rate = (measured or {}).get('rps') or 50
    duration = int(min(MEMORY_RUN_CAP, max(10, args.rss_requests / rate)))
    pids = workers(master)
    before = {pid: rss_kib(pid) for pid in pids}
    started = time.monotonic()
    result = _wrk(base + '/', _script(page, visitors), duration,
        args.connections)
    after = {pid: rss_kib(pid) for pid in workers(master)}
    log(f"memory run: {result['requests']} requests on /my in "
        f'{time.monotonic() - started:.0f} s')
    return {'requests': result['requests'], 'workers': [
            {'pid': pid, 'start_kib': before.get(pid),
                'end_kib': after.get(pid)}
            for pid in sorted(set(before) | set(after))]}
