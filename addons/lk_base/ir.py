# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .exceptions import DemoWriteError


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    # The portal sets web_parties to the parties of the logged-in web user;
    # record rules of the portal group read it through Eval('web_parties').
    # Rules of the operator group read the branches of the staff user
    # through Eval('lk_branches'), as the company module does with
    # 'companies'.

    @classmethod
    def _get_cache_key(cls, model_names):
        pool = Pool()
        User = pool.get('res.user')
        key = super()._get_cache_key(model_names)
        return (*key, tuple(Transaction().context.get('web_parties') or ()),
            User.get_lk_branches())

    @classmethod
    def _get_context(cls, model_name):
        pool = Pool()
        User = pool.get('res.user')
        context = super()._get_context(model_name)
        context['web_parties'] = list(
            Transaction().context.get('web_parties') or [])
        context['lk_branches'] = list(User.get_lk_branches())
        return context


class ModelAccess(metaclass=PoolMeta):
    __name__ = 'ir.model.access'

    # Housekeeping of the back office (sessions, view settings,
    # preferences) stays writable for the demo account.
    DEMO_WRITABLE = ('ir.', 'res.')
    # What signing in and out writes for a read-only portal account
    PORTAL_DEMO_WRITABLE = (
        'web.user.session', 'web.user.authenticate.attempt')

    @classmethod
    def check(cls, model_name, mode='read', raise_exception=True):
        if (mode != 'read' and Transaction().check_access
                and cls._is_read_only(model_name)):
            if raise_exception:
                raise DemoWriteError(gettext('lk_base.msg_demo_read_only'))
            return False
        return super().check(
            model_name, mode=mode, raise_exception=raise_exception)

    @classmethod
    def _is_read_only(cls, model_name):
        "Whether the demo account or a read-only portal account is asking"
        if (not model_name.startswith(cls.DEMO_WRITABLE)
                and cls._is_demo_user()):
            return True
        return (model_name not in cls.PORTAL_DEMO_WRITABLE
            and cls._is_read_only_web_user())

    @classmethod
    def _is_read_only_web_user(cls):
        "Whether the portal's request is of a read-only portal account"
        pool = Pool()
        Role = pool.get('lk.role')
        web_user = Transaction().context.get('web_user')
        return bool(web_user) and Role.lk_access(web_user) == 'read_only'

    @classmethod
    def _is_demo_user(cls):
        pool = Pool()
        User = pool.get('res.user')
        user_id = Transaction().user
        return bool(user_id) and User.lk_in_groups(['lk_base.group_lk_demo'])


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('lk.notification.delivery|send_pending',
                "Deliver Notifications"))
