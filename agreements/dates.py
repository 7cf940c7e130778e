"""Solar Hijri (Jalali) dates and Persian digits, for pages and PDFs.

A small, stable API shared by the web pages and the PDF documents:

    to_jalali(date) -> jdatetime.date
    format_jalali(date, *, persian_digits=True) -> "۱۰ آذر ۱۴۰۵"
    persian_digits(text) -> text with ۰-۹ instead of 0-9

Month names come from jdatetime's table, not from its locale machinery, so no
process-wide locale is touched (jdatetime's locale is per object or global
state, and a global would leak between requests).
"""

from __future__ import annotations

import datetime

import jdatetime
from django.utils import timezone

# ASCII and Arabic-Indic digits (٠-٩, which some keyboards type) -> Persian (۰-۹).
_TO_PERSIAN = str.maketrans("0123456789٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹" * 2)


def persian_digits(text: object) -> str:
    """`text` as a string with every ASCII or Arabic-Indic digit written in Persian."""
    return str(text).translate(_TO_PERSIAN)


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        # An aware datetime is shown on the day it is in the project's time zone
        # (Asia/Tehran), not in UTC.
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


def to_jalali(value: datetime.date | datetime.datetime) -> jdatetime.date:
    """The Solar Hijri date of a Gregorian date (or of an aware datetime's local day)."""
    return jdatetime.date.fromgregorian(date=_as_date(value))


def format_jalali(
    value: datetime.date | datetime.datetime | None, *, persian_digits: bool = True
) -> str:
    """Day, Persian month name and year: "۱۰ آذر ۱۴۰۵" ("10 آذر 1405" without
    Persian digits). An empty string for None, so templates can pass optional dates."""
    if value is None:
        return ""
    jalali = to_jalali(value)
    text = f"{jalali.day} {jdatetime.date.j_months_fa[jalali.month - 1]} {jalali.year}"
    return _persian(text) if persian_digits else text


# The keyword argument shadows the function's name inside format_jalali.
_persian = persian_digits
