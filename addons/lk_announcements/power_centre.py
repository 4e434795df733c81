# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, fields)

VOLTAGES = [
    (None, ""),
    ('0.4', "0.4 kV"),
    ('6', "6 kV"),
    ('10', "10 kV"),
    ('35', "35 kV"),
    ('110', "110 kV"),
    ('220', "220 kV"),
    ]


class PowerCentre(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'lk.power.centre'
    __string__ = "Power Centre"

    name = fields.Char(
        "Name", required=True,
        help="As the company names it, e.g. «ПС 35 кВ Борисовская».")
    branch = fields.Many2One(
        'lk.branch', "Branch", required=True, ondelete='RESTRICT')
    voltage = fields.Selection(VOLTAGES, "Voltage", sort=False)
    location = fields.Char("Location", help="The address of the centre.")
    substations = fields.One2Many(
        'lk.power.substation', 'centre', "Substations")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('name', 'ASC'), ('id', 'ASC')]
        cls._sql_indexes.add(Index(t, (t.branch, Index.Range())))


class Substation(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'lk.power.substation'
    __string__ = "Substation"

    name = fields.Char(
        "Name", required=True, help="E.g. «ТП42-10-04».")
    centre = fields.Many2One(
        'lk.power.centre', "Power Centre", required=True,
        ondelete='CASCADE')
    branch = fields.Function(
        fields.Many2One('lk.branch', "Branch"), 'on_change_with_branch')
    voltage = fields.Selection(VOLTAGES, "Voltage", sort=False)
    location = fields.Char("Location", help="The address of the substation.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('name', 'ASC'), ('id', 'ASC')]
        cls._sql_indexes.add(Index(t, (t.centre, Index.Range())))

    @fields.depends('centre', '_parent_centre.branch')
    def on_change_with_branch(self, name=None):
        return self.centre.branch if self.centre else None

    def get_rec_name(self, name):
        return '%s %s' % (self.centre.name, self.name)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause[:3]
        bool_op = 'AND' if operator.startswith('!') else 'OR'
        return [bool_op,
            ('name', operator, value),
            ('centre.name', operator, value),
            ]
