# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Jinja filters for Russian formats of dates, money, phones and ids."""
import datetime as dt
import zoneinfo
from decimal import Decimal

from babel.numbers import format_currency, format_decimal
from flask import current_app
from flask_babel import get_locale

from ..identifiers import format_phone, format_snils


def _local(value):
    "Tryton stores naive UTC timestamps; show them in the portal's zone"
    tz = zoneinfo.ZoneInfo(current_app.config['BABEL_DEFAULT_TIMEZONE'])
    return value.replace(tzinfo=dt.timezone.utc).astimezone(tz)


def date(value):
    if not value:
        return ''
    if isinstance(value, dt.datetime):
        value = _local(value)
    return value.strftime('%d.%m.%Y')


def datetime(value):
    if not value:
        return ''
    return _local(value).strftime('%d.%m.%Y %H:%M:%S')


def time(value):
    return value.strftime('%H:%M') if value else ''


def money(value, currency='RUB'):
    if value is None:
        return ''
    return format_currency(
        Decimal(value), currency, locale=str(get_locale() or 'ru'))


def number(value):
    if value is None:
        return ''
    return format_decimal(value, locale=str(get_locale() or 'ru'))


def init_app(app):
    app.jinja_env.filters.update(
        date=date, datetime=datetime, time=time, money=money,
        number=number, phone=format_phone, snils=format_snils)
