"""Bounds on stored values, shared by every way in: pages (ModelForm), API (DRF
takes model field validators), admin, services' full_clean and the importer.

    validate_date        1900-01-01 to 2100-12-31; a Jalali date sent as if it
                         were Gregorian (1405-09-12) is named as such
    jalali_date_error(text)  the same message for "1403-06-31", which is no
                         Gregorian date at all (for the API's date parser)
    validate_line        one-line text (CharField): no line break, no control character
    validate_text        multi-line text (TextField): tab, LF and CR allowed, no
                         other control character
    control_character(text, multiline=...)  the first offending character, or None
    printable(text)      text with every control character replaced, for outputs
                         that cannot hold one (e-mail headers, XLSX)
    PersianScript(label) the Persian field of a bilingual pair (a memorandum's place,
                         signatories and articles, a goal, a commonality): blank, or
                         Arabic-script letters and no Latin letter (digits and
                         punctuation of either script allowed)
    NoPersianScript(label)  its English (partner-language) field: no Arabic-script
                         letter, so Persian typed there does not land in the English
                         text of a signed memorandum

"Control character" is C0 (U+0000-U+001F), DEL (U+007F), C1 (U+0080-U+009F) and
lone surrogates (U+D800-U+DFFF, which no database can encode as UTF-8). Here,
below agreements, because cities must not import from agreements and the
agreements' models use the same rules.
"""

from __future__ import annotations

import datetime
import re

import jdatetime
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

DATE_MIN = datetime.date(1900, 1, 1)
DATE_MAX = datetime.date(2100, 12, 31)

DATE_OUT_OF_RANGE = _(
    "Enter a date between %(min)s and %(max)s (%(min_jalali)s and %(max_jalali)s in the "
    "Solar Hijri calendar)."
)
DATE_LOOKS_JALALI = _(
    "%(value)s looks like a Solar Hijri (Jalali) date; send the Gregorian date: "
    "%(value)s SH is %(gregorian)s."
)
LINE_BREAK = _("Use one line: this field cannot hold a line break.")
CONTROL_CHARACTER = _(
    "Remove the control character %(character)s: it is invisible and cannot be stored."
)

# Characters that end a line (as str.splitlines sees them): in one-line text they
# get the line-break message rather than the control-character one.
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
# Refused in one-line text: every control character, and the Unicode line and
# paragraph separators.
_BAD_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
# Refused in multi-line text: the same, except tab, LF and CR (a browser's textarea
# sends CR LF); the Unicode separators are line breaks there.
_BAD_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# What an XML 1.0 document (XLSX) cannot hold, and the C1 controls and DEL, which
# no reader expects there either.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_UNPRINTABLE_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u2028\u2029]+")
REPLACEMENT = "\ufffd"


def character_code(character: str) -> str:
    return f"U+{ord(character):04X}"


def control_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character of `text` that its kind of field refuses, or None."""
    match = (_BAD_IN_TEXT if multiline else _BAD_IN_LINE).search(text)
    return match.group() if match else None


def _check(value: object, *, multiline: bool) -> None:
    if not isinstance(value, str):
        return
    character = control_character(value, multiline=multiline)
    if character is None:
        return
    if not multiline and character in LINE_BREAKS:
        raise ValidationError(LINE_BREAK, code="line_break")
    raise ValidationError(
        CONTROL_CHARACTER, code="control_character", params={"character": character_code(character)}
    )


def validate_line(value: object) -> None:
    """One-line text (a name, a title, a place): no line break, no control character."""
    _check(value, multiline=False)


def validate_text(value: object) -> None:
    """Multi-line text (notes, descriptions): tab, LF and CR allowed, no other control
    character."""
    _check(value, multiline=True)


def printable(text: str, *, multiline: bool = True) -> str:
    """`text` with every character an XML document cannot hold (and DEL, C1) replaced by
    U+FFFD, so that a value stored before these rules still shows that something was
    there. With multiline=False (an e-mail subject) line breaks and tabs become one
    space as well."""
    if multiline:
        return _UNPRINTABLE.sub(REPLACEMENT, text)
    return " ".join(_UNPRINTABLE_IN_LINE.sub(" ", text).split())


def jalali_reading(year: int, month: int, day: int) -> datetime.date | None:
    """The Gregorian date of year-month-day read as a Solar Hijri date, when that lands
    within the bounds (1405-09-12 -> 2026-12-03); None otherwise."""
    try:
        gregorian = jdatetime.date(year, month, day).togregorian()
    except (ValueError, OverflowError):
        return None
    return gregorian if DATE_MIN <= gregorian <= DATE_MAX else None


_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def jalali_date_error(text: object) -> ValidationError | None:
    """For an ISO-looking date that is no Gregorian date but is a Jalali one
    ("1403-06-31": Shahrivar has 31 days, June 30), the error that says so."""
    match = _ISO_DATE.match(text) if isinstance(text, str) else None
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    gregorian = jalali_reading(year, month, day)
    if gregorian is None:
        return None
    return ValidationError(
        DATE_LOOKS_JALALI,
        code="jalali_date",
        params={"value": f"{year:04d}-{month:02d}-{day:02d}", "gregorian": gregorian.isoformat()},
    )


def _jalali(value: datetime.date) -> str:
    jalali = jdatetime.date.fromgregorian(date=value)
    return f"{jalali.year:04d}-{jalali.month:02d}-{jalali.day:02d}"


def validate_date(value: object) -> None:
    """A date from 1900-01-01 to 2100-12-31: what a partnership can have, and what the
    Jalali calendar, the PDFs and the spreadsheets all show."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date) or DATE_MIN <= value <= DATE_MAX:
        return
    if value < DATE_MIN:
        gregorian = jalali_reading(value.year, value.month, value.day)
        if gregorian is not None:
            raise ValidationError(
                DATE_LOOKS_JALALI,
                code="jalali_date",
                params={"value": value.isoformat(), "gregorian": gregorian.isoformat()},
            )
    raise ValidationError(
        DATE_OUT_OF_RANGE,
        code="date_out_of_range",
        params={
            "min": DATE_MIN.isoformat(),
            "max": DATE_MAX.isoformat(),
            "min_jalali": _jalali(DATE_MIN),
            "max_jalali": _jalali(DATE_MAX),
        },
    )


# --- Script of the bilingual pairs ---------------------------------------------------------

NOT_PERSIAN_SCRIPT = _("Write “%(field)s” in Persian script (the Persian text goes here).")
PERSIAN_SCRIPT_IN_ENGLISH = _(
    "“%(field)s” is the English text: write it without Persian or Arabic letters, and put "
    "the Persian text in its Persian field."
)


def _class(codepoints) -> str:
    """A regular-expression character class body for `codepoints` (BMP only), as
    ranges of \\uXXXX escapes, which Python and ECMA-262 read alike."""
    ranges: list[list[int]] = []
    for point in sorted(codepoints):
        if ranges and point == ranges[-1][1] + 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    return "".join(
        f"\\u{start:04x}" if start == end else f"\\u{start:04x}-\\u{end:04x}"
        for start, end in ranges
    )


# Arabic-script letters (the Arabic, Arabic Supplement and Arabic Extended-A blocks and
# the presentation forms; letters only: not the Arabic and Persian digits, nor the
# Arabic comma, semicolon and question mark) and Latin letters (Basic Latin to Latin
# Extended-B, Latin Extended Additional).
_ARABIC_BLOCKS = [
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x08A0, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
]
_LATIN_BLOCKS = [(0x0041, 0x024F), (0x1E00, 0x1EFF)]
ARABIC_LETTERS = _class(
    c for start, end in _ARABIC_BLOCKS for c in range(start, end + 1) if chr(c).isalpha()
)
LATIN_LETTERS = _class(
    c for start, end in _LATIN_BLOCKS for c in range(start, end + 1) if chr(c).isalpha()
)
_ARABIC = re.compile(f"[{ARABIC_LETTERS}]")
_LATIN = re.compile(f"[{LATIN_LETTERS}]")


def is_persian_script(text: str) -> bool:
    """Holds Arabic-script letters: "تهران", "خیابان ولی‌عصر، پلاک ۱۲", "همکاری با
    UNESCO" (a name or an address in Latin letters inside Persian text is normal);
    not "Tehran", not "۱۲۳" (English text or digits alone in the Persian field)."""
    return bool(_ARABIC.search(text))


def has_persian_script(text: str) -> bool:
    return bool(_ARABIC.search(text))


# The same rules as JSON Schema patterns (agreements/api/schema.py), joined with
# validate_line's or validate_text's: a client or a fuzzer reading the schema sends
# exactly what is accepted. Refused in one line / in text, as _BAD_IN_LINE/_BAD_IN_TEXT
# (lone surrogates left out, as LINE_PATTERN there says).
_REFUSED = {
    False: "\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029",
    True: "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f",
}
_BLANK = {
    multiline: _class(
        c
        for c in range(0x10000)
        if chr(c).isspace() and not re.match(f"[{_REFUSED[multiline]}]", chr(c))
    )
    for multiline in (False, True)
}


def persian_script_pattern(*, multiline: bool) -> str:
    """Blank, or holding an Arabic-script letter (and no refused character)."""
    other = f"[^{_REFUSED[multiline]}]*"
    return f"^(?:[{_BLANK[multiline]}]*|{other}[{ARABIC_LETTERS}]{other})$"


def no_persian_script_pattern(*, multiline: bool) -> str:
    """No Arabic-script letter (and no refused character)."""
    return f"^[^{ARABIC_LETTERS}{_REFUSED[multiline]}]*$"


@deconstructible
class PersianScript:
    """The Persian field of a bilingual pair; `label` names it in the message."""

    code = "not_persian_script"

    def __init__(self, label) -> None:
        self.label = label

    def schema_pattern(self, *, multiline: bool) -> str:
        return persian_script_pattern(multiline=multiline)

    def __call__(self, value: object) -> None:
        if isinstance(value, str) and value.strip() and not is_persian_script(value):
            raise ValidationError(NOT_PERSIAN_SCRIPT, code=self.code, params={"field": self.label})

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and str(self.label) == str(other.label)


@deconstructible
class NoPersianScript(PersianScript):
    """The English (partner-language) field of a bilingual pair."""

    code = "persian_script_in_english"

    def schema_pattern(self, *, multiline: bool) -> str:
        return no_persian_script_pattern(multiline=multiline)

    def __call__(self, value: object) -> None:
        if isinstance(value, str) and has_persian_script(value):
            raise ValidationError(
                PERSIAN_SCRIPT_IN_ENGLISH, code=self.code, params={"field": self.label}
            )
