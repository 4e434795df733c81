# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The one spreadsheet export of the operators' lists.

A list gives its columns and rows of plain values; `xlsx_response` makes
the workbook (bold header, filters, frozen first row, dates as dates) and
the download."""
import datetime as dt
import io

import xlsxwriter
from flask import send_file

from .. import clock

XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'


def xlsx(title, columns, rows):
    """The bytes of a workbook of one sheet.

    columns: (header, width) pairs; rows: lists of str, int, float,
    date, datetime or None values in the order of columns."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {'in_memory': True})
    sheet = workbook.add_worksheet(title[:31])
    bold = workbook.add_format({'bold': True})
    formats = {
        dt.datetime: workbook.add_format({'num_format': 'dd.mm.yyyy hh:mm'}),
        dt.date: workbook.add_format({'num_format': 'dd.mm.yyyy'}),
        }
    sheet.write_row(0, 0, [str(header) for header, _ in columns], bold)
    count = 0
    for count, row in enumerate(rows, 1):
        for col, value in enumerate(row):
            if value is None:
                continue
            elif isinstance(value, dt.datetime):
                sheet.write_datetime(count, col, value, formats[dt.datetime])
            elif isinstance(value, dt.date):
                sheet.write_datetime(count, col, value, formats[dt.date])
            elif isinstance(value, (int, float)) and not isinstance(
                    value, bool):
                sheet.write_number(count, col, value)
            else:
                sheet.write_string(count, col, str(value))
    sheet.autofilter(0, 0, count, len(columns) - 1)
    sheet.freeze_panes(1, 0)
    for col, (_, width) in enumerate(columns):
        sheet.set_column(col, col, width)
    workbook.close()
    return output.getvalue()


def xlsx_response(name, title, columns, rows):
    "The workbook as a download named name-<today>.xlsx"
    return send_file(
        io.BytesIO(xlsx(title, columns, rows)),
        download_name='%s-%s.xlsx' % (name, clock.today()),
        as_attachment=True, mimetype=XLSX)
