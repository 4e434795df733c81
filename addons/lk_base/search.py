# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Building blocks of the domains of the operators' search forms.

A search form gives its valid values as a dict (`portal.core.form_filters`);
the model turns that dict into its domain with these helpers, so that every
list filters a date range and a text the same way."""
import datetime as dt

from sql.operators import ILike


def date_range(field, date_from=None, date_to=None):
    "Clauses of field (a timestamp) between two dates, both included"
    domain = []
    if date_from:
        domain.append((field, '>=', dt.datetime.combine(
                    date_from, dt.time.min)))
    if date_to:
        domain.append((field, '<', dt.datetime.combine(
                    date_to + dt.timedelta(days=1), dt.time.min)))
    return domain


def contains(fields, text):
    "A clause matching records where one of fields contains text"
    pattern = '%%%s%%' % text.strip()
    clauses = [(f, 'ilike', pattern) for f in fields]
    if len(clauses) == 1:
        return clauses[0]
    return ['OR'] + clauses


def ilike_contains(column, text):
    """An SQL condition: column (python-sql) contains text, ignoring the
    case, as search.contains's clause but on the column itself, which a
    trigram index serves on PostgreSQL"""
    return ILike(column, '%%%s%%' % text.strip())
