"""Persian digits in the prose a Persian reader sees, codes left as they are.

Django's own messages (and ours) put numbers into sentences with Latin digits
("at most 200 characters", "less than or equal to 99"); on a Persian page the
sentence takes Persian digits. An ISO date or time, a character's code point
(U+0007) and a hash or other long hexadecimal code keep their Latin digits, so
they can still be compared with what was typed or stored. Here, below agreements,
so the city forms use it too (agreements.dates.persian_digits converts everything,
for values that are only a number).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import get_language

_TO_PERSIAN = str.maketrans("0123456789٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹" * 2)
# Kept as written: ISO dates and times, code points, hexadecimal codes, file names.
_CODES = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?"
    r"|U\+[0-9A-Fa-f]{4,6}"
    r"|\b[0-9a-fA-F]{12,}\b"
    r"|\b[\w-]+\.(?:csv|xlsx|pdf|png|jpe?g|docx)\b"
)


def prose_digits(text: str) -> str:
    """`text` with the digits of its prose in Persian, its codes unchanged."""
    parts, last = [], 0
    for match in _CODES.finditer(text):
        parts.append(text[last : match.start()].translate(_TO_PERSIAN))
        parts.append(match.group())
        last = match.end()
    parts.append(text[last:].translate(_TO_PERSIAN))
    return "".join(parts)


def persian_form_errors(form) -> None:
    """On a Persian page, the form's error messages in Persian digits (codes kept)."""
    if not (get_language() or "").startswith("fa") or not form._errors:
        return
    for errors in form._errors.values():
        for index, error in enumerate(errors.data):
            message = prose_digits(errors[index])  # the message, params applied
            errors.data[index] = ValidationError(message, code=getattr(error, "code", None))
