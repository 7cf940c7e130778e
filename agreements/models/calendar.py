"""The private calendar feed: each user's secret address.

`CalendarFeedToken`: one live token per user (a partial unique constraint), kept
after it is revoked, with its history (django-simple-history), so who made or
revoked an address, and when, stays on record. Only the SHA-256 of the token is
stored (`digest`), which the feed looks the token up by. The token itself is
HMAC-SHA256(SECRET_KEY, `salt`) (agreements/services/calendar.py): the page can
show the same address again, while a copy of the database alone opens no feed.

Misses against it are counted in the cache (agreements/throttling.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CalendarFeedTokenQuerySet(models.QuerySet):
    def live(self) -> CalendarFeedTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class CalendarFeedToken(models.Model):
    """A user's calendar address; `revoked_at` set when it was renewed or revoked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed_tokens",
        editable=False,
        verbose_name=_("user"),
    )
    # Random; the token is computed from it with the SECRET_KEY.
    salt = models.CharField(_("salt"), max_length=64, editable=False)
    # SHA-256 (hex) of the token, what a feed request is looked up by.
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = CalendarFeedTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar address")
        verbose_name_plural = _("calendar addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="calendar_feed_token_one_live_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}{' (revoked)' if self.revoked_at else ''}"
