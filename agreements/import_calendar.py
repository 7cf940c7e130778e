"""The calendars of an import file: which calendar a header or a cell names, and
its years and dates read in a calendar (agreements/importing.py's docstring says
where a file states its calendar and which statement wins).

    column_of("signed year (Jalali)")  -> ("year", "jalali")
    calendar_named("شمسی")             -> "jalali"
    read_year("۱۴۰۲", None)            -> Year(written=1402, jalali=True): .gregorian 2023
    read_date("1402/05/10", "jalali")  -> datetime.date(2023, 8, 1)

A value that cannot be read or lies outside the bounds raises Unreadable with the
message, which the importer puts in a row error naming the column.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from cities.validators import validate_date

from .dates import to_jalali
from .forms_fields import JALALI_TO_GREGORIAN, JALALI_YEAR_LIMIT, latin_digits, parse_date

GREGORIAN, JALALI = "gregorian", "jalali"
CALENDARS = (GREGORIAN, JALALI)
# The words that name a calendar, in a header's brackets or a calendar cell.
CALENDAR_NAMES = {
    "gregorian": GREGORIAN,
    "miladi": GREGORIAN,
    "میلادی": GREGORIAN,
    "jalali": JALALI,
    "shamsi": JALALI,
    "solar hijri": JALALI,
    "شمسی": JALALI,
    "هجری شمسی": JALALI,
    "خورشیدی": JALALI,
}
# Other names a header may give a column.
COLUMN_ALIASES = {"signed_year": "year", "signed year": "year"}
# The earliest signing year (Gregorian); the latest is next year.
YEAR_MIN = 1800

# "signed year (Jalali)": a column's name, then its calendar in brackets.
_HEADER_CALENDAR = re.compile(r"^(?P<name>.*?)\s*[(\[](?P<calendar>[^()\[\]]+)[)\]]$")


class Unreadable(ValueError):
    """A year or date that cannot be read, or lies outside the bounds: the message."""


def _words(text: str) -> str:
    return " ".join(text.split()).lower()


def calendar_named(text: str) -> str | None:
    """The calendar `text` names ("Jalali", "شمسی", "gregorian"), else None."""
    return CALENDAR_NAMES.get(_words(text))


def column_of(header: str) -> tuple[str, str | None]:
    """A header cell's column name and the calendar it states (None: none)."""
    text = _words(header)
    calendar = None
    match = _HEADER_CALENDAR.match(text)
    if match and calendar_named(match["calendar"]):
        text, calendar = match["name"], calendar_named(match["calendar"])
    return COLUMN_ALIASES.get(text, text), calendar


@dataclass(frozen=True)
class Year:
    written: int  # as the file writes it, in its calendar
    jalali: bool

    @property
    def gregorian(self) -> int:
        """The Gregorian year; a Jalali year's is the one it starts in (at Nowruz)."""
        return self.written + JALALI_TO_GREGORIAN if self.jalali else self.written

    def of(self, date: datetime.date) -> int:
        """`date`'s year in this year's calendar."""
        return to_jalali(date).year if self.jalali else date.year


def read_year(text: str, calendar: str | None) -> Year:
    """A signing year ("2023", "1402", "۱۴۰۲") in `calendar` (None: a year below 1700
    is Jalali), from 1800 (Jalali 1179) to next year."""
    digits = latin_digits(text).strip()
    if not digits.isascii() or not digits.isdigit():
        raise Unreadable(_("The year %(value)s is not a number.") % {"value": text})
    written = int(digits)
    today = timezone.localdate()
    if calendar == JALALI or (calendar is None and written < JALALI_YEAR_LIMIT):
        earliest, latest = YEAR_MIN - JALALI_TO_GREGORIAN, to_jalali(today).year + 1
        if not earliest <= written <= latest:
            raise Unreadable(
                _("The Solar Hijri (Jalali) year %(year)s is not between %(min)s and %(max)s.")
                % {"year": written, "min": earliest, "max": latest}
            )
        return Year(written, jalali=True)
    latest = today.year + 1
    if not YEAR_MIN <= written <= latest:
        raise Unreadable(
            _("The year %(year)s is not between %(min)s and %(max)s.")
            % {"year": written, "min": YEAR_MIN, "max": latest}
        )
    return Year(written, jalali=False)


def read_date(value: Any, calendar: str | None) -> datetime.date:
    """A Gregorian date from a cell: an XLSX date cell as it is (Gregorian whatever is
    stated), text ("2023-08-01", "1402/05/10", "۱۴۰۲/۰۵/۱۰") in `calendar` (None: a
    year below 1700 is Jalali); from 1900-01-01 to 2100-12-31."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        date = value
    else:
        text = str(value).strip()
        # An export writes "2023-08-01"; a spreadsheet may add a time of day.
        date = parse_date(re.split(r"[ T]", text, maxsplit=1)[0], calendar)
        if date is None:
            raise Unreadable(
                _(
                    "%(value)s is not a date (write year, month and day, e.g. 2024-05-04 "
                    "or, Solar Hijri, 1403/02/15)."
                )
                % {"value": text}
            )
    try:
        validate_date(date)
    except ValidationError as refusal:
        raise Unreadable(" ".join(refusal.messages))
    return date
