"""The first answer to an API POST sent with an `Idempotency-Key` header, kept for
IDEMPOTENCY_TTL so that a retry gets it again instead of writing twice
(agreements/api/idempotency.py).

In the database, not a cache, so that it holds across app servers: the unique
(user, key) constraint is what lets only one of two concurrent retries do the work.
Transient, like ExportJob: no history, no `version`, deleted after a day
(`manage.py purge_idempotency_keys`), left out of backups.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# How long a key's first answer is replayed; an older key counts as unused.
IDEMPOTENCY_TTL = datetime.timedelta(hours=24)
KEY_MAX_LENGTH = 255


class IdempotentRequestQuerySet(models.QuerySet):
    def expired(self, now: datetime.datetime | None = None) -> IdempotentRequestQuerySet:
        return self.filter(created_at__lte=(now or timezone.now()) - IDEMPOTENCY_TTL)


class IdempotentRequest(models.Model):
    """One key of one user: what the request was (its fingerprint) and what it answered.

    `status` is null only inside the transaction of the request that claimed the key:
    the claim, the work and the stored answer commit together, so no other
    connection ever reads a row without its answer.
    """

    # Nothing here is typed by a person: the API writes every field (editable=False).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        verbose_name=_("user"),
    )
    key = models.CharField(_("key"), max_length=KEY_MAX_LENGTH, editable=False)
    # SHA-256 (hex) of the method, the path with its query and the body.
    fingerprint = models.CharField(_("fingerprint"), max_length=64, editable=False)
    status = models.PositiveSmallIntegerField(_("status"), null=True, editable=False)
    content_type = models.CharField(_("content type"), max_length=100, editable=False)
    # The headers that belong to the answer (Location, ETag, Content-Language...).
    headers = models.JSONField(_("headers"), default=dict, editable=False)
    body = models.BinaryField(_("body"), default=b"", editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = IdempotentRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [
            # Two retries with the same key: the second INSERT waits for the first
            # transaction and then fails, so only one does the work.
            models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_user_key"),
        ]
        indexes = [
            # purge_idempotency_keys: WHERE created_at <= now - 24 h.
            models.Index(fields=["created_at"], name="idempotent_request_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"

    @property
    def is_expired(self) -> bool:
        return self.created_at <= timezone.now() - IDEMPOTENCY_TTL
