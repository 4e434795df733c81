"""./lk bench: the portal's throughput, latency, SQL statements and memory
on PostgreSQL at a grid company's scale.

One run:

1. starts a throwaway PostgreSQL cluster (`testing.pg_cluster()`, as
   `./lk test --pg`);
2. restores the benchmark databases from `var/bench/*.dump`, or builds them
   (`data`): a template with every lk_* module activated by trytond-admin
   plus the demo data, then bulk rows at `--scale` (1 = 100 000 clients,
   300 000 applications with history, 1 000 000 notifications) and at the
   two `--count-scales`;
3. prepares the signed-in visitors (`visitors`): web sessions of
   `--clients` generated clients, a document and a draft for each, and the
   sessions of two bench staff users (a super administrator and an
   operator of one branch);
4. counts the SQL statements of each page at both count scales, through
   the Flask test client in this process (`counting`);
5. runs the portal as in production, gunicorn with 2 workers and
   `[cache] clean_timeout = 0` on 127.0.0.1, with a bare Flask page and a
   static file mounted beside it (`wsgi`), and loads each page for
   `--duration` seconds with wrk (`load`), every request with the cookie
   of the next visitor; `readings overload` instead sends the readings
   POST at 4× the connections and counts what the database recorded
   (`overload`);
6. prints the table (req/s, ratio to the bare page, p50/p95/p99), the
   statement counts side by side, the RSS of each worker before and after
   `--rss-requests` requests, compares with the previous run and writes
   `var/bench/<timestamp>.json`.

`--profile` instead profiles the request path in this process (cProfile
over the Flask test client, `profiling`) and prints the cost per request
of each part; `--explain` prints the plan of each SQL statement of the
pages (`explain`).
"""
import contextlib
import os
import time

from ..common import ROOT, LkError, log


def add_arguments(parser):
    parser.add_argument('--scale', type=float, default=0.01, help=(
            'data size of the load test: 1 = 100 000 clients, 300 000 '
            'applications, 1 000 000 notifications (default 0.01)'))
    parser.add_argument('--count-scales', type=float, nargs=2,
        default=[0.01, 0.1], metavar=('SMALL', 'LARGE'), help=(
            'the two data sizes the SQL statements are counted at '
            '(default 0.01 0.1)'))
    parser.add_argument('--duration', type=int, default=10,
        help='seconds of load per page (default 10)')
    parser.add_argument('--connections', type=int, default=8,
        help='concurrent connections of wrk (default 8)')
    parser.add_argument('--clients', type=int, default=200,
        help='signed-in clients whose cookies the requests take in turn')
    parser.add_argument('--rss-requests', type=int, default=10000,
        help='requests of the memory run on /my (0: skip it)')
    parser.add_argument('--pages', help=(
            'comma-separated names (or name prefixes) of the pages to run '
            '(default all)'))
    parser.add_argument('--no-count', action='store_true',
        help='skip counting the SQL statements')
    parser.add_argument('--no-load', action='store_true',
        help='skip the load test')
    parser.add_argument('--profile', action='store_true', help=(
            'profile the request path (cProfile, in process) instead of '
            'the load test'))
    parser.add_argument('--explain', action='store_true', help=(
            'print EXPLAIN (ANALYZE, BUFFERS) of every SQL statement of '
            'the pages (in process) instead of the load test'))
    parser.add_argument('--profile-dump', metavar='DIR', help=(
            'with --profile, also write the cProfile statistics of each '
            'page to DIR/<page>.pstats (for pstats or snakeviz)'))
    parser.add_argument('--profile-requests', type=int, default=300,
        help='requests per page of --profile (default 300)')


def run(args):
    from ..testing import pg_cluster
    from . import data, environment
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        uri, bindir = stack.enter_context(pg_cluster())
        cluster = data.Cluster(uri, bindir)
        stack.callback(environment.close_trytond)
        env = environment.prepare(uri)
        # before the generator imports the modules, whose imports read it
        environment.configure_trytond(env)
        trytond_conf = env['TRYTON_CONFIG']
        scales = sorted({args.scale} | (
                set() if args.no_count or args.profile or args.explain
                else set(args.count_scales)))
        names = {s: data.database(cluster, trytond_conf, env, s)
            for s in scales}
        for name in names.values():
            data.refresh_bookings(cluster, name)
        from . import report, visitors
        main_db = names[args.scale]
        if args.profile or args.explain:
            from . import explain, profiling
            if args.explain:
                explain.run(main_db, env, args)
            if args.profile:
                profiling.run(main_db, env, args)
            return 0
        results = {'scale': args.scale, 'started': time.strftime(
                '%Y-%m-%dT%H:%M:%S'), 'pages': {}, 'counts': {}}
        if not args.no_count:
            from . import counting
            results['counts'] = counting.run(
                [names[s] for s in args.count_scales], args)
            report.print_counts(results['counts'], args.count_scales)
        if not args.no_load:
            from . import load
            prepared = visitors.prepare(main_db, env, args.clients)
            results.update(load.run(main_db, env, prepared, args))
            report.print_load(results)
        path = report.save(results)
        log(f'results in {os.path.relpath(path, ROOT)} '
            f'({time.monotonic() - started:.0f} s in all)')
        mismatched = [name for name, r in results.get('pages', {}).items()
            if (r.get('counts') or {}).get('mismatch')]
        if mismatched:
            raise LkError(f"{', '.join(mismatched)}: readings lost or "
                'recorded twice, see the counts above')
    return 0


__all__ = ['add_arguments', 'run', 'LkError']
