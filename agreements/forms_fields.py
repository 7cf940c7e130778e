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

The box is left-to-right on every page (dir="ltr"), and its hint shows the format
and an example in the page's calendar ("سال/ماه/روز، مانند ۱۴۰۳/۰۲/۱۵" on Persian
pages, "year-month-day, e.g. 2024-05-04" on English pages), each part in a
left-to-right isolate (U+2066 ... U+2069) so a right-to-left page does not show
it backwards. What the hint and the placeholder show is accepted as typed (and
copied: direction marks are ignored).

`JalaliYearField` is the same rule for a year ("۱۴۰۲", "1402", "2023"): a year
below 1700 is Jalali and becomes the Gregorian year it starts in (a "from" bound)
or ends in (an "until" bound), since a Jalali year spans two Gregorian years
(1402 ran from 21 March 2023 to 19 March 2024).
"""

from __future__ import annotations

import datetime
import re

import jdatetime
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from cities.validators import validate_date

from .dates import persian_digits, to_jalali

# Persian (۰-۹) and Arabic-Indic (٠-٩) digits to ASCII.
_TO_LATIN = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "0123456789" * 2)
# Direction marks and isolates (LRM, RLM, ALM, LRE...PDF, LRI...PDI) and zero-width
# joiners a copy from a right-to-left page may carry: not part of the date.
_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200c\u200d\ufeff",
    )
)
_DATE = re.compile(r"^\s*(\d{3,4})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*$")
_YEAR = re.compile(r"^\s*(\d{1,9})\s*$")
JALALI_YEAR_LIMIT = 1700
# The Gregorian year in which a Jalali year starts (it ends in the next one).
JALALI_TO_GREGORIAN = 621

# The example the placeholder and the hint show: the same day in both calendars.
_EXAMPLE = datetime.date(2024, 5, 4)
LTR_ISOLATE, POP_ISOLATE = "\u2066", "\u2069"


def isolate_ltr(text: str) -> str:
    """`text` in a left-to-right isolate: a date or format reads the same on a
    right-to-left page."""
    return f"{LTR_ISOLATE}{text}{POP_ISOLATE}"


def latin_digits(text: str) -> str:
    """Persian and Arabic-Indic digits as ASCII, without direction marks."""
    return text.translate(_TO_LATIN).translate(_INVISIBLE)


def _persian_page() -> bool:
    return (get_language() or "").startswith("fa")


def parse_date(text: str, calendar: str | None = None) -> datetime.date | None:
    """A Gregorian date from "1403/02/15", "۱۴۰۳/۰۲/۱۵" or "2024-05-04"; None if unreadable.

    `calendar` ("jalali", "gregorian") says how to read it, when the source states
    it (an import); else a year below 1700 is Jalali."""
    match = _DATE.match(latin_digits(text))
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    jalali = calendar == "jalali" or (calendar is None and year < JALALI_YEAR_LIMIT)
    try:
        if jalali:
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


def date_placeholder() -> str:
    """The example date in the page's calendar: "۱۴۰۳/۰۲/۱۵" or "2024-05-04"."""
    if _persian_page():
        return jalali_text(_EXAMPLE)
    return _EXAMPLE.isoformat()


def _date_hint() -> str:
    # The format as the page's calendar writes it.
    pattern = gettext("year/month/day") if _persian_page() else gettext("year-month-day")
    return gettext("%(format)s, e.g. %(example)s") % {
        "format": isolate_ltr(pattern),
        "example": isolate_ltr(date_placeholder()),
    }


# The hint under a date field, written when shown, in the page's language.
date_hint = lazy(_date_hint, str)


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
        # A date reads left to right on every page (Persian pages are right-to-left).
        widget_attrs.setdefault("dir", "ltr")
        widget_attrs.setdefault("placeholder", date_placeholder())
        if _persian_page():
            context["widget"]["type"] = "text"
            widget_attrs.setdefault("inputmode", "numeric")
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

    def __init__(self, *args, **kwargs) -> None:
        # A model field hands in its help text, empty for dates: then the format hint.
        if not kwargs.get("help_text"):
            kwargs["help_text"] = date_hint()
        super().__init__(*args, **kwargs)

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


def gregorian_year(year: int, *, ends: bool = False) -> int:
    """The Gregorian year of `year`: unchanged from 1700, else a Jalali year's, the one
    it starts in (`ends`: the one it ends in)."""
    if year >= JALALI_YEAR_LIMIT:
        return year
    return year + JALALI_TO_GREGORIAN + (1 if ends else 0)


def parse_year(text: object, *, ends: bool = False) -> int | None:
    """A Gregorian year from "2023", "1402" or "۱۴۰۲" (see gregorian_year); None if
    unreadable."""
    match = _YEAR.match(latin_digits(str(text)))
    if not match:
        return None
    return gregorian_year(int(match.group(1)), ends=ends)


class JalaliYearField(forms.IntegerField):
    """A year in either calendar, cleaned to a Gregorian year. `ends`: a Jalali year
    is read as the Gregorian year it ends in (an "until" bound), else the one it
    starts in (a "from" bound). The bounds (min_value, max_value) are Gregorian; the
    message names both calendars'."""

    widget = forms.TextInput

    def __init__(self, *args, ends: bool = False, **kwargs) -> None:
        self.ends = ends
        super().__init__(*args, **kwargs)
        # validate() says the range in both calendars; Django's Min/MaxValueValidators
        # would repeat it in one.
        self.validators = [
            v for v in self.validators if not isinstance(v, MinValueValidator | MaxValueValidator)
        ]

    def widget_attrs(self, widget):
        # A text box (so Persian digits can be typed): no min/max/step attributes.
        return {k: v for k, v in super().widget_attrs(widget).items() if k == "maxlength"}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        year = parse_year(value, ends=self.ends)
        if year is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return year

    def validate(self, value) -> None:
        super().validate(value)
        low, high = self.min_value, self.max_value
        if value is None or low is None or high is None:
            return
        if not low <= value <= high:
            shift = JALALI_TO_GREGORIAN + (1 if self.ends else 0)
            raise ValidationError(
                _(
                    "Enter a year from %(min)s to %(max)s, or a Solar Hijri (Jalali) year "
                    "from %(jalali_min)s to %(jalali_max)s."
                ),
                code="year_range",
                params={
                    "min": low,
                    "max": high,
                    "jalali_min": low - shift,
                    "jalali_max": min(high - shift, JALALI_YEAR_LIMIT - 1),
                },
            )
