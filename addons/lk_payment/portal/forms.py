# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The forms of the payment pages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class FilterForm(FlaskForm):
    "«Поиск» of «Мои платежи»"
    class Meta:
        csrf = False
    q = StringField(_l('Invoice or contract number'),
        validators=[Optional(), Length(max=40)])
    state = SelectField(_l('Status'), validators=[Optional()])


class PayForm(FlaskForm):
    agree = BooleanField(
        _l('I agree with the rules of payment and refund of money.'),
        validators=[DataRequired(_l('Agree with the rules to pay.'))])


class RefundForm(FlaskForm):
    reason = TextAreaField(_l('Reason of the refund'),
        validators=[DataRequired(_l('Give the reason of the refund.')),
            Length(max=2000)])
