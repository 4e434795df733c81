# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The form «Добавление объявления», the board's filter and the message."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField, DecimalField, RadioField, SelectField, StringField,
    TextAreaField)
from wtforms.validators import (
    DataRequired, InputRequired, Length, NumberRange, Optional, Regexp)

from trytond.modules.lk_base.portal.forms import EMAIL, REQUIRED, Phone

KINDS = [('demand', _l('Demand')), ('offer', _l('Offer'))]


class AnnouncementForm(FlaskForm):
    kind = RadioField(
        _l('Kind of announcement'), choices=KINDS, default='demand',
        validators=[InputRequired(REQUIRED)])
    centre_name = StringField(
        _l('Name of the power centre'),
        validators=[DataRequired(REQUIRED), Length(max=200)],
        render_kw={'list': 'power-centres', 'autocomplete': 'off'})
    substation_address = StringField(
        _l('Substation address'),
        validators=[DataRequired(REQUIRED), Length(max=500)])
    power = DecimalField(
        _l('Maximum power planned for redistribution, kW'), places=None,
        validators=[InputRequired(REQUIRED), NumberRange(
                min=0.001, max=100000,
                message=_l('Enter a power from 0.001 to 100 000 kW.'))],
        render_kw={'inputmode': 'decimal'})
    connection = SelectField(
        _l('Connected power receivers whose power is offered'), coerce=int,
        choices=[], validate_choice=False)
    message = TextAreaField(
        _l('Message'), validators=[Optional(), Length(max=4000)],
        render_kw={'rows': 5})
    phone = StringField(
        _l('Phone'), validators=[Optional(), Phone()],
        render_kw={'inputmode': 'tel', 'autocomplete': 'tel',
            'placeholder': '+7 913 123-45-67'})
    email = StringField(
        _l('Mailbox'), validators=[
            Optional(),
            Regexp(EMAIL, message=_l('Enter a valid e-mail address.')),
            Length(max=200)],
        render_kw={'inputmode': 'email', 'autocomplete': 'email'})
    active_until = DateField(
        _l('Active until'), validators=[Optional()])
    contact_visibility = RadioField(
        _l('Show my phone and mailbox'), default='signed_in', choices=[
            ('signed_in', _l('to clients signed in to the personal account')),
            ('messages', _l('to nobody: only messages through the portal')),
            ])

    def set_connections(self, applications):
        "The choices of connection: the client's connected applications"
        self.connection.choices = [(0, _l(
                    'Not in the list: the moderator checks the act of '
                    'technological connection'))] + [
            (a.id, _l('%(object)s, %(address)s: %(power)s kW '
                    '(application No. %(number)s)',
                    object=a.object_name or '', address=a.object_address or '',
                    power='{:f}'.format(((a.max_power or 0)
                            + (a.previous_power or 0)).normalize()),
                    number=a.number or a.id))
            for a in applications]


class BoardFilterForm(FlaskForm):
    class Meta:
        csrf = False

    centre = StringField(
        _l('Power centre name'), validators=[Optional(), Length(max=200)])
    location = StringField(
        _l('Power centre location'),
        validators=[Optional(), Length(max=200)])
    kind = SelectField(
        _l('Type'), choices=[('', _l('All'))] + KINDS,
        validators=[Optional()])

    def domain(self):
        domain = []
        if self.centre.data and not self.centre.errors:
            domain.append(
                ('centre_name', 'ilike', '%%%s%%' % self.centre.data))
        if self.location.data and not self.location.errors:
            domain.append(
                ('substation_address', 'ilike', '%%%s%%' % self.location.data))
        if self.kind.data in {'demand', 'offer'}:
            domain.append(('kind', '=', self.kind.data))
        return domain


class MessageForm(FlaskForm):
    text = TextAreaField(
        _l('Message'), validators=[DataRequired(REQUIRED), Length(max=4000)],
        render_kw={'rows': 4})
