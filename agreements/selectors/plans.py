"""Follow-up of the action plans: completion and overdue items, for the agreement
page, the API, the dashboard, the reminders and the dormancy flag.

- `plan_completion`: the percent of a plan's items that are done, dropped items
  left out (they are neither done nor owed); None for a plan without items (or only
  dropped ones) and for no plan at all. Rounded down to a whole percent, so 100
  means every counted item is done.
- overdue: an item due before today that is still planned or in progress (of any
  plan of the agreement; a late item of last year's plan is still owed).
- the current plan: the one whose dates contain today (plans never overlap).

Every figure is one query or an annotation (a correlated subquery), so a list's
query count does not grow with its length.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import ActionPlan, ActionPlanItem, Agreement, Calendar, PlanItemStatus, year_span

OPEN = (PlanItemStatus.PLANNED, PlanItemStatus.IN_PROGRESS)


def percent(done: int, counted: int) -> int | None:
    """Done of counted as a whole percent (rounded down); None when nothing counts."""
    if not counted:
        return None
    return done * 100 // counted


def overdue_items(today: datetime.date | None = None) -> QuerySet:
    """Every item past its due date and still planned or in progress."""
    today = today or timezone.localdate()
    return ActionPlanItem.objects.filter(status__in=OPEN, due_date__lt=today)


def current_plan(agreement: Agreement, today: datetime.date | None = None) -> ActionPlan | None:
    today = today or timezone.localdate()
    return agreement.action_plans.filter(starts_on__lte=today, ends_on__gte=today).first()


def plan_for_year(agreement: Agreement, year: int, calendar: str = Calendar.JALALI):
    """The plan covering the first day of `year` in `calendar`, or None."""
    start, _end = year_span(calendar, year)
    return agreement.action_plans.filter(starts_on__lte=start, ends_on__gte=start).first()


@dataclass(frozen=True)
class PlanFigures:
    total: int
    done: int
    dropped: int
    overdue: int

    @property
    def counted(self) -> int:
        return self.total - self.dropped

    @property
    def completion(self) -> int | None:
        return percent(self.done, self.counted)


def plan_figures(plan: ActionPlan | None, today: datetime.date | None = None) -> PlanFigures:
    """The plan's counts in one query."""
    if plan is None:
        return PlanFigures(0, 0, 0, 0)
    today = today or timezone.localdate()
    counts = plan.items.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=PlanItemStatus.DONE)),
        dropped=Count("pk", filter=Q(status=PlanItemStatus.DROPPED)),
        overdue=Count("pk", filter=Q(status__in=OPEN, due_date__lt=today)),
    )
    return PlanFigures(**counts)


def plan_completion(agreement: Agreement, year: int, calendar: str = Calendar.JALALI) -> int | None:
    """The completion of the agreement's plan for `year` (None: no plan or an empty one)."""
    return plan_figures(plan_for_year(agreement, year, calendar)).completion


def _count(items: QuerySet) -> Coalesce:
    counted = items.order_by().values("agreement_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_plan_follow_up(queryset: QuerySet, today: datetime.date | None = None) -> QuerySet:
    """Agreements annotated with `plan_items_counted` and `plan_items_done` (their
    current plan's items, dropped ones left out) and `overdue_items` (all plans)."""
    today = today or timezone.localdate()
    current = ActionPlanItem.objects.filter(
        agreement=OuterRef("pk"), plan__starts_on__lte=today, plan__ends_on__gte=today
    ).exclude(status=PlanItemStatus.DROPPED)
    return queryset.annotate(
        plan_items_counted=_count(current),
        plan_items_done=_count(current.filter(status=PlanItemStatus.DONE)),
        overdue_items=_count(overdue_items(today).filter(agreement=OuterRef("pk"))),
    )


def with_overdue_items(queryset: QuerySet, today: datetime.date | None = None) -> QuerySet:
    """The agreements of `queryset` with at least one overdue item."""
    return queryset.with_overdue_plan_items(today)


def completion_by_partnership(
    queryset: QuerySet, today: datetime.date | None = None, limit: int = 12
) -> list[tuple[Agreement, int]]:
    """(agreement, completion) of the agreements whose current plan has counted
    items, lowest completion first (those are the ones to look at), at most `limit`."""
    rows = (
        with_plan_follow_up(queryset.with_cities(), today)
        .filter(plan_items_counted__gt=0)
        .alias(share=F("plan_items_done") * 100 / F("plan_items_counted"))
        .order_by("share", "id")[:limit]
    )
    return [(a, percent(a.plan_items_done, a.plan_items_counted)) for a in rows]


def with_plan_counts(queryset: QuerySet, today: datetime.date | None = None) -> QuerySet:
    """Plans annotated with `items_total`, `items_done`, `items_dropped` and
    `items_overdue` (ActionPlan.completion reads them)."""
    today = today or timezone.localdate()
    return queryset.annotate(
        items_total=Count("items"),
        items_done=Count("items", filter=Q(items__status=PlanItemStatus.DONE)),
        items_dropped=Count("items", filter=Q(items__status=PlanItemStatus.DROPPED)),
        items_overdue=Count("items", filter=Q(items__status__in=OPEN, items__due_date__lt=today)),
    )
