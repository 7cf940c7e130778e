"""Workflow actions on an agreement: POST only, each one service call.

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
from ..forms import NoteForm, ReasonForm, ReopenForm
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


# --- The officer's requests ------------------------------------------------------------------


@role_required
@require_POST
def request_advance(request: HttpRequest, pk: int) -> HttpResponse:
    agreement, can_edit = get_agreement_for_user(request.user, pk)
    if not can_edit:
        return forbidden(request)
    note = _note(request)
    return _run(
        request,
        agreement,
        lambda: services.request_advance(agreement=agreement, by=request.user, note=note),
        lambda r: (
            _g("You asked to move the agreement to “%(stage)s”; an approver will decide.")
            % {"stage": _stage_label(r.to_stage)}
        ),
    )


@role_required
@require_POST
def request_upgrade(request: HttpRequest, pk: int) -> HttpResponse:
    agreement, can_edit = get_agreement_for_user(request.user, pk)
    if not can_edit:
        return forbidden(request)
    note = _note(request)
    return _run(
        request,
        agreement,
        lambda: services.request_upgrade(agreement=agreement, by=request.user, note=note),
        lambda r: _g(
            "You asked to upgrade the partnership to a sister city; an approver will decide."
        ),
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


def _approved_message(stage_request: StageRequest) -> str:
    if stage_request.action == RequestAction.UPGRADE:
        return _g("Approved: the partnership is now a sister city.")
    return _g("Approved: the agreement moved to “%(stage)s”.") % {
        "stage": _stage_label(stage_request.to_stage)
    }


@role_required
@require_POST
def approve(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    agreement, _can_edit = get_agreement_for_user(request.user, pk)
    if not can_decide(request.user, agreement):
        return forbidden(request)
    stage_request = _stage_request(agreement, request_id)
    note = _note(request, prefix="decision")
    return _run(
        request,
        agreement,
        lambda: services.approve_stage_request(
            stage_request=stage_request, by=request.user, note=note
        ),
        _approved_message,
    )


@role_required
@require_POST
def reject(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    agreement, _can_edit = get_agreement_for_user(request.user, pk)
    if not can_decide(request.user, agreement):
        return forbidden(request)
    stage_request = _stage_request(agreement, request_id)
    note = _note(request, prefix="decision")
    return _run(
        request,
        agreement,
        lambda: services.reject_stage_request(
            stage_request=stage_request, by=request.user, note=note
        ),
        lambda r: _g("The request was rejected."),
    )


@role_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    agreement, _can_edit = get_agreement_for_user(request.user, pk)
    if not can_decide(request.user, agreement):
        return forbidden(request)
    form = ReopenForm(request.POST, agreement=agreement, prefix="reopen")
    if not form.is_valid():
        return render_detail(request, agreement, status=400, bound={"reopen": form})
    return _run(
        request,
        agreement,
        lambda: services.reopen(
            agreement=agreement,
            by=request.user,
            stage=form.cleaned_data["stage"],
            reason=form.cleaned_data["reason"],
        ),
        lambda a: (
            _g("The agreement was reopened at “%(stage)s”.") % {"stage": _stage_label(a.stage)}
        ),
        form_key="reopen",
        form=form,
    )


def _reason_action(name: str, service: Callable[..., Agreement], success: str):
    @role_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        agreement, _can_edit = get_agreement_for_user(request.user, pk)
        if not can_decide(request.user, agreement):
            return forbidden(request)
        form = ReasonForm(request.POST, prefix=name)
        if not form.is_valid():
            return render_detail(request, agreement, status=400, bound={name: form})
        return _run(
            request,
            agreement,
            lambda: service(
                agreement=agreement, by=request.user, reason=form.cleaned_data["reason"]
            ),
            lambda a: _g(success),
            form_key=name,
            form=form,
        )

    view.__name__ = name
    view.__qualname__ = name
    return view


# Marked for translation here, translated when the message is shown.
suspend = _reason_action("suspend", services.suspend, gettext_noop("The agreement was suspended."))
resume = _reason_action("resume", services.resume, gettext_noop("The agreement was resumed."))
terminate = _reason_action(
    "terminate", services.terminate, gettext_noop("The agreement was terminated.")
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
            % {"number": m.number}
        ),
    )
