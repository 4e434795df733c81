# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Accounts, meters, registers and readings from the company's billing.

The same rows come from a file the back office imports (CSV or XLSX, with
an error report per row) and from the JSON integration endpoint
(`routes.py`). Each row is loaded in a savepoint of its own: a wrong row
is reported and the others are kept. Rows are matched on their natural
keys (account number; meter number within the account; register number
within the meter; register, period and source of a reading), so that
loading a file again updates instead of duplicating.
"""
import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .meter import PHASES, ZONES
from .reading import SOURCES

KINDS = [
    ('accounts', "Personal Accounts"),
    ('meters', "Meters"),
    ('registers', "Registers"),
    ('readings', "Readings"),
    ]
COLUMNS = {
    'accounts': ['number', 'date', 'holder', 'branch', 'address'],
    'meters': [
        'account', 'number', 'model', 'address', 'phases',
        'accuracy_class', 'installation_date', 'verification_date'],
    'registers': [
        'account', 'meter', 'code', 'zone', 'digits', 'multiplier'],
    'readings': [
        'account', 'meter', 'register', 'value', 'date', 'source'],
    }
REQUIRED = {
    'accounts': {'number', 'holder', 'branch'},
    'meters': {'account', 'number', 'model'},
    'registers': {'account', 'meter', 'code'},
    'readings': {'account', 'meter', 'register', 'value', 'date'},
    }


class RowError(Exception):
    pass


def _date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date) or value in (None, ''):
        return value or None
    value = str(value).strip()
    for format_ in ('%Y-%m-%d', '%d.%m.%Y'):
        try:
            return dt.datetime.strptime(value, format_).date()
        except ValueError:
            pass
    raise RowError(gettext('lk_meters.msg_import_date', value=value))


def _decimal(value):
    try:
        return Decimal(str(value).replace(',', '.').replace(' ', ''))
    except InvalidOperation:
        raise RowError(gettext('lk_meters.msg_import_number', value=value))


def _text(value):
    if value is None:
        return ''
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(filename, data):
    "The rows of a CSV or XLSX file as dictionaries of its header"
    if data[:2] == b'PK':
        import openpyxl
        book = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        lines = list(sheet.iter_rows(values_only=True))
        if not lines:
            return []
        header = [_text(h).lower() for h in lines[0]]
        return [dict(zip(header, line)) for line in lines[1:]
            if any(v not in (None, '') for v in line)]
    text = data.decode('utf-8-sig')
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], ';,\t')
    except (csv.Error, IndexError):
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    reader.fieldnames = [f.strip().lower() for f in reader.fieldnames or []]
    return [r for r in reader if any((v or '').strip() for v in r.values())]


class Import(Workflow, ModelSQL, ModelView):
    __name__ = 'lk.meter.import'
    __string__ = "Import from Billing"

    kind = fields.Selection(KINDS, "Data", required=True,
        states={'readonly': Eval('state') != 'draft'})
    file = fields.Binary("File", filename='filename', required=True,
        states={'readonly': Eval('state') != 'draft'},
        help="CSV (UTF-8, «;» or «,») or XLSX with a header row.")
    filename = fields.Char("File Name",
        states={'readonly': Eval('state') != 'draft'})
    state = fields.Selection([
            ('draft', "Draft"),
            ('done', "Done"),
            ], "State", required=True, readonly=True)
    rows = fields.Integer("Rows Loaded", readonly=True)
    errors = fields.Integer("Rows Refused", readonly=True)
    report = fields.Text("Error Report", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('draft', 'done')}
        cls._buttons.update({
                'run': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_kind():
        return 'accounts'

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def run(cls, imports):
        for import_ in imports:
            try:
                rows = read_rows(import_.filename or '', bytes(import_.file))
            except (UnicodeDecodeError, ValueError, KeyError) as exception:
                raise ValidationError(gettext(
                        'lk_meters.msg_import_unreadable',
                        error=str(exception)))
            loaded, errors = cls.load(import_.kind, rows)
            import_.rows = loaded
            import_.errors = len(errors)
            import_.report = '\n'.join(
                gettext('lk_meters.msg_import_row_error',
                    row=n, error=error) for n, error in errors)
            import_.state = 'done'
        cls.save(imports)

    @classmethod
    def load(cls, kind, rows):
        """Load rows of kind; return the number loaded and the [(row
        number, error)] of the refused ones (the header is row 1)"""
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        loader = getattr(cls, '_load_' + kind)
        loaded, errors = 0, []
        for n, row in enumerate(rows, 2):
            row = {k: v for k, v in row.items() if k}
            missing = [c for c in sorted(REQUIRED[kind])
                if _text(row.get(c)) == '']
            if missing:
                errors.append((n, gettext('lk_meters.msg_import_missing',
                            columns=', '.join(missing))))
                continue
            cursor.execute('SAVEPOINT lk_meters_import')
            try:
                loader(row)
            except (RowError, UserError) as exception:
                cursor.execute('ROLLBACK TO SAVEPOINT lk_meters_import')
                message = getattr(exception, 'message', None) or str(
                    exception)
                errors.append((n, message))
                continue
            cursor.execute('RELEASE SAVEPOINT lk_meters_import')
            loaded += 1
        return loaded, errors

    @classmethod
    def _account(cls, number):
        pool = Pool()
        Account = pool.get('lk.meter.account')
        accounts = Account.search([('number', '=', _text(number))], limit=1)
        if not accounts:
            raise RowError(gettext(
                    'lk_meters.msg_import_no_account', number=number))
        return accounts[0]

    @classmethod
    def _meter(cls, row):
        pool = Pool()
        Meter = pool.get('lk.meter')
        account = cls._account(row['account'])
        meters = Meter.search([
                ('account', '=', account.id),
                ('number', '=', _text(row['meter'])),
                ], limit=1)
        if not meters:
            raise RowError(gettext(
                    'lk_meters.msg_import_no_meter', number=row['meter']))
        return meters[0]

    @staticmethod
    def _choice(value, selection, default):
        value = _text(value).lower()
        if not value:
            return default
        for key, _ in selection:
            if value == key.lower():
                return key
        raise RowError(gettext('lk_meters.msg_import_choice', value=value,
                choices=', '.join(k for k, _ in selection)))

    @classmethod
    def _load_accounts(cls, row):
        pool = Pool()
        Account = pool.get('lk.meter.account')
        Branch = pool.get('lk.branch')
        branches = Branch.search(
            [('code', '=', _text(row['branch']))], limit=1)
        if not branches:
            raise RowError(gettext(
                    'lk_meters.msg_import_no_branch', code=row['branch']))
        number = _text(row['number'])
        accounts = Account.search([('number', '=', number)], limit=1)
        account = accounts[0] if accounts else Account(number=number)
        account.holder = _text(row['holder'])
        account.branch = branches[0]
        account.date = _date(row.get('date'))
        account.address = _text(row.get('address')) or None
        account.save()

    @classmethod
    def _load_meters(cls, row):
        pool = Pool()
        Meter = pool.get('lk.meter')
        account = cls._account(row['account'])
        number = _text(row['number'])
        meters = Meter.search([
                ('account', '=', account.id),
                ('number', '=', number),
                ], limit=1)
        meter = meters[0] if meters else Meter(
            account=account, number=number)
        meter.model = _text(row['model'])
        meter.address = _text(row.get('address')) or account.address
        meter.phases = cls._choice(row.get('phases'), PHASES, '1')
        meter.accuracy_class = _text(row.get('accuracy_class')) or None
        meter.installation_date = _date(row.get('installation_date'))
        meter.verification_date = _date(row.get('verification_date'))
        meter.save()

    @classmethod
    def _load_registers(cls, row):
        pool = Pool()
        Register = pool.get('lk.meter.register')
        meter = cls._meter(row)
        code = _text(row['code'])
        registers = Register.search([
                ('meter', '=', meter.id),
                ('code', '=', code),
                ], limit=1)
        register = registers[0] if registers else Register(
            meter=meter, code=code)
        register.zone = cls._choice(row.get('zone'), ZONES, 't1')
        if _text(row.get('digits')):
            register.digits = int(_decimal(row['digits']))
        if _text(row.get('multiplier')):
            register.multiplier = _decimal(row['multiplier'])
        register.save()

    @classmethod
    def _load_readings(cls, row):
        pool = Pool()
        Register = pool.get('lk.meter.register')
        Reading = pool.get('lk.meter.reading')
        meter = cls._meter(row)
        registers = Register.search([
                ('meter', '=', meter.id),
                ('code', '=', _text(row['register'])),
                ], limit=1)
        if not registers:
            raise RowError(gettext('lk_meters.msg_import_no_register',
                    number=row['register']))
        register, = registers
        day = _date(row['date'])
        source = cls._choice(row.get('source'), SOURCES, 'planned_check')
        Reading.record(register, _decimal(row['value']), day,
            day.replace(day=1), source)
