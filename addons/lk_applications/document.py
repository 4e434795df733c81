# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The documents of an application: the scans of its checklist and the
files of its remarks (lk_edo extends them with the contract documents)."""
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.lk_base.file import FileMixin
from trytond.modules.lk_base.operator import OperatorMixin
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction


class Document(FileMixin, OperatorMixin, ModelSQL, ModelView):
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
    web_user = fields.Many2One(
        'web.user', "Uploaded by Client", readonly=True, ondelete='SET NULL',
        help="The client's portal account the file was uploaded from.")
    uploaded_by = fields.Function(
        fields.Char("Uploaded By"), 'get_uploaded_by')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('application')
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            if not values.get('web_user'):
                values['web_user'] = portal_web_user()
        else:
            # who uploaded the file: a new version only unchecks «current»
            # of the earlier ones, it does not make them the operator's
            values.pop('operator', None)
        return values

    def get_uploaded_by(self, name):
        "Who uploaded the file, as the staff pages show it"
        if self.web_user:
            client = (self.web_user.party.rec_name if self.web_user.party
                else self.web_user.rec_name)
            if self.operator:
                return gettext('lk_applications.msg_uploaded_on_behalf',
                    operator=self.operator.rec_name, client=client)
            return client
        if self.create_uid and self.create_uid.id:
            return self.create_uid.rec_name
        return gettext('lk_applications.msg_history_system')


def portal_web_user():
    "The web.user of the portal request the transaction runs, or None"
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    transaction = Transaction()
    if (transaction.user
            and transaction.user == ModelData.get_id(
                'lk_base', 'user_portal')):
        return transaction.context.get('web_user') or None
