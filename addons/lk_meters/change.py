# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The client's requests to correct the data of a meter: staff approve
them (the change is applied) or reject them with a reason, and the client
is notified either way."""
from decimal import Decimal, InvalidOperation

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import without_check_access

from trytond.modules.lk_base.operator import AuthorMixin

FIELDS = [
    ('number', "Meter Number"),
    ('model', "Model"),
    ('address', "Installation Address"),
    ('reading', "Wrong Reading"),
    ]


class ChangeRequest(AuthorMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'lk.meter.change.request'
    __string__ = "Meter Data Change Request"

    party = fields.Many2One(
        'party.party', "Client", required=True, ondelete='CASCADE',
        readonly=True)
    meter = fields.Many2One(
        'lk.meter', "Meter", required=True, ondelete='CASCADE',
        readonly=True)
    field = fields.Selection(FIELDS, "What to Correct", required=True,
        readonly=True, sort=False)
    field_string = field.translated('field')
    reading = fields.Many2One(
        'lk.meter.reading', "Reading", ondelete='CASCADE', readonly=True,
        domain=[('meter', '=', Eval('meter', -1))],
        states={
            'invisible': Eval('field') != 'reading',
            'required': Eval('field') == 'reading',
            })
    current_value = fields.Char("Current Value", readonly=True)
    new_value = fields.Char("Correct Value", required=True, readonly=True)
    comment = fields.Text("Comment", readonly=True)
    state = fields.Selection([
            ('pending', "Pending"),
            ('approved', "Approved"),
            ('rejected', "Rejected"),
            ], "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')
    rejection_reason = fields.Text(
        "Rejection Reason",
        states={
            'readonly': Eval('state') != 'pending',
            })

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('meter')
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('pending', 'approved'),
            ('pending', 'rejected'),
            }
        cls._buttons.update({
                'approve': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                'reject': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'pending'

    @classmethod
    def default_party(cls):
        from trytond.transaction import Transaction
        parties = Transaction().context.get('web_parties') or []
        return parties[0] if parties else None

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Meter = pool.get('lk.meter')
        Reading = pool.get('lk.meter.reading')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('meter') and values.get('field'):
            if values['field'] == 'reading':
                if values.get('reading'):
                    values['current_value'] = '{:f}'.format(
                        Reading(values['reading']).value.normalize())
            else:
                meter = Meter(values['meter'])
                values['current_value'] = getattr(
                    meter, values['field']) or ''
        return values

    @classmethod
    def validate_fields(cls, requests, field_names):
        super().validate_fields(requests, field_names)
        for request in requests:
            if request.field == 'reading':
                try:
                    value = Decimal(request.new_value.replace(',', '.'))
                except (InvalidOperation, AttributeError):
                    value = None
                if value is None or value < 0:
                    raise ValidationError(gettext(
                            'lk_meters.msg_change_reading_invalid'))
                if request.reading and request.reading.meter != request.meter:
                    raise ValidationError(gettext(
                            'lk_meters.msg_change_reading_meter'))

    def apply(self):
        "Write the correct value where it belongs"
        pool = Pool()
        Meter = pool.get('lk.meter')
        Reading = pool.get('lk.meter.reading')
        if self.field == 'reading':
            Reading.correct(
                self.reading, Decimal(self.new_value.replace(',', '.')))
        else:
            Meter.write([self.meter], {self.field: self.new_value})

    def notify_client(self, state):
        pool = Pool()
        Notification = pool.get('lk.notification')
        if state == 'approved':
            body = gettext('lk_meters.msg_change_approved_body',
                meter=self.meter.number, field=self.field_string,
                value=self.new_value)
        else:
            body = gettext('lk_meters.msg_change_rejected_body',
                meter=self.meter.number, field=self.field_string,
                reason=self.rejection_reason)
        Notification.notify(self.party, gettext(
                'lk_meters.msg_change_subject', meter=self.meter.number),
            body, link='/my/meters/change-requests')

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, requests):
        with without_check_access():
            for request in requests:
                request.apply()
        for request in requests:
            request.notify_client('approved')

    @classmethod
    @ModelView.button
    @Workflow.transition('rejected')
    def reject(cls, requests):
        for request in requests:
            if not request.rejection_reason:
                raise ValidationError(gettext(
                        'lk_meters.msg_change_reason_required'))
        for request in requests:
            request.notify_client('rejected')
