# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('lk.application|annul_expired',
                    "Annul Applications Without Requested Documents"),
                ('lk.application.event|deliver_pending',
                    "Hand Over Applications to the Document System"),
                ])
