# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class AnnouncementError(UserError):
    pass


class AnnouncementModificationError(AccessError):
    pass


class AnnouncementExcludedError(ValidationError):
    "The client's category may not cede power; the message says why"
