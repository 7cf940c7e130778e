"""Template helpers of the delegation pages and the programme: amounts, clock
times and weekdays in the page's language.

{% load delegations %}
{{ line.planned_amount|amount }}   "12,500" / "۱۲٬۵۰۰٫۵۰" (two decimals only when they are not 0)
{{ item.start_time|clock }}        "09:30" / "۰۹:۳۰"
{{ day.date|weekday }}             "Monday" / "دوشنبه"
"""

from __future__ import annotations

from django import template

from agreements.dates import amount_text, clock_text, weekday_text

register = template.Library()


@register.filter
def amount(value) -> str:
    return amount_text(value)


@register.filter
def clock(value) -> str:
    return clock_text(value)


@register.filter
def weekday(value) -> str:
    return weekday_text(value)


@register.filter
def currency_name(code) -> str:
    """A currency's name in the page's language ("Euro", "یورو"); the code when unknown."""
    from agreements.models import Currency

    try:
        return str(Currency(code).label)
    except ValueError:
        return str(code or "")
