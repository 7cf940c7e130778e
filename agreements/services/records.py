"""Saving and deleting the records under an agreement (contacts, goals, documents,
memoranda...): one check of what may change, for pages, API, admin and import."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models, transaction

from .. import reasons
from ..memoranda import refresh_partner_articles
from ..models import (
    DELEGATION_PARTS,
    Agreement,
    Document,
    DocumentKind,
    Memorandum,
    MemorandumArticle,
    MemorandumOfficial,
    Status,
)
from ..permissions import (
    can_view_agreement,
)
from ..uploads import check_document_file
from .base import (
    FIXED_ONCE_SAVED,
    FROZEN,
    MEMORANDUM_OF_ANOTHER_AGREEMENT,
    SECOND_SIGNED_COPY,
    SIGNED_COPY_FIXED,
    SIGNED_COPY_NEEDS_MEMORANDUM,
    SIGNED_DOCUMENT_LOCKED,
    STALE,
    TERMINATED_READ_ONLY,
    Conflict,
    WorkflowError,
    _forbid,
    _lock_agreement,
    _may_write,
    _refuse,
    _save,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


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
    if isinstance(record, MemorandumArticle | MemorandumOfficial):
        return record.memorandum.agreement
    if isinstance(record, DELEGATION_PARTS):
        return record.delegation.agreement  # participants, programme, budget, gifts...
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
        # Fields the model derives from its editable ones (an action plan's dates).
        allowed |= set(getattr(model, "DERIVED_FIELDS", ()))
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
    # A new article or official of a frozen memorandum (one moved to another memorandum
    # is refused above: the memorandum is not among their EDITABLE_FIELDS).
    new_part = isinstance(record, MemorandumArticle | MemorandumOfficial) and stored is None
    if new_part and _frozen_memorandum_of(record) is not None:
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
        kind = record._meta.model_name
        reason = reason or reasons.reason(
            "record_added" if creating else "record_edited", kind=kind
        )
        _save(record, reason)
        if (
            isinstance(record, Memorandum)
            and stored is not None
            and stored.partner_language != record.partner_language
        ):
            refresh_partner_articles(
                record, previous_language=stored.partner_language, reason=reason
            )
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
        stored._change_reason = reason or reasons.reason(
            "record_deleted", kind=stored._meta.model_name
        )
        stored.delete()
