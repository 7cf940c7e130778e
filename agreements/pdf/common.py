"""Small helpers shared by the PDF documents: text normalisation, dates in the
forms the documents print, canonical JSON."""

from __future__ import annotations

import datetime
import hashlib
import json
import unicodedata

import jdatetime

from ..dates import format_jalali, local_time, persian_digits, to_jalali
from ..selectors.display import person_name

GREGORIAN_MONTHS_FA = [
    "ژانویه",
    "فوریه",
    "مارس",
    "آوریل",
    "مه",
    "ژوئن",
    "ژوئیه",
    "اوت",
    "سپتامبر",
    "اکتبر",
    "نوامبر",
    "دسامبر",
]
GREGORIAN_MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def clean_text(value: object) -> str:
    """The canonical form of stored text: NFC, Unix line ends, no outer blanks.
    Two texts that look the same then hash the same."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text).strip()


def canonical_json(data: object) -> bytes:
    """JSON with sorted keys and no spaces, UTF-8: the same data, the same bytes."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def gregorian_en(value: datetime.date) -> str:
    """1 December 2026"""
    return f"{value.day} {GREGORIAN_MONTHS_EN[value.month - 1]} {value.year}"


def gregorian_fa(value: datetime.date) -> str:
    """۱ دسامبر ۲۰۲۶"""
    return persian_digits(f"{value.day} {GREGORIAN_MONTHS_FA[value.month - 1]} {value.year}")


def jalali_en(value: datetime.date) -> str:
    """10 Azar 1405 SH (Solar Hijri); the ISO date for a date stored before the
    1900-2100 bounds that has no Jalali date."""
    try:
        jalali = to_jalali(value)
    except ValueError:
        return value.isoformat()
    return f"{jalali.day} {jdatetime.date.j_months_en[jalali.month - 1]} {jalali.year} SH"


def jalali_iso(value: datetime.date | None) -> str | None:
    """1405-09-10: the Jalali date in the ISO layout, for data files (None when there
    is none: no date, or one stored before the bounds that jdatetime cannot hold)."""
    if value is None:
        return None
    try:
        jalali = to_jalali(value)
    except ValueError:
        return None
    return f"{jalali.year:04d}-{jalali.month:02d}-{jalali.day:02d}"


def date_both_en(value: datetime.date) -> str:
    """1 December 2026 (10 Azar 1405 SH)"""
    return f"{gregorian_en(value)} ({jalali_en(value)})"


def date_both_fa(value: datetime.date) -> str:
    """۱۰ آذر ۱۴۰۵ (۱ دسامبر ۲۰۲۶)"""
    return f"{format_jalali(value)} ({gregorian_fa(value)})"


def reader_date(value: datetime.date | datetime.datetime | None, language: str) -> str:
    """A date (or a moment, with its local time) as a reader of `language` reads it:
    Jalali with Persian digits in Persian, Gregorian in English."""
    if value is None:
        return ""
    clock = ""
    if isinstance(value, datetime.datetime):
        local = local_time(value)
        clock = f" {local:%H:%M}"
        value = local.date()
    if language == "fa":
        return format_jalali(value) + persian_digits(clock)
    return f"{value.day} {GREGORIAN_MONTHS_EN[value.month - 1][:3]} {value.year}{clock}"


def truncate(value: object, limit: int) -> str:
    """At most `limit` characters, with an ellipsis when cut (bounds absurd input)."""
    text = "" if value is None else str(value)
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def text_direction(text: str, default: str) -> str:
    """ "rtl" or "ltr" from the first strong character, as HTML's dir="auto"
    (which WeasyPrint 70 does not implement): an English note in a Persian
    dossier keeps its full stop on the right, and the other way round."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return default


def who(user) -> str:
    """A user named in a table cell (selectors.display.person_name); "—" when the
    cell names nobody (no responsible officer, say)."""
    if user is None:
        return "—"
    return person_name(user)


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def number(value: object, language: str) -> str:
    """Numbers in the language's own digits: Persian, Arabic-Indic, or Latin."""
    if language == "fa":
        return persian_digits(value)
    if language == "ar":
        return str(value).translate(ARABIC_INDIC)
    return str(value)
