# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""«Заявки по направлению приборы учета»: the meter applications run on the
applications engine (lk_applications) in a section of their own, with the
step «Вид заявки» (Прошу осуществить / В связи с) before the engine's
steps, the meter chosen from the client's linked accounts."""
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, fields, sequence_ordered)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import without_check_access

from trytond.modules.lk_applications.application import (
    EDITABLE_STATES, STEP_FIELDS)

SECTION = 'meters'
# the fields the client must fill in on each step of a meter application
STEP_FIELDS_METERS = {
    'request': ['kind', 'meter_reason'],
    'requisites': STEP_FIELDS['requisites'],
    'object': ['meter'],
    'technical': ['meter_number', 'meter_model', 'voltage'],
    }
METER_FIELDS = {
    'meter_reason', 'meter', 'meter_number', 'meter_model', 'work_date'}


class Kind(metaclass=PoolMeta):
    __name__ = 'lk.application.kind'

    meter_reasons = fields.One2Many(
        'lk.meter.application.reason', 'kind', "Reasons",
        states={
            'invisible': Eval('section') != SECTION,
            },
        help="The choices of «В связи с» of the meter applications of "
        "this kind.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.section.selection.append((SECTION, "Meter Applications"))
        cls.steps.selection.insert(0, ('request', "Kind of Application"))


class Reason(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    "«В связи с»: why a client asks for the work of a meter application"
    __name__ = 'lk.meter.application.reason'
    __string__ = "Meter Application Reason"

    kind = fields.Many2One(
        'lk.application.kind', "Kind", required=True, ondelete='CASCADE',
        domain=[('section', '=', SECTION)])
    name = fields.Char("Name", required=True, translate=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('kind')


class Application(metaclass=PoolMeta):
    __name__ = 'lk.application'

    _client_states = {
        'readonly': ~Eval('state').in_(list(EDITABLE_STATES)),
        'invisible': Eval('section') != SECTION,
        }

    section = fields.Function(
        fields.Selection('get_sections', "Section"), 'get_section',
        searcher='search_section')
    meter_reason = fields.Many2One(
        'lk.meter.application.reason', "In Connection With",
        ondelete='RESTRICT', states=_client_states,
        domain=[('kind', '=', Eval('kind', -1))])
    meter = fields.Many2One(
        'lk.meter', "Meter", ondelete='SET NULL', states=_client_states,
        domain=[('account.links.party', '=', Eval('party', -1))],
        help="A meter of the client's linked personal accounts.")
    meter_number = fields.Char(
        "Meter Number", states=_client_states,
        help="As on the meter; filled in from the chosen meter.")
    meter_model = fields.Char(
        "Meter Model", states=_client_states,
        help="The equipment; filled in from the chosen meter.")
    work_date = fields.Date(
        "Desired Date", states=_client_states,
        help="The date the client would like the work done.")

    del _client_states

    @classmethod
    def get_sections(cls):
        Kind = Pool().get('lk.application.kind')
        return Kind.fields_get(['section'])['section']['selection']

    def get_section(self, name):
        return self.kind.section

    @classmethod
    def search_section(cls, name, clause):
        return [('kind.section',) + tuple(clause[1:])]

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('//page[@id="meter_request"]', 'states', {
                    'invisible': Eval('section') != SECTION,
                    }),
            ]

    @classmethod
    def client_fields(cls):
        return super().client_fields() | METER_FIELDS

    @classmethod
    def preprocess_values(cls, mode, values):
        "The chosen meter fills in its number, model and address"
        pool = Pool()
        Meter = pool.get('lk.meter')
        values = super().preprocess_values(mode, values)
        if values.get('meter'):
            with without_check_access():
                meter = Meter(values['meter'])
                values.setdefault('meter_number', meter.number)
                values.setdefault('meter_model', meter.model)
                if not values.get('object_address'):
                    values['object_address'] = (
                        meter.address or meter.account.address)
        return values

    def required_fields(self, step):
        if self.kind.section == SECTION:
            return list(STEP_FIELDS_METERS.get(step, []))
        return super().required_fields(step)

    def step_of(self, field):
        if self.kind.section == SECTION:
            for step in self.steps:
                if field in STEP_FIELDS_METERS.get(step, []):
                    return step
            return self.steps[0]
        return super().step_of(field)

    def compute_category(self):
        # the applicant categories are those of technological connection
        if self.kind.section == SECTION:
            return
        return super().compute_category()
