"""Template helpers for dates, digits and names in the page's language.

{% load sistercities %}
{{ agreement.signed_on|jdate }}        Jalali with Persian digits on Persian pages,
                                       Gregorian ("May 1, 2024") on English pages
{{ history.history_date|jdate:"time" }} the same with the local time of day
{{ count|digits }}                     Persian digits on Persian pages
{{ city|city_name }}                   name_fa on Persian pages when there is one
{{ city|city_other_name }}             the name in the other language, or ""
{{ row.history_change_reason|history_reason }} a history reason in the page's language
{% if request.user|is_administrator %} the global administrator role
"""

from __future__ import annotations

import datetime

from django import template
from django.utils import formats
from django.utils.translation import get_language

from agreements import permissions, reasons
from agreements.dates import format_jalali, format_number, local_time, persian_digits
from agreements.selectors.display import person_name
from cities.models import display_name

register = template.Library()


@register.filter(name="person_name")
def person_name_filter(user) -> str:
    """A user as every page, document and e-mail names them (selectors.display)."""
    return person_name(user)


def is_persian() -> bool:
    return (get_language() or "").startswith("fa")


@register.filter
def jdate(value: datetime.date | datetime.datetime | None, arg: str = "") -> str:
    """A date in the page's calendar; "time" as argument adds the local time."""
    if value in (None, ""):
        return ""
    if not isinstance(value, datetime.date):
        return str(value)
    with_time = arg == "time" and isinstance(value, datetime.datetime)
    if with_time:
        value = local_time(value)
    if is_persian():
        text = format_jalali(value)
        if with_time:
            text = f"{text}، {persian_digits(value.strftime('%H:%M'))}"
        return text
    day = value.date() if isinstance(value, datetime.datetime) else value
    text = formats.date_format(day, "N j, Y")
    if with_time:
        text = f"{text}, {value.strftime('%H:%M')}"
    return text


@register.filter
def digits(value: object) -> str:
    """Digits in Persian on Persian pages, unchanged on English pages (years, codes)."""
    if value is None:
        return ""
    return persian_digits(value) if is_persian() else str(value)


@register.filter
def number(value: object) -> str:
    """A count with thousands separators, in Persian digits on Persian pages."""
    if value is None:
        return ""
    try:
        return format_number(int(value), persian=is_persian())
    except (TypeError, ValueError):
        return str(value)


@register.filter
def city_name(city) -> str:
    """The city's name in the page's language (the English name when it has no Persian one)."""
    if city is None:
        return ""
    return display_name(city.name, getattr(city, "name_fa", ""), persian=is_persian())


@register.filter
def city_other_name(city) -> str:
    """The name in the other language, shown smaller next to the main one; "" when there is none."""
    if city is None:
        return ""
    if is_persian():
        return city.name if city.name_fa else ""
    return city.name_fa


@register.filter
def is_administrator(user) -> bool:
    return permissions.is_administrator(user)


@register.filter
def history_reason(stored) -> str:
    """A stored history reason (agreements.reasons) in the page's language."""
    return reasons.describe(stored)
