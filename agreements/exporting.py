"""Export a list of agreements to CSV (streamed) or XLSX.

The CSV is the machine format: its first columns are the import columns
(agreements/importing.py), codes and ISO dates, so it can be imported again; the
current stage, status and dates follow. The XLSX is for people, in the active
language (columns in agreements/export_sheet.py; see write_xlsx); it does not
import again. Cells that a spreadsheet would run as a formula (starting with =, +, -, @, a
tab or a carriage return) get an apostrophe in front; the importer takes it
off again. An XLSX cell cannot hold a control character (XML 1.0), which text
stored before the models refused them may contain: each is written as U+FFFD
(cities.validators.printable), so the export still opens and shows where one was.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, TypeVar

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext

from cities.validators import printable

from .dates import local_time
from .export_sheet import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    WIDTH_SAMPLE_ROWS,
    SheetColumn,
    column_widths,
    sheet_columns,
)
from .importing import COLUMNS as IMPORT_COLUMNS
from .models import Agreement
from .templatetags.sistercities import is_persian

EXTRA_COLUMNS = [
    "status",
    "origin",
    "title",
    "stage_since",
    "first_contact_on",
    "signed_on",
    "expires_on",
    "created_at",
    "updated_at",
    "id",
]
COLUMNS = IMPORT_COLUMNS + EXTRA_COLUMNS

# The database columns behind COLUMNS, read with values_list: no model instances
# for a 100,000-row export.
_FIELDS = [
    "home_city__name",
    "home_city__country",
    "home_city__name_fa",
    "partner_city__name",
    "partner_city__country",
    "partner_city__name_fa",
    "kind",
    "stage",
    "signed_year",
    "summary",
    "status",
    "origin",
    "title",
    "stage_changed_at",
    "first_contact_on",
    "signed_on",
    "expires_on",
    "created_at",
    "updated_at",
    "id",
]
CHUNK_SIZE = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A background export reports its progress every this many rows.
PROGRESS_EVERY = 1000

T = TypeVar("T")
Progress = Callable[[int], None]


def neutralise(value: str) -> str:
    """Text a spreadsheet shows as it is instead of evaluating it (CSV/formula injection)."""
    if value[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return local_time(value).replace(microsecond=0).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return value


def counted(items: Iterable[T], progress: Progress | None, every: int) -> Iterator[T]:
    """`items` unchanged; progress(n) after every `every`-th item has been consumed (the
    consumer asks for the next one only when it has written the previous), and once at
    the end with the exact number."""
    if progress is None:
        yield from items
        return
    done = 0
    for item in items:
        yield item
        done += 1
        if done % every == 0:
            progress(done)
    if done % every or not done:
        progress(done)


def rows(queryset: QuerySet[Agreement], progress: Progress | None = None) -> Iterator[list[Any]]:
    """The export rows of `queryset` (its filters and order kept), header not included."""
    values = queryset.values_list(*_FIELDS).iterator(chunk_size=CHUNK_SIZE)
    for row in counted(values, progress, PROGRESS_EVERY):
        yield [_cell(v) for v in row]


class _Echo:
    """A file-like object whose write() hands the line back (for streaming csv.writer)."""

    def write(self, value: str) -> str:
        return value


def iter_csv(queryset: QuerySet[Agreement], progress: Progress | None = None) -> Iterator[str]:
    # The byte-order mark makes Excel read the file as UTF-8 (Persian names).
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(COLUMNS)
    for row in rows(queryset, progress):
        yield writer.writerow(row)


def write_csv(
    queryset: QuerySet[Agreement], file: IO[bytes], progress: Progress | None = None
) -> None:
    """The CSV of `queryset` into a binary file, as csv_response streams it."""
    for line in iter_csv(queryset, progress):
        file.write(line.encode("utf-8"))


def csv_response(
    queryset: QuerySet[Agreement], filename: str = "agreements"
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(iter_csv(queryset), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


# --- XLSX: the list for people -------------------------------------------------------------------
#
# The CSV above is the machine format (codes, ISO dates) that imports again; the
# XLSX is for reading, in the language active for the request (a background
# export runs under the language stored on its job): a translated header, labels
# instead of codes, country names, the city names of the pages, Excel dates (and,
# in Persian, a Solar Hijri text column beside each), a right-to-left sheet in
# Persian, a bold frozen header with an autofilter and fitted column widths. The
# sheet is streamed (write_only): widths come from the header and the first
# WIDTH_SAMPLE_ROWS rows, never from all of them.


def sheet_rows(
    queryset: QuerySet[Agreement], columns: list[SheetColumn], progress: Progress | None = None
) -> Iterator[list[Any]]:
    """The XLSX's values of `queryset` (its filters and order kept), header not included."""
    values = queryset.values_list(*_FIELDS).iterator(chunk_size=CHUNK_SIZE)
    getters = [column.value for column in columns]
    for row in counted(values, progress, PROGRESS_EVERY):
        yield [get(row) for get in getters]


def write_xlsx(
    queryset: QuerySet[Agreement], file: IO[bytes], progress: Progress | None = None
) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    persian = is_persian()
    columns = sheet_columns(_FIELDS, persian)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(printable(gettext("Agreements"), multiline=False)[:31])
    source = sheet_rows(queryset, columns, progress)
    sample = list(itertools.islice(source, WIDTH_SAMPLE_ROWS))
    # Everything about the sheet and its columns comes before its first row.
    for index, width in enumerate(column_widths(columns, sample), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.sheet_view.rightToLeft = persian
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.data_type = "s"
        cell.font = bold
        header.append(cell)
    sheet.append(header)

    # One style per kind, shared: styling each cell anew costs a style lookup.
    formats = {"date": DATE_FORMAT, "datetime": DATETIME_FORMAT}
    styled = {}
    for kind, number_format in formats.items():
        template = WriteOnlyCell(sheet, value=datetime.date(2000, 1, 1))
        template.number_format = number_format
        styled[kind] = template._style
    kinds = [column.kind for column in columns]
    written = 0
    for values in itertools.chain(sample, source):
        cells = []
        for kind, value in zip(kinds, values, strict=True):
            if value is None or value == "":
                cells.append(None)
            elif isinstance(value, str):
                # Never a formula: neutralise leaves no text starting with "=", so
                # openpyxl types it as a string (a plain value: no cell object to build).
                cells.append(printable(neutralise(value)))
            elif kind in styled:
                cell = WriteOnlyCell(sheet, value=value)
                cell._style = styled[kind]
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
        written += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{written + 1}"
    workbook.save(file)


def xlsx_response(queryset: QuerySet[Agreement], filename: str = "agreements") -> HttpResponse:
    buffer = io.BytesIO()
    write_xlsx(queryset, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
