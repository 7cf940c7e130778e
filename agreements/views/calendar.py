"""The calendar feed (`/calendar/<token>.ics`) and the page to subscribe from.

The feed needs no session: the token in the address is the credential
(agreements/services/calendar.py). It reads no cookie and writes none; whatever
the request carries, the calendar is the token owner's, in the owner's language.

- An unknown or revoked token, or a deactivated owner: 404, and the miss is
  counted against the client's address (agreements/throttling.py, in the cache
  every app server shares with REDIS_URL). An address with
  CALENDAR_FEED_MISSES_PER_MINUTE misses in a minute gets 429 with Retry-After for
  every feed request, a right token included, until the minute ends.
- An owner without any role gets a valid, empty calendar: the subscription keeps
  working and shows nothing, and comes back to life if a role is given again.
- The answer is private (`Cache-Control: private`), valid for a few minutes, with
  an ETag of its bytes: a client polling an unchanged calendar gets 304.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import throttling
from ..calendar_feed import CONTENT_TYPE, build_feed
from ..notifications import absolute_url, language_of
from ..services import calendar as feed_tokens
from .access import role_required

logger = logging.getLogger("sistercities.audit")

SCOPE = "calendar-feed"
# How long a calendar client may keep the feed before asking again.
FEED_MAX_AGE = 15 * 60


def _miss(request: HttpRequest) -> HttpResponse:
    throttling.count_miss(SCOPE, request)
    logger.warning("calendar feed refused: unknown or revoked address")
    return HttpResponse(_("No calendar at this address."), status=404, content_type="text/plain")


@require_http_methods(["GET", "HEAD"])
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    if throttling.over_limit(SCOPE, request, settings.CALENDAR_FEED_MISSES_PER_MINUTE):
        response = HttpResponse(
            _("Too many requests for unknown calendar addresses. Try again later."),
            status=429,
            content_type="text/plain",
        )
        response["Retry-After"] = str(throttling.seconds_left())
        return response
    user = feed_tokens.user_for_token(token)
    if user is None:
        return _miss(request)
    body = build_feed(user)
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    conditional = get_conditional_response(request, etag=etag)
    if conditional is not None:
        response = conditional
    else:
        response = HttpResponse(body, content_type=CONTENT_TYPE)
        response["Content-Disposition"] = 'inline; filename="sister-cities.ics"'
    response["ETag"] = etag
    response["Content-Language"] = language_of(user)
    patch_cache_control(response, private=True, max_age=FEED_MAX_AGE)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _addresses(token: str) -> dict[str, str]:
    url = absolute_url(feed_tokens.feed_path(token))
    return {"url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


@role_required
@require_GET
def subscribe(request: HttpRequest) -> HttpResponse:
    found = feed_tokens.live_token(request.user)
    context = {"feed": None}
    if found is not None:
        row, token = found
        context["feed"] = {**_addresses(token), "created_at": row.created_at}
    return render(request, "agreements/calendar_subscribe.html", context)


@role_required
@require_POST
def renew(request: HttpRequest) -> HttpResponse:
    """Make the address (none yet) or replace it (the old one stops working)."""
    had_one = feed_tokens.live_token(request.user) is not None
    feed_tokens.renew_feed_token(request.user)
    if had_one:
        messages.success(
            request,
            _("Your calendar has a new address. The old one no longer works: subscribe again."),
        )
    else:
        messages.success(request, _("Your calendar address is ready."))
    return redirect("agreements:calendar")


@role_required
@require_POST
def revoke(request: HttpRequest) -> HttpResponse:
    if feed_tokens.revoke_feed_token(request.user):
        messages.success(request, _("Your calendar address was revoked; it no longer works."))
    return redirect("agreements:calendar")
