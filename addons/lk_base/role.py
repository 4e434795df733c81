# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.cache import Cache
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields,
    sequence_ordered)
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

# What a role gives a portal account (see lk_access)
PORTAL_ACCESS = [
    (None, ""),
    ('guest', "Public Pages Only"),
    ('client', "Client Data"),
    ('read_only', "Client Data, Read Only"),
    ]
# The access of the seed roles, for databases made before the field
SEED_ACCESS = {'guest': 'guest', 'client': 'client', 'demo': 'read_only'}


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
    portal_access = fields.Selection(
        PORTAL_ACCESS, "Portal Access", sort=False,
        help="What a portal account with this role may do:\n"
        "- public pages only: it signs in but sees no client data and "
        "cannot apply for anything;\n"
        "- client data: its own data, applications and messages;\n"
        "- read only: the same to look at, nothing can be changed.\n"
        "Read only wins over client data; an account with neither is a "
        "guest.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code), 'lk_base.msg_role_code_unique'),
            ]

    @classmethod
    def __register__(cls, module):
        table_h = cls.__table_handler__(module)
        created = not table_h.column_exist('portal_access')
        super().__register__(module)
        if created:
            cursor = Transaction().connection.cursor()
            table = cls.__table__()
            for code, access in SEED_ACCESS.items():
                cursor.execute(*table.update(
                        [table.portal_access], [access],
                        where=table.code == code))

    # Every role, per language: what each request of the portal needs of
    # the roles without reading them (see lk_roles). Cleared when a role,
    # or the roles of a web user, change; with [cache] clean_timeout = 0
    # the other processes learn of it at their next transaction.
    _lk_roles_cache = Cache('lk.role.portal', context=False)
    _lk_access_cache = Cache('lk.role.access_of_user', context=False)

    @classmethod
    def on_modification(cls, mode, roles, field_names=None):
        super().on_modification(mode, roles, field_names=field_names)
        cls._lk_roles_cache.clear()
        cls._lk_access_cache.clear()

    @classmethod
    @without_check_access
    def lk_roles(cls):
        """{id: (code, portal_access, active, group id, name)} of every
        role in their order, the names in the transaction's language
        (cached)"""
        language = Transaction().language
        roles = cls._lk_roles_cache.get(language)
        if roles is None:
            with Transaction().set_context(active_test=False):
                roles = {r.id: (r.code, r.portal_access, r.active,
                        r.group.id if r.group else None, r.name)
                    for r in cls.search([])}
            cls._lk_roles_cache.set(language, roles)
        return roles

    @classmethod
    def lk_access_of(cls, role_ids):
        "The portal access given by the roles of role_ids (see lk_access)"
        roles = cls.lk_roles()
        access = {roles[r][1] for r in role_ids if r in roles and roles[r][2]}
        if 'read_only' in access:
            return 'read_only'
        elif 'client' in access:
            return 'client'
        return 'guest'

    @classmethod
    @without_check_access
    def lk_access(cls, web_user):
        """What the portal account of id web_user may do: 'client',
        'read_only' or 'guest' (see portal_access); cached, as the access
        rights ask it at every check"""
        web_user = int(web_user)
        access = cls._lk_access_cache.get(web_user)
        if access is None:
            pool = Pool()
            WebUserRole = pool.get('web.user-lk.role')
            access = cls.lk_access_of([r.role.id for r in WebUserRole.search([
                            ('web_user', '=', web_user),
                            ])])
            cls._lk_access_cache.set(web_user, access)
        return access

    @classmethod
    def lk_names_of_staff(cls, groups=None):
        """Names of the roles of groups (ids), by default those of the
        transaction's staff user"""
        if groups is None:
            groups = Pool().get('res.user').get_groups()
        groups = set(groups)
        return [name for _, _, active, group, name in cls.lk_roles().values()
            if active and group in groups]

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

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        Pool().get('lk.role')._lk_access_cache.clear()


def staff_role_codes():
    "Codes of the roles that make a portal user staff"
    Role = Pool().get('lk.role')
    with without_check_access():
        return {r.code for r in Role.search([('group', '!=', None)])}
