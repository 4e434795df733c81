# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Forms of the application steps, the remark and the list filter.

One form per step of the kind's form (Реквизиты и контакты → Объект →
Технические данные → Документы); the scans of the documents step are read
from request.files and checked by the model (content and size).
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField, DecimalField, FieldList, Form, FormField,
    RadioField, SelectField, StringField, TextAreaField)
from wtforms.validators import (
    DataRequired, InputRequired, Length, NumberRange, Optional, Regexp,
    ValidationError)

from trytond.modules.lk_base.portal.forms import (
    EMAIL, REQUIRED, Phone, optional_int)

VOLTAGES = [
    ('0.22', '0.22'),
    ('0.38', '0.38'),
    ('6', '6'),
    ('10', '10'),
    ]
RELIABILITY = [
    ('1', 'I'),
    ('2', 'II'),
    ('3', 'III'),
    ]
CADASTRAL = r'^\d{2}:\d{2}:\d{6,7}:\d{1,}$'
# files of one remark
MAX_FILES = 10


class RequisitesForm(FlaskForm):
    applicant_name = StringField(
        _l('Name of the legal entity / full name of the individual'),
        validators=[DataRequired(REQUIRED), Length(max=300)])
    applicant_phone = StringField(
        _l('Contact phone'), validators=[DataRequired(REQUIRED), Phone()],
        render_kw={'inputmode': 'tel', 'autocomplete': 'tel',
            'placeholder': '+7 913 123-45-67'})
    applicant_email = StringField(
        _l('E-mail'), validators=[
            DataRequired(REQUIRED),
            Regexp(EMAIL, message=_l('Enter a valid e-mail address.')),
            Length(max=200)],
        render_kw={'inputmode': 'email', 'autocomplete': 'email'})
    postal_address = StringField(
        _l('Postal address'),
        validators=[DataRequired(REQUIRED), Length(max=500)],
        render_kw={'autocomplete': 'street-address'})


class ObjectForm(FlaskForm):
    object_name = StringField(
        _l('Object (power receivers)'),
        validators=[DataRequired(REQUIRED), Length(max=300)],
        render_kw={'placeholder': _l('e.g. a residential house')})
    object_address = StringField(
        _l('Object address'),
        validators=[DataRequired(REQUIRED), Length(max=500)])
    cadastral_number = StringField(
        _l('Cadastral number of the land plot'),
        validators=[Optional(), Regexp(CADASTRAL, message=_l(
                    'Enter the number as 24:11:0101001:123.'))],
        render_kw={'placeholder': '24:11:0101001:123'})
    reason = TextAreaField(
        _l('Statement'), validators=[Optional(), Length(max=4000)],
        render_kw={'rows': 4})

    def __init__(self, *args, reason_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason_required = reason_required

    def validate_reason(self, field):
        if self.reason_required and not (field.data or '').strip():
            raise ValidationError(REQUIRED)


class TechnicalForm(FlaskForm):
    max_power = DecimalField(
        _l('Maximum power (kW)'), places=None,
        validators=[InputRequired(REQUIRED), NumberRange(
                min=0.001, max=100000,
                message=_l('Enter a power from 0.001 to 100 000 kW.'))],
        render_kw={'inputmode': 'decimal'})
    previous_power = DecimalField(
        _l('Previously connected power (kW)'), places=None,
        validators=[Optional(), NumberRange(
                min=0, max=100000,
                message=_l('Enter a power from 0 to 100 000 kW.'))],
        render_kw={'inputmode': 'decimal'})
    voltage = RadioField(
        _l('Voltage class (kV)'), choices=VOLTAGES,
        validators=[InputRequired(REQUIRED)])
    reliability = RadioField(
        _l('Reliability category'), choices=RELIABILITY,
        validators=[InputRequired(REQUIRED)])
    load_character = StringField(
        _l('Load character (kind of economic activity)'),
        validators=[DataRequired(REQUIRED), Length(max=300)])
    industry = StringField(
        _l('Industry'), validators=[DataRequired(REQUIRED), Length(max=300)])
    stages = TextAreaField(
        _l('Construction stages (phases)'),
        validators=[Optional(), Length(max=4000)], render_kw={'rows': 3})
    supplier = StringField(
        _l('Guaranteeing supplier'),
        validators=[DataRequired(REQUIRED), Length(max=300)])


class AssetsForm(FlaskForm):
    assets = TextAreaField(
        _l('Transferred objects'),
        validators=[DataRequired(REQUIRED), Length(max=8000)],
        render_kw={'rows': 6, 'placeholder': _l(
                'One object per line: what it is and where it is, e.g. '
                'ВЛ-0,4 кВ, 350 м, с. Кожаны, ул. Лесная')})


class FileRowForm(Form):
    "One file of a remark: Выберите файл / Описание"
    file = FileField(_l('Choose a file'))
    description = StringField(
        _l('Description'), validators=[Optional(), Length(max=200)])


class RemarkForm(FlaskForm):
    """A remark with files, one row per file. Without JavaScript the «+» and
    «×» buttons submit the form, which comes back with a row more or less
    and what was typed; lk_applications/remarks.js does it in place."""
    text = TextAreaField(
        _l('Enter a remark'),
        validators=[DataRequired(REQUIRED), Length(max=4000)],
        render_kw={'rows': 4})
    files = FieldList(
        FormField(FileRowForm), min_entries=1, max_entries=MAX_FILES)

    def edit_rows(self, action):
        "Add or remove a row for the «+» or «×» button; False otherwise"
        if action == 'add_row':
            if len(self.files) < MAX_FILES:
                self.files.append_entry()
            return True
        if action and action.startswith('remove_row_'):
            index = action[len('remove_row_'):]
            self.files.entries = [e for e in self.files.entries
                if e.name.rsplit('-', 1)[-1] != index]
            if not self.files.entries:
                self.files.append_entry()
            return True
        return False

    def uploads(self):
        "(row, file storage) of the rows with a file chosen"
        return [(row, row.form.file.data) for row in self.files
            if row.form.file.data and getattr(
                row.form.file.data, 'filename', None)]


class FilterForm(FlaskForm):
    class Meta:
        csrf = False
    q = StringField(
        _l('Application number'), validators=[Optional(), Length(max=30)],
        render_kw={'inputmode': 'numeric'})
    state = SelectField(_l('Status'), validators=[Optional()])


class OperatorFilterForm(FlaskForm):
    "The search of the operators' application list and board (GET)"
    class Meta:
        csrf = False
    branch = SelectField(
        _l('Branch'), coerce=optional_int, validators=[Optional()])
    kind = SelectField(
        _l('Kind'), coerce=optional_int, validators=[Optional()])
    state = SelectField(_l('Status'), validators=[Optional()])
    overdue = SelectField(
        _l('Overdue'), choices=[
            ('', _l('All')), ('yes', _l('Yes')), ('no', _l('No'))],
        validators=[Optional()])
    date_from = DateField(_l('Created from'), validators=[Optional()])
    date_to = DateField(_l('to'), validators=[Optional()])
    client = StringField(
        _l('Client'), validators=[Optional(), Length(max=200)],
        render_kw={'placeholder': _l('Name, SNILS or INN')})


class MoveForm(FlaskForm):
    "Moving an application to another state from the operators' pages"
    state = SelectField(
        _l('Move to'), validators=[DataRequired(REQUIRED)])
    comment = TextAreaField(
        _l('Comment'), validators=[Optional(), Length(max=2000)])


STEP_FORMS = {
    'requisites': RequisitesForm,
    'object': ObjectForm,
    'technical': TechnicalForm,
    'assets': AssetsForm,
    }
