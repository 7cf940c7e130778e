"""`Location` on every 201: the URL of what was created (RFC 9110, 10.2.2)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework.request import Request


def member_url(request: Request, pk: int) -> str:
    """The new member of the collection the request was posted to."""
    return request.build_absolute_uri(f"{request.path}{pk}/")


def stage_request_url(request: Request, pk: int) -> str:
    return request.build_absolute_uri(reverse("api:stage-request-detail", args=[pk]))


class LocationOnCreate:
    """For view sets whose POST creates a member of their collection."""

    def get_success_headers(self, data: dict[str, Any]) -> dict[str, str]:
        return {"Location": member_url(self.request, data["id"])}
