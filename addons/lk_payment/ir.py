# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('lk.payment.poll|queue_process',
                    "Ask the Gateway the Outcome of Open Orders"),
                ('lk.payment.refund|queue_process',
                    "Send the Approved Refunds to the Gateway"),
                ('lk.payment.invoice|remind_unpaid',
                    "Remind the Clients of Invoices Due"),
                ('lk.payment.invoice|annul_unpaid',
                    "Annul the Applications of Unpaid Offers"),
                ])
