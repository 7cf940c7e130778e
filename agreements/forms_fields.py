"""A date field that speaks the page's calendar.

On Persian pages people type and read Solar Hijri (Jalali) dates such as
"1403/02/15" or "۱۴۰۳/۰۲/۱۵"; on English pages the browser's date picker sends ISO
dates ("2024-05-04"). The cleaned value is always a Gregorian datetime.date, so
models and services never see a Jalali date.

    class ContactForm(forms.ModelForm):
        date = JalaliDateField(label=_("date"))
        # or: formfield_callback / field_classes = {"date": JalaliDateField}

A year below 1700 is read as Jalali, anything else as Gregorian, so an ISO date
pasted on a Persian page still works and no Jalali year (13xx-14xx) is mistaken
for a Gregorian one. The date must then lie between 1900-01-01 and 2100-12-31
(cities.validators.validate_date, the models' own rule): the message names both
calendars' bounds.
"""

from __future__ import annotations

import datetime
import re

import jdatetime
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cities.validators import validate_date

from .dates import persian_digits, to_jalali

# Persian (۰-۹) and Arabic-Indic (٠-٩) digits to ASCII.
_TO_LATIN = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "0123456789" * 2)
_DATE = re.compile(r"^\s*(\d{3,4})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*$")
_JALALI_YEAR_LIMIT = 1700


def _persian_page() -> bool:
    return (get_language() or "").startswith("fa")


def parse_date(text: str) -> datetime.date | None:
    """A Gregorian date from "1403/02/15", "۱۴۰۳/۰۲/۱۵" or "2024-05-04"; None if unreadable."""
    match = _DATE.match(text.translate(_TO_LATIN))
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    try:
        if year < _JALALI_YEAR_LIMIT:
            return jdatetime.date(year, month, day).togregorian()
        return datetime.date(year, month, day)
    except ValueError:
        return None


def jalali_text(value: datetime.date, *, persian: bool = True) -> str:
    """ "1403/02/15" (in Persian digits when `persian`), as typed in the field; the ISO
    date for one stored before the bounds that has no Jalali date."""
    try:
        jalali = to_jalali(value)
    except ValueError:
        return value.isoformat()
    text = f"{jalali.year:04d}/{jalali.month:02d}/{jalali.day:02d}"
    return persian_digits(text) if persian else text


class JalaliDateInput(forms.DateInput):
    """A text box with a Jalali date on Persian pages; the browser's date picker on
    English pages. The choice is made when the form is rendered, in the language
    active then."""

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")

    def format_value(self, value):
        if isinstance(value, datetime.date):
            if _persian_page():
                return jalali_text(value)
            return value.strftime("%Y-%m-%d")
        # Whatever the user typed comes back unchanged, so they can correct it.
        return value or None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        if _persian_page():
            context["widget"]["type"] = "text"
            widget_attrs.setdefault("inputmode", "numeric")
            widget_attrs.setdefault("placeholder", persian_digits("1403/02/15"))
            widget_attrs.setdefault("dir", "ltr")
            widget_attrs.setdefault("autocomplete", "off")
        else:
            context["widget"]["type"] = "date"
        return context


class JalaliDateField(forms.DateField):
    widget = JalaliDateInput
    default_validators = [validate_date]
    default_error_messages = {
        "invalid": _("Enter a valid date, e.g. 1403/02/15 (Solar Hijri) or 2024-05-04."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        parsed = parse_date(str(value))
        if parsed is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed
