"""The agreement page: parties and stage, the current gate as a checklist, every
kind of record, a timeline, the history, and the actions the user may take.

Its query count does not grow with the number of records or history rows
(tests/agreements/test_views_detail.py checks it).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import workflow
from ..forms import DecisionForm, RequestForm
from ..models import Agreement, RequestAction, RequestState, Stage
from ..permissions import (
    can_decide,
    can_edit_agreement,
    deciders_and_administrators,
    get_agreement_for_user,
)
from ..selectors.display import person_name
from ..selectors.plans import percent, with_plan_follow_up
from ..selectors.timeline import Event, timeline
from ..templatetags.sistercities import digits
from .access import role_required
from .history import history_page
from .sections import KINDS, checklist, section

# --- Timeline --------------------------------------------------------------------------

# Where on the page an event's link goes: its record's section, the stage requests,
# the history, the facts (selectors.timeline.Event.source).
ANCHORS = {
    **{kind.related_name: kind.anchor for kind in KINDS.values()},
    "stage_requests": "requests",
    "history": "history",
    "agreement": "facts-heading",
}


@dataclass(frozen=True)
class TimelineEntry:
    """One event of selectors.timeline as the page shows it."""

    event: Event
    title: str
    who: str
    anchor: str

    @property
    def kind(self) -> str:
        return self.event.kind

    @property
    def when(self):
        return self.event.when

    @property
    def has_time(self) -> bool:
        return self.event.has_time

    @property
    def detail(self) -> str:
        return self.event.detail


def timeline_entries(agreement: Agreement, sections: dict, stage_requests: list) -> list:
    """The timeline (selectors.timeline, newest first) from the records the page's
    sections have read: one query more, for the stage and status changes."""
    records = {data["kind"].related_name: data["records"] for data in sections.values()}
    records["stage_requests"] = stage_requests
    return [
        TimelineEntry(
            event=event,
            title=event.title(digits),  # Persian digits on Persian pages
            who=person_name(event.who) if event.who is not None else "",
            anchor=ANCHORS[event.source],
        )
        for event in timeline(agreement, records)
    ]


# --- The page ----------------------------------------------------------------------------


def stage_bar(agreement: Agreement) -> list[dict]:
    current = workflow.stage_index(agreement.stage)
    return [
        {
            "code": code,
            "label": label,
            "number": index + 1,
            "state": "done" if index < current else "current" if index == current else "todo",
        }
        for index, (code, label) in enumerate(Stage.choices)
    ]


def four_eyes_notice(user, agreement: Agreement, pending, actions: set[str]) -> dict | None:
    """When nobody could decide: the pending request (or a request this user may
    make) needs an approver of the home municipality other than its requester, and
    there is none. Then the page says so and names the administrators, who can give
    a second person the approver role. None when someone can decide (one query,
    only when there is a request or the user may make one)."""
    requester = pending.requested_by if pending is not None else user
    if pending is None and not any(name.startswith("request_") for name in actions):
        return None
    deciders, administrators = deciders_and_administrators(agreement)
    if any(decider.pk != requester.pk for decider in deciders):
        return None
    return {
        "pending": pending is not None,
        "own": requester.pk == user.pk,
        "requester": requester,
        "administrators": administrators,
    }


def detail_context(
    request: HttpRequest,
    agreement: Agreement,
    *,
    error: dict | None = None,
    bound: dict | None = None,
) -> dict:
    """Everything the agreement page shows. `error` (message, missing items) and
    `bound` (action forms with the user's input and their errors) come from a
    refused action, shown on the page it was tried from."""
    user = request.user
    stage_requests = list(
        agreement.stage_requests.select_related("requested_by", "decided_by").order_by(
            "created_at", "id"
        )
    )
    pending = next((r for r in stage_requests if r.state == RequestState.PENDING), None)
    actions = workflow.allowed_actions(
        stage=agreement.stage,
        status=agreement.status,
        kind=agreement.kind,
        user_id=user.pk,
        can_edit=can_edit_agreement(user, agreement),
        can_decide=can_decide(user, agreement),
        pending_request=pending,
    )
    sections = {slug: section(agreement, kind) for slug, kind in KINDS.items()}
    plan_follow_up = with_plan_follow_up(Agreement.objects.filter(pk=agreement.pk)).get()
    memoranda = sections["memoranda"]["records"]
    gate = checklist(agreement, memoranda[0] if memoranda else None)
    bound = bound or {}
    forms = {
        "decision": bound.get("decision") or DecisionForm(prefix="decision"),
        **{
            action: bound.get(action)
            or RequestForm(action=action, agreement=agreement, prefix=action)
            for action in RequestAction.values
            if f"request_{action}" in actions
        },
    }
    return {
        "agreement": agreement,
        "actions": actions,
        "can_write": "edit" in actions,
        "pending": pending,
        "stage_requests": stage_requests,
        "stage_bar": stage_bar(agreement),
        "next_stage_label": dict(Stage.choices).get(workflow.next_stage(agreement.stage), ""),
        "checklist": gate,
        "checklist_missing": any(not row["item"].done for row in gate),
        "has_frozen_memorandum": any(memorandum.is_frozen for memorandum in memoranda),
        "sections": sections,
        "timeline": timeline_entries(agreement, sections, stage_requests),
        "flags": {
            "dormant": agreement.is_dormant,
            "expiring": agreement.is_expiring,
            "stalled": agreement.is_stalled,
            "plan_overdue": plan_follow_up.overdue_items,
            "plan_completion": percent(
                plan_follow_up.plan_items_done, plan_follow_up.plan_items_counted
            ),
        },
        "forms": forms,
        "can_request": any(name.startswith("request_") for name in actions),
        "four_eyes": four_eyes_notice(user, agreement, pending, actions),
        "open_form": next(iter(bound), ""),
        "error": error,
        # The history, often the longest part, comes in its own request when it
        # scrolls into view (htmx; agreements:history); ?history_page=N renders it
        # here, for a browser without JavaScript following the fallback link.
        **(
            history_page(agreement, request.GET["history_page"])
            if "history_page" in request.GET
            else {"history": None, "history_pager": None}
        ),
    }


def render_detail(
    request: HttpRequest,
    agreement: Agreement,
    *,
    status: int = 200,
    error: dict | None = None,
    bound: dict | None = None,
) -> HttpResponse:
    context = detail_context(request, agreement, error=error, bound=bound)
    return render(request, "agreements/detail.html", context, status=status)


@role_required
@require_GET
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement, _can_edit = get_agreement_for_user(request.user, pk)
    return render_detail(request, agreement)
