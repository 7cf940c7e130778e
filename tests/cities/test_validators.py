"""The value bounds (cities.validators) and that every model field a person fills
carries them: a field added without its validator fails here."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation

from cities.validators import (
    DATE_MAX,
    DATE_MIN,
    jalali_date_error,
    printable,
    validate_date,
    validate_line,
    validate_text,
)


def _messages(validator, value, language="en") -> list[str]:
    with translation.override(language):
        with pytest.raises(ValidationError) as caught:
            validator(value)
        return [str(message) for message in caught.value.messages]


@pytest.mark.parametrize("day", [DATE_MIN, DATE_MAX, datetime.date(2026, 12, 3)])
def test_dates_within_the_bounds_pass(day):
    validate_date(day)


@pytest.mark.parametrize(
    "day",
    [
        datetime.date.min,
        datetime.date(1899, 12, 31),
        datetime.date(2101, 1, 1),
        datetime.date.max,
    ],
)
def test_dates_outside_the_bounds_are_refused_in_both_calendars(day):
    (english,) = _messages(validate_date, day)
    assert english == (
        "Enter a date between 1900-01-01 and 2100-12-31 (1278-10-11 and 1479-10-10 in the "
        "Solar Hijri calendar)."
    )
    (persian,) = _messages(validate_date, day, "fa")
    assert "1900-01-01" in persian and "1479-10-10" in persian and "خورشیدی" in persian


def test_a_jalali_date_sent_as_gregorian_is_named():
    (english,) = _messages(validate_date, datetime.date(1405, 9, 12))
    assert english == (
        "1405-09-12 looks like a Solar Hijri (Jalali) date; send the Gregorian date: "
        "1405-09-12 SH is 2026-12-03."
    )
    (persian,) = _messages(validate_date, datetime.date(1405, 9, 12), "fa")
    assert "جلالی" in persian and "2026-12-03" in persian


def test_a_jalali_date_that_is_no_gregorian_date_is_named():
    # Shahrivar has 31 days, June 30.
    error = jalali_date_error("1403-06-31")
    assert error is not None and "2024-09-21" in error.messages[0]
    assert jalali_date_error("2024-06-31") is None  # not a Jalali year either
    assert jalali_date_error("garbage") is None


@pytest.mark.parametrize("text", ["Tehran", "تهران", "a\u200cb", "Rome – Roma", "\u200f(RTL)"])
def test_ordinary_text_passes(text):
    validate_line(text)
    validate_text(text)


def test_line_breaks_are_refused_in_one_line_text_only():
    for text in ["a\nb", "a\r\nb", "a\u2028b", "a\x85b"]:
        assert _messages(validate_line, text) == [
            "Use one line: this field cannot hold a line break."
        ]
    validate_text("first line\r\nsecond line\n\tindented")
    assert _messages(validate_line, "a\nb", "fa") == [
        "در یک سطر بنویسید: این فیلد نمی‌تواند شکست سطر داشته باشد."
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("a\x00b", "U+0000"),
        ("a\x01b", "U+0001"),
        ("a\x1bb", "U+001B"),
        ("a\x7fb", "U+007F"),
        ("a\x9fb", "U+009F"),
        ("a\ud800b", "U+D800"),
    ],
)
def test_control_characters_are_refused_everywhere(text, code):
    expected = f"Remove the control character {code}: it is invisible and cannot be stored."
    assert _messages(validate_line, text) == [expected]
    assert _messages(validate_text, text) == [expected]
    (persian,) = _messages(validate_text, text, "fa")
    assert code in persian and "نویسهٔ کنترلی" in persian


def test_a_tab_is_refused_in_one_line_text():
    assert "U+0009" in _messages(validate_line, "a\tb")[0]


def test_printable_replaces_what_xml_cannot_hold():
    assert printable("a\x00b\x1b\ufffe\r\n\tc") == "a\ufffdb\ufffd\ufffd\r\n\tc"
    assert printable("Tehran\r\n – \x00Rome  x", multiline=False) == "Tehran – Rome x"


# --- Every field a person fills carries its validator ---------------------------------------------


def _person_filled_fields():
    for app_label in ("agreements", "cities"):
        for model in apps.get_app_config(app_label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            for field in model._meta.concrete_fields:
                if not field.editable and not isinstance(field, models.DateField):
                    continue
                if isinstance(field, models.DateTimeField) or field.choices:
                    continue
                if isinstance(field, models.SlugField):
                    continue  # letters, digits, - and _ only (its own validator)
                if isinstance(field, models.CharField | models.TextField | models.DateField):
                    yield model, field


def test_every_text_and_date_field_has_its_validator():
    missing = []
    seen = 0
    for model, field in _person_filled_fields():
        seen += 1
        if isinstance(field, models.TextField):
            wanted = validate_text
        elif isinstance(field, models.CharField):
            wanted = validate_line
        else:
            wanted = validate_date
        if wanted not in field.validators:
            missing.append(f"{model._meta.label}.{field.name}: {wanted.__name__}")
    assert seen > 50
    assert not missing, "\n".join(missing)
