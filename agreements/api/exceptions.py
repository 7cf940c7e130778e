"""Every API error as a problem detail (RFC 9457), the same for every view.

    HTTP/1.1 409 Conflict
    Content-Type: application/problem+json

    {"type": "urn:sister-cities:problem:gate_unmet", "title": "The stage is not complete",
     "status": 409, "code": "gate_unmet", "detail": "The current stage is not complete.",
     "instance": "/api/v1/agreements/7/requests/",
     "missing": [{"code": "contact", "message": "No contact ...", "fix": "contacts"}]}

`code` is for machines and never translated (the list is agreements/problems.CODES,
documented in docs/api.md); `title` and `detail` are in the user's language. A 400
lists its field errors in `errors` ([{"field", "code", "message"}], `field` null for the
request as a whole, dotted for nested fields). Where the codes come from:

- WorkflowError (GateNotMet, Conflict): 409 with the error's own `code`
  (`gate_unmet` also with `missing`: code, message and the record kind that fulfils it)
- agreements.files.StoredFileMismatch: 409 `file_mismatch` (the audit line is written)
- agreements.permissions.Forbidden: 403 with its `code` (`forbidden`, `four_eyes`...)
- django.core.exceptions.ValidationError (a service's full_clean): 400 `validation`
- DRF's own exceptions and Http404: their status, a code of `CODES`
- anything else: 500 `server_error`, logged with its traceback as Django would
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from ..files import StoredFileMismatch
from ..permissions import Forbidden
from ..problems import CODES, PROBLEM_CONTENT_TYPE, problem_body
from ..services import WorkflowError
from .filters import InvalidParameters

logger = logging.getLogger("django.request")

_DRF_CODES = {
    exceptions.ParseError: "parse_error",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


class PreconditionFailed(exceptions.APIException):
    """412: the `If-Match` of a write names another version than the stored one."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _(
        "The object was changed since you read it (If-Match does not match its ETag). "
        "Read it again, then retry."
    )
    default_code = "precondition_failed"


def problem(
    status_code: int,
    code: str,
    detail: Any,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """A problem-details answer; `code` must be one of CODES."""
    body = problem_body(status_code, code, detail, instance=instance, **extra)
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def field_errors(detail: Any, prefix: str = "") -> list[dict[str, Any]]:
    """DRF's error details ({field: [ErrorDetail]}, nested for nested fields) as a
    flat list of {field, code, message}; `field` None for the request as a whole."""
    found: list[dict[str, Any]] = []
    if isinstance(detail, dict):
        for name, value in detail.items():
            if name in (api_settings.NON_FIELD_ERRORS_KEY, NON_FIELD_ERRORS) and not prefix:
                found += field_errors(value, "")
            else:
                found += field_errors(value, f"{prefix}.{name}" if prefix else str(name))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, (dict, list)):
                found += field_errors(value, f"{prefix}.{index}" if prefix else str(index))
            else:
                found += field_errors(value, prefix)
    else:
        code = getattr(detail, "code", None) or "invalid"
        found.append({"field": prefix or None, "code": code, "message": str(detail)})
    return found


def drf_validation_error(error: DjangoValidationError) -> exceptions.ValidationError:
    """A Django ValidationError (a model's full_clean) as DRF's, codes kept."""

    def details(errors: list[DjangoValidationError]) -> list[ErrorDetail]:
        return [
            ErrorDetail(message, code=item.code or "invalid")
            for item in errors
            for message in item.messages
        ]

    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(
            {
                (api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name): details(
                    errors
                )
                for name, errors in error.error_dict.items()
            }
        )
    return exceptions.ValidationError(
        {api_settings.NON_FIELD_ERRORS_KEY: details(error.error_list)}
    )


def _validation_summary(errors: list[dict[str, Any]]) -> str:
    for error in errors:
        if error["field"] is None:
            return error["message"]
    return str(_("Some fields are invalid; see errors."))


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    set_rollback()  # as DRF's own handler: a view in an atomic block writes nothing
    request = context.get("request")
    instance = request.path if request is not None else None
    if isinstance(exc, WorkflowError):
        extra = {}
        if exc.unmet:
            extra["missing"] = [
                {"code": item.code, "message": str(item.missing), "fix": item.fix}
                for item in exc.unmet
            ]
        return problem(409, exc.code, exc.message, instance=instance, **extra)
    if isinstance(exc, StoredFileMismatch):
        return problem(409, "file_mismatch", exc.message, instance=instance)
    if isinstance(exc, Forbidden):
        return problem(403, exc.code, exc.message, instance=instance)
    if isinstance(exc, DjangoValidationError):
        exc = drf_validation_error(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        errors = field_errors(exc.detail)
        code = "invalid_parameter" if isinstance(exc, InvalidParameters) else "validation"
        return problem(400, code, _validation_summary(errors), instance=instance, errors=errors)
    if isinstance(exc, exceptions.APIException):
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        code = next(
            (code for kind, code in _DRF_CODES.items() if isinstance(exc, kind)),
            exc.default_code if exc.default_code in CODES else "server_error",
        )
        # exc.status_code: DRF has already made a 401 without an authenticator 403.
        return problem(exc.status_code, code, exc.detail, instance=instance, headers=headers)
    logger.error(
        "Internal Server Error: %s",
        instance,
        exc_info=exc,
        extra={"status_code": 500, "request": getattr(request, "_request", None)},
    )
    return problem(
        500,
        "server_error",
        _("Something went wrong on our side."),
        instance=instance,
        request_id=getattr(getattr(request, "_request", None), "request_id", None),
    )
