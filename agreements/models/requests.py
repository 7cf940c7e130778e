"""Requests for a consequential move, decided by a second person."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cities.validators import validate_text

from .agreement import Agreement
from .base import Tracked
from .codes import RequestAction, RequestState, Stage

# --- Stage requests -------------------------------------------------------------------------


class StageRequest(Tracked):
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="stage_requests",
        verbose_name=_("agreement"),
    )
    action = models.CharField(
        _("action"), max_length=20, choices=RequestAction.choices, default=RequestAction.ADVANCE
    )
    from_stage = models.CharField(_("from stage"), max_length=20, choices=Stage.choices)
    to_stage = models.CharField(_("to stage"), max_length=20, choices=Stage.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="stage_requests",
        verbose_name=_("requested by"),
    )
    note = models.TextField(_("note"), blank=True, validators=[validate_text])
    state = models.CharField(
        _("state"), max_length=20, choices=RequestState.choices, default=RequestState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decided_stage_requests",
        verbose_name=_("decided by"),
    )
    decision_note = models.TextField(_("decision note"), blank=True, validators=[validate_text])
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("stage request")
        verbose_name_plural = _("stage requests")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement"],
                condition=Q(state="pending"),
                name="stage_request_one_pending_per_agreement",
                violation_error_message=_("This agreement already has a pending request."),
            ),
            models.CheckConstraint(
                condition=Q(state="pending") | Q(decided_at__isnull=False),
                name="stage_request_decided_has_time",
                violation_error_message=_("A decided request needs its decision time."),
            ),
        ]
        indexes = [
            # Approvals queue: WHERE state = 'pending' ORDER BY created_at, id. Partial,
            # so that it holds only the pending requests and gives their order: an
            # index on (state, created_at) led SQLite, which has no statistics, to
            # read every pending request to find a page's rows by id.
            models.Index(
                fields=["created_at", "id"],
                condition=Q(state="pending"),
                name="stage_request_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement}: {self.get_from_stage_display()} → {self.get_to_stage_display()}"
