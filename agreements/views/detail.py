"""The agreement page: parties and stage, the current gate as a checklist, every
kind of record, a timeline, the history, and the actions the user may take.

Its query count does not grow with the number of records or history rows
(tests/agreements/test_views_detail.py checks it).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import F, Q, Window
from django.db.models.functions import Lag
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from .. import workflow
from ..dates import local_time
from ..forms import DecisionForm, RequestForm
from ..models import Agreement, ApprovalStatus, RequestAction, RequestState, Stage, Status
from ..permissions import (
    can_decide,
    can_edit_agreement,
    deciders_and_administrators,
    get_agreement_for_user,
)
from .access import role_required
from .history import history_page
from .sections import KINDS, checklist, section

# --- Timeline --------------------------------------------------------------------------

DECISION_TITLES = {
    RequestState.APPROVED: _("Request approved"),
    RequestState.REJECTED: _("Request rejected"),
    RequestState.WITHDRAWN: _("Request withdrawn"),
}


@dataclass
class Event:
    when: datetime.date | datetime.datetime
    kind: str  # CSS hook and icon: contact, delegation, request, stage...
    title: str
    detail: str = ""
    who: str = ""
    anchor: str = ""

    @property
    def sort_key(self) -> tuple:
        if isinstance(self.when, datetime.datetime):
            local = local_time(self.when)
            return (local.date(), local.time())
        return (self.when, datetime.time.min)

    @property
    def has_time(self) -> bool:
        return isinstance(self.when, datetime.datetime)


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def stage_changes(agreement: Agreement) -> list[dict]:
    """Rows of the agreement's history where its stage or status changed (one query:
    a window function compares each row with the one before it)."""
    history = Agreement.history.model.objects.filter(id=agreement.pk)
    order = [F("history_date").asc(), F("history_id").asc()]
    return list(
        history.annotate(
            prev_stage=Window(Lag("stage"), order_by=order),
            prev_status=Window(Lag("status"), order_by=order),
        )
        .filter(
            Q(prev_stage__isnull=False) & (~Q(prev_stage=F("stage")) | ~Q(prev_status=F("status")))
        )
        .order_by("history_date", "history_id")
        .values(
            "history_date",
            "stage",
            "status",
            "prev_stage",
            "prev_status",
            "history_change_reason",
            "history_user__username",
            "history_user__first_name",
            "history_user__last_name",
        )
    )


def timeline(agreement: Agreement, sections: dict, stage_requests: list) -> list[Event]:
    """Everything that happened, newest first: records by their own dates, stage
    requests and their decisions, and stage or status changes."""
    stages = dict(Stage.choices)
    statuses = dict(Status.choices)
    events: list[Event] = []
    records = {slug: data["records"] for slug, data in sections.items()}
    for contact in records["contacts"]:
        events.append(
            Event(
                contact.date,
                "contact",
                str(_("Contact")),
                contact.participants,
                "",
                "section-contacts",
            )
        )
    for goal in records["goals"]:
        events.append(
            Event(
                goal.created_at,
                "goal",
                str(_("Goal recorded")),
                goal.description,
                "",
                "section-goals",
            )
        )
    for commonality in records["commonalities"]:
        events.append(
            Event(
                commonality.created_at,
                "commonality",
                str(_("Commonality recorded")),
                commonality.description,
                "",
                "section-commonalities",
            )
        )
    for support in records["department-supports"]:
        events.append(
            Event(
                support.supported_on or support.created_at,
                "support",
                str(
                    _("Support of %(department)s")
                    % {"department": support.get_department_display()}
                ),
                support.notes,
                "",
                "section-department-supports",
            )
        )
    for approval in records["legal-approvals"]:
        decided = approval.status in (ApprovalStatus.GRANTED, ApprovalStatus.REFUSED)
        when = (approval.decided_on if decided else approval.requested_on) or approval.created_at
        events.append(
            Event(
                when,
                "approval",
                f"{approval.get_authority_display()}: {approval.get_status_display()}",
                approval.reference,
                "",
                "section-legal-approvals",
            )
        )
    for memorandum in records["memoranda"]:
        if memorandum.frozen_at:
            events.append(
                Event(
                    memorandum.frozen_at,
                    "memorandum",
                    str(_("Memorandum v%(number)s frozen") % {"number": memorandum.number}),
                    "",
                    _person(memorandum.frozen_by),
                    "section-memoranda",
                )
            )
        if memorandum.signed_on:
            events.append(
                Event(
                    memorandum.signed_on,
                    "memorandum",
                    str(_("Memorandum v%(number)s signed") % {"number": memorandum.number}),
                    memorandum.place,
                    "",
                    "section-memoranda",
                )
            )
    for delegation in records["delegations"]:
        events.append(
            Event(
                delegation.start_date,
                "delegation",
                str(
                    _("%(direction)s delegation")
                    % {"direction": delegation.get_direction_display()}
                ),
                delegation.head,
                "",
                "section-delegations",
            )
        )
    for activity in records["activities"]:
        events.append(
            Event(
                activity.start_date,
                "activity",
                activity.title,
                activity.get_sector_display(),
                "",
                "section-activities",
            )
        )
    for document in records["documents"]:
        events.append(
            Event(
                document.created_at,
                "document",
                str(_("Document uploaded")),
                str(document),
                "",
                "section-documents",
            )
        )
    for stage_request in stage_requests:
        if stage_request.action in (RequestAction.ADVANCE, RequestAction.REOPEN):
            requested = _("%(action)s requested: %(from)s → %(to)s") % {
                "action": stage_request.get_action_display(),
                "from": stage_request.get_from_stage_display(),
                "to": stage_request.get_to_stage_display(),
            }
        else:  # the stage stays
            requested = _("%(action)s requested") % {"action": stage_request.get_action_display()}
        events.append(
            Event(
                stage_request.created_at,
                "request",
                str(requested),
                stage_request.note,
                _person(stage_request.requested_by),
                "requests",
            )
        )
        if stage_request.state != RequestState.PENDING and stage_request.decided_at:
            events.append(
                Event(
                    stage_request.decided_at,
                    f"decision-{stage_request.state}",
                    str(DECISION_TITLES.get(stage_request.state, "")),
                    stage_request.decision_note,
                    _person(stage_request.decided_by),
                    "requests",
                )
            )
    for change in stage_changes(agreement):
        name = " ".join(
            part
            for part in (change["history_user__first_name"], change["history_user__last_name"])
            if part
        ) or (change["history_user__username"] or "")
        if change["prev_stage"] != change["stage"]:
            title = _("Stage: %(from)s → %(to)s") % {
                "from": stages.get(change["prev_stage"], change["prev_stage"]),
                "to": stages.get(change["stage"], change["stage"]),
            }
        else:
            title = _("Status: %(from)s → %(to)s") % {
                "from": statuses.get(change["prev_status"], change["prev_status"]),
                "to": statuses.get(change["status"], change["status"]),
            }
        events.append(
            Event(
                change["history_date"],
                "stage",
                str(title),
                change["history_change_reason"] or "",
                name,
                "history",
            )
        )
    events.sort(key=lambda event: event.sort_key, reverse=True)
    return events


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
        "timeline": timeline(agreement, sections, stage_requests),
        "flags": {
            "dormant": agreement.is_dormant,
            "expiring": agreement.is_expiring,
            "stalled": agreement.is_stalled,
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
