# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError


class PaymentError(UserError):
    pass


class GatewayError(Exception):
    "The payment gateway is down, slow or answered an error"


class PaymentPending(Exception):
    "The gateway does not know the outcome yet: ask again later"
