"""Run the development processes in the foreground until Ctrl-C."""
import configparser
import glob
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

from .common import ADDONS, DATABASE, LkError, ROOT, log, var, venv_bin

PORTAL = ('127.0.0.1', 8000)
BACK_OFFICE = ('127.0.0.1', 8001)
SMTP = ('127.0.0.1', 8025)
PORTAL_APP = 'trytond.modules.lk_base.portal.app:create_app()'


def _netloc(address):
    return '%s:%s' % address


def _port_open(address):
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(address) == 0


def _tail(path, lines=25):
    with open(path, errors='replace') as fp:
        return ''.join(fp.readlines()[-lines:])


class Supervisor:

    def __init__(self):
        self.children = []  # (name, process, log path)

    def start(self, name, cmd, env=None):
        log_path = var('log', name + '.log')
        with open(log_path, 'a') as fp:
            fp.write(f"\n===== {time.strftime('%F %T')} {' '.join(cmd)}\n")
            fp.flush()
            # own process group: Ctrl-C reaches lk only, which stops
            # the children in order
            process = subprocess.Popen(cmd, cwd=ROOT, env=env,
                stdin=subprocess.DEVNULL, stdout=fp, stderr=subprocess.STDOUT,
                start_new_session=True)
        self.children.append((name, process, log_path))
        return process

    def wait_ready(self, name, address, timeout=90):
        "Wait until name listens on address; False if it died or timed out"
        process = next(c[1] for c in self.children if c[0] == name)
        deadline = time.monotonic() + timeout
        while not _port_open(address):
            if process.poll() is not None or time.monotonic() > deadline:
                return False
            time.sleep(0.2)
        return True

    def watch(self):
        "Report children that die; return when all are gone"
        while self.children:
            for child in list(self.children):
                name, process, log_path = child
                if process.poll() is not None:
                    self.children.remove(child)
                    log(f'{name} exited ({process.returncode}); end of '
                        f'{log_path}:\n{_tail(log_path)}')
                    if self.children:
                        log('the other processes keep running (Ctrl-C stops)')
            time.sleep(0.5)
        return 1

    def stop(self):
        for _, process, _ in self.children:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for name, process, _ in self.children:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log(f'{name} did not stop, killing it')
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.children.clear()


def _check_free(*addresses):
    busy = [f'{host}:{port}' for host, port in addresses
        if _port_open((host, port))]
    if busy:
        raise LkError(f"{', '.join(busy)} already in use "
            "(is another ./lk demo/serve running?)")


def _bank_sandbox(trytond_conf):
    """The address and command of the RBS sandbox when [lk_payment] names
    it (the rbs gateway at a loopback URL), else None: the sandbox takes
    the merchant and the callback key of that section and sends its
    callbacks to the back office, which serves their route"""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(trytond_conf, encoding='utf-8')
    if not parser.has_section('lk_payment'):
        return None
    section = parser['lk_payment']
    url = urllib.parse.urlsplit(section.get('url', ''))
    if (section.get('gateway', 'rbs') != 'rbs'
            or url.hostname != '127.0.0.1' or not url.port):
        return None
    address = (url.hostname, url.port)
    return address, [sys.executable, '-m',
        'trytond.modules.lk_payment.standin.rbs',
        '--host', url.hostname, '--port', str(url.port),
        '--username', section.get('username', ''),
        '--password', section.get('password', ''),
        '--secret', section.get('secret', ''),
        '--callback', f'http://{_netloc(BACK_OFFICE)}/{DATABASE}'
        '/lk_payment/rbs/callback']


def _demo_logins():
    texts = []
    for path in sorted(glob.glob(
                os.path.join(ADDONS, '*', 'DEMO_LOGINS.txt'))):
        with open(path, encoding='utf-8') as fp:
            texts.append(fp.read().strip())
    return '\n'.join(texts)


def run_all(trytond_conf, portal_conf, admin_password):
    bank = _bank_sandbox(trytond_conf)
    _check_free(PORTAL, BACK_OFFICE, SMTP, *([bank[0]] if bank else []))
    env = dict(os.environ, TRYTON_CONFIG=trytond_conf,
        TRYTOND_CONFIG=trytond_conf, LK_PORTAL_CONFIG=portal_conf,
        PYTHONUTF8='1')
    supervisor = Supervisor()
    try:
        supervisor.start('mail', [sys.executable, '-m', 'aiosmtpd', '-n',
                '-l', _netloc(SMTP), '-c', 'aiosmtpd.handlers.Mailbox',
                var('mail')], env)
        # -d loads the pool at start-up: trytond 8.0 answers the first
        # login on a database without a loaded pool with KeyError 'res.user'
        supervisor.start('backoffice',
            [venv_bin('trytond'), '-c', trytond_conf, '-d', DATABASE], env)
        supervisor.start('cron',
            [venv_bin('trytond-cron'), '-c', trytond_conf, '-d', DATABASE],
            env)
        supervisor.start('portal', [venv_bin('gunicorn'), '-w', '2',
                '-b', _netloc(PORTAL), '--access-logfile', '-',
                PORTAL_APP], env)
        ready = [('mail', SMTP), ('backoffice', BACK_OFFICE)]
        if bank:
            supervisor.start('bank', bank[1], env)
            ready.append(('bank', bank[0]))
        for name, address in ready:
            if not supervisor.wait_ready(name, address):
                log_path = var('log', name + '.log')
                raise LkError(f'{name} did not start; end of {log_path}:\n'
                    + _tail(log_path))
        # without the portal the back office is still useful: watch()
        # reports its failure
        portal = f'http://{_netloc(PORTAL)}/'
        bank_line = (f'\n  bank sandbox http://{_netloc(bank[0])}  (RBS, the '
            'card page of «Оплатить»)' if bank else '')
        if not supervisor.wait_ready('portal', PORTAL):
            portal += '  NOT RUNNING, see below'
        print(f"""
ЛК is running; Ctrl-C stops everything.
  portal       {portal}
  back office  http://{_netloc(BACK_OFFICE)}/#{DATABASE}  (sao)
               admin / {admin_password}  (var/admin_password)
  mail sink    smtp://{_netloc(SMTP)} -> {var('mail')} (Maildir){bank_line}
  logs         {var('log')}/{{portal,backoffice,cron,mail{',bank' if bank else ''}}}.log
""", flush=True)
        if logins := _demo_logins():
            print('Demo logins:\n' + logins + '\n', flush=True)
        return supervisor.watch()
    except KeyboardInterrupt:
        log('stopping')
        return 0
    finally:
        supervisor.stop()
