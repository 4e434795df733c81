# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('lk.appointment|reject_no_shows',
                    "Reject Appointments of Clients Who Did Not Come"),
                ('lk.appointment|send_reminders',
                    "Remind Clients of Tomorrow's Appointments"),
                ])
