"""Who did what, from where: the audit trail in the logs.

Services log refusals to the logger "sistercities.audit" without knowing the
request. `AuditContextMiddleware` keeps the current request in a context
variable, and `AuditContextFilter` (attached to that logger in settings.LOGGING)
appends user, address, path and UTC time to every line, so each refusal,
failed login and 403 says who, from where, on which page and when. No
password or token is ever logged: failed logins carry the username only.

The client's address is `client_ip(request)`: REMOTE_ADDR, or, only when
settings.BEHIND_PROXY is on, the address our own proxy appended to
X-Forwarded-For (anything further left can be forged by the client). django-axes
uses the same function (AXES_CLIENT_IP_CALLABLE), so throttling and the log
agree on who the client is.
"""

from __future__ import annotations

import datetime
import ipaddress
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .problems import PROBLEM_CONTENT_TYPE, problem_body

logger = logging.getLogger("sistercities.audit")

_current_request: ContextVar[HttpRequest | None] = ContextVar(
    "sistercities_current_request", default=None
)

LOCKED_OUT = _(
    "Too many failed sign-in attempts for this user from this address. "
    "Try again in %(minutes)s minutes."
)


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address (None when unknown); X-Forwarded-For is believed only
    behind our proxy."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if settings.BEHIND_PROXY:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        count = settings.TRUSTED_PROXY_COUNT
        if len(forwarded) >= count:
            address = _valid_ip(forwarded[-count])
            if address:
                return address
    return _valid_ip(remote)


@contextmanager
def request_context(request: HttpRequest | None) -> Iterator[None]:
    """Make `request` the one audit lines refer to (for code outside the middleware)."""
    if request is None or _current_request.get() is request:
        yield
        return
    token = _current_request.set(request)
    try:
        yield
    finally:
        _current_request.reset(token)


def _username(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    try:
        if user is not None and user.is_authenticated:
            return user.get_username()
    except Exception:  # noqa: BLE001 - the session store may be down; still log the line
        return "?"
    return "-"


class AuditContextFilter(logging.Filter):
    """Appends `[user=… address=… path=… request=… at=…Z]` to each audit line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "audit_context", False):
            return True
        request = _current_request.get()
        if request is not None:
            record.user = _username(request)
            record.address = client_ip(request) or "-"
            record.path = request.path[:300]
            record.request_id = request_id(request)
        else:
            record.user, record.address, record.path, record.request_id = "-", "-", "-", "-"
        when = datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
        record.utc = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        record.msg = (
            f"{record.getMessage()} [user={record.user} address={record.address} "
            f"path={record.path} request={record.request_id} at={record.utc}]"
        )
        record.args = None
        record.audit_context = True
        return True


_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id(request: HttpRequest) -> str:
    """The request's id: the proxy's `X-Request-ID` when it is a plain token (letters,
    digits and `._:-`, at most 128), else one made here. Every answer carries it
    back and every audit line names it, so a user, a proxy log and ours meet."""
    known = getattr(request, "request_id", None)
    if known is None:
        sent = request.headers.get("X-Request-ID", "")
        known = sent if _REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
        request.request_id = known
    return known


class AuditContextMiddleware:
    """Keeps the request for audit lines; gives it its id (`X-Request-ID` on the
    answer); logs every refused (403) or unauthenticated API (401) response. Goes
    first in MIDDLEWARE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            request_id(request)
            response = self.get_response(request)
            if response.status_code in (401, 403):
                logger.warning("refused status=%s method=%s", response.status_code, request.method)
            response["X-Request-ID"] = request.request_id
            return response
        finally:
            _current_request.reset(token)


# --- Logins ---------------------------------------------------------------------------------


def log_login_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs):
    # Only the username: Django has already masked the password in `credentials`,
    # and we do not log even the mask.
    username = str(credentials.get("username", ""))[:150]
    with request_context(request):
        logger.warning("login failed username=%s", username)


def log_logged_in(sender, request: HttpRequest | None = None, user=None, **kwargs):
    with request_context(request):
        logger.info("login username=%s", user.get_username() if user is not None else "-")


def log_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    with request_context(request):
        logger.warning("login locked out username=%s", str(username or "")[:150])


def connect_signals() -> None:
    """Called from AgreementsConfig.ready() (this module is also imported by the
    logging set-up, before the apps are ready)."""
    from axes.signals import user_locked_out

    user_login_failed.connect(log_login_failed, dispatch_uid="sistercities_audit_login_failed")
    user_logged_in.connect(log_logged_in, dispatch_uid="sistercities_audit_logged_in")
    user_locked_out.connect(log_locked_out, dispatch_uid="sistercities_audit_locked_out")


def _cool_off_seconds(request: HttpRequest) -> int:
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    return int(cool_off.total_seconds()) if cool_off else 0


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """django-axes' lockout: JSON 429 for the API, a translated page for the login form."""
    seconds = _cool_off_seconds(request)
    minutes = max(1, (seconds + 59) // 60)
    message = str(LOCKED_OUT) % {"minutes": minutes}
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            problem_body(status, "locked_out", message, instance=request.path, retry_after=seconds),
            status=status,
            content_type=PROBLEM_CONTENT_TYPE,
        )
    else:
        response = render(
            request, "lockout.html", {"message": message, "minutes": minutes}, status=status
        )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
