# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The invoice PDF: the lines with their VAT, the amount in words, the
bank details of the branch and the bank transfer QR code (ГОСТ Р
56042-2014, ST00012) drawn by segno."""
import io

import segno

from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import without_check_access

from trytond.modules.lk_edo import formats


def qr_svg_uri(payload, scale=3):
    "The QR code of payload as an SVG data URI (error correction M)"
    if not payload:
        return None
    qr = segno.make(payload, error='m', encoding='utf-8')
    return qr.svg_data_uri(scale=scale, border=2)


def qr_png(payload, scale=6):
    buffer = io.BytesIO()
    segno.make(payload, error='m', encoding='utf-8').save(
        buffer, kind='png', scale=scale, border=4)
    return buffer.getvalue()


class InvoiceReport(Report):
    __name__ = 'lk_payment.invoice'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Payee = pool.get('lk.payment.payee')
        context = super().get_context(records, header, data)
        invoice = records[0] if records else None
        context['fmt'] = formats
        context['invoice'] = invoice
        with without_check_access():
            payee = Payee.of_branch(invoice.branch) if invoice else None
            context['payee'] = payee
            context['qr'] = qr_svg_uri(
                invoice.qr_payload()) if invoice else None
        return context
