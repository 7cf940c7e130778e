"""A decision of a joint committee's meeting made an item of an action plan (issue 22):
/agreements/<pk>/committee-meetings/<meeting_id>/make-item/?decision=N."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_http_methods

from .. import services
from ..forms_plans import MakeItemForm
from ..models import CommitteeMeeting
from ..permissions import Forbidden
from .access import role_required
from .common import add_validation_errors, forbidden, refused
from .records import _editable_agreement
from .sections import KINDS


@role_required
@require_http_methods(["GET", "POST"])
def meeting_make_item(request: HttpRequest, pk: int, meeting_id: int) -> HttpResponse:
    agreement, refusal = _editable_agreement(request, pk)
    if refusal:
        return refusal
    meeting = get_object_or_404(CommitteeMeeting, pk=meeting_id, agreement=agreement)
    data = request.POST if request.method == "POST" else None
    form = MakeItemForm(
        data, agreement=agreement, initial={"decision": request.GET.get("decision")}
    )
    decision = None
    raw = (request.POST if data is not None else request.GET).get("decision", "")
    if raw.isdigit() and 1 <= int(raw) <= len(meeting.decision_lines):
        decision = meeting.decision_lines[int(raw) - 1]
    if decision is None:
        return refused(request, str(services.plans.NO_SUCH_DECISION), agreement=agreement)
    if data is not None and form.is_valid():
        try:
            services.item_from_decision(
                meeting=meeting,
                plan=form.cleaned_data["plan"],
                decision=form.cleaned_data["decision"],
                sector=form.cleaned_data["sector"],
                owner_department=form.cleaned_data["owner_department"],
                by=request.user,
            )
        except Forbidden as exc:
            return forbidden(request, exc)
        except services.WorkflowError as exc:
            return refused(request, exc.message, agreement=agreement)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _g("The decision is now an item of the action plan."))
            anchor = KINDS["action-plan-items"].anchor
            return redirect(f"{reverse('agreements:detail', args=[agreement.pk])}#{anchor}")
    context = {
        "agreement": agreement,
        "meeting": meeting,
        "decision": decision,
        "form": form,
        "has_plans": form.fields["plan"].queryset.exists(),
    }
    return render(request, "agreements/make_item.html", context)
