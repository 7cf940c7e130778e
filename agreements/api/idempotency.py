"""`Idempotency-Key` on API POSTs (IETF draft "The Idempotency-Key HTTP Header
Field"): a retry with the same key gets the first answer again, byte for byte, for
24 hours (IDEMPOTENCY_TTL), instead of writing twice.

    POST /api/v1/agreements/7/contacts/   Idempotency-Key: "5c1f0b2e-..."
    -> 201 Created, the contact; the answer is stored with the key
    POST /api/v1/agreements/7/contacts/   Idempotency-Key: "5c1f0b2e-..."  (the same body)
    -> 201 Created, the same bytes, `Idempotent-Replayed: true`; nothing is written

How (`IdempotentPosts`, the leftmost base of every view set that takes a POST):

- Keys are per user, claimed at the end of `initial()`: after authentication,
  permissions and throttles, so that a 401, 403 or 404 is not stored (it depends on
  who asks, not on the request) and a retry once allowed does the work.
- The claim, the work and the stored answer are one transaction (`dispatch`). The
  claim is an INSERT under the unique (user, key) constraint, in a savepoint: a
  concurrent retry's INSERT waits on PostgreSQL until the first request's transaction
  ends; then it fails and the retry reads the row and replays the answer, or (the
  first rolled back) it succeeds and the retry does the work. So a retry that comes
  while the first request runs waits for its answer instead of answering 409: the
  answer cannot be committed without the work nor the work without the answer, and
  no claim is ever left behind by a request that died (it rolls back), so there is
  no "in progress" state to time out and no guess whether a crashed request wrote.
  The price is a retry holding its worker while the first runs (at most the app
  server's timeout: a killed worker's transaction is rolled back by PostgreSQL).
- 2xx and 4xx answers are stored and replayed; a 5xx rolls back the transaction,
  the work and the claim with it, so a retry after a failure goes again.
- The same key with another method, path, query or body: 422 `idempotency_key_reused`.
  A key outside 1..255 printable ASCII characters: 400 `idempotency_key_invalid`.
- A key older than IDEMPOTENCY_TTL counts as unused: its row is replaced (and
  `manage.py purge_idempotency_keys` deletes old rows).
"""

from __future__ import annotations

import hashlib
import re

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.request import Request

from ..models import IdempotentRequest
from ..models.idempotency import KEY_MAX_LENGTH

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# The headers of an answer that are part of it; the rest (Vary, Allow, X-Request-ID,
# the security headers) are set again on the replay as on any answer.
STORED_HEADERS = ("Location", "ETag", "Retry-After", "Content-Disposition")

# Printable ASCII, without the quote and backslash of a Structured Field string.
_KEY = re.compile(rf"[\x20-\x21\x23-\x5b\x5d-\x7e]{{1,{KEY_MAX_LENGTH}}}")


class IdempotencyKeyInvalid(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _(
        "The Idempotency-Key header must be 1 to 255 printable ASCII characters, e.g. a UUID."
    )
    default_code = "idempotency_key_invalid"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _(
        "This Idempotency-Key was used in the last 24 hours for another request "
        "(another method, path or body). Use a new key for a new request."
    )
    default_code = "idempotency_key_reused"


class _Replay(Exception):
    """Raised by `initial()` to answer with the stored answer instead of the handler."""

    def __init__(self, stored: IdempotentRequest) -> None:
        self.stored = stored


def parse_key(header: str) -> str:
    """The key of the header: a Structured Field string as the draft writes it
    ("..."), or the same characters without the quotes."""
    value = header.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not _KEY.fullmatch(value):
        raise IdempotencyKeyInvalid()
    return value


def fingerprint(request: Request) -> str:
    """SHA-256 of the method, the path with its query and the body. A multipart
    body is read as its fields and files' bytes: each retry of an upload comes with
    a new random boundary."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    if request.content_type.startswith("multipart/form-data"):
        for name in sorted(request.POST):
            for value in request.POST.getlist(name):
                digest.update(f"field {name}={value}\n".encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(f"file {name}={upload.name}\n".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def claim(*, user, key: str, fingerprint: str) -> tuple[IdempotentRequest, bool]:
    """(row, True) when this request holds the key now and does the work; (row,
    False) when the key's first answer is stored. Inside the request's transaction."""
    stored = IdempotentRequest.objects.filter(user=user, key=key).first()
    if stored is not None and stored.is_expired:
        stored.delete()
        stored = None
    if stored is None:
        try:
            # A savepoint: the IntegrityError leaves the request's transaction usable.
            with transaction.atomic():
                row = IdempotentRequest.objects.create(user=user, key=key, fingerprint=fingerprint)
            return row, True
        except IntegrityError:
            # Another request with this key has committed (on PostgreSQL this INSERT
            # waited for it); read committed: this query sees its row.
            stored = IdempotentRequest.objects.get(user=user, key=key)
    if stored.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    if stored.status is None:
        # Cannot happen: a row is committed only with its answer (see the docstring).
        raise RuntimeError(f"Idempotent request {stored.pk} committed without its answer")
    return stored, False


def store(row: IdempotentRequest, response: HttpResponse) -> None:
    """The answer as the client gets it: status, media type, its own headers, bytes."""
    row.status = response.status_code
    row.content_type = response.get("Content-Type", "")
    row.headers = {name: response[name] for name in STORED_HEADERS if name in response}
    # Its messages are in this request's language (the middleware sets the header later).
    row.headers["Content-Language"] = translation.get_language()
    row.body = response.content
    row.save(update_fields=["status", "content_type", "headers", "body"])


def replay(stored: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(
        bytes(stored.body), status=stored.status, content_type=stored.content_type
    )
    for name, value in stored.headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def _applies(request) -> bool:
    return request.method == "POST" and HEADER in request.headers


class IdempotentPosts:
    """For the view sets that take POSTs; the leftmost base, so that its `initial`
    runs after every check of the others (view sets put their own checks in
    `check_permissions`, not in an `initial` of their own that would run after the
    claim). See the module's docstring."""

    _idempotent_claim: IdempotentRequest | None = None

    def dispatch(self, request, *args, **kwargs):
        if not _applies(request):
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            row = self._idempotent_claim
            if row is None:
                # Answered before the claim (401, 403, 404, the key's 400 or 422) or replayed.
                return response
            if response.status_code >= 500 or response.streaming:
                # Nothing of it stays, the claim included: a retry does the work again.
                transaction.set_rollback(True)
                return response
            if hasattr(response, "render"):
                response.render()
            store(row, response)
        return response

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        if not _applies(request) or not request.user.is_authenticated:
            return
        key = parse_key(request.headers[HEADER])
        row, claimed = claim(user=request.user, key=key, fingerprint=fingerprint(request))
        if not claimed:
            raise _Replay(row)
        self._idempotent_claim = row

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            return replay(exc.stored)
        return super().handle_exception(exc)
