# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from trytond.modules.lk_base.portal.forms import REQUIRED

CODE = _l('Enter the 6 digits of the code.')


class CodeRequestForm(FlaskForm):
    rules = BooleanField(
        _l('I have read and accept the rules of the simple electronic '
            'signature'),
        validators=[DataRequired(_l('Accept the rules to sign.'))])


class SignForm(FlaskForm):
    code = StringField(
        _l('Code from the SMS'),
        validators=[DataRequired(REQUIRED), Regexp(r'^\s*\d{6}\s*$',
                message=CODE)],
        render_kw={'inputmode': 'numeric', 'autocomplete': 'one-time-code',
            'maxlength': 6})


class PhoneCodeForm(FlaskForm):
    pass


class PhoneVerifyForm(FlaskForm):
    code = StringField(
        _l('Code from the SMS'),
        validators=[DataRequired(REQUIRED), Regexp(r'^\s*\d{6}\s*$',
                message=CODE)],
        render_kw={'inputmode': 'numeric', 'autocomplete': 'one-time-code',
            'maxlength': 6})


class RejectForm(FlaskForm):
    comment = TextAreaField(
        _l('Why do you refuse to sign?'),
        validators=[DataRequired(REQUIRED), Length(max=2000)],
        render_kw={'rows': 3})


class AddDocumentForm(FlaskForm):
    file = FileField(_l('File'), validators=[FileRequired(REQUIRED)])
    description = StringField(
        _l('Description'), validators=[Optional(), Length(max=200)])


class VerifyForm(FlaskForm):
    number = StringField(
        _l('Signature ID'), validators=[Optional(), Length(max=32)])
    file = FileField(_l('Signed PDF'))
