# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class PartyIdentifierError(ValidationError):
    pass


class RegistrationError(UserError):
    pass


class PasswordPolicyError(ValidationError):
    pass


class BranchScopeError(RegistrationError):
    "A registration at the counter outside the operator's branches"


class ProfileChangeError(UserError):
    pass


class DeliveryError(Exception):
    "A notification could not be delivered now; it will be retried"


class DemoWriteError(AccessError):
    pass


class OperatorError(UserError):
    pass


class FileError(ValidationError):
    "An uploaded file of a type not accepted or too large"
