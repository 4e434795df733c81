# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The grid objects an application for the transfer of grid assets hands
over to the company: one line per object, with its kind, voltage, length
or capacity and address."""
from sql import Null

from trytond import backend
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields, sequence_ordered
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .application import EDITABLE_STATES
from .exceptions import ApplicationModificationError, AssetValidationError

KINDS = [
    ('overhead_line', "Overhead Line"),
    ('cable_line', "Cable Line"),
    ('substation', "Transformer Substation"),
    ('switchgear', "Switchgear"),
    ('other', "Other Object"),
    ]
# kinds measured by their length, and by their transformer capacity
LINES = {'overhead_line', 'cable_line'}
STATIONS = {'substation'}
VOLTAGES = [
    (None, ""),
    ('0.4', "0.4 kV"),
    ('6', "6 kV"),
    ('10', "10 kV"),
    ('35', "35 kV"),
    ('110', "110 kV"),
    ]


class Asset(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'lk.application.asset'
    __string__ = "Transferred Grid Object"

    application = fields.Many2One(
        'lk.application', "Application", required=True, ondelete='CASCADE')
    kind = fields.Selection(KINDS, "Kind of Object", required=True)
    kind_string = kind.translated('kind')
    voltage = fields.Selection(
        VOLTAGES, "Voltage", sort=False,
        states={
            'required': Eval('kind') != 'other',
            })
    voltage_string = voltage.translated('voltage')
    length = fields.Numeric(
        "Length (m)", digits=(16, 1),
        states={
            'required': Eval('kind').in_(list(LINES)),
            'invisible': ~Eval('kind').in_(list(LINES)),
            })
    capacity = fields.Numeric(
        "Capacity (kVA)", digits=(16, 1),
        states={
            'required': Eval('kind').in_(list(STATIONS)),
            'invisible': ~Eval('kind').in_(list(STATIONS)),
            })
    address = fields.Char(
        "Address", required=True,
        help="Where the object is: the settlement, the street, the pole or "
        "substation numbers.")
    description = fields.Char(
        "Description",
        help="The dispatcher name, the brand of wire or cable, the year…")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('application')

    @classmethod
    def __register__(cls, module):
        pool = Pool()
        Application = pool.get('lk.application')
        cursor = Transaction().connection.cursor()
        created = not backend.TableHandler.table_exist(cls._table)
        super().__register__(module)
        # the transferred objects were a text, one object per line
        application_h = Application.__table_handler__(module)
        if created and application_h.column_exist('assets'):
            application = Application.__table__()
            asset = cls.__table__()
            cursor.execute(*application.select(
                    application.id, application.assets,
                    where=application.assets != Null))
            for application_id, text in cursor.fetchall():
                lines = [line.strip() for line in text.splitlines()]
                for sequence, line in enumerate(filter(None, lines)):
                    cursor.execute(*asset.insert(
                            [asset.application, asset.sequence, asset.kind,
                                asset.address],
                            [[application_id, sequence, 'other', line]]))
            application_h.drop_column('assets')

    @fields.depends('kind', 'length', 'capacity')
    def on_change_kind(self):
        if self.kind not in LINES:
            self.length = None
        if self.kind not in STATIONS:
            self.capacity = None

    def get_rec_name(self, name):
        parts = [self.kind_string]
        if self.voltage:
            parts.append(self.voltage_string)
        if self.kind in LINES and self.length:
            parts.append(gettext(
                    'lk_applications.msg_asset_length', length=_number(
                        self.length)))
        if self.kind in STATIONS and self.capacity:
            parts.append(gettext(
                    'lk_applications.msg_asset_capacity',
                    capacity=_number(self.capacity)))
        return '%s — %s' % (', '.join(parts), self.address)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause[:3]
        bool_op = 'AND' if operator.startswith('!') else 'OR'
        return [bool_op,
            ('address', operator, value),
            ('description', operator, value),
            ]

    @classmethod
    def check_modification(cls, mode, assets, values=None, external=False):
        super().check_modification(
            mode, assets, values=values, external=external)
        pool = Pool()
        Application = pool.get('lk.application')
        applications = {a.application for a in assets}
        if values and values.get('application'):
            # the application the lines are moved to
            applications.add(Application(values['application']))
        for application in applications:
            if application.state not in EDITABLE_STATES:
                raise ApplicationModificationError(gettext(
                        'lk_applications.msg_application_modify_state',
                        application=application.rec_name,
                        state=application.state_string))

    @classmethod
    def validate_fields(cls, assets, field_names):
        super().validate_fields(assets, field_names)
        if {'kind', 'length', 'capacity'} & field_names:
            for asset in assets:
                asset.check_size()

    def check_size(self):
        if self.kind in LINES and self.length is not None and (
                self.length <= 0 or self.length > 1_000_000):
            raise AssetValidationError(gettext(
                    'lk_applications.msg_asset_length_range',
                    asset=self.address))
        if self.kind in STATIONS and self.capacity is not None and (
                self.capacity <= 0 or self.capacity > 1_000_000):
            raise AssetValidationError(gettext(
                    'lk_applications.msg_asset_capacity_range',
                    asset=self.address))

    def to_json(self):
        return {
            'kind': self.kind,
            'voltage': self.voltage,
            'length': _number(self.length) if self.kind in LINES else None,
            'capacity': (
                _number(self.capacity) if self.kind in STATIONS else None),
            'address': self.address,
            'description': self.description,
            }


def _number(value):
    if value is None:
        return None
    return format(value.normalize(), 'f')
