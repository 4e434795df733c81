# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.

from . import routes, yookassa

__all__ = ['routes', 'yookassa']
