"""Conditional writes (RFC 9110, 13.1.1): `ETag` on every detail read and write of a
versioned object, `If-Match` on PUT, PATCH and DELETE.

The tag is the object's optimistic-locking `version` ("v3"): it names what is
stored, so an `If-Match` that names another version answers 412
`precondition_failed` and writes nothing. The version is also handed to the
service, which compares it again under the row lock: a change that lands between
this check and the write is refused too (412 as well). Without `If-Match` the
body's `version` keeps working as before (409 `version_conflict`, as the forms).
"""

from __future__ import annotations

import re

from rest_framework.response import Response

from ..services import Conflict
from .exceptions import PreconditionFailed

_TAG = re.compile(r'^\s*"v(\d{1,10})"\s*$')


def etag(obj) -> str:
    return f'"v{obj.version}"'


def if_match_version(request) -> int | None:
    """The version `If-Match` names; None without the header. `*` matches any
    stored object; several tags, a weak one or one of another form never match (412)."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    match = _TAG.match(header)
    if match is None:
        raise PreconditionFailed()
    return int(match.group(1))


class ConditionalWrites:
    """For view sets of versioned objects whose writes pass `expected_version` on
    (see perform_update/perform_destroy of the view sets)."""

    def expected_version(self, body_version: int | None, obj) -> int | None:
        wanted = if_match_version(self.request)
        if wanted is None:
            return body_version
        if wanted != obj.version:
            raise PreconditionFailed()
        return wanted

    def handle_exception(self, exc):
        if (
            isinstance(exc, Conflict)
            and exc.code == "version_conflict"
            and self.request.headers.get("If-Match") not in (None, "*")
        ):
            exc = PreconditionFailed()
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            isinstance(response, Response)
            and response.status_code in (200, 201)
            and getattr(self, "detail", False)
            and isinstance(response.data, dict)
            and "version" in response.data
        ):
            response["ETag"] = f'"v{response.data["version"]}"'
        return response
