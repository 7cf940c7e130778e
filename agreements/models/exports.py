"""Exports written in the background."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cities.validators import validate_text

from .codes import ExportError, ExportFormat, ExportSource, ExportState, Language


def export_upload_to(instance: ExportJob, filename: str) -> str:
    """A server-generated name under exports/ (never served by URL: MEDIA_URL is not routed)."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"exports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class ExportJob(models.Model):
    """An export of the agreement list written by a background task (agreements.export_jobs).

    Transient: the file is deleted EXPORT_RETENTION_HOURS after it was written, and
    the row with it. So no history (unlike every other model) and no `version`: only
    the task writes a job after it is created, through save(update_fields=...).
    `query` is the list's filter string as the owner had it; the task builds the
    visible queryset again from it, for the owner as they are when it runs.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("asked by"),
    )
    format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    source = models.CharField(
        _("asked from"), max_length=10, choices=ExportSource.choices, default=ExportSource.PAGE
    )
    query = models.TextField(_("filters"), blank=True, validators=[validate_text])
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    # The home municipalities the file may hold rows of, fixed when the task ran (null:
    # every one, an administrator's export); the download checks the owner still sees them.
    scope = models.JSONField(_("home municipalities"), null=True, blank=True, editable=False)
    state = models.CharField(
        _("state"), max_length=10, choices=ExportState.choices, default=ExportState.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(
        _("file"), upload_to=export_upload_to, blank=True, editable=False, max_length=200
    )
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    error = models.CharField(_("error"), max_length=20, choices=ExportError.choices, blank=True)
    # Each run of the task takes the next number; a run that is no longer the latest
    # (the job was started again) stops and keeps nothing.
    attempt = models.PositiveIntegerField(_("attempt"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The owner's recent exports, newest first (the exports page and the API list).
            models.Index(fields=["owner", "-created_at"], name="export_job_owner_idx"),
            # purge_exports: WHERE expires_at < now.
            models.Index(fields=["expires_at"], name="export_job_expiry_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="done") | Q(file=""), name="export_job_file_only_when_done"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} {self.created_at:%Y-%m-%d %H:%M} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in (ExportState.DONE, ExportState.FAILED)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def percent(self) -> int | None:
        """Whole per cent written, None while the rows are not counted yet."""
        if self.state == ExportState.DONE:
            return 100
        if not self.rows_total:
            return None
        return min(100, self.rows_done * 100 // self.rows_total)
