"""Export a list of agreements to CSV (streamed) or XLSX.

The first columns are the import columns (agreements/importing.py), so an
export can be imported again; the current stage, status and dates follow.
Cells that a spreadsheet would run as a formula (starting with =, +, -, @, a
tab or a carriage return) get an apostrophe in front; the importer takes it
off again. An XLSX cell cannot hold a control character (XML 1.0), which text
stored before the models refused them may contain: each is written as U+FFFD
(cities.validators.printable), so the export still opens and shows where one was.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, TypeVar

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse

from cities.validators import printable

from .dates import local_time
from .importing import COLUMNS as IMPORT_COLUMNS
from .models import Agreement

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


def write_xlsx(
    queryset: QuerySet[Agreement], file: IO[bytes], progress: Progress | None = None
) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("agreements")
    sheet.append(COLUMNS)
    for row in rows(queryset, progress):
        cells = []
        for value in row:
            if isinstance(value, str):
                # Never a formula, whatever the text starts with.
                cell = WriteOnlyCell(sheet, value=printable(value))
                cell.data_type = "s"
            else:
                cell = WriteOnlyCell(sheet, value=value)
            cells.append(cell)
        sheet.append(cells)
    workbook.save(file)


def xlsx_response(queryset: QuerySet[Agreement], filename: str = "agreements") -> HttpResponse:
    buffer = io.BytesIO()
    write_xlsx(queryset, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
