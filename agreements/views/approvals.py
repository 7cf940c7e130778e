"""The approvals queue: pending stage requests of the user's municipalities,
oldest first, each with its gate state and (for approvers other than the
requester) approve and reject buttons that post to the agreement's actions."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import workflow
from ..forms import NoteForm
from ..models import Agreement, RequestAction, RequestState, StageRequest
from ..permissions import can_decide
from .access import role_required

PER_PAGE = 20


@role_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    user = request.user
    visible = Agreement.objects.visible_to(user)
    pending = (
        StageRequest.objects.filter(state=RequestState.PENDING, agreement__in=visible)
        .select_related(
            "agreement", "agreement__home_city", "agreement__partner_city", "requested_by"
        )
        # Oldest first (stage_request_queue_idx: state, created_at).
        .order_by("created_at", "id")
    )
    page = Paginator(pending, PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for stage_request in page.object_list:
        agreement = stage_request.agreement
        decider = can_decide(user, agreement)
        own = stage_request.requested_by_id == user.pk
        # The gate is read per request: a page holds at most PER_PAGE of them.
        missing = (
            workflow.gate_missing(agreement)
            if stage_request.action == RequestAction.ADVANCE
            else []
        )
        rows.append(
            {
                "request": stage_request,
                "agreement": agreement,
                "missing": missing,
                "can_decide": decider and not own,
                "own": own,
            }
        )
    context = {"rows": rows, "page": page, "note_form": NoteForm(prefix="decision")}
    return render(request, "agreements/approvals.html", context)
