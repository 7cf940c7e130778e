"""Failed look-ups counted per client address, in the cache: the anonymous pages
that take a secret in their URL (`/verify/<code>/`, `/partner/<token>/`,
`/calendar/<token>.ics`), each its own `scope`, answer 429 after too many misses
from one address in a minute, so nobody can walk the codes.

Like the sign-in throttling (django-axes, `audit.py`), the client is
`audit.client_ip(request)`. The count is a fixed one-minute window in Django's
cache (one process's memory, or the shared Redis with `REDIS_URL`): it only slows
a guesser down, it keeps nothing that matters. While an address is over the
limit every look-up from it is refused, hits included, so misses cannot be mixed
with known codes to stay under it.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest

from .audit import client_ip

WINDOW_SECONDS = 60


def _key(scope: str, request: HttpRequest) -> str:
    window = int(time.time() // WINDOW_SECONDS)
    return f"misses:{scope}:{client_ip(request) or 'unknown'}:{window}"


def seconds_left() -> int:
    """Until the current window ends (the Retry-After of a 429)."""
    return max(1, WINDOW_SECONDS - int(time.time() % WINDOW_SECONDS))


def over_limit(scope: str, request: HttpRequest, limit: int) -> bool:
    """Has this address missed `limit` times or more in the current minute?"""
    return (cache.get(_key(scope, request)) or 0) >= limit


def count_miss(scope: str, request: HttpRequest) -> None:
    key = _key(scope, request)
    if not cache.add(key, 1, WINDOW_SECONDS + 5):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, WINDOW_SECONDS + 5)
