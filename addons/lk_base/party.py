# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from sql import Literal, Null
from sql.operators import Equal

from trytond.i18n import gettext
from trytond.model import Exclude, Index, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

from . import identifiers
from .exceptions import PartyIdentifierError
from .operator import OperatorAuditMixin

# The person kinds of every lk module
PERSON_KINDS = [
    ('fl', "Individual"),
    ('ul', "Legal Entity"),
    ('ip', "Sole Proprietor"),
    ]
NOTIFY_METHODS = [
    ('email', "E-mail"),
    ('sms', "SMS"),
    ('email_sms', "E-mail and SMS"),
    ('portal', "Portal only"),
    ]

# What the party erase wizard clears besides the name (152-ФЗ)
PERSONAL_FIELDS = [
    'last_name', 'first_name', 'middle_name', 'snils', 'inn', 'kpp', 'ogrn',
    'passport_series', 'passport_number', 'passport_issued_by',
    'passport_issue_date', 'head_name', 'head_position', 'bank_bik',
    'bank_name', 'bank_account', 'bank_corr_account', 'legal_address',
    'actual_address',
    ]

_FL = Eval('person_kind') == 'fl'
_UL = Eval('person_kind') == 'ul'
_IP = Eval('person_kind') == 'ip'


class Party(OperatorAuditMixin, metaclass=PoolMeta):
    __name__ = 'party.party'

    person_kind = fields.Selection(
        [(None, '')] + PERSON_KINDS, "Person Kind", sort=False,
        help="Individual (ФЛ), legal entity (ЮЛ) or sole proprietor (ИП).")
    person_kind_string = person_kind.translated('person_kind')
    last_name = fields.Char(
        "Last Name", states={'invisible': ~_FL, 'required': _FL})
    first_name = fields.Char(
        "First Name", states={'invisible': ~_FL, 'required': _FL})
    middle_name = fields.Char(
        "Middle Name", states={'invisible': ~_FL})
    snils = fields.Char(
        "SNILS", size=11, states={'invisible': ~_FL},
        help="Insurance number of the individual (СНИЛС), 11 digits.")
    inn = fields.Char(
        "INN", size=12,
        states={'required': _UL | _IP},
        help="Taxpayer number (ИНН): 10 digits for a legal entity, "
        "12 for a person.")
    kpp = fields.Char(
        "KPP", size=9, states={'invisible': ~_UL, 'required': _UL},
        help="Tax registration reason code (КПП) of a legal entity.")
    ogrn = fields.Char(
        "OGRN", size=15, states={'invisible': ~(_UL | _IP)},
        help="State registration number: ОГРН (13 digits) or ОГРНИП (15).")
    passport_series = fields.Char(
        "Passport Series", size=4, states={'invisible': ~(_FL | _IP)})
    passport_number = fields.Char(
        "Passport Number", size=6, states={'invisible': ~(_FL | _IP)})
    passport_issued_by = fields.Char(
        "Passport Issued By", states={'invisible': ~(_FL | _IP)})
    passport_issue_date = fields.Date(
        "Passport Issue Date", states={'invisible': ~(_FL | _IP)})
    head_name = fields.Char(
        "Head", states={'invisible': ~_UL},
        help="Full name of the head of the legal entity.")
    head_position = fields.Char(
        "Head Position", states={'invisible': ~_UL})
    public_procurement = fields.Boolean(
        "Public Procurement Customer", states={'invisible': _FL},
        help="Buys under the public procurement law (44-ФЗ, 223-ФЗ): "
        "longer terms apply, e.g. to pay an offer.")
    bank_bik = fields.Char("BIK", size=9)
    bank_name = fields.Char("Bank")
    bank_account = fields.Char("Settlement Account", size=20)
    bank_corr_account = fields.Char("Correspondent Account", size=20)
    legal_address = fields.Char("Legal Address")
    actual_address = fields.Char("Actual Address")
    branch = fields.Many2One(
        'lk.branch', "Branch", ondelete='RESTRICT',
        help="The branch of the grid company serving the client.")
    notify_from = fields.Time("Notify From", required=True)
    notify_to = fields.Time("Notify To", required=True)
    notify_method = fields.Selection(
        NOTIFY_METHODS, "Delivery Method", required=True)
    notify_method_string = notify_method.translated('notify_method')
    greeting_name = fields.Function(
        fields.Char("Greeting Name"), 'get_greeting_name')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('lk_snils_unique',
                Exclude(t, (t.snils, Equal),
                    where=(t.snils != Null) & (t.active == Literal(True))),
                'lk_base.msg_party_snils_unique'),
            ('lk_inn_kpp_unique',
                Exclude(t, (t.inn, Equal), (t.kpp, Equal),
                    where=(t.kpp != Null) & (t.active == Literal(True))),
                'lk_base.msg_party_inn_kpp_unique'),
            ('lk_inn_ip_unique',
                Exclude(t, (t.inn, Equal),
                    where=(t.person_kind == 'ip')
                    & (t.active == Literal(True))),
                'lk_base.msg_party_inn_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.snils, Index.Equality(cardinality='high'))),
                Index(t, (t.inn, Index.Equality(cardinality='high'))),
                Index(t, (t.branch, Index.Range())),
                Index(t, (t.passport_number, Index.Equality()),
                    (t.passport_series, Index.Equality())),
                Index(t, (t.person_kind, Index.Equality(cardinality='low'))),
                Index(t, (t.name, Index.Similarity())),
                # «contains» of the operators' application list (trigram)
                Index(t, (t.snils, Index.Similarity())),
                Index(t, (t.inn, Index.Similarity())),
                })
        for field in (cls.first_name, cls.last_name, cls.middle_name):
            field.depends.add('person_kind')

    @staticmethod
    def default_notify_from():
        return dt.time(0, 0, 0)

    @staticmethod
    def default_notify_to():
        return dt.time(23, 59, 59)

    @staticmethod
    def default_notify_method():
        return 'email'

    def get_greeting_name(self, name):
        return self.lk_greeting_name(
            self.person_kind, self.first_name, self.middle_name, self.name)

    @staticmethod
    def lk_greeting_name(person_kind, first_name, middle_name, name):
        "How the portal greets a party: «Имя Отчество» of a person"
        if person_kind == 'fl' and first_name:
            return ' '.join(filter(None, [first_name, middle_name]))
        return name

    @fields.depends('person_kind', 'last_name', 'first_name', 'middle_name')
    def on_change_with_name(self):
        if self.person_kind == 'fl':
            return self.join_name(
                self.last_name, self.first_name, self.middle_name)
        return getattr(self, 'name', None)

    @fields.depends(methods=['on_change_with_name'])
    def on_change_last_name(self):
        self.name = self.on_change_with_name()

    on_change_first_name = on_change_last_name
    on_change_middle_name = on_change_last_name

    @staticmethod
    def join_name(last_name, first_name, middle_name):
        return ' '.join(filter(None, [last_name, first_name, middle_name]))

    @property
    def lk_identifier(self):
        "The identifier the client logs in with and is searched by"
        if self.person_kind == 'fl':
            return identifiers.format_snils(self.snils or '')
        if self.person_kind == 'ul':
            return '%s / %s' % (self.inn or '', self.kpp or '')
        return self.inn or ''

    @classmethod
    def search_rec_name(cls, name, clause):
        domain = super().search_rec_name(name, clause)
        _, operator, value = clause[:3]
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op, domain,
            ('snils', operator, value),
            ('inn', operator, value),
            ]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        # On write on_modification renames: values may lack the name parts
        if mode == 'create' and (
                values.get('person_kind') == 'fl' or 'last_name' in values):
            values.setdefault('name', cls.join_name(
                    values.get('last_name'), values.get('first_name'),
                    values.get('middle_name')))
        for name, check in [
                ('snils', identifiers._digits),
                ('inn', identifiers._digits),
                ('ogrn', identifiers._digits),
                ('kpp', lambda v: identifiers._digits(v).upper()),
                ]:
            if values.get(name):
                values[name] = check(values[name])
        for name in ('snils', 'inn', 'kpp', 'ogrn'):
            if name in values and not values[name]:
                values[name] = None
        return values

    @classmethod
    def on_modification(cls, mode, parties, field_names=None):
        super().on_modification(mode, parties, field_names=field_names)
        names = {'last_name', 'first_name', 'middle_name'}
        if mode == 'write' and field_names & names:
            to_save = []
            for party in parties:
                if party.person_kind == 'fl':
                    name = cls.join_name(
                        party.last_name, party.first_name, party.middle_name)
                    if party.name != name:
                        party.name = name
                        to_save.append(party)
            cls.save(to_save)

    @classmethod
    def validate_fields(cls, parties, field_names):
        super().validate_fields(parties, field_names)
        cls.check_lk_identifiers(parties, field_names)

    @classmethod
    def check_lk_identifiers(cls, parties, field_names=None):
        checked = {
            'person_kind', 'snils', 'inn', 'kpp', 'ogrn', 'bank_bik',
            'bank_account', 'bank_corr_account', 'passport_series',
            'passport_number'}
        if field_names and not (field_names & checked):
            return
        for party in parties:
            try:
                party._check_lk_identifiers()
            except identifiers.InvalidIdentifier as exception:
                raise PartyIdentifierError(gettext(
                        'lk_base.' + exception.key,
                        party=party.rec_name)) from exception

    def _check_lk_identifiers(self):
        if self.snils:
            identifiers.check_snils(self.snils)
        if self.inn:
            identifiers.check_inn(self.inn, self.person_kind)
        if self.kpp:
            identifiers.check_kpp(self.kpp)
        if self.ogrn:
            identifiers.check_ogrn(self.ogrn, self.person_kind)
        if self.bank_bik:
            identifiers.check_bik(self.bank_bik)
        if self.bank_account:
            identifiers.check_settlement_account(
                self.bank_account, self.bank_bik or '')
        if self.bank_corr_account:
            identifiers.check_correspondent_account(
                self.bank_corr_account, self.bank_bik or '')
        if self.passport_series or self.passport_number:
            identifiers.check_passport(
                self.passport_series or '', self.passport_number or '')

    def set_contact(self, type_, value):
        "Make value the first contact mechanism of type_ (e-mail, phone…)"
        pool = Pool()
        ContactMechanism = pool.get('party.contact_mechanism')
        existing = [m for m in self.contact_mechanisms if m.type == type_]
        if value and type_ in {'phone', 'mobile'}:
            # Russian numbers typed as 8XXXXXXXXXX are valid for the portal
            # but party validates them without a default country
            try:
                value = identifiers.check_phone(value)
            except identifiers.InvalidIdentifier:
                pass
        if not value:
            ContactMechanism.delete(existing)
            return
        if existing:
            mechanism = existing[0]
            mechanism.value = value
        else:
            mechanism = ContactMechanism(party=self, type=type_, value=value)
        mechanism.save()


class PartyIdentifier(metaclass=PoolMeta):
    __name__ = 'party.identifier'

    @classmethod
    def get_types(cls):
        return super().get_types() + [('ru_snils', "Russian SNILS")]

    @fields.depends('type', 'code')
    def check_code(self):
        if self.type == 'ru_snils':
            try:
                identifiers.check_snils(self.code)
            except identifiers.InvalidIdentifier as exception:
                raise PartyIdentifierError(gettext(
                        'lk_base.' + exception.key,
                        party=self.party.rec_name if self.party else ''))
        else:
            super().check_code()


class Replace(metaclass=PoolMeta):
    __name__ = 'party.replace'

    @classmethod
    def fields_to_replace(cls):
        return super().fields_to_replace() + [
            ('lk.notification', 'party'),
            ('lk.pd.consent', 'party'),
            ('lk.profile.change.request', 'party'),
            ]


class Erase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        pool = Pool()
        Party = pool.get('party.party')
        Notification = pool.get('lk.notification')
        RequestLine = pool.get('lk.profile.change.request.line')
        return super().to_erase(party_id) + [
            (Party, [('id', '=', party_id)], False,
                PERSONAL_FIELDS, [None] * len(PERSONAL_FIELDS)),
            (Notification, [('party', '=', party_id)], True,
                ['body', 'link'], [None, None]),
            (RequestLine, [('request.party', '=', party_id)], False,
                ['old_value', 'new_value'], [None, None]),
            ]
