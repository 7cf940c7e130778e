from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from agreements.dates import format_jalali, persian_digits, to_jalali


def test_to_jalali_converts_gregorian_date():
    jalali = to_jalali(datetime.date(2026, 12, 1))
    assert (jalali.year, jalali.month, jalali.day) == (1405, 9, 10)


def test_to_jalali_of_new_year():
    # Nowruz 1404 fell on 21 March 2025.
    jalali = to_jalali(datetime.date(2025, 3, 21))
    assert (jalali.year, jalali.month, jalali.day) == (1404, 1, 1)


def test_to_jalali_of_aware_datetime_uses_tehran_day(settings):
    settings.TIME_ZONE = "Asia/Tehran"
    # 22:00 UTC on 30 November is already 1 December in Tehran (UTC+03:30).
    moment = datetime.datetime(2026, 11, 30, 22, 0, tzinfo=ZoneInfo("UTC"))
    jalali = to_jalali(moment)
    assert (jalali.month, jalali.day) == (9, 10)


def test_format_jalali_in_persian_digits():
    assert format_jalali(datetime.date(2026, 12, 1)) == "۱۰ آذر ۱۴۰۵"


def test_format_jalali_with_ascii_digits():
    assert format_jalali(datetime.date(2026, 12, 1), persian_digits=False) == "10 آذر 1405"


def test_format_jalali_of_none_is_empty():
    assert format_jalali(None) == ""


def test_persian_digits_converts_ascii_and_arabic_indic():
    assert persian_digits("v12 / ٣٤") == "v۱۲ / ۳۴"


def test_persian_digits_accepts_numbers():
    assert persian_digits(2025) == "۲۰۲۵"
