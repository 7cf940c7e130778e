"""Error pages: an error id the user can quote, never a traceback.

Each handler makes a short random id, logs it (with the exception for a 500)
to the logger "sistercities.errors", and renders a small template that extends
nothing but `_error.html` (no database, no context processors), so the 500 page
renders even when the database is down. The API gets the same as JSON.
Settings wire them: config/urls.py (handler400/403/404/500) and
CSRF_FAILURE_VIEW.
"""

from __future__ import annotations

import logging
import uuid

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from .problems import PROBLEM_CONTENT_TYPE, problem_body

logger = logging.getLogger("sistercities.errors")

TITLES = {
    400: _("Bad request"),
    403: _("Not allowed"),
    404: _("Page not found"),
    500: _("Something went wrong"),
}
EXPLANATIONS = {
    400: _("The request could not be understood. Go back and try again."),
    403: _("You are not allowed to do this."),
    404: _("There is nothing at this address, or you may not see it."),
    500: _("The error was recorded. If it happens again, tell the administrator the error id."),
}
# The problem code of each status for the API (agreements/problems.CODES).
API_CODES = {400: "parse_error", 403: "forbidden", 404: "not_found", 500: "server_error"}
CSRF_EXPLANATION = _(
    "The form had expired or came from another site. Reload the page and send it again."
)


def new_error_id() -> str:
    return uuid.uuid4().hex[:12]


def _response(request: HttpRequest, status: int, error_id: str, explanation=None) -> HttpResponse:
    explanation = explanation or EXPLANATIONS[status]
    if request.path.startswith("/api/"):
        # A problem detail like every other API error (agreements/api/exceptions.py).
        response: HttpResponse = JsonResponse(
            problem_body(
                status, API_CODES[status], explanation, instance=request.path, error_id=error_id
            ),
            status=status,
            content_type=PROBLEM_CONTENT_TYPE,
        )
    else:
        context = {"error_id": error_id, "title": TITLES[status], "explanation": explanation}
        try:
            # No request: no context processor touches the session or the database.
            body = loader.render_to_string(f"{status}.html", context)
        except Exception:  # noqa: BLE001 - the error page itself must not fail
            logger.exception("error page %s failed to render error_id=%s", status, error_id)
            body = (
                f"<!doctype html><title>{status}</title><h1>{status}</h1>"
                f"<p>Error id: <code>{escape(error_id)}</code></p>"
            )
        response = HttpResponse(body, status=status, content_type="text/html; charset=utf-8")
    response["X-Error-Id"] = error_id
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    error_id = new_error_id()
    logger.warning(
        "bad request error_id=%s path=%s: %s", error_id, request.path, type(exception).__name__
    )
    return _response(request, 400, error_id)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    error_id = new_error_id()
    logger.warning("permission denied error_id=%s path=%s", error_id, request.path)
    return _response(request, 403, error_id)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    error_id = new_error_id()
    logger.info("not found error_id=%s path=%s", error_id, request.path)
    return _response(request, 404, error_id)


def server_error(request: HttpRequest) -> HttpResponse:
    # Called inside Django's `except` block: exc_info is the exception that broke the request.
    error_id = new_error_id()
    logger.error("server error error_id=%s path=%s", error_id, request.path, exc_info=True)
    return _response(request, 500, error_id)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    error_id = new_error_id()
    logger.warning("csrf failure error_id=%s path=%s: %s", error_id, request.path, reason)
    return _response(request, 403, error_id, CSRF_EXPLANATION)
