"""Action plans: a decision of a joint committee's meeting made an item of a plan."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..models import ActionPlan, ActionPlanItem, CommitteeMeeting, Department, Sector
from .records import save_record

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

NO_SUCH_DECISION = _("This meeting has no such decision.")
PLAN_OF_ANOTHER_AGREEMENT = _("This action plan belongs to another agreement.")
DECISION_ALREADY_AN_ITEM = _("This decision is already an item of this plan.")


def item_from_decision(
    *,
    meeting: CommitteeMeeting,
    plan: ActionPlan,
    decision: int,
    by: AbstractBaseUser,
    sector: str = Sector.OTHER,
    owner_department: str = Department.OTHER,
    due_date: datetime.date | None = None,
) -> ActionPlanItem:
    """A new item of `plan` whose description is the meeting's decision number
    `decision` (counted from 1, blank lines left out), linked to the meeting; due at
    the end of the plan's year unless a due date is given. save_record checks the
    permission, the workflow and the fields as for any item."""
    lines = meeting.decision_lines
    if not isinstance(decision, int) or not 1 <= decision <= len(lines):
        raise ValidationError({"decision": [NO_SUCH_DECISION]})
    if plan.agreement_id != meeting.agreement_id:
        raise ValidationError({"plan": [PLAN_OF_ANOTHER_AGREEMENT]})
    description = lines[decision - 1]
    if plan.items.filter(from_meeting=meeting, description=description).exists():
        raise ValidationError({"decision": [DECISION_ALREADY_AN_ITEM]})
    item = ActionPlanItem(
        agreement_id=plan.agreement_id,
        plan=plan,
        from_meeting=meeting,
        description=description,
        sector=sector,
        owner_department=owner_department,
        due_date=due_date or plan.ends_on,
    )
    return save_record(record=item, by=by)
