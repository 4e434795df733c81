# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta
from trytond.transaction import Transaction


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    # The portal sets web_parties to the parties of the logged-in web user;
    # record rules of the portal group read it through Eval('web_parties').

    @classmethod
    def _get_cache_key(cls, model_names):
        key = super()._get_cache_key(model_names)
        return (*key, tuple(Transaction().context.get('web_parties') or ()))

    @classmethod
    def _get_context(cls, model_name):
        context = super()._get_context(model_name)
        context['web_parties'] = list(
            Transaction().context.get('web_parties') or [])
        return context


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('lk.notification.delivery|send_pending',
                "Deliver Notifications"))
