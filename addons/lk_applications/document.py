# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The documents of an application: the scans of its checklist and the
files of its remarks (lk_edo extends them with the contract documents)."""
from trytond.model import ModelSQL, ModelView, fields
from trytond.pyson import Eval

from trytond.modules.lk_base.file import FileMixin
from trytond.modules.lk_base.operator import AuthorMixin


class Document(FileMixin, AuthorMixin, ModelSQL, ModelView):
    __name__ = 'lk.application.document'
    __string__ = "Application Document"
    file_size_config = ('lk_applications', 'max_upload_size')

    application = fields.Many2One(
        'lk.application', "Application", required=True, ondelete='CASCADE')
    kind_document = fields.Many2One(
        'lk.application.kind.document', "Checklist Item",
        ondelete='RESTRICT',
        domain=[
            ('kind', '=', Eval('_parent_application', {}).get('kind', -1)),
            ])
    remark = fields.Many2One(
        'lk.application.remark', "Remark", ondelete='CASCADE')
    description = fields.Char("Description")
    uploaded_by = fields.Function(
        fields.Char("Uploaded By"), 'get_author')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('application')
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
