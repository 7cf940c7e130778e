"""Plans and items saved through the services, on fixed data."""

from __future__ import annotations

import datetime

from agreements import services
from agreements.models import ActionPlan, ActionPlanItem


def plan(agreement, by, *, year=2026, calendar="gregorian") -> ActionPlan:
    return services.save_record(
        record=ActionPlan(agreement=agreement, calendar=calendar, year=year), by=by
    )


def item(plan, by, *, status="planned", due=None, **fields) -> ActionPlanItem:
    values = {
        "sector": "culture",
        "description": "A cultural week",
        "owner_department": "economic",
        "due_date": due or plan.ends_on,
        "status": status,
        **fields,
    }
    return services.save_record(
        record=ActionPlanItem(agreement=plan.agreement, plan=plan, **values), by=by
    )


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)
