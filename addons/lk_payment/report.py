# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The invoice PDF: the lines with their VAT, the amount in words, the
bank details of the branch and the bank transfer QR code (ГОСТ Р
56042-2014, ST00012) drawn by segno."""
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
            payload = invoice.qr_payload() if invoice else None
        # drawn by the template as SVG cells: weasyprint fetches no data: URI
        context['qr_size'], context['qr_cells'] = 0, []
        if payload:
            qr = segno.make(payload, error='m', encoding='utf-8')
            context['qr_size'] = qr.symbol_size(border=4)[0]
            context['qr_cells'] = [
                (x, y) for y, row in enumerate(qr.matrix_iter(border=4))
                for x, dark in enumerate(row) if dark]
        return context
