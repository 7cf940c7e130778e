"""What every tracked model shares: stamps, an optimistic-locking version, history."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# --- Shared shape ----------------------------------------------------------------


class Tracked(models.Model):
    """Creation/update stamps, an optimistic-locking version, and history."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Incremented by every save through agreements.services; a save that
    # carries an older version is refused (no lost updates).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            self.version += 1
        super().save(*args, **kwargs)


# A partnership's term, at most: the workflow adds it to the signing date (at most
# 2100) for the expiry date; 32,767 years (the column's limit) passed year 9999.
TERM_YEARS_MAX = 99


def _end_not_before_start(start: str, end: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True})
        | Q(**{f"{start}__isnull": True})
        | Q(**{f"{end}__gte": F(start)}),
        name=name,
        violation_error_message=_("The end date cannot be before the start date."),
    )


# Records of what has happened (a contact, a decision, a signing, a delegation that
# took place) cannot be dated after today, the local day of the project's time zone.
# Each model's clean() names its fields and their messages; full_clean() runs it, so
# the pages' forms, the admin's forms and every service (which the API, the admin
# and the pages save through) refuse such a date, and the importer asks the same
# function for the dates it reads.


def future_date_errors(
    obj: models.Model, messages: Mapping[str, str], today: datetime.date | None = None
) -> dict[str, list]:
    """{field: [message]} for each named date field of `obj` that lies after today.

    A date stored before this rule and left as it is does not stop the record from
    being saved (its other fields can still be corrected): only a date that is new
    or changed is refused. The stored row is read only when a date is in the future."""
    today = today or timezone.localdate()
    future = {}
    for name, message in messages.items():
        value = getattr(obj, name, None)
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date) and value > today:
            future[name] = (getattr(obj, name), message)
    if future and obj.pk is not None:
        stored = type(obj)._default_manager.filter(pk=obj.pk).values(*future).first() or {}
        future = {
            name: pair
            for name, pair in future.items()
            if name not in stored or stored[name] != pair[0]
        }
    return {
        name: [ValidationError(message, code="future_date")]
        for name, (_value, message) in future.items()
    }


def refuse_future_dates(obj: models.Model, messages: Mapping[str, str]) -> None:
    """Raise a ValidationError naming each date of `messages` that lies after today."""
    errors = future_date_errors(obj, messages)
    if errors:
        raise ValidationError(errors)


# --- Records logged against an agreement ------------------------------------------------


class Record(Tracked):
    """Something logged against an agreement by a user."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )

    class Meta:
        abstract = True
