"""./lk test: the whole suite on SQLite and (--pg) on a throwaway
PostgreSQL cluster, with one summary line for all passes and a table of
the seconds per module."""
import contextlib
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

from .common import (
    LkError, ROOT, ensure_system, is_root, log, run, source_hash, var)

PG_USER = 'postgres'  # system account owning the cluster when lk is root


def run_tests(pg, pytest_args):
    """The passes; with --pg both at once (each pytest is one process: two
    cores finish both in about the time of the longer one), the
    PostgreSQL output kept in a file and shown after the SQLite output.
    LK_TEST_SERIAL=1 runs them one after the other."""
    pytest_args = _absolute_paths(pytest_args)
    key = source_hash()
    _check_browser_deps()
    passes = [('SQLite', 'sqlite')] + ([('PostgreSQL', 'pg')] if pg else [])
    results = {}
    if len(passes) > 1 and os.environ.get('LK_TEST_SERIAL') != '1':
        log('=== ' + ' and '.join(t for t, _ in passes) + ' side by side ===')
        with contextlib.ExitStack() as stack:
            output = stack.enter_context(tempfile.TemporaryFile('w+b'))
            started = [stack.enter_context(
                    _pass(title, backend, key, pytest_args,
                        output if i else None))
                for i, (title, backend) in reversed(list(enumerate(passes)))]
            for run_ in reversed(started):
                results[run_.title] = run_.wait()
                if run_.output:
                    log(f'=== {run_.title} (output of the run beside) ===')
                    run_.output.seek(0)
                    shutil.copyfileobj(run_.output, sys.stdout.buffer)
                    sys.stdout.flush()
    else:
        for title, backend in passes:
            log(f'=== {title} ===')
            with _pass(title, backend, key, pytest_args) as run_:
                results[title] = run_.wait()
    totals, failed, seconds = {}, False, {}
    for title, _ in passes:
        rc, counts, elapsed = results[title]
        seconds[title] = counts.pop('modules', {})
        # exit 5: nothing collected, fine only when the caller narrowed it
        ok = {0, 5} if pytest_args else {0}
        if rc not in ok | {1} and not counts.get('error'):
            log(f'{title}: pytest exited with {rc}'
                + (' without running any test' if rc == 5 else ''))
            counts['error'] = counts.get('error', 0) + 1
        failed |= rc not in ok
        for name, value in counts.items():
            totals[name] = totals.get(name, 0) + value
        log(f'{title}: {_summary(counts)} in {elapsed:.0f} s')
    _print_module_table(seconds)
    print(_summary(totals), flush=True)
    return 1 if failed or totals.get('failed') or totals.get('error') else 0


class _Run:
    "A started pytest pass; wait() gives (exit code, counts, seconds)"

    def __init__(self, title, process, report, output):
        self.title, self.process, self.report = title, process, report
        self.output = output
        self.start = time.monotonic()
        self.end = None
        # the end of a pass beside another is noted when it comes
        threading.Thread(target=self._note_end, daemon=True).start()

    def _note_end(self):
        self.process.wait()
        self.end = time.monotonic()

    def wait(self):
        try:
            rc = self.process.wait()
        except KeyboardInterrupt:
            # Ctrl-C reached pytest too: let it report; stop it otherwise
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            raise
        while self.end is None:
            time.sleep(0.01)
        return rc, _read(self.report), self.end - self.start


@contextlib.contextmanager
def _pass(title, backend, key, pytest_args, output=None):
    "Run pytest on backend (output: a file instead of the terminal)"
    with contextlib.ExitStack() as stack:
        env = _env(backend, key)
        args = list(pytest_args)
        if backend == 'pg':
            uri, bindir = stack.enter_context(pg_cluster())
            env['TRYTOND_DATABASE__URI'] = uri
            env['PATH'] = bindir + os.pathsep + env['PATH']
            args = _exclude_browser(args)
        tmp = stack.enter_context(tempfile.TemporaryDirectory(
                prefix='lk-test-', dir=var('tmp')))
        env['TRYTOND_DATABASE__PATH'] = tmp
        env['LK_TEST_REPORT'] = report = os.path.join(tmp, 'report.json')
        process = subprocess.Popen([sys.executable, '-m', 'pytest', *args],
            cwd=ROOT, env=env, stdout=output, stderr=output)
        try:
            yield _Run(title, process, report, output)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()


def _summary(counts):
    line = (f"{counts.get('passed', 0)} passed, "
        f"{counts.get('failed', 0)} failed")
    if counts.get('skipped'):
        line += f", {counts['skipped']} skipped"
    if counts.get('error'):
        line += f", {counts['error']} errors"
    return line


def _print_module_table(seconds):
    "Seconds per module (its tests' setup, call, teardown) of each pass"
    modules = sorted({m for by_module in seconds.values() for m in by_module})
    if not modules:
        return
    titles = list(seconds)
    width = max(len(m) for m in modules + ['module', 'total'])
    rows = [['module'] + titles]
    for module in modules:
        rows.append([module] + [f'{seconds[t][module]:.0f}'
                if module in seconds[t] else '-' for t in titles])
    rows.append(['total'] + [f'{sum(seconds[t].values()):.0f}'
            for t in titles])
    lines = [f'{row[0]:<{width}}' + ''.join(f'{cell:>12}' for cell in row[1:])
        for row in rows]
    lines.insert(1, '-' * len(lines[0]))
    lines.insert(-1, '-' * len(lines[0]))
    log('seconds per module (setup, call and teardown of its tests):')
    for line in lines:
        log(line)


def _read(report):
    try:
        with open(report) as fp:
            counts = json.load(fp)
    except (FileNotFoundError, ValueError):
        return {}
    counts.pop('exitstatus', None)
    return counts


def _env(backend, key):
    "Environment of one pass; DB_CACHE is keyed on the module sources"
    env = {k: v for k, v in os.environ.items()
        if not k.startswith(('TRYTOND_DATABASE', 'TRYTOND_CONFIG'))
        and k not in {'TRYTON_CONFIG', 'DB_NAME', 'DB_CACHE'}}
    cache_root = var('cache', backend)
    os.makedirs(os.path.join(cache_root, key), exist_ok=True)
    os.makedirs(var('tmp'), exist_ok=True)
    for old in os.listdir(cache_root):
        if old != key:
            shutil.rmtree(os.path.join(cache_root, old), ignore_errors=True)
    env.update(
        TRYTOND_DATABASE__URI='sqlite://',
        DB_NAME=':memory:' if backend == 'sqlite' else 'test',
        DB_CACHE=os.path.join(cache_root, key),
        PYTHONUTF8='1')
    if chromium := shutil.which('chromium'):
        env.setdefault('LK_CHROMIUM', chromium)
    return env


def _absolute_paths(args):
    "pytest runs in the repository root: keep paths relative to the caller"
    result = []
    for arg in args:
        path = arg.split('::', 1)[0]
        if not arg.startswith('-') and path and os.path.exists(path):
            arg = os.path.abspath(path) + arg[len(path):]
        result.append(arg)
    return result


def _exclude_browser(args):
    "Deselect (not skip) the browser tests, keeping any -m of the caller"
    args = list(args)
    for i, arg in enumerate(args):
        if arg == '-m' and i + 1 < len(args):
            args[i + 1] = f'({args[i + 1]}) and not browser'
            return args
        if arg.startswith('-m') and len(arg) > 2:
            args[i] = f'-m({arg[2:]}) and not browser'
            return args
    return args + ['-m', 'not browser']


def _check_browser_deps():
    if glob.glob(os.path.join(ROOT, 'tests', 'browser', '**', 'test_*.py'),
            recursive=True):
        ensure_system({'chromium': 'chromium', 'pdftoppm': 'poppler-utils',
                '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf':
                'fonts-dejavu-core'})


def _pg_bindir():
    for _ in range(2):
        versions = sorted(glob.glob('/usr/lib/postgresql/*/bin/initdb'),
            key=lambda p: int(p.split('/')[4]))
        if versions:
            return os.path.dirname(versions[-1])
        ensure_system({'/usr/lib/postgresql/15/bin/initdb': 'postgresql'})
    raise LkError('PostgreSQL server binaries not found')


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def pg_cluster():
    """A throwaway PostgreSQL cluster on 127.0.0.1 with trust auth; yields
    (uri, bindir) and removes it again. PostgreSQL refuses to run as root,
    so root runs it as the postgres system account."""
    bindir = _pg_bindir()
    user = PG_USER if is_root() else None
    if user:
        try:
            pwd.getpwnam(user)
        except KeyError:
            run(['useradd', '--system', '--no-create-home', user])

    def pg(*cmd, **kwargs):
        if user:
            kwargs.update(user=user, group=pwd.getpwnam(user).pw_gid,
                extra_groups=[])
        return run([os.path.join(bindir, cmd[0]), *cmd[1:]],
            stdout=subprocess.DEVNULL, **kwargs)

    data = var('pgdata-test')
    if user and subprocess.run(['test', '-x', var()], user=user).returncode:
        # var/ is unreachable for the postgres account (e.g. under /root)
        parent = tempfile.mkdtemp(prefix='lk-pgdata-')
        os.chmod(parent, 0o755)
        data = os.path.join(parent, 'data')
    _remove_cluster(bindir, data, pg)
    os.makedirs(data, mode=0o700)
    if user:
        shutil.chown(data, user, pwd.getpwnam(user).pw_gid)
    port = _free_port()
    log(f'starting PostgreSQL on 127.0.0.1:{port} ({data})')
    try:
        pg('initdb', '-D', data, '-U', 'postgres', '-A', 'trust',
            '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync', cwd=data)
        settings = {'listen_addresses': "'127.0.0.1'", 'port': port,
            'unix_socket_directories': "''", 'fsync': 'off',
            'synchronous_commit': 'off', 'full_page_writes': 'off'}
        with open(os.path.join(data, 'postgresql.conf'), 'a') as fp:
            fp.writelines(f'{k} = {v}\n' for k, v in settings.items())
        pg('pg_ctl', '-D', data, '-l', os.path.join(data, 'server.log'),
            '-w', '-t', '60', 'start', cwd=data)
        yield f'postgresql://postgres@127.0.0.1:{port}/', bindir
    finally:
        _remove_cluster(bindir, data, pg)


def _remove_cluster(bindir, data, pg):
    if os.path.exists(os.path.join(data, 'postmaster.pid')):
        with contextlib.suppress(LkError):
            pg('pg_ctl', '-D', data, '-m', 'immediate', '-w', 'stop',
                cwd='/')
    shutil.rmtree(data, ignore_errors=True)
    if os.path.basename(data) == 'data' and 'lk-pgdata-' in data:
        shutil.rmtree(os.path.dirname(data), ignore_errors=True)
