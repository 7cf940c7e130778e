"""Every write that matters, as one function each. Pages, the API, the admin
and management commands all call these; a rule lives in one place.

Each function takes keyword-only arguments, checks the permission
(agreements.permissions) and the workflow (agreements.workflow), runs in one
transaction with the agreement row locked, saves with save() so that history
is written with a reason, and queues its e-mail to be written and sent only if
that transaction commits (agreements.tasks.enqueue_on_commit). On failure it
raises one error (WorkflowError and its kinds, Forbidden, or Django's
ValidationError) and the database is left as it was.

Concurrency: on PostgreSQL `select_for_update()` serialises two deciders on
the agreement row; on SQLite (where it is a no-op) the connection opens every
transaction with BEGIN IMMEDIATE (config/settings.py), so the second writer
waits for the first to commit and then sees its result. Either way the state
is re-read after the lock, so a race ends in one transition and one Conflict.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from . import workflow
from .memoranda import add_default_articles
from .models import (
    Agreement,
    Document,
    DocumentKind,
    Kind,
    Memorandum,
    MemorandumArticle,
    RequestAction,
    RequestState,
    Role,
    RoleName,
    Stage,
    StageRequest,
    Status,
)
from .permissions import (
    Forbidden,
    can_create_agreement_for,
    can_decide,
    can_edit_agreement,
    can_view_agreement,
    forget_roles,
    is_administrator,
)
from .selectors import gates
from .tasks import enqueue_on_commit, notify_request_decided, notify_request_made
from .uploads import check_document_file

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from cities.models import City

logger = logging.getLogger("sistercities.audit")


# --- Errors ------------------------------------------------------------------------------


class WorkflowError(Exception):
    """A move the workflow does not allow now. Nothing was changed.

    `code` names the reason for machines (the API's problem `code`, never
    translated); `message` says it to people, in their language.
    """

    code = "not_allowed_now"

    def __init__(self, message: Any, *, code: str | None = None) -> None:
        self.message = str(message)
        self.code = code or self.code
        self.unmet: list[workflow.GateItem] = []
        self.missing: list[str] = []
        super().__init__(self.message)


class GateNotMet(WorkflowError):
    """The current stage's gate is not met: `unmet` are the requirements not done
    (code, message, the record kind that fulfils each), `missing` their messages."""

    code = "gate_unmet"

    def __init__(self, message: Any, unmet: list[workflow.GateItem]) -> None:
        super().__init__(message)
        self.unmet = list(unmet)
        self.missing = [str(item.missing) for item in self.unmet]


class Conflict(WorkflowError):
    """Someone else changed the object meanwhile (stale version, request already decided)."""

    code = "conflict"


GATE_NOT_MET = _("The current stage is not complete.")
ALREADY_PENDING = _("This agreement already has a pending request.")
ALREADY_DECIDED = _("This request has already been decided.")
STAGE_CHANGED = _("The agreement's stage has changed since the request was made.")
OWN_REQUEST = _("You cannot decide your own request (four-eyes rule).")
NOT_YOUR_REQUEST = _("Only the requester can withdraw a request.")
STALE = _(
    "Someone else saved this record after you opened it. Your changes were not saved; review them and save again."
)
FROZEN = _("A frozen memorandum cannot be changed; make a new version instead.")
TERMINATED_READ_ONLY = _("A terminated agreement cannot be changed.")
REQUEST_REASON_REQUIRED = _("Give the reason for this request.")
REJECTION_REASON_REQUIRED = _("Give the reason for rejecting this request.")
REOPEN_STAGE_REQUIRED = _("Choose the earlier stage to reopen.")
STAGE_ONLY_FOR_REOPEN = _("Only a request to reopen names a stage.")
DUPLICATE_PAIR = _("These two cities already have a live agreement.")
FREEZE_WRONG_STAGE = _(
    "A memorandum is frozen at the signing stage (or as a new version of an active partnership)."
)
FREEZE_NOT_LATEST = _("Only the latest version of the memorandum can be frozen.")
FREEZE_INCOMPLETE = _(
    "Before freezing, record the signing date and place and the signatories of both sides."
)
SIGNED_DOCUMENT_LOCKED = _(
    "The documents of a frozen memorandum, its signed copy among them, cannot be changed or removed."
)
FIXED_ONCE_SAVED = _("This cannot be changed once saved.")
SIGNED_COPY_FIXED = _(
    "A signed copy stays what it is: upload the signed copy as a new document instead."
)
SIGNED_COPY_NEEDS_MEMORANDUM = _("Choose the memorandum version this signed copy is of.")
SECOND_SIGNED_COPY = _("This memorandum version already has its signed copy.")
MEMORANDUM_OF_ANOTHER_AGREEMENT = _("This memorandum belongs to another agreement.")


def _refuse(user, action: str, obj, message) -> None:
    logger.warning(
        "refused action=%s user=%s object=%s:%s reason=%s",
        action,
        getattr(user, "pk", None),
        type(obj).__name__,
        getattr(obj, "pk", None),
        str(message),
    )


def _forbid(user, action: str, obj) -> Forbidden:
    _refuse(user, action, obj, "permission")
    return Forbidden(action)


def _lock_agreement(pk: int) -> Agreement:
    # of=("self",) locks only the agreement row, not the joined cities.
    return (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("home_city", "partner_city")
        .get(pk=pk)
    )


def _save(obj: models.Model, reason: str, fields: set[str] | None = None) -> None:
    """Save with the history row's reason. `fields`: only these columns change (with
    the version and update stamp every save moves); the history row still records the
    whole object."""
    obj._change_reason = reason
    if fields is None:
        obj.save()
    else:
        obj.save(update_fields={*fields, "version", "updated_at"})


def _user_label(user) -> str:
    return getattr(user, "username", "") or "system"


def _may_write(by, agreement: Agreement, as_administrator: bool) -> bool:
    """An officer or approver of the home municipality (pages, API); an administrator
    correcting data through the admin (as_administrator=True)."""
    if as_administrator:
        return is_administrator(by)
    return can_edit_agreement(by, agreement)


# --- Agreements ----------------------------------------------------------------------------

# What an agreement's editor may change. Everything else is the workflow's: the cities
# and the kind (before signing only, then by an upgrade request), the stage and
# status (requests), the signing date, term and expiry (taken from the memorandum
# when the request to leave signing is approved).
AGREEMENT_EDITABLE_FIELDS = {
    "origin",
    "title",
    "summary",
    "first_contact_on",
    "responsible_officer",
}
KIND_EDITABLE_STAGES = (Stage.CONTACT, Stage.GOALS, Stage.LEGAL)


def agreement_editable_fields(agreement: Agreement | None) -> set[str]:
    """The fields an edit of `agreement` may change now (None: a new agreement)."""
    fields = set(AGREEMENT_EDITABLE_FIELDS)
    if agreement is None or agreement.stage in KIND_EDITABLE_STAGES:
        fields.add("kind")
    return fields


def create_agreement(
    *,
    by: AbstractBaseUser,
    home_city: City,
    partner_city: City,
    kind: str = Kind.FRIENDSHIP,
    origin: str = "other",
    title: str = "",
    summary: str = "",
    as_administrator: bool = False,
    **other_fields: Any,
) -> Agreement:
    allowed = (
        home_city.is_home and is_administrator(by)
        if as_administrator
        else can_create_agreement_for(by, home_city)
    )
    if not allowed:
        raise _forbid(by, "create_agreement", home_city)
    unknown = set(other_fields) - AGREEMENT_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not settable on create: {sorted(unknown)}")
    agreement = Agreement(
        home_city=home_city,
        partner_city=partner_city,
        kind=kind,
        origin=origin,
        title=title,
        summary=summary,
        created_by=by,
        responsible_officer=other_fields.pop("responsible_officer", None) or by,
        **other_fields,
    )
    agreement.full_clean()
    try:
        with transaction.atomic():
            _save(agreement, "Agreement created")
    except IntegrityError:
        # Two officers creating the same pair at once: the partial unique
        # index refuses the second; report it like the form check does.
        raise ValidationError({"partner_city": [DUPLICATE_PAIR]})
    return agreement


def update_agreement(
    *,
    agreement: Agreement,
    by: AbstractBaseUser,
    expected_version: int | None = None,
    reason: str = "",
    as_administrator: bool = False,
    **fields: Any,
) -> Agreement:
    with transaction.atomic():
        locked = _lock_agreement(agreement.pk)
        if not _may_write(by, locked, as_administrator):
            raise _forbid(by, "update_agreement", locked)
        # Judged on the stored stage: kind is editable before signing only.
        unknown = set(fields) - agreement_editable_fields(locked)
        if unknown:
            _refuse(by, "update_agreement", locked, "fixed: " + ", ".join(sorted(unknown)))
            raise ValidationError(
                {name: [_g("This field cannot be changed here.")] for name in sorted(unknown)}
            )
        if locked.status == Status.TERMINATED:
            raise WorkflowError(TERMINATED_READ_ONLY, code="terminated")
        if expected_version is not None and locked.version != expected_version:
            raise Conflict(STALE, code="version_conflict")
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        _save(locked, reason or "Agreement edited")
    return locked


# --- Records --------------------------------------------------------------------------------
# A record is judged by the row as stored, not by the object handed in (which a form,
# a serializer or the admin has already changed): what was frozen stays frozen, and
# what is fixed once saved (the agreement it belongs to, a document's file, a signed
# copy's kind and memorandum) is refused if changed, by every route.

# A save changes only the record's EDITABLE_FIELDS (the models name them; its form,
# serializer and admin show those) and the stamps every save moves. A document's file
# is editable when it is uploaded only: a new file is a new document.
_MOVED_BY_EVERY_SAVE = {"version", "updated_at"}
_FIXED_ONCE_SAVED = {Document: {"file"}}


def _record_agreement(record: models.Model) -> Agreement:
    if isinstance(record, MemorandumArticle):
        return record.memorandum.agreement
    return record.agreement


def _stored(record: models.Model) -> models.Model | None:
    """The record's row as the database holds it (None for a new record)."""
    if record.pk is None:
        return None
    return type(record)._default_manager.filter(pk=record.pk).first()


def _frozen_memorandum_of(record: models.Model | None) -> Memorandum | None:
    """The frozen memorandum that `record` (as stored) is, or belongs to."""
    if record is None:
        return None
    if isinstance(record, Memorandum):
        memorandum_id = record.pk
    else:
        memorandum_id = getattr(record, "memorandum_id", None)
    if memorandum_id is None:
        return None
    return Memorandum.objects.filter(pk=memorandum_id, frozen_at__isnull=False).first()


def _check_record_writable(
    stored: models.Model | None, by, agreement: Agreement, action: str, as_administrator: bool
) -> None:
    if not as_administrator and not can_view_agreement(by, agreement):
        raise _forbid(by, action, stored)  # views turn this into 404 before we get here
    if not _may_write(by, agreement, as_administrator):
        raise _forbid(by, action, stored)
    if agreement.status == Status.TERMINATED:
        raise WorkflowError(TERMINATED_READ_ONLY, code="terminated")
    frozen = _frozen_memorandum_of(stored)
    if frozen is not None:
        _refuse(by, action, stored, "frozen")
        raise WorkflowError(
            SIGNED_DOCUMENT_LOCKED if isinstance(stored, Document) else FROZEN, code="frozen"
        )


def _field_value(record: models.Model, name: str):
    value = getattr(record, record._meta.get_field(name).attname)
    return getattr(value, "name", value)  # a file: its stored name


def _check_record_change(record: models.Model, stored: models.Model | None, by) -> None:
    """What a save may not do: change a field that is not the record's to edit; add to
    a frozen memorandum; make, unmake or move a signed copy; add a second signed copy
    to a memorandum."""
    if stored is not None:
        model = type(record)
        allowed = set(model.EDITABLE_FIELDS) - _FIXED_ONCE_SAVED.get(model, set())
        changed = sorted(
            f.name
            for f in record._meta.concrete_fields
            if not f.primary_key
            and f.name not in allowed | _MOVED_BY_EVERY_SAVE
            and _field_value(record, f.name) != _field_value(stored, f.name)
        )
        if changed:
            _refuse(by, "save_record", record, "fixed: " + ", ".join(changed))
            raise ValidationError({name: [FIXED_ONCE_SAVED] for name in changed})
    new_article = isinstance(record, MemorandumArticle) and stored is None
    if new_article and _frozen_memorandum_of(record) is not None:
        raise WorkflowError(FROZEN, code="frozen")
    if isinstance(record, Document):
        _check_document(record, stored)


def _check_document(document: Document, stored: Document | None) -> None:
    memorandum = document.memorandum if document.memorandum_id else None
    if memorandum is not None and memorandum.agreement_id != document.agreement_id:
        raise ValidationError({"memorandum": [MEMORANDUM_OF_ANOTHER_AGREEMENT]})
    signed_copy = DocumentKind.SIGNED_MOU
    moved = stored is not None and (
        stored.kind != document.kind or stored.memorandum_id != document.memorandum_id
    )
    if moved and signed_copy in (stored.kind, document.kind):
        raise ValidationError({"kind": [SIGNED_COPY_FIXED]})
    if stored is None and document.kind == signed_copy:
        # A new signed copy: of a memorandum version, the first and only one.
        if memorandum is None:
            raise ValidationError({"memorandum": [SIGNED_COPY_NEEDS_MEMORANDUM]})
        if memorandum.documents.filter(kind=signed_copy).exists():
            raise WorkflowError(SECOND_SIGNED_COPY, code="signed_copy_exists")
        return
    linking = memorandum is not None and (stored is None or stored.memorandum_id != memorandum.pk)
    if linking and memorandum.is_frozen:
        raise WorkflowError(FROZEN, code="frozen")  # nothing else joins a frozen memorandum


def check_record(*, record: models.Model, by: AbstractBaseUser, as_administrator: bool = False):
    """save_record's rules without saving, for a form to show a refusal beside its
    fields (save_record checks again under the agreement's lock). Raises as it does."""
    stored = _stored(record)
    if record.pk is not None and stored is None:
        raise Conflict(STALE, code="version_conflict")
    agreement = _record_agreement(stored if stored is not None else record)
    _check_record_writable(stored, by, agreement, "save_record", as_administrator)
    _check_record_change(record, stored, by)


def check_record_delete(
    *, record: models.Model, by: AbstractBaseUser, as_administrator: bool = False
) -> None:
    """delete_record's rules without deleting (raises as it does)."""
    stored = _stored(record)
    if stored is not None:
        _check_record_writable(
            stored, by, _record_agreement(stored), "delete_record", as_administrator
        )


def save_record(
    *,
    record: models.Model,
    by: AbstractBaseUser,
    expected_version: int | None = None,
    reason: str = "",
    as_administrator: bool = False,
) -> models.Model:
    """Create (no pk yet) or update any record logged against an agreement."""
    creating = record.pk is None
    if isinstance(record, Document):
        # A new file: size, type by its bytes, SHA-256 (agreements/uploads.py), read
        # before the row lock; pages, API, imports and the admin all pass here.
        check_document_file(record)
    stored = _stored(record)
    if not creating and stored is None:
        raise Conflict(STALE, code="version_conflict")  # deleted meanwhile
    agreement = _record_agreement(stored if stored is not None else record)
    with transaction.atomic():
        locked = _lock_agreement(agreement.pk)
        stored = _stored(record)  # again, under the lock
        if not creating and stored is None:
            raise Conflict(STALE, code="version_conflict")
        _check_record_writable(stored, by, locked, "save_record", as_administrator)
        if not creating and expected_version is not None and stored.version != expected_version:
            _refuse(by, "save_record", record, "stale")
            raise Conflict(STALE, code="version_conflict")
        if isinstance(record, Memorandum) and creating:
            last = locked.memoranda.order_by("-number").first()
            record.number = (last.number + 1) if last else 1
        if creating and hasattr(record, "created_by_id") and record.created_by_id is None:
            record.created_by = by
        _check_record_change(record, stored, by)
        record.full_clean()
        label = record._meta.verbose_name
        _save(record, reason or (f"{label} added" if creating else f"{label} edited"))
    return record


def delete_record(
    *,
    record: models.Model,
    by: AbstractBaseUser,
    reason: str = "",
    as_administrator: bool = False,
    expected_version: int | None = None,
) -> None:
    stored = _stored(record)
    if stored is None:
        return  # already gone
    agreement = _record_agreement(stored)
    with transaction.atomic():
        locked = _lock_agreement(agreement.pk)
        stored = _stored(record)
        if stored is None:
            return
        _check_record_writable(stored, by, locked, "delete_record", as_administrator)
        if expected_version is not None and stored.version != expected_version:
            raise Conflict(STALE, code="version_conflict")
        stored._change_reason = reason or f"{stored._meta.verbose_name} deleted"
        stored.delete()


# --- Stage requests ------------------------------------------------------------------------------
# Every consequential move (RequestAction: advance, upgrade, reopen, suspend, resume,
# terminate) is a StageRequest: an officer or approver of the home municipality asks
# with a reason (make_request), an approver of that municipality who is not the
# requester approves (approve_stage_request, which makes the move) or rejects with a
# reason. No function here makes such a move at once for one person (four eyes).


def _pending(agreement: Agreement) -> StageRequest | None:
    return agreement.stage_requests.filter(state=RequestState.PENDING).first()


# The history reason of a new request, per action.
_REQUESTED = {
    RequestAction.ADVANCE: "Requested by {user}",
    RequestAction.UPGRADE: "Upgrade requested by {user}",
    RequestAction.REOPEN: "Reopen at {to_stage} requested by {user}",
    RequestAction.SUSPEND: "Suspension requested by {user}",
    RequestAction.RESUME: "Resumption requested by {user}",
    RequestAction.TERMINATE: "Termination requested by {user}",
}


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
            _REQUESTED[action].format(user=_user_label(by), to_stage=stage_request.to_stage),
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
    *, stage_request: StageRequest, by: AbstractBaseUser, note: str = ""
) -> StageRequest:
    """Make the requested move, in this transaction with the agreement row locked;
    the workflow's check (and an advance's gate) is made again on the current state."""
    with transaction.atomic():
        fresh, agreement = _lock_request(stage_request, by, "approve")
        _check_decider(fresh, agreement, by, "approve")
        _APPLY[fresh.action](fresh, agreement, by)
        fresh.state = RequestState.APPROVED
        fresh.decided_by = by
        fresh.decision_note = note
        fresh.decided_at = timezone.now()
        _save(fresh, f"Approved by {_user_label(by)}", DECISION_FIELDS)
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


def _approved_by(stage_request: StageRequest, by) -> str:
    return (
        f"request #{stage_request.pk} by {_user_label(stage_request.requested_by)} "
        f"approved by {_user_label(by)}"
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
        f"Stage {leaving} → {agreement.stage}: {_approved_by(stage_request, by)}",
        changed,
    )


def _take_signing_dates(agreement: Agreement) -> None:
    memorandum = agreement.memoranda.order_by("-number").first()
    if memorandum is None or memorandum.signed_on is None:
        return
    agreement.signed_on = memorandum.signed_on
    agreement.term_years = memorandum.term_years
    if memorandum.term_years:
        signed = memorandum.signed_on
        try:
            agreement.expires_on = signed.replace(year=signed.year + memorandum.term_years)
        except ValueError:  # 29 February
            agreement.expires_on = signed.replace(year=signed.year + memorandum.term_years, day=28)


def _apply_upgrade(stage_request: StageRequest, agreement: Agreement, by) -> None:
    _refuse_move(stage_request, agreement, by)
    agreement.kind = Kind.SISTER
    _save(
        agreement,
        f"Upgraded to sister city: request #{stage_request.pk} approved by {_user_label(by)}",
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
        f"Reopened {leaving} → {agreement.stage}: {_approved_by(stage_request, by)}: "
        f"{stage_request.note}",
        {"stage", "status", "stage_changed_at"},
    )


def _apply_suspend(stage_request: StageRequest, agreement: Agreement, by) -> None:
    _refuse_move(stage_request, agreement, by)
    agreement.status = Status.SUSPENDED
    _save(
        agreement,
        f"Suspended: {_approved_by(stage_request, by)}: {stage_request.note}",
        {"status"},
    )


def _apply_resume(stage_request: StageRequest, agreement: Agreement, by) -> None:
    _refuse_move(stage_request, agreement, by)
    agreement.status = workflow.status_for(agreement.stage)
    # The time suspended does not count towards "stalled".
    agreement.stage_changed_at = timezone.now()
    _save(
        agreement,
        f"Resumed: {_approved_by(stage_request, by)}: {stage_request.note}",
        {"status", "stage_changed_at"},
    )


def _apply_terminate(stage_request: StageRequest, agreement: Agreement, by) -> None:
    """Archive the agreement. Agreements are never deleted; history survives."""
    _refuse_move(stage_request, agreement, by)
    agreement.status = Status.TERMINATED
    _save(
        agreement,
        f"Terminated: {_approved_by(stage_request, by)}: {stage_request.note}",
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
        _save(fresh, f"Rejected by {_user_label(by)}", DECISION_FIELDS)
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
        _save(fresh, f"Withdrawn by {_user_label(by)}")
    return fresh


# --- Memoranda ----------------------------------------------------------------------------------------


def _create_memorandum_version(
    agreement: Agreement, by, supersedes: Memorandum | None, *, kind: str | None = None
) -> Memorandum:
    last = agreement.memoranda.order_by("-number").first()
    memorandum = Memorandum(
        agreement=agreement,
        number=(last.number + 1) if last else 1,
        supersedes=supersedes,
        kind=kind or agreement.kind,
        created_by=by,
    )
    if supersedes is not None:
        # The signing details carry over to the new version; the signing date does not.
        for name in Memorandum.EDITABLE_FIELDS:
            if name == "signed_on":
                continue
            setattr(memorandum, name, getattr(supersedes, name))
    reason = f"Memorandum v{memorandum.number} created" + (
        f", superseding v{supersedes.number}" if supersedes else ""
    )
    _save(memorandum, reason)
    add_default_articles(memorandum, reason=reason)
    return memorandum


def new_memorandum(
    *, agreement: Agreement, by: AbstractBaseUser, supersedes: Memorandum | None = None
) -> Memorandum:
    """A new draft version, with the default articles from the goals."""
    with transaction.atomic():
        locked = _lock_agreement(agreement.pk)
        if not can_edit_agreement(by, locked):
            raise _forbid(by, "new_memorandum", locked)
        if locked.status == Status.TERMINATED:
            raise WorkflowError(TERMINATED_READ_ONLY, code="terminated")
        if supersedes is None:
            supersedes = (
                locked.memoranda.filter(frozen_at__isnull=False).order_by("-number").first()
            )
        return _create_memorandum_version(locked, by, supersedes)


def freeze_memorandum(*, memorandum: Memorandum, by: AbstractBaseUser) -> Memorandum:
    """Render the final PDF once, store it with its SHA-256; never again editable."""
    from .pdf import freeze_pdf

    with transaction.atomic():
        agreement = _lock_agreement(memorandum.agreement_id)
        fresh = Memorandum.objects.select_for_update().get(pk=memorandum.pk)
        if not can_edit_agreement(by, agreement):
            raise _forbid(by, "freeze", fresh)
        if fresh.is_frozen:
            raise Conflict(FROZEN, code="frozen")
        latest = agreement.memoranda.order_by("-number").first()
        if latest is None or latest.pk != fresh.pk:
            raise WorkflowError(FREEZE_NOT_LATEST, code="not_latest_version")
        at_signing = agreement.stage == Stage.SIGNING and agreement.status == Status.IN_PROGRESS
        new_version_of_active = agreement.stage == Stage.ACTIVE and fresh.supersedes_id is not None
        if not (at_signing or new_version_of_active):
            _refuse(by, "freeze", fresh, "stage")
            raise WorkflowError(FREEZE_WRONG_STAGE, code="wrong_stage")
        if not (
            fresh.signed_on
            and fresh.place
            and fresh.home_signatory_name
            and fresh.partner_signatory_name
        ):
            raise WorkflowError(FREEZE_INCOMPLETE, code="signing_details_missing")
        fresh.frozen_at = timezone.now()
        fresh.frozen_by = by
        freeze_pdf(fresh)
        _save(
            fresh,
            f"Memorandum v{fresh.number} frozen by {_user_label(by)} (PDF SHA-256 {fresh.pdf_sha256[:12]})",
        )
        if new_version_of_active and fresh.signed_on:
            _take_signing_dates(agreement)
            _save(agreement, f"Signing dates taken from memorandum v{fresh.number}")
    return fresh


# --- Roles ------------------------------------------------------------------------------------------------


def grant_role(*, user, role: str, city: City | None = None, reason: str = "") -> Role:
    """Give `user` a role; a user holds one role per municipality (replaced if present)."""
    if role not in RoleName.values:
        raise ValidationError({"role": [_g("Unknown role.")]})
    with transaction.atomic():
        if role == RoleName.ADMINISTRATOR:
            if city is not None:
                raise ValidationError({"city": [_g("Administrators belong to no municipality.")]})
            existing = Role.objects.filter(user=user, role=RoleName.ADMINISTRATOR).first()
            if existing is None:
                existing = Role(user=user, role=role)
                existing.full_clean()
                _save(existing, reason or "Role granted")
            if not user.is_staff:
                user.is_staff = True  # Django's admin login form asks for it
                user.save(update_fields=["is_staff"])
            forget_roles(user)
            return existing
        if city is None:
            raise ValidationError({"city": [_g("Name the home municipality.")]})
        existing = Role.objects.filter(user=user, city=city).first()
        if existing is None:
            existing = Role(user=user, city=city, role=role)
            existing.full_clean()
            _save(existing, reason or "Role granted")
        elif existing.role != role:
            existing.role = role
            existing.full_clean()
            _save(existing, reason or "Role changed")
    forget_roles(user)
    return existing


def revoke_role(
    *, user, role: str | None = None, city: City | None = None, reason: str = ""
) -> int:
    """Take roles away (all of the user's roles in `city`, or the administrator role)."""
    roles = Role.objects.filter(user=user)
    if role == RoleName.ADMINISTRATOR:
        roles = roles.filter(role=RoleName.ADMINISTRATOR)
    else:
        if city is None:
            raise ValidationError({"city": [_g("Name the home municipality.")]})
        roles = roles.filter(city=city)
        if role:
            roles = roles.filter(role=role)
    removed = 0
    with transaction.atomic():
        for row in roles:
            row._change_reason = reason or "Role revoked"
            row.delete()
            removed += 1
        if role == RoleName.ADMINISTRATOR and removed and user.is_staff and not user.is_superuser:
            user.is_staff = False
            user.save(update_fields=["is_staff"])
    forget_roles(user)
    return removed
