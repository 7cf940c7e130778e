"""The gift register for the audit office: CSV (codes and ISO dates, for machines)
and XLSX (for people: the active language's headers and labels, a Solar Hijri date
column in Persian, right to left in Persian, a bold frozen header with an
autofilter), in the style of agreements/exporting.py. Formula cells neutralised
in both. Rows come from selectors.delegations.visible_gifts (the user's gifts)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext

from cities.models import display_name
from cities.validators import printable

from .export_sheet import DATE_FORMAT, excel_date, jalali_text
from .exporting import XLSX_CONTENT_TYPE, neutralise
from .models import Delegation, Gift
from .selectors.display import choice_label
from .templatetags.sistercities import is_persian

CSV_COLUMNS = [
    "id",
    "agreement_id",
    "home_city",
    "partner_city",
    "delegation_id",
    "delegation_start_date",
    "direction",
    "date",
    "description",
    "estimated_value",
    "currency",
    "giver",
    "recipient",
    "kept_at",
    "photo_document_id",
]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return neutralise(str(value))


def csv_rows(gifts: QuerySet[Gift]) -> Iterator[list[str]]:
    for gift in gifts:
        agreement = gift.delegation.agreement
        values = [
            gift.pk,
            agreement.pk,
            agreement.home_city.name,
            agreement.partner_city.name,
            gift.delegation_id,
            gift.delegation.start_date,
            gift.direction,
            gift.date,
            gift.description,
            gift.estimated_value,
            gift.currency,
            gift.giver,
            gift.recipient,
            gift.kept_at,
            gift.photo_id,
        ]
        yield [_csv_cell(v) for v in values]


def csv_response(gifts: QuerySet[Gift], filename: str = "gift-register") -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel reads the file as UTF-8 (Persian text)
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(gifts))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _label(model, name: str, value) -> str:
    return choice_label(model._meta.get_field(name), value)


def _headers(persian: bool) -> list[str]:
    headers = [
        gettext("Home municipality"),
        gettext("Partner city"),
        gettext("Delegation"),
        gettext("Given or received"),
        gettext("Date"),
    ]
    if persian:
        headers.append(gettext("Date (Solar Hijri)"))
    return headers + [
        gettext("Gift"),
        gettext("Estimated value"),
        gettext("Currency"),
        gettext("Giver"),
        gettext("Recipient"),
        gettext("Where it is kept"),
    ]


def sheet_rows(gifts: QuerySet[Gift], persian: bool) -> Iterator[list]:
    for gift in gifts:
        agreement = gift.delegation.agreement
        home, partner = agreement.home_city, agreement.partner_city
        delegation = gift.delegation
        row = [
            display_name(home.name, home.name_fa, persian=persian),
            display_name(partner.name, partner.name_fa, persian=persian),
            f"{_label(Delegation, 'direction', delegation.direction)} "
            f"{delegation.start_date.isoformat()}",
            _label(Gift, "direction", gift.direction),
            excel_date(gift.date) if gift.date else None,
        ]
        if persian:
            row.append(jalali_text(gift.date) if gift.date else None)
        row += [
            gift.description,
            gift.estimated_value,
            gift.currency or None,
            gift.giver,
            gift.recipient,
            gift.kept_at,
        ]
        yield row


def write_xlsx(gifts: QuerySet[Gift], file) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    persian = is_persian()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = printable(gettext("Gift register"), multiline=False)[:31]
    sheet.sheet_view.rightToLeft = persian
    headers = _headers(persian)
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    written = 0
    for values in sheet_rows(gifts, persian):
        cells = [
            printable(neutralise(v)) if isinstance(v, str) else (None if v == "" else v)
            for v in values
        ]
        sheet.append(cells)
        written += 1
        for cell in sheet[written + 1]:
            if hasattr(cell.value, "isoformat"):
                cell.number_format = DATE_FORMAT
            elif isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(50, len(header) + 4))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{written + 1}"
    workbook.save(file)


def xlsx_response(gifts: QuerySet[Gift], filename: str = "gift-register") -> HttpResponse:
    buffer = io.BytesIO()
    write_xlsx(gifts, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
