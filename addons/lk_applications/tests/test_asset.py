# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The transferred grid objects of an asset transfer application."""
from decimal import Decimal

from sql import Column

from trytond.model.exceptions import RequiredValidationError
from trytond.modules.lk_applications.exceptions import (
    ApplicationModificationError, AssetValidationError)
from trytond import backend
from trytond.pool import Pool
from trytond.tests.test_tryton import _DBTestCase, with_transaction
from trytond.transaction import Transaction

from .test_module import make_application


class AssetTestCase(_DBTestCase):
    module = 'lk_applications'

    def _asset(self, application, **values):
        Asset = Pool().get('lk.application.asset')
        values.setdefault('kind', 'overhead_line')
        values.setdefault('voltage', '0.4')
        values.setdefault('address', "с. Кожаны, ул. Лесная")
        asset = Asset(application=application, **values)
        asset.save()
        return asset

    @with_transaction()
    def test_size_by_kind(self):
        "A line needs its length, a substation its capacity, both positive"
        application = make_application('asset_transfer')
        line = self._asset(application, length=Decimal(350))
        self.assertEqual(line.rec_name,
            "Overhead Line, 0.4 kV, 350 m — с. Кожаны, ул. Лесная")
        station = self._asset(
            application, kind='substation', voltage='10',
            capacity=Decimal('250.0'), address="КТП-42")
        self.assertEqual(station.to_json(), {
                'kind': 'substation', 'voltage': '10', 'length': None,
                'capacity': '250', 'address': "КТП-42",
                'description': None})
        # another object: a description and an address suffice
        self._asset(application, kind='other', voltage=None,
            description="Опора")
        self.assertEqual(len(application.assets), 3)
        self.assertEqual(
            [a['kind'] for a in application.to_json()['assets']],
            ['overhead_line', 'substation', 'other'])

        # a refused save is undone with the transaction only: last
        with self.assertRaises(RequiredValidationError):
            self._asset(application)
        with self.assertRaises(RequiredValidationError):
            self._asset(application, kind='substation')
        with self.assertRaises(RequiredValidationError):
            self._asset(application, kind='cable_line', voltage=None,
                length=Decimal(5))
        with self.assertRaises(AssetValidationError):
            self._asset(application, length=Decimal(0))
        with self.assertRaises(AssetValidationError):
            self._asset(application, kind='substation',
                capacity=Decimal(-1))

    @with_transaction()
    def test_kept_once_submitted(self):
        "After submission the list of objects is not changed"
        pool = Pool()
        Application = pool.get('lk.application')
        Asset = pool.get('lk.application.asset')
        application = make_application('asset_transfer')
        asset = self._asset(application, length=Decimal(10))
        Application.write([application], {'state': 'incoming'})
        with self.assertRaises(ApplicationModificationError):
            self._asset(application, length=Decimal(20))
        with self.assertRaises(ApplicationModificationError):
            Asset.write([asset], {'length': Decimal(30)})
        with self.assertRaises(ApplicationModificationError):
            Asset.delete([asset])

    @with_transaction()
    def test_step_needs_an_object(self):
        "The step of the objects is missing until there is one"
        application = make_application('asset_transfer')
        self.assertEqual(application.missing('assets'), ['assets'])
        self._asset(application, length=Decimal(10))
        self.assertEqual(application.missing('assets'), [])

    @with_transaction()
    def test_migration_of_the_text(self):
        "The former text of objects becomes one «Other» object per line"
        pool = Pool()
        Application = pool.get('lk.application')
        Asset = pool.get('lk.application.asset')
        cursor = Transaction().connection.cursor()
        application = make_application('asset_transfer')
        table = Application.__table__()
        Application.__table_handler__().add_column('assets', 'TEXT')
        cursor.execute(*table.update(
                [Column(table, 'assets')],
                ["ВЛ-0,4 кВ, 350 м, с. Кожаны\n\n  КТП-42, 250 кВА  \n"],
                where=table.id == application.id))
        backend.TableHandler.drop_table(Asset.__name__, Asset._table)

        Asset.__register__('lk_applications')

        assets = Asset.search([('application', '=', application.id)])
        self.assertEqual(
            [(a.sequence, a.kind, a.address) for a in assets], [
                (0, 'other', "ВЛ-0,4 кВ, 350 м, с. Кожаны"),
                (1, 'other', "КТП-42, 250 кВА"),
                ])
        self.assertFalse(
            Application.__table_handler__().column_exist('assets'))
