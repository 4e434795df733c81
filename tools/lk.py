"""lk: develop, demo and test «ЛК» (run through ./lk, which prepares .venv)."""
import argparse
import os
import signal
import sys

sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from tools import bench, conf, db, sao, serve, testing  # noqa: E402
from tools.common import DATABASE, LkError, log  # noqa: E402


def cmd_demo(args):
    trytond_conf, portal_conf = _prepare()
    if not db.exists():
        db.init(trytond_conf)
    elif not db.up_to_date():
        db.upgrade(trytond_conf)
    db.load_demo(trytond_conf)
    return serve.run_all(trytond_conf, portal_conf, conf.admin_password())


def cmd_serve(args):
    trytond_conf, portal_conf = _prepare()
    if not db.exists():
        raise LkError(f'no database {DATABASE} yet: ./lk demo (or ./lk db '
            'init)')
    if not db.up_to_date():
        db.upgrade(trytond_conf)
    return serve.run_all(trytond_conf, portal_conf, conf.admin_password())


def _prepare():
    configs = conf.write()
    sao.ensure()
    return configs


def cmd_db(args):
    trytond_conf, _ = conf.write()
    if args.action == 'init':
        db.init(trytond_conf)
    elif args.action == 'drop':
        db.drop()
    elif not db.exists():
        raise LkError(f'no database {DATABASE}: ./lk db init')
    elif args.action == 'upgrade':
        db.upgrade(trytond_conf)
    elif args.action == 'demo':
        db.load_demo(trytond_conf)
    return 0


def cmd_test(args):
    return testing.run_tests(args.pg, args.pytest_args)


REQUIREMENTS = 'requirements.txt'
REQUIREMENTS_HEADER = """\
# The exact versions the test suite passed with; ./lk installs them with
# the project (pip install -e '.[test]' -r requirements.txt).
# Regenerate after changing the dependencies in pyproject.toml and a green
# ./lk test --pg:  ./lk freeze
"""


def cmd_freeze(args):
    "Write requirements.txt from the packages installed in .venv"
    import subprocess
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    output = subprocess.run(
        [sys.executable, '-m', 'pip', 'freeze', '--exclude-editable',
            '--disable-pip-version-check'],
        check=True, capture_output=True, text=True).stdout
    lines = sorted(
        (line for line in output.splitlines()
            if line and not line.startswith('#') and '==' in line),
        key=str.lower)
    with open(os.path.join(root, REQUIREMENTS), 'w') as file:
        file.write(REQUIREMENTS_HEADER + '\n'.join(lines) + '\n')
    log(f'{REQUIREMENTS}: {len(lines)} packages')
    return 0


def cmd_bench(args):
    return bench.run(args)


def parser():
    main = argparse.ArgumentParser(prog='./lk', description=(
            'Develop, demo and test «ЛК», the customer portal on Tryton 8.0. '
            './lk keeps .venv in step with pyproject.toml before each '
            'command.'))
    commands = main.add_subparsers(dest='command', required=True,
        metavar='COMMAND')

    demo = commands.add_parser('demo', help=(
            'set everything up, create or upgrade the demo database '
            f'var/db/{DATABASE}.sqlite, load demo data, then serve'),
        description=(
            'Install sao, create (or upgrade) the SQLite demo database with '
            'every addons/lk_* module activated, in Russian, load the '
            "modules' demo data and run the portal (:8000), the back office "
            'with sao (:8001), trytond-cron, a mail sink (:8025) and the '
            "bank's card payment sandbox (:8010) until Ctrl-C."))
    demo.set_defaults(func=cmd_demo)

    srv = commands.add_parser('serve', help=(
            'serve the existing demo database (upgraded only when the '
            'modules changed), without reloading demo data'))
    srv.set_defaults(func=cmd_serve)

    dbp = commands.add_parser('db', help='manage the demo database',
        description=f'Manage the demo database var/db/{DATABASE}.sqlite.')
    dbp.add_argument('action', choices=['init', 'upgrade', 'demo', 'drop'],
        help=('init: create it with all lk_* modules activated; upgrade: '
            'activate new lk_* modules and update all; demo: (re)load demo '
            'data; drop: delete it and its files'))
    dbp.set_defaults(func=cmd_db)

    test = commands.add_parser('test', allow_abbrev=False,
        usage='./lk test [--pg] [pytest arguments]',
        help='run the test suite (SQLite; with --pg PostgreSQL too)',
        description=(
            'Run the whole pytest suite (unit, ModuleTestCase, scenario '
            'doctests, portal and browser tests) on SQLite, then with --pg '
            'again without the browser tests on a throwaway PostgreSQL '
            'cluster. Other arguments go to pytest (after -- if they clash, '
            'e.g. ./lk test -- -h). Ends with one line "N passed, N failed'
            '[, N skipped][, N errors]"; exit status 1 if anything failed.'))
    test.add_argument('--pg', action='store_true',
        help='also run on PostgreSQL')
    test.set_defaults(func=cmd_test)

    freeze = commands.add_parser('freeze', help=(
            'write requirements.txt: the exact versions installed in .venv'),
        description=(
            'Write requirements.txt from "pip freeze --exclude-editable" '
            'of .venv (the project itself left out). ./lk and .ci/run '
            'install exactly these versions, so that every machine runs '
            'the set the suite passed with. Run it after a green ./lk test '
            '--pg whenever pyproject.toml dependencies change.'))
    freeze.set_defaults(func=cmd_freeze)
    bench_parser = commands.add_parser('bench', help=(
            'load and profile the portal on a throwaway PostgreSQL cluster '
            'with generated data'),
        description=bench.__doc__.split('\n\n')[0])
    bench.add_arguments(bench_parser)
    bench_parser.set_defaults(func=cmd_bench)
    return main


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv):
    # SIGTERM (CI cancelling) unwinds like Ctrl-C: children and the test
    # cluster get stopped; SIGINT is set explicitly as it may come ignored
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    args, extra = parser().parse_known_args(argv)
    if args.command == 'test':
        if '--' in extra:
            extra.remove('--')
        args.pytest_args = extra
    elif extra:
        parser().error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return args.func(args)
    except LkError as e:
        log(f'error: {e}')
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
