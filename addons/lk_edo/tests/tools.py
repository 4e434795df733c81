# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Helpers of the tests of lk_edo: read the generated PDFs back."""
import re
from io import BytesIO

from pypdf import PdfReader


def pdf_text(data):
    "The text of every page of the PDF data, whitespace folded"
    reader = PdfReader(BytesIO(bytes(data)))
    text = ' '.join(page.extract_text() or '' for page in reader.pages)
    return re.sub(r'\s+', ' ', text)


def pdf_pages(data):
    return len(PdfReader(BytesIO(bytes(data))).pages)


def pdf_qr_codes(data, page=-1, scale=3):
    "The texts of the QR codes on a page of the PDF (rendered by PDFium)"
    import pypdfium2
    import zxingcpp
    document = pypdfium2.PdfDocument(bytes(data))
    image = document[page if page >= 0 else len(document) + page].render(
        scale=scale).to_pil()
    return [b.text for b in zxingcpp.read_barcodes(image)]


def pdf_png(data, path, page=0, scale=1.5):
    """Write a page of the PDF as a PNG (screenshots of the documents):
    rendered by pdftoppm (poppler) when installed, else by PDFium"""
    import shutil
    import subprocess
    import tempfile
    count = pdf_pages(data)
    number = (page if page >= 0 else count + page) + 1
    if shutil.which('pdftoppm'):
        with tempfile.NamedTemporaryFile(suffix='.pdf') as pdf:
            pdf.write(bytes(data))
            pdf.flush()
            subprocess.run(['pdftoppm', '-png', '-singlefile',
                    '-r', str(int(72 * scale)), '-f', str(number),
                    '-l', str(number), pdf.name,
                    str(path).removesuffix('.png')], check=True)
        return
    import pypdfium2
    pypdfium2.PdfDocument(bytes(data))[number - 1].render(
        scale=scale).to_pil().save(path)
