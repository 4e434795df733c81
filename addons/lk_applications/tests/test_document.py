# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The file mixin of lk_base on the application documents: type by content,
size limit, SHA-256, filestore, versions, who uploaded, safe names."""
import hashlib
import unittest

from trytond.modules.lk_base.exceptions import FileError
from trytond.modules.lk_base.file import FileMixin, safe_filename
from trytond.modules.lk_base.tests.tools import set_config
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    _DBTestCase, with_transaction)
from trytond.transaction import Transaction

from .test_module import PDF, make_application

PNG = b'\x89PNG\r\n\x1a\n' + b'\x00' * 16
JPEG = b'\xff\xd8\xff\xe0' + b'\x00' * 16


class SafeFilenameTestCase(unittest.TestCase):
    "The name a file is sent under"

    def test_path_and_controls_dropped(self):
        self.assertEqual(safe_filename('C:\\Users\\a\\план.pdf', 'pdf'),
            'план.pdf')
        self.assertEqual(safe_filename('../../etc/passwd'), 'passwd')
        self.assertEqual(
            safe_filename('a"b\r\nc;.pdf', 'pdf'), 'a_b_c_.pdf')
        self.assertEqual(safe_filename('', 'pdf'), 'file.pdf')
        self.assertEqual(safe_filename('...', 'png'), 'file.png')

    def test_extension_of_the_content(self):
        "A PNG sent as .pdf is downloaded as .png, .jpeg stays .jpeg"
        self.assertEqual(safe_filename('scan.pdf', 'png'), 'scan.pdf.png')
        self.assertEqual(safe_filename('photo.JPEG', 'jpg'), 'photo.JPEG')
        self.assertEqual(safe_filename('photo', 'jpg'), 'photo.jpg')

    def test_length(self):
        name = safe_filename('я' * 300 + '.pdf', 'pdf')
        self.assertEqual(len(name), 200)
        self.assertTrue(name.endswith('.pdf'))

    def test_types_are_a_class_setting(self):
        "A module adds a type by extending file_types"
        class Signed(FileMixin):
            file_types = FileMixin.file_types + [
                (b'\x30\x82', 'application/pkcs7-signature', 'p7s')]
        self.assertEqual(
            Signed.file_sniff(b'\x30\x82\x01'), 'application/pkcs7-signature')
        self.assertIsNone(FileMixin.file_sniff(b'\x30\x82\x01'))
        self.assertEqual(Signed.file_type_names(), 'PDF, JPEG, PNG, P7S')
        self.assertIn('.p7s', Signed.file_accept())
        self.assertEqual(FileMixin.file_accept(),
            '.pdf,.jpeg,.jpg,.png,application/pdf,image/jpeg,image/png')


class DocumentTestCase(_DBTestCase):
    module = 'lk_applications'

    def _attach(self, application, name, data, item=None):
        Application = Pool().get('lk.application')
        return Application.attach(
            application, item or application.checklist()[0], name, data)

    @with_transaction()
    def test_type_by_content_not_by_name(self):
        application = make_application()
        for name, data, mimetype in [
                ('scan.png', PDF, 'application/pdf'),
                ('scan.pdf', PNG, 'image/png'),
                ('scan.txt', JPEG, 'image/jpeg')]:
            document = self._attach(application, name, data)
            self.assertEqual(document.mimetype, mimetype)
        for name, data in [
                ('scan.pdf', b'<html><script>alert(1)</script></html>'),
                ('scan.png', b'PNG\r\n')]:
            with self.assertRaises(FileError) as cm:
                self._attach(application, name, data)
            self.assertIn('PDF, JPEG, PNG', cm.exception.message)

    @with_transaction()
    def test_size_limit_from_the_configuration(self):
        application = make_application()
        set_config(self, 'lk_applications', 'max_upload_size', '1048576')
        self._attach(application, 'exact.pdf', PDF.ljust(1048576, b' '))
        with self.assertRaises(FileError) as cm:
            self._attach(application, 'big.pdf', PDF.ljust(1048577, b' '))
        self.assertIn('1 MB', cm.exception.message)

    @with_transaction()
    def test_sha256_size_and_filestore(self):
        pool = Pool()
        Document = pool.get('lk.application.document')
        application = make_application()
        document = self._attach(application, 'plan.pdf', PDF + b'x')
        document = Document(document.id)
        self.assertEqual(document.sha256,
            hashlib.sha256(PDF + b'x').hexdigest())
        self.assertEqual(document.size, len(PDF) + 1)
        self.assertTrue(document.data_id, "kept in the filestore")
        self.assertEqual(bytes(document.data), PDF + b'x')
        self.assertEqual(document.download_name, 'plan.pdf')
        self.assertTrue(document.inline)

    @with_transaction()
    def test_versions_after_submission(self):
        "Before submission a scan is replaced; afterwards versions are kept"
        pool = Pool()
        Application = pool.get('lk.application')
        Document = pool.get('lk.application.document')
        application = make_application()
        item = application.checklist()[0]
        self._attach(application, 'v2.pdf', PDF, item)
        self.assertEqual(
            [(d.version, d.current) for d in Document.search([
                        ('application', '=', application.id),
                        ('kind_document', '=', item.id)])],
            [(2, True)])
        Application.submit([application])
        Application.write([application], {'state': 'documents_requested'})
        application = Application(application.id)
        self._attach(application, 'v3.pdf', PNG, item)
        self._attach(application, 'v4.pdf', PDF, item)
        documents = Document.search([
                ('application', '=', application.id),
                ('kind_document', '=', item.id)],
            order=[('version', 'ASC')])
        self.assertEqual(
            [(d.name, d.version, d.current) for d in documents],
            [('v2.pdf', 2, False), ('v3.pdf', 3, False),
                ('v4.pdf', 4, True)])
        self.assertEqual(
            Application(application.id).current_documents(item),
            [documents[-1]])

    @with_transaction()
    def test_uploaded_by_client_and_operator(self):
        "The client's web user and the operator acting for them are kept"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        WebUser = pool.get('web.user')
        User = pool.get('res.user')
        application = make_application()
        web_user = WebUser(
            email='client-doc@example.com', party=application.party)
        web_user.save()
        operator = User(login='doc-operator', name="Иванова А. Н.")
        operator.save()
        portal = ModelData.get_id('lk_base', 'user_portal')
        with Transaction().set_user(portal), \
                Transaction().set_context(
                    web_user=web_user.id,
                    web_parties=[application.party.id],
                    _lk_operator=operator.id):
            document = self._attach(application, 'plan.pdf', PDF)
        self.assertEqual(document.web_user, web_user)
        self.assertEqual(document.operator, operator)
        self.assertEqual(document.uploaded_by,
            "Иванова А. Н. (operator) on behalf of the client")
        with Transaction().set_user(portal), \
                Transaction().set_context(
                    web_user=web_user.id,
                    web_parties=[application.party.id]):
            document = self._attach(application, 'plan.pdf', PDF)
        self.assertIsNone(document.operator)
        self.assertEqual(document.uploaded_by, "Иванов Иван")
        # a new version by the operator keeps who uploaded the earlier one
        pool.get('lk.application').write(
            [application], {'state': 'documents_requested'})
        with Transaction().set_user(portal), \
                Transaction().set_context(
                    web_user=web_user.id,
                    web_parties=[application.party.id],
                    _lk_operator=operator.id):
            self._attach(application, 'plan.pdf', PDF)
        document = pool.get('lk.application.document')(document.id)
        self.assertFalse(document.current)
        self.assertIsNone(document.operator)
        # in the back office the staff member, not a forged context
        with Transaction().set_context(web_user=web_user.id):
            document = self._attach(application, 'plan.pdf', PDF)
        self.assertIsNone(document.web_user)
