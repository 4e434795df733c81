# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Forms of the application steps, the remark and the list filter.

One form per step of the kind's form (Реквизиты и контакты → Объект →
Технические данные → Документы); the scans of the documents step are read
from request.files and checked by the model (content and size).
"""
import datetime as dt

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

from ..asset import LINES as ASSET_LINES
from ..asset import STATIONS as ASSET_STATIONS

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


class AssetForm(FlaskForm):
    """One transferred grid object, added to the application's list by
    «Выбрать»; kind and voltage choices come from lk.application.asset"""
    kind = SelectField(
        _l('Kind of object'), validators=[DataRequired(REQUIRED)])
    voltage = SelectField(_l('Voltage'), validators=[Optional()])
    length = DecimalField(
        _l('Length (m)'), places=None,
        validators=[Optional(), NumberRange(
                min=0.1, max=1000000,
                message=_l('Enter a length from 0.1 to 1 000 000 m.'))],
        render_kw={'inputmode': 'decimal'})
    capacity = DecimalField(
        _l('Capacity (kVA)'), places=None,
        validators=[Optional(), NumberRange(
                min=0.1, max=1000000,
                message=_l('Enter a capacity from 0.1 to 1 000 000 kVA.'))],
        render_kw={'inputmode': 'decimal'})
    address = StringField(
        _l('Address of the object'),
        validators=[DataRequired(REQUIRED), Length(max=500)],
        render_kw={'placeholder': _l(
                'e.g. с. Кожаны, ул. Лесная, опоры № 1–12')})
    description = StringField(
        _l('Description'), validators=[Optional(), Length(max=300)],
        render_kw={'placeholder': _l('e.g. ВЛ-0,4 кВ Ф-3, провод СИП-2')})

    def validate(self, extra_validators=None):
        # what the kind needs; the fields are Optional for the other kinds
        ok = super().validate(extra_validators)
        kind = self.kind.data
        for needed, field, message in [
                (kind != 'other', self.voltage, REQUIRED),
                (kind in ASSET_LINES, self.length,
                    _l('Enter the length of the line.')),
                (kind in ASSET_STATIONS, self.capacity,
                    _l('Enter the capacity of the substation.')),
                ]:
            if needed and field.data in (None, '') and not field.errors:
                field.errors.append(message)
                ok = False
        return ok

    def typed(self):
        "Has the client typed an object (not only left the choices)?"
        return any((f.raw_data or [''])[0].strip() for f in [
                self.length, self.capacity, self.address, self.description])

    def values(self):
        "The values of lk.application.asset"
        kind = self.kind.data
        return {
            'kind': kind,
            'voltage': self.voltage.data or None,
            'length': self.length.data if kind in ASSET_LINES else None,
            'capacity': (
                self.capacity.data if kind in ASSET_STATIONS else None),
            'address': self.address.data.strip(),
            'description': (self.description.data or '').strip() or None,
            }


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


class SearchDateField(DateField):
    "A date typed as the date input sends it or as dd.mm.yyyy"

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(
            label, validators, format=['%Y-%m-%d', '%d.%m.%Y'], **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l('Enter the date as dd.mm.yyyy.'))


class FilterForm(FlaskForm):
    "The seed's search of the client's lists: Искать с / По / Статус"
    class Meta:
        csrf = False
    date_from = SearchDateField(_l('Search from'), validators=[Optional()])
    date_to = SearchDateField(_l('To'), validators=[Optional()])
    state = SelectField(_l('Status'), validators=[Optional()])
    q = StringField(
        _l('Application number'), validators=[Optional(), Length(max=30)],
        render_kw={'inputmode': 'numeric'})

    def validate_date_to(self, field):
        if (field.data and self.date_from.data
                and field.data < self.date_from.data):
            raise ValidationError(_l('The end date is before the start date.'))

    def domain(self):
        "The domain of the fields that hold a valid value"
        domain = []
        if self.date_from.data and not self.date_from.errors:
            domain.append(('create_date', '>=',
                    dt.datetime.combine(self.date_from.data, dt.time.min)))
        if self.date_to.data and not self.date_to.errors:
            domain.append(('create_date', '<', dt.datetime.combine(
                        self.date_to.data + dt.timedelta(days=1),
                        dt.time.min)))
        if self.state.data and not self.state.errors:
            domain.append(('state', '=', self.state.data))
        if self.q.data and not self.q.errors:
            domain.append(('number', 'ilike', '%%%s%%' % self.q.data.strip()))
        return domain


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
    }
