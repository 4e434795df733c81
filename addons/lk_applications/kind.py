# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields, sequence_ordered)
from trytond.model.exceptions import ValidationError
from trytond.modules.lk_base.party import PERSON_KINDS
from trytond.pyson import Eval
from trytond.transaction import Transaction

STEPS = [
    ('requisites', "Requisites and Contacts"),
    ('object', "Object"),
    ('technical', "Technical Data"),
    ('assets', "Transferred Objects"),
    ('documents', "Documents"),
    ]
CATEGORIES = [
    (None, ""),
    ('fl_15', "Individual up to 15 kW"),
    ('upto_150', "Legal entity or sole proprietor up to 150 kW"),
    ('upto_670', "From 150 to 670 kW"),
    ('from_670', "670 kW and above"),
    ('temporary', "Temporary connection"),
    ]


class Kind(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'lk.application.kind'
    __string__ = "Application Kind"

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True)
    title = fields.Char(
        "Title", required=True, translate=True,
        help="What the application asks for, as it follows «Заявка на» "
        "in the application's name.")
    section = fields.Selection([
            ('connection', "Technological Connection"),
            ('assets', "Transfer of Grid Assets"),
            ], "Section", required=True, sort=False,
        help="The portal's list and chooser of the applications of the "
        "kind; other modules add their sections.")
    group = fields.Selection([
            (None, ""),
            ('connection', "Connection of Power Receivers"),
            ('contract', "Contract and Technical Conditions"),
            ('documents', "Documents on Connection"),
            ('assets', "Transfer of Grid Assets"),
            ], "Group", sort=False,
        states={
            'required': Eval('section') == 'connection',
            'invisible': Eval('section') != 'connection',
            },
        help="The heading of the kind in the chooser of technological "
        "connection.")
    chooser = fields.Boolean(
        "Offered in the Chooser",
        help="Clients choose the kind in the portal's chooser of its "
        "section; kinds whose applications are made elsewhere (e.g. from "
        "an agreement on the board of power redistribution) are not "
        "offered.")
    workflow = fields.Selection([
            ('full', "Full Connection Process"),
            ('short', "Review and Answer"),
            ], "Workflow", required=True, sort=False,
        help="Full: contract, technical conditions, connection and acts. "
        "Review and answer: the company reviews the application and "
        "closes it with an answer.")
    steps = fields.MultiSelection(
        STEPS, "Steps", sort=False,
        help="The pages of the portal form, in this order.")
    temporary = fields.Boolean(
        "Temporary Connection",
        help="Applications of this kind are in the temporary connection "
        "category whatever the power.")
    description = fields.Text("Description", translate=True)
    documents = fields.One2Many(
        'lk.application.kind.document', 'kind', "Documents")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'lk_applications.msg_kind_code_unique'),
            ]

    @classmethod
    def __register__(cls, module):
        table_h = cls.__table_handler__(module)
        migrate_section = not table_h.column_exist('section')
        super().__register__(module)
        if migrate_section:
            # the asset transfers were told apart by their group
            table = cls.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.update(
                    [table.section], ['assets'],
                    where=table.group == 'assets'))

    @staticmethod
    def default_section():
        return 'connection'

    @staticmethod
    def default_chooser():
        return True

    @staticmethod
    def default_workflow():
        return 'full'

    @staticmethod
    def default_steps():
        return ['requisites', 'object', 'technical', 'documents']

    @staticmethod
    def default_temporary():
        return False

    @property
    def ordered_steps(self):
        "The steps in the order of the selection, which modules extend"
        return [k for k, _ in self.__class__.steps.selection
            if k in (self.steps or ())]

    def checklist(self, category, person_kind):
        "The document lines that apply to an applicant"
        return [d for d in self.documents if d.applies(category, person_kind)]

    @classmethod
    def validate_fields(cls, kinds, field_names):
        super().validate_fields(kinds, field_names)
        if {'section', 'group'} & field_names:
            for kind in kinds:
                if kind.section == 'connection' and not kind.group:
                    raise ValidationError(gettext(
                            'lk_applications.msg_kind_group_required',
                            kind=kind.rec_name))


class KindDocument(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'lk.application.kind.document'
    __string__ = "Application Kind Document"

    kind = fields.Many2One(
        'lk.application.kind', "Kind", required=True, ondelete='CASCADE')
    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True)
    required = fields.Boolean("Required")
    categories = fields.MultiSelection(
        [c for c in CATEGORIES if c[0]], "Categories",
        help="The applicant categories that must give this document; "
        "empty for all.")
    person_kinds = fields.MultiSelection(
        PERSON_KINDS, "Person Kinds",
        help="The kinds of applicant that must give this document; "
        "empty for all.")
    help = fields.Char("Help", translate=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('kind_code_unique', Unique(t, t.kind, t.code),
                'lk_applications.msg_kind_document_code_unique'),
            ]

    @staticmethod
    def default_required():
        return True

    def applies(self, category, person_kind):
        if self.categories and category not in self.categories:
            return False
        if self.person_kinds and person_kind not in self.person_kinds:
            return False
        return True

    @classmethod
    def validate_fields(cls, documents, field_names):
        super().validate_fields(documents, field_names)
        if 'code' in field_names:
            for document in documents:
                if not document.code.isidentifier():
                    raise ValidationError(gettext(
                            'lk_applications.msg_kind_document_code_invalid',
                            code=document.code))
