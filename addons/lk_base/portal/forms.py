# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Forms of the portal core: sign-in, registration, recovery, profile.

Identifier checks are the ones the ORM applies (lk_base.identifiers), their
messages the module's translated ir.message texts, so the client reads the
same words on the form as the back office would show.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateField, EmailField, IntegerField, PasswordField,
    RadioField, SelectField, SelectMultipleField, StringField, TextAreaField,
    TimeField)
from wtforms.validators import (
    DataRequired, EqualTo, InputRequired, Length, Optional,
    Regexp, ValidationError)

from trytond.i18n import gettext as tryton_gettext

from .. import identifiers

PERSON_KINDS = [
    ('fl', _l('Individual')),
    ('ul', _l('Legal entity')),
    ('ip', _l('Sole proprietor')),
    ]
REQUIRED = _l('This field is required.')
# Syntax only: Tryton's own check of web.user e-mails runs on save, and a
# DNS lookup has no place in a form (it fails offline and leaks timing).
EMAIL = r'^[^@\s]+@[^@\s]+\.[^@\s]+$'
# Times as the seed shows them (00:00:00 – 23:59:59), whatever the browser
TIME_FORMATS = ['%H:%M:%S', '%H:%M']
TIME_INPUT = {'type': 'text', 'inputmode': 'numeric', 'placeholder': '00:00',
    'pattern': '[0-2][0-9]:[0-5][0-9](:[0-5][0-9])?'}


def tryton_message(key):
    return tryton_gettext('lk_base.' + key)


class Identifier:
    "Validate with an identifiers.check_* function and keep its compact form"

    def __init__(self, check, kind_field=None):
        self.check = check
        self.kind_field = kind_field

    def __call__(self, form, field):
        if not field.data:
            return
        args = [field.data]
        if self.kind_field:
            args.append(getattr(form, self.kind_field).data)
        try:
            field.data = self.check(*args)
        except identifiers.InvalidIdentifier as exception:
            raise ValidationError(tryton_message(exception.key))


class Phone(Identifier):
    def __init__(self):
        super().__init__(identifiers.check_phone)


def _required_for(form, names):
    ok = True
    for name in names:
        field = getattr(form, name)
        if not (field.data or '').strip():
            field.errors.append(REQUIRED)
            ok = False
    return ok


class KindIdentifierMixin:
    "Вид лица + СНИЛС / ИНН (+ КПП for a legal entity)"
    person_kind = RadioField(
        _l('Person kind'), choices=PERSON_KINDS, default='fl',
        validators=[InputRequired(REQUIRED)])
    snils = StringField(
        _l('SNILS'), validators=[Identifier(identifiers.check_snils)],
        render_kw={'placeholder': _l('SNILS (11 digits)'),
            'inputmode': 'numeric', 'autocomplete': 'username'})
    inn = StringField(
        _l('INN'),
        validators=[Identifier(identifiers.check_inn, 'person_kind')],
        render_kw={'inputmode': 'numeric'})
    kpp = StringField(
        _l('KPP'), validators=[Identifier(identifiers.check_kpp)])

    def identifier_fields(self):
        return {
            'fl': ['snils'],
            'ul': ['inn', 'kpp'],
            'ip': ['inn'],
            }.get(self.person_kind.data, [])

    def validate_identifier(self):
        return _required_for(self, self.identifier_fields())


class LoginForm(KindIdentifierMixin, FlaskForm):
    password = PasswordField(
        _l('Password'), validators=[DataRequired(REQUIRED)],
        render_kw={'autocomplete': 'current-password'})

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        return self.validate_identifier() and ok


class RegistrationForm(KindIdentifierMixin, FlaskForm):
    last_name = StringField(_l('Last name'), validators=[Length(max=100)])
    first_name = StringField(_l('First name'), validators=[Length(max=100)])
    middle_name = StringField(
        _l('Middle name'), validators=[Length(max=100)])
    name = StringField(
        _l('Organisation name'), validators=[Length(max=300)])
    head_name = StringField(
        _l('Head of the organisation (full name)'),
        validators=[Length(max=200)])
    ogrn = StringField(
        _l('OGRNIP'),
        validators=[Identifier(identifiers.check_ogrn, 'person_kind')])
    email = EmailField(
        _l('E-mail'), validators=[
            DataRequired(REQUIRED),
            Regexp(EMAIL, message=_l('Enter a valid e-mail address.')),
            Length(max=200)],
        render_kw={'autocomplete': 'email'})
    mobile = StringField(
        _l('Mobile phone'), validators=[Optional(), Phone()],
        render_kw={'placeholder': '+7 913 123-45-67', 'inputmode': 'tel',
            'autocomplete': 'tel'})
    branch = SelectField(
        _l('Branch'), coerce=int, validators=[InputRequired(REQUIRED)])
    password = PasswordField(
        _l('Password'), validators=[DataRequired(REQUIRED)],
        render_kw={'autocomplete': 'new-password'})
    password2 = PasswordField(
        _l('Repeat the password'), validators=[
            DataRequired(REQUIRED),
            EqualTo('password', _l('The passwords do not match.'))],
        render_kw={'autocomplete': 'new-password'})
    consent = BooleanField(
        _l('I consent to the processing of my personal data'),
        validators=[DataRequired(
                _l('Registration requires the consent to personal data '
                    'processing.'))])

    def person_fields(self):
        return {
            'fl': ['last_name', 'first_name', 'middle_name'],
            'ul': ['name', 'head_name'],
            'ip': ['name'],
            }.get(self.person_kind.data, [])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        ok = self.validate_identifier() and ok
        return _required_for(self, self.person_fields()) and ok

    def values(self):
        "The cleaned values web.user.lk_register expects"
        kind = self.person_kind.data
        fields = self.identifier_fields() + self.person_fields()
        if kind == 'ip':
            fields.append('ogrn')
        values = {f: (getattr(self, f).data or '').strip() or None
            for f in fields}
        values.update({
                'person_kind': kind,
                'email': self.email.data.strip().lower(),
                'mobile': self.mobile.data or None,
                'branch': self.branch.data,
                'password': self.password.data if self.password else None,
                })
        return values


class ResetRequestForm(KindIdentifierMixin, FlaskForm):

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        return self.validate_identifier() and ok


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l('New password'), validators=[DataRequired(REQUIRED)],
        render_kw={'autocomplete': 'new-password'})
    password2 = PasswordField(
        _l('Repeat the password'), validators=[
            DataRequired(REQUIRED),
            EqualTo('password', _l('The passwords do not match.'))],
        render_kw={'autocomplete': 'new-password'})


class NotificationSettingsForm(FlaskForm):
    notify_from = TimeField(
        _l('Receive from'), format=TIME_FORMATS,
        validators=[InputRequired(REQUIRED)], render_kw=TIME_INPUT)
    notify_to = TimeField(
        _l('until'), format=TIME_FORMATS,
        validators=[InputRequired(REQUIRED)], render_kw=TIME_INPUT)
    notify_method = SelectField(
        _l('Delivery method'), validators=[InputRequired(REQUIRED)])


class ProfileChangeForm(FlaskForm):
    "Identity data: changed only through a request that staff review"
    last_name = StringField(_l('Last name'), validators=[Length(max=100)])
    first_name = StringField(_l('First name'), validators=[Length(max=100)])
    middle_name = StringField(
        _l('Middle name'), validators=[Length(max=100)])
    name = StringField(
        _l('Organisation name'), validators=[Length(max=300)])
    head_name = StringField(_l('Head'), validators=[Length(max=200)])
    head_position = StringField(
        _l('Head position'), validators=[Length(max=200)])
    passport_series = StringField(
        _l('Passport series'), validators=[Length(max=4)])
    passport_number = StringField(
        _l('Passport number'), validators=[Length(max=6)])
    passport_issued_by = StringField(
        _l('Issued by'), validators=[Length(max=300)])
    passport_issue_date = DateField(
        _l('Issue date'), validators=[Optional()])
    bank_bik = StringField(
        _l('BIK'), validators=[Identifier(identifiers.check_bik)])
    bank_name = StringField(_l('Bank'), validators=[Length(max=200)])
    bank_account = StringField(_l('Settlement account'))
    bank_corr_account = StringField(_l('Correspondent account'))
    legal_address = StringField(
        _l('Legal address'), validators=[Length(max=300)])
    actual_address = StringField(
        _l('Actual address'), validators=[Length(max=300)])
    email = EmailField(
        _l('E-mail'), validators=[
            DataRequired(REQUIRED),
            Regexp(EMAIL, message=_l('Enter a valid e-mail address.'))])
    mobile = StringField(
        _l('Mobile phone'), validators=[Optional(), Phone()])
    phone = StringField(_l('Phone'), validators=[Optional(), Phone()])
    comment = TextAreaField(
        _l('Comment for the reviewer'), validators=[Length(max=2000)])

    KIND_FIELDS = {
        'fl': ['last_name', 'first_name', 'middle_name', 'passport_series',
            'passport_number', 'passport_issued_by', 'passport_issue_date'],
        'ul': ['name', 'head_name', 'head_position'],
        'ip': ['name', 'passport_series', 'passport_number',
            'passport_issued_by', 'passport_issue_date'],
        }
    COMMON_FIELDS = [
        'legal_address', 'actual_address', 'bank_bik', 'bank_name',
        'bank_account', 'bank_corr_account', 'email', 'mobile', 'phone']

    def fields_for(self, kind):
        return self.KIND_FIELDS.get(kind, []) + self.COMMON_FIELDS

    def validate_bank(self):
        "Accounts are keyed with the БИК: check them together"
        ok = True
        for name, check in [
                ('bank_account', identifiers.check_settlement_account),
                ('bank_corr_account', identifiers.check_correspondent_account),
                ]:
            field = getattr(self, name)
            if field.data:
                try:
                    field.data = check(field.data, self.bank_bik.data or '')
                except identifiers.InvalidIdentifier as exception:
                    field.errors.append(tryton_message(exception.key))
                    ok = False
        if self.passport_series.data or self.passport_number.data:
            try:
                identifiers.check_passport(
                    self.passport_series.data or '',
                    self.passport_number.data or '')
            except identifiers.InvalidIdentifier as exception:
                field = (self.passport_series
                    if 'series' in exception.key else self.passport_number)
                field.errors.append(tryton_message(exception.key))
                ok = False
        return ok

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        return self.validate_bank() and ok

    def changes(self, kind):
        values = {}
        for name in self.fields_for(kind):
            data = getattr(self, name).data
            if hasattr(data, 'isoformat'):
                data = data.isoformat()
            values[name] = (data or '').strip() or None
        return values


class MessageForm(FlaskForm):
    subject = StringField(
        _l('Subject'), validators=[DataRequired(REQUIRED), Length(max=200)])
    body = TextAreaField(
        _l('Message'), validators=[DataRequired(REQUIRED), Length(max=5000)])


class NotificationFilterForm(FlaskForm):
    class Meta:
        csrf = False
    date = DateField(_l('Notifications on date'), validators=[Optional()])


class CounterRegistrationForm(RegistrationForm):
    """Registration of a client by an operator at the counter: the same
    fields and checks, no password (the client sets it by the e-mailed
    link), the consent signed on paper."""
    password = None
    password2 = None
    consent = BooleanField(
        _l('The client has signed the consent to personal data processing '
            'on paper'),
        validators=[DataRequired(
                _l('Registration requires the consent to personal data '
                    'processing.'))])


class StaffLoginForm(FlaskForm):
    login = StringField(
        _l('Login'), validators=[DataRequired(REQUIRED), Length(max=100)],
        render_kw={'autocomplete': 'username'})
    password = PasswordField(
        _l('Password'), validators=[DataRequired(REQUIRED)],
        render_kw={'autocomplete': 'current-password'})


def optional_int(value):
    "coerce of a select whose first choice '' means «any»"
    return int(value) if value not in (None, '') else None


class ClientFilterForm(FlaskForm):
    "The search form of the operators' client list (GET)"
    class Meta:
        csrf = False
    date_from = DateField(_l('Created from'), validators=[Optional()])
    date_to = DateField(_l('to'), validators=[Optional()])
    person_kind = SelectField(
        _l('Person kind'), choices=[('', _l('Person kind'))] + PERSON_KINDS,
        validators=[Optional()])
    identifier = StringField(
        _l('SNILS/INN'), validators=[Optional(), Length(max=30)],
        render_kw={'placeholder': _l('SNILS or INN'),
            'inputmode': 'numeric'})
    roles = SelectMultipleField(
        _l('Roles'), coerce=int, validators=[Optional()])
    name = StringField(
        _l('Full name / organisation'), validators=[Optional(),
            Length(max=200)],
        render_kw={'placeholder': _l('Full name / organisation')})
    email = StringField(
        _l('E-mail'), validators=[Optional(), Length(max=200)],
        render_kw={'placeholder': _l('E-mail')})
    branch = SelectField(
        _l('Branch'), coerce=optional_int, validators=[Optional()])
    client_id = IntegerField(
        _l('ID'), validators=[Optional()],
        render_kw={'placeholder': _l('ID'), 'inputmode': 'numeric'})
    passport_series = StringField(
        _l('Series'), validators=[Optional(), Length(max=4)],
        render_kw={'placeholder': _l('Series'), 'inputmode': 'numeric'})
    passport_number = StringField(
        _l('Number'), validators=[Optional(), Length(max=6)],
        render_kw={'placeholder': _l('Number'), 'inputmode': 'numeric'})
    activated = SelectField(
        _l('Activated'), choices=[
            ('', _l('All')), ('yes', _l('Yes')), ('no', _l('No'))],
        validators=[Optional()])

    def filters(self):
        "The valid filters for web.user.lk_operator_domain"
        from .core import form_filters
        filters = form_filters(self)
        if 'client_id' in filters:
            filters['id'] = filters.pop('client_id')
        return filters


class RolesForm(FlaskForm):
    roles = SelectMultipleField(_l('Roles'), coerce=int)
