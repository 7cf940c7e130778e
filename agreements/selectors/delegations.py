"""Reads under a delegation shared by its page, the API, the programme PDF and the
gift register's page and exports: the day-by-day agenda, budget totals per
currency (per delegation and per year) and the gifts a user may see."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from ..models import BudgetLine, Delegation, Gift, ProgrammeItem
from ..permissions import visible_through_delegation


@dataclass(frozen=True)
class Day:
    date: datetime.date
    items: list[ProgrammeItem] = field(default_factory=list)


def agenda(delegation: Delegation) -> list[Day]:
    """The programme day by day, each day's items by start time (untimed first)."""
    items = (
        ProgrammeItem.objects.filter(delegation=delegation)
        .select_related("responsible")
        .order_by("date", "start_time", "id")
    )
    return [Day(day, list(group)) for day, group in groupby(items, key=lambda i: i.date)]


@dataclass(frozen=True)
class Total:
    currency: str
    planned: Decimal
    actual: Decimal
    lines: int
    year: int | None = None


def _totals(queryset: QuerySet, *keys: str) -> list[dict]:
    return list(
        queryset.order_by()
        .values(*keys)
        .annotate(planned=Sum("planned_amount"), actual=Sum("actual_amount"), lines=Count("id"))
        .order_by(*keys)
    )


def budget_totals(delegation: Delegation) -> list[Total]:
    """Planned and actual sums of the delegation's budget lines, one per currency
    (amounts in different currencies are never added up). A line without an actual
    amount adds nothing to the actual sum."""
    rows = _totals(BudgetLine.objects.filter(delegation=delegation), "currency")
    return [
        Total(
            currency=row["currency"],
            planned=row["planned"] or Decimal("0"),
            actual=row["actual"] or Decimal("0"),
            lines=row["lines"],
        )
        for row in rows
    ]


def budget_totals_by_year(delegations: QuerySet[Delegation]) -> list[Total]:
    """Per (Gregorian) year of the delegations' start dates and per currency, newest
    year first."""
    lines = BudgetLine.objects.filter(delegation__in=delegations.order_by().values("pk"))
    rows = _totals(lines.annotate(year=ExtractYear("delegation__start_date")), "year", "currency")
    totals = [
        Total(
            currency=row["currency"],
            planned=row["planned"] or Decimal("0"),
            actual=row["actual"] or Decimal("0"),
            lines=row["lines"],
            year=row["year"],
        )
        for row in rows
    ]
    return sorted(totals, key=lambda t: (-t.year, t.currency))


def totals_by_year(totals: list[Total]) -> list[tuple[int, list[Total]]]:
    grouped: dict[int, list[Total]] = defaultdict(list)
    for total in totals:
        grouped[total.year].append(total)
    return sorted(grouped.items(), key=lambda pair: -pair[0])


def visible_gifts(user, *, year: int | None = None, direction: str = "") -> QuerySet[Gift]:
    """Every gift of the delegations of the agreements `user` may see (the
    municipality-wide register), newest first; `year` is the gift's date's year,
    else its delegation's start year."""
    gifts = visible_through_delegation(user, Gift.objects.all())
    if direction:
        gifts = gifts.filter(direction=direction)
    if year:
        gifts = gifts.filter(
            Q(date__year=year) | Q(date__isnull=True, delegation__start_date__year=year)
        )
    return gifts.select_related(
        "delegation__agreement__home_city", "delegation__agreement__partner_city", "photo"
    ).order_by("-date", "-id")


def gift_years(user) -> list[int]:
    """The years the register can be filtered by (gifts' dates, else delegations')."""
    gifts = visible_through_delegation(user, Gift.objects.all())
    dated = gifts.filter(date__isnull=False).dates("date", "year")
    undated = Delegation.objects.filter(
        pk__in=gifts.filter(date__isnull=True).values("delegation_id")
    ).dates("start_date", "year")
    return sorted({d.year for d in dated} | {d.year for d in undated}, reverse=True)
