# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import time

import trytond.config as config
from trytond.cache import Cache
from trytond.model import Index, ModelSQL, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

def group_ids(xml_ids):
    "Database ids of groups named by 'module.xml_id'"
    ModelData = Pool().get('ir.model.data')
    return {ModelData.get_id(*x.split('.', 1)) for x in xml_ids}


class Group(metaclass=PoolMeta):
    __name__ = 'res.group'

    lk_operator = fields.Boolean(
        "Operator Cabinet",
        help="Members may sign in to the operators' cabinet of the portal. "
        "Each module marks its own staff groups so in its XML.")

    @classmethod
    def on_modification(cls, mode, groups, field_names=None):
        super().on_modification(mode, groups, field_names=field_names)
        Pool().get('res.user')._lk_staff_groups_cache.clear()


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    lk_branches = fields.Many2Many(
        'res.user-lk.branch', 'user', 'branch', "Branches",
        help="An operator sees and serves only the clients of these "
        "branches; a super administrator sees all.")

    _lk_branches_cache = Cache('res_user.get_lk_branches', context=False)
    # per set of group ids: their xml ids and whether one is «Operator
    # Cabinet»; cleared when a group changes
    _lk_staff_groups_cache = Cache(
        'res_user.lk_staff_groups', context=False)

    @classmethod
    def get_lk_branches(cls):
        "Ids of the branches of the transaction's user (cached)"
        user_id = Transaction().user
        if not user_id:
            return ()
        branches = cls._lk_branches_cache.get(user_id)
        if branches is None:
            with without_check_access():
                branches = tuple(sorted(
                        b.id for b in cls(user_id).lk_branches))
            cls._lk_branches_cache.set(user_id, branches)
        return branches

    @classmethod
    def on_modification(cls, mode, users, field_names=None):
        super().on_modification(mode, users, field_names=field_names)
        if mode != 'create':
            cls._lk_branches_cache.clear()

    @classmethod
    def lk_in_groups(cls, xml_ids, user_id=None):
        "Whether the user (the transaction's by default) is in a group"
        if user_id is None or user_id == Transaction().user:
            groups = set(cls.get_groups())
        else:
            with Transaction().set_user(user_id):
                groups = set(cls.get_groups())
        return bool(groups & group_ids(xml_ids))

    @classmethod
    @without_check_access
    def lk_staff_groups(cls, user_id):
        """('module.xml_id' of the groups of the user, whether one of them
        opens the operators' cabinet); cached per set of groups"""
        pool = Pool()
        Group = pool.get('res.group')
        ModelData = pool.get('ir.model.data')
        with Transaction().set_user(user_id):
            ids = tuple(sorted(cls.get_groups()))
        cached = cls._lk_staff_groups_cache.get(ids)
        if cached is None:
            names = {'%s.%s' % (d.module, d.fs_id)
                for d in ModelData.search([
                        ('model', '=', 'res.group'),
                        ('db_id', 'in', ids),
                        ])}
            operator = bool(Group.search([
                        ('id', 'in', ids),
                        ('lk_operator', '=', True),
                        ], limit=1))
            cached = cls._lk_staff_groups_cache.set(
                ids, (tuple(sorted(names)), operator))
        names, operator = cached
        return set(names), operator

    @classmethod
    @without_check_access
    def lk_staff_login(cls, login, password):
        """Return the id of the staff user of login and password or None.

        res.user.get_login counts the attempts (per login and per IP
        network) and raises RateLimitException; its growing delay is capped
        so that an attacker cannot tie up the portal's workers."""
        transaction = Transaction()
        before = len(transaction._atexit)
        user_id = cls.get_login(login, {'password': password})
        cap = config.getfloat('lk', 'max_login_delay', default=2)
        for i, (func, args, kwargs) in enumerate(
                transaction._atexit[before:], before):
            if func is time.sleep:
                transaction._atexit[i] = (func, (min(args[0], cap),), kwargs)
        return user_id


class UserBranch(ModelSQL):
    __name__ = 'res.user-lk.branch'
    __string__ = "User - Branch"

    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE')
    branch = fields.Many2One(
        'lk.branch', "Branch", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('branch_unique', Unique(t, t.user, t.branch),
                'lk_base.msg_user_branch_unique'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.user, Index.Range()), (t.branch, Index.Range())))

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        # the branches are part of the record rules' cache key
        Pool().get('res.user')._lk_branches_cache.clear()
