# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Forms of «Приборы учёта»: linking an account, the request to correct
the data of a meter. The readings form has one input per register and is
read from request.form by the view."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from trytond.modules.lk_base.portal.forms import REQUIRED


class LinkForm(FlaskForm):
    number = StringField(
        _l('Personal account number'),
        validators=[DataRequired(REQUIRED), Length(max=32)])
    name = StringField(
        _l('Full name / organisation name'),
        validators=[DataRequired(REQUIRED), Length(max=250)])


class ChangeForm(FlaskForm):
    field = SelectField(_l('What to correct'), validators=[
            DataRequired(REQUIRED)])
    reading = SelectField(_l('Reading'), validators=[Optional()],
        coerce=str)
    new_value = StringField(_l('Correct value'), validators=[
            DataRequired(REQUIRED), Length(max=250)])
    comment = TextAreaField(_l('Comment'), validators=[
            Optional(), Length(max=2000)])
