"""Solar Hijri (Jalali) dates and Persian digits, for pages and PDFs.

A small, stable API shared by the web pages and the PDF documents:

    to_jalali(date) -> jdatetime.date        (ValueError outside jdatetime's years)
    format_jalali(date, *, persian_digits=True) -> "۱۰ آذر ۱۴۰۵"
    persian_digits(text) -> text with ۰-۹ instead of 0-9
    local_day(date_or_datetime) -> datetime.date

Display never fails on a stored value: forms, API and import keep dates within
1900-2100 (cities.validators), but a date written before that rule (0001-01-01,
9999-12-31) has no Jalali date in jdatetime, and a moment at the end of year 9999
has no local time east of UTC. format_jalali then shows the ISO date.

Month names come from jdatetime's table, not from its locale machinery, so no
process-wide locale is touched (jdatetime's locale is per object or global
state, and a global would leak between requests).
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

import jdatetime
from django.utils import timezone, translation

# ASCII and Arabic-Indic digits (٠-٩, which some keyboards type) -> Persian (۰-۹).
_TO_PERSIAN = str.maketrans("0123456789٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹" * 2)


def persian_digits(text: object) -> str:
    """`text` as a string with every ASCII or Arabic-Indic digit written in Persian."""
    return str(text).translate(_TO_PERSIAN)


def format_number(value: int, *, persian: bool | None = None) -> str:
    """A count with thousands separators; in Persian digits (and the Arabic thousands
    separator) in Persian, which is the active language's unless `persian` says."""
    if persian is None:
        persian = (translation.get_language() or "").startswith("fa")
    text = f"{value:,}"
    return persian_digits(text.replace(",", "\u066c")) if persian else text


def local_time(value: datetime.datetime) -> datetime.datetime:
    """An aware datetime in the project's time zone (Asia/Tehran); unchanged when naive,
    or when the local time would fall past year 9999."""
    if timezone.is_aware(value):
        try:
            return timezone.localtime(value)
        except OverflowError:
            return value
    return value


def local_day(value: datetime.date | datetime.datetime) -> datetime.date:
    """The day of a date, or of a datetime in the project's time zone, not in UTC."""
    if isinstance(value, datetime.datetime):
        return local_time(value).date()
    return value


def to_jalali(value: datetime.date | datetime.datetime) -> jdatetime.date:
    """The Solar Hijri date of a Gregorian date (or of an aware datetime's local day).
    ValueError for a date jdatetime cannot hold (before 622 or after about 9377 CE)."""
    return jdatetime.date.fromgregorian(date=local_day(value))


def format_jalali(
    value: datetime.date | datetime.datetime | None, *, persian_digits: bool = True
) -> str:
    """Day, Persian month name and year: "۱۰ آذر ۱۴۰۵" ("10 آذر 1405" without
    Persian digits). An empty string for None, so templates can pass optional dates."""
    if value is None:
        return ""
    try:
        jalali = to_jalali(value)
    except (ValueError, OverflowError):
        # A date stored before the 1900-2100 bounds: the ISO date rather than an error.
        return local_day(value).isoformat()
    text = f"{jalali.day} {jdatetime.date.j_months_fa[jalali.month - 1]} {jalali.year}"
    return _persian(text) if persian_digits else text


# The keyword argument shadows the function's name inside format_jalali.
_persian = persian_digits


def format_size(size: int) -> str:
    """A file size as Django's filesizeformat writes it ("1.2 MB", "۱٫۲ مگابایت"),
    in Persian digits on Persian pages, for messages built in Python."""
    from django.template.defaultfilters import filesizeformat

    text = str(filesizeformat(size))
    return persian_digits(text) if (translation.get_language() or "").startswith("fa") else text


def reader_digits(value: object) -> str:
    """`value` as text, in Persian digits when the active language is Persian (a line
    number, a year, a version: no thousands separator, unlike format_number)."""
    persian = (translation.get_language() or "").startswith("fa")
    return persian_digits(value) if persian else str(value)


# --- Delegations: amounts, clock times, weekdays (pages, exports and the programme PDF) -----

_WEEKDAYS_FA = ["دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه", "یکشنبه"]
_WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _is_persian(persian: bool | None) -> bool:
    if persian is None:
        return (translation.get_language() or "").startswith("fa")
    return persian


def amount_text(value, *, persian: bool | None = None) -> str:
    """12,500 or 12,500.50; in Persian digits with the Arabic separators in Persian."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    text = f"{number:,.2f}"
    if text.endswith(".00"):
        text = text[:-3]
    if _is_persian(persian):
        return persian_digits(text.replace(",", "\u066c").replace(".", "\u066b"))
    return text


def clock_text(value, *, persian: bool | None = None) -> str:
    """09:30 (۰۹:۳۰ in Persian); "" for no time."""
    if value is None or value == "":
        return ""
    text = value.strftime("%H:%M") if hasattr(value, "strftime") else str(value)
    return persian_digits(text) if _is_persian(persian) else text


def weekday_text(value, *, persian: bool | None = None) -> str:
    if not isinstance(value, datetime.date):
        return ""
    names = _WEEKDAYS_FA if _is_persian(persian) else _WEEKDAYS_EN
    return names[value.weekday()]
