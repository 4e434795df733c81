# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class ApplicationError(UserError):
    pass


class ApplicationModificationError(AccessError):
    pass


class ApplicationAccessError(AccessError):
    "The user may not take the edge of the workflow"


class ApplicationValidationError(ValidationError):
    "A value the client typed is wrong; `field` names the form field"

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class HandoverError(Exception):
    "The internal document system did not take an event; it is retried"


class HandoverConfigurationError(UserError):
    "The hand-over cannot start as configured"


class AssetValidationError(ValidationError):
    pass
