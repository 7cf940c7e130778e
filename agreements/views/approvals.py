"""The approvals queue: pending stage requests of the user's municipalities,
oldest first, each with its gate state and (for approvers other than the
requester) approve and reject buttons that post to the agreement's actions."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import workflow
from ..forms import NoteForm
from ..models import RequestAction, RequestState, StageRequest
from ..pagination import paginate
from ..permissions import can_decide, can_edit_agreement, visible_through_agreement
from ..selectors.gates import gate_missing_for
from .access import role_required

PER_PAGE = 20


@role_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    user = request.user
    pending = (
        visible_through_agreement(user, StageRequest.objects.filter(state=RequestState.PENDING))
        .select_related(
            "agreement", "agreement__home_city", "agreement__partner_city", "requested_by"
        )
        # Oldest first (stage_request_queue_idx: the pending requests by created_at, id).
        .order_by("created_at", "id")
    )
    # No total on this page: rows by id first and no count, so a national queue of
    # tens of thousands of requests costs what a short one does (pagination.py).
    page = paginate(request, pending, per_page=PER_PAGE, count=False)
    rows = []
    requests = list(page.object_list)
    # The gates of the whole page at once: the same few queries for 1 or PER_PAGE rows.
    gates = gate_missing_for([r.agreement for r in requests if r.action == RequestAction.ADVANCE])
    for stage_request in requests:
        agreement = stage_request.agreement
        # The buttons the agreement page would offer (four eyes included).
        actions = workflow.allowed_actions(
            stage=agreement.stage,
            status=agreement.status,
            kind=agreement.kind,
            user_id=user.pk,
            can_edit=can_edit_agreement(user, agreement),
            can_decide=can_decide(user, agreement),
            pending_request=stage_request,
        )
        missing = gates.get(agreement.pk, [])
        rows.append(
            {
                "request": stage_request,
                "agreement": agreement,
                "missing": missing,
                "can_decide": "approve" in actions,
                "own": stage_request.requested_by_id == user.pk,
            }
        )
    context = {"rows": rows, "page": page, "note_form": NoteForm(prefix="decision")}
    return render(request, "agreements/approvals.html", context)
