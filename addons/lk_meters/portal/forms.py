# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Forms of «Приборы учёта»: linking an account, the request to correct
the data of a meter, the steps of a meter application of their own. The readings form has one input per register and is
read from request.form by the view."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField, RadioField, SelectField, StringField,
    TextAreaField)
from wtforms.validators import (
    DataRequired, InputRequired, Length, Optional,
    ValidationError)

from trytond.modules.lk_applications.portal.forms import VOLTAGES
from trytond.modules.lk_base.portal.forms import REQUIRED, optional_int


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


class RequestForm(FlaskForm):
    "Step «Вид заявки» of a meter application: Прошу осуществить / В связи с"
    kind = RadioField(
        _l('I ask to carry out'), coerce=int,
        validators=[InputRequired(REQUIRED)])
    meter_reason = SelectField(
        _l('In connection with'), coerce=optional_int,
        validators=[InputRequired(REQUIRED)])

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k.id, k.name) for k in kinds]
        # one group of reasons per kind; meters.js shows the chosen one's
        self.meter_reason.choices = {None: [('', '—')]}
        self.meter_reason.choices.update({
                k.name: [(r.id, r.name) for r in k.meter_reasons]
                for k in kinds})
        self.reasons = {r.id: k.id for k in kinds for r in k.meter_reasons}

    def validate_meter_reason(self, field):
        if field.data is None:
            raise ValidationError(REQUIRED)
        if self.reasons.get(field.data) != self.kind.data:
            raise ValidationError(_l(
                    'Choose a reason of the chosen kind of application.'))


def meter_choices():
    "The meters of the client's linked accounts as choices"
    from trytond.modules.lk_base.portal.core import current_party
    from trytond.pool import Pool
    Meter = Pool().get('lk.meter')
    meters = Meter.search(
        [('account.links.party', '=', current_party().id)])
    return [('', '—')] + [(m.id, _l(
                'No. %(number)s · %(model)s · account %(account)s',
                number=m.number, model=m.model, account=m.account.number))
        for m in meters]


class MeterObjectForm(FlaskForm):
    "Step «Объект» of a meter application: the meter and its address"
    meter = SelectField(
        _l('Meter'), coerce=optional_int,
        validators=[InputRequired(REQUIRED)])
    object_address = StringField(
        _l('Installation address'), validators=[Optional(), Length(max=500)],
        render_kw={'placeholder': _l('The address of the meter')})

    def __init__(self, *args, **kwargs):
        kwargs.pop('reason_required', None)
        super().__init__(*args, **kwargs)
        self.meter.choices = meter_choices()

    def validate_meter(self, field):
        if field.data is None:
            raise ValidationError(REQUIRED)


class MeterTechnicalForm(FlaskForm):
    "Step «Технические данные» of a meter application"
    meter_number = StringField(
        _l('Meter number'),
        validators=[DataRequired(REQUIRED), Length(max=50)])
    meter_model = StringField(
        _l('Meter model (equipment)'),
        validators=[DataRequired(REQUIRED), Length(max=250)])
    voltage = RadioField(
        _l('Voltage class (kV)'), choices=VOLTAGES,
        validators=[InputRequired(REQUIRED)])
    work_date = DateField(
        _l('Desired date of the work'), validators=[Optional()])

    def validate_work_date(self, field):
        from trytond.modules.lk_base import clock
        if field.data and field.data < clock.today():
            raise ValidationError(_l('The date is in the past.'))
