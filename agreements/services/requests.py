"""Stage requests: made by an officer or approver, decided by another approver (four
eyes), withdrawn by who made them; the approved move applied in the same transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import reasons, workflow
from ..models import (
    Agreement,
    Kind,
    RequestAction,
    RequestState,
    Stage,
    StageRequest,
    Status,
)
from ..permissions import (
    Forbidden,
    can_decide,
    can_edit_agreement,
    can_view_agreement,
)
from ..selectors import gates
from ..tasks import enqueue_on_commit, notify_request_decided, notify_request_made
from .base import (
    ALREADY_DECIDED,
    ALREADY_PENDING,
    GATE_NOT_MET,
    NOT_YOUR_REQUEST,
    OWN_REQUEST,
    REJECTION_REASON_REQUIRED,
    REOPEN_STAGE_REQUIRED,
    REQUEST_REASON_REQUIRED,
    STAGE_CHANGED,
    STAGE_ONLY_FOR_REOPEN,
    Conflict,
    GateNotMet,
    WorkflowError,
    _forbid,
    _lock_agreement,
    _refuse,
    _save,
)
from .memoranda import _create_memorandum_version, _take_signing_dates

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


# Every consequential move (RequestAction: advance, upgrade, reopen, suspend, resume,
# terminate) is a StageRequest: an officer or approver of the home municipality asks
# with a reason (make_request), an approver of that municipality who is not the
# requester approves (approve_stage_request, which makes the move) or rejects with a
# reason. No function here makes such a move at once for one person (four eyes).


def _pending(agreement: Agreement) -> StageRequest | None:
    return agreement.stage_requests.filter(state=RequestState.PENDING).first()


# The history reason of a new request, per action.


def _request_errors(action: str, note: str, to_stage: str | None) -> dict[str, list]:
    errors: dict[str, list] = {}
    if not (note or "").strip():
        errors["note"] = [REQUEST_REASON_REQUIRED]
    if action == RequestAction.REOPEN and not to_stage:
        errors["to_stage"] = [REOPEN_STAGE_REQUIRED]
    elif action != RequestAction.REOPEN and to_stage:
        errors["to_stage"] = [STAGE_ONLY_FOR_REOPEN]
    return errors


def _target_stage(action: str, agreement: Agreement, to_stage: str | None) -> str:
    if action == RequestAction.ADVANCE:
        return workflow.next_stage(agreement.stage)
    if action == RequestAction.REOPEN:
        return to_stage
    return agreement.stage  # upgrade, suspend, resume, terminate keep the stage


def make_request(
    *,
    agreement: Agreement,
    by: AbstractBaseUser,
    action: str,
    note: str,
    to_stage: str | None = None,
) -> StageRequest:
    """Ask for a consequential move; an approver of the home municipality other than
    `by` decides it. `note` is the reason (required); `to_stage` names the earlier
    stage of a reopen (and only of a reopen). The move must be possible now (the
    workflow's refuse_* check, and the gate for an advance), and the agreement must
    have no other pending request."""
    if action not in RequestAction.values:
        raise ValueError(f"Unknown request action: {action!r}")
    to_stage = to_stage or None
    with transaction.atomic():
        locked = _lock_agreement(agreement.pk)
        name = f"request_{action}"
        if not can_edit_agreement(by, locked):
            raise _forbid(by, name, locked)
        errors = _request_errors(action, note, to_stage)
        if errors:
            _refuse(by, name, locked, "invalid: " + ", ".join(sorted(errors)))
            raise ValidationError(errors)
        refusal = workflow.refuse_request(
            action, stage=locked.stage, status=locked.status, kind=locked.kind, to_stage=to_stage
        )
        if refusal:
            _refuse(by, name, locked, refusal)
            raise WorkflowError(refusal, code="move_not_allowed")
        if _pending(locked) is not None:
            _refuse(by, name, locked, "pending")
            raise Conflict(ALREADY_PENDING, code="request_pending")
        if action == RequestAction.ADVANCE:
            unmet = gates.gate_unmet(locked)
            if unmet:
                _refuse(by, name, locked, "gate")
                raise GateNotMet(GATE_NOT_MET, unmet)
        stage_request = StageRequest(
            agreement=locked,
            action=action,
            from_stage=locked.stage,
            to_stage=_target_stage(action, locked, to_stage),
            requested_by=by,
            note=note,
        )
        _save(
            stage_request,
            reasons.reason(
                "request_made",
                action=action,
                stage=stage_request.to_stage,
                user=reasons.who(by),
            ),
        )
        enqueue_on_commit(notify_request_made, stage_request_id=stage_request.pk)
    return stage_request


def request_advance(*, agreement: Agreement, by: AbstractBaseUser, note: str) -> StageRequest:
    """Ask to move the agreement to the next stage; the gate must be met."""
    return make_request(agreement=agreement, by=by, action=RequestAction.ADVANCE, note=note)


def request_upgrade(*, agreement: Agreement, by: AbstractBaseUser, note: str) -> StageRequest:
    """Ask to upgrade an active friendship city to a sister city."""
    return make_request(agreement=agreement, by=by, action=RequestAction.UPGRADE, note=note)


def _lock_request(stage_request: StageRequest, by, action: str) -> tuple[StageRequest, Agreement]:
    """Lock the agreement and the request in one statement and read both as they are
    now: another decider may have moved the agreement or decided the request.

    On PostgreSQL the rows are locked in the order named, the agreement first as
    every other write locks it, and a row changed while this statement waited is
    read again in its committed version (so the state checked below is current).
    On SQLite the transaction began with the write lock (BEGIN IMMEDIATE).
    """
    fresh = (
        StageRequest.objects.select_related("agreement", "requested_by")
        .select_for_update(of=("agreement", "self"))
        .get(pk=stage_request.pk)
    )
    if fresh.state != RequestState.PENDING:
        _refuse(by, action, fresh, "already decided")
        raise Conflict(ALREADY_DECIDED, code="already_decided")
    return fresh, fresh.agreement


def _check_decider(fresh: StageRequest, agreement: Agreement, by, action: str) -> None:
    """An approver of the home municipality who is not the requester (four eyes)."""
    if not can_decide(by, agreement):
        raise _forbid(by, action, fresh)
    if fresh.requested_by_id == by.pk:
        _refuse(by, action, fresh, "own request")
        raise _forbid_own()


# What deciding a request changes on it, and what leaving signing copies onto the
# agreement (signed_year follows signed_on in Agreement.save).
DECISION_FIELDS = {"state", "decided_by", "decision_note", "decided_at"}
SIGNING_DATE_FIELDS = {"signed_on", "signed_year", "term_years", "expires_on"}


def approve_stage_request(
    *, stage_request: StageRequest, by: AbstractBaseUser, note: str = "", via: str = ""
) -> StageRequest:
    """Make the requested move, in this transaction with the agreement row locked;
    the workflow's check (and an advance's gate) is made again on the current state.
    `via`: the route when it is not a page or the API ("admin"), kept in the history."""
    with transaction.atomic():
        fresh, agreement = _lock_request(stage_request, by, "approve")
        _check_decider(fresh, agreement, by, "approve")
        _APPLY[fresh.action](fresh, agreement, by)
        fresh.state = RequestState.APPROVED
        fresh.decided_by = by
        fresh.decision_note = note
        fresh.decided_at = timezone.now()
        _save(
            fresh,
            reasons.reason("request_approved", user=reasons.who(by), via=via),
            DECISION_FIELDS,
        )
        enqueue_on_commit(notify_request_decided, stage_request_id=fresh.pk)
    return fresh


def _forbid_own() -> Forbidden:
    return Forbidden("own request", OWN_REQUEST, code="four_eyes")


def _refuse_move(stage_request: StageRequest, agreement: Agreement, by) -> None:
    """The state may have changed since the request was made: check the move again."""
    refusal = workflow.refuse_request(
        stage_request.action,
        stage=agreement.stage,
        status=agreement.status,
        kind=agreement.kind,
        to_stage=stage_request.to_stage,
    )
    if refusal:
        _refuse(by, "approve", stage_request, refusal)
        raise WorkflowError(refusal, code="move_not_allowed")


def _approved(code: str, stage_request: StageRequest, by, **values) -> str:
    """The reason of a move made by approving `stage_request`."""
    return reasons.reason(
        code,
        request=stage_request.pk,
        requester=reasons.who(stage_request.requested_by),
        user=reasons.who(by),
        **values,
    )


def _apply_advance(stage_request: StageRequest, agreement: Agreement, by) -> None:
    if agreement.stage != stage_request.from_stage:
        raise Conflict(STAGE_CHANGED, code="stage_changed")
    _refuse_move(stage_request, agreement, by)
    # The gate again: records may have changed since the request was made.
    unmet = gates.gate_unmet(agreement)
    if unmet:
        _refuse(by, "approve", stage_request, "gate")
        raise GateNotMet(GATE_NOT_MET, unmet)
    leaving = agreement.stage
    agreement.stage = stage_request.to_stage
    agreement.status = workflow.status_for(agreement.stage)
    agreement.stage_changed_at = timezone.now()
    changed = {"stage", "status", "stage_changed_at"}
    if leaving == Stage.SIGNING:
        _take_signing_dates(agreement)
        changed |= SIGNING_DATE_FIELDS
    _save(
        agreement,
        _approved(
            "stage_advanced", stage_request, by, from_stage=leaving, to_stage=agreement.stage
        ),
        changed,
    )


def _apply_upgrade(stage_request: StageRequest, agreement: Agreement, by) -> None:
    _refuse_move(stage_request, agreement, by)
    agreement.kind = Kind.SISTER
    _save(
        agreement,
        _approved("upgraded", stage_request, by),
    )
    previous = agreement.memoranda.order_by("-number").first()
    _create_memorandum_version(agreement, by, previous, kind=Kind.SISTER)


def _apply_reopen(stage_request: StageRequest, agreement: Agreement, by) -> None:
    # The earlier stage was chosen relative to the stage the request was made in.
    if agreement.stage != stage_request.from_stage:
        raise Conflict(STAGE_CHANGED, code="stage_changed")
    _refuse_move(stage_request, agreement, by)
    leaving = agreement.stage
    agreement.stage = stage_request.to_stage
    agreement.status = workflow.status_for(agreement.stage)
    agreement.stage_changed_at = timezone.now()
    _save(
        agreement,
        _approved(
            "reopened",
            stage_request,
            by,
            from_stage=leaving,
            to_stage=agreement.stage,
            note=stage_request.note,
        ),
        {"stage", "status", "stage_changed_at"},
    )


def _apply_suspend(stage_request: StageRequest, agreement: Agreement, by) -> None:
    _refuse_move(stage_request, agreement, by)
    agreement.status = Status.SUSPENDED
    _save(
        agreement,
        _approved("suspended", stage_request, by, note=stage_request.note),
        {"status"},
    )


def _apply_resume(stage_request: StageRequest, agreement: Agreement, by) -> None:
    _refuse_move(stage_request, agreement, by)
    agreement.status = workflow.status_for(agreement.stage)
    # The time suspended does not count towards "stalled".
    agreement.stage_changed_at = timezone.now()
    _save(
        agreement,
        _approved("resumed", stage_request, by, note=stage_request.note),
        {"status", "stage_changed_at"},
    )


def _apply_terminate(stage_request: StageRequest, agreement: Agreement, by) -> None:
    """Archive the agreement. Agreements are never deleted; history survives."""
    _refuse_move(stage_request, agreement, by)
    agreement.status = Status.TERMINATED
    _save(
        agreement,
        _approved("terminated", stage_request, by, note=stage_request.note),
        {"status"},
    )


_APPLY = {
    RequestAction.ADVANCE: _apply_advance,
    RequestAction.UPGRADE: _apply_upgrade,
    RequestAction.REOPEN: _apply_reopen,
    RequestAction.SUSPEND: _apply_suspend,
    RequestAction.RESUME: _apply_resume,
    RequestAction.TERMINATE: _apply_terminate,
}


def reject_stage_request(
    *, stage_request: StageRequest, by: AbstractBaseUser, note: str
) -> StageRequest:
    """Refuse the move; `note` (the reason, required) is sent to the requester."""
    with transaction.atomic():
        fresh, agreement = _lock_request(stage_request, by, "reject")
        _check_decider(fresh, agreement, by, "reject")
        if not (note or "").strip():
            _refuse(by, "reject", fresh, "no reason")
            raise ValidationError({"note": [REJECTION_REASON_REQUIRED]})
        fresh.state = RequestState.REJECTED
        fresh.decided_by = by
        fresh.decision_note = note
        fresh.decided_at = timezone.now()
        _save(fresh, reasons.reason("request_rejected", user=reasons.who(by)), DECISION_FIELDS)
        enqueue_on_commit(notify_request_decided, stage_request_id=fresh.pk)
    return fresh


def withdraw_stage_request(
    *, stage_request: StageRequest, by: AbstractBaseUser, note: str = ""
) -> StageRequest:
    with transaction.atomic():
        fresh, agreement = _lock_request(stage_request, by, "withdraw")
        if not can_view_agreement(by, agreement) or fresh.requested_by_id != by.pk:
            _refuse(by, "withdraw", fresh, "not requester")
            raise Forbidden("withdraw", NOT_YOUR_REQUEST, code="not_requester")
        fresh.state = RequestState.WITHDRAWN
        fresh.decided_by = by
        fresh.decision_note = note
        fresh.decided_at = timezone.now()
        _save(fresh, reasons.reason("request_withdrawn", user=reasons.who(by)))
    return fresh
