# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields,
    sequence_ordered)
from trytond.pool import Pool
from trytond.transaction import without_check_access


class Role(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'lk.role'
    __string__ = "Portal Role"

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char(
        "Code", required=True,
        help="Used by the code, e.g. «client» for «Клиент ЛК».")
    group = fields.Many2One(
        'res.group', "Staff Group", ondelete='SET NULL',
        help="The back-office group of staff who hold this role; "
        "a portal user with such a role is staff and cannot be "
        "impersonated.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code), 'lk_base.msg_role_code_unique'),
            ]

    @classmethod
    def lk_names_of_staff(cls):
        "Names of the roles of the groups of the transaction's staff user"
        pool = Pool()
        User = pool.get('res.user')
        groups = User.get_groups()
        with without_check_access():
            return [r.name for r in cls.search([
                        ('group', 'in', list(groups)),
                        ])]

    @classmethod
    @without_check_access
    def get(cls, code):
        "The role of code or None"
        roles = cls.search([('code', '=', code)], limit=1)
        return roles[0] if roles else None


class WebUserRole(ModelSQL):
    __name__ = 'web.user-lk.role'
    __string__ = "Web User - Portal Role"

    web_user = fields.Many2One(
        'web.user', "Web User", required=True, ondelete='CASCADE')
    role = fields.Many2One(
        'lk.role', "Role", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('role_unique', Unique(t, t.web_user, t.role),
                'lk_base.msg_web_user_role_unique'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.role, Index.Range()), (t.web_user, Index.Range())))


def staff_role_codes():
    "Codes of the roles that make a portal user staff"
    Role = Pool().get('lk.role')
    with without_check_access():
        return {r.code for r in Role.search([('group', '!=', None)])}
