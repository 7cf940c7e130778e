"""A per-address limit on unknown, expired or revoked partner-link tokens: an address
that asks for settings.PARTNER_BAD_TOKENS_PER_MINUTE of them in one minute gets 429
for the rest of that minute, whatever it asks on /partner/ (agreements/views/partner.py).

Kept in the cache (locmem in one process, Redis when REDIS_URL is set: shared by
every server), as the login lockout keeps its own counters (django-axes); the
address is audit.client_ip's (X-Forwarded-For only behind the proxy)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from .audit import client_ip

WINDOW_SECONDS = 60


def _key(request) -> str:
    minute = int(time.time() // WINDOW_SECONDS)
    return f"partner-bad-token:{client_ip(request) or 'unknown'}:{minute}"


def is_blocked(request) -> bool:
    return (cache.get(_key(request)) or 0) >= settings.PARTNER_BAD_TOKENS_PER_MINUTE


def count_bad_token(request) -> None:
    key = _key(request)
    if cache.add(key, 1, timeout=WINDOW_SECONDS + 1):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=WINDOW_SECONDS + 1)


def retry_after() -> int:
    return WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS
