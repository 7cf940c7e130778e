"""Delegations as dates: the calendar feed's and the dashboard's reads.

Both go through `permissions.visible_through_agreement`, so nobody reads another
municipality's delegations, and each is one query whatever the number of rows
(the agreement and both cities joined).
"""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from .. import permissions
from ..models import Delegation


def visible_delegations(user) -> QuerySet[Delegation]:
    """Every delegation of an agreement `user` may see, by start date."""
    return (
        permissions.visible_through_agreement(user, Delegation.objects.all())
        .select_related("agreement__home_city", "agreement__partner_city")
        .order_by("start_date", "id")
    )


def upcoming_delegations(user, today: datetime.date | None = None) -> QuerySet[Delegation]:
    """The visible delegations not over yet (under way or ahead), soonest first: one
    without an end date counts as a single day."""
    today = today or timezone.localdate()
    return visible_delegations(user).filter(
        Q(end_date__gte=today) | Q(end_date__isnull=True, start_date__gte=today)
    )
