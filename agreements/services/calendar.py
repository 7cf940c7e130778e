"""The private calendar address of a user: made, shown again, renewed, revoked.

The token in the address is HMAC-SHA256(SECRET_KEY, salt) with a random salt;
the database keeps the salt and the token's SHA-256 (`CalendarFeedToken`), never
the token. So the page and `GET /api/v1/calendar-feed/` can show the same address
as often as asked (a person subscribes from a phone and a desktop), a copy of the
database alone opens no feed, and the feed finds its token by the digest's unique
index. Rotating SECRET_KEY (without keeping the old one in SECRET_KEY_FALLBACKS)
changes every address: their owners renew them.

Each user has at most one live token (a partial unique constraint). Renewing
revokes it and makes another; revoking leaves none until the user asks again.
Revoked rows stay, with their history, as the record of who made and ended each
address; the audit log says the same.
"""

from __future__ import annotations

import hashlib
import logging
import secrets

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from ..models import CalendarFeedToken

logger = logging.getLogger("sistercities.audit")

_KEY_SALT = "sistercities.calendar-feed"
# The token in the address: an HMAC-SHA256 in hex.
TOKEN_LENGTH = 64


def _token_of(salt: str) -> str:
    return salted_hmac(_KEY_SALT, salt, algorithm="sha256").hexdigest()


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _create(user) -> tuple[CalendarFeedToken, str]:
    salt = secrets.token_hex(32)
    token = _token_of(salt)
    row = CalendarFeedToken(user=user, salt=salt, digest=digest_of(token))
    row._change_reason = "calendar address made"
    row.save()
    logger.info("calendar address made username=%s", user.get_username())
    return row, token


def live_token(user) -> tuple[CalendarFeedToken, str] | None:
    """(the row, the token) of `user`'s live address, or None."""
    row = CalendarFeedToken.objects.live().filter(user=user).first()
    if row is None:
        return None
    return row, _token_of(row.salt)


def feed_token(user) -> tuple[CalendarFeedToken, str]:
    """`user`'s live address, made if there is none."""
    found = live_token(user)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return _create(user)
    except IntegrityError:
        # Made at the same moment by another request of the same user.
        found = live_token(user)
        if found is None:
            raise
        return found


def revoke_feed_token(user, *, reason: str = "calendar address revoked") -> bool:
    """End `user`'s live address (its URL answers 404 from now on). False if none."""
    with transaction.atomic():
        rows = list(CalendarFeedToken.objects.live().filter(user=user).select_for_update())
        for row in rows:
            row.revoked_at = timezone.now()
            row._change_reason = reason
            row.save(update_fields=["revoked_at"])
    if rows:
        logger.info("%s username=%s", reason, user.get_username())
    return bool(rows)


def renew_feed_token(user) -> tuple[CalendarFeedToken, str]:
    """A new address for `user`, the old one revoked, in one transaction."""
    with transaction.atomic():
        revoke_feed_token(user, reason="calendar address renewed")
        return _create(user)


def user_for_token(token: str):
    """The active user whose live address carries `token`, or None (unknown,
    revoked, malformed, or the user deactivated)."""
    if len(token) != TOKEN_LENGTH:
        return None
    row = (
        CalendarFeedToken.objects.live()
        .filter(digest=digest_of(token))
        .select_related("user", "user__profile")
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    return row.user


def feed_path(token: str) -> str:
    return reverse("agreements:calendar-feed", args=[token])


__all__ = [
    "digest_of",
    "feed_path",
    "feed_token",
    "live_token",
    "renew_feed_token",
    "revoke_feed_token",
    "user_for_token",
]
