# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('lk.meter.billing.event|deliver_pending',
                    "Hand Over Readings to Billing"),
                ('lk.meter.account|remind_window',
                    "Remind to Submit Meter Readings"),
                ('lk.meter|remind_verification',
                    "Remind of Meter Verification"),
                ])


class UserApplication(metaclass=PoolMeta):
    __name__ = 'res.user.application'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.application.selection.append(
            ('lk_meters', "Meters Integration API"))
