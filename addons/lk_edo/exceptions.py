# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError


class EdoError(UserError):
    pass


class EdoModificationError(AccessError):
    "A sent version of a document cannot be changed"


class SigningError(UserError):
    "The client may not sign (acting on behalf, no verified phone…)"
