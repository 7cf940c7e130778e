"""Creating an agreement and editing its own fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _g

from .. import reasons
from ..models import (
    Agreement,
    Kind,
    Stage,
    Status,
)
from ..permissions import (
    can_create_agreement_for,
    is_administrator,
)
from .base import (
    DUPLICATE_PAIR,
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

    from cities.models import City


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
    # The public page (issue 23): hide an active partnership, its public summary.
    "public",
    "public_summary",
    "public_summary_fa",
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
            _save(agreement, reasons.reason("agreement_created"))
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
        _save(locked, reason or reasons.reason("agreement_edited"))
    return locked
