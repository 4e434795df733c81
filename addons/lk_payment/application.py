# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The invoices of the fee come with the offer: when the contract is sent
to an applicant of a category where paying is acceptance, its invoices
(one, or one per installment) are issued; paying the (first) one moves
the application to «Договор заключён» (see Invoice.update_state), and
nobody concludes such a contract by hand (system_edge). The later
installments move nothing: each gets its term when the step of the
process its schedule names is taken."""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import fields
from trytond.modules.lk_applications.application import OFFER_CATEGORIES
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import without_check_access

from .invoice import DEFAULT_SCHEDULE

# the installment of DEFAULT_SCHEDULE a step of the process makes due, and
# in how many days (15 % is the offer, paid by its term)
INSTALLMENT_TERMS = {
    'conclude_contract': (2, 60),
    'connect': (3, 15),
    'close': (4, 10),
    }


class Application(metaclass=PoolMeta):
    __name__ = 'lk.application'

    payment_schedule = fields.Selection([
            ('full', "Whole Fee"),
            ('installments', "Installments 15/30/45/10 %"),
            ], "Payment Option",
        help="Installments: key rate + 4 p.p., by the schedule of the "
        "contract (Rules No. 861, p. 16(5)).")
    invoices = fields.One2Many(
        'lk.payment.invoice', 'application', "Invoices", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # paying the invoice accepts an offer: no button concludes it
        button = cls._buttons['conclude_contract']
        cls._buttons['conclude_contract'] = dict(button,
            invisible=button['invisible'] | (Eval('contract_form') == 'offer'),
            depends=button['depends'] + ['contract_form'])

    @classmethod
    def default_payment_schedule(cls):
        return 'full'

    def system_edge(self, edge):
        if edge.method == 'conclude_contract' and self.contract_form == 'offer':
            return gettext('lk_payment.msg_offer_concluded_by_payment')
        return super().system_edge(edge)

    @classmethod
    def send_contract(cls, applications):
        super().send_contract(applications)
        cls.issue_invoices(applications)

    @classmethod
    def conclude_contract(cls, applications):
        super().conclude_contract(applications)
        cls.set_installment_terms(applications, 'conclude_contract')

    @classmethod
    def connect(cls, applications):
        super().connect(applications)
        cls.set_installment_terms(applications, 'connect')

    @classmethod
    def close(cls, applications):
        super().close(applications)
        cls.set_installment_terms(applications, 'close')

    @classmethod
    def set_installment_terms(cls, applications, step):
        """The term of the installment that step of the process makes due,
        counted from the day of the step in the branch's time zone"""
        Invoice = Pool().get('lk.payment.invoice')
        number, days = INSTALLMENT_TERMS[step]
        with without_check_access():
            for application in applications:
                invoices = [i for i in application.invoices
                    if i.installment == number and i.state != 'cancelled'
                    and not i.due_date]
                if not invoices:
                    continue
                party = application.party
                language = party.lang.code if party.lang else None
                Invoice.write(invoices, {
                        'due_date': (application.local_today()
                            + dt.timedelta(days=days)),
                        'due_basis': gettext(
                            'lk_payment.msg_installment_term_%d' % number,
                            language, percent='%g' % (
                                invoices[0].installment_percent)),
                        })

    @classmethod
    def issue_invoices(cls, applications):
        "The invoices of the offer, once, with the fee of the contract"
        pool = Pool()
        Invoice = pool.get('lk.payment.invoice')
        Fee = pool.get('lk.payment.fee')
        with without_check_access():
            for application in applications:
                if application.category not in OFFER_CATEGORIES or any(
                        i.state != 'cancelled' for i in application.invoices):
                    continue
                amount, number = application.contract_fee()
                if amount is None:
                    amount = Fee.compute(application)
                if not amount:
                    continue
                schedule = (DEFAULT_SCHEDULE
                    if application.payment_schedule == 'installments'
                    else None)
                Invoice.create_for(application, amount, schedule=schedule,
                    contract_number=number)

    def contract_fee(self):
        "(amount, number) of the current contract document sent, if any"
        for document in self.documents:
            type_ = getattr(document, 'edo_type', None)
            if (type_ and type_.role == 'contract' and document.current
                    and document.edo_amount):
                return document.edo_amount, document.edo_number
        return None, None
