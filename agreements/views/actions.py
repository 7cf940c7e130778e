"""Workflow actions on an agreement: POST only, each one service call.

Every consequential move (advance, upgrade, reopen, suspend, resume, terminate)
is a request here (make_request) and happens only when an approver other than
the requester approves it; no view makes such a move at once.

A refused action changes nothing and shows the agreement page again with why
(and, for an unmet gate, the list of what is missing): 409 for the workflow,
400 for a missing reason, 403 when the user may not do it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from .. import services
from ..dates import reader_digits
from ..forms import DecisionForm, NoteForm, RequestForm
from ..models import Agreement, Memorandum, RequestAction, Stage, StageRequest
from ..permissions import Forbidden, can_decide, get_agreement_for_user
from .access import role_required
from .common import forbidden, safe_next
from .detail import render_detail


def _run(
    request: HttpRequest,
    agreement: Agreement,
    call: Callable[[], object],
    success: Callable[[object], str],
    *,
    form_key: str = "",
    form=None,
) -> HttpResponse:
    try:
        result = call()
    except Forbidden as exc:
        return forbidden(request, exc)
    except services.WorkflowError as exc:
        # GateNotMet and Conflict are WorkflowErrors; `missing` is empty for the others.
        error = {"message": exc.message, "missing": exc.missing}
        return render_detail(request, agreement, status=409, error=error)
    except ValidationError as exc:
        if form is not None and hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return render_detail(request, agreement, status=400, bound={form_key: form})
        return render_detail(
            request, agreement, status=400, error={"message": " ".join(exc.messages)}
        )
    messages.success(request, success(result))
    return redirect(safe_next(request, reverse("agreements:detail", args=[agreement.pk])))


def _stage_label(code: str) -> str:
    return str(dict(Stage.choices).get(code, code))


def _note(request: HttpRequest, prefix: str | None = None) -> str:
    form = NoteForm(request.POST, prefix=prefix)
    return form.cleaned_data["note"] if form.is_valid() else ""


# --- Requests -----------------------------------------------------------------------------------

# Marked for translation here, translated when the message is shown.
REQUESTED = {
    RequestAction.ADVANCE: gettext_noop(
        "You asked to move the agreement to “%(stage)s”; an approver will decide."
    ),
    RequestAction.UPGRADE: gettext_noop(
        "You asked to upgrade the partnership to a sister city; an approver will decide."
    ),
    RequestAction.REOPEN: gettext_noop(
        "You asked to reopen the agreement at “%(stage)s”; an approver other than you will decide."
    ),
    RequestAction.SUSPEND: gettext_noop(
        "You asked to suspend the partnership; an approver other than you will decide."
    ),
    RequestAction.RESUME: gettext_noop(
        "You asked to resume the partnership; an approver other than you will decide."
    ),
    RequestAction.TERMINATE: gettext_noop(
        "You asked to terminate the partnership; an approver other than you will decide."
    ),
}


@role_required
@require_POST
def make_request(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Ask for a move (`action` comes from the URL): the form's reason, and for a
    reopen the earlier stage. The move itself waits for another approver."""
    agreement, can_edit = get_agreement_for_user(request.user, pk)
    if not can_edit:
        return forbidden(request)
    form = RequestForm(request.POST, action=action, agreement=agreement, prefix=action)
    if not form.is_valid():
        return render_detail(request, agreement, status=400, bound={action: form})
    return _run(
        request,
        agreement,
        lambda: services.make_request(
            agreement=agreement,
            by=request.user,
            action=action,
            note=form.cleaned_data["note"],
            to_stage=form.cleaned_data.get("to_stage"),
        ),
        lambda r: _g(REQUESTED[r.action]) % {"stage": _stage_label(r.to_stage)},
        form_key=action,
        form=form,
    )


def _stage_request(agreement: Agreement, request_id: int) -> StageRequest:
    return get_object_or_404(
        StageRequest.objects.select_related("requested_by"), pk=request_id, agreement=agreement
    )


@role_required
@require_POST
def withdraw(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    agreement, can_edit = get_agreement_for_user(request.user, pk)
    if not can_edit:
        return forbidden(request)
    stage_request = _stage_request(agreement, request_id)
    note = _note(request)
    return _run(
        request,
        agreement,
        lambda: services.withdraw_stage_request(
            stage_request=stage_request, by=request.user, note=note
        ),
        lambda r: _g("Your request was withdrawn."),
    )


# --- The approver's decisions ------------------------------------------------------------------

APPROVED = {
    RequestAction.ADVANCE: gettext_noop("Approved: the agreement moved to “%(stage)s”."),
    RequestAction.UPGRADE: gettext_noop("Approved: the partnership is now a sister city."),
    RequestAction.REOPEN: gettext_noop("Approved: the agreement was reopened at “%(stage)s”."),
    RequestAction.SUSPEND: gettext_noop("Approved: the partnership is suspended."),
    RequestAction.RESUME: gettext_noop("Approved: the partnership is resumed."),
    RequestAction.TERMINATE: gettext_noop("Approved: the agreement is terminated and archived."),
}


def _approved_message(stage_request: StageRequest) -> str:
    return _g(APPROVED[stage_request.action]) % {"stage": _stage_label(stage_request.to_stage)}


def _decide(
    request: HttpRequest,
    pk: int,
    request_id: int,
    decide: Callable[..., StageRequest],
    success: Callable[[StageRequest], str],
) -> HttpResponse:
    agreement, _can_edit = get_agreement_for_user(request.user, pk)
    if not can_decide(request.user, agreement):
        return forbidden(request)
    stage_request = _stage_request(agreement, request_id)
    form = DecisionForm(request.POST, prefix="decision")
    if not form.is_valid():  # a note longer than the field allows
        return render_detail(request, agreement, status=400, bound={"decision": form})
    return _run(
        request,
        agreement,
        lambda: decide(
            stage_request=stage_request, by=request.user, note=form.cleaned_data["note"]
        ),
        success,
        form_key="decision",
        form=form,
    )


@role_required
@require_POST
def approve(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    return _decide(request, pk, request_id, services.approve_stage_request, _approved_message)


@role_required
@require_POST
def reject(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    """Refused without a reason (the decision note): 400, the form shows why."""
    return _decide(
        request,
        pk,
        request_id,
        services.reject_stage_request,
        lambda r: _g("The request was rejected."),
    )


# --- Memoranda ------------------------------------------------------------------------------------


@role_required
@require_POST
def freeze_memorandum(request: HttpRequest, pk: int, memorandum_id: int) -> HttpResponse:
    agreement, can_edit = get_agreement_for_user(request.user, pk)
    if not can_edit:
        return forbidden(request)
    memorandum = get_object_or_404(Memorandum, pk=memorandum_id, agreement=agreement)
    return _run(
        request,
        agreement,
        lambda: services.freeze_memorandum(memorandum=memorandum, by=request.user),
        lambda m: (
            _g("Memorandum version %(number)s is frozen; its PDF is stored and will not change.")
            % {"number": reader_digits(m.number)}
        ),
    )
