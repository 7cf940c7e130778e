"""The errors, messages and small helpers every write shares: the refusal, the
agreement lock, the save with a history reason."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import workflow
from ..models import (
    Agreement,
)
from ..permissions import (
    Forbidden,
    can_edit_agreement,
    is_administrator,
)

if TYPE_CHECKING:
    pass

logger = logging.getLogger("sistercities.audit")


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


def _may_write(by, agreement: Agreement, as_administrator: bool) -> bool:
    """An officer or approver of the home municipality (pages, API); an administrator
    correcting data through the admin (as_administrator=True)."""
    if as_administrator:
        return is_administrator(by)
    return can_edit_agreement(by, agreement)
