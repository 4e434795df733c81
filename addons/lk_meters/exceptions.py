# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class AccountLinkError(UserError):
    "The number and the name do not match an account (which is not said)"


class AccountLinkThrottled(AccountLinkError):
    "Too many wrong attempts to link an account"


class ReadingValidationError(ValidationError):
    "A reading the client typed is refused; `register` names the register"

    def __init__(self, message, register=None):
        super().__init__(message)
        self.register = register


class BillingError(Exception):
    "The billing system did not take the reading (message, status code)"
