"""Writes under a delegation that need more than `save_record`: a ceremony's photos
(a many-to-many link to documents, which `save_record`'s row does not hold)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Ceremony, Document
from ..models.delegations import photo_errors
from .records import save_record

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


def save_ceremony(
    *,
    record: Ceremony,
    by: AbstractBaseUser,
    photos: list[Document] | None = None,
    expected_version: int | None = None,
    reason: str = "",
    as_administrator: bool = False,
) -> Ceremony:
    """The ceremony through save_record (permission, workflow, version, history),
    then its photos (PNG or JPEG documents of the same agreement), in one
    transaction. `photos=None` leaves them as they are."""
    with transaction.atomic():
        if photos is not None:
            errors = photo_errors("photos", [p.pk for p in photos], record.delegation.agreement_id)
            if errors:
                raise ValidationError(errors)
        saved = save_record(
            record=record,
            by=by,
            expected_version=expected_version,
            reason=reason,
            as_administrator=as_administrator,
        )
        if photos is not None:
            saved.photos.set(photos)
    return saved
