"""The XLSX export's columns, for people (agreements.exporting.write_xlsx writes them).

The CSV export is the machine format (codes, ISO dates) that imports again; the
XLSX is for reading, in the active language: translated headers, labels instead
of codes (the models' choices, as selectors.display.choice_label reads them),
country names, the city names of the pages (name_fa on Persian exports when there
is one), Gregorian dates as Excel dates and, in Persian, a Solar Hijri text
column before each (the pages' jdate, in Persian digits). Numbers stay numbers.

Nothing stored may break it: an empty value is an empty cell, a date before
Excel's first day (1900-01-01) is its ISO text, a date jdatetime cannot hold has
its ISO date in the Solar Hijri column (dates.format_jalali's rule).
"""

from __future__ import annotations

import contextlib
import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import DateTimeField
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django_countries import countries

from cities.models import display_name

from .dates import format_jalali, persian_digits
from .models import Agreement
from .selectors.display import choice_label
from .templatetags.sistercities import is_persian

# How Excel shows a date or a moment (local time, Asia/Tehran).
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
# Excel's 1900 date system has nothing earlier: such a stored date is ISO text.
_EXCEL_FIRST_DAY = datetime.date(1900, 1, 1)
_EXCEL_FIRST_MOMENT = datetime.datetime(1900, 1, 1)
WIDTH_SAMPLE_ROWS = 200
MIN_WIDTH = 8
MAX_WIDTH = 60
# An autofilter's button takes about this many characters of the header cell.
_FILTER_BUTTON = 3
_DATE_WIDTH = {"date": len("0000-00-00"), "datetime": len("0000-00-00 00:00")}

# (header, kind, database field(s)); kinds: city (English and Persian name), country,
# choice, text, number, date (a date or a moment).
_SHEET = [
    (gettext_lazy("Home municipality"), "city", ("home_city__name", "home_city__name_fa")),
    (gettext_lazy("Home country"), "country", "home_city__country"),
    (gettext_lazy("Partner city"), "city", ("partner_city__name", "partner_city__name_fa")),
    (gettext_lazy("Partner country"), "country", "partner_city__country"),
    (gettext_lazy("Kind"), "choice", "kind"),
    (gettext_lazy("Stage"), "choice", "stage"),
    (gettext_lazy("Status"), "choice", "status"),
    (gettext_lazy("Origin"), "choice", "origin"),
    (gettext_lazy("Title"), "text", "title"),
    (gettext_lazy("Signed in (year)"), "number", "signed_year"),
    (gettext_lazy("Summary"), "text", "summary"),
    (gettext_lazy("In this stage since"), "date", "stage_changed_at"),
    (gettext_lazy("First contact"), "date", "first_contact_on"),
    (gettext_lazy("Signed on"), "date", "signed_on"),
    (gettext_lazy("Expires on"), "date", "expires_on"),
    (gettext_lazy("Created at"), "date", "created_at"),
    (gettext_lazy("Last updated"), "date", "updated_at"),
    (gettext_lazy("ID"), "number", "id"),
]


@dataclass(frozen=True)
class SheetColumn:
    header: str
    # text, number, date or datetime: how the cell is written and how wide it is.
    kind: str
    value: Callable[[tuple], Any]


def _local(value: datetime.datetime, zone: datetime.tzinfo) -> datetime.datetime:
    """A moment in `zone`, naive, to the minute (dates.local_time's rule: unchanged when
    the local time would fall past year 9999)."""
    if timezone.is_aware(value):
        with contextlib.suppress(OverflowError):
            value = value.astimezone(zone)
    return value.replace(second=0, microsecond=0, tzinfo=None)


def excel_date(value: datetime.date) -> datetime.date | str:
    """A stored date, or a moment (local time, naive), as an Excel date cell takes it; the
    ISO text for one before Excel's first day."""
    if isinstance(value, datetime.datetime):
        if value < _EXCEL_FIRST_MOMENT:
            return value.isoformat(sep=" ", timespec="minutes")
        return value
    if value < _EXCEL_FIRST_DAY:
        return value.isoformat()
    return value


@functools.lru_cache(maxsize=4096)
def jalali_text(day: datetime.date) -> str:
    """The Solar Hijri date of a Persian export, as the pages' jdate writes it ("۱۰ آذر
    ۱۴۰۵"), in Persian digits also when jdatetime cannot hold the date and the ISO date
    stands in; the same in any active language. Cached: many rows share a day, and
    jdatetime's conversion is the slow part."""
    return persian_digits(format_jalali(day))


def _choices(field: str) -> dict[str, str]:
    """A choice field's codes and labels in the active language; choice_label's rule (an
    unknown code reads as itself) applies through dict.get's default."""
    model_field = Agreement._meta.get_field(field)
    return {code: choice_label(model_field, code) for code, _label in model_field.flatchoices}


def sheet_columns(fields: list[str], persian: bool | None = None) -> list[SheetColumn]:
    """The XLSX's columns in the active language (Persian: also a Solar Hijri date
    column before each Gregorian one), reading rows of values_list(*fields)."""
    if persian is None:
        persian = is_persian()
    at_ = {name: index for index, name in enumerate(fields)}
    zone = timezone.get_current_timezone()
    country_names: dict[str, str] = {}

    def country(code: str | None) -> str:
        if not code:
            return ""
        if code not in country_names:
            # A code django-countries no longer knows reads as itself.
            country_names[code] = str(countries.name(code)) or code
        return country_names[code]

    columns = []
    for header, kind, field in _SHEET:
        header = str(header)
        if kind == "city":
            name, name_fa = at_[field[0]], at_[field[1]]
            columns.append(
                SheetColumn(
                    header,
                    "text",
                    lambda row, n=name, f=name_fa: display_name(
                        row[n] or "", row[f] or "", persian=persian
                    ),
                )
            )
            continue
        at = at_[field]
        if kind == "country":
            columns.append(SheetColumn(header, "text", lambda row, a=at: country(row[a])))
        elif kind == "choice":
            labels = _choices(field)
            columns.append(
                SheetColumn(header, "text", lambda row, a=at, m=labels: m.get(row[a], row[a]))
            )
        elif kind in ("text", "number"):
            columns.append(SheetColumn(header, kind, lambda row, a=at: row[a]))
        else:
            moment = isinstance(Agreement._meta.get_field(field), DateTimeField)
            if moment:

                def read(row, a=at):
                    return None if row[a] is None else _local(row[a], zone)

            else:

                def read(row, a=at):
                    return row[a]

            if persian:
                # The local day of a moment; its time is in the Gregorian column.
                columns.append(
                    SheetColumn(
                        gettext("%(column)s (Solar Hijri)") % {"column": header},
                        "text",
                        lambda row, r=read: (
                            None
                            if (v := r(row)) is None
                            else jalali_text(v.date() if isinstance(v, datetime.datetime) else v)
                        ),
                    )
                )
                header = gettext("%(column)s (Gregorian)") % {"column": header}
            columns.append(
                SheetColumn(
                    header,
                    "datetime" if moment else "date",
                    lambda row, r=read: None if (v := r(row)) is None else excel_date(v),
                )
            )
    return columns


def _width(value: Any, kind: str) -> int:
    if value is None:
        return 0
    if kind in _DATE_WIDTH and isinstance(value, datetime.date):
        return _DATE_WIDTH[kind]
    return max(len(line) for line in str(value).splitlines() or [""])


def column_widths(columns: list[SheetColumn], sample: list[list[Any]]) -> list[int]:
    """Each column as wide as its header or its widest value among `sample`, bounded."""
    widths = []
    for index, column in enumerate(columns):
        content = max((_width(row[index], column.kind) for row in sample), default=0)
        wanted = max(len(column.header) + _FILTER_BUTTON, content + 1)
        widths.append(min(max(wanted, MIN_WIDTH), MAX_WIDTH))
    return widths
