"""/api/v1/calendar-feed/: the user's private calendar address (the iCalendar feed
of the delegations they may see, agreements/calendar_feed.py).

GET gives the address, made if there is none; POST renew/ replaces it (the old one
stops working at once); DELETE revokes it. The same as the calendar page
(views/calendar.py), through agreements/services/calendar.py.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..notifications import absolute_url
from ..services import calendar as feed_tokens
from .idempotency import IdempotentPosts
from .permissions import HasRole
from .responses import IDEMPOTENT, KEY_REUSED, errors


class CalendarFeedSerializer(serializers.Serializer):
    url = serializers.URLField(
        help_text="The feed (text/calendar): subscribe to it from a calendar. It needs no "
        "sign-in, so whoever has it sees the user's delegations: keep it private."
    )
    webcal_url = serializers.CharField(
        help_text="The same address as webcal://, which opens the calendar app."
    )
    created_at = serializers.DateTimeField(help_text="When this address was made.")


def _answer(row, token: str) -> dict:
    url = absolute_url(feed_tokens.feed_path(token))
    data = {"url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}
    return CalendarFeedSerializer({**data, "created_at": row.created_at}).data


class CalendarFeedView(APIView):
    permission_classes = [HasRole]

    @extend_schema(
        operation_id="v1_calendar_feed_retrieve",
        summary="Your private calendar address",
        description="The address of your calendar feed (iCalendar, RFC 5545): an all-day "
        "event for each delegation you may see and a timed one for each programme item, "
        "in your profile's language. Made on the first request; the same address "
        "afterwards until it is renewed or revoked.",
        responses={200: CalendarFeedSerializer, **errors(401, 403)},
    )
    def get(self, request: Request) -> Response:
        row, token = feed_tokens.feed_token(request.user)
        return Response(_answer(row, token))

    @extend_schema(
        operation_id="v1_calendar_feed_destroy",
        summary="Revoke your calendar address",
        description="The address stops working at once (404). A later GET makes a new one.",
        request=None,
        responses={204: None, **errors(401, 403)},
    )
    def delete(self, request: Request) -> Response:
        feed_tokens.revoke_feed_token(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CalendarFeedRenewView(IdempotentPosts, APIView):
    permission_classes = [HasRole]

    @extend_schema(
        operation_id="v1_calendar_feed_renew_create",
        summary="Renew your calendar address",
        description="A new address; the old one stops working at once (404), so every "
        "calendar subscribed to it must subscribe again.",
        request=None,
        responses={201: CalendarFeedSerializer, **errors(401, 403), **KEY_REUSED},
        **IDEMPOTENT,
    )
    def post(self, request: Request) -> Response:
        row, token = feed_tokens.renew_feed_token(request.user)
        return Response(_answer(row, token), status=status.HTTP_201_CREATED)
