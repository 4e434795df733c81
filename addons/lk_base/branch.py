# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import zoneinfo

from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields, sequence_ordered)
from trytond.model.exceptions import ValidationError


class Branch(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'lk.branch'
    __string__ = "Branch"

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True)
    region = fields.Char("Region", translate=True)
    timezone = fields.Char(
        "Time Zone", required=True,
        help="IANA time zone of the branch's clients, used for the "
        "notification window and office hours (e.g. Asia/Krasnoyarsk).")
    offices = fields.One2Many('lk.office', 'branch', "Offices")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code), 'lk_base.msg_branch_code_unique'),
            ]
        cls._order.insert(0, ('name', 'ASC'))

    # {id: rec_name} of the active branches in their order, per language
    _lk_names_cache = Cache('lk.branch.names', context=False)

    @staticmethod
    def default_timezone():
        return 'Europe/Moscow'

    @classmethod
    def on_modification(cls, mode, branches, field_names=None):
        super().on_modification(mode, branches, field_names=field_names)
        cls._lk_names_cache.clear()

    @classmethod
    def lk_names(cls):
        """{id: rec_name} of every branch, the active first in their order
        (cached): the choices of the forms and the names the pages show"""
        from trytond.transaction import Transaction, without_check_access
        language = Transaction().language
        names = cls._lk_names_cache.get(language)
        if names is None:
            with without_check_access(), \
                    Transaction().set_context(active_test=False):
                branches = cls.search([])
            branches.sort(key=lambda b: not b.active)
            names = {b.id: (b.rec_name, b.active) for b in branches}
            cls._lk_names_cache.set(language, names)
        return names

    @classmethod
    def lk_choices(cls):
        "[(id, rec_name)] of the active branches (cached)"
        return [(i, name) for i, (name, active) in cls.lk_names().items()
            if active]

    def get_rec_name(self, name):
        if self.region:
            return '%s (%s)' % (self.region, self.name)
        return self.name

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause[:3]
        bool_op = 'AND' if operator.startswith('!') else 'OR'
        return [bool_op,
            ('name', operator, value),
            ('region', operator, value),
            ('code', operator, value),
            ]

    @classmethod
    def validate_fields(cls, branches, field_names):
        super().validate_fields(branches, field_names)
        if 'timezone' in field_names:
            for branch in branches:
                if branch.timezone not in zoneinfo.available_timezones():
                    raise ValidationError(gettext(
                            'lk_base.msg_branch_timezone_invalid',
                            timezone=branch.timezone))


class Office(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'lk.office'
    __string__ = "Office"

    branch = fields.Many2One(
        'lk.branch', "Branch", required=True, ondelete='CASCADE')
    name = fields.Char("Name", required=True, translate=True)
    address = fields.Char("Address", required=True)
    phone = fields.Char("Phone")
    opening_hours = fields.Char(
        "Opening Hours", help="As shown to clients, e.g. «пн–пт 8:00–17:00».")

    def get_rec_name(self, name):
        return '%s, %s' % (self.branch.rec_name, self.address)
